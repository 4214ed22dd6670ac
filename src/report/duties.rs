//! The duties rules add, as the report states them: per agency, and per contract for suppliers,
//! each with the rule, its citation and its place.

use super::build::location;
use super::{DutyReport, EarlierPeriods, RuleFinding, UsageReportStatus};
use crate::diagnostic::RuleReference;
use crate::eval::Evaluation;
use crate::eval::rules::{Owed, Party, ReportStatus, RuleDuty, reference};
use crate::model::rules::Period;
use crate::model::{AgencyId, Model};
use crate::source::SourceMap;
use crate::values::Money;

/// What a finding or a duty says of its rule.
pub fn rule_finding(sources: &SourceMap, rule: &RuleReference) -> RuleFinding {
    RuleFinding {
        id: rule.id.clone(),
        title: rule.title.clone(),
        citation: rule.citation.clone(),
        pack: rule.pack.clone(),
        in_force: rule.in_force.clone(),
        as_warnings: rule.as_warnings,
        location: location(sources, rule.span),
    }
}

/// The duties each agency owes under rules, by agency index, found in one pass.
pub fn by_agency(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
) -> Vec<Vec<DutyReport>> {
    let mut duties = vec![Vec::new(); model.agencies.len()];
    for duty in &evaluation.duties {
        if let Party::Agency(agency) = duty.party {
            duties[agency.0].push(report(model, sources, duty));
        }
    }
    duties
}

/// The duties suppliers owe under each contract, by contract index, found in one pass.
pub fn by_contract(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
) -> Vec<Vec<DutyReport>> {
    let mut duties = vec![Vec::new(); model.contracts.len()];
    for duty in &evaluation.duties {
        if let (Party::Supplier(_), Some(contract)) = (&duty.party, duty.contract) {
            duties[contract.0].push(report(model, sources, duty));
        }
    }
    duties
}

fn report(model: &Model, sources: &SourceMap, duty: &RuleDuty) -> DutyReport {
    let rule = &model.rules[duty.rule];
    let contract = duty
        .contract
        .map(|id| model.contract(id).header.owned_name());
    let under = contract
        .as_ref()
        .map_or(String::new(), |name| format!(" under {name}"));
    let agency_name = |id: AgencyId| model.agency(id).header.display_name();
    let party = match &duty.party {
        Party::Agency(agency) => agency_name(*agency),
        Party::Supplier(supplier) => supplier.clone(),
    };
    let mut amount = None;
    let mut due = None;
    let mut usage_reports = Vec::new();
    let mut earlier_usage_reports = None;
    let (text, to) = match &duty.owed {
        Owed::Pay {
            amount: owed,
            to,
            count,
        } => {
            let owed = Money::in_cents(owed.currency, owed.amount);
            let text = format!(
                "pay {owed} to {}{under} ({count} {})",
                agency_name(*to),
                if *count == 1 { "payment" } else { "payments" }
            );
            amount = Some(owed);
            (text, Some(*to))
        }
        Owed::Report {
            every,
            within,
            to,
            periods,
        } => {
            let every = match every {
                Period::Month => "month",
                Period::Quarter => "quarter",
                Period::Year => "year",
            };
            let recipient = to.map_or(String::new(), |to| format!(" to {}", agency_name(to)));
            for period in &periods.latest {
                usage_reports.push(UsageReportStatus {
                    from: period.start.to_string(),
                    to: period.end.to_string(),
                    due: period.due.to_string(),
                    filed: period.filed.map(|filed| filed.to_string()),
                    status: match period.status {
                        ReportStatus::Filed => "filed",
                        ReportStatus::Late => "late",
                        ReportStatus::Missing => "missing",
                        ReportStatus::NotYetDue => "not yet due",
                    }
                    .to_string(),
                });
            }
            let first_start = duty
                .contract
                .map(|contract| model.contract(contract).term.start);
            earlier_usage_reports =
                first_start
                    .and_then(|start| periods.earlier(start))
                    .map(|(from, to, count)| EarlierPeriods {
                        from: from.to_string(),
                        to: to.to_string(),
                        count,
                    });
            let text = format!(
                "report usage{recipient} every {every} within {within}{under}: {} filed on time, {} late, {} missing, {} not yet due",
                periods.filed, periods.late, periods.missing, periods.not_yet_due
            );
            (text, *to)
        }
        Owed::Notify {
            whom,
            due: date,
            about,
            order,
        } => {
            let about = about
                .as_ref()
                .map_or(String::new(), |about| format!(" {about}"));
            let order = order.map_or(String::new(), |order| {
                format!(" (order {})", model.orders[order.0].header.name.value)
            });
            due = Some(date.to_string());
            (
                format!("notify {} by {date}{about}{order}", agency_name(*whom)),
                Some(*whom),
            )
        }
    };
    // An agency's duties are listed under it; a supplier's, under the contract, by its name.
    let text = match &duty.party {
        Party::Agency(_) => text,
        Party::Supplier(_) => format!("{party}: {text}"),
    };
    DutyReport {
        text,
        contract,
        to: to.map(|to| model.agency(to).header.owned_name()),
        amount,
        due,
        usage_reports,
        earlier_usage_reports,
        rule: rule_finding(sources, &reference(rule)),
    }
}
