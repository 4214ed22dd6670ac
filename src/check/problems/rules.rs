//! The problems of rules and rule packs: a pack that is not one, parameters set wrongly, a rule
//! missing its scope or outcome or setting aside what it cannot, an outcome its scope cannot have,
//! and every type error of an expression.

use crate::codes::Code;
use crate::diagnostic::{Description, Problem};
use crate::model::rules::{Aggregate, Extent};
use crate::schema::{Entity, Entries, Enumeration, Record, Type};
use crate::syntax::ast::BinaryOperator;
use crate::values::Currency;

pub enum RuleProblem<'a> {
    /// A file used as a rule pack that declares `kind` `name`.
    PackDeclares {
        pack: &'a str,
        kind: Entity,
        name: &'a str,
    },
    /// A rule pack with no `pack "title"` line.
    PackWithoutTitle { pack: &'a str },
    /// A rule pack that names another file.
    PackNamesFile { pack: &'a str },
    /// Two rules of one id.
    DuplicateRule { rule: &'a str },
    /// Two versions of one rule in force on a day both.
    VersionsOverlap {
        rule: &'a str,
        first: crate::syntax::ast::InForce,
        second: crate::syntax::ast::InForce,
    },
    /// A period of force with no day in it: its end before its start, or outside its pack's.
    InForceEmpty {
        rule: &'a str,
        period: crate::syntax::ast::InForce,
        pack: Option<crate::syntax::ast::InForce>,
    },
    /// A fact of one name recorded twice by one declaration.
    DuplicateFact { fact: &'a str },
    /// Two parameters of one name in one file.
    DuplicateParameter { parameter: &'a str },
    /// A `use rules` sets a parameter the pack does not declare; `parameters` are those it does.
    UnknownParameter {
        pack: &'a str,
        parameter: &'a str,
        parameters: &'a [&'a str],
    },
    /// A parameter set twice by the uses of one pack.
    ParameterSetTwice { pack: &'a str, parameter: &'a str },
    /// A parameter set to a value of another type than it is declared with.
    ParameterType {
        parameter: &'a str,
        declared: &'a Type,
        set: &'a Type,
        /// The value as it was meant, when its unit is a distance spelled out: `75 mi`.
        meant: Option<String>,
    },
    /// A parameter, or a setting of one (`what`), that is not a value written out.
    NotAConstant { what: &'a str },
    /// A field a rule may have once, given again.
    DuplicateField { field: &'a str, rule: &'a str },
    /// A rule with no `for`.
    WithoutScope { rule: &'a str },
    /// A rule that requires, permits, obliges, states and sets aside nothing.
    WithoutOutcome { rule: &'a str },
    /// A rule whose `where` is always false.
    NeverApplies { rule: &'a str },
    /// A rule that permits, for `scope`s other than orders.
    PermitOutOfScope { rule: &'a str, scope: Entity },
    /// A rule that replaces (or `waives`) `target`, which is no rule; `suggestion` is a close id.
    SetAsideUndefined {
        rule: &'a str,
        waives: bool,
        target: &'a str,
        suggestion: Option<&'a str>,
    },
    /// A rule for `scope`s that sets aside itself, or a rule for `target_scope`s.
    SetAsideWrongKind {
        rule: &'a str,
        waives: bool,
        target: &'a str,
        scope: Entity,
        target_scope: Entity,
    },
    /// A rule's message of nothing but spaces.
    EmptyMessage { rule: &'a str },
    /// A rule's requirement that always holds.
    AlwaysTrue { rule: &'a str },
    /// A responsibility that does not say what the agency answers for.
    EmptyResponsibility { rule: &'a str, extent: Extent },
    /// A usage report obliged by a rule not for contracts.
    ReportOutOfScope,
    /// A notice obliged by a rule for neither orders nor bindings.
    NoticeOutOfScope,
    /// A responsibility or a precedence (`what` the rule does) in a rule for `scope`s, not for
    /// bindings.
    BindingOnly {
        rule: &'a str,
        scope: Entity,
        what: &'a str,
    },
    /// An expression of type `found` where `expected` (in words) is needed.
    Mismatch { expected: &'a str, found: &'a Type },
    /// A value in an `in [...]` list of another type than what is looked for.
    ListMismatch {
        element: &'a Type,
        candidate: &'a Type,
    },
    /// A call of a function that does not exist.
    UnknownFunction { function: &'a str },
    /// `distance` called with other than two arguments.
    DistanceArguments { count: usize },
    /// An aggregate over orders inside another.
    NestedAggregate,
    /// `any` or `all` without a condition.
    AggregateWithoutCondition { function: Aggregate },
    /// An order comparison (`<`, ...) of a type that has no order.
    NoOrder { ty: &'a Type },
    /// Money in two currencies on the two sides of an operator.
    CurrenciesDiffer {
        left: &'a Currency,
        right: &'a Currency,
    },
    /// Quantities of two things on the two sides of an operator.
    QuantitiesDiffer { left: &'a str, right: &'a str },
    /// Two types that cannot be compared.
    NotComparable { left: &'a Type, right: &'a Type },
    /// An arithmetic operator that does not apply to its two sides' types.
    NoArithmetic {
        operator: BinaryOperator,
        left: &'a Type,
        right: &'a Type,
    },
    /// A field followed from a value of a type that has none.
    NoFields { ty: &'a Type, field: &'a str },
    /// `fact`, `clause`, ... with no name after it.
    EntryWithoutName { entries: Entries },
    /// A field a type does not have; `candidates` are its fields and entries.
    UnknownField {
        ty: &'a Type,
        field: &'a str,
        candidates: &'a [&'a str],
    },
    /// A bare name where a value of `enumeration` is expected, and none of its values.
    UnknownEnumerationValue {
        value: &'a str,
        enumeration: Enumeration,
        /// Its values, the model's own included for an open set.
        values: &'a [&'a str],
    },
    /// A jurisdiction group read anywhere but in a list: `x in [EU]`.
    GroupOutsideList { group: &'a str },
    /// A name that is no variable, parameter or declaration. The help says where to start:
    /// `pack` when the rule is a pack's, `open_to` in a piggyback clause's `open_to`, and
    /// `first_variable` the rule's own variable, if any.
    Undefined {
        name: &'a str,
        suggestion: Option<&'a str>,
        pack: Option<&'a str>,
        open_to: bool,
        first_variable: Option<(&'a str, Entity)>,
    },
    /// A rule naming `order`, which is left out of the model for its errors (a ledger's rows in
    /// error are reported, and the rest of the model judged).
    OrderLeftOut { order: &'a str },
    /// A condition on an agency (`open_to`, `buyers where`) naming `order`: it is decided
    /// before any order is judged.
    OrderInAgencyCondition { order: &'a str },
}

/// The help of a type mismatch between two sides.
const ONE_KIND: &str = "both sides must be of one kind: money in one currency, quantities of one thing, dates with dates";

impl Problem for RuleProblem<'_> {
    fn describe(self) -> Description {
        match self {
            RuleProblem::PackDeclares { pack, kind, name } => Description::new(
                Code::NotARulePack,
                format!("rule pack `{pack}` declares {} `{name}`", kind.keyword()),
                "not a rule",
            )
            .help("a rule pack holds only `pack`, `parameter` and `rule` declarations; move the declarations into the model, or `use` the file without `rules` to make it part of the model"),
            RuleProblem::PackWithoutTitle { pack } => Description::new(
                Code::NotARulePack,
                format!("rule pack `{pack}` has no `pack \"title\"` line"),
                "used as a rule pack here",
            )
            .help("start the pack's file with a line such as `pack \"Our county's purchasing rules\"`"),
            RuleProblem::PackNamesFile { pack } => Description::new(
                Code::NotARulePack,
                format!("rule pack `{pack}` names another file"),
                "not in a rule pack",
            )
            .help("a rule pack stands alone; name the other files, packs and ledgers from the model"),
            RuleProblem::DuplicateRule { rule } => Description::new(
                Code::DuplicateName,
                format!("two rules are named `{rule}`"),
                "declared again here",
            )
            .help("rule names are shared by every file and pack of the model; rename one"),
            RuleProblem::VersionsOverlap { rule, first, second } => Description::new(
                Code::VersionsOverlap,
                format!("two versions of rule `{rule}` are in force on the same days: {first} and {second}"),
                "in force on days the other version is",
            )
            .help("versions of a rule follow one another: end the earlier one the day before the later one starts (`in_force ... to DATE`), or give the rules different names"),
            RuleProblem::InForceEmpty { rule, period, pack } => {
                let (message, help) = match pack {
                    Some(pack) => (
                        format!("rule `{rule}` is in force {period}, but its pack only {pack}: it is never in force"),
                        "a rule of a pack is in force only while its pack is; state a period within the pack's",
                    ),
                    None => (
                        format!("rule `{rule}` is in force {period}: that period ends before it starts"),
                        "write the first day first: `in_force FROM to UNTIL`, either end `...` when open",
                    ),
                };
                Description::new(Code::InForceEmpty, message, "no day is in this period").help(help)
            }
            RuleProblem::DuplicateFact { fact } => Description::new(
                Code::DuplicateField,
                format!("fact `{fact}` is recorded twice"),
                "recorded again here",
            )
            .help("keep one `fact` line of each name; rules read one value"),
            RuleProblem::DuplicateParameter { parameter } => Description::new(
                Code::DuplicateName,
                format!("two parameters are named `{parameter}`"),
                "declared again here",
            )
            .help("rename one of them"),
            RuleProblem::UnknownParameter {
                pack,
                parameter,
                parameters,
            } => {
                let description = Description::new(
                    Code::UndefinedName,
                    format!("rule pack `{pack}` has no parameter `{parameter}`"),
                    "no such parameter",
                );
                match crate::check::suggest(parameter, parameters.iter().copied()) {
                    Some(candidate) => description.suggestion(Some(candidate)),
                    None if parameters.is_empty() => {
                        description.help(format!("rule pack `{pack}` takes no parameters"))
                    }
                    None => description.help(format!(
                        "its parameters are: {}",
                        parameters.join(", ")
                    )),
                }
            }
            RuleProblem::ParameterSetTwice { pack, parameter } => Description::new(
                Code::DuplicateField,
                format!("parameter `{parameter}` of rule pack `{pack}` is set twice"),
                "set again here",
            )
            .help("set each parameter of a pack once, in one `use rules`"),
            RuleProblem::ParameterType {
                parameter,
                declared,
                set,
                meant,
            } => Description::new(
                Code::TypeMismatch,
                format!(
                    "parameter `{parameter}` is {}, but this sets it to {}",
                    declared.describe(),
                    set.describe()
                ),
                format!("expected {}", declared.describe()),
            )
            .help(match &meant {
                Some(meant) => format!("did you mean `{meant}`? distances are counted in `mi` or `km`"),
                None => "write a value of the type the pack's `parameter` declaration gives (`coop rules NAME` prints a shipped pack)".to_string(),
            })
            .replacement_of(meant),
            RuleProblem::NotAConstant { what } => Description::new(
                Code::TypeMismatch,
                format!("{what} must be a value written out, such as `USD 200,000.00` or `75 mi`"),
                "not a fixed value",
            )
            .help("a parameter cannot read the model; rules read the model and compare it with parameters"),
            RuleProblem::DuplicateField { field, rule } => Description::new(
                Code::DuplicateField,
                format!("`{field}` is given twice in rule `{rule}`"),
                "given again here",
            )
            .help(format!("keep one `{field}` line")),
            RuleProblem::WithoutScope { rule } => Description::new(
                Code::MissingField,
                format!("rule `{rule}` does not say what it is for"),
                "`for` missing",
            )
            .help("add a line such as `for order o where o.buyer.jurisdiction == US-WA`"),
            RuleProblem::WithoutOutcome { rule } => Description::new(
                Code::RuleWithoutOutcome,
                format!("rule `{rule}` has no outcome: it requires, permits and obliges nothing"),
                "no outcome",
            )
            .help("add `require CONDITION else deny \"why\"`, `require ... else warn \"...\"`, `oblige PARTY ...`, `permit when ...`, `responsible alone for \"...\"`, `precedence via over contract`, `replaces RULE` or `waives RULE because \"...\"`"),
            RuleProblem::NeverApplies { rule } => Description::new(
                Code::RuleNeverApplies,
                format!("rule `{rule}` can never apply: its `where` is always false"),
                "always false",
            )
            .help("correct the condition, or remove the rule"),
            RuleProblem::PermitOutOfScope { rule, scope } => Description::new(
                Code::OutcomeOutOfScope,
                format!(
                    "rule `{rule}` permits, but it is for {}s: a legal basis permits orders",
                    scope.noun()
                ),
                "needs `for order o`",
            )
            .help("write the basis `for order o where ...`, its conditions after `permit when`"),
            RuleProblem::SetAsideUndefined {
                rule,
                waives,
                target,
                suggestion,
            } => Description::new(
                Code::UndefinedName,
                format!(
                    "rule `{rule}` {} `{target}`, which is no rule of the model",
                    sets_aside(waives)
                ),
                "no such rule",
            )
            .suggestion_or(
                suggestion,
                "name a rule of the model, its packs or the prelude (`coop rules core` prints the prelude)",
            ),
            RuleProblem::SetAsideWrongKind {
                rule,
                waives,
                target,
                scope,
                target_scope,
            } => {
                // Rule ids are unique, so a rule that names its own id names itself.
                let problem = if target == rule {
                    "itself".to_string()
                } else {
                    format!(
                        "a rule for {}s, while it is for {}s",
                        target_scope.noun(),
                        scope.noun()
                    )
                };
                Description::new(
                    Code::WrongKind,
                    format!("rule `{rule}` {} `{target}`: {problem}", sets_aside(waives)),
                    "cannot be set aside here",
                )
                .help("a rule sets aside other rules about the same things, for each thing it applies to")
            }
            RuleProblem::EmptyMessage { rule } => Description::new(
                Code::EmptyMessage,
                format!("rule `{rule}` gives no reason in its message"),
                "empty message",
            )
            .help("say what is wrong and why, as the finding will: `else deny \"the agreement was not posted before the order\"`"),
            RuleProblem::AlwaysTrue { rule } => Description::new(
                Code::RuleAlwaysTrue,
                format!("rule `{rule}` requires a condition that always holds"),
                "always true",
            )
            .help("the rule can never deny or warn; correct the condition, or remove the rule"),
            RuleProblem::EmptyResponsibility { rule, extent } => Description::new(
                Code::EmptyMessage,
                format!(
                    "rule `{rule}` does not say what the agency is {} for",
                    extent.as_written()
                ),
                "empty",
            )
            .help("say what the agency answers for, as the report will: `responsible alone for \"its own orders\"`"),
            RuleProblem::ReportOutOfScope => Description::new(
                Code::OutcomeOutOfScope,
                "usage reports are due per contract, but this rule is not for contracts",
                "needs `for contract c`",
            )
            .help("write the rule `for contract c ...` and oblige `c.supplier` or an agency"),
            RuleProblem::NoticeOutOfScope => Description::new(
                Code::OutcomeOutOfScope,
                "a notice is due within a delay of an order or of a binding's start, but this rule is for neither",
                "needs `for order` or `for binding`",
            )
            .help("write the rule `for order o ...` or `for binding b ...`"),
            RuleProblem::BindingOnly { rule, scope, what } => Description::new(
                Code::OutcomeOutOfScope,
                format!(
                    "rule `{rule}` {what}, but it is for {}s: only a binding has a responsible agency and terms",
                    scope.noun()
                ),
                "needs `for binding b`",
            )
            .help("write the rule `for binding b where ...`; `b.agency` is the agency bound, `b.contract` its contract"),
            RuleProblem::Mismatch { expected, found } => Description::new(
                Code::TypeMismatch,
                format!("expected {expected}, found {}", found.describe()),
                format!("this is {}", found.describe()),
            )
            .help(match found {
                _ if expected.starts_with("a condition") => {
                    "compare it (`o.via.signed <= o.date`), or test that it is stated with `exists`".to_string()
                }
                Type::Entity(_) | Type::Term | Type::Fact => {
                    "follow a field to reach a value, such as `o.buyer.kind` or `c.term.length`; `docs/language.md` lists the fields".to_string()
                }
                _ => format!("write {expected} here"),
            }),
            RuleProblem::ListMismatch { element, candidate } => Description::new(
                Code::TypeMismatch,
                format!(
                    "this list is for {}, but this is {}",
                    element.describe(),
                    candidate.describe()
                ),
                candidate.describe(),
            )
            .help("every value in the list must be of the same type as what is looked for"),
            RuleProblem::UnknownFunction { function } => Description::new(
                Code::UndefinedName,
                format!("there is no function `{function}`"),
                "unknown function",
            )
            .suggestion_or(
                crate::check::suggest(function, ["distance"]),
                "the functions are `distance(a, b)`, `sum(... for order p where ...)` and `count(order p where ...)`",
            ),
            RuleProblem::DistanceArguments { count } => Description::new(
                Code::TypeMismatch,
                format!("`distance` takes two agencies, not {count}"),
                "two arguments expected",
            )
            .help("write `distance(o.buyer, o.contract.lead)`"),
            RuleProblem::NestedAggregate => Description::new(
                Code::TypeMismatch,
                "an aggregate over orders inside another aggregate over orders",
                "nested here",
            )
            .help("a `sum` or `count` ranges over the orders once; write the inner total as a rule of its own, or compare two aggregates side by side"),
            RuleProblem::AggregateWithoutCondition { function } => Description::new(
                Code::TypeMismatch,
                format!("`{}` needs a condition after `where`", function.word()),
                "no condition",
            )
            .help("write `any(line l of o where l.category == construction)`"),
            RuleProblem::NoOrder { ty } => Description::new(
                Code::TypeMismatch,
                format!("{} has no order", ty.describe()),
                "no order",
            )
            .help("compare it with `==`, `!=` or `in [...]`"),
            RuleProblem::CurrenciesDiffer { left, right } => Description::new(
                Code::TypeMismatch,
                format!("{left} and {right} are different currencies"),
                "here",
            )
            .help(ONE_KIND),
            RuleProblem::QuantitiesDiffer { left, right } => Description::new(
                Code::TypeMismatch,
                format!("{left} and {right} count different things"),
                "here",
            )
            .help(ONE_KIND),
            RuleProblem::NotComparable { left, right } => Description::new(
                Code::TypeMismatch,
                format!(
                    "{} cannot be compared with {}",
                    left.describe(),
                    right.describe()
                ),
                "here",
            )
            .help(ONE_KIND),
            RuleProblem::NoArithmetic {
                operator,
                left,
                right,
            } => Description::new(
                Code::TypeMismatch,
                format!(
                    "`{}` does not apply to {} and {}",
                    operator.symbol(),
                    left.describe(),
                    right.describe()
                ),
                "here",
            )
            .help(ONE_KIND),
            RuleProblem::NoFields { ty, field } => Description::new(
                Code::UnknownField,
                format!("{} has no fields, so `.{field}` leads nowhere", ty.describe()),
                "no such field",
            )
            .help("only agencies, solicitations, contracts, access instruments, orders, bindings, order lines, fees, terms and facts have fields"),
            RuleProblem::EntryWithoutName { entries } => Description::new(
                Code::UnknownField,
                format!("`{}` needs a name after it", entries.word()),
                "which one?",
            )
            .help(format!(
                "write `x.{}.NAME`, such as `o.buyer.fact.board_approval` or `c.clause.warranty`",
                entries.word()
            )),
            RuleProblem::UnknownField {
                ty,
                field,
                candidates,
            } => Description::new(
                Code::UnknownField,
                format!("{} has no field `{field}`", ty.describe()),
                "unknown field",
            )
            .suggestion_or(
                crate::check::suggest(field, candidates.iter().copied()),
                format!("its fields are: {}", candidates.join(", ")),
            ),
            RuleProblem::UnknownEnumerationValue {
                value,
                enumeration,
                values,
            } => {
                let declare = if enumeration.is_open() {
                    let keyword = match enumeration {
                        Enumeration::AgencyRole => "role",
                        _ => "kind",
                    };
                    format!(", or declare it: `{keyword} {value} \"what it means\"`")
                } else {
                    String::new()
                };
                Description::new(
                    Code::UnknownValue,
                    format!("`{value}` is not {}", enumeration.describe()),
                    format!("not {}", enumeration.describe()),
                )
                .suggestion_or(
                    crate::check::suggest(value, values.iter().copied()),
                    format!("use one of: {}{declare}", values.join(", ")),
                )
            }
            RuleProblem::GroupOutsideList { group } => Description::new(
                Code::TypeMismatch,
                format!("jurisdiction group `{group}` is read in a list, not alone"),
                "a group of jurisdictions",
            )
            .help(format!(
                "a group's members change over time; ask whether a jurisdiction is among them: `o.buyer.jurisdiction in [{group}]`"
            )),
            RuleProblem::Undefined {
                name,
                suggestion,
                pack,
                open_to,
                first_variable,
            } => {
                let help = match (pack, first_variable) {
                    (Some(pack), Some(_)) => format!(
                        "rule pack `{pack}` names `{name}`: declare it in the model (the pack's page says what the pack needs)"
                    ),
                    _ if open_to => "`open_to` reads the agency's fields: `kind`, `jurisdiction`, `member_of NAME`, as in `kind in [city, county] and jurisdiction in [US-WA]`".to_string(),
                    (_, Some((variable, entity))) => format!(
                        "start from the rule's {} `{variable}`, as in `{variable}.{}`",
                        entity.noun(),
                        Record::Entity(entity)
                            .fields()
                            .first()
                            .map_or("name", |spec| spec.name)
                    ),
                    (_, None) => "parameters are written out: a number, an amount, a date".to_string(),
                };
                Description::new(
                    Code::UndefinedName,
                    format!("`{name}` is not a variable, a parameter or a declaration"),
                    "not defined",
                )
                .suggestion_or(suggestion, help)
            }
            RuleProblem::OrderLeftOut { order } => Description::new(
                Code::UndefinedName,
                format!("order `{order}` is left out of the model, as it has errors"),
                "names an order left out",
            )
            .help("fix the errors reported on the order (a ledger's rows in error are reported with their line); until then the model is not judged, since this rule would judge an order that is not there"),
            RuleProblem::OrderInAgencyCondition { order } => Description::new(
                Code::UndefinedName,
                format!("`{order}` is an order, but this condition is on an agency, decided before any order"),
                "no order here",
            )
            .help("a condition on an agency (`open_to`, `buyers where`) reads its fields: `kind`, `jurisdiction`, `member_of NAME`, as in `kind in [city, county] and jurisdiction in [US-WA]`; a condition on orders belongs in a rule"),
        }
    }
}

/// How a message says that a rule sets another aside.
fn sets_aside(waives: bool) -> &'static str {
    if waives { "waives" } else { "replaces" }
}
