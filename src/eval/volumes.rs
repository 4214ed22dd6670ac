//! Tallies of ordered volume, and measuring them in the unit a commitment or maximum is written in.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::model::{ItemId, LineItem, Measure, OrderLine, Solicitation, Volume};

/// What some set of orders bought: quantity per item and total value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub quantities: BTreeMap<ItemId, Decimal>,
    /// Total value, in the contract's currency.
    pub value: Decimal,
}

impl Tally {
    /// The tally of one order's lines.
    pub fn of_lines(lines: &[OrderLine]) -> Tally {
        let mut tally = Tally::default();
        for line in lines {
            if let LineItem::InScope(item) = line.item {
                *tally.quantities.entry(item).or_default() += line.quantity;
            }
            tally.value += line.quantity * line.unit_price.amount;
        }
        tally
    }

    pub fn add(&mut self, other: &Tally) {
        for (item, quantity) in &other.quantities {
            *self.quantities.entry(*item).or_default() += *quantity;
        }
        self.value += other.value;
    }

    /// This tally in the measure of `volume`: its value for money, or the quantity of the item
    /// (or of every item sold in the unit) that the volume counts.
    pub fn measured_like(&self, volume: &Volume, solicitation: &Solicitation) -> Decimal {
        match volume {
            Volume::Money(_) => self.value,
            Volume::Quantity { measure, .. } => self.measure(measure, solicitation),
        }
    }

    pub fn measure(&self, measure: &Measure, solicitation: &Solicitation) -> Decimal {
        match measure {
            Measure::Item(item) => self.quantities.get(item).copied().unwrap_or_default(),
            Measure::Unit(unit) => self
                .quantities
                .iter()
                .filter(|(item, _)| solicitation.item(**item).unit == *unit)
                .map(|(_, quantity)| *quantity)
                .sum(),
        }
    }
}

/// The amount a volume states: money's amount or the quantity's count.
pub fn amount_of(volume: &Volume) -> Decimal {
    match volume {
        Volume::Money(money) => money.amount,
        Volume::Quantity { count, .. } => *count,
    }
}
