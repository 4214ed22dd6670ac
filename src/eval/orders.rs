//! What an order is, before the rules judge it: on which footing its buyer orders (as the lead,
//! a joint participant, or a piggyback user), what it buys, and how permitted orders add up
//! under their contract. Whether it is lawful is for the rules: the prelude's and the packs'.

use ahash::AHashMap;
use rust_decimal::Decimal;
use thin_vec::ThinVec;

use super::volumes::Tally;
use super::{AgencyUse, Basis, ContractUse, Judgment, Step};
use crate::model::rules::Period;
use crate::model::{AgencyId, Cap, InstrumentId, Model, Order, OrderId, Solicitation};
use crate::values::{Date, Money};

/// An order as the rules find it: its buyer's footing, with no reason yet, and what it buys; with
/// `explain`, the first step of its derivation says who is ordering.
pub(super) fn judge(model: &Model, id: OrderId, explain: bool) -> (Judgment, Tally) {
    let order = &model.orders[id.0];
    let solicitation = model.solicitation_of(order.contract.value);
    let basis = basis_of(model, order);
    let steps = if explain {
        thin_vec::thin_vec![Step {
            check: "who is ordering".into(),
            failed: None,
            detail: basis_detail(model, order, solicitation, basis),
            place: order.buyer.span,
        }]
    } else {
        ThinVec::new()
    };
    let judgment = Judgment {
        order: id,
        basis,
        reasons: ThinVec::new(),
        legal_basis: None,
        steps,
    };
    (judgment, Tally::of_order(order))
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

/// Adds a permitted order, which buys `tally`, to its contract's volumes.
pub(super) fn record(order: &Order, judgment: &Judgment, tally: &Tally, usage: &mut ContractUse) {
    usage.total.add(tally);
    usage.orders += 1;
    // Orders are counted by date: the first to add an agency is its first.
    let agency_use = usage
        .by_agency
        .entry(order.buyer.value)
        .or_insert_with(|| AgencyUse {
            basis: judgment.basis,
            tally: Tally::default(),
            first_order: order.date.value,
            instruments: Vec::new(),
        });
    agency_use.tally.add(tally);
    if judgment.basis == Basis::Piggyback {
        usage.piggyback.add(tally);
        // Every instrument it uses binds the buyer, and its fees fall due: those named, and
        // those they are under (a state's agreement above a local one).
        for instrument in &order.instruments {
            if !agency_use.instruments.contains(instrument) {
                agency_use.instruments.push(*instrument);
            }
            let through = usage.through_instrument.entry(*instrument).or_default();
            *through = through.saturating_add(tally.value);
        }
    }
}

/// What permitted orders used of the caps of the access instruments they went through: per
/// capped instrument, per buyer (for a cap per buyer) and per calendar period (for a cap per
/// period), in the cap's currency. Kept as orders are permitted, so reading a cap's use is a
/// lookup.
#[derive(Debug, Default)]
pub struct CapUse {
    used: AHashMap<CapKey, Decimal>,
}

/// An instrument, the buyer when its cap is per buyer, the period's first day when per period.
type CapKey = (InstrumentId, Option<AgencyId>, Option<Date>);

impl CapUse {
    /// Adds a permitted order to the caps of the instruments it used, each in its currency.
    pub(super) fn add(&mut self, model: &Model, order: &Order, tally: &Tally) {
        let currency = order
            .lines
            .first()
            .map(|line| line.unit_price.currency)
            .or(model.contract(order.contract.value).currency);
        for instrument in &order.instruments {
            let Some(cap) = &model.instrument(*instrument).cap else {
                continue;
            };
            if currency != Some(cap.amount.currency) {
                continue;
            }
            let key = key(cap, *instrument, order.buyer.value, order.date.value);
            let used = self.used.entry(key).or_default();
            *used = used.saturating_add(tally.value);
        }
    }

    /// What permitted orders used of an instrument's cap, in the period holding `date`, by
    /// `buyer` for a cap per buyer; `None` for a cap per buyer when no buyer is known.
    pub(super) fn used(
        &self,
        model: &Model,
        instrument: InstrumentId,
        buyer: Option<AgencyId>,
        date: Date,
    ) -> Option<Money> {
        let cap = model.instrument(instrument).cap.as_ref()?;
        let buyer = match (cap.per_buyer, buyer) {
            (true, None) => return None,
            (_, buyer) => buyer.unwrap_or(AgencyId(usize::MAX)),
        };
        let used = self
            .used
            .get(&key(cap, instrument, buyer, date))
            .copied()
            .unwrap_or_default();
        Some(Money::new(cap.amount.currency, used))
    }
}

fn key(cap: &Cap, instrument: InstrumentId, buyer: AgencyId, date: Date) -> CapKey {
    let months = cap.every.map(|every| match every {
        Period::Month => 1,
        Period::Quarter => 3,
        Period::Year => 12,
    });
    (
        instrument,
        cap.per_buyer.then_some(buyer),
        months.and_then(|months| super::rules::period_containing(date, months)),
    )
}
