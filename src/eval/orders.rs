//! What an order is, before the rules judge it: on which footing its buyer orders (as the lead,
//! a joint participant, or a piggyback user), what it buys, and how permitted orders add up
//! under their contract. Whether it is lawful is for the rules: the prelude's and the packs'.

use super::volumes::Tally;
use super::{Basis, ContractUse, Judgment, Step};
use crate::model::{Model, Order, OrderId, Solicitation};

/// An order as the rules find it: its buyer's footing and what it buys, with no reason yet; with
/// `explain`, the first step of its derivation says who is ordering.
pub(super) fn judge(model: &Model, id: OrderId, explain: bool) -> Judgment {
    let order = &model.orders[id.0];
    let solicitation = model.solicitation_of(order.contract.value);
    let basis = basis_of(model, order);
    let steps = if explain {
        vec![Step {
            check: "who is ordering".into(),
            failed: None,
            detail: basis_detail(model, order, solicitation, basis),
            place: order.buyer.span,
        }]
    } else {
        Vec::new()
    };
    Judgment {
        order: id,
        basis,
        tally: Tally::of_lines(&order.lines),
        reasons: Vec::new(),
        legal_basis: None,
        steps,
    }
}

/// On what basis an order's buyer orders: as the lead, as a joint participant, or piggybacking.
pub(super) fn basis_of(model: &Model, order: &Order) -> Basis {
    let solicitation = model.solicitation_of(order.contract.value);
    let buyer = order.buyer.value;
    if solicitation.lead == buyer {
        Basis::Lead
    } else if solicitation.participant(buyer).is_some() {
        Basis::JointParticipant
    } else {
        Basis::Piggyback
    }
}

fn basis_detail(model: &Model, order: &Order, solicitation: &Solicitation, basis: Basis) -> String {
    let buyer = model.agency(order.buyer.value).header.display_name();
    let lead = model.agency(solicitation.lead).header.display_name();
    match basis {
        Basis::Lead => format!(
            "{buyer} led solicitation `{}`: the lead",
            solicitation.header.name.value
        ),
        Basis::JointParticipant => format!(
            "{buyer} is a joint participant of solicitation `{}`",
            solicitation.header.name.value
        ),
        Basis::Piggyback => format!(
            "{buyer} is neither the lead ({lead}) nor a joint participant of solicitation `{}`: a piggyback order",
            solicitation.header.name.value
        ),
    }
}

/// Adds a permitted order to its contract's volumes.
pub(super) fn record(order: &Order, judgment: &Judgment, usage: &mut ContractUse) {
    let buyer = order.buyer.value;
    usage.total.add(&judgment.tally);
    usage.orders += 1;
    let entry = usage
        .by_agency
        .entry(buyer)
        .or_insert_with(|| (judgment.basis, Tally::default()));
    entry.1.add(&judgment.tally);
    usage.first_order.entry(buyer).or_insert(order.date.value);
    if judgment.basis == Basis::Piggyback {
        usage.piggyback.add(&judgment.tally);
        if let Some(via) = &order.via {
            let instruments = usage.instruments.entry(buyer).or_default();
            if !instruments.contains(&via.value) {
                instruments.push(via.value);
            }
            let through = usage.through_instrument.entry(via.value).or_default();
            *through = through.saturating_add(judgment.tally.value);
        }
    }
}
