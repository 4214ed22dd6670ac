//! `coop diff`: what a change to a model changes in what it means. Two versions of a model (two
//! paths, or two git revisions) are each checked and judged as of one date; their reports and
//! findings are compared thing by thing, by name: the orders whose decision changed and why (the
//! rule, the basis or the field), the bindings gained and lost, the fees and duties, the volumes
//! and negotiating position of each contract, the findings new and fixed, and the declarations
//! and rules whose text changed.

mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Severity};
use crate::eval::Evaluation;
use crate::model::Model;
use crate::model::subjects::Subjects;
use crate::report::{Decision, Location, OrderReport, Report};
use crate::source::SourceMap;

pub use render::{markdown, text};

/// One version of a model, checked and judged: its report, its findings in force, and the text
/// of each declaration and rule.
pub struct Side {
    /// How the version is named: a path, or a revision.
    pub label: String,
    pub report: Report,
    findings: Vec<SideFinding>,
    /// Each declaration's and rule's text, with its whitespace made single spaces.
    texts: BTreeMap<String, (String, String)>,
}

/// A finding of one side that is not the reason an order is denied (those are the orders'
/// changes): checking's warnings, findings about contracts, agencies and bindings, warnings
/// about orders. The model's waivers are applied.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SideFinding {
    /// The rule it is filed under: a code, or `PACK/RULE`.
    pub rule: String,
    /// The declaration or rule it is about, if any.
    pub on: Option<String>,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
}

/// Everything that differs between two versions of a model, most important first in each list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    pub base: Summary,
    pub head: Summary,
    pub orders: Vec<OrderChange>,
    pub bindings: Vec<Change>,
    pub duties: Vec<Change>,
    pub contracts: Vec<Change>,
    pub findings: FindingChanges,
    /// Declarations and rules whose text was added, removed or changed.
    pub model: Vec<Change>,
}

/// One side in numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub label: String,
    pub as_of: String,
    pub orders: usize,
    pub permitted: usize,
    pub denied: usize,
    pub findings: usize,
}

/// An order whose decision, reasons, basis or fields changed, or that one side lacks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderChange {
    pub order: String,
    pub kind: OrderChangeKind,
    /// The decision in words on each side (`permitted under piggyback`, `denied by
    /// access-missing`, `after the as-of date`); absent on the side without the order.
    pub base: Option<String>,
    pub head: Option<String>,
    /// What changed that explains it: a rule that now denies or no longer does, a legal basis, a
    /// field of the order, a term of its contract, a rule whose text changed.
    pub why: Vec<String>,
    /// Where the order is, in the head (or, when removed, in the base).
    pub location: Location,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderChangeKind {
    /// Denied in the head, and permitted (or not yet judged, or not there) in the base.
    NewlyDenied,
    /// Permitted in the head, and denied in the base.
    NewlyPermitted,
    /// Denied on both sides, by other rules.
    ReasonsChanged,
    /// Permitted on both sides, under another legal basis or on another footing.
    BasisChanged,
    /// Judged on one side only: its date moved across the as-of date.
    JudgedChanged,
    /// Only in the head (and not denied there).
    Added,
    /// Only in the base.
    Removed,
    /// The same decision, and other fields (its value, its date).
    Changed,
}

/// A thing (a binding, a duty, a contract, a declaration) added, removed, or changed in some
/// of its fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// What it is: `tacoma on pc_24_07`, a contract's name, a duty in words.
    pub subject: String,
    pub kind: ChangeKind,
    pub fields: Vec<FieldChange>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Gone in the head: a binding lost, a duty no longer owed.
    Removed,
    /// New in the head: a binding gained.
    Added,
    Changed,
}

/// One field of a thing, in words on each side; absent where the side has none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub base: Option<String>,
    pub head: Option<String>,
}

/// Findings in the head and not the base (new), and the other way round (fixed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingChanges {
    pub new: Vec<SideFinding>,
    pub fixed: Vec<SideFinding>,
}

/// What `--fail-on` can make `coop diff` fail on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// An order denied in the head that was not denied in the base.
    NewlyDenied,
    /// A finding in force in the head that the base does not have (errors and warnings).
    NewFindings,
    /// A new finding that is an error, or an order newly denied.
    NewErrors,
    /// Any change in what the model means.
    AnyChange,
}

impl Side {
    /// A version of the model, checked (`checking` are checking's findings, warnings only since
    /// the model checked) and judged.
    pub fn of(
        label: String,
        model: &Model,
        evaluation: &Evaluation,
        sources: &SourceMap,
        checking: &[Diagnostic],
        horizon_days: u32,
    ) -> Side {
        let report = crate::report::build(model, evaluation, sources, checking, horizon_days);
        let subjects = Subjects::of(model);
        let waivers = crate::eval::waivers::Waivers::new(model, evaluation.as_of);
        let reasons = evaluation
            .judgments
            .iter()
            .flat_map(|judgment| &judgment.reasons)
            .filter(|reason| !reason.is_error());
        let findings = checking
            .iter()
            .chain(&evaluation.findings)
            .chain(reasons)
            .filter(|diagnostic| waivers.waiving(diagnostic).is_none())
            .map(|diagnostic| SideFinding {
                rule: crate::findings::rule_id(diagnostic).into_owned(),
                on: subjects
                    .subject(diagnostic.primary.span)
                    .map(str::to_string),
                severity: diagnostic.severity(),
                message: diagnostic.message.clone(),
                location: crate::report::finding(sources, diagnostic).location,
            })
            .collect();
        let mut texts = BTreeMap::new();
        for header in model.headers() {
            texts.insert(
                header.owned_name(),
                (
                    "declaration".to_string(),
                    normalized(sources.text(header.span)),
                ),
            );
        }
        for rule in &model.rules {
            texts.insert(
                crate::findings::qualified_rule_id(rule.pack.as_deref(), &rule.id.value),
                ("rule".to_string(), normalized(sources.text(rule.span))),
            );
        }
        Side {
            label,
            report,
            findings,
            texts,
        }
    }
}

/// Text with every run of whitespace made one space, so that layout alone changes nothing.
fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Compares two versions of a model.
pub fn compare(base: &Side, head: &Side) -> Diff {
    let model = model_changes(base, head);
    let contracts = contract_changes(&base.report, &head.report);
    let orders = order_changes(base, head, &contracts, &model);
    Diff {
        base: summary(base),
        head: summary(head),
        orders,
        bindings: binding_changes(&base.report, &head.report),
        duties: duty_changes(&base.report, &head.report),
        contracts,
        findings: finding_changes(&base.findings, &head.findings),
        model,
    }
}

impl Diff {
    /// Whether the two versions mean the same: no order, binding, duty, volume or finding differs
    /// (declarations may differ in text, as a comment or a reordering does).
    pub fn means_the_same(&self) -> bool {
        self.orders.is_empty()
            && self.bindings.is_empty()
            && self.duties.is_empty()
            && self.contracts.is_empty()
            && self.findings.new.is_empty()
            && self.findings.fixed.is_empty()
    }

    /// The orders denied in the head and not in the base.
    pub fn newly_denied(&self) -> impl Iterator<Item = &OrderChange> {
        self.orders
            .iter()
            .filter(|order| order.kind == OrderChangeKind::NewlyDenied)
    }

    /// Whether the diff holds what `fail_on` fails on.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        match fail_on {
            FailOn::NewlyDenied => self.newly_denied().next().is_some(),
            FailOn::NewFindings => {
                self.newly_denied().next().is_some() || !self.findings.new.is_empty()
            }
            FailOn::NewErrors => {
                self.newly_denied().next().is_some()
                    || self
                        .findings
                        .new
                        .iter()
                        .any(|finding| finding.severity == Severity::Error)
            }
            FailOn::AnyChange => !self.means_the_same() || !self.model.is_empty(),
        }
    }

    /// The diff as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        match serde_json::to_string_pretty(self) {
            Ok(json) => json + "\n",
            Err(error) => unreachable!("a diff is plain data and always serialises: {error}"),
        }
    }
}

fn summary(side: &Side) -> Summary {
    Summary {
        label: side.label.clone(),
        as_of: side.report.as_of.clone(),
        orders: side.report.summary.orders,
        permitted: side.report.summary.permitted,
        denied: side.report.summary.denied,
        findings: side.findings.len(),
    }
}

/// An order's decision in words.
fn decision_text(order: &OrderReport) -> String {
    match order.decision {
        Decision::Permitted => match &order.legal_basis {
            Some(basis) => format!("permitted under {}", basis.id),
            None => "permitted".to_string(),
        },
        Decision::Denied => format!("denied by {}", reason_rules(order).join(", ")),
        Decision::AfterAsOf => "after the as-of date, not judged".to_string(),
    }
}

/// The rules that deny an order, each once, in the order of its reasons.
fn reason_rules(order: &OrderReport) -> Vec<String> {
    let mut rules: Vec<String> = Vec::new();
    for reason in order
        .reasons
        .iter()
        .filter(|reason| reason.severity == Severity::Error)
    {
        let rule = reason.filed_under();
        if !rules.contains(&rule) {
            rules.push(rule);
        }
    }
    rules
}

fn order_changes(
    base: &Side,
    head: &Side,
    contracts: &[Change],
    model: &[Change],
) -> Vec<OrderChange> {
    let base_orders: BTreeMap<&str, &OrderReport> = base
        .report
        .orders
        .iter()
        .map(|order| (order.name.as_str(), order))
        .collect();
    let head_orders: BTreeMap<&str, &OrderReport> = head
        .report
        .orders
        .iter()
        .map(|order| (order.name.as_str(), order))
        .collect();
    let mut changes = Vec::new();
    let names: BTreeSet<&str> = base_orders
        .keys()
        .chain(head_orders.keys())
        .copied()
        .collect();
    for name in names {
        let change = match (base_orders.get(name), head_orders.get(name)) {
            (Some(before), Some(after)) => {
                let solicitation = head
                    .report
                    .contracts
                    .iter()
                    .find(|contract| contract.name == after.contract)
                    .map(|contract| contract.solicitation.as_str());
                changed_order(before, after, solicitation, contracts, model)
            }
            (None, Some(after)) => Some(OrderChange {
                order: name.to_string(),
                kind: if after.decision == Decision::Denied {
                    OrderChangeKind::NewlyDenied
                } else {
                    OrderChangeKind::Added
                },
                base: None,
                head: Some(decision_text(after)),
                why: vec![format!(
                    "a new order: {} on {}, {}",
                    after.buyer, after.contract, after.date
                )]
                .into_iter()
                .chain(denied_by(after))
                .collect(),
                location: after.location.clone(),
            }),
            (Some(before), None) => Some(OrderChange {
                order: name.to_string(),
                kind: OrderChangeKind::Removed,
                base: Some(decision_text(before)),
                head: None,
                why: vec!["the order is no longer in the model".to_string()],
                location: before.location.clone(),
            }),
            (None, None) => None,
        };
        changes.extend(change);
    }
    changes.sort_by(|left, right| (left.kind, &left.order).cmp(&(right.kind, &right.order)));
    changes
}

/// What an order is denied by, each rule with its message.
fn denied_by(order: &OrderReport) -> Vec<String> {
    order
        .reasons
        .iter()
        .filter(|reason| reason.severity == Severity::Error)
        .map(|reason| format!("denied by {}: {}", reason.filed_under(), reason.message))
        .collect()
}

fn changed_order(
    before: &OrderReport,
    after: &OrderReport,
    solicitation: Option<&str>,
    contracts: &[Change],
    model: &[Change],
) -> Option<OrderChange> {
    let mut why = Vec::new();
    // The rules that deny it: those that now do, those that no longer do.
    let before_rules = reason_rules(before);
    let after_rules = reason_rules(after);
    for reason in after
        .reasons
        .iter()
        .filter(|reason| reason.severity == Severity::Error)
    {
        let rule = reason.filed_under();
        if !before_rules.contains(&rule) {
            why.push(format!("denied by {rule}: {}", reason.message));
        }
    }
    for rule in before_rules
        .iter()
        .filter(|rule| !after_rules.contains(rule))
    {
        why.push(format!("no longer denied by {rule}"));
    }
    let basis_id = |order: &OrderReport| order.legal_basis.as_ref().map(|basis| basis.id.clone());
    if before.decision == after.decision && basis_id(before) != basis_id(after) {
        why.push(format!(
            "legal basis: {} → {}",
            basis_id(before).unwrap_or_else(|| "none".to_string()),
            basis_id(after).unwrap_or_else(|| "none".to_string())
        ));
    }
    let footing = |order: &OrderReport| order.basis.map(|basis| basis.as_str().to_string());
    if footing(before) != footing(after) {
        why.push(format!(
            "ordering as {} → as {}",
            footing(before).unwrap_or_else(|| "nothing".to_string()),
            footing(after).unwrap_or_else(|| "nothing".to_string())
        ));
    }
    let money = |order: &OrderReport| order.value.map(|value| value.to_string());
    let fields = [
        (
            "buyer",
            Some(before.buyer.clone()),
            Some(after.buyer.clone()),
        ),
        (
            "contract",
            Some(before.contract.clone()),
            Some(after.contract.clone()),
        ),
        ("date", Some(before.date.clone()), Some(after.date.clone())),
        ("via", before.via.clone(), after.via.clone()),
        ("value", money(before), money(after)),
    ];
    let mut own_fields_changed = false;
    for (field, was, is) in fields {
        if was != is {
            own_fields_changed = true;
            why.push(format!(
                "{field}: {} → {}",
                was.unwrap_or_else(|| "none".to_string()),
                is.unwrap_or_else(|| "none".to_string())
            ));
        }
    }
    let decided = before.decision != after.decision
        || before_rules != after_rules
        || basis_id(before) != basis_id(after)
        || footing(before) != footing(after);
    if !decided && !own_fields_changed {
        return None;
    }
    // The terms of its contract that changed, and the rules that deny it whose text changed.
    let why_before_terms = why.len();
    if let Some(contract) = contracts
        .iter()
        .find(|change| change.subject == after.contract)
    {
        for field in contract
            .fields
            .iter()
            .filter(|field| CONTRACT_TERMS.contains(&field.field.as_str()))
        {
            why.push(format!(
                "contract {}: {} {} → {}",
                after.contract,
                field.field,
                field.base.as_deref().unwrap_or("none"),
                field.head.as_deref().unwrap_or("none")
            ));
        }
    }
    // The declarations it rests on whose text changed: its buyer, its contract and the
    // solicitation that contract awards, the access instrument it names.
    let rests_on = [
        ("buyer", Some(after.buyer.as_str())),
        ("contract", Some(after.contract.as_str())),
        ("solicitation", solicitation),
        ("access instrument", after.via.as_deref()),
    ];
    let terms_told = why.len() > why_before_terms;
    for (what, name) in rests_on {
        let Some(name) = name else { continue };
        if what == "contract" && terms_told {
            continue;
        }
        if model
            .iter()
            .any(|change| change.subject == name && change.kind == ChangeKind::Changed)
        {
            why.push(format!("{what} {name} changed"));
        }
    }
    for rule in after_rules.iter().chain(&before_rules) {
        let rewritten = model.iter().any(|change| {
            change.subject == format!("rule {rule}") && change.kind == ChangeKind::Changed
        });
        let said = format!("rule {rule} changed");
        if rewritten && !why.contains(&said) {
            why.push(said);
        }
    }
    let kind = match (before.decision, after.decision) {
        (Decision::Denied, Decision::Denied) if before_rules != after_rules => {
            OrderChangeKind::ReasonsChanged
        }
        (_, Decision::Denied) if before.decision != Decision::Denied => {
            OrderChangeKind::NewlyDenied
        }
        (Decision::Denied, Decision::Permitted) => OrderChangeKind::NewlyPermitted,
        (Decision::AfterAsOf, _) | (_, Decision::AfterAsOf)
            if before.decision != after.decision =>
        {
            OrderChangeKind::JudgedChanged
        }
        (Decision::Permitted, Decision::Permitted)
            if basis_id(before) != basis_id(after) || footing(before) != footing(after) =>
        {
            OrderChangeKind::BasisChanged
        }
        _ => OrderChangeKind::Changed,
    };
    Some(OrderChange {
        order: after.name.clone(),
        kind,
        base: Some(decision_text(before)),
        head: Some(decision_text(after)),
        why,
        location: after.location.clone(),
    })
}

/// The fields of a contract's change that are its terms, which explain its orders' decisions.
const CONTRACT_TERMS: &[&str] = &[
    "term start",
    "term end",
    "end with options",
    "piggyback",
    "maximum",
    "ceiling",
    "lead",
    "suppliers",
];

/// Compares the things two lists hold by key, each in fields of words: things only in the head
/// are added, only in the base removed, and in both changed when a field differs.
fn keyed_changes<T>(
    base: &[T],
    head: &[T],
    key: impl Fn(&T) -> String,
    fields: impl Fn(&T) -> Vec<(&'static str, String)>,
) -> Vec<Change> {
    let before: BTreeMap<String, &T> = base.iter().map(|item| (key(item), item)).collect();
    let after: BTreeMap<String, &T> = head.iter().map(|item| (key(item), item)).collect();
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut changes = Vec::new();
    for subject in keys {
        let was = before
            .get(subject)
            .map(|item| fields(item))
            .unwrap_or_default();
        let is = after
            .get(subject)
            .map(|item| fields(item))
            .unwrap_or_default();
        let kind = match (before.contains_key(subject), after.contains_key(subject)) {
            (true, false) => ChangeKind::Removed,
            (false, true) => ChangeKind::Added,
            _ => ChangeKind::Changed,
        };
        let names: Vec<&'static str> = {
            let mut names: Vec<&'static str> = Vec::new();
            for (name, _) in was.iter().chain(&is) {
                if !names.contains(name) {
                    names.push(name);
                }
            }
            names
        };
        let value = |list: &[(&'static str, String)], name: &str| {
            list.iter()
                .find(|(field, _)| *field == name)
                .map(|(_, value)| value.clone())
        };
        let field_changes: Vec<FieldChange> = names
            .into_iter()
            .filter_map(|name| {
                let base = value(&was, name);
                let head = value(&is, name);
                (base != head).then(|| FieldChange {
                    field: name.to_string(),
                    base,
                    head,
                })
            })
            .collect();
        if kind != ChangeKind::Changed || !field_changes.is_empty() {
            changes.push(Change {
                subject: subject.clone(),
                kind,
                fields: field_changes,
            });
        }
    }
    changes.sort_by(|left, right| (left.kind, &left.subject).cmp(&(right.kind, &right.subject)));
    changes
}

fn binding_changes(base: &Report, head: &Report) -> Vec<Change> {
    let bindings = |report: &'_ Report| -> Vec<(String, crate::report::BindingReport)> {
        report
            .agencies
            .iter()
            .flat_map(|agency| {
                agency
                    .bindings
                    .iter()
                    .map(|binding| (agency.name.clone(), binding.clone()))
            })
            .collect()
    };
    keyed_changes(
        &bindings(base),
        &bindings(head),
        |(agency, binding)| format!("{agency} on {}", binding.contract),
        |(_, binding)| {
            vec![
                ("basis", binding.basis_text()),
                ("from", binding.from.clone()),
                ("to", binding.to_text()),
                (
                    "clauses",
                    binding
                        .clauses
                        .iter()
                        .map(crate::report::ClauseReport::text)
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                (
                    "responsibilities",
                    binding
                        .responsibilities
                        .iter()
                        .map(crate::report::ResponsibilityReport::text)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                ("duties", binding.duties.join("; ")),
            ]
        },
    )
}

fn duty_changes(base: &Report, head: &Report) -> Vec<Change> {
    let duties = |report: &Report| -> Vec<(String, crate::report::DutyReport)> {
        let of_agencies = report.agencies.iter().flat_map(|agency| {
            agency
                .rule_duties
                .iter()
                .map(|duty| (agency.name.clone(), duty.clone()))
        });
        let of_suppliers = report.contracts.iter().flat_map(|contract| {
            contract
                .supplier_duties
                .iter()
                .map(|duty| (format!("the supplier of {}", contract.name), duty.clone()))
        });
        of_agencies.chain(of_suppliers).collect()
    };
    keyed_changes(
        &duties(base),
        &duties(head),
        |(owner, duty)| {
            let contract = duty
                .contract
                .as_ref()
                .map_or(String::new(), |contract| format!(" on {contract}"));
            let to = duty
                .to
                .as_ref()
                .map_or(String::new(), |to| format!(" to {to}"));
            format!("{owner}: {}{contract}{to}", duty.rule.id)
        },
        |(_, duty)| {
            let mut fields = vec![("duty", duty.text.clone())];
            if let Some(amount) = &duty.amount {
                fields.push(("amount", amount.to_string()));
            }
            if let Some(due) = &duty.due {
                fields.push(("due", due.clone()));
            }
            fields
        },
    )
}

fn contract_changes(base: &Report, head: &Report) -> Vec<Change> {
    keyed_changes(
        &base.contracts,
        &head.contracts,
        |contract| contract.name.clone(),
        |contract| {
            let optional = |amount: &Option<crate::report::Amount>| {
                amount
                    .as_ref()
                    .map_or("none".to_string(), ToString::to_string)
            };
            let position = &contract.negotiating_position;
            let mut fields = vec![
                ("term start", contract.term_start.clone()),
                ("term end", contract.term_end.clone()),
                ("end with options", contract.end_with_options.clone()),
                ("lead", contract.lead.clone()),
                ("suppliers", contract.suppliers.join(", ")),
                (
                    "piggyback",
                    if contract.piggyback_open {
                        "open"
                    } else {
                        "closed"
                    }
                    .to_string(),
                ),
                ("maximum", optional(&contract.maximum)),
                ("ceiling", optional(&contract.ceiling)),
                ("ordered value", contract.ordered_value.to_string()),
                ("orders permitted", contract.orders_permitted.to_string()),
                ("orders denied", contract.orders_denied.to_string()),
                (
                    "share of maximum",
                    contract
                        .share_of_maximum
                        .clone()
                        .unwrap_or_else(|| "none".to_string()),
                ),
                ("piggyback ordered", optional(&contract.piggyback_ordered)),
                (
                    "admin fees due",
                    contract
                        .admin_fees_due
                        .map_or("none".to_string(), |fees| fees.to_string()),
                ),
                (
                    "piggyback bought",
                    position.piggyback_bought.value.to_string(),
                ),
                (
                    "use of estimate",
                    position
                        .use_of_estimate
                        .clone()
                        .unwrap_or_else(|| "none".to_string()),
                ),
                (
                    "tiers reached",
                    position
                        .tiers
                        .iter()
                        .map(|tier| format!("{}: {}", tier.item, tier.describe()))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                ("follow-up agencies", position.agencies.join(", ")),
            ];
            // In the contract's measure, when it is not money: trucks, tons.
            let ordered = contract.ordered.to_string();
            if ordered != contract.ordered_value.to_string() {
                fields.push(("ordered", ordered));
            }
            fields.push((
                "ordered by",
                contract
                    .ordered_by
                    .iter()
                    .map(|volume| format!("{}: {}", volume.agency, volume.value))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
            fields
        },
    )
}

fn finding_changes(base: &[SideFinding], head: &[SideFinding]) -> FindingChanges {
    // Each finding is matched once: two equal findings on one side need two on the other.
    let mut left: Vec<&SideFinding> = base.iter().collect();
    let mut new = Vec::new();
    for finding in head {
        let same = |other: &&SideFinding| {
            other.rule == finding.rule && other.on == finding.on && other.message == finding.message
        };
        match left.iter().position(same) {
            Some(index) => {
                left.remove(index);
            }
            None => new.push(finding.clone()),
        }
    }
    let mut fixed: Vec<SideFinding> = left.into_iter().cloned().collect();
    // Errors first (`Severity` orders them so), then by rule and subject.
    new.sort_by(|left, right| (left.severity, left).cmp(&(right.severity, right)));
    fixed.sort_by(|left, right| (left.severity, left).cmp(&(right.severity, right)));
    FindingChanges { new, fixed }
}

fn model_changes(base: &Side, head: &Side) -> Vec<Change> {
    let entries = |side: &Side| -> Vec<(String, String, String)> {
        side.texts
            .iter()
            .map(|(name, (kind, text))| (name.clone(), kind.clone(), text.clone()))
            .collect()
    };
    let mut changes = keyed_changes(
        &entries(base),
        &entries(head),
        |(name, kind, _)| {
            if kind == "rule" {
                format!("rule {name}")
            } else {
                name.clone()
            }
        },
        |(_, _, text)| vec![("text", text.clone())],
    );
    // Which declarations changed is what matters; their text is in the files.
    for change in &mut changes {
        change.fields.clear();
    }
    changes
}
