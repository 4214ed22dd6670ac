//! What judging has added up so far, as the rules read it: the contracts' volumes, the permitted
//! orders, the aggregates' running totals and the caps used. Of an order judged ahead of the
//! orders before it (on another core), only what read none of this is kept: every read goes
//! through a method of [`Running`], which remembers that it was made.

use std::cell::Cell;

use super::ContractUse;
use super::orders::CapUse;
use super::rules::Totals;
use crate::model::{Model, OrderId};

/// The state before any order is judged: what threads judging ahead read, since a judgment
/// that read any of it is not kept.
pub(super) struct Start {
    usage: Vec<ContractUse>,
    totals: Totals,
    caps: CapUse,
}

impl Start {
    pub fn new(model: &Model) -> Start {
        Start {
            usage: model
                .contracts
                .iter()
                .map(|_| ContractUse::default())
                .collect(),
            totals: Totals::default(),
            caps: CapUse::default(),
        }
    }

    pub fn so_far(&self) -> SoFar<'_> {
        SoFar {
            usage: &self.usage,
            permitted: &[],
            totals: &self.totals,
            caps: &self.caps,
        }
    }
}

/// What judging has added up so far.
#[derive(Clone, Copy)]
pub(super) struct SoFar<'e> {
    pub usage: &'e [ContractUse],
    pub permitted: &'e [OrderId],
    pub totals: &'e Totals,
    pub caps: &'e CapUse,
}

/// What judging has added up so far as one judgment reads it, and whether it did.
pub(super) struct Running<'e> {
    so_far: SoFar<'e>,
    read: Cell<bool>,
}

impl<'e> Running<'e> {
    /// For a judgment in its turn.
    pub fn new(so_far: SoFar<'e>) -> Running<'e> {
        Running {
            so_far,
            read: Cell::new(false),
        }
    }

    /// For a judgment ahead of its turn: what reads any of `start` is not kept.
    pub fn ahead(start: &'e Start) -> Running<'e> {
        Running::new(start.so_far())
    }

    /// What permitted orders so far used of each contract, in the model's contract order.
    pub fn usage(&self) -> &'e [ContractUse] {
        self.read.set(true);
        self.so_far.usage
    }

    /// The permitted orders so far, in date order.
    pub fn permitted(&self) -> &'e [OrderId] {
        self.read.set(true);
        self.so_far.permitted
    }

    /// The running totals of the aggregates that have an index, over the permitted orders.
    pub fn totals(&self) -> &'e Totals {
        self.read.set(true);
        self.so_far.totals
    }

    /// What permitted orders used of the access instruments' caps.
    pub fn caps(&self) -> &'e CapUse {
        self.read.set(true);
        self.so_far.caps
    }

    /// Whether any of it was read since it was made, or since [`Running::take_read`] last
    /// asked.
    pub fn was_read(&self) -> bool {
        self.read.get()
    }

    /// Whether a rule read any of it since this was last asked: a judgment ahead of its turn
    /// leaves such a rule for the turn, and goes on with the next.
    pub fn take_read(&self) -> bool {
        self.read.replace(false)
    }
}
