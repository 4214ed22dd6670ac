//! The report as Markdown, for a pull-request comment or a wiki page: tables and small text bars,
//! no charts. What a reviewer must see comes first: the denied orders, with a count for each
//! reason, and the findings; then the contracts and who is bound. A report that would pass
//! GitHub's comment limit drops detail first (each contract's details, who is bound, the
//! contracts, then where each reason is written), the denied orders and findings last, and says
//! how much it left out.

use std::fmt::Write as _;

use super::*;
use crate::diagnostic::plural;

/// GitHub refuses comments longer than 65,536 characters; stay well under it.
pub const MAXIMUM_LENGTH: usize = 60_000;

/// Renders the report, as whole as fits in [`MAXIMUM_LENGTH`].
pub fn render(report: &Report) -> String {
    let mut limits = Limits::everything(report);
    loop {
        let text = render_within(report, &limits);
        if text.chars().count() <= MAXIMUM_LENGTH || limits.is_smallest() {
            return text;
        }
        limits = limits.smaller();
    }
}

/// How many rows of each kind to show, and whether each reason says where it is written; the
/// rest are counted, not shown.
#[derive(Clone, Copy)]
struct Limits {
    denied_orders: usize,
    findings: usize,
    /// Each reason's and finding's place in the files and its rule's citation.
    places: bool,
    contracts: usize,
    contract_details: usize,
    bindings: usize,
}

impl Limits {
    fn everything(report: &Report) -> Limits {
        Limits {
            denied_orders: report.orders.len(),
            findings: report.findings.len(),
            places: true,
            contracts: report.contracts.len(),
            contract_details: report.contracts.len(),
            bindings: report
                .agencies
                .iter()
                .map(|agency| agency.bindings.len())
                .sum(),
        }
    }

    /// Detail gives way first: each contract's details, who is bound, the table of contracts,
    /// then where each reason is written; the denied orders and the findings last.
    fn smaller(self) -> Limits {
        if self.contract_details > 0 {
            Limits {
                contract_details: self.contract_details / 2,
                ..self
            }
        } else if self.bindings > 0 {
            Limits {
                bindings: self.bindings / 2,
                ..self
            }
        } else if self.contracts > 0 {
            Limits {
                contracts: self.contracts / 2,
                ..self
            }
        } else if self.places {
            Limits {
                places: false,
                ..self
            }
        } else {
            Limits {
                denied_orders: self.denied_orders / 2,
                findings: self.findings / 2,
                ..self
            }
        }
    }

    fn is_smallest(&self) -> bool {
        self.denied_orders == 0
            && self.findings == 0
            && !self.places
            && self.contracts == 0
            && self.contract_details == 0
            && self.bindings == 0
    }
}

fn render_within(report: &Report, limits: &Limits) -> String {
    let mut out = String::new();
    let summary = &report.summary;
    let _ = writeln!(
        out,
        "# {}: binding obligations as of {}\n",
        cell(&report.program),
        report.as_of
    );
    let _ = write!(
        out,
        "**{}, {}, {} judged: {} permitted, {} denied**",
        plural(summary.agencies, "agency"),
        plural(summary.contracts, "contract"),
        plural(summary.orders, "order"),
        summary.permitted,
        summary.denied
    );
    if summary.after_as_of > 0 {
        let _ = write!(
            out,
            " ({} after the as-of date, not counted)",
            plural(summary.after_as_of, "order")
        );
    }
    out.push_str("\n\n");
    denied_orders(&mut out, report, limits);
    findings(&mut out, &report.findings, limits);
    frameworks(&mut out, &report.frameworks);
    contracts(&mut out, report, limits);
    bindings(&mut out, report, limits.bindings);
    waivers(&mut out, &report.waivers);
    out.push_str("\n_Made by Coop. Not legal advice._\n");
    out
}

fn denied_orders(out: &mut String, report: &Report, limits: &Limits) {
    let denied: Vec<&OrderReport> = report
        .orders
        .iter()
        .filter(|order| order.decision == Decision::Denied)
        .collect();
    out.push_str("## Denied orders\n\n");
    if denied.is_empty() {
        out.push_str("No order was denied.\n\n");
        return;
    }
    // How many orders each reason denies, every reason: the table is short, and says what the
    // rows below may leave out.
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for order in &denied {
        let mut named: Vec<String> = denials(order).map(reason_name).collect();
        named.sort();
        named.dedup();
        for name in named {
            match reasons.iter_mut().find(|(seen, _)| *seen == name) {
                Some((_, count)) => *count += 1,
                None => reasons.push((name, 1)),
            }
        }
    }
    reasons.sort_by(|left, right| right.1.cmp(&left.1).then_with(|| left.0.cmp(&right.0)));
    out.push_str("| Reason | Orders denied |\n|---|---:|\n");
    for (name, count) in &reasons {
        let _ = writeln!(out, "| {name} | {count} |");
    }
    out.push('\n');
    // Buyers by their titles, as people call them.
    let titles: std::collections::HashMap<&str, &str> = report
        .agencies
        .iter()
        .filter_map(|agency| Some((agency.name.as_str(), agency.title.as_deref()?)))
        .collect();
    out.push_str("| Order | Date | Buyer | Contract | Reasons |\n|---|---|---|---|---|\n");
    for order in denied.iter().take(limits.denied_orders) {
        let reasons: Vec<String> = denials(order)
            .map(|reason| {
                format!(
                    "`{}` {}{}",
                    reason.code.name(),
                    message(&reason.message),
                    place(reason, limits)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&order.name),
            order.date,
            cell(
                titles
                    .get(order.buyer.as_str())
                    .unwrap_or(&order.buyer.as_str())
            ),
            cell(&order.contract),
            reasons.join("<br>")
        );
    }
    left_out(out, denied.len(), limits.denied_orders, "denied order");
    out.push('\n');
}

/// The reasons an order is denied: its findings that are errors (a warning does not deny).
fn denials(order: &OrderReport) -> impl Iterator<Item = &Finding> {
    order
        .reasons
        .iter()
        .filter(|reason| reason.severity == crate::diagnostic::Severity::Error)
}

/// A reason as the table of counts names it: its rule's title and id, else its code.
fn reason_name(reason: &Finding) -> String {
    match &reason.rule {
        Some(rule) => match &rule.title {
            Some(title) => format!("{} (`{}`)", cell(title), rule.id.replace('`', "")),
            None => format!("`{}`", rule.id.replace('`', "")),
        },
        None => format!("`{}`", reason.code.name()),
    }
}

/// Each framework in one table: the whole, each lot, each supplier contract.
fn frameworks(out: &mut String, frameworks: &[FrameworkReport]) {
    if frameworks.is_empty() {
        return;
    }
    out.push_str("## Frameworks\n\n");
    let dash = |amount: Option<&Amount>| amount.map_or("—".to_string(), ToString::to_string);
    for framework in frameworks {
        let title = framework
            .title
            .as_deref()
            .map(|title| format!(" “{}”", cell(title)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "### {}{title}\n\n| Part | Estimate | Maximum | Ordered | Use of the maximum |\n|---|---|---|---|---|",
            cell(&framework.solicitation)
        );
        let share = |share: Option<&String>| {
            share.map_or("—".to_string(), |share| {
                format!("`{}` {share}", bar(share))
            })
        };
        let _ = writeln!(
            out,
            "| the whole framework | {} | {} | {} | {} |",
            dash(framework.estimate.as_ref()),
            dash(framework.maximum.as_ref()),
            cell(&framework.ordered.to_string()),
            share(framework.share_of_maximum.as_ref())
        );
        for lot in &framework.lots {
            let _ = writeln!(
                out,
                "| lot {} | {} | {} | {} | {} |",
                cell(&lot.name),
                dash(lot.estimate.as_ref()),
                dash(lot.maximum.as_ref()),
                cell(&lot.ordered.to_string()),
                share(lot.share_of_maximum.as_ref())
            );
        }
        for contract in &framework.contracts {
            let lot = contract
                .lot
                .as_ref()
                .map_or(String::new(), |lot| format!(", lot {}", cell(lot)));
            let _ = writeln!(
                out,
                "| contract {} ({}{lot}) | | | {} | |",
                cell(&contract.name),
                cell(&contract.suppliers.join(", ")),
                cell(&contract.ordered.to_string())
            );
        }
        out.push('\n');
    }
}

fn contracts(out: &mut String, report: &Report, limits: &Limits) {
    let _ = writeln!(
        out,
        "## Contracts\n\nContracts ending within {} of the as-of date come first.\n\n\
         | Contract | Ends | Ordered | Estimate | Maximum | Use of the maximum |\n|---|---|---|---|---|---|",
        plural(report.horizon_days as usize, "day")
    );
    for contract in report.contracts.iter().take(limits.contracts) {
        let use_of_maximum = contract
            .share_of_maximum
            .as_ref()
            .map(|share| format!("`{}` {share}", bar(share)))
            .unwrap_or_else(|| "—".to_string());
        let ends = if contract.ended {
            format!("{} (ended)", contract.end_with_options)
        } else {
            contract.end_with_options.clone()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&contract.name),
            ends,
            cell(&contract.ordered.to_string()),
            contract
                .estimate
                .as_ref()
                .map_or("—".to_string(), ToString::to_string),
            contract
                .maximum
                .as_ref()
                .map_or("—".to_string(), ToString::to_string),
            use_of_maximum
        );
    }
    left_out(out, report.contracts.len(), limits.contracts, "contract");
    out.push('\n');
    for contract in report.contracts.iter().take(limits.contract_details) {
        contract_details(out, contract);
    }
    if report.contracts.len() > limits.contract_details {
        let _ = writeln!(
            out,
            "_Details of {} left out to fit; run `coop report` for the whole report._\n",
            plural(report.contracts.len() - limits.contract_details, "contract")
        );
    }
}

fn contract_details(out: &mut String, contract: &ContractReport) {
    let title = contract
        .title
        .as_deref()
        .map(|title| format!(" “{}”", cell(title)))
        .unwrap_or_default();
    let _ = writeln!(out, "### {}{title}\n", cell(&contract.name));
    let extended = if contract.end_with_options != contract.term_end {
        format!(
            ", to {} with the options exercised",
            contract.end_with_options
        )
    } else {
        String::new()
    };
    let ended = if contract.ended { " (ended)" } else { "" };
    let _ = writeln!(
        out,
        "- Term {} to {}{extended}{ended}; {}",
        contract.term_start,
        contract.term_end,
        if contract.piggyback_open {
            "open to piggyback use"
        } else {
            "closed to piggyback use"
        }
    );
    if let (Some(ceiling), Some(used)) = (&contract.ceiling, &contract.piggyback_ordered) {
        let _ = writeln!(out, "- Piggyback ceiling {ceiling}, used {used}");
    }
    if let Some(fees) = &contract.admin_fees_due {
        let _ = writeln!(out, "- Admin fees due {fees}");
    }
    let _ = writeln!(
        out,
        "- Ordered in all: {} ({} permitted, {} denied orders)",
        bought_text(&contract.ordered_quantities, &contract.ordered_value),
        contract.orders_permitted,
        contract.orders_denied
    );
    for volume in &contract.ordered_by {
        let _ = writeln!(
            out,
            "  - {} ({}): {}",
            cell(&volume.agency),
            volume.basis.as_str(),
            bought_text(&volume.quantities, &volume.value)
        );
    }
    let position = &contract.negotiating_position;
    for duty in &contract.supplier_duties {
        let _ = writeln!(
            out,
            "- {} ({})",
            cell(&duty.text),
            message(&duty.rule.describe())
        );
    }
    out.push_str("- Negotiating position:\n");
    if let Some(committed) = &position.committed {
        let left_out = match contract.commitments_not_counted {
            0 => String::new(),
            count => format!(
                " (not counting {} in other measures)",
                plural(count, "commitment")
            ),
        };
        let _ = writeln!(
            out,
            "  - committed by joint participants: {committed}{left_out}"
        );
    }
    let _ = writeln!(
        out,
        "  - bought by the lead and participants: {}; by piggyback users: {}",
        bought_text(
            &position.parties_bought.quantities,
            &position.parties_bought.value
        ),
        bought_text(
            &position.piggyback_bought.quantities,
            &position.piggyback_bought.value
        )
    );
    if let Some(share) = &position.use_of_estimate {
        let _ = writeln!(
            out,
            "  - use of the estimate the supplier priced for: {share}"
        );
    }
    for tier in &position.tiers {
        let _ = writeln!(
            out,
            "  - {} bought together: {}, {}",
            cell(&tier.item),
            tier.quantity,
            cell(&tier.describe())
        );
    }
    let _ = writeln!(
        out,
        "  - a follow-up joint solicitation could commit to {}, with {}\n",
        bought_text(
            &position.total_bought.quantities,
            &position.total_bought.value
        ),
        if position.agencies.is_empty() {
            "no agency yet".to_string()
        } else {
            cell(&position.agencies.join(", "))
        }
    );
}

fn bindings(out: &mut String, report: &Report, limit: usize) {
    out.push_str("## Who is bound\n\n| Agency | Contract | Basis | From | To | Duties |\n|---|---|---|---|---|---|\n");
    let rows: Vec<(&AgencyReport, &BindingReport)> = report
        .agencies
        .iter()
        .flat_map(|agency| agency.bindings.iter().map(move |binding| (agency, binding)))
        .collect();
    for (agency, binding) in rows.iter().take(limit) {
        let basis = binding.basis_text();
        let to = binding.to_text();
        // The binding's own duties, then those rules add under its contract.
        let duties: Vec<String> = binding
            .duties
            .iter()
            .map(|duty| cell(duty))
            .chain(
                agency
                    .rule_duties
                    .iter()
                    .filter(|duty| duty.contract.as_deref() == Some(binding.contract.as_str()))
                    .map(|duty| format!("{} ({})", cell(&duty.text), cell(&duty.rule.id))),
            )
            .collect();
        let duties = if duties.is_empty() {
            "—".to_string()
        } else {
            duties.join("<br>")
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(agency.title.as_deref().unwrap_or(&agency.name)),
            cell(&binding.contract),
            cell(&basis),
            binding.from,
            to,
            duties
        );
    }
    left_out(out, rows.len(), limit, "binding");
    out.push('\n');
}

fn findings(out: &mut String, findings: &[Finding], limits: &Limits) {
    if findings.is_empty() {
        return;
    }
    out.push_str("## Findings\n\n");
    for finding in findings.iter().take(limits.findings) {
        let waived = finding.waived.as_ref().map_or(String::new(), |waived| {
            format!("; {}", message(&waived.text()))
        });
        let _ = writeln!(
            out,
            "- {} `{}` {}{}{waived}",
            finding.severity,
            finding.code.name(),
            message(&finding.message),
            place(finding, limits)
        );
    }
    left_out(out, findings.len(), limits.findings, "finding");
    out.push('\n');
}

/// ` (file:line, rule ...)`: where a finding is written and the rule that made it, while the
/// limits keep places.
fn place(finding: &Finding, limits: &Limits) -> String {
    if !limits.places {
        return String::new();
    }
    let rule = finding.rule.as_ref().map_or(String::new(), |rule| {
        format!(", {}", message(&rule.describe()))
    });
    format!(
        " ({}:{}{rule})",
        cell(&finding.location.file),
        finding.location.line
    )
}

/// Every waiver, however long the report: what is accepted is never summarised away.
fn waivers(out: &mut String, waivers: &[WaiverReport]) {
    if waivers.is_empty() {
        return;
    }
    out.push_str("\n## Waivers\n\n");
    for waiver in waivers {
        let _ = writeln!(
            out,
            "- {}; because {} ({}:{})",
            message(&waiver.text()),
            message(&waiver.because),
            cell(&waiver.location.file),
            waiver.location.line
        );
    }
}

fn left_out(out: &mut String, total: usize, shown: usize, noun: &str) {
    if total > shown {
        let _ = writeln!(
            out,
            "\n_{} not shown, to fit._",
            plural(total - shown, noun)
        );
    }
}

/// A ten-step text bar for a percentage such as `32.5%`.
fn bar(share: &str) -> String {
    let percent: f64 = share.trim_end_matches('%').parse().unwrap_or(0.0);
    // Rounded down, so that a full bar means the maximum is reached.
    let filled = ((percent / 10.0).floor().max(0.0) as usize).min(10);
    format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled))
}

/// A message of Coop's: its `quoted names` stay code spans (whose contents Markdown leaves
/// alone); the rest, which may quote the model's titles, is made inert.
pub(crate) fn message(text: &str) -> String {
    let pieces: Vec<&str> = text.split('`').collect();
    if pieces.len().is_multiple_of(2) {
        return cell(text);
    }
    pieces
        .iter()
        .enumerate()
        .map(|(index, piece)| {
            if index % 2 == 1 {
                format!("`{}`", piece.replace('|', "\\|"))
            } else {
                cell(piece)
            }
        })
        .collect()
}

/// Text from the model made inert in Markdown: no pipes to break a table, no line breaks, no
/// HTML, no links, emphasis or code spans.
pub(crate) fn cell(text: &str) -> String {
    let mut escaped = String::new();
    for character in crate::values::printable(text).chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '!' | '|' | '~' => {
                escaped.push('\\');
                escaped.push(character);
            }
            _ => escaped.push(character),
        }
    }
    escaped
}
