//! Who is bound to which contract, on which basis, from when to when; and commitments not met.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ContractUse;
use super::volumes::{Tally, amount_of};
use crate::model::{AgencyId, ContractId, InstrumentId, Model, Volume};
use crate::source::Spanned;
use crate::values::Date;

/// Why an agency is bound to a contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The agency that led the solicitation and awarded the contract.
    Lead,
    /// A participant of a joint solicitation, bound by the contract from its start.
    JointParticipant,
    /// A non-party bound by its own permitted orders.
    Piggyback,
}

/// One agency bound to one contract.
#[derive(Clone, Debug)]
pub struct Binding {
    pub agency: AgencyId,
    pub contract: ContractId,
    pub basis: Basis,
    pub from: Date,
    /// The term's end, counting options exercised by the as-of date.
    pub to: Date,
    /// The access instruments its permitted piggyback orders used.
    pub instruments: Vec<InstrumentId>,
    /// A joint participant's committed volume.
    pub commitment: Option<Spanned<Volume>>,
    /// What it ordered under the contract, permitted orders only.
    pub ordered: Tally,
    /// Committed minus ordered, when positive, in the commitment's measure.
    pub shortfall: Option<Decimal>,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Lead => "lead",
            Basis::JointParticipant => "joint participant",
            Basis::Piggyback => "piggyback",
        }
    }
}

/// Every binding as of a date: the lead and the joint participants of each awarded contract from
/// its start, and each piggyback user from its first permitted order. A denied order binds nobody.
pub(super) fn bindings(model: &Model, usage: &[ContractUse], as_of: Date) -> Vec<Binding> {
    let mut bindings = Vec::new();
    for (index, contract) in model.contracts.iter().enumerate() {
        if contract.awarded > as_of {
            continue;
        }
        let id = ContractId(index);
        let solicitation = model.solicitation(contract.solicitation);
        let used = &usage[index];
        let to = contract.end_as_of(as_of);
        let ordered = |agency: AgencyId| {
            used.by_agency
                .get(&agency)
                .map(|agency_use| agency_use.tally.clone())
                .unwrap_or_default()
        };
        let mut parties = vec![(solicitation.lead, Basis::Lead, None)];
        for participant in &solicitation.participants {
            if participant.agency != solicitation.lead {
                parties.push((participant.agency, Basis::JointParticipant, None));
            }
            if let Some(commitment) = &participant.commitment {
                if participant.agency == solicitation.lead {
                    parties[0].2 = Some(commitment.clone());
                } else if let Some(last) = parties.last_mut() {
                    last.2 = Some(commitment.clone());
                }
            }
        }
        for (agency, basis, commitment) in parties {
            let ordered = ordered(agency);
            let shortfall = commitment.as_ref().and_then(|commitment| {
                let missing = amount_of(&commitment.value)
                    .saturating_sub(ordered.measured_like(&commitment.value, solicitation));
                (missing > Decimal::ZERO).then_some(missing)
            });
            bindings.push(Binding {
                agency,
                contract: id,
                basis,
                from: contract.term.start,
                to,
                instruments: Vec::new(),
                commitment,
                ordered,
                shortfall,
            });
        }
        for (agency, agency_use) in &used.by_agency {
            if agency_use.basis != Basis::Piggyback {
                continue;
            }
            bindings.push(Binding {
                agency: *agency,
                contract: id,
                basis: Basis::Piggyback,
                from: agency_use.first_order,
                to,
                instruments: agency_use.instruments.clone(),
                commitment: None,
                ordered: agency_use.tally.clone(),
                shortfall: None,
            });
        }
    }
    bindings.sort_by(|left, right| {
        let left_key = (
            &model.agency(left.agency).header.name.value,
            &model.contract(left.contract).header.name.value,
        );
        let right_key = (
            &model.agency(right.agency).header.name.value,
            &model.contract(right.contract).header.name.value,
        );
        left_key.cmp(&right_key)
    });
    bindings
}
