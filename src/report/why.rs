//! `coop why`: the derivation of one decision, as data and as a short readable tree. For an
//! order, every check made and the facts that decided it; for an agency and a contract, the
//! basis of the binding, or why there is none.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Decision, Location, build::location};
use crate::codes::Code;
use crate::eval::{Basis, Evaluation};
use crate::model::{AgencyId, ContractId, Model};
use crate::source::SourceMap;
use crate::values::printable;

/// Why an order was permitted or denied.
#[derive(Clone, Debug, Serialize)]
pub struct OrderExplanation {
    pub order: String,
    pub buyer: String,
    pub contract: String,
    pub date: String,
    pub decision: Decision,
    pub basis: Option<Basis>,
    /// The legal basis that holds for the order, by rule id: what makes a permitted order
    /// lawful (a denied order may have one that held, and a prohibition that denied it).
    pub legal_basis: Option<String>,
    /// Every check made, in order; empty for an order after the as-of date.
    pub steps: Vec<StepReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
    pub check: String,
    pub passed: bool,
    /// The finding's code when the check failed.
    pub code: Option<Code>,
    pub detail: String,
    pub location: Location,
}

/// Why an agency is, or is not, bound to a contract.
#[derive(Clone, Debug, Serialize)]
pub struct BindingExplanation {
    pub agency: String,
    pub contract: String,
    pub bound: bool,
    pub basis: Option<Basis>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Whether the binding's term ended before the as-of date.
    pub ended: bool,
    /// The facts that make (or fail to make) the binding, each with its place.
    pub because: Vec<Fact>,
    /// What the agency answers for under the binding, as the rules for bindings say.
    pub responsibilities: Vec<super::ResponsibilityReport>,
    /// The clauses that bind it, as its precedence rule decides.
    pub clauses: Vec<super::ClauseReport>,
    /// The agency's orders under the contract, with their decisions.
    pub orders: Vec<OrderOutcome>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Fact {
    pub detail: String,
    pub location: Location,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrderOutcome {
    pub order: String,
    pub date: String,
    pub decision: Decision,
    /// The codes of the reasons a denied order was denied.
    pub codes: Vec<Code>,
    pub location: Location,
}

/// The explanation of the order named `name`, if the model has one.
pub fn order(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    name: &str,
) -> Option<OrderExplanation> {
    let (index, order) = model
        .orders
        .iter()
        .enumerate()
        .find(|(_, order)| order.header.name.value == name)?;
    let judgment = evaluation
        .judgments
        .iter()
        .find(|judgment| judgment.order.0 == index);
    let decision = Decision::of(judgment);
    Some(OrderExplanation {
        order: order.header.owned_name(),
        buyer: model.agency(order.buyer.value).header.owned_name(),
        contract: model.contract(order.contract.value).header.owned_name(),
        date: order.date.value.to_string(),
        decision,
        basis: judgment.map(|judgment| judgment.basis),
        legal_basis: judgment
            .and_then(|judgment| judgment.legal_basis)
            .map(|rule| model.rules[rule].id.value.clone()),
        steps: judgment
            .map(|judgment| {
                judgment
                    .steps
                    .iter()
                    .map(|step| StepReport {
                        check: step.check.to_string(),
                        passed: step.failed.is_none(),
                        code: step.failed,
                        detail: step.detail.clone(),
                        location: location(sources, step.place),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// The explanation of whether `agency` is bound to `contract`.
pub fn binding(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    agency: AgencyId,
    contract: ContractId,
) -> BindingExplanation {
    let agency_declared = model.agency(agency);
    let contract_declared = model.contract(contract);
    let solicitation = model.solicitation(contract_declared.solicitation);
    let binding = evaluation
        .bindings
        .iter()
        .find(|binding| binding.agency == agency && binding.contract == contract);
    let name = agency_declared.header.display_name();
    let mut because = Vec::new();
    if solicitation.lead == agency {
        because.push(Fact {
            detail: format!(
                "{name} leads solicitation `{}`, which contract `{}` awards",
                solicitation.header.name.value, contract_declared.header.name.value
            ),
            location: location(sources, solicitation.header.name.span),
        });
    } else if let Some(participant) = solicitation.participant(agency) {
        because.push(Fact {
            detail: format!("{name} is a joint participant of solicitation `{}`, bound from the start of the term", solicitation.header.name.value),
            location: location(sources, participant.span),
        });
    } else {
        because.push(Fact {
            detail: format!(
                "{name} is not a party to solicitation `{}`: only its own permitted orders can bind it, by piggyback",
                solicitation.header.name.value
            ),
            location: location(sources, solicitation.header.name.span),
        });
    }
    if contract_declared.awarded > evaluation.as_of {
        because.push(Fact {
            detail: format!(
                "the contract is awarded on {}, after the as-of date {}",
                contract_declared.awarded, evaluation.as_of
            ),
            location: location(sources, contract_declared.header.name.span),
        });
    }
    let orders: Vec<OrderOutcome> = model
        .orders
        .iter()
        .enumerate()
        .filter(|(_, order)| order.buyer.value == agency && order.contract.value == contract)
        .map(|(index, order)| {
            let judgment = evaluation
                .judgments
                .iter()
                .find(|judgment| judgment.order.0 == index);
            OrderOutcome {
                order: order.header.owned_name(),
                date: order.date.value.to_string(),
                decision: Decision::of(judgment),
                codes: judgment
                    .map(|judgment| judgment.reasons.iter().map(|reason| reason.code).collect())
                    .unwrap_or_default(),
                location: location(sources, order.header.name.span),
            }
        })
        .collect();
    let (responsibilities, clauses) = evaluation
        .bindings
        .iter()
        .zip(&evaluation.binding_terms)
        .find(|(bound, _)| bound.agency == agency && bound.contract == contract)
        .map(|(bound, terms)| {
            (
                super::build::responsibility_reports(model, sources, bound, terms),
                super::build::clause_reports(model, sources, bound, terms),
            )
        })
        .unwrap_or_default();
    BindingExplanation {
        agency: agency_declared.header.owned_name(),
        contract: contract_declared.header.owned_name(),
        bound: binding.is_some(),
        basis: binding.map(|binding| binding.basis),
        from: binding.map(|binding| binding.from.to_string()),
        to: binding.map(|binding| binding.to.to_string()),
        ended: binding.is_some_and(|binding| binding.to < evaluation.as_of),
        because,
        responsibilities,
        clauses,
        orders,
    }
}

/// The order's derivation as a short tree.
pub fn order_text(explanation: &OrderExplanation) -> String {
    let mut out = String::new();
    let decision = match (explanation.decision, &explanation.legal_basis) {
        (Decision::Permitted, Some(basis)) => format!("permitted under {basis}"),
        (Decision::Permitted, None) => "permitted".to_string(),
        (Decision::Denied, _) => "denied".to_string(),
        (Decision::AfterAsOf, _) => "not judged: dated after the as-of date".to_string(),
    };
    let _ = writeln!(
        out,
        "order {}: {decision}\n  {} under {} on {}",
        explanation.order, explanation.buyer, explanation.contract, explanation.date
    );
    for step in &explanation.steps {
        let mark = if step.passed { "✓" } else { "✗" };
        let code = step
            .code
            .map(|code| format!("{}, ", code.name()))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {mark} {}: {}\n      [{code}{}:{}]",
            step.check,
            printable(&step.detail),
            step.location.file,
            step.location.line
        );
    }
    out
}

/// The binding's basis, or why there is none, as a short tree.
pub fn binding_text(explanation: &BindingExplanation) -> String {
    let mut out = String::new();
    match (&explanation.basis, &explanation.from, &explanation.to) {
        (Some(basis), Some(from), Some(to)) => {
            let basis = match basis {
                Basis::Lead => "as lead",
                Basis::JointParticipant => "as joint participant",
                Basis::Piggyback => "by piggyback",
            };
            let ended = if explanation.ended { " (ended)" } else { "" };
            let _ = writeln!(
                out,
                "{} is bound to {} {basis}, {from} to {to}{ended}",
                explanation.agency, explanation.contract
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "{} is not bound to {}",
                explanation.agency, explanation.contract
            );
        }
    }
    for fact in &explanation.because {
        let _ = writeln!(
            out,
            "  because {}\n      [{}:{}]",
            printable(&fact.detail),
            fact.location.file,
            fact.location.line
        );
    }
    if !explanation.clauses.is_empty() {
        let clauses: Vec<String> = explanation
            .clauses
            .iter()
            .map(super::ClauseReport::text)
            .collect();
        let _ = writeln!(out, "  terms: {}", printable(&clauses.join(", ")));
    }
    for responsibility in &explanation.responsibilities {
        let _ = writeln!(
            out,
            "  {}\n      [{}:{}]",
            printable(&responsibility.cited()),
            responsibility.rule.location.file,
            responsibility.rule.location.line
        );
    }
    if explanation.orders.is_empty() {
        out.push_str("  it placed no order under the contract\n");
    }
    for order in &explanation.orders {
        let (mark, decision) = match order.decision {
            Decision::Permitted => ("✓", "permitted".to_string()),
            Decision::Denied => {
                let codes: Vec<&str> = order.codes.iter().map(|code| code.name()).collect();
                ("✗", format!("denied: {}", codes.join(", ")))
            }
            Decision::AfterAsOf => ("·", "after the as-of date".to_string()),
        };
        let _ = writeln!(
            out,
            "  {mark} order {} on {}: {decision}\n      [{}:{}]",
            order.order, order.date, order.location.file, order.location.line
        );
    }
    out
}
