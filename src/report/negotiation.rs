//! The negotiating position a contract's use gives its lead for the next solicitation: the
//! founding document's retrospective point, that historical volume improves pricing and terms.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Amount;
use crate::eval::volumes::{Tally, amount_of};
use crate::eval::{Basis, ContractUse};
use crate::model::{Contract, ItemId, Model, Solicitation};
use crate::values::{Money, format_percentage, format_quantity};

/// Per contract: what was committed and bought, by whom, against the estimate a supplier priced
/// for, which price tier the combined volume reaches, and what a follow-up joint solicitation
/// could commit to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NegotiatingPosition {
    /// Whether the contract ends within the report's horizon of the as-of date.
    pub ends_within_horizon: bool,
    /// The joint participants' commitments, in the contract's measure; null for a single
    /// agency's solicitation.
    pub committed: Option<Amount>,
    /// Bought by the lead and the joint participants.
    pub parties_bought: Bought,
    /// Bought by piggyback users.
    pub piggyback_bought: Bought,
    /// Everything bought: the volume a follow-up joint solicitation could commit to.
    pub total_bought: Bought,
    /// Use as a percentage of the solicitation's estimate, measured as the estimate is.
    pub use_of_estimate: Option<String>,
    /// For each item bought, the price tier its combined quantity reaches.
    pub tiers: Vec<TierReached>,
    /// The agencies that would join a follow-up joint solicitation: every agency that bought, and
    /// every joint participant.
    pub agencies: Vec<String>,
}

/// Quantities per unit and their value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bought {
    pub quantities: Vec<Amount>,
    pub value: Money,
}

/// The price the combined quantity of one item earns under the contract's volume tiers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierReached {
    pub item: String,
    /// Everything bought of the item, in its unit.
    pub quantity: Amount,
    /// The unit price of the tier reached (the base price when no tier is reached).
    pub unit_price: Money,
    /// The quantity the reached tier starts at; null for the base price.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub tier_from: Option<Decimal>,
    /// The next tier up, if any: the quantity it starts at and its price.
    pub next_tier: Option<NextTier>,
}

impl TierReached {
    /// "the tier from 10 trimmer at USD 349.00; the next tier starts at 50 trimmer (USD 329.00)"
    pub fn describe(&self) -> String {
        let unit = match &self.quantity {
            Amount::Quantity { unit, .. } => unit.as_str(),
            Amount::Money(_) => "",
        };
        let reached = match &self.tier_from {
            Some(from) => format!(
                "the tier from {} {unit} at {}",
                format_quantity(*from),
                self.unit_price
            ),
            None => format!("the base price {}", self.unit_price),
        };
        match &self.next_tier {
            Some(next) => format!(
                "{reached}; the next tier starts at {} {unit} ({})",
                format_quantity(next.from),
                next.unit_price
            ),
            None => reached,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NextTier {
    #[serde(with = "rust_decimal::serde::str")]
    pub from: Decimal,
    pub unit_price: Money,
}

/// Everything the position needs from the rest of the report's building.
pub(super) struct Context<'a> {
    pub model: &'a Model,
    pub contract: &'a Contract,
    pub solicitation: &'a Solicitation,
    pub usage: &'a ContractUse,
    pub committed: Option<Amount>,
    pub ends_within_horizon: bool,
}

impl Context<'_> {
    pub(super) fn position(&self) -> NegotiatingPosition {
        let mut parties = Tally::default();
        let mut piggyback = Tally::default();
        for agency_use in self.usage.by_agency.values() {
            match agency_use.basis {
                Basis::Piggyback => piggyback.add(&agency_use.tally),
                Basis::Lead | Basis::JointParticipant => parties.add(&agency_use.tally),
            }
        }
        let mut agencies: Vec<String> = self
            .usage
            .by_agency
            .keys()
            .copied()
            .chain(
                self.solicitation
                    .participants
                    .iter()
                    .map(|participant| participant.agency),
            )
            .map(|agency| self.model.agency(agency).header.owned_name())
            .collect();
        agencies.sort();
        agencies.dedup();
        NegotiatingPosition {
            ends_within_horizon: self.ends_within_horizon,
            committed: self.committed.clone(),
            parties_bought: self.bought(&parties),
            piggyback_bought: self.bought(&piggyback),
            total_bought: self.bought(&self.usage.total),
            use_of_estimate: self.use_of_estimate(),
            tiers: self.tiers(),
            agencies,
        }
    }

    fn bought(&self, tally: &Tally) -> Bought {
        Bought {
            quantities: super::build::tally_amounts(tally, self.solicitation),
            value: super::build::money(self.contract, tally.value),
        }
    }

    fn use_of_estimate(&self) -> Option<String> {
        let estimate = &self.solicitation.estimate.as_ref()?.value;
        let planned = amount_of(estimate);
        if planned.is_zero() {
            return None;
        }
        let used = self.usage.total.measured_like(estimate, self.solicitation);
        Some(format_percentage(
            used.saturating_mul(Decimal::ONE_HUNDRED) / planned,
        ))
    }

    fn tiers(&self) -> Vec<TierReached> {
        self.usage
            .total
            .quantities
            .iter()
            .filter_map(|(item, quantity)| self.tier_reached(*item, *quantity))
            .collect()
    }

    fn tier_reached(&self, item: ItemId, quantity: Decimal) -> Option<TierReached> {
        let reached = self.contract.unit_price(item, quantity)?;
        let next = self
            .contract
            .prices
            .iter()
            .filter(|price| price.item == item && price.from > quantity)
            .min_by_key(|price| price.from);
        let declared = self.solicitation.item(item);
        Some(TierReached {
            item: declared.name.value.clone(),
            quantity: Amount::Quantity {
                quantity,
                unit: declared.unit.to_string(),
            },
            unit_price: reached.unit_price,
            tier_from: (!reached.from.is_zero()).then_some(reached.from),
            next_tier: next.map(|price| NextTier {
                from: price.from,
                unit_price: price.unit_price,
            }),
        })
    }
}
