//! Checking rules: resolving every name in their expressions, typing every expression, setting
//! the parameters of rule packs, and warning about rules that can never apply or never fail.
//! A rule with a type error is reported here, with its span, and never reaches evaluation.

use std::collections::HashMap;

use super::names::{Namespace, OrderPlaces};
use super::problems::RuleProblem;
use super::vocabulary::Vocabulary;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::interpret::{fold, fold_literals};
use crate::model::rules::*;
use crate::source::{FileId, Span, Spanned};
use crate::syntax::ast::{self, BinaryOperator, ExpressionKind as Written};

/// A file used as a rule pack, by `use rules NAME` or `use rules "path.coop"`, with the parameter
/// values that use sets.
#[derive(Clone, Debug)]
pub struct PackUse {
    /// The pack's file.
    pub pack: FileId,
    /// `us-wa` for a shipped pack; the file's name without `.coop` for a local one.
    pub name: String,
    pub settings: Vec<ast::ParameterSetting>,
    /// `use rules NAME as warnings`
    pub as_warnings: bool,
    /// The `use rules` declaration.
    pub span: Span,
}

/// What every rule of a pack file shares: the pack's name, whether it is used only as warnings,
/// and when the whole pack is in force.
#[derive(Clone, Debug)]
struct PackOf {
    name: String,
    as_warnings: bool,
    in_force: Option<InForce>,
}

/// A distance written with its unit spelled out (`75 miles`), as the language writes it (`75 mi`).
fn distance_meant(value: &ast::Expression) -> Option<String> {
    let ast::ExpressionKind::Number {
        value,
        unit: Some(unit),
    } = &value.value
    else {
        return None;
    };
    let unit = match unit.value.to_lowercase().as_str() {
        "mile" | "miles" | "mis" => "mi",
        "kms" | "kilometre" | "kilometres" | "kilometer" | "kilometers" => "km",
        _ => return None,
    };
    Some(format!("{value} {unit}"))
}

/// What rules require of declarations as written, checked before the orders' syntax trees are
/// freed: a rule pack declares nothing, and each declaration records a fact of one name once.
pub(super) fn check_as_written(
    files: &[ast::File],
    packs: &[PackUse],
    diagnostics: &mut Diagnostics,
) {
    for file in files {
        if let (Some(used), Some(first)) = (
            packs.iter().find(|used| used.pack == file.file),
            file.declarations.first(),
        ) {
            let name = first.name();
            diagnostics.push(
                Diagnostic::of(
                    RuleProblem::PackDeclares {
                        pack: &used.name,
                        kind: first.entity(),
                        name: &name.value,
                    },
                    name.span,
                )
                .with_related(used.span, "used as a rule pack here"),
            );
        }
        for declaration in &file.declarations {
            let facts = declaration.facts();
            for (index, fact) in facts.iter().enumerate() {
                if let Some(first) = facts[..index]
                    .iter()
                    .find(|earlier| earlier.name.value == fact.name.value)
                {
                    diagnostics.push(
                        Diagnostic::of(
                            RuleProblem::DuplicateFact {
                                fact: &fact.name.value,
                            },
                            fact.span,
                        )
                        .with_related(first.span, "first recorded here"),
                    );
                }
            }
        }
    }
}

/// Checks every rule of the model's files; returns the rules that passed, sorted by id.
pub(super) fn check(
    files: &[ast::File],
    packs: &[PackUse],
    namespace: &Namespace,
    order_places: &OrderPlaces<'_>,
    vocabulary: &Vocabulary,
    diagnostics: &mut Diagnostics,
) -> Vec<Rule> {
    let pack_names: HashMap<FileId, String> = packs
        .iter()
        .map(|used| (used.pack, used.name.clone()))
        .collect();
    let mut checker = RuleChecker {
        namespace,
        order_places: Some(order_places),
        vocabulary,
        diagnostics,
        parameters: HashMap::new(),
        aggregates: 0,
        pack_names: pack_names.clone(),
        implicit_agency: false,
        in_list: false,
    };
    for file in files {
        if let Some(used) = packs.iter().find(|used| used.pack == file.file) {
            checker.pack_shape(file, used);
        }
        checker.parameters_of(file, packs);
    }
    let mut checked: Vec<(Rule, Vec<NamedSetAside>)> = Vec::new();
    // Each id, with the periods of force of its versions so far (`None`: no period stated).
    let mut ids: HashMap<String, Vec<(Span, Option<InForce>)>> = HashMap::new();
    for file in files {
        let pack = pack_names.get(&file.file).map(|name| PackOf {
            name: name.clone(),
            // A pack is used as warnings only when every use of it says so.
            as_warnings: packs
                .iter()
                .filter(|used| used.pack == file.file)
                .all(|used| used.as_warnings),
            in_force: file.pack_in_force.map(|in_force| in_force.value),
        });
        for rule in &file.rules {
            let stated = stated_in_force(rule).or(file.pack_in_force.map(|period| period.value));
            let versions = ids.entry(rule.name.value.to_string()).or_default();
            if let Some((first, _)) = versions.first() {
                let overlapping = match stated {
                    Some(period) if versions.iter().all(|(_, earlier)| earlier.is_some()) => {
                        versions.iter().find_map(|(span, earlier)| {
                            earlier
                                .filter(|earlier| earlier.within(period).is_some())
                                .map(|earlier| (*span, earlier))
                        })
                    }
                    _ => {
                        checker.diagnostics.push(
                            Diagnostic::of(
                                RuleProblem::DuplicateRule {
                                    rule: &rule.name.value,
                                },
                                rule.name.span,
                            )
                            .with_related(*first, "first declared here"),
                        );
                        continue;
                    }
                };
                if let (Some((span, earlier)), Some(period)) = (overlapping, stated) {
                    checker.diagnostics.push(
                        Diagnostic::of(
                            RuleProblem::VersionsOverlap {
                                rule: &rule.name.value,
                                first: earlier,
                                second: period,
                            },
                            rule.name.span,
                        )
                        .with_related(span, "the other version"),
                    );
                    continue;
                }
            }
            versions.push((rule.name.span, stated));
            if let Some(checked_rule) = checker.rule(file.file, rule, pack.as_ref()) {
                checked.push(checked_rule);
            }
        }
    }
    // By id, and the versions of one rule in the order they came into force.
    checked.sort_by(|(left, _), (right, _)| {
        (&left.id.value, left.in_force.from).cmp(&(&right.id.value, right.in_force.from))
    });
    let (mut rules, named): (Vec<Rule>, Vec<Vec<NamedSetAside>>) = checked.into_iter().unzip();
    checker.sets_aside(&mut rules, named);
    rules
}

/// The period of force a rule states, if it does.
fn stated_in_force(rule: &ast::Rule) -> Option<InForce> {
    rule.fields.iter().find_map(|field| match &field.value {
        ast::RuleField::InForce(in_force) => Some(in_force.value),
        _ => None,
    })
}

struct RuleChecker<'c> {
    namespace: &'c Namespace,
    /// Where the orders a rule may name are judged; `None` in a condition on an agency (`open_to`,
    /// `buyers where`), decided before any order is.
    order_places: Option<&'c OrderPlaces<'c>>,
    /// The kinds and roles the model adds, and the jurisdiction groups.
    vocabulary: &'c Vocabulary,
    diagnostics: &'c mut Diagnostics,
    /// Each file's parameters, with the values their packs' uses set.
    parameters: HashMap<(FileId, String), (Value, Type)>,
    /// Aggregates given a running-total index so far, for their ids.
    aggregates: usize,
    /// The files used as rule packs, with the packs' names.
    pack_names: HashMap<FileId, String>,
    /// In an `open_to`, the agency's fields are written bare: `kind`, `jurisdiction`.
    implicit_agency: bool,
    /// Whether the expression being typed is a candidate of `x in [...]`, where a jurisdiction
    /// group may stand.
    in_list: bool,
}

/// Types a condition on an agency (a piggyback clause's or an access instrument's `open_to`, a
/// framework's `buyers where`), whose fields and entries are written bare (`kind in [city]`,
/// `member_of sourcewell`), read by the same interpreter as every rule.
pub(super) fn eligibility(
    namespace: &Namespace,
    vocabulary: &Vocabulary,
    diagnostics: &mut Diagnostics,
    written: &ast::Expression,
) -> Option<Expression> {
    let mut checker = RuleChecker {
        namespace,
        order_places: None,
        vocabulary,
        diagnostics,
        parameters: HashMap::new(),
        aggregates: 0,
        pack_names: HashMap::new(),
        implicit_agency: true,
        in_list: false,
    };
    // The agency is the variable with no name, which no written name can be.
    let variables: Variables = vec![(String::new(), Entity::Agency)];
    checker.condition(written.span.file, written, &variables)
}

/// A rule a rule sets aside, as written: its id, and for a waiver the reason.
type NamedSetAside = (ast::Name, Option<String>);

/// The variables in scope: the rule's, then each enclosing aggregate's, innermost last.
type Variables = Vec<(String, Entity)>;

/// What an expression is written for, when that decides how a bare name reads: in
/// `o.buyer.kind == city`, `city` is an agency kind.
type Expected<'t> = Option<&'t Type>;

impl RuleChecker<'_> {
    /// A pack states its title and stands alone: it names no other file, so that using it
    /// cannot add declarations to a model.
    fn pack_shape(&mut self, file: &ast::File, used: &PackUse) {
        if file.pack.is_none() {
            self.diagnostics.push(Diagnostic::of(
                RuleProblem::PackWithoutTitle { pack: &used.name },
                used.span,
            ));
        }
        let named = file
            .uses
            .iter()
            .map(|named| named.span)
            .chain(file.rule_packs.iter().map(|named| named.span))
            .chain(file.ledgers.iter().map(|named| named.span));
        for span in named {
            self.diagnostics.push(
                Diagnostic::of(RuleProblem::PackNamesFile { pack: &used.name }, span)
                    .with_related(used.span, "used as a rule pack here"),
            );
        }
    }

    /// Types a file's parameters and applies the settings of every `use rules` of the file.
    fn parameters_of(&mut self, file: &ast::File, packs: &[PackUse]) {
        let mut declared: HashMap<&str, Span> = HashMap::new();
        for parameter in &file.parameters {
            if let Some(first) = declared.insert(&parameter.name.value, parameter.name.span) {
                self.diagnostics.push(
                    Diagnostic::of(
                        RuleProblem::DuplicateParameter {
                            parameter: &parameter.name.value,
                        },
                        parameter.name.span,
                    )
                    .with_related(first, "first declared here"),
                );
                continue;
            }
            if let Some(constant) = self.constant(file.file, &parameter.value, "a parameter") {
                self.parameters
                    .insert((file.file, parameter.name.value.to_string()), constant);
            }
        }
        let mut set: HashMap<String, Span> = HashMap::new();
        for used in packs.iter().filter(|used| used.pack == file.file) {
            for setting in &used.settings {
                let key = (file.file, setting.name.value.to_string());
                let Some((_, declared_type)) = self.parameters.get(&key).cloned() else {
                    let names: Vec<&str> = file
                        .parameters
                        .iter()
                        .map(|parameter| parameter.name.value.as_str())
                        .collect();
                    self.diagnostics.push(Diagnostic::of(
                        RuleProblem::UnknownParameter {
                            pack: &used.name,
                            parameter: &setting.name.value,
                            parameters: &names,
                        },
                        setting.name.span,
                    ));
                    continue;
                };
                if let Some(first) = set.insert(setting.name.value.to_string(), setting.name.span) {
                    self.diagnostics.push(
                        Diagnostic::of(
                            RuleProblem::ParameterSetTwice {
                                pack: &used.name,
                                parameter: &setting.name.value,
                            },
                            setting.name.span,
                        )
                        .with_related(first, "first set here"),
                    );
                    continue;
                }
                // The setting is written in the using file, so its names are that file's.
                let Some((value, setting_type)) = self.constant(
                    setting.value.span.file,
                    &setting.value,
                    "a parameter setting",
                ) else {
                    continue;
                };
                if !comparable(&declared_type, &setting_type)
                    || units_differ(&declared_type, &setting_type).is_some()
                {
                    self.diagnostics.push(Diagnostic::of(
                        RuleProblem::ParameterType {
                            parameter: &setting.name.value,
                            declared: &declared_type,
                            set: &setting_type,
                            meant: (declared_type == Type::Distance)
                                .then(|| distance_meant(&setting.value))
                                .flatten(),
                        },
                        setting.value.span,
                    ));
                    continue;
                }
                self.parameters.insert(key, (value, declared_type));
            }
        }
    }

    /// A value computed from literals alone, with its type.
    fn constant(
        &mut self,
        file: FileId,
        written: &ast::Expression,
        what: &str,
    ) -> Option<(Value, Type)> {
        let typed = self.expression(file, written, &Vec::new(), None)?;
        match fold(&typed) {
            Some(value) => Some((value, typed.ty)),
            None => {
                self.diagnostics.push(Diagnostic::of(
                    RuleProblem::NotAConstant { what },
                    written.span,
                ));
                None
            }
        }
    }

    /// A checked rule, with the rules it sets aside by name (resolved once every rule is known).
    fn rule(
        &mut self,
        file: FileId,
        written: &ast::Rule,
        pack: Option<&PackOf>,
    ) -> Option<(Rule, Vec<NamedSetAside>)> {
        let mut citation = None;
        let mut in_force: Option<Spanned<InForce>> = None;
        let mut scope = None;
        let mut outcomes = Vec::new();
        let mut permits = Vec::new();
        let mut set_aside = Vec::new();
        for field in &written.fields {
            match &field.value {
                ast::RuleField::Cite(text) => {
                    if citation.is_some() {
                        self.diagnostics
                            .push(duplicate_field("cite", &written.name, field.span));
                    }
                    citation = Some(text.value.clone());
                }
                // What the rule quotes is for its readers (`coop rules`), not its checking.
                ast::RuleField::Quote(_) | ast::RuleField::Unquoted(_) => {}
                ast::RuleField::InForce(period) => {
                    if in_force.is_some() {
                        self.diagnostics.push(duplicate_field(
                            "in_force",
                            &written.name,
                            field.span,
                        ));
                    }
                    in_force = Some(*period);
                }
                ast::RuleField::Scope {
                    kind,
                    variable,
                    filter,
                } => {
                    if scope.is_some() {
                        self.diagnostics
                            .push(duplicate_field("for", &written.name, field.span));
                        continue;
                    }
                    scope = Some((kind, variable, filter));
                }
                ast::RuleField::Replaces(rules) => {
                    set_aside.extend(rules.iter().map(|rule| (rule.clone(), None)));
                }
                ast::RuleField::Waives { rules, reason } => set_aside.extend(
                    rules
                        .iter()
                        .map(|rule| (rule.clone(), Some(reason.value.clone()))),
                ),
                ast::RuleField::Permit {
                    condition,
                    otherwise,
                } => permits.push((condition, otherwise, field.span)),
                _ => outcomes.push(field),
            }
        }
        let period = self.in_force(written, in_force, pack);
        let Some((kind, variable, filter)) = scope else {
            self.diagnostics.push(Diagnostic::of(
                RuleProblem::WithoutScope {
                    rule: &written.name.value,
                },
                written.name.span,
            ));
            return None;
        };
        if outcomes.is_empty() && permits.is_empty() && set_aside.is_empty() {
            self.diagnostics.push(Diagnostic::of(
                RuleProblem::WithoutOutcome {
                    rule: &written.name.value,
                },
                written.name.span,
            ));
            return None;
        }
        let variables: Variables = vec![(variable.value.to_string(), kind.value)];
        let mut failed = false;
        let filter = match filter {
            Some(filter) => match self.condition(file, filter, &variables) {
                Some(filter) => Some(filter),
                None => {
                    failed = true;
                    None
                }
            },
            None => None,
        };
        // Only literals count: a pack's switch left at `false` is a choice, not a mistake.
        if let Some(filter) = &filter
            && let Some(Value::Boolean(false)) = fold_literals(filter)
        {
            let always_false = filter
                .conjuncts()
                .into_iter()
                .find(|term| fold_literals(term) == Some(Value::Boolean(false)))
                .unwrap_or(filter);
            self.diagnostics.push(
                Diagnostic::of(
                    RuleProblem::NeverApplies {
                        rule: &written.name.value,
                    },
                    always_false.span,
                )
                .with_related(kind.span.to(variable.span), "the rule's scope"),
            );
        }
        let mut checked = Vec::new();
        for field in outcomes {
            match self.outcome(
                file,
                &written.name,
                kind.value,
                &field.value,
                field.span,
                &variables,
            ) {
                Some(outcome) => checked.push(outcome),
                None => failed = true,
            }
        }
        if !permits.is_empty() && kind.value != Entity::Order {
            self.diagnostics.push(Diagnostic::of(
                RuleProblem::PermitOutOfScope {
                    rule: &written.name.value,
                    scope: kind.value,
                },
                permits[0].2,
            ));
            failed = true;
        }
        let mut conditions = Vec::new();
        for (condition, otherwise, span) in &permits {
            let Some(condition) = condition else {
                continue;
            };
            let typed = self.condition(file, condition, &variables);
            let otherwise = match otherwise {
                Some(message) => self.message(file, message, &variables).map(Some),
                None => Some(None),
            };
            match (typed, otherwise) {
                (Some(condition), Some(otherwise)) => conditions.push(PermitCondition {
                    condition,
                    otherwise,
                    span: *span,
                }),
                _ => failed = true,
            }
        }
        let period = period?;
        if failed {
            return None;
        }
        let rule = Rule {
            id: written.name.to_owned_string(),
            title: written.title.as_ref().map(|title| title.value.clone()),
            citation,
            pack: pack.map(|pack| pack.name.clone()),
            in_force: period,
            as_warnings: pack.is_some_and(|pack| pack.as_warnings),
            scope: kind.value,
            filter,
            outcomes: checked,
            permits: (!permits.is_empty()).then_some(conditions),
            sets_aside: Vec::new(),
            span: written.span,
        };
        Some((rule, set_aside))
    }

    /// When a rule is in force: its own period within its pack's; `None`, reported, when that
    /// holds no day.
    fn in_force(
        &mut self,
        written: &ast::Rule,
        stated: Option<Spanned<InForce>>,
        pack: Option<&PackOf>,
    ) -> Option<InForce> {
        let own = stated.map_or(InForce::ALWAYS, |period| period.value);
        let span = stated.map_or(written.name.span, |period| period.span);
        let Some(own) = own.within(InForce::ALWAYS) else {
            self.diagnostics.push(Diagnostic::of(
                RuleProblem::InForceEmpty {
                    rule: &written.name.value,
                    period: own,
                    pack: None,
                },
                span,
            ));
            return None;
        };
        let pack_period = pack.and_then(|pack| pack.in_force);
        match own.within(pack_period.unwrap_or(InForce::ALWAYS)) {
            Some(period) => Some(period),
            None => {
                self.diagnostics.push(Diagnostic::of(
                    RuleProblem::InForceEmpty {
                        rule: &written.name.value,
                        period: own,
                        pack: pack_period,
                    },
                    span,
                ));
                None
            }
        }
    }

    /// Resolves the rules each rule replaces or waives, by id, once every rule is sorted: each
    /// must exist, be another rule, and range over the same things. A rule named sets aside
    /// every version of it.
    fn sets_aside(&mut self, rules: &mut [Rule], named: Vec<Vec<NamedSetAside>>) {
        let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
        for (position, rule) in rules.iter().enumerate() {
            index
                .entry(rule.id.value.as_str())
                .or_default()
                .push(position);
        }
        let mut resolved = Vec::new();
        for (setter, set_aside) in named.into_iter().enumerate() {
            let id = rules[setter].id.value.clone();
            for (name, waived_because) in set_aside {
                let waives = waived_because.is_some();
                let Some(targets) = index.get(name.value.as_str()) else {
                    self.diagnostics.push(Diagnostic::of(
                        RuleProblem::SetAsideUndefined {
                            rule: &id,
                            waives,
                            target: &name.value,
                            suggestion: super::suggest(&name.value, index.keys().copied()),
                        },
                        name.span,
                    ));
                    continue;
                };
                for &target in targets {
                    if target == setter || rules[target].scope != rules[setter].scope {
                        self.diagnostics.push(
                            Diagnostic::of(
                                RuleProblem::SetAsideWrongKind {
                                    rule: &id,
                                    waives,
                                    target: &name.value,
                                    scope: rules[setter].scope,
                                    target_scope: rules[target].scope,
                                },
                                name.span,
                            )
                            .with_related(rules[target].id.span, "that rule"),
                        );
                        continue;
                    }
                    resolved.push((
                        setter,
                        SetAside {
                            rule: target,
                            waived_because: waived_because.clone(),
                            span: name.span,
                        },
                    ));
                }
            }
        }
        for (setter, set_aside) in resolved {
            rules[setter].sets_aside.push(set_aside);
        }
    }

    fn outcome(
        &mut self,
        file: FileId,
        rule: &ast::Name,
        scope: Entity,
        field: &ast::RuleField,
        span: Span,
        variables: &Variables,
    ) -> Option<RuleOutcome> {
        match field {
            ast::RuleField::Require {
                condition,
                outcome,
                message,
                help,
            } => {
                if says_nothing(message) {
                    self.diagnostics.push(Diagnostic::of(
                        RuleProblem::EmptyMessage { rule: &rule.value },
                        message.span,
                    ));
                }
                let condition = self.condition(file, condition, variables);
                let message = self.message(file, message, variables);
                let help = match help {
                    Some(help) => Some(self.message(file, help, variables)?),
                    None => None,
                };
                let condition = condition?;
                if let Some(Value::Boolean(true)) = fold_literals(&condition) {
                    self.diagnostics.push(Diagnostic::of(
                        RuleProblem::AlwaysTrue { rule: &rule.value },
                        condition.span,
                    ));
                }
                Some(RuleOutcome::Require {
                    condition,
                    outcome: outcome.value,
                    message: message?,
                    help,
                    span,
                })
            }
            ast::RuleField::Oblige { party, duty } => {
                let party = self.party(file, party, variables);
                let duty = self.duty(file, scope, duty, span, variables);
                Some(RuleOutcome::Oblige {
                    party: party?,
                    duty: Box::new(duty?),
                    span,
                })
            }
            ast::RuleField::Responsible { extent, what } => {
                if scope != Entity::Binding {
                    self.diagnostics.push(binding_only(
                        rule,
                        scope,
                        "says who is responsible",
                        span,
                    ));
                    return None;
                }
                if says_nothing(what) {
                    self.diagnostics.push(Diagnostic::of(
                        RuleProblem::EmptyResponsibility {
                            rule: &rule.value,
                            extent: extent.value,
                        },
                        what.span,
                    ));
                }
                Some(RuleOutcome::Responsible {
                    extent: extent.value,
                    what: self.message(file, what, variables)?,
                    span,
                })
            }
            ast::RuleField::Precedence(prevailing) => {
                if scope != Entity::Binding {
                    self.diagnostics
                        .push(binding_only(rule, scope, "orders precedence", span));
                    return None;
                }
                Some(RuleOutcome::Precedence {
                    prevailing: prevailing.value,
                    span,
                })
            }
            ast::RuleField::Cite(_)
            | ast::RuleField::Scope { .. }
            | ast::RuleField::Permit { .. }
            | ast::RuleField::Replaces(_)
            | ast::RuleField::Waives { .. }
            | ast::RuleField::Quote(_)
            | ast::RuleField::Unquoted(_)
            | ast::RuleField::InForce(_) => None,
        }
    }

    /// Who owes a duty: an agency, or a supplier named by a contract.
    fn party(
        &mut self,
        file: FileId,
        written: &ast::Expression,
        variables: &Variables,
    ) -> Option<Expression> {
        let party = self.expression(file, written, variables, None)?;
        match party.ty {
            Type::Entity(Entity::Agency) | Type::Text => Some(party),
            _ => {
                self.diagnostics
                    .push(self.mismatch(&party, "an agency, or a contract's `supplier`"));
                None
            }
        }
    }

    fn duty(
        &mut self,
        file: FileId,
        scope: Entity,
        duty: &ast::Duty,
        span: Span,
        variables: &Variables,
    ) -> Option<Duty> {
        match duty {
            ast::Duty::Pay { amount, to } => {
                let amount = self.expression(file, amount, variables, None);
                let to = self.agency(file, to, variables);
                let amount = amount?;
                if !matches!(amount.ty, Type::Money(_)) {
                    self.diagnostics
                        .push(self.mismatch(&amount, "money, such as `1% of o.value`"));
                    return None;
                }
                Some(Duty::Pay { amount, to: to? })
            }
            ast::Duty::Report { every, within, to } => {
                if scope != Entity::Contract {
                    self.diagnostics
                        .push(Diagnostic::of(RuleProblem::ReportOutOfScope, span));
                    return None;
                }
                let to = match to {
                    Some(to) => Some(self.agency(file, to, variables)?),
                    None => None,
                };
                Some(Duty::Report {
                    every: every.value,
                    within: within.value,
                    to,
                })
            }
            ast::Duty::Notify {
                whom,
                within,
                about,
            } => {
                if !matches!(scope, Entity::Order | Entity::Binding) {
                    self.diagnostics
                        .push(Diagnostic::of(RuleProblem::NoticeOutOfScope, span));
                    return None;
                }
                let whom = self.agency(file, whom, variables)?;
                Some(Duty::Notify {
                    whom,
                    within: within.value,
                    about: about.as_ref().map(|about| about.value.clone()),
                })
            }
        }
    }

    fn agency(
        &mut self,
        file: FileId,
        written: &ast::Expression,
        variables: &Variables,
    ) -> Option<Expression> {
        let agency = self.expression(file, written, variables, None)?;
        if agency.ty != Type::Entity(Entity::Agency) {
            self.diagnostics.push(self.mismatch(&agency, "an agency"));
            return None;
        }
        Some(agency)
    }

    fn message(
        &mut self,
        file: FileId,
        message: &ast::Message,
        variables: &Variables,
    ) -> Option<Vec<MessagePart>> {
        let mut parts = Vec::new();
        let mut failed = false;
        for part in &message.parts {
            match part {
                ast::MessagePart::Text(text) => parts.push(MessagePart::Text(text.clone())),
                ast::MessagePart::Value(value) => {
                    match self.expression(file, value, variables, None) {
                        Some(value) => parts.push(MessagePart::Value(value)),
                        None => failed = true,
                    }
                }
            }
        }
        (!failed).then_some(parts)
    }

    /// An expression that must be a condition.
    fn condition(
        &mut self,
        file: FileId,
        written: &ast::Expression,
        variables: &Variables,
    ) -> Option<Expression> {
        let condition = self.expression(file, written, variables, Some(&Type::Boolean))?;
        if condition.ty != Type::Boolean {
            self.diagnostics
                .push(self.mismatch(&condition, "a condition (true or false)"));
            return None;
        }
        Some(condition)
    }

    fn mismatch(&self, found: &Expression, expected: &str) -> Diagnostic {
        Diagnostic::of(
            RuleProblem::Mismatch {
                expected,
                found: &found.ty,
            },
            found.span,
        )
    }

    /// Types an expression; `None` once its error is reported.
    fn expression(
        &mut self,
        file: FileId,
        written: &ast::Expression,
        variables: &Variables,
        expected: Expected<'_>,
    ) -> Option<Expression> {
        let span = written.span;
        let typed = |kind, ty| Some(Expression { kind, ty, span });
        match &written.value {
            Written::Money(money) => typed(
                ExpressionKind::Constant(Value::Money(*money)),
                Type::Money(Some(money.currency)),
            ),
            Written::Date(date) => typed(ExpressionKind::Constant(Value::Date(*date)), Type::Date),
            Written::Percentage(rate) => typed(
                ExpressionKind::Constant(Value::Percentage(*rate)),
                Type::Percentage,
            ),
            Written::Duration(duration) => typed(
                ExpressionKind::Constant(Value::Duration(*duration)),
                Type::Duration,
            ),
            Written::Number { value, unit: None } => typed(
                ExpressionKind::Constant(Value::Number(*value)),
                Type::Number,
            ),
            Written::Number {
                value,
                unit: Some(unit),
            } => match unit.value.as_str() {
                "km" => typed(
                    ExpressionKind::Constant(Value::Distance(*value)),
                    Type::Distance,
                ),
                "mi" => typed(
                    ExpressionKind::Constant(Value::Distance(
                        value.saturating_mul(KILOMETRES_PER_MILE),
                    )),
                    Type::Distance,
                ),
                measure => typed(
                    ExpressionKind::Constant(Value::Quantity {
                        count: *value,
                        unit: measure.into(),
                    }),
                    Type::Quantity(Some(measure.to_string())),
                ),
            },
            Written::Boolean(value) => typed(
                ExpressionKind::Constant(Value::Boolean(*value)),
                Type::Boolean,
            ),
            Written::Text(text) => typed(
                ExpressionKind::Constant(Value::Text(text.as_str().into())),
                Type::Text,
            ),
            Written::Jurisdiction(code) => match self.vocabulary.group(code) {
                Some(group) => self.group(code, group, span),
                None => typed(
                    ExpressionKind::Constant(Value::Jurisdiction(code.as_str().into())),
                    Type::Jurisdiction,
                ),
            },
            Written::Path(names) => self.path(file, names, variables, expected),
            Written::Unary(operator, operand) => {
                let operand_type = match operator.value {
                    UnaryOperator::Not => Some(&Type::Boolean),
                    UnaryOperator::Negate => None,
                };
                let operand = self.expression(file, operand, variables, operand_type)?;
                let ty = match (operator.value, &operand.ty) {
                    (UnaryOperator::Not, Type::Boolean) => Type::Boolean,
                    (
                        UnaryOperator::Negate,
                        ty @ (Type::Number
                        | Type::Percentage
                        | Type::Money(_)
                        | Type::Quantity(_)
                        | Type::Distance),
                    ) => ty.clone(),
                    (UnaryOperator::Not, _) => {
                        self.diagnostics
                            .push(self.mismatch(&operand, "a condition after `not`"));
                        return None;
                    }
                    (UnaryOperator::Negate, _) => {
                        self.diagnostics
                            .push(self.mismatch(&operand, "a number or an amount after `-`"));
                        return None;
                    }
                };
                typed(ExpressionKind::Unary(operator.value, Box::new(operand)), ty)
            }
            Written::Binary(operator, left, right) => {
                self.binary(file, *operator, left, right, span, variables)
            }
            Written::In(element, candidates) => {
                let element = self.expression(file, element, variables, None)?;
                let mut checked = Vec::new();
                let mut failed = false;
                for candidate in candidates {
                    self.in_list = true;
                    let typed_candidate =
                        self.expression(file, candidate, variables, Some(&element.ty));
                    self.in_list = false;
                    match typed_candidate {
                        Some(candidate) if comparable(&element.ty, &candidate.ty) => {
                            checked.push(candidate)
                        }
                        Some(candidate) => {
                            self.diagnostics.push(
                                Diagnostic::of(
                                    RuleProblem::ListMismatch {
                                        element: &element.ty,
                                        candidate: &candidate.ty,
                                    },
                                    candidate.span,
                                )
                                .with_related(
                                    element.span,
                                    format!("this is {}", element.ty.describe()),
                                ),
                            );
                            failed = true;
                        }
                        None => failed = true,
                    }
                }
                if failed {
                    return None;
                }
                typed(
                    ExpressionKind::In(Box::new(element), checked),
                    Type::Boolean,
                )
            }
            Written::Exists(operand) => {
                let operand = self.expression(file, operand, variables, None)?;
                typed(ExpressionKind::Exists(Box::new(operand)), Type::Boolean)
            }
            Written::Call {
                function,
                arguments,
            } => {
                if function.value != "distance" {
                    self.diagnostics.push(Diagnostic::of(
                        RuleProblem::UnknownFunction {
                            function: &function.value,
                        },
                        function.span,
                    ));
                    return None;
                }
                let [from, to] = arguments.as_slice() else {
                    self.diagnostics.push(Diagnostic::of(
                        RuleProblem::DistanceArguments {
                            count: arguments.len(),
                        },
                        span,
                    ));
                    return None;
                };
                let from = self.place(file, from, variables);
                let to = self.place(file, to, variables);
                typed(
                    ExpressionKind::Distance(Box::new(from?), Box::new(to?)),
                    Type::Distance,
                )
            }
            Written::Aggregate {
                function,
                value,
                variable,
                collection,
                filter,
            } => {
                let (entity, owner) = match collection {
                    None => (Entity::Order, None),
                    Some((kind, owner)) => {
                        let owner = self.expression(file, owner, variables, None)?;
                        let expected = kind.value.collected_from();
                        if expected.map(Type::Entity) != Some(owner.ty.clone()) {
                            let whose = expected.map_or("", |entity| entity.article());
                            self.diagnostics.push(self.mismatch(
                                &owner,
                                &format!("{whose}, whose {}s to go through", kind.value.keyword()),
                            ));
                            return None;
                        }
                        (kind.value, Some(Box::new(owner)))
                    }
                };
                // Orders are summed with running totals, which cannot nest; a collection is
                // gone through in place, inside anything.
                if owner.is_none()
                    && variables
                        .iter()
                        .skip(1)
                        .any(|(_, entity)| *entity == Entity::Order)
                {
                    self.diagnostics
                        .push(Diagnostic::of(RuleProblem::NestedAggregate, span));
                    return None;
                }
                let mut inner = variables.clone();
                inner.push((variable.value.to_string(), entity));
                let depth = variables.len();
                let filter = match filter {
                    Some(filter) => Some(Box::new(self.condition(file, filter, &inner)?)),
                    None => None,
                };
                // `all` needs every member counted, which running totals of those admitted cannot
                // give; it and collections are gone through in place.
                let index = |checker: &mut Self, value: Option<&Expression>| match owner {
                    None if function.value != Aggregate::All => {
                        checker.index(filter.as_deref(), value, depth)
                    }
                    _ => None,
                };
                match (function.value, value) {
                    (Aggregate::Count | Aggregate::Any | Aggregate::All, _) => {
                        if matches!(function.value, Aggregate::Any | Aggregate::All)
                            && filter.is_none()
                        {
                            self.diagnostics.push(Diagnostic::of(
                                RuleProblem::AggregateWithoutCondition {
                                    function: function.value,
                                },
                                span,
                            ));
                            return None;
                        }
                        let ty = match function.value {
                            Aggregate::Count => Type::Number,
                            _ => Type::Boolean,
                        };
                        typed(
                            ExpressionKind::Aggregate {
                                function: function.value,
                                value: None,
                                members: entity,
                                index: index(self, None),
                                collection: owner,
                                filter,
                            },
                            ty,
                        )
                    }
                    (Aggregate::Sum, Some(value)) => {
                        let value = self.expression(file, value, &inner, None)?;
                        let ty = match &value.ty {
                            Type::Money(_) => Type::Money(None),
                            Type::Quantity(_) => Type::Quantity(None),
                            ty @ (Type::Number
                            | Type::Volume
                            | Type::Distance
                            | Type::Percentage) => ty.clone(),
                            _ => {
                                self.diagnostics.push(
                                    self.mismatch(&value, "an amount to add up, such as `p.value`"),
                                );
                                return None;
                            }
                        };
                        typed(
                            ExpressionKind::Aggregate {
                                function: Aggregate::Sum,
                                members: entity,
                                index: index(self, Some(&value)),
                                value: Some(Box::new(value)),
                                collection: owner,
                                filter,
                            },
                            ty,
                        )
                    }
                    (Aggregate::Sum, None) => None,
                }
            }
        }
    }

    /// The running-total form of an aggregate, when its filter is equalities between the summed
    /// order (the variable at `depth`) and the rule's variables, and conditions on the summed
    /// order alone; else `None`, and evaluation scans the orders.
    fn index(
        &mut self,
        filter: Option<&Expression>,
        value: Option<&Expression>,
        depth: usize,
    ) -> Option<AggregateIndex> {
        if value.is_some_and(|value| !reads_only(value, depth)) {
            return None;
        }
        let terms = filter.map_or_else(Vec::new, Expression::conjuncts);
        let mut keys = Vec::new();
        let mut residual = Vec::new();
        for term in terms {
            if reads_only(term, depth) {
                residual.push(term.clone());
                continue;
            }
            let ExpressionKind::Binary(Operator::Compare(Comparison::Equal), left, right) =
                &term.kind
            else {
                return None;
            };
            // A value of an open set may be several (an agency of two kinds), which `==`
            // matches by any of them: not a key of one value.
            let exact = match &left.ty {
                Type::Enumeration(enumeration) => !enumeration.is_open(),
                other => matches!(
                    other,
                    Type::Entity(_)
                        | Type::Text
                        | Type::Jurisdiction
                        | Type::Date
                        | Type::Boolean
                        | Type::Number
                ),
            };
            if !exact {
                return None;
            }
            if reads_only(left, depth) && !reads(right, depth) {
                keys.push(((**left).clone(), (**right).clone()));
            } else if reads_only(right, depth) && !reads(left, depth) {
                keys.push(((**right).clone(), (**left).clone()));
            } else {
                return None;
            }
        }
        let id = self.aggregates;
        self.aggregates += 1;
        Some(AggregateIndex { id, keys, residual })
    }

    /// An argument of `distance`: an agency, or a location.
    fn place(
        &mut self,
        file: FileId,
        written: &ast::Expression,
        variables: &Variables,
    ) -> Option<Expression> {
        let place = self.expression(file, written, variables, None)?;
        match place.ty {
            Type::Entity(Entity::Agency) | Type::Location => Some(place),
            _ => {
                self.diagnostics
                    .push(self.mismatch(&place, "an agency (with a `location`)"));
                None
            }
        }
    }

    fn binary(
        &mut self,
        file: FileId,
        operator: Spanned<BinaryOperator>,
        left: &ast::Expression,
        right: &ast::Expression,
        span: Span,
        variables: &Variables,
    ) -> Option<Expression> {
        let logical = matches!(operator.value, BinaryOperator::And | BinaryOperator::Or);
        let boolean = Type::Boolean;
        let left = self.expression(file, left, variables, logical.then_some(&boolean));
        let expected = left.as_ref().map(|left| left.ty.clone());
        let right = self.expression(
            file,
            right,
            variables,
            expected.as_ref().or(logical.then_some(&boolean)),
        )?;
        let left = left?;
        let (typed_operator, ty) = match operator.value {
            BinaryOperator::And | BinaryOperator::Or => {
                for operand in [&left, &right] {
                    if operand.ty != Type::Boolean {
                        self.diagnostics.push(self.mismatch(
                            operand,
                            &format!("a condition on each side of `{}`", operator.value.symbol()),
                        ));
                        return None;
                    }
                }
                let typed = if operator.value == BinaryOperator::And {
                    Operator::And
                } else {
                    Operator::Or
                };
                (typed, Type::Boolean)
            }
            BinaryOperator::Equal
            | BinaryOperator::NotEqual
            | BinaryOperator::Less
            | BinaryOperator::AtMost
            | BinaryOperator::Greater
            | BinaryOperator::AtLeast => {
                let comparison = match operator.value {
                    BinaryOperator::Equal => Comparison::Equal,
                    BinaryOperator::NotEqual => Comparison::NotEqual,
                    BinaryOperator::Less => Comparison::Less,
                    BinaryOperator::AtMost => Comparison::AtMost,
                    BinaryOperator::Greater => Comparison::Greater,
                    _ => Comparison::AtLeast,
                };
                if let Some(problem) = units_differ(&left.ty, &right.ty) {
                    self.diagnostics
                        .push(operands_differ(problem, operator, &left, &right));
                    return None;
                }
                if !comparable(&left.ty, &right.ty) {
                    let problem = RuleProblem::NotComparable {
                        left: &left.ty,
                        right: &right.ty,
                    };
                    self.diagnostics
                        .push(operands_differ(problem, operator, &left, &right));
                    return None;
                }
                let ordered = matches!(comparison, Comparison::Equal | Comparison::NotEqual)
                    || is_ordered(&left.ty);
                if !ordered {
                    self.diagnostics.push(
                        Diagnostic::of(RuleProblem::NoOrder { ty: &left.ty }, operator.span)
                            .with_related(left.span, format!("this is {}", left.ty.describe())),
                    );
                    return None;
                }
                (Operator::Compare(comparison), Type::Boolean)
            }
            arithmetic => {
                let typed = match arithmetic {
                    BinaryOperator::Add => Operator::Add,
                    BinaryOperator::Subtract => Operator::Subtract,
                    BinaryOperator::Multiply => Operator::Multiply,
                    BinaryOperator::Divide => Operator::Divide,
                    _ => Operator::PercentOf,
                };
                if let Some(problem) = units_differ(&left.ty, &right.ty) {
                    self.diagnostics
                        .push(operands_differ(problem, operator, &left, &right));
                    return None;
                }
                match arithmetic_type(typed, &left.ty, &right.ty) {
                    Some(ty) => (typed, ty),
                    None => {
                        let problem = RuleProblem::NoArithmetic {
                            operator: operator.value,
                            left: &left.ty,
                            right: &right.ty,
                        };
                        self.diagnostics
                            .push(operands_differ(problem, operator, &left, &right));
                        return None;
                    }
                }
            }
        };
        Some(Expression {
            kind: ExpressionKind::Binary(typed_operator, Box::new(left), Box::new(right)),
            ty,
            span,
        })
    }

    /// A name and the fields followed from it.
    fn path(
        &mut self,
        file: FileId,
        names: &[ast::Name],
        variables: &Variables,
        expected: Expected<'_>,
    ) -> Option<Expression> {
        let (first, fields) = names.split_first()?;
        let bare_field = self.implicit_agency
            && (Record::Entity(Entity::Agency).field(&first.value).is_some()
                || Entity::Agency
                    .entries()
                    .iter()
                    .any(|entries| entries.word() == first.value));
        let (mut current, fields) = if bare_field {
            let agency = Expression {
                kind: ExpressionKind::Variable(0),
                ty: Type::Entity(Entity::Agency),
                span: first.span,
            };
            (agency, names)
        } else {
            let root = self.root(file, first, fields.is_empty(), variables, expected)?;
            (root, fields)
        };
        let mut rest = fields.iter();
        while let Some(name) = rest.next() {
            let span = current.span.to(name.span);
            if Record::of(&current.ty).is_none() {
                self.diagnostics.push(Diagnostic::of(
                    RuleProblem::NoFields {
                        ty: &current.ty,
                        field: &name.value,
                    },
                    name.span,
                ));
                return None;
            }
            let entries = match current.ty {
                Type::Entity(entity) => entity
                    .entries()
                    .iter()
                    .copied()
                    .find(|entries| entries.word() == name.value),
                _ => None,
            };
            if let Some(entries) = entries {
                let Some(entry) = rest.next() else {
                    self.diagnostics.push(Diagnostic::of(
                        RuleProblem::EntryWithoutName { entries },
                        name.span,
                    ));
                    return None;
                };
                current = Expression {
                    kind: ExpressionKind::Named(
                        Box::new(current),
                        entries,
                        entry.value.to_string(),
                    ),
                    ty: Type::Fact,
                    span: span.to(entry.span),
                };
                continue;
            }
            let record = Record::of(&current.ty)?;
            match record.field(&name.value) {
                Some(spec) => {
                    current = Expression {
                        kind: ExpressionKind::Field(Box::new(current), spec.field),
                        ty: spec.ty.clone(),
                        span,
                    };
                }
                None => {
                    let mut candidates: Vec<&str> =
                        record.fields().iter().map(|spec| spec.name).collect();
                    if let Type::Entity(entity) = current.ty {
                        candidates.extend(entity.entries().iter().map(|entries| entries.word()));
                    }
                    self.diagnostics.push(Diagnostic::of(
                        RuleProblem::UnknownField {
                            ty: &current.ty,
                            field: &name.value,
                            candidates: &candidates,
                        },
                        name.span,
                    ));
                    return None;
                }
            }
        }
        Some(current)
    }

    /// The first name of a path: a variable, a parameter, a declaration, or (where a value of a
    /// closed set is expected) one of its values.
    fn root(
        &mut self,
        file: FileId,
        name: &ast::Name,
        alone: bool,
        variables: &Variables,
        expected: Expected<'_>,
    ) -> Option<Expression> {
        let span = name.span;
        if let Some(depth) = variables
            .iter()
            .rposition(|(variable, _)| *variable == name.value)
        {
            return Some(Expression {
                kind: ExpressionKind::Variable(depth),
                ty: Type::Entity(variables[depth].1),
                span,
            });
        }
        if alone && let Some(Type::Enumeration(enumeration)) = expected {
            if let Some(spelling) = self.vocabulary.value(*enumeration, &name.value) {
                return Some(Expression {
                    kind: ExpressionKind::Constant(Value::Enumeration(*enumeration, spelling)),
                    ty: Type::Enumeration(*enumeration),
                    span,
                });
            }
            let values = self.vocabulary.values(*enumeration);
            self.diagnostics.push(Diagnostic::of(
                RuleProblem::UnknownEnumerationValue {
                    value: &name.value,
                    enumeration: *enumeration,
                    values: &values,
                },
                span,
            ));
            return None;
        }
        if alone && let Some(group) = self.vocabulary.group(&name.value) {
            return self.group(&name.value, group, span);
        }
        if let Some((value, ty)) = self.parameters.get(&(file, name.value.to_string())) {
            return Some(Expression {
                kind: ExpressionKind::Parameter {
                    name: name.value.to_string(),
                    value: *value,
                },
                ty: ty.clone(),
                span,
            });
        }
        if let Some(declared) = self.namespace.lookup(&name.value) {
            let index = match (declared.kind, self.order_places) {
                (Entity::Order, Some(places)) => match places.of(declared.span) {
                    Some(place) => place,
                    None => {
                        self.diagnostics.push(Diagnostic::of(
                            RuleProblem::OrderLeftOut { order: &name.value },
                            span,
                        ));
                        return None;
                    }
                },
                (Entity::Order, None) => {
                    self.diagnostics.push(Diagnostic::of(
                        RuleProblem::OrderInAgencyCondition { order: &name.value },
                        span,
                    ));
                    return None;
                }
                _ => declared.index,
            };
            let (value, entity) = (Value::declared(declared.kind, index), declared.kind);
            return Some(Expression {
                kind: ExpressionKind::Constant(value),
                ty: Type::Entity(entity),
                span,
            });
        }
        let mut candidates: Vec<&str> = variables
            .iter()
            .map(|(variable, _)| variable.as_str())
            .collect();
        let parameters: Vec<&str> = self
            .parameters
            .keys()
            .filter(|(parameter_file, _)| *parameter_file == file)
            .map(|(_, parameter)| parameter.as_str())
            .collect();
        candidates.extend(parameters);
        candidates.extend(self.namespace.all_names());
        candidates.extend(self.vocabulary.group_names());
        self.diagnostics.push(Diagnostic::of(
            RuleProblem::Undefined {
                name: &name.value,
                suggestion: super::suggest(&name.value, candidates.iter().copied()),
                pack: self.pack_names.get(&file).map(String::as_str),
                open_to: self.implicit_agency,
                first_variable: variables
                    .first()
                    .map(|(variable, entity)| (variable.as_str(), *entity)),
            },
            span,
        ));
        None
    }
}

impl RuleChecker<'_> {
    /// A jurisdiction group, read as its members on the date judged: only in a list.
    fn group(&mut self, name: &str, group: usize, span: Span) -> Option<Expression> {
        if !self.in_list {
            self.diagnostics.push(Diagnostic::of(
                RuleProblem::GroupOutsideList { group: name },
                span,
            ));
            return None;
        }
        let owner = Expression {
            kind: ExpressionKind::Constant(Value::Group(group)),
            ty: Type::Jurisdiction,
            span,
        };
        Some(Expression {
            kind: ExpressionKind::Field(Box::new(owner), Field::Group(GroupField::Members)),
            ty: Type::Jurisdiction,
            span,
        })
    }
}

fn duplicate_field(field: &str, rule: &ast::Name, span: Span) -> Diagnostic {
    Diagnostic::of(
        RuleProblem::DuplicateField {
            field,
            rule: &rule.value,
        },
        span,
    )
}

/// A type mismatch between the two sides of an operator, pointing at both.
fn operands_differ(
    problem: RuleProblem<'_>,
    operator: Spanned<BinaryOperator>,
    left: &Expression,
    right: &Expression,
) -> Diagnostic {
    Diagnostic::of(problem, operator.span)
        .with_related(left.span, format!("this is {}", left.ty.describe()))
        .with_related(right.span, format!("this is {}", right.ty.describe()))
}

/// Why two types that are otherwise comparable cannot meet: money in different currencies, or
/// quantities of different things, as far as literals tell.
fn units_differ<'t>(left: &'t Type, right: &'t Type) -> Option<RuleProblem<'t>> {
    match (left, right) {
        (Type::Money(Some(left)), Type::Money(Some(right))) if left != right => {
            Some(RuleProblem::CurrenciesDiffer { left, right })
        }
        (Type::Quantity(Some(left)), Type::Quantity(Some(right))) if left != right => {
            Some(RuleProblem::QuantitiesDiffer { left, right })
        }
        _ => None,
    }
}

/// Whether two types can be compared with `==` (and, when ordered, with `<`).
fn comparable(left: &Type, right: &Type) -> bool {
    match (left, right) {
        (Type::Money(_), Type::Money(_))
        | (Type::Quantity(_), Type::Quantity(_))
        | (Type::Volume, Type::Money(_) | Type::Quantity(_) | Type::Volume)
        | (Type::Money(_) | Type::Quantity(_), Type::Volume) => true,
        (a, b) => a == b,
    }
}

fn is_ordered(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Number
            | Type::Percentage
            | Type::Money(_)
            | Type::Quantity(_)
            | Type::Volume
            | Type::Date
            | Type::Duration
            | Type::Distance
    )
}

/// The type of an arithmetic result, or `None` when the operator does not apply.
fn arithmetic_type(operator: Operator, left: &Type, right: &Type) -> Option<Type> {
    use Type::*;
    let amount = |ty: &Type| matches!(ty, Money(_) | Quantity(_) | Volume);
    match (operator, left, right) {
        (
            Operator::Add | Operator::Subtract | Operator::Multiply | Operator::Divide,
            Number,
            Number,
        ) => Some(Number),
        (Operator::Add | Operator::Subtract, Percentage, Percentage) => Some(Percentage),
        (Operator::Add | Operator::Subtract, Money(a), Money(b)) => Some(Money((*a).or(*b))),
        (Operator::Add | Operator::Subtract, Quantity(a), Quantity(b)) => {
            Some(Quantity(a.clone().or(b.clone())))
        }
        (Operator::Add | Operator::Subtract, a, b) if amount(a) && amount(b) => Some(Volume),
        (Operator::Add | Operator::Subtract, Distance, Distance) => Some(Distance),
        (Operator::Add, Date, Duration)
        | (Operator::Add, Duration, Date)
        | (Operator::Subtract, Date, Duration) => Some(Date),
        (Operator::Subtract, Date, Date) => Some(Duration),
        (Operator::Multiply, a, Number) | (Operator::Multiply, Number, a)
            if amount(a) || *a == Distance =>
        {
            Some(a.clone())
        }
        (Operator::Divide, a @ (Money(_) | Quantity(_) | Volume), Number) => Some(a.clone()),
        (Operator::Divide, Money(_), Money(_)) => Some(Number),
        (Operator::PercentOf, Percentage, a) if amount(a) || *a == Number => Some(a.clone()),
        _ => None,
    }
}

/// Whether an expression reads the variable at `depth`.
fn reads(expression: &Expression, depth: usize) -> bool {
    let mut found = false;
    expression.visit(&mut |node| {
        found |= matches!(node.kind, ExpressionKind::Variable(variable) if variable == depth);
    });
    found
}

/// Whether an expression reads the variable at `depth` and no other, and nothing that changes
/// as orders are judged (what a contract has ordered, its end, an instrument being in force): a
/// value that can be computed once, when an order is permitted.
fn reads_only(expression: &Expression, depth: usize) -> bool {
    let mut only = true;
    expression.visit(&mut |node| match &node.kind {
        ExpressionKind::Variable(variable) => only &= *variable == depth,
        ExpressionKind::Field(_, field) => only &= !field.varies(),
        ExpressionKind::Aggregate { .. } => only = false,
        _ => {}
    });
    only
}

/// A responsibility or a precedence in a rule that is not for bindings: both are about what binds
/// an agency to a contract.
fn binding_only(rule: &ast::Name, scope: Entity, what: &str, span: Span) -> Diagnostic {
    Diagnostic::of(
        RuleProblem::BindingOnly {
            rule: &rule.value,
            scope,
            what,
        },
        span,
    )
}

/// A message of nothing but spaces: it gives no reason.
fn says_nothing(message: &ast::Message) -> bool {
    message
        .parts
        .iter()
        .all(|part| matches!(part, ast::MessagePart::Text(text) if text.trim().is_empty()))
}
