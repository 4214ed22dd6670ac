//! Evaluation: the core semantics of cooperative procurement, true under every jurisdiction, as
//! pure functions of a checked model and an as-of date.

mod bindings;
pub mod expectations;
mod orders;
mod problems;
pub mod rules;
pub mod volumes;
pub mod waivers;

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::diagnostic::Diagnostic;
use crate::model::{AgencyId, ContractId, InstrumentId, Model, OrderId};
use crate::observe::{Count, EVERY, Observer, Phase, Unobserved};
use crate::values::Date;
use volumes::Tally;

pub use bindings::{Basis, Binding};

/// Everything the model means as of one date.
#[derive(Debug)]
pub struct Evaluation {
    pub as_of: Date,
    /// One judgment per order dated on or before `as_of`, in date order.
    pub judgments: Vec<Judgment>,
    /// Orders dated after `as_of`: not judged and not counted.
    pub later_orders: Vec<OrderId>,
    /// Who is bound to which contract, sorted by agency then contract.
    pub bindings: Vec<Binding>,
    /// What rules decide about each binding (responsibilities, precedence of terms), in the
    /// order of `bindings`.
    pub binding_terms: Vec<rules::BindingTerms>,
    /// Volumes per contract, in the model's contract order.
    pub contracts: Vec<ContractUse>,
    /// Findings not about one order, such as commitment shortfalls and the findings of rules
    /// for contracts, agencies and bindings.
    pub findings: Vec<Diagnostic>,
    /// The duties rules add, in the order found.
    pub duties: Vec<rules::RuleDuty>,
    /// How each rule fared, in the order of `Model::rules`.
    pub rule_tallies: Vec<rules::RuleTally>,
}

/// The decision on one order and every reason for it.
#[derive(Debug)]
pub struct Judgment {
    pub order: OrderId,
    pub basis: Basis,
    /// What the order buys, in the contract's currency.
    pub tally: Tally,
    /// Empty when the order is permitted.
    pub reasons: Vec<Diagnostic>,
    /// The legal basis (a rule with `permit`, by its index in `Model::rules`) that permits the
    /// order, when one holds.
    pub legal_basis: Option<usize>,
    /// Every check made, passed or failed, in the order they were made: the derivation that
    /// `coop why` shows. Kept only by [`evaluate_explained`]; empty from [`evaluate`].
    pub steps: Vec<Step>,
}

/// One check of an order and its outcome.
#[derive(Clone, Debug)]
pub struct Step {
    /// What was checked, e.g. "dated within the term".
    pub check: std::borrow::Cow<'static, str>,
    /// The code of the finding when the check failed.
    pub failed: Option<crate::codes::Code>,
    /// The facts that decided it, in words.
    pub detail: String,
    /// Where those facts are written.
    pub place: crate::source::Span,
}

/// What has been bought under one contract, by whom.
#[derive(Debug, Default)]
pub struct ContractUse {
    /// Permitted orders of each agency, with the basis it ordered on.
    pub by_agency: BTreeMap<AgencyId, (Basis, Tally)>,
    pub total: Tally,
    pub piggyback: Tally,
    /// Permitted orders counted.
    pub orders: usize,
    /// Denied orders.
    pub denied: usize,
    /// Instruments used by permitted piggyback orders, per agency.
    pub instruments: BTreeMap<AgencyId, Vec<InstrumentId>>,
    /// The first permitted order date of each agency.
    pub first_order: BTreeMap<AgencyId, Date>,
    /// The value of permitted piggyback orders placed through each access instrument, on which
    /// the instrument's own fees are due.
    pub through_instrument: BTreeMap<InstrumentId, Decimal>,
}

impl Judgment {
    pub fn is_permitted(&self) -> bool {
        self.reasons.iter().all(|reason| !reason.is_error())
    }
}

/// Evaluates a checked model as of a date. Judgments keep their reasons but not their steps.
pub fn evaluate(model: &Model, as_of: Date) -> Evaluation {
    evaluate_with(model, as_of, false, &Unobserved)
}

/// Evaluates a checked model as of a date as [`evaluate`] does, telling `observer` how many
/// orders are judged.
pub fn evaluate_observed(model: &Model, as_of: Date, observer: &dyn Observer) -> Evaluation {
    evaluate_with(model, as_of, false, observer)
}

/// Evaluates a checked model as of a date, keeping every check made on each order as a step, for
/// `coop why`. The same decisions as [`evaluate`], at several times its cost.
pub fn evaluate_explained(model: &Model, as_of: Date) -> Evaluation {
    evaluate_with(model, as_of, true, &Unobserved)
}

fn evaluate_with(model: &Model, as_of: Date, explain: bool, observer: &dyn Observer) -> Evaluation {
    let judged = |orders| Count {
        orders,
        ..Count::default()
    };
    let mut contracts: Vec<ContractUse> = model
        .contracts
        .iter()
        .map(|_| ContractUse::default())
        .collect();
    // Most orders are judged and permitted: room for all of them from the start, so that a
    // million judgments are not copied as the lists grow.
    let mut judgments = Vec::with_capacity(model.orders.len());
    let mut later_orders = Vec::new();
    let mut permitted = Vec::with_capacity(model.orders.len());
    let mut duties = Vec::new();
    let mut rule_tallies = vec![rules::RuleTally::default(); model.rules.len()];
    let mut totals = rules::Totals::new(model);
    // Adding to the totals reads only the permitted order, never other totals.
    let no_totals = rules::Totals::default();
    let gates = rules::Gates::new(model);
    let mut scratch = rules::Scratch::default();
    let mut caps = orders::CapUse::default();
    let mut lines_judged = 0;
    for (index, order) in model.orders.iter().enumerate() {
        if index.is_multiple_of(EVERY) {
            observer.advanced(Phase::Judging, judged(index), judged(model.orders.len()));
        }
        let id = OrderId(index);
        if order.date.value > as_of {
            later_orders.push(id);
            continue;
        }
        let contract = order.contract.value.0;
        lines_judged += order.lines.len();
        let mut judgment = orders::judge(model, id, explain);
        {
            let context = rules::Context {
                model,
                today: order.date.value,
                usage: &contracts,
                permitted: &permitted,
                judged: Some((id, &judgment.tally)),
                bindings: &[],
                totals: &totals,
                gates: &gates,
                caps: &caps,
            };
            let found = rules::judge_order(&context, id, &mut rule_tallies, explain, &mut scratch);
            judgment.reasons.extend(found.reasons);
            judgment.steps.extend(found.steps);
            judgment.legal_basis = found.legal_basis;
            if judgment.is_permitted() {
                rules::order_duties(&context, id, &scratch.applied, &mut duties);
            }
        }
        let usage = &mut contracts[contract];
        if judgment.is_permitted() {
            orders::record(order, &judgment, usage);
            caps.add(model, order, &judgment.tally);
            if !model.rules.is_empty() {
                let context = rules::Context {
                    model,
                    today: order.date.value,
                    usage: &contracts,
                    permitted: &permitted,
                    judged: None,
                    bindings: &[],
                    totals: &no_totals,
                    gates: &gates,
                    caps: &caps,
                };
                totals.add(&context, id);
            }
            permitted.push(id);
        } else {
            usage.denied += 1;
        }
        judgments.push(judgment);
    }
    gates.count_considered(model, judgments.len(), lines_judged, &mut rule_tallies);
    let bindings = bindings::bindings(model, &contracts, as_of);
    let mut findings = Vec::new();
    let mut binding_terms = vec![rules::BindingTerms::default(); bindings.len()];
    if !model.rules.is_empty() {
        let context = rules::Context {
            model,
            today: as_of,
            usage: &contracts,
            permitted: &permitted,
            judged: None,
            bindings: &bindings,
            totals: &totals,
            gates: &gates,
            caps: &caps,
        };
        findings.extend(rules::judge_model(
            &context,
            &mut duties,
            &mut binding_terms,
            &mut rule_tallies,
        ));
    }
    findings.extend(waivers::expired(model, as_of));
    observer.finished(Phase::Judging, judged(judgments.len()));
    Evaluation {
        as_of,
        judgments,
        later_orders,
        bindings,
        binding_terms,
        contracts,
        findings,
        duties,
        rule_tallies,
    }
}

impl Evaluation {
    pub fn contract_use(&self, contract: ContractId) -> &ContractUse {
        &self.contracts[contract.0]
    }
}
