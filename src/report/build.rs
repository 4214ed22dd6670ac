//! Building the report data from a checked model and its evaluation.

use rust_decimal::Decimal;

use super::negotiation;
use super::*;
use crate::diagnostic::Diagnostic;
use crate::eval::rules::{BindingTerms, ClauseSource};
use crate::eval::volumes::{Tally, amount_of, percentage_of, saturating_sum};
use crate::eval::waivers::Waivers;
use crate::eval::{Basis, Binding, Evaluation};
use crate::model::rules::Extent;
use crate::model::{Contract, ContractId, Counterparty, Measure, Model, Solicitation, Volume};
use crate::source::SourceMap;
use crate::values::format_percentage;

/// The report of a model as evaluated. Orders keep the evaluation's date order; agencies and
/// contracts are in name order, so the same input always gives the same report.
///
/// `check_findings` are the warnings checking found (a model with errors has no report); they
/// come first among the report's findings.
/// Contracts that end within `horizon_days` of the as-of date come first, soonest first.
pub fn build(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    check_findings: &[Diagnostic],
    horizon_days: u32,
) -> Report {
    let waivers = Waivers::new(model, evaluation.as_of);
    let mut report = without_orders(
        model,
        evaluation,
        sources,
        check_findings,
        horizon_days,
        &waivers,
    );
    report.orders = order_reports(model, evaluation, sources, &waivers).collect();
    report
}

/// The report but its orders, which are left empty: [`order_reports`] makes them, one at a time.
pub(super) fn without_orders(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    check_findings: &[Diagnostic],
    horizon_days: u32,
    waivers: &Waivers<'_>,
) -> Report {
    let every_finding: Vec<&Diagnostic> = if model.waivers.is_empty() {
        Vec::new()
    } else {
        check_findings
            .iter()
            .chain(&evaluation.findings)
            .chain(
                evaluation
                    .judgments
                    .iter()
                    .flat_map(|judgment| &judgment.reasons),
            )
            .collect()
    };
    Report {
        program: program_name(sources),
        as_of: evaluation.as_of.to_string(),
        horizon_days,
        summary: summary(model, evaluation),
        agencies: agencies(model, evaluation, sources),
        orders: Vec::new(),
        contracts: contracts(model, evaluation, sources, horizon_days),
        frameworks: super::frameworks::frameworks(model, evaluation, sources),
        ledgers: super::ledger_counts(sources, model),
        rules: model
            .rules
            .iter()
            .zip(&evaluation.rule_tallies)
            .enumerate()
            .map(|(index, (rule, tally))| RuleReport {
                rule: super::duties::rule_finding(sources, &crate::eval::rules::reference(rule)),
                scope: rule.scope.keyword().to_string(),
                considered: tally.considered,
                applied: tally.applied,
                failed: tally.failed,
                undecided: tally.undecided,
                set_aside: tally.set_aside,
                set_aside_by: set_aside_by(model, index),
                permitted: rule.permits.is_some().then_some(tally.permitted),
            })
            .collect(),
        findings: findings(model, evaluation, sources, check_findings, waivers).collect(),
        waivers: model
            .waivers
            .iter()
            .enumerate()
            .map(|(index, waiver)| {
                let waived = every_finding
                    .iter()
                    .filter(|finding| waivers.waiving(finding) == Some(index))
                    .count();
                waiver_report(sources, waiver, evaluation.as_of, waived)
            })
            .collect(),
    }
}

/// The counts of the report's summary: agencies, contracts, and orders judged, permitted,
/// denied and after the as-of date.
pub(super) fn summary(model: &Model, evaluation: &Evaluation) -> Summary {
    let permitted = evaluation
        .judgments
        .iter()
        .filter(|judgment| judgment.is_permitted())
        .count();
    Summary {
        agencies: model.agencies.len(),
        contracts: model.contracts.len(),
        orders: evaluation.judgments.len(),
        permitted,
        denied: evaluation.judgments.len() - permitted,
        after_as_of: evaluation.later_orders.len(),
    }
}

/// The report's orders, made one at a time (a million orders need not be held at once): judged
/// orders in the evaluation's date order, then the orders after the as-of date.
pub fn order_reports<'a>(
    model: &'a Model,
    evaluation: &'a Evaluation,
    sources: &'a SourceMap,
    waivers: &'a Waivers<'a>,
) -> impl Iterator<Item = OrderReport> + 'a {
    let count = evaluation.judgments.len() + evaluation.later_orders.len();
    (0..count).map(|position| order_report_at(model, evaluation, sources, waivers, position))
}

/// The report's order at `position` among [`order_reports`].
pub fn order_report_at(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    waivers: &Waivers<'_>,
    position: usize,
) -> OrderReport {
    let judgments = &evaluation.judgments;
    match judgments.get(position) {
        Some(judgment) => order_report(model, sources, waivers, judgment.order, Some(judgment)),
        None => {
            let later = evaluation.later_orders[position - judgments.len()];
            order_report(model, sources, waivers, later, None)
        }
    }
}

/// The report's findings not about one order: checking's warnings, then evaluation's findings,
/// each with the waiver that sets it aside, if one does.
pub fn findings<'a>(
    model: &'a Model,
    evaluation: &'a Evaluation,
    sources: &'a SourceMap,
    check_findings: &'a [Diagnostic],
    waivers: &'a Waivers<'a>,
) -> impl Iterator<Item = Finding> + 'a {
    check_findings
        .iter()
        .chain(&evaluation.findings)
        .map(|diagnostic| waived_finding(sources, model, waivers, diagnostic))
}

/// A finding in the report's shape, with the waiver that sets it aside, if one does.
pub fn waived_finding(
    sources: &SourceMap,
    model: &Model,
    waivers: &Waivers<'_>,
    diagnostic: &Diagnostic,
) -> Finding {
    let mut found = finding(sources, diagnostic);
    found.waived = waivers.waiving(diagnostic).map(|index| {
        let waiver = &model.waivers[index];
        Waived {
            because: waiver.because.clone(),
            by: waiver.by.clone(),
            until: waiver.until.map(|until| until.to_string()),
        }
    });
    found
}

/// A waiver of the model in the report's shape; `waived` is how many findings it sets aside.
pub fn waiver_report(
    sources: &SourceMap,
    waiver: &crate::model::Waiver,
    as_of: crate::values::Date,
    waived: usize,
) -> WaiverReport {
    WaiverReport {
        finding: waiver.written.value.clone(),
        on: waiver.on.value.clone(),
        because: waiver.because.clone(),
        by: waiver.by.clone(),
        until: waiver.until.map(|until| until.to_string()),
        expired: !crate::eval::waivers::in_force(waiver, as_of),
        waived,
        location: location(sources, waiver.span),
    }
}

/// The model's file without `.coop` when the model is one `.coop` file (its ledgers aside), else
/// the name of the directory that holds it.
pub fn program_name(sources: &SourceMap) -> String {
    let mut files = sources
        .model_files()
        .filter(|(_, file)| file.kind == crate::source::FileKind::Coop);
    let single = match (files.next(), files.next()) {
        (Some((_, file)), None) => Some(file),
        _ => None,
    };
    let name = match single {
        Some(file) => std::path::Path::new(&file.name)
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned()),
        None => sources
            .root
            .as_ref()
            .and_then(|root| root.file_name())
            .map(|name| name.to_string_lossy().into_owned()),
    };
    name.filter(|name| !name.is_empty())
        .unwrap_or_else(|| "the model".to_string())
}

/// One order with its decision; an order without a judgment is after the as-of date.
fn order_report(
    model: &Model,
    sources: &SourceMap,
    waivers: &Waivers<'_>,
    id: crate::model::OrderId,
    judgment: Option<&crate::eval::Judgment>,
) -> OrderReport {
    let order = &model.orders[id.0];
    let contract = model.contract(order.contract.value);
    // Priced in its lines' currency (the contract's, when the contract prices anything).
    let currency = order.lines.first().map_or_else(
        || money(contract, Decimal::ZERO).currency,
        |line| line.unit_price.currency,
    );
    OrderReport {
        name: order.header.owned_name(),
        title: order.header.title().map(str::to_owned),
        buyer: model.agency(order.buyer.value).header.owned_name(),
        contract: contract.header.owned_name(),
        date: order.date.value.to_string(),
        decision: Decision::of(judgment),
        basis: judgment.map(|judgment| judgment.basis),
        via: order
            .via
            .first()
            .map(|via| model.instrument(via.value).header.owned_name()),
        via_also: order
            .via
            .iter()
            .skip(1)
            .map(|via| model.instrument(via.value).header.owned_name())
            .collect(),
        value: Some(Money::in_cents(currency, Tally::of_order(order).value)),
        location: location(sources, order.header.name.span),
        period: order.period().map(|period| PeriodReport {
            from: period.start.to_string(),
            to: period.end.to_string(),
        }),
        legal_basis: judgment
            .filter(|judgment| judgment.is_permitted())
            .and_then(|judgment| judgment.legal_basis)
            .map(|basis| {
                super::duties::rule_finding(
                    sources,
                    &crate::eval::rules::reference(&model.rules[basis]),
                )
            }),
        reasons: judgment
            .map(|judgment| {
                judgment
                    .reasons
                    .iter()
                    .map(|reason| waived_finding(sources, model, waivers, reason))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn agencies(model: &Model, evaluation: &Evaluation, sources: &SourceMap) -> Vec<AgencyReport> {
    // Each agency's bindings, found in one pass (in the evaluation's order), not one pass an
    // agency: a program has thousands of agencies and of bindings.
    let mut bindings_of: Vec<Vec<(&Binding, &BindingTerms)>> =
        vec![Vec::new(); model.agencies.len()];
    for (binding, terms) in evaluation.bindings.iter().zip(&evaluation.binding_terms) {
        bindings_of[binding.agency.0].push((binding, terms));
    }
    let mut duties_of = super::duties::by_agency(model, evaluation, sources).into_iter();
    model
        .agencies
        .iter()
        .zip(bindings_of)
        .map(|(agency, bindings)| AgencyReport {
            name: agency.header.owned_name(),
            title: agency.header.title().map(str::to_owned),
            kind: agency
                .kinds
                .first()
                .map_or_else(String::new, ToString::to_string),
            kinds: match agency.kinds.as_slice() {
                [] | [_] => Vec::new(),
                several => several.iter().map(ToString::to_string).collect(),
            },
            roles: agency.roles.iter().map(ToString::to_string).collect(),
            jurisdiction: agency.jurisdiction.to_string(),
            bindings: bindings
                .into_iter()
                .map(|(binding, terms)| binding_report(model, evaluation, sources, binding, terms))
                .collect(),
            rule_duties: duties_of.next().unwrap_or_default(),
        })
        .collect()
}

fn binding_report(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    binding: &Binding,
    terms: &BindingTerms,
) -> BindingReport {
    let contract = model.contract(binding.contract);
    let solicitation = model.solicitation(contract.solicitation);
    let clauses = clause_reports(model, sources, binding, terms);
    let mut duties = Vec::new();
    let mut via = Vec::new();
    let usage = evaluation.contract_use(binding.contract);
    for (id, instrument) in binding
        .instruments
        .iter()
        .map(|id| (id, model.instrument(*id)))
    {
        via.push(instrument.header.owned_name());
        let through = usage
            .through_instrument
            .get(id)
            .copied()
            .unwrap_or_default();
        for fee in &instrument.fees {
            let payee = match (fee.payee, &instrument.counterparty) {
                (Some(payee), _) | (None, &Counterparty::Agency(payee)) => {
                    model.agency(payee).header.display_name()
                }
                (None, Counterparty::Supplier(supplier)) => supplier.clone(),
            };
            duties.push(format!(
                "fee of {} of order value to {} under {}: {} on orders so far",
                format_percentage(fee.rate),
                payee,
                instrument.header.name.value,
                money(
                    contract,
                    crate::eval::volumes::percentage_of(through, fee.rate)
                )
            ));
        }
    }
    if binding.basis == Basis::Piggyback
        && let Some(rate) = contract
            .piggyback
            .as_ref()
            .and_then(|clause| clause.admin_fee)
    {
        duties.insert(
            0,
            format!(
                "admin fee {} of order value: {} on orders so far",
                format_percentage(rate),
                money(
                    contract,
                    crate::eval::volumes::percentage_of(binding.ordered.value, rate)
                )
            ),
        );
    }
    if let Some(commitment) = &binding.commitment {
        let status = match binding.shortfall {
            Some(shortfall) => format!(
                "{} still to buy",
                amount_like(shortfall, &commitment.value, solicitation)
            ),
            None => "met".to_string(),
        };
        duties.push(format!(
            "buy at least the committed {} by {} ({status})",
            volume_amount(&commitment.value, solicitation),
            binding.to
        ));
    }
    let responsibilities = responsibility_reports(model, sources, binding, terms);
    BindingReport {
        contract: contract.header.owned_name(),
        contract_title: contract.header.title().map(str::to_owned),
        suppliers: contract.suppliers.clone(),
        basis: binding.basis,
        via,
        from: binding.from.to_string(),
        to: binding.to.to_string(),
        extended_by_options: binding.to != contract.term.end,
        ended: binding.to < evaluation.as_of,
        clauses,
        prices: prices(contract, solicitation),
        ordered: tally_amounts(&binding.ordered, solicitation),
        ordered_value: Some(money(contract, binding.ordered.value)),
        commitment: binding
            .commitment
            .as_ref()
            .map(|commitment| volume_amount(&commitment.value, solicitation)),
        shortfall: match (&binding.commitment, binding.shortfall) {
            (Some(commitment), Some(shortfall)) => {
                Some(amount_like(shortfall, &commitment.value, solicitation))
            }
            _ => None,
        },
        duties,
        responsibilities,
    }
}

/// A binding's clauses, as evaluation decided which prevail.
pub(super) fn clause_reports(
    model: &Model,
    sources: &SourceMap,
    binding: &Binding,
    terms: &BindingTerms,
) -> Vec<ClauseReport> {
    let source_name = |source: ClauseSource| match source {
        ClauseSource::Contract => "contract".to_string(),
        ClauseSource::Instrument(id) => model.instrument(id).header.owned_name(),
    };
    terms
        .clauses(model, binding)
        .into_iter()
        .map(|clause| ClauseReport {
            name: clause.name,
            stated_by: source_name(clause.stated_by),
            prevails_over: clause.prevails_over.into_iter().map(source_name).collect(),
            precedence_rule: clause
                .precedence_rule
                .map(|rule| rule_finding(model, sources, rule)),
        })
        .collect()
}

/// A binding's responsibilities, joint ones first, each with its rule; a joint one names the
/// other parties to the solicitation.
pub(super) fn responsibility_reports(
    model: &Model,
    sources: &SourceMap,
    binding: &Binding,
    terms: &BindingTerms,
) -> Vec<ResponsibilityReport> {
    let parties = model
        .solicitation(model.contract(binding.contract).solicitation)
        .parties();
    let mut responsibilities: Vec<&crate::eval::rules::Responsibility> =
        terms.responsibilities.iter().collect();
    responsibilities.sort_by_key(|responsibility| responsibility.extent);
    responsibilities
        .into_iter()
        .map(|responsibility| ResponsibilityReport {
            extent: responsibility.extent,
            what: responsibility.what.clone(),
            with: match responsibility.extent {
                Extent::Jointly => parties
                    .iter()
                    .filter(|party| **party != binding.agency)
                    .map(|party| model.agency(*party).header.display_name().to_string())
                    .collect(),
                Extent::Alone | Extent::NotResponsible => Vec::new(),
            },
            rule: rule_finding(model, sources, responsibility.rule),
        })
        .collect()
}

fn rule_finding(model: &Model, sources: &SourceMap, rule: usize) -> RuleFinding {
    super::duties::rule_finding(sources, &crate::eval::rules::reference(&model.rules[rule]))
}

fn prices(contract: &Contract, solicitation: &Solicitation) -> Vec<PriceReport> {
    contract
        .prices
        .iter()
        .map(|price| {
            let item = solicitation.item(price.item);
            PriceReport {
                item: item.name.value.clone(),
                unit_price: price.unit_price,
                unit: item.unit.to_string(),
                from: (!price.from.is_zero()).then_some(price.from),
            }
        })
        .collect()
}

/// Every contract, those ending within the horizon first (soonest first), then the others by name.
fn contracts(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    horizon_days: u32,
) -> Vec<ContractReport> {
    let horizon_end = evaluation
        .as_of
        .checked_add_days(chrono::Days::new(horizon_days.into()))
        .unwrap_or(crate::values::Date::MAX);
    let mut ending_soon = Vec::new();
    let mut others = Vec::new();
    let supplier_duties = super::duties::by_contract(model, evaluation, sources);
    for ((index, contract), duties) in model.contracts.iter().enumerate().zip(supplier_duties) {
        let end = contract.end_as_of(evaluation.as_of);
        let within = end >= evaluation.as_of && end <= horizon_end;
        let mut report = contract_report(model, evaluation, ContractId(index), within);
        report.supplier_duties = duties;
        if within {
            ending_soon.push((end, report));
        } else {
            others.push(report);
        }
    }
    ending_soon.sort_by(|left, right| (left.0, &left.1.name).cmp(&(right.0, &right.1.name)));
    ending_soon
        .into_iter()
        .map(|(_, report)| report)
        .chain(others)
        .collect()
}

fn contract_report(
    model: &Model,
    evaluation: &Evaluation,
    id: ContractId,
    ends_within_horizon: bool,
) -> ContractReport {
    let contract = model.contract(id);
    let solicitation = model.solicitation(contract.solicitation);
    let usage = evaluation.contract_use(id);
    let measure = contract_measure(contract, solicitation);
    let ordered = amount_like(
        usage.total.measured_like(&measure, solicitation),
        &measure,
        solicitation,
    );
    let commitments: Vec<&Volume> = solicitation
        .participants
        .iter()
        .filter_map(|participant| participant.commitment.as_ref())
        .map(|commitment| &commitment.value)
        .collect();
    let (counted, not_counted): (Vec<&Volume>, Vec<&Volume>) = commitments
        .iter()
        .partition(|commitment| counts_in(commitment, &measure, solicitation));
    let committed_total = saturating_sum(counted.iter().map(|commitment| amount_of(commitment)));
    let committed =
        (!commitments.is_empty()).then(|| amount_like(committed_total, &measure, solicitation));
    let mut ordered_by: Vec<AgencyVolume> = usage
        .by_agency
        .iter()
        .map(|(agency, agency_use)| AgencyVolume {
            agency: model.agency(*agency).header.owned_name(),
            basis: agency_use.basis,
            amount: amount_like(
                agency_use.tally.measured_like(&measure, solicitation),
                &measure,
                solicitation,
            ),
            quantities: tally_amounts(&agency_use.tally, solicitation),
            value: money(contract, agency_use.tally.value),
        })
        .collect();
    ordered_by.sort_by(|left, right| left.agency.cmp(&right.agency));
    let share_of_maximum = solicitation.maximum.as_ref().and_then(|maximum| {
        let maximum = amount_of(&maximum.value);
        (!maximum.is_zero()).then(|| {
            format_percentage(
                usage
                    .total
                    .measured_like(&measure, solicitation)
                    .saturating_mul(Decimal::ONE_HUNDRED)
                    / maximum,
            )
        })
    });
    let ceiling = contract
        .piggyback
        .as_ref()
        .and_then(|clause| clause.ceiling.as_ref());
    ContractReport {
        name: contract.header.owned_name(),
        title: contract.header.title().map(str::to_owned),
        solicitation: solicitation.header.owned_name(),
        lot: contract
            .lot
            .map(|lot| solicitation.lot(lot).name.value.clone()),
        lead: model.agency(solicitation.lead).header.owned_name(),
        joint: solicitation.is_joint(),
        suppliers: contract.suppliers.clone(),
        awarded: contract.awarded.to_string(),
        term_start: contract.term.start.to_string(),
        term_end: contract.term.end.to_string(),
        end_with_options: contract.end_as_of(evaluation.as_of).to_string(),
        ended: contract.end_as_of(evaluation.as_of) < evaluation.as_of,
        options: options(contract, evaluation.as_of),
        instruments: instruments(model, id),
        piggyback_open: contract.piggyback.is_some(),
        estimate: stated_amount(solicitation.estimate.as_ref(), solicitation),
        maximum: stated_amount(solicitation.maximum.as_ref(), solicitation),
        committed: committed.clone(),
        commitments_not_counted: not_counted.len(),
        ordered,
        ordered_quantities: tally_amounts(&usage.total, solicitation),
        ordered_value: money(contract, usage.total.value),
        ordered_by,
        share_of_maximum,
        ceiling: ceiling.map(|ceiling| volume_amount(&ceiling.value, solicitation)),
        piggyback_ordered: ceiling.map(|ceiling| {
            amount_like(
                usage.piggyback.measured_like(&ceiling.value, solicitation),
                &ceiling.value,
                solicitation,
            )
        }),
        // What the piggyback users owe together: each one's fee, in cents, summed, so that the
        // contract's total is the sum of the duties shown per agency.
        admin_fees_due: contract
            .piggyback
            .as_ref()
            .and_then(|clause| clause.admin_fee)
            .map(|rate| {
                let fees = usage
                    .by_agency
                    .values()
                    .filter(|agency_use| agency_use.basis == Basis::Piggyback)
                    .map(|agency_use| percentage_of(agency_use.tally.value, rate).round_dp(2));
                money(contract, saturating_sum(fees))
            }),
        orders_permitted: usage.orders,
        orders_denied: usage.denied,
        negotiating_position: negotiation::Context {
            model,
            contract,
            solicitation,
            usage,
            committed,
            ends_within_horizon,
        }
        .position(),
        supplier_duties: Vec::new(),
        base_quantity: contract
            .base_quantity
            .as_ref()
            .map(|base| volume_amount(&base.value, solicitation)),
        quantity_options: contract
            .quantity_options
            .iter()
            .map(|option| {
                let exercised = option.exercised.map(|date| date.value);
                QuantityOptionReport {
                    quantity: volume_amount(&option.volume.value, solicitation),
                    exercised: exercised
                        .filter(|date| *date <= evaluation.as_of)
                        .map(|date| date.to_string()),
                    exercised_later: exercised
                        .filter(|date| *date > evaluation.as_of)
                        .map(|date| date.to_string()),
                    assigned_to: option
                        .assignee
                        .map(|agency| model.agency(agency).header.owned_name()),
                }
            })
            .collect(),
        discounts: contract
            .discounts
            .iter()
            .map(|discount| DiscountReport {
                rate: format_percentage(discount.rate),
                list: discount.list.to_string(),
                name: discount.name.clone(),
            })
            .collect(),
    }
}

/// Each option with the period it covers (or would cover): one after another from the term's end.
fn options(contract: &Contract, as_of: crate::values::Date) -> Vec<OptionReport> {
    let mut end = contract.term.end;
    contract
        .options
        .iter()
        .map(|option| {
            let from = end.succ_opt().unwrap_or(end);
            end = option.length.after(end).unwrap_or(end);
            OptionReport {
                length: option.length.to_string(),
                from: from.to_string(),
                to: end.to_string(),
                exercised: option
                    .exercised
                    .filter(|date| date.value <= as_of)
                    .map(|date| date.value.to_string()),
                exercised_later: option
                    .exercised
                    .filter(|date| date.value > as_of)
                    .map(|date| date.value.to_string()),
            }
        })
        .collect()
}

/// The access instruments that let agencies use a contract.
fn instruments(model: &Model, contract: ContractId) -> Vec<InstrumentReport> {
    model
        .instruments
        .iter()
        .filter(|instrument| instrument.covers_contract(model, contract))
        .map(|instrument| InstrumentReport {
            name: instrument.header.owned_name(),
            kind: instrument.kind.as_str().to_string(),
            agency: match instrument.agency {
                Some(agency) => model.agency(agency).header.owned_name(),
                None => "the agencies its `open_to` admits".to_string(),
            },
            in_force_from: instrument.in_force_from().map(|date| date.to_string()),
            expires: instrument.expires.map(|date| date.value.to_string()),
        })
        .collect()
}

/// The measure a contract's volumes are reported in: its maximum's, else its estimate's, else
/// its first commitment's, else money in the contract's currency.
fn contract_measure(contract: &Contract, solicitation: &Solicitation) -> Volume {
    solicitation
        .maximum
        .as_ref()
        .or(solicitation.estimate.as_ref())
        .or_else(|| {
            solicitation
                .participants
                .iter()
                .find_map(|participant| participant.commitment.as_ref())
        })
        .map(|volume| volume.value.clone())
        .unwrap_or_else(|| Volume::Money(money(contract, Decimal::ZERO)))
}

/// Whether a volume can be added to volumes of another's measure: money of the same currency,
/// the same measure, or an item counted towards the unit it is sold in.
fn counts_in(volume: &Volume, like: &Volume, solicitation: &Solicitation) -> bool {
    match (volume, like) {
        (Volume::Money(left), Volume::Money(right)) => left.currency == right.currency,
        (Volume::Quantity { measure: left, .. }, Volume::Quantity { measure: right, .. }) => {
            match (left, right) {
                (Measure::Item(item), Measure::Unit(unit)) => {
                    solicitation.item(*item).unit == *unit
                }
                _ => left == right,
            }
        }
        _ => false,
    }
}

/// An estimate, a maximum or another stated volume, as the report writes it.
pub(super) fn stated_amount(
    volume: Option<&crate::source::Spanned<Volume>>,
    solicitation: &Solicitation,
) -> Option<Amount> {
    volume.map(|volume| volume_amount(&volume.value, solicitation))
}

pub(super) fn volume_amount(volume: &Volume, solicitation: &Solicitation) -> Amount {
    amount_like(amount_of(volume), volume, solicitation)
}

pub(super) fn amount_like(amount: Decimal, like: &Volume, solicitation: &Solicitation) -> Amount {
    match like {
        Volume::Money(money) => Amount::Money(Money::in_cents(money.currency, amount)),
        Volume::Quantity { measure, .. } => Amount::Quantity {
            quantity: amount,
            // An item's count is shown under the item's name, as it was written: `20 dump_truck`.
            unit: match measure {
                Measure::Item(item) => solicitation.item(*item).name.value.clone(),
                Measure::Unit(unit) => unit.to_string(),
            },
        },
    }
}

/// A tally as quantities per unit (items sold in the same unit add up).
pub(super) fn tally_amounts(tally: &Tally, solicitation: &Solicitation) -> Vec<Amount> {
    let mut by_unit: Vec<(String, Decimal)> = Vec::new();
    for (item, quantity) in &tally.quantities {
        let unit = &solicitation.item(*item).unit;
        match by_unit.iter_mut().find(|(existing, _)| existing == unit) {
            Some((_, total)) => *total += *quantity,
            None => by_unit.push((unit.to_string(), *quantity)),
        }
    }
    by_unit
        .into_iter()
        .map(|(unit, quantity)| Amount::Quantity { quantity, unit })
        .collect()
}

/// Money in the contract's currency; `XXX`, ISO 4217's "no currency", for a contract that prices nothing.
pub(super) fn money(contract: &Contract, amount: Decimal) -> Money {
    Money::in_cents(contract.currency.unwrap_or_else(|| "XXX".into()), amount)
}

pub(super) fn location(sources: &SourceMap, span: crate::source::Span) -> Location {
    let position = sources.line_column(span);
    Location {
        file: sources.file(span.file).name.clone(),
        line: position.line,
        column: position.column,
    }
}

/// The rules that set a rule aside, each with how.
fn set_aside_by(model: &Model, target: usize) -> Vec<super::SetAsideBy> {
    model
        .rules
        .iter()
        .flat_map(|setter| {
            setter
                .sets_aside
                .iter()
                .filter(move |aside| aside.rule == target)
                .map(move |aside| super::SetAsideBy {
                    rule: setter.id.value.clone(),
                    how: if aside.waived_because.is_some() {
                        "waived"
                    } else {
                        "replaced"
                    }
                    .to_string(),
                    because: aside.waived_because.clone(),
                })
        })
        .collect()
}

/// The line a span starts on, trimmed and printable, for reports that quote the source.
fn source_line(sources: &SourceMap, span: crate::source::Span) -> String {
    let file = sources.file(span.file);
    let line = file.line_range(file.line_of(span.start as usize));
    let text = file.text.get(line).unwrap_or("").trim();
    crate::values::printable(&text.chars().take(300).collect::<String>())
}

/// A diagnostic as report data: its code, severity, message, help and places.
pub fn finding(sources: &SourceMap, diagnostic: &Diagnostic) -> Finding {
    Finding {
        code: diagnostic.code,
        severity: diagnostic.severity(),
        message: diagnostic.message.clone(),
        help: diagnostic.help.clone(),
        location: location(sources, diagnostic.primary.span),
        source_line: source_line(sources, diagnostic.primary.span),
        related: diagnostic
            .related
            .iter()
            .map(|label| RelatedLocation {
                label: label.text.clone(),
                location: location(sources, label.span),
            })
            .collect(),
        rule: diagnostic
            .rule
            .as_ref()
            .map(|rule| super::duties::rule_finding(sources, rule)),
        waived: None,
    }
}
