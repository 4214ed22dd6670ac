//! Frameworks in the report: a solicitation awarded by several contracts, or divided into lots,
//! shown as a whole (its estimate and maximum against what every contract awarding it bought),
//! per lot, and per supplier contract.

use rust_decimal::Decimal;

use super::build::{amount_like, money, stated_amount};
use super::{FrameworkContractReport, FrameworkReport, LotReport};
use crate::eval::Evaluation;
use crate::eval::volumes::{Tally, amount_of};
use crate::model::{CallOffKind, ContractId, LotId, Model, Solicitation, Volume};
use crate::source::SourceMap;
use crate::values::{Money, format_percentage};

/// Every solicitation awarded by more than one contract or divided into lots, in name order.
pub(super) fn frameworks(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
) -> Vec<FrameworkReport> {
    model
        .solicitations
        .iter()
        .filter(|solicitation| solicitation.contracts.len() > 1 || !solicitation.lots.is_empty())
        .map(|solicitation| framework(model, evaluation, sources, solicitation))
        .collect()
}

fn framework(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    solicitation: &Solicitation,
) -> FrameworkReport {
    let measure = measure(model, solicitation);
    let total = |lot: Option<LotId>| {
        let mut tally = Tally::default();
        for contract in &solicitation.contracts {
            if lot.is_none() || model.contract(*contract).lot == lot {
                tally.add(&evaluation.contract_use(*contract).total);
            }
        }
        tally
    };
    let whole = total(None);
    let currency = currency(model, solicitation);
    FrameworkReport {
        solicitation: solicitation.header.owned_name(),
        title: solicitation.header.title().map(str::to_owned),
        lead: model.agency(solicitation.lead).header.owned_name(),
        estimate: stated_amount(solicitation.estimate.as_ref(), solicitation),
        maximum: stated_amount(solicitation.maximum.as_ref(), solicitation),
        ordered: measured(&whole, &measure, solicitation),
        ordered_value: Money::in_cents(currency, whole.value),
        share_of_maximum: share(&whole, solicitation.maximum.as_ref(), solicitation),
        buyers: solicitation
            .buyers
            .agencies
            .iter()
            .map(|agency| model.agency(*agency).header.owned_name())
            .collect(),
        buyers_where: solicitation.buyers.condition.as_ref().map(|condition| {
            let text = &sources.file(condition.span.file).text;
            text[condition.span.start as usize..condition.span.end as usize].to_string()
        }),
        lots: solicitation
            .lots
            .iter()
            .enumerate()
            .map(|(index, lot)| {
                let id = LotId(index);
                let ordered = total(Some(id));
                LotReport {
                    name: lot.name.value.clone(),
                    title: lot.title.clone(),
                    estimate: stated_amount(lot.estimate.as_ref(), solicitation),
                    maximum: stated_amount(lot.maximum.as_ref(), solicitation),
                    ordered: measured(&ordered, &measure, solicitation),
                    ordered_value: Money::in_cents(currency, ordered.value),
                    share_of_maximum: share(&ordered, lot.maximum.as_ref(), solicitation),
                    contracts: solicitation
                        .contracts
                        .iter()
                        .filter(|contract| model.contract(**contract).lot == Some(id))
                        .map(|contract| model.contract(*contract).header.owned_name())
                        .collect(),
                }
            })
            .collect(),
        contracts: solicitation
            .contracts
            .iter()
            .map(|id| contract(model, evaluation, solicitation, *id, &measure))
            .collect(),
    }
}

fn contract(
    model: &Model,
    evaluation: &Evaluation,
    solicitation: &Solicitation,
    id: ContractId,
    measure: &Volume,
) -> FrameworkContractReport {
    let contract = model.contract(id);
    let usage = evaluation.contract_use(id);
    let mini_competitions = evaluation
        .judgments
        .iter()
        .filter(|judgment| judgment.is_permitted())
        .map(|judgment| &model.orders[judgment.order.0])
        .filter(|order| {
            order.contract.value == id
                && order
                    .call_off()
                    .is_some_and(|call_off| call_off.kind == CallOffKind::MiniCompetition)
        })
        .count();
    FrameworkContractReport {
        name: contract.header.owned_name(),
        suppliers: contract.suppliers.clone(),
        lot: contract
            .lot
            .map(|lot| solicitation.lot(lot).name.value.clone()),
        ordered: measured(&usage.total, measure, solicitation),
        ordered_value: money(contract, usage.total.value),
        orders_permitted: usage.orders,
        mini_competitions,
    }
}

/// A tally in a measure, as the report writes it.
fn measured(tally: &Tally, measure: &Volume, solicitation: &Solicitation) -> super::Amount {
    amount_like(
        tally.measured_like(measure, solicitation),
        measure,
        solicitation,
    )
}

/// What the framework's use is counted in: its measure, else money in its contracts' currency.
fn measure(model: &Model, solicitation: &Solicitation) -> Volume {
    solicitation
        .measure()
        .cloned()
        .unwrap_or_else(|| Volume::Money(Money::new(currency(model, solicitation), Decimal::ZERO)))
}

/// The currency of the framework's contracts (they may price nothing: then of its amounts).
fn currency(model: &Model, solicitation: &Solicitation) -> crate::values::Currency {
    solicitation
        .contracts
        .iter()
        .find_map(|contract| model.contract(*contract).currency)
        .unwrap_or_else(|| "XXX".into())
}

/// What a tally is as a percentage of a maximum, in the maximum's measure.
fn share(
    tally: &Tally,
    maximum: Option<&crate::source::Spanned<Volume>>,
    solicitation: &Solicitation,
) -> Option<String> {
    let maximum = &maximum?.value;
    let limit = amount_of(maximum);
    (!limit.is_zero()).then(|| {
        format_percentage(
            tally
                .measured_like(maximum, solicitation)
                .saturating_mul(Decimal::ONE_HUNDRED)
                / limit,
        )
    })
}
