//! Building the checked model from the syntax trees, one declaration kind at a time, in the order
//! references need: agencies, solicitations, contracts, access instruments, orders.
//!
//! A declaration whose required parts cannot be resolved is left out of the model after its
//! problems are reported; declarations that depend on it are still checked as far as they can be,
//! without repeating the same problem.

use rust_decimal::Decimal;

use super::names::Namespace;
use super::unknown_value;
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::*;
use crate::schema::Entity;
use crate::source::{SourceMap, Span, Spanned};
use crate::syntax::ast::{self, Block, Name};
use crate::values::{Date, LARGEST_AMOUNT, Money, format_quantity};
use iso_currency::IntoEnumIterator;

pub(super) fn build(
    sources: &SourceMap,
    files: &[ast::File],
    packs: &[super::rules::PackUse],
    diagnostics: &mut Diagnostics,
) -> Option<Model> {
    let mut agencies = Vec::new();
    let mut solicitations = Vec::new();
    let mut contracts = Vec::new();
    let mut instruments = Vec::new();
    let mut orders = Vec::new();
    // Every name with its kind, so that the first declaration of a name in source order wins
    // whatever its kind.
    let mut written: Vec<(Span, &Name, Entity)> = Vec::new();
    for file in files {
        for declaration in &file.declarations {
            let span = match declaration {
                ast::Declaration::Agency(block) => {
                    agencies.push(block);
                    block.span
                }
                ast::Declaration::Solicitation(block) => {
                    solicitations.push(block);
                    block.span
                }
                ast::Declaration::Contract(block) => {
                    contracts.push(block);
                    block.span
                }
                ast::Declaration::Access(block) => {
                    instruments.push(block);
                    block.span
                }
                ast::Declaration::Order(block) => {
                    orders.push(block);
                    block.span
                }
            };
            written.push((span, declaration.name(), declaration.entity()));
        }
    }
    if written.is_empty()
        && let Some((file, _)) = sources.files().next()
    {
        diagnostics.push(
            Diagnostic::new(
                Code::EmptyModel,
                "the model declares nothing",
                Span::new(file, 0, 0),
                "nothing declared",
            )
            .with_help("declare agencies, solicitations, contracts, access instruments and orders; see docs/language.md"),
        );
    }
    // Spans are distinct, so an unstable sort gives the one order, faster.
    written.sort_unstable_by_key(|(span, _, _)| *span);
    let mut namespace = Namespace::with_capacity(written.len());
    let mut winners = std::collections::HashSet::new();
    for (span, name, kind) in written {
        if namespace.reserve(name, kind, diagnostics) {
            winners.insert(span);
        }
    }
    let agencies = declare_all(agencies, Entity::Agency, &winners, &mut namespace);
    let solicitations = declare_all(
        solicitations,
        Entity::Solicitation,
        &winners,
        &mut namespace,
    );
    let contracts = declare_all(contracts, Entity::Contract, &winners, &mut namespace);
    let instruments = declare_all(instruments, Entity::Access, &winners, &mut namespace);
    let order_blocks = declare_all(orders, Entity::Order, &winners, &mut namespace);

    let mut checker = Checker {
        namespace,
        diagnostics,
        rule_ids: files
            .iter()
            .flat_map(|file| &file.rules)
            .map(|rule| {
                let has = |matches: fn(&ast::RuleField) -> bool| {
                    rule.fields.iter().any(|field| matches(&field.value))
                };
                let shape = RuleShape {
                    obliges: has(|field| matches!(field, ast::RuleField::Oblige { .. })),
                    permits: has(|field| matches!(field, ast::RuleField::Permit { .. })),
                    extents: rule
                        .fields
                        .iter()
                        .filter_map(|field| match &field.value {
                            ast::RuleField::Responsible { extent, .. } => Some(extent.value),
                            _ => None,
                        })
                        .collect(),
                };
                (rule.name.value.clone(), shape)
            })
            .collect(),
        currencies: Vec::new(),
    };
    let agencies: Vec<Option<Agency>> =
        agencies.iter().map(|block| checker.agency(block)).collect();
    let solicitations: Vec<Option<Solicitation>> = solicitations
        .iter()
        .map(|block| checker.solicitation(block))
        .collect();
    let contracts: Vec<Option<Contract>> = contracts
        .iter()
        .map(|block| checker.contract(block, &solicitations))
        .collect();
    let instruments: Vec<Option<AccessInstrument>> = instruments
        .iter()
        .map(|block| checker.access(block))
        .collect();
    // An order read from a ledger row that is in error is left out of the model (its errors are
    // reported); an order in error anywhere else stops the model.
    let orders: Vec<Option<Order>> = order_blocks
        .iter()
        .map(|block| {
            let errors_before = checker.diagnostics.error_count();
            let order = checker.order(block, &solicitations, &contracts);
            let rejected = sources.is_ledger(block.span.file)
                && checker.diagnostics.error_count() > errors_before;
            if rejected { None } else { order }
        })
        .collect();

    let tests = checker.tests(files, &solicitations, &contracts, &instruments);
    let rules = super::rules::check(files, packs, &checker.namespace, checker.diagnostics);
    expected_rules_exist(files, &tests, checker.diagnostics);
    let complete = agencies.iter().all(Option::is_some)
        && solicitations.iter().all(Option::is_some)
        && contracts.iter().all(Option::is_some)
        && instruments.iter().all(Option::is_some)
        && orders
            .iter()
            .zip(&order_blocks)
            .all(|(order, block)| order.is_some() || sources.is_ledger(block.span.file));
    if !complete || checker.diagnostics.has_errors_outside_ledgers(sources) {
        return None;
    }
    let mut orders: Vec<Order> = orders.into_iter().flatten().collect();
    // Orders are judged in date order; the same date keeps name order, which is stable.
    // Winning names are distinct, so an unstable sort gives the one order, faster.
    orders.sort_unstable_by(|left, right| {
        (left.date.value, &left.header.name.value)
            .cmp(&(right.date.value, &right.header.name.value))
    });
    Some(Model {
        agencies: agencies.into_iter().flatten().collect(),
        solicitations: solicitations.into_iter().flatten().collect(),
        contracts: contracts.into_iter().flatten().collect(),
        instruments: instruments.into_iter().flatten().collect(),
        orders,
        tests,
        rules,
    })
}

/// Every rule a test expects to deny an order is a rule of the model.
fn expected_rules_exist(files: &[ast::File], tests: &[Test], diagnostics: &mut Diagnostics) {
    let rules: Vec<&ast::Rule> = files.iter().flat_map(|file| &file.rules).collect();
    let declared: Vec<&str> = rules.iter().map(|rule| rule.name.value.as_str()).collect();
    // A rule denies by a `require ... else deny`, or, as a legal basis, when no basis holds.
    let can_deny = |rule: &ast::Rule| {
        rule.fields.iter().any(|field| match &field.value {
            ast::RuleField::Require { outcome, .. } => outcome.value == ast::Outcome::Deny,
            ast::RuleField::Permit { .. } => true,
            _ => false,
        })
    };
    for test in tests {
        for expectation in &test.expectations {
            let named: &[Spanned<String>] = match &expectation.value {
                Expectation::OrderDenied { rules, .. } => rules,
                Expectation::Finding { rule, .. } => std::slice::from_ref(rule),
                _ => &[],
            };
            for rule in named {
                match rules
                    .iter()
                    .find(|declared| declared.name.value == rule.value)
                {
                    // An order is denied only by a rule that denies; one that warns never will.
                    Some(found)
                        if matches!(expectation.value, Expectation::OrderDenied { .. })
                            && !can_deny(found) =>
                    {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::ExpectationCannotHold,
                                format!("rule `{}` never denies an order", rule.value),
                                rule.span,
                                "cannot deny",
                            )
                            .with_related(found.name.span, "the rule only warns or obliges")
                            .with_help(format!(
                                "expect what it does find: `expect finding {} on {}`",
                                rule.value,
                                match &expectation.value {
                                    Expectation::OrderDenied { order, .. } => order.value.as_str(),
                                    _ => "ORDER",
                                }
                            )),
                        );
                    }
                    Some(_) => {}
                    None => {
                        let diagnostic = Diagnostic::new(
                            Code::UndefinedName,
                            format!("no rule named `{}`", rule.value),
                            rule.span,
                            "not a rule of the model",
                        );
                        diagnostics.push(
                            match super::suggest(&rule.value, declared.iter().copied()) {
                                Some(candidate) => diagnostic.with_suggestion(Some(candidate)),
                                None => diagnostic.with_help(
                                    "name a rule of the model's files or of a rule pack it uses",
                                ),
                            },
                        );
                    }
                }
            }
        }
    }
}

/// Keeps the declarations of one kind that won their name, sorted by name, and records the
/// index each has among them.
fn declare_all<'a, Field>(
    mut blocks: Vec<&'a Block<Field>>,
    kind: Entity,
    winners: &std::collections::HashSet<Span>,
    namespace: &mut Namespace,
) -> Vec<&'a Block<Field>> {
    blocks.retain(|block| winners.contains(&block.span));
    // Only winners are left, whose names are distinct: an unstable sort gives the one order.
    blocks.sort_unstable_by(|left, right| left.name.value.cmp(&right.name.value));
    for (index, block) in blocks.iter().enumerate() {
        namespace.set_index(&block.name.value, kind, index);
    }
    blocks
}

/// Stands in for an agency reference already reported as unresolved (see `Checker::solicitation`).
const UNRESOLVED_AGENCY: AgencyId = AgencyId(usize::MAX);

struct Checker<'d> {
    namespace: Namespace,
    diagnostics: &'d mut Diagnostics,
    /// The ids of every rule written, which tests may name, with what each does.
    rule_ids: std::collections::HashMap<String, RuleShape>,
    /// The currency codes found valid so far: a model uses a few, on a million order lines, and
    /// the ISO table is searched once for each.
    currencies: Vec<crate::values::Currency>,
}

/// What a test that names a rule under `under` expects it to be able to do.
#[derive(Clone, Copy)]
enum Capacity {
    Permits,
    Responsible(crate::model::rules::Extent),
}

/// What a rule does, as far as tests that name it care.
#[derive(Clone)]
struct RuleShape {
    /// It obliges someone to something: a test may expect its duty.
    obliges: bool,
    /// It is a legal basis: a test may expect an order permitted under it.
    permits: bool,
    /// The responsibilities it states (`responsible alone`, ...): a test may expect one of them
    /// under it.
    extents: Vec<crate::model::rules::Extent>,
}

/// The single-valued fields of one declaration: reports a field given twice, and a required one
/// missing, against the declaration's name.
struct Fields<'b, Field> {
    block: &'b Block<Field>,
    keyword: &'static str,
}

impl<Field> Fields<'_, Field> {
    fn once<T>(
        &self,
        slot: &mut Option<(T, Span)>,
        value: T,
        span: Span,
        field: &str,
        diagnostics: &mut Diagnostics,
    ) {
        match slot {
            Some((_, first)) => diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateField,
                    format!(
                        "`{field}` is given twice in {} `{}`",
                        self.keyword, self.block.name.value
                    ),
                    span,
                    "given again here",
                )
                .with_related(*first, "first given here")
                .with_help(format!("keep one `{field}` line")),
            ),
            None => *slot = Some((value, span)),
        }
    }

    fn require<T>(
        &self,
        slot: Option<(T, Span)>,
        field: &str,
        example: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<T> {
        match slot {
            Some((value, _)) => Some(value),
            None => {
                diagnostics.push(self.missing(field, example));
                None
            }
        }
    }

    fn missing(&self, field: &str, example: &str) -> Diagnostic {
        Diagnostic::new(
            Code::MissingField,
            format!(
                "{} `{}` has no `{field}`",
                self.keyword, self.block.name.value
            ),
            self.block.name.span,
            format!("`{field}` missing"),
        )
        .with_help(format!("add a line such as `{example}`"))
    }
}

fn header<Field>(block: &Block<Field>) -> Header {
    Header {
        name: block.name.clone(),
        title: block.title.as_ref().map(|title| title.value.clone()),
        span: block.span,
        facts: block
            .facts
            .iter()
            .map(|fact| Fact {
                name: fact.name.clone(),
                date: fact.date.map(|date| date.value),
                value: fact.value.as_ref().and_then(fact_value),
                text: fact.text.as_ref().map(|text| text.value.clone()),
            })
            .collect(),
    }
}

/// The amount a fact records, as rules read it: money, a number, a quantity (of what its unit
/// names) or a percentage. The grammar admits no other literal there.
fn fact_value(written: &ast::Expression) -> Option<crate::model::rules::Value> {
    use crate::model::rules::Value;
    Some(match &written.value {
        ast::ExpressionKind::Money(money) => Value::Money(*money),
        ast::ExpressionKind::Percentage(rate) => Value::Percentage(*rate),
        ast::ExpressionKind::Number { value, unit: None } => Value::Number(*value),
        ast::ExpressionKind::Number {
            value,
            unit: Some(unit),
        } => Value::Quantity {
            count: *value,
            unit: unit.value.as_str().into(),
        },
        _ => return None,
    })
}

impl Checker<'_> {
    /// Every test, with its references resolved; a test with an unresolved reference is left
    /// out after its problems are reported (and the model, having errors, is not returned).
    fn tests(
        &mut self,
        files: &[ast::File],
        solicitations: &[Option<Solicitation>],
        contracts: &[Option<Contract>],
        instruments: &[Option<AccessInstrument>],
    ) -> Vec<Test> {
        let mut tests: Vec<Test> = Vec::new();
        for test in files.iter().flat_map(|file| &file.tests) {
            if let Some(first) = tests
                .iter()
                .find(|earlier| earlier.name.value == test.name.value)
            {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("two tests are named \"{}\"", test.name.value),
                        test.name.span,
                        "named again here",
                    )
                    .with_related(first.name.span, "first named here")
                    .with_help("give each test its own name, so that `coop test --filter` and the results tell them apart"),
                );
                continue;
            }
            let expectations: Vec<Option<Spanned<Expectation>>> = test
                .expectations
                .iter()
                .map(|expectation| {
                    self.expectation(&expectation.value, solicitations, contracts, instruments)
                        .map(|value| Spanned::new(value, expectation.span))
                })
                .collect();
            if test.expectations.is_empty() {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::TestWithoutExpectations,
                        format!("test \"{}\" expects nothing", test.name.value),
                        test.name.span,
                        "no `expect`",
                    )
                    .with_help("a test holds at least one line such as `expect order everett_trucks permitted`"),
                );
            }
            if expectations.iter().all(Option::is_some) {
                tests.push(Test {
                    name: test.name.clone(),
                    as_of: test.as_of.map(|date| date.value),
                    expectations: expectations.into_iter().flatten().collect(),
                });
            }
        }
        tests
    }

    /// Whether the rule a test names exists and can do what the test expects of it; if not,
    /// says which.
    fn rule_does(&mut self, rule: &Name, capacity: Capacity) -> bool {
        let shape = self.rule_ids.get(&rule.value);
        let (does, cannot, label, help) = match capacity {
            Capacity::Permits => (
                shape.map(|shape| shape.permits),
                "is no legal basis: it permits nothing".to_string(),
                "not a basis",
                "name a rule with a `permit` line, such as the prelude's `piggyback` or `own-solicitation`",
            ),
            Capacity::Responsible(extent) => (
                shape.map(|shape| shape.extents.contains(&extent)),
                match shape.map(|shape| shape.extents.as_slice()) {
                    Some([]) | None => "states no responsibility".to_string(),
                    Some(stated) => {
                        let stated: Vec<&str> =
                            stated.iter().map(|extent| extent.as_written()).collect();
                        format!(
                            "never says `{}`: it says `{}`",
                            extent.as_written(),
                            stated.join("`, `")
                        )
                    }
                },
                "not stated by this rule",
                "name a rule that states this responsibility, or expect what the rule states",
            ),
        };
        match does {
            Some(true) => true,
            Some(false) => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::ExpectationCannotHold,
                        format!("rule `{}` {cannot}", rule.value),
                        rule.span,
                        label,
                    )
                    .with_help(help),
                );
                false
            }
            None => {
                let ids: Vec<&str> = self.rule_ids.keys().map(String::as_str).collect();
                let diagnostic = Diagnostic::new(
                    Code::UndefinedName,
                    format!(
                        "no rule `{}` in the model, its packs or the prelude",
                        rule.value
                    ),
                    rule.span,
                    "no such rule",
                );
                self.diagnostics
                    .push(match super::suggest(&rule.value, ids) {
                        Some(candidate) => diagnostic.with_suggestion(Some(candidate)),
                        None => diagnostic.with_help(help),
                    });
                false
            }
        }
    }

    fn expectation(
        &mut self,
        expectation: &ast::Expectation,
        solicitations: &[Option<Solicitation>],
        contracts: &[Option<Contract>],
        instruments: &[Option<AccessInstrument>],
    ) -> Option<Expectation> {
        let agency = |checker: &mut Self, name: &Name| {
            checker
                .namespace
                .resolve(name, Entity::Agency, "the expectation", checker.diagnostics)
                .map(AgencyId)
        };
        let contract = |checker: &mut Self, name: &Name| {
            checker
                .namespace
                .resolve(
                    name,
                    Entity::Contract,
                    "the expectation",
                    checker.diagnostics,
                )
                .map(ContractId)
        };
        Some(match expectation {
            ast::Expectation::OrderPermitted { order, under } => {
                self.namespace.resolve(
                    order,
                    Entity::Order,
                    "the expectation",
                    self.diagnostics,
                )?;
                if let Some(basis) = under
                    && !self.rule_does(basis, Capacity::Permits)
                {
                    return None;
                }
                Expectation::OrderPermitted {
                    order: order.clone(),
                    under: under.clone(),
                }
            }
            ast::Expectation::OrderDenied {
                order,
                codes,
                rules,
            } => {
                let resolved = self.namespace.resolve(
                    order,
                    Entity::Order,
                    "the expectation",
                    self.diagnostics,
                );
                let mut known = Vec::new();
                // Only the codes that deny orders can be expected of a denied order.
                let denials: Vec<&str> = crate::codes::Code::ORDER_DENIALS
                    .iter()
                    .map(|code| code.name())
                    .collect();
                for code in codes {
                    match crate::codes::Code::from_name(&code.value)
                        .filter(|found| crate::codes::Code::ORDER_DENIALS.contains(found))
                    {
                        Some(found) => known.push(found),
                        None => self.diagnostics.push(unknown_value(
                            code,
                            "a code that denies orders",
                            &denials,
                        )),
                    }
                }
                resolved?;
                if known.len() != codes.len() {
                    return None;
                }
                Expectation::OrderDenied {
                    order: order.clone(),
                    codes: known,
                    rules: rules.clone(),
                }
            }
            ast::Expectation::Bound {
                agency: agency_name,
                contract: contract_name,
                basis,
            } => {
                let agency = agency(self, agency_name);
                let contract = contract(self, contract_name);
                let basis = basis.as_ref().map(|basis| match basis.value.as_str() {
                    "lead" => ExpectedBasis::Lead,
                    "joint_participant" => ExpectedBasis::JointParticipant,
                    _ => ExpectedBasis::Piggyback,
                });
                Expectation::Bound {
                    agency: agency?,
                    contract: contract?,
                    basis,
                }
            }
            ast::Expectation::NotBound {
                agency: agency_name,
                contract: contract_name,
            } => {
                let agency = agency(self, agency_name);
                let contract = contract(self, contract_name);
                Expectation::NotBound {
                    agency: agency?,
                    contract: contract?,
                }
            }
            ast::Expectation::Responsible {
                agency: agency_name,
                extent,
                contract: contract_name,
                under,
            } => {
                let agency = agency(self, agency_name);
                let contract = contract(self, contract_name);
                if let Some(rule) = under
                    && !self.rule_does(rule, Capacity::Responsible(extent.value))
                {
                    return None;
                }
                Expectation::Responsible {
                    agency: agency?,
                    contract: contract?,
                    extent: extent.value,
                    under: under.clone(),
                }
            }
            ast::Expectation::BoundByClause {
                agency: agency_name,
                clause,
                source,
                contract: contract_name,
            } => {
                let agency = agency(self, agency_name);
                let contract = contract(self, contract_name);
                let source = match source {
                    Some(name) => Some(
                        self.namespace
                            .resolve(name, Entity::Access, "the expectation", self.diagnostics)
                            .map(InstrumentId),
                    ),
                    None => None,
                };
                let source = match source {
                    Some(resolved) => Some(resolved?),
                    None => None,
                };
                let contract = contract?;
                // The clause must be one the source states.
                let (stated, owner): (Vec<&str>, String) = match source {
                    None => (
                        contracts[contract.0]
                            .iter()
                            .flat_map(|declared| &declared.clauses)
                            .map(|stated| stated.name.value.as_str())
                            .collect(),
                        format!("contract `{}`", contract_name.value),
                    ),
                    Some(id) => (
                        instruments[id.0]
                            .iter()
                            .flat_map(|declared| &declared.clauses)
                            .map(|stated| stated.name.value.as_str())
                            .collect(),
                        format!(
                            "access instrument `{}`",
                            instruments[id.0].as_ref().map_or("", |declared| declared
                                .header
                                .name
                                .value
                                .as_str())
                        ),
                    ),
                };
                if !stated.contains(&clause.value.as_str()) {
                    let diagnostic = Diagnostic::new(
                        Code::UndefinedName,
                        format!("{owner} states no clause `{}`", clause.value),
                        clause.span,
                        "no such clause",
                    );
                    self.diagnostics.push(
                        match super::suggest(&clause.value, stated.iter().copied()) {
                            Some(candidate) => diagnostic.with_suggestion(Some(candidate)),
                            None if stated.is_empty() => {
                                diagnostic.with_help(format!("{owner} states no clause at all"))
                            }
                            None => diagnostic
                                .with_help(format!("its clauses are: {}", stated.join(", "))),
                        },
                    );
                    return None;
                }
                Expectation::BoundByClause {
                    agency: agency?,
                    contract,
                    clause: clause.clone(),
                    source,
                }
            }
            ast::Expectation::Owes {
                agency: agency_name,
                duty,
                contract: contract_name,
            } => {
                let agency = agency(self, agency_name);
                let contract = contract(self, contract_name);
                if let Some(shape) = self.rule_ids.get(&duty.value) {
                    if !shape.obliges {
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::ExpectationCannotHold,
                                format!("rule `{}` obliges nobody to anything", duty.value),
                                duty.span,
                                "no duty",
                            )
                            .with_help("name a rule with an `oblige` line, or expect what the rule finds with `expect finding RULE on NAME`"),
                        );
                    }
                    return Some(Expectation::OwesUnderRule {
                        agency: agency?,
                        rule: duty.clone(),
                        contract: contract?,
                    });
                }
                let kind = DutyKind::from_name(&duty.value);
                if kind.is_none() {
                    let names: Vec<&str> = DutyKind::ALL.iter().map(|kind| kind.as_str()).collect();
                    self.diagnostics.push(unknown_value(
                        duty,
                        "a duty, nor a rule of the model",
                        &names,
                    ));
                }
                Expectation::Owes {
                    agency: agency?,
                    duty: kind?,
                    contract: contract?,
                }
            }
            ast::Expectation::Finding { rule, on, present } => {
                if self.namespace.lookup(&on.value).is_none() {
                    let names: Vec<&str> = self.namespace.all_names().collect();
                    let diagnostic = Diagnostic::new(
                        Code::UndefinedName,
                        format!("nothing is named `{}`", on.value),
                        on.span,
                        "not declared",
                    );
                    self.diagnostics.push(
                        match super::suggest(&on.value, names.iter().copied()) {
                            Some(candidate) => diagnostic.with_suggestion(Some(candidate)),
                            None => diagnostic.with_help(
                                "name the order, contract, solicitation, agency or access instrument the finding is about",
                            ),
                        },
                    );
                    return None;
                }
                Expectation::Finding {
                    rule: rule.clone(),
                    on: on.clone(),
                    present: *present,
                }
            }
            ast::Expectation::Ordered {
                contract: contract_name,
                amount,
            } => {
                let id = contract(self, contract_name)?;
                let built = contracts[id.0].as_ref()?;
                let solicitation = solicitations[built.solicitation.0].as_ref()?;
                let volume = self.volume(
                    amount,
                    &solicitation.items,
                    &solicitation.header.name,
                    "expected amount",
                )?;
                if let (Volume::Money(money), Some(currency)) = (&volume.value, &built.currency)
                    && money.currency != *currency
                {
                    let first_price = built
                        .prices
                        .first()
                        .map_or(built.header.name.span, |price| price.span);
                    self.diagnostics.push(currency_mismatch(
                        format!(
                            "the expected amount is in {} but contract `{}` is in {currency}",
                            money.currency, built.header.name.value
                        ),
                        volume.span,
                        &money.currency,
                        first_price,
                        currency,
                    ));
                    return None;
                }
                Expectation::Ordered {
                    contract: id,
                    amount: volume.value,
                }
            }
        })
    }

    fn agency(&mut self, block: &Block<ast::AgencyField>) -> Option<Agency> {
        let fields = Fields {
            block,
            keyword: "agency",
        };
        let mut kind = None;
        let mut jurisdiction = None;
        let mut location = None;
        let mut memberships = Vec::new();
        for field in &block.fields {
            match &field.value {
                ast::AgencyField::Kind(name) => {
                    let value = AgencyKind::from_name(&name.value);
                    if value.is_none() {
                        self.diagnostics
                            .push(unknown_value(name, "an agency kind", &kind_names()));
                    }
                    fields.once(&mut kind, value, field.span, "kind", self.diagnostics);
                }
                ast::AgencyField::Jurisdiction(code) => fields.once(
                    &mut jurisdiction,
                    code.value.clone(),
                    field.span,
                    "jurisdiction",
                    self.diagnostics,
                ),
                ast::AgencyField::Location {
                    latitude,
                    longitude,
                } => {
                    self.coordinate(latitude, 90.0, "latitude");
                    self.coordinate(longitude, 180.0, "longitude");
                    let value = Location {
                        latitude: latitude.value,
                        longitude: longitude.value,
                    };
                    fields.once(
                        &mut location,
                        value,
                        field.span,
                        "location",
                        self.diagnostics,
                    );
                }
                ast::AgencyField::MemberOf(programs) => {
                    memberships.extend(programs.iter().map(|program| program.value.clone()))
                }
            }
        }
        let kind = fields.require(kind, "kind", "kind county", self.diagnostics);
        let jurisdiction = fields.require(
            jurisdiction,
            "jurisdiction",
            "jurisdiction US-WA",
            self.diagnostics,
        );
        Some(Agency {
            header: header(block),
            kind: kind??,
            jurisdiction: jurisdiction?.into(),
            location: location.map(|(location, _)| location),
            memberships,
        })
    }

    fn coordinate(&mut self, value: &Spanned<f64>, limit: f64, what: &str) {
        if value.value.is_nan() || value.value.abs() > limit {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::OutOfRange,
                    format!("{what} {} is outside -{limit} to {limit}", value.value),
                    value.span,
                    format!("not a {what}"),
                )
                .with_help("write a location as latitude, longitude in decimal degrees, e.g. `location 47.98, -122.20`"),
            );
        }
    }

    fn solicitation(&mut self, block: &Block<ast::SolicitationField>) -> Option<Solicitation> {
        let fields = Fields {
            block,
            keyword: "solicitation",
        };
        let mut lead = None;
        let mut method = None;
        let mut category = None;
        let mut issued = None;
        let mut posted = None;
        let mut cooperative_use = None;
        let mut assignability = None;
        let mut estimate = None;
        let mut maximum = None;
        let mut items: Vec<Item> = Vec::new();
        let mut joint: Option<(&Vec<ast::Participant>, Span)> = None;
        for field in &block.fields {
            let span = field.span;
            match &field.value {
                ast::SolicitationField::Lead(name) => {
                    let agency =
                        self.namespace
                            .resolve(name, Entity::Agency, "`lead`", self.diagnostics);
                    fields.once(
                        &mut lead,
                        agency.map(AgencyId),
                        span,
                        "lead",
                        self.diagnostics,
                    );
                }
                ast::SolicitationField::Method(name) => {
                    let value = Method::from_name(&name.value);
                    if value.is_none() {
                        let allowed: Vec<&str> =
                            Method::ALL.iter().map(|method| method.as_str()).collect();
                        self.diagnostics.push(unknown_value(
                            name,
                            "a solicitation method",
                            &allowed,
                        ));
                    }
                    fields.once(&mut method, value, span, "method", self.diagnostics);
                }
                ast::SolicitationField::Category(name) => {
                    let value = Category::from_name(&name.value);
                    if value.is_none() {
                        let allowed: Vec<&str> = Category::ALL
                            .iter()
                            .map(|category| category.as_str())
                            .collect();
                        self.diagnostics
                            .push(unknown_value(name, "a category", &allowed));
                    }
                    fields.once(&mut category, value, span, "category", self.diagnostics);
                }
                ast::SolicitationField::Issued(date) => {
                    fields.once(&mut issued, date.value, span, "issued", self.diagnostics)
                }
                ast::SolicitationField::Posted { date, online } => {
                    let posting = Posting {
                        date: date.value,
                        online: *online,
                    };
                    fields.once(&mut posted, posting, span, "posted", self.diagnostics)
                }
                ast::SolicitationField::CooperativeUse(stated) => fields.once(
                    &mut cooperative_use,
                    stated.value,
                    span,
                    "cooperative_use",
                    self.diagnostics,
                ),
                ast::SolicitationField::Assignability(stated) => fields.once(
                    &mut assignability,
                    stated.value,
                    span,
                    "assignability",
                    self.diagnostics,
                ),
                ast::SolicitationField::Item(item) => {
                    if let Some(first) = items
                        .iter()
                        .find(|existing| existing.name.value == item.name.value)
                    {
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::DuplicateName,
                                format!(
                                    "item `{}` is declared twice in solicitation `{}`",
                                    item.name.value, block.name.value
                                ),
                                item.name.span,
                                "declared again here",
                            )
                            .with_related(first.name.span, "first declared here")
                            .with_help("give each item of a solicitation its own name"),
                        );
                    } else {
                        let category = item.category.as_ref().and_then(|name| {
                            let category = Category::from_name(&name.value);
                            if category.is_none() {
                                let allowed: Vec<&str> = Category::ALL
                                    .iter()
                                    .map(|category| category.as_str())
                                    .collect();
                                self.diagnostics
                                    .push(unknown_value(name, "a category", &allowed));
                            }
                            category
                        });
                        items.push(Item {
                            name: item.name.clone(),
                            title: item.title.as_ref().map(|title| title.value.clone()),
                            unit: item.unit.value.as_str().into(),
                            category,
                        });
                    }
                }
                ast::SolicitationField::Estimate(amount) => {
                    fields.once(&mut estimate, amount, span, "estimate", self.diagnostics)
                }
                ast::SolicitationField::Maximum(amount) => {
                    fields.once(&mut maximum, amount, span, "maximum", self.diagnostics)
                }
                ast::SolicitationField::Joint(participants) => {
                    fields.once(&mut joint, participants, span, "joint", self.diagnostics)
                }
            }
        }
        if items.is_empty() {
            self.diagnostics
                .push(fields.missing("item", "item dump_truck \"Class 8 dump truck\" per truck"));
        }
        let estimate =
            estimate.and_then(|(amount, _)| self.volume(amount, &items, &block.name, "estimate"));
        let maximum =
            maximum.and_then(|(amount, _)| self.volume(amount, &items, &block.name, "maximum"));
        if let (Some(estimate), Some(maximum)) = (&estimate, &maximum) {
            self.same_currency(estimate, maximum, "the estimate", "the maximum");
        }
        let mut participants: Vec<Participant> = Vec::new();
        for participant in joint.map_or(&[][..], |(participants, _)| participants.as_slice()) {
            let agency = self.namespace.resolve(
                &participant.agency,
                Entity::Agency,
                "a joint participant",
                self.diagnostics,
            );
            let commitment = participant
                .commitment
                .as_ref()
                .and_then(|amount| self.volume(amount, &items, &block.name, "commitment"));
            if let Some(agency) = agency.map(AgencyId) {
                if let Some(first) = participants
                    .iter()
                    .find(|existing| existing.agency == agency)
                {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::DuplicateName,
                            format!(
                                "`{}` joins solicitation `{}` twice",
                                participant.agency.value, block.name.value
                            ),
                            participant.agency.span,
                            "listed again here",
                        )
                        .with_related(first.span, "first listed here")
                        .with_help("list each participant once, with its whole commitment"),
                    );
                } else {
                    participants.push(Participant {
                        agency,
                        commitment,
                        span: participant.agency.span,
                    });
                }
            }
        }
        let lead = fields
            .require(lead, "lead", "lead snohomish_county", self.diagnostics)
            .flatten();
        let method = fields
            .require(method, "method", "method competitive_bid", self.diagnostics)
            .flatten();
        if items.is_empty() {
            return None;
        }
        // A solicitation whose lead, method or participants failed is still built, with stand-ins,
        // so that contracts awarding it are checked against its items; the failures were reported,
        // so a model holding a stand-in is never returned.
        Some(Solicitation {
            header: header(block),
            lead: lead.unwrap_or(UNRESOLVED_AGENCY),
            method: method.unwrap_or(Method::CompetitiveBid),
            category: category.and_then(|(category, _)| category),
            issued: issued.map(|(date, _)| date),
            posted: posted.map(|(posting, _)| posting),
            cooperative_use: stated(cooperative_use),
            assignability: stated(assignability),
            items,
            estimate,
            maximum,
            participants,
        })
    }

    /// Resolves an amount's measure against a solicitation's items: an item's name, or the unit
    /// some item is sold in.
    fn volume(
        &mut self,
        amount: &ast::Amount,
        items: &[Item],
        solicitation: &Name,
        what: &str,
    ) -> Option<Spanned<Volume>> {
        match amount {
            ast::Amount::Money(money) => {
                self.known_currency(money);
                self.amount_not_negative(money.value.amount, money.span, what);
                Some(Spanned::new(Volume::Money(money.value), money.span))
            }
            ast::Amount::Quantity(quantity) => {
                self.amount_not_negative(quantity.count.value, quantity.count.span, what);
                let measure = self.measure(&quantity.measure, items, solicitation)?;
                Some(Spanned::new(
                    Volume::Quantity {
                        count: quantity.count.value,
                        measure,
                    },
                    quantity.span,
                ))
            }
        }
    }

    fn measure(&mut self, name: &Name, items: &[Item], solicitation: &Name) -> Option<Measure> {
        if let Some(index) = items.iter().position(|item| item.name.value == name.value) {
            return Some(Measure::Item(ItemId(index)));
        }
        if items.iter().any(|item| item.unit == name.value) {
            return Some(Measure::Unit(name.value.as_str().into()));
        }
        let mut candidates: Vec<&str> = items.iter().map(|item| item.name.value.as_str()).collect();
        candidates.extend(items.iter().map(|item| item.unit.as_str()));
        candidates.sort_unstable();
        candidates.dedup();
        let diagnostic = Diagnostic::new(
            Code::UnitMismatch,
            format!(
                "`{}` is neither an item nor a unit of solicitation `{}`",
                name.value, solicitation.value
            ),
            name.span,
            "counts something this solicitation does not buy",
        )
        .with_related(
            solicitation.span,
            "the solicitation whose items this must count",
        );
        self.diagnostics.push(
            match super::suggest(&name.value, candidates.iter().copied()) {
                Some(candidate) => diagnostic.with_suggestion(Some(candidate)),
                None => diagnostic.with_help(format!(
                    "count one of its items or units: {}",
                    candidates.join(", ")
                )),
            },
        );
        None
    }

    /// Money must be in a currency of ISO 4217, so that `USD` is never mistyped as `UDS`.
    fn known_currency(&mut self, money: &Spanned<Money>) {
        let code = &money.value.currency;
        if self.currencies.contains(code) {
            return;
        }
        if iso_currency::Currency::from_code(code).is_some() {
            self.currencies.push(*code);
            return;
        }
        let codes: Vec<&str> = iso_currency::Currency::iter()
            .map(|currency| currency.code())
            .collect();
        let start = money.span.start as usize;
        let diagnostic = Diagnostic::new(
            Code::UnknownValue,
            format!("`{code}` is not an ISO 4217 currency code"),
            Span::new(money.span.file, start, start + code.len()),
            "unknown currency",
        );
        self.diagnostics.push(match super::suggest(code, codes.iter().copied()) {
            Some(candidate) => diagnostic.with_suggestion(Some(candidate)),
            None => diagnostic.with_help(
                "write money with its three-letter ISO 4217 code, such as `USD 1,000.00` or `EUR 250.00`",
            ),
        });
    }

    fn amount_not_negative(&mut self, amount: Decimal, span: Span, what: &str) {
        if amount.is_sign_negative() && !amount.is_zero() {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::OutOfRange,
                    format!("the {what} cannot be negative"),
                    span,
                    "negative",
                )
                .with_help("write the amount as a positive number"),
            );
        }
    }

    fn same_currency(
        &mut self,
        first: &Spanned<Volume>,
        second: &Spanned<Volume>,
        first_name: &str,
        second_name: &str,
    ) {
        if let (Volume::Money(left), Volume::Money(right)) = (&first.value, &second.value)
            && left.currency != right.currency
        {
            self.diagnostics.push(currency_mismatch(
                format!(
                    "{second_name} is in {} but {first_name} is in {}",
                    right.currency, left.currency
                ),
                second.span,
                &right.currency,
                first.span,
                &left.currency,
            ));
        }
    }

    fn contract(
        &mut self,
        block: &Block<ast::ContractField>,
        solicitations: &[Option<Solicitation>],
    ) -> Option<Contract> {
        let fields = Fields {
            block,
            keyword: "contract",
        };
        let mut awards = None;
        let mut awarded = None;
        let mut term = None;
        let mut suppliers = Vec::new();
        let mut options = Vec::new();
        let mut prices = Vec::new();
        let mut clauses: Vec<Clause> = Vec::new();
        let mut piggyback = None;
        let mut usage_reports = Vec::new();
        for field in &block.fields {
            let span = field.span;
            match &field.value {
                ast::ContractField::Awards(name) => {
                    let solicitation = self.namespace.resolve(
                        name,
                        Entity::Solicitation,
                        "`awards`",
                        self.diagnostics,
                    );
                    fields.once(&mut awards, solicitation, span, "awards", self.diagnostics);
                }
                ast::ContractField::Supplier(name) => suppliers.push(name.value.clone()),
                ast::ContractField::Awarded(date) => {
                    fields.once(&mut awarded, *date, span, "awarded", self.diagnostics)
                }
                ast::ContractField::Term { start, end } => {
                    if end.value < start.value {
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::TermEndsBeforeStart,
                                format!("the term of contract `{}` ends on {} before it starts on {}", block.name.value, end.value, start.value),
                                end.span,
                                "ends here",
                            )
                            .with_related(start.span, "starts here")
                            .with_help("swap the dates, or correct the one that is mistyped: a term reads `term START to END`"),
                        );
                    }
                    let value = Term {
                        start: start.value,
                        end: end.value,
                        span,
                    };
                    fields.once(&mut term, value, span, "term", self.diagnostics);
                }
                ast::ContractField::Option { length, exercised } => options.push(RenewalOption {
                    length: length.value,
                    exercised: *exercised,
                    span,
                }),
                ast::ContractField::Price(price) => prices.push((price, span)),
                ast::ContractField::Clause(clause) => {
                    if let Some(first) = clauses
                        .iter()
                        .find(|existing| existing.name.value == clause.name.value)
                    {
                        self.diagnostics
                            .push(duplicate_clause(&clause.name, first.name.span));
                    } else {
                        clauses.push(Clause {
                            name: clause.name.clone(),
                            text: clause.text.as_ref().map(|text| text.value.clone()),
                        });
                    }
                }
                ast::ContractField::Piggyback(clause) => {
                    fields.once(&mut piggyback, clause, span, "piggyback", self.diagnostics)
                }
                ast::ContractField::UsageReport { period_end, filed } => {
                    usage_reports.push(UsageReport {
                        period_end: period_end.value,
                        filed: filed.value,
                        span,
                    })
                }
            }
        }
        if suppliers.is_empty() {
            self.diagnostics
                .push(fields.missing("supplier", "supplier \"Northwest Truck Co.\""));
        }
        let solicitation_index = fields
            .require(awards, "awards", "awards itb_24_07", self.diagnostics)
            .flatten();
        let term = fields.require(
            term,
            "term",
            "term 2024-04-01 to 2027-03-31",
            self.diagnostics,
        );
        if let Some(term) = &term {
            self.options_within_term(term, &options);
            if let Some((awarded, _)) = &awarded
                && awarded.value > term.end
            {
                self.diagnostics.push(
                        Diagnostic::new(
                            Code::TermEndsBeforeStart,
                            format!("contract `{}` is awarded on {} after its term ends on {}", block.name.value, awarded.value, term.end),
                            awarded.span,
                            "awarded here",
                        )
                        .with_related(term.span, "the term")
                        .with_help("a contract is awarded before or when its term starts; correct the award date or the term"),
                    );
            }
        }
        // Prices, fees and ceilings need the solicitation's items; without it they cannot be checked.
        let solicitation = solicitation_index.and_then(|index| solicitations[index].as_ref());
        let mut checked_prices = Vec::new();
        let mut currency: Option<(crate::values::Currency, Span)> = None;
        let mut piggyback_clause = None;
        if let Some(solicitation) = solicitation {
            for (price, span) in prices {
                if let Some(entry) =
                    self.price(price, span, solicitation, &mut currency, &checked_prices)
                {
                    checked_prices.push(entry);
                }
            }
            for (index, item) in solicitation.items.iter().enumerate() {
                if !checked_prices
                    .iter()
                    .any(|price: &PriceEntry| price.item == ItemId(index))
                {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::ItemWithoutPrice,
                            format!("contract `{}` sets no price for `{}`", block.name.value, item.name.value),
                            block.name.span,
                            format!("no price for `{}`", item.name.value),
                        )
                        .with_related(item.name.span, "the item, in scope of the solicitation")
                        .with_help(format!(
                            "add `price {} USD 0.00 per {}` with the awarded price; orders of an unpriced item are denied",
                            item.name.value, item.unit
                        )),
                    );
                }
            }
            for (volume, what) in [
                (&solicitation.estimate, "the solicitation's estimate"),
                (&solicitation.maximum, "the solicitation's maximum"),
            ] {
                if let (Some(volume), Some(currency)) = (volume, &currency) {
                    self.volume_in_currency(volume, currency, what);
                }
            }
            for participant in &solicitation.participants {
                if let (Some(commitment), Some(currency)) = (&participant.commitment, &currency) {
                    self.volume_in_currency(commitment, currency, "the commitment");
                }
            }
        }
        if let Some((clause, span)) = piggyback {
            piggyback_clause = self.piggyback(clause, span, &block.name, solicitation, &currency);
        }
        let awarded_date = match (&awarded, &term) {
            (Some((date, _)), _) => date.value,
            (None, Some(term)) => term.start,
            (None, None) => Date::MIN,
        };
        let solicitation_index = solicitation_index?;
        let solicitation = solicitation?;
        Some(Contract {
            header: header(block),
            solicitation: SolicitationId(solicitation_index),
            suppliers,
            awarded: awarded_date,
            award_date_stated: awarded.is_some(),
            term: term?,
            options,
            // A contract that prices nothing still has the currency its solicitation counts in.
            currency: currency.map(|(currency, _)| currency).or_else(|| {
                [&solicitation.estimate, &solicitation.maximum]
                    .into_iter()
                    .flatten()
                    .chain(
                        solicitation
                            .participants
                            .iter()
                            .filter_map(|participant| participant.commitment.as_ref()),
                    )
                    .find_map(|volume| match &volume.value {
                        Volume::Money(money) => Some(money.currency),
                        Volume::Quantity { .. } => None,
                    })
            }),
            prices: checked_prices,
            clauses,
            piggyback: piggyback_clause,
            usage_reports,
        })
    }

    /// Each option must be exercised before the term, as extended by the options before it, ends.
    /// Options extend the term one after another: each must have a length, be exercised on or
    /// before the end of the term as extended so far, follow exercised options only, and end on
    /// the calendar.
    fn options_within_term(&mut self, term: &Term, options: &[RenewalOption]) {
        let mut end = term.end;
        let mut not_exercised: Option<Span> = None;
        for option in options {
            if option.length.count == 0 {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::OutOfRange,
                        "a renewal option of no length",
                        option.span,
                        "extends nothing",
                    )
                    .with_help("give the option its length, such as `option 1 year`"),
                );
                continue;
            }
            let extended = option
                .length
                .after(end)
                .filter(|date| *date <= last_calendar_day());
            let Some(extended) = extended else {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::OutOfRange,
                        format!("this option would run past the year 9999 (from {end})"),
                        option.span,
                        "too long",
                    )
                    .with_help("check the option's length; dates run to 9999-12-31"),
                );
                return;
            };
            let Some(exercised) = option.exercised else {
                not_exercised.get_or_insert(option.span);
                continue;
            };
            if let Some(earlier) = not_exercised {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::OptionExercisedOutOfOrder,
                        "this option is exercised, but an option before it is not",
                        exercised.span,
                        "exercised",
                    )
                    .with_related(earlier, "not exercised")
                    .with_help("options extend the term in order; exercise the earlier option first, or list the options in the order they run"),
                );
                return;
            }
            if exercised.value > end {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::OptionExercisedAfterTerm,
                        format!("option exercised on {} after the term ended on {end}", exercised.value),
                        exercised.span,
                        "exercised too late",
                    )
                    .with_related(term.span, "the term")
                    .with_help("an option extends a running term; exercise it on or before the term's end, or record a new contract"),
                );
                return;
            }
            end = extended;
        }
    }

    fn price(
        &mut self,
        price: &ast::Price,
        span: Span,
        solicitation: &Solicitation,
        currency: &mut Option<(crate::values::Currency, Span)>,
        earlier: &[PriceEntry],
    ) -> Option<PriceEntry> {
        let item = self.item_of(&price.item, solicitation)?;
        let unit = &solicitation.item(item).unit;
        if price.unit.value != *unit {
            self.diagnostics.push(unit_mismatch(
                &price.unit,
                unit,
                &solicitation.item(item).name,
            ));
        }
        let from = match &price.from {
            Some(quantity) => {
                let measure_ok = quantity.measure.value == *unit
                    || quantity.measure.value == solicitation.item(item).name.value;
                if !measure_ok {
                    self.diagnostics.push(unit_mismatch(
                        &quantity.measure,
                        unit,
                        &solicitation.item(item).name,
                    ));
                }
                quantity.count.value
            }
            None => Decimal::ZERO,
        };
        self.known_currency(&price.unit_price);
        self.amount_not_negative(
            price.unit_price.value.amount,
            price.unit_price.span,
            "price",
        );
        match currency {
            Some((expected, first)) if *expected != price.unit_price.value.currency => {
                self.diagnostics.push(currency_mismatch(
                    format!(
                        "prices of one contract must share a currency, but this one is in {}",
                        price.unit_price.value.currency
                    ),
                    price.unit_price.span,
                    &price.unit_price.value.currency,
                    *first,
                    expected,
                ));
            }
            Some(_) => {}
            None => *currency = Some((price.unit_price.value.currency, price.unit_price.span)),
        }
        if let Some(first) = earlier
            .iter()
            .find(|entry| entry.item == item && entry.from == from)
        {
            let tier = if from.is_zero() {
                "base price".to_string()
            } else {
                format!("price from {}", format_quantity(from))
            };
            self.diagnostics.push(
                Diagnostic::new(
                    Code::DuplicatePrice,
                    format!("`{}` has its {tier} set twice", price.item.value),
                    span,
                    "set again here",
                )
                .with_related(first.span, "first set here")
                .with_help("keep one price per item and tier; a volume tier reads `price ITEM from 10 UNIT MONEY per UNIT`"),
            );
            return None;
        }
        Some(PriceEntry {
            item,
            from,
            unit_price: price.unit_price.value,
            span,
        })
    }

    fn item_of(&mut self, name: &Name, solicitation: &Solicitation) -> Option<ItemId> {
        if let Some(index) = solicitation
            .items
            .iter()
            .position(|item| item.name.value == name.value)
        {
            return Some(ItemId(index));
        }
        let names: Vec<&str> = solicitation
            .items
            .iter()
            .map(|item| item.name.value.as_str())
            .collect();
        let diagnostic = Diagnostic::new(
            Code::UndefinedName,
            format!(
                "solicitation `{}` has no item `{}`",
                solicitation.header.name.value, name.value
            ),
            name.span,
            "not an item of the awarded solicitation",
        )
        .with_related(
            solicitation.header.name.span,
            "the solicitation's items are declared here",
        );
        self.diagnostics
            .push(match super::suggest(&name.value, names.iter().copied()) {
                Some(candidate) => diagnostic.with_suggestion(Some(candidate)),
                None => diagnostic.with_help(format!("its items are: {}", names.join(", "))),
            });
        None
    }

    fn volume_in_currency(
        &mut self,
        volume: &Spanned<Volume>,
        currency: &(crate::values::Currency, Span),
        what: &str,
    ) {
        if let Volume::Money(money) = &volume.value
            && money.currency != currency.0
        {
            self.diagnostics.push(currency_mismatch(
                format!(
                    "{what} is in {} but the contract prices in {}",
                    money.currency, currency.0
                ),
                volume.span,
                &money.currency,
                currency.1,
                &currency.0,
            ));
        }
    }

    fn piggyback(
        &mut self,
        clause: &ast::Piggyback,
        span: Span,
        contract: &Name,
        solicitation: Option<&Solicitation>,
        currency: &Option<(crate::values::Currency, Span)>,
    ) -> Option<PiggybackClause> {
        let terms = match clause {
            ast::Piggyback::Closed => return None,
            ast::Piggyback::Open(terms) => terms,
        };
        let fields = Fields {
            block: &Block::<()> {
                name: contract.clone(),
                title: None,
                fields: Vec::new(),
                facts: Vec::new(),
                span,
            },
            keyword: "the piggyback clause of",
        };
        let mut eligibility = None;
        let mut required = None;
        let mut admin_fee = None;
        let mut ceiling = None;
        for term in terms {
            match &term.value {
                ast::PiggybackTerm::OpenTo(condition) => {
                    let value =
                        super::rules::eligibility(&self.namespace, self.diagnostics, condition);
                    fields.once(
                        &mut eligibility,
                        value,
                        term.span,
                        "open_to",
                        self.diagnostics,
                    );
                }
                ast::PiggybackTerm::Requires(name) => {
                    let kind = self
                        .instrument_kind(name)
                        .map(|kind| Spanned::new(kind, name.span));
                    fields.once(&mut required, kind, term.span, "requires", self.diagnostics);
                }
                ast::PiggybackTerm::AdminFee(rate) => {
                    self.percentage(rate);
                    fields.once(
                        &mut admin_fee,
                        rate.value,
                        term.span,
                        "admin_fee",
                        self.diagnostics,
                    );
                }
                ast::PiggybackTerm::Ceiling(amount) => {
                    // Without the awarded solicitation, a ceiling's unit cannot be checked.
                    let Some(solicitation) = solicitation else {
                        continue;
                    };
                    let volume = self.volume(
                        amount,
                        &solicitation.items,
                        &solicitation.header.name,
                        "ceiling",
                    );
                    if let (Some(volume), Some(currency)) = (&volume, currency) {
                        self.volume_in_currency(volume, currency, "the ceiling");
                    }
                    fields.once(&mut ceiling, volume, term.span, "ceiling", self.diagnostics);
                }
            }
        }
        Some(PiggybackClause {
            eligibility: eligibility.and_then(|(value, _)| value),
            required_instrument: required.and_then(|(value, _)| value),
            admin_fee: admin_fee.map(|(rate, _)| rate),
            ceiling: ceiling.and_then(|(value, _)| value),
            span,
        })
    }

    fn percentage(&mut self, rate: &Spanned<Decimal>) {
        if rate.value < Decimal::ZERO || rate.value > Decimal::ONE_HUNDRED {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::OutOfRange,
                    "a fee must be between 0% and 100%",
                    rate.span,
                    "outside 0% to 100%",
                )
                .with_help("write the fee as a percentage of the order's value, e.g. `0.25%`"),
            );
        }
    }

    fn instrument_kind(&mut self, name: &Name) -> Option<InstrumentKind> {
        let kind = InstrumentKind::from_name(&name.value);
        if kind.is_none() {
            let allowed: Vec<&str> = InstrumentKind::ALL
                .iter()
                .map(|kind| kind.as_str())
                .collect();
            self.diagnostics
                .push(unknown_value(name, "an access instrument kind", &allowed));
        }
        kind
    }

    fn access(&mut self, block: &Block<ast::AccessField>) -> Option<AccessInstrument> {
        let fields = Fields {
            block,
            keyword: "access",
        };
        let mut kind = None;
        let mut agency = None;
        let mut counterparty = None;
        let mut covers = Vec::new();
        let mut covers_complete = true;
        let mut signed = None;
        let mut posted = None;
        let mut approved = None;
        let mut effective = None;
        let mut expires = None;
        let mut fees = Vec::new();
        let mut fees_complete = true;
        let mut clauses: Vec<Clause> = Vec::new();
        for field in &block.fields {
            let span = field.span;
            match &field.value {
                ast::AccessField::Kind(name) => {
                    let value = self.instrument_kind(name);
                    fields.once(&mut kind, value, span, "kind", self.diagnostics);
                }
                ast::AccessField::Agency(name) => {
                    let value =
                        self.namespace
                            .resolve(name, Entity::Agency, "`agency`", self.diagnostics);
                    fields.once(
                        &mut agency,
                        value.map(AgencyId),
                        span,
                        "agency",
                        self.diagnostics,
                    );
                }
                ast::AccessField::With(name) => {
                    let value =
                        self.namespace
                            .resolve(name, Entity::Agency, "`with`", self.diagnostics);
                    fields.once(
                        &mut counterparty,
                        value.map(AgencyId),
                        span,
                        "with",
                        self.diagnostics,
                    );
                }
                ast::AccessField::Covers(names) => {
                    for name in names {
                        match self.namespace.resolve(
                            name,
                            Entity::Contract,
                            "`covers`",
                            self.diagnostics,
                        ) {
                            Some(index) => covers.push(ContractId(index)),
                            None => covers_complete = false,
                        }
                    }
                }
                ast::AccessField::Signed(date) => {
                    fields.once(&mut signed, *date, span, "signed", self.diagnostics)
                }
                ast::AccessField::Posted(date) => {
                    fields.once(&mut posted, *date, span, "posted", self.diagnostics)
                }
                ast::AccessField::Approved(date) => {
                    fields.once(&mut approved, *date, span, "approved", self.diagnostics)
                }
                ast::AccessField::Effective(date) => {
                    fields.once(&mut effective, *date, span, "effective", self.diagnostics)
                }
                ast::AccessField::Expires(date) => {
                    fields.once(&mut expires, *date, span, "expires", self.diagnostics)
                }
                ast::AccessField::Fee { rate, payee } => {
                    self.percentage(rate);
                    let payee = match payee {
                        Some(name) => match self.namespace.resolve(
                            name,
                            Entity::Agency,
                            "a fee's payee",
                            self.diagnostics,
                        ) {
                            Some(index) => Some(AgencyId(index)),
                            None => {
                                fees_complete = false;
                                None
                            }
                        },
                        None => None,
                    };
                    fees.push(Fee {
                        rate: rate.value,
                        payee,
                    });
                }
                ast::AccessField::Clause(clause) => {
                    if let Some(first) = clauses
                        .iter()
                        .find(|existing| existing.name.value == clause.name.value)
                    {
                        self.diagnostics
                            .push(duplicate_clause(&clause.name, first.name.span));
                    } else {
                        clauses.push(Clause {
                            name: clause.name.clone(),
                            text: clause.text.as_ref().map(|text| text.value.clone()),
                        });
                    }
                }
            }
        }
        if let (Some((expires, _)), Some((signed, _))) = (&expires, &signed)
            && expires.value < signed.value
        {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::TermEndsBeforeStart,
                    format!(
                        "access instrument `{}` expires on {} before it is signed on {}",
                        block.name.value, expires.value, signed.value
                    ),
                    expires.span,
                    "expires here",
                )
                .with_related(signed.span, "signed here")
                .with_help("correct the expiry or the signing date"),
            );
        }
        let kind = fields.require(kind, "kind", "kind interlocal_agreement", self.diagnostics);
        let agency = fields.require(agency, "agency", "agency everett", self.diagnostics);
        let counterparty = fields.require(
            counterparty,
            "with",
            "with snohomish_county",
            self.diagnostics,
        );
        if !covers_complete || !fees_complete {
            return None;
        }
        Some(AccessInstrument {
            header: header(block),
            kind: kind??,
            agency: agency??,
            counterparty: counterparty??,
            covers,
            signed: signed.map(|(date, _)| date),
            posted: posted.map(|(date, _)| date),
            approved: approved.map(|(date, _)| date),
            effective: effective.map(|(date, _)| date),
            expires: expires.map(|(date, _)| date),
            fees,
            clauses,
        })
    }

    fn order(
        &mut self,
        block: &Block<ast::OrderField>,
        solicitations: &[Option<Solicitation>],
        contracts: &[Option<Contract>],
    ) -> Option<Order> {
        let fields = Fields {
            block,
            keyword: "order",
        };
        let mut buyer = None;
        let mut contract = None;
        let mut date = None;
        let mut via = None;
        let mut lines = Vec::new();
        let mut requests = Vec::new();
        for field in &block.fields {
            let span = field.span;
            match &field.value {
                ast::OrderField::Buyer(name) => {
                    let value =
                        self.namespace
                            .resolve(name, Entity::Agency, "`buyer`", self.diagnostics);
                    fields.once(
                        &mut buyer,
                        value.map(|index| Spanned::new(AgencyId(index), name.span)),
                        span,
                        "buyer",
                        self.diagnostics,
                    );
                }
                ast::OrderField::Contract(name) => {
                    let value = self.namespace.resolve(
                        name,
                        Entity::Contract,
                        "`contract`",
                        self.diagnostics,
                    );
                    fields.once(
                        &mut contract,
                        value.map(|index| Spanned::new(ContractId(index), name.span)),
                        span,
                        "contract",
                        self.diagnostics,
                    );
                }
                ast::OrderField::Date(value) => {
                    fields.once(&mut date, *value, span, "date", self.diagnostics)
                }
                ast::OrderField::Via(name) => {
                    let value =
                        self.namespace
                            .resolve(name, Entity::Access, "`via`", self.diagnostics);
                    fields.once(
                        &mut via,
                        value.map(|index| Spanned::new(InstrumentId(index), name.span)),
                        span,
                        "via",
                        self.diagnostics,
                    );
                }
                ast::OrderField::Line(line) => lines.push((line, span)),
                ast::OrderField::Requests(names) => requests.extend(names.iter().cloned()),
            }
        }
        if lines.is_empty() {
            self.diagnostics
                .push(fields.missing("line", "line dump_truck 3 truck at USD 198,500.00"));
        }
        let buyer = fields
            .require(buyer, "buyer", "buyer everett", self.diagnostics)
            .flatten();
        let contract_reference = fields
            .require(contract, "contract", "contract sc_24_07", self.diagnostics)
            .flatten();
        let date = fields.require(date, "date", "date 2025-06-15", self.diagnostics);
        let via = match via {
            Some((Some(via), _)) => Some(via),
            Some((None, _)) => return None,
            None => None,
        };
        let checked_contract =
            contract_reference.and_then(|reference| contracts[reference.value.0].as_ref());
        let solicitation =
            checked_contract.and_then(|contract| solicitations[contract.solicitation.0].as_ref());
        let mut checked_lines = Vec::new();
        if let (Some(contract), Some(solicitation)) = (checked_contract, solicitation) {
            for (line, span) in &lines {
                if let Some(line) = self.line(line, *span, contract, solicitation, solicitations) {
                    checked_lines.push(line);
                }
            }
            if let Some(date) = &date
                && date.value < contract.awarded
            {
                let diagnostic = Diagnostic::new(
                        Code::OrderBeforeAward,
                        if contract.award_date_stated {
                            format!(
                                "order `{}` is dated {} before contract `{}` was awarded on {}",
                                block.name.value, date.value, contract.header.name.value, contract.awarded
                            )
                        } else {
                            format!(
                                "order `{}` is dated {} before contract `{}` starts on {} (it states no award date)",
                                block.name.value, date.value, contract.header.name.value, contract.awarded
                            )
                        },
                        date.span,
                        "before the award",
                    )
                    .with_related(contract.header.name.span, "the contract")
                    .with_help("an order can only be placed under an awarded contract; check the order's date and the contract it names");
                self.diagnostics.push(diagnostic);
            }
        }
        if checked_lines.len() != lines.len() || lines.is_empty() {
            return None;
        }
        Some(Order {
            header: header(block),
            buyer: buyer?,
            contract: contract_reference?,
            date: date?,
            via,
            lines: checked_lines,
            requests,
        })
    }

    fn line(
        &mut self,
        line: &ast::Line,
        span: Span,
        contract: &Contract,
        solicitation: &Solicitation,
        solicitations: &[Option<Solicitation>],
    ) -> Option<OrderLine> {
        let item = match solicitation
            .items
            .iter()
            .position(|item| item.name.value == line.item.value)
        {
            Some(index) => LineItem::InScope(ItemId(index)),
            None => {
                let declared_elsewhere = solicitations
                    .iter()
                    .flatten()
                    .flat_map(|other| other.items.iter())
                    .find(|item| item.name.value == line.item.value);
                match declared_elsewhere {
                    Some(other) => {
                        if let Some(unit) = &line.unit
                            && unit.value != other.unit
                            && unit.value != other.name.value
                        {
                            self.diagnostics
                                .push(unit_mismatch(unit, &other.unit, &other.name));
                        }
                        LineItem::OutOfScope(line.item.clone())
                    }
                    None => {
                        self.item_of(&line.item, solicitation)?;
                        return None;
                    }
                }
            }
        };
        if let LineItem::InScope(item) = item {
            let declared = solicitation.item(item);
            if let Some(unit) = &line.unit
                && unit.value != declared.unit
                && unit.value != declared.name.value
            {
                self.diagnostics
                    .push(unit_mismatch(unit, &declared.unit, &declared.name));
            }
        }
        if line.quantity.value <= Decimal::ZERO {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::OutOfRange,
                    "an order line must order a positive quantity",
                    line.quantity.span,
                    "not positive",
                )
                .with_help("order at least one unit, or remove the line"),
            );
        }
        self.known_currency(&line.unit_price);
        self.amount_not_negative(line.unit_price.value.amount, line.unit_price.span, "price");
        let value = line
            .quantity
            .value
            .checked_mul(line.unit_price.value.amount);
        if value.is_none_or(|value| value.abs() > Decimal::from(LARGEST_AMOUNT)) {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::OutOfRange,
                    "this line is worth more than a quadrillion",
                    span,
                    "quantity times unit price is too large",
                )
                .with_help("an order line may be worth at most 1,000,000,000,000,000; check the quantity and the price"),
            );
        }
        if let Some(currency) = &contract.currency
            && line.unit_price.value.currency != *currency
        {
            let first_price = contract
                .prices
                .first()
                .map_or(contract.header.name.span, |price| price.span);
            self.diagnostics.push(currency_mismatch(
                format!(
                    "this line is priced in {} but contract `{}` is in {currency}",
                    line.unit_price.value.currency, contract.header.name.value
                ),
                line.unit_price.span,
                &line.unit_price.value.currency,
                first_price,
                currency,
            ));
        }
        Some(OrderLine {
            item,
            quantity: line.quantity.value,
            unit_price: line.unit_price.value,
            span,
        })
    }
}

/// The last date reports can write as YYYY-MM-DD.
fn last_calendar_day() -> Date {
    Date::from_ymd_opt(9999, 12, 31).unwrap_or(Date::MAX)
}

fn stated(slot: Option<(bool, Span)>) -> Stated {
    match slot {
        Some((stated, span)) => Stated {
            stated,
            span: Some(span),
        },
        None => Stated {
            stated: false,
            span: None,
        },
    }
}

fn kind_names() -> Vec<&'static str> {
    AgencyKind::ALL.iter().map(|kind| kind.as_str()).collect()
}

fn currency_mismatch(
    message: String,
    span: Span,
    found: &str,
    expected_span: Span,
    expected: &str,
) -> Diagnostic {
    Diagnostic::new(Code::CurrencyMismatch, message, span, format!("in {found}"))
        .with_related(expected_span, format!("in {expected}"))
        .with_help(format!(
            "write this amount in {expected}; Coop never converts currencies"
        ))
}

fn unit_mismatch(found: &Name, unit: &str, item: &Name) -> Diagnostic {
    Diagnostic::new(
        Code::UnitMismatch,
        format!(
            "`{}` is counted per {unit}, not per {}",
            item.value, found.value
        ),
        found.span,
        format!("expected `{unit}`"),
    )
    .with_related(item.span, format!("`{}` is sold per {unit}", item.value))
    .with_help(format!("write the quantity in {unit}"))
}

fn duplicate_clause(name: &Name, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateName,
        format!("clause `{}` is given twice", name.value),
        name.span,
        "given again here",
    )
    .with_related(first, "first given here")
    .with_help("give each clause once; merge their texts")
}
