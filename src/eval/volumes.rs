//! Tallies of ordered volume, and measuring them in the unit a commitment or maximum is written in.
//!
//! Numbers in a model are at most a quadrillion, so real totals stay far inside a decimal's range;
//! arithmetic saturates all the same, so that no input can make evaluation panic.

use rust_decimal::Decimal;
use smallvec::SmallVec;

use crate::model::{ItemId, LineItem, Measure, Order, OrderLine, Solicitation, Volume};

/// What some set of orders bought: quantity per item and total value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Per item, by item: a sorted list, since an order buys a few items and a contract's
    /// solicitation names a few dozen (cheaper to build per order than a tree); an order's
    /// first two items are held inline, so tallying an order allocates nothing.
    pub quantities: SmallVec<[(ItemId, Decimal); 2]>,
    /// Total value, in the contract's currency.
    pub value: Decimal,
}

impl Tally {
    /// What one order buys: its lines, or, for a call-off without lines, its stated value.
    pub fn of_order(order: &Order) -> Tally {
        match (order.value(), order.lines.is_empty()) {
            (Some(value), true) => Tally {
                quantities: SmallVec::new(),
                value: value.value.amount,
            },
            _ => Tally::of_lines(&order.lines),
        }
    }

    /// The tally of one order's lines.
    pub fn of_lines(lines: &[OrderLine]) -> Tally {
        let mut tally = Tally::default();
        for line in lines {
            if let LineItem::InScope(item) = line.item {
                tally.add_quantity(item, line.quantity);
            }
            let value = line.quantity.saturating_mul(line.unit_price.amount);
            tally.value = tally.value.saturating_add(value);
        }
        tally
    }

    pub fn add(&mut self, other: &Tally) {
        for (item, quantity) in &other.quantities {
            self.add_quantity(*item, *quantity);
        }
        self.value = self.value.saturating_add(other.value);
    }

    fn add_quantity(&mut self, item: ItemId, quantity: Decimal) {
        match self
            .quantities
            .binary_search_by_key(&item, |(known, _)| *known)
        {
            Ok(position) => {
                let total = &mut self.quantities[position].1;
                *total = total.saturating_add(quantity);
            }
            Err(position) => self.quantities.insert(position, (item, quantity)),
        }
    }

    /// The quantity bought of one item.
    pub fn quantity(&self, item: ItemId) -> Decimal {
        self.quantities
            .binary_search_by_key(&item, |(known, _)| *known)
            .map_or(Decimal::ZERO, |position| self.quantities[position].1)
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
            Measure::Item(item) => self.quantity(*item),
            Measure::Unit(unit) => self
                .quantities
                .iter()
                .filter(|(item, _)| solicitation.item(*item).unit == *unit)
                .fold(Decimal::ZERO, |total, (_, quantity)| {
                    total.saturating_add(*quantity)
                }),
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

/// `rate` percent of `amount`, saturating.
pub fn percentage_of(amount: Decimal, rate: Decimal) -> Decimal {
    amount.saturating_mul(rate) / Decimal::ONE_HUNDRED
}

/// A sum that saturates rather than overflows.
pub fn saturating_sum(amounts: impl IntoIterator<Item = Decimal>) -> Decimal {
    amounts
        .into_iter()
        .fold(Decimal::ZERO, Decimal::saturating_add)
}

/// `20 truck`, `USD 1,000.00`.
pub fn describe(volume: &Volume, solicitation: &Solicitation) -> String {
    describe_like(amount_of(volume), volume, solicitation)
}

/// An amount written in the measure of `like`.
pub fn describe_like(amount: Decimal, like: &Volume, solicitation: &Solicitation) -> String {
    match like {
        Volume::Money(money) => crate::values::Money::new(money.currency, amount).to_string(),
        Volume::Quantity { measure, .. } => {
            let unit = match measure {
                Measure::Item(item) => solicitation.item(*item).name.value.as_str(),
                Measure::Unit(unit) => unit.as_str(),
            };
            format!("{} {unit}", crate::values::format_quantity(amount))
        }
    }
}
