//! The report as one self-contained HTML page: no scripts, no fonts, no network, printable, with
//! inline SVG charts drawn here. Every chart has a text alternative, and colour is never the only
//! signal (denied orders are marked ✗ and named; piggyback use is hatched as well as coloured).

use std::fmt::Write as _;

use rust_decimal::prelude::ToPrimitive;

use super::*;
use crate::diagnostic::plural;
use crate::eval::Basis;
use crate::values::{Date, format_quantity};

/// Renders the whole report as an HTML document.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("Binding obligations as of {}", report.as_of);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    header(&mut out, report);
    out.push_str("<main>\n");
    summary(&mut out, report);
    orders(&mut out, report);
    contracts(&mut out, report);
    agencies(&mut out, report);
    findings(&mut out, &report.findings);
    waivers(&mut out, &report.waivers);
    out.push_str("</main>\n<footer><p>Made by Coop ");
    out.push_str(env!("CARGO_PKG_VERSION"));
    out.push_str(
        ". This report illustrates how the model's files read under Coop's rules; it is not legal advice.</p></footer>\n</body>\n</html>\n",
    );
    out
}

/// Plain, printable styling; the palette keeps contrast on paper and screen.
const STYLE: &str = "
:root { --ink: #1b1f24; --muted: #5a6270; --line: #d0d5dc; --ok: #1a7f37; --bad: #b3261e;
  --lead: #3b5b92; --party: #6b8fc7; --piggy: #c77d1a; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; line-height: 1.45; }
header { border-bottom: 2px solid var(--ink); margin-bottom: 1rem; }
h1 { margin: 0.2rem 0; font-size: 1.8rem; }
.as-of { font-size: 1.25rem; margin: 0.2rem 0 0.6rem; }
.as-of time { font-weight: 700; background: #fff4c2; padding: 0 0.3rem; }
nav ul { list-style: none; padding: 0; display: flex; gap: 1rem; flex-wrap: wrap; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { margin-bottom: 0.3rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.95rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
dd, li, h3, figcaption { overflow-wrap: anywhere; }
th { background: #f3f5f8; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.permitted { color: var(--ok); font-weight: 600; white-space: nowrap; }
.denied { color: var(--bad); font-weight: 600; white-space: nowrap; }
.later { color: var(--muted); }
.reasons { margin: 0.2rem 0 0.4rem; padding-left: 1.2rem; }
.reasons li { margin-bottom: 0.4rem; }
.code { font-family: ui-monospace, 'SF Mono', Menlo, monospace; font-size: 0.85rem; background: #f3f5f8; padding: 0 0.25rem; }
pre.excerpt { background: #f6f8fa; border-left: 3px solid var(--line); margin: 0.2rem 0; padding: 0.3rem 0.5rem; overflow-x: auto; font-size: 0.85rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.4rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.summary-numbers { display: flex; gap: 1rem; flex-wrap: wrap; padding: 0; list-style: none; }
.summary-numbers li { border: 1px solid var(--line); border-radius: 0.4rem; padding: 0.4rem 0.8rem; }
.summary-numbers strong { display: block; font-size: 1.5rem; }
figure { margin: 0.6rem 0 1rem; }
figcaption { color: var(--muted); font-size: 0.9rem; }
svg text { font-family: system-ui, sans-serif; font-size: 12px; fill: var(--ink); }
article.contract, article.agency { border-top: 1px solid var(--line); padding-top: 0.4rem; }
.warning { color: var(--warn); font-weight: 600; }
footer { margin-top: 3rem; color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--line); }
@media print { nav { display: none; } article.contract { break-inside: avoid; } }
";

fn header(out: &mut String, report: &Report) {
    let _ = write!(
        out,
        "<header>\n<h1>Binding obligations</h1>\n<p class=\"as-of\">As of <time datetime=\"{0}\">{0}</time></p>\n\
         <nav aria-label=\"Sections\"><ul><li><a href=\"#summary\">Summary</a></li><li><a href=\"#orders\">Orders</a></li>\
         <li><a href=\"#contracts\">Contracts</a></li><li><a href=\"#agencies\">Agencies</a></li>\
         <li><a href=\"#findings\">Findings</a></li></ul></nav>\n</header>\n",
        escape(&report.as_of)
    );
}

fn summary(out: &mut String, report: &Report) {
    let summary = &report.summary;
    out.push_str("<section id=\"summary\" aria-labelledby=\"summary-heading\">\n<h2 id=\"summary-heading\">Summary</h2>\n<ul class=\"summary-numbers\">\n");
    for (count, what) in [
        (summary.agencies, "agencies"),
        (summary.contracts, "contracts"),
        (summary.orders, "orders judged"),
        (summary.permitted, "permitted"),
        (summary.denied, "denied"),
        (summary.after_as_of, "after the as-of date, not counted"),
    ] {
        let _ = writeln!(out, "<li><strong>{count}</strong> {what}</li>");
    }
    out.push_str("</ul>\n");
    let denied: Vec<&OrderReport> = report
        .orders
        .iter()
        .filter(|order| order.decision == Decision::Denied)
        .collect();
    if denied.is_empty() {
        out.push_str("<p>No order was denied.</p>\n");
    } else {
        out.push_str("<p>Denied orders:</p>\n<ul>\n");
        for order in denied {
            // The reasons it is denied; a warning on a denied order is not one.
            let reasons: Vec<&str> = order
                .reasons
                .iter()
                .filter(|reason| reason.severity == crate::diagnostic::Severity::Error)
                .map(|reason| reason.code.name())
                .collect();
            let _ = writeln!(
                out,
                "<li><a href=\"#order-{0}\">{0}</a> by {1}: {2}</li>",
                escape(&order.name),
                escape(&order.buyer),
                escape(&reasons.join(", "))
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn orders(out: &mut String, report: &Report) {
    out.push_str(
        "<section id=\"orders\" aria-labelledby=\"orders-heading\">\n<h2 id=\"orders-heading\">Orders</h2>\n\
         <table>\n<caption>Every order, in date order, with every reason an order is denied</caption>\n\
         <thead><tr><th scope=\"col\">Decision</th><th scope=\"col\">Date</th><th scope=\"col\">Order</th>\
         <th scope=\"col\">Buyer</th><th scope=\"col\">Contract</th><th scope=\"col\">Basis</th><th scope=\"col\">Value</th></tr></thead>\n<tbody>\n",
    );
    for order in &report.orders {
        let (class, decision) = match (order.decision, &order.legal_basis) {
            (Decision::Permitted, Some(basis)) => (
                "permitted",
                format!(
                    "✓ Permitted under <span class=\"code\" title=\"{}\">{}</span>",
                    escape(basis.citation.as_deref().unwrap_or_default()),
                    escape(&basis.id)
                ),
            ),
            (Decision::Permitted, None) => ("permitted", "✓ Permitted".to_string()),
            (Decision::Denied, _) => ("denied", "✗ Denied".to_string()),
            (Decision::AfterAsOf, _) => ("later", "After the as-of date".to_string()),
        };
        let basis = order.basis.map(|basis| basis.as_str()).unwrap_or("—");
        let value = order
            .value
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr id=\"order-{name}\"><td class=\"{class}\">{decision}</td><td>{date}</td><th scope=\"row\">{name}</th>\
             <td>{buyer}</td><td><a href=\"#contract-{contract}\">{contract}</a></td><td>{basis}</td><td class=\"number\">{value}</td></tr>",
            name = escape(&order.name),
            date = escape(&order.date),
            buyer = escape(&order.buyer),
            contract = escape(&order.contract),
            value = escape(&value),
        );
        if !order.reasons.is_empty() {
            out.push_str("<tr><td></td><td colspan=\"6\"><ul class=\"reasons\">\n");
            for reason in &order.reasons {
                finding_item(out, reason);
            }
            out.push_str("</ul></td></tr>\n");
        }
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// One finding: what, its code, where, the source line, and how to fix it.
fn finding_item(out: &mut String, finding: &Finding) {
    let severity = match finding.severity {
        crate::diagnostic::Severity::Error => "",
        crate::diagnostic::Severity::Warning => "<span class=\"warning\">Warning:</span> ",
    };
    let _ = write!(
        out,
        "<li>{severity}{} <span class=\"code\">{}</span> <span class=\"location\">{}:{}</span>\n<pre class=\"excerpt\">{}</pre>",
        // A message may say several things on several lines.
        with_code(&finding.message).replace('\n', "<br>"),
        finding.code.name(),
        escape(&finding.location.file),
        finding.location.line,
        escape(&finding.source_line)
    );
    if let Some(help) = &finding.help {
        let _ = write!(out, "<div>Fix: {}</div>", with_code(help));
    }
    if let Some(rule) = &finding.rule {
        rule_note(out, rule);
    }
    if let Some(waived) = &finding.waived {
        let _ = write!(out, "<div>{}</div>", escape(&waived.text()));
    }
    out.push_str("</li>\n");
}

/// The model's waivers, when it has any: what each accepts, who accepted it, until when, why.
fn waivers(out: &mut String, waivers: &[WaiverReport]) {
    if waivers.is_empty() {
        return;
    }
    out.push_str("<section id=\"waivers\" aria-labelledby=\"waivers-heading\">\n<h2 id=\"waivers-heading\">Waivers</h2>\n<ul class=\"reasons\">\n");
    for waiver in waivers {
        let _ = writeln!(
            out,
            "<li>{} <span class=\"location\">{}:{}</span><div>Because {}</div></li>",
            escape(&waiver.text()),
            escape(&waiver.location.file),
            waiver.location.line,
            escape(&waiver.because)
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// The rule behind a finding or a duty, its citation and its place.
fn rule_note(out: &mut String, rule: &RuleFinding) {
    let _ = write!(
        out,
        "<div class=\"rule\">{} <span class=\"location\">{}:{}</span></div>",
        escape(&rule.describe()),
        escape(&rule.location.file),
        rule.location.line
    );
}

/// The duties rules add to an agency, or to a contract's suppliers.
fn rule_duties(out: &mut String, heading: &str, duties: &[DutyReport]) {
    if duties.is_empty() {
        return;
    }
    let _ = writeln!(out, "<p>{}</p>\n<ul class=\"reasons\">", escape(heading));
    for duty in duties {
        let _ = write!(out, "<li>{}", escape(&duty.text));
        if !duty.usage_reports.is_empty() {
            out.push_str("<ul>");
            if let Some(earlier) = &duty.earlier_usage_reports {
                let _ = write!(
                    out,
                    "<li>{} from {} to {}: counted above, not listed</li>",
                    escape(&crate::diagnostic::plural(earlier.count, "earlier period")),
                    escape(&earlier.from),
                    escape(&earlier.to)
                );
            }
            for period in &duty.usage_reports {
                let filed = period
                    .filed
                    .as_ref()
                    .map_or(String::new(), |filed| format!(", filed {filed}"));
                let _ = write!(
                    out,
                    "<li>{} to {}: due {}{} ({})</li>",
                    escape(&period.from),
                    escape(&period.to),
                    escape(&period.due),
                    escape(&filed),
                    escape(&period.status)
                );
            }
            out.push_str("</ul>");
        }
        rule_note(out, &duty.rule);
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
}

fn contracts(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "<section id=\"contracts\" aria-labelledby=\"contracts-heading\">\n<h2 id=\"contracts-heading\">Contracts</h2>\n\
         <p>Contracts ending within {} of the as-of date come first.</p>",
        plural(report.horizon_days as usize, "day")
    );
    if report.contracts.is_empty() {
        out.push_str("<p>The model has no contract.</p>\n");
    }
    let as_of = parse_date(&report.as_of);
    for contract in &report.contracts {
        let title = contract
            .title
            .as_deref()
            .map(|title| format!(" “{}”", escape(title)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<article class=\"contract\" id=\"contract-{0}\" aria-labelledby=\"contract-{0}-heading\">\n<h3 id=\"contract-{0}-heading\">{0}{title}</h3>",
            escape(&contract.name)
        );
        contract_facts(out, contract);
        utilization_chart(out, contract);
        if let Some(as_of) = as_of {
            timeline_chart(out, contract, &report.orders, as_of);
        }
        ordered_by_table(out, contract);
        rule_duties(
            out,
            "Duties of the suppliers under rules:",
            &contract.supplier_duties,
        );
        negotiating_position(out, contract);
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

fn contract_facts(out: &mut String, contract: &ContractReport) {
    let kind = if contract.joint {
        "joint solicitation"
    } else {
        "solicitation"
    };
    let mut facts = vec![
        (
            "Awarded from",
            format!("{kind} {} led by {}", contract.solicitation, contract.lead),
        ),
        ("Suppliers", contract.suppliers.join(", ")),
        ("Awarded", contract.awarded.clone()),
        (
            "Term",
            format!("{} to {}", contract.term_start, contract.term_end),
        ),
        (
            if contract.options.is_empty() {
                "Ends"
            } else {
                "Ends, with the options exercised"
            },
            if contract.ended {
                format!("{} (ended)", contract.end_with_options)
            } else {
                contract.end_with_options.clone()
            },
        ),
        (
            "Piggyback use",
            if contract.piggyback_open {
                "open"
            } else {
                "closed"
            }
            .to_string(),
        ),
    ];
    if let Some(estimate) = &contract.estimate {
        facts.push(("Estimate", estimate.to_string()));
    }
    if let Some(maximum) = &contract.maximum {
        facts.push(("Maximum", maximum.to_string()));
    }
    if let Some(committed) = &contract.committed {
        let left_out = match contract.commitments_not_counted {
            0 => String::new(),
            count => format!(
                " (not counting {} in other measures)",
                plural(count, "commitment")
            ),
        };
        facts.push(("Committed", format!("{committed}{left_out}")));
    }
    let share = contract
        .share_of_maximum
        .as_ref()
        .map(|share| format!(" ({share} of the maximum)"))
        .unwrap_or_default();
    facts.push(("Ordered", format!("{}{share}", contract.ordered)));
    facts.push((
        "Ordered in all",
        bought_text(&contract.ordered_quantities, &contract.ordered_value),
    ));
    if let (Some(ceiling), Some(used)) = (&contract.ceiling, &contract.piggyback_ordered) {
        facts.push(("Piggyback ceiling", format!("{ceiling}, used {used}")));
    }
    if let Some(fees) = &contract.admin_fees_due {
        facts.push(("Admin fees due", fees.to_string()));
    }
    facts.push((
        "Orders",
        format!(
            "{} permitted, {} denied",
            contract.orders_permitted, contract.orders_denied
        ),
    ));
    out.push_str("<dl class=\"facts\">\n");
    for (term, value) in facts {
        let _ = writeln!(out, "<dt>{term}</dt><dd>{}</dd>", escape(&value));
    }
    out.push_str("</dl>\n");
}

/// Width of the drawing area of both charts, in SVG units.
const CHART_WIDTH: f64 = 640.0;
const CHART_LEFT: f64 = 130.0;

/// A stacked bar of what each agency ordered, in the contract's measure (lead, then joint
/// participants, then piggyback users), against the estimate, the commitments and the maximum;
/// and, when the contract has a piggyback ceiling, a bar of piggyback use against it.
fn utilization_chart(out: &mut String, contract: &ContractReport) {
    let ordered = amount_number(&contract.ordered);
    // Only limits counted in the contract's own measure can share its axis.
    let committed = contract.committed.as_ref().filter(|committed| {
        contract.commitments_not_counted == 0 || amount_number(committed) > 0.0
    });
    let markers: Vec<(&str, &Amount, &str)> = [
        ("estimate", contract.estimate.as_ref(), "6 4"),
        ("committed", committed, "2 3"),
        ("maximum", contract.maximum.as_ref(), ""),
    ]
    .into_iter()
    .filter_map(|(name, amount, dash)| amount.map(|amount| (name, amount, dash)))
    .filter(|(_, amount, _)| same_measure(amount, &contract.ordered))
    .collect();
    let ceiling = match (&contract.ceiling, &contract.piggyback_ordered) {
        (Some(ceiling), Some(used)) if same_measure(ceiling, &contract.ordered) => {
            Some((ceiling, used))
        }
        _ => None,
    };
    let scale_top = markers
        .iter()
        .map(|(_, amount, _)| amount_number(amount))
        .chain(ceiling.map(|(ceiling, _)| amount_number(ceiling)))
        .fold(ordered, f64::max)
        .max(f64::MIN_POSITIVE)
        * 1.1;
    let scale = |value: f64| CHART_LEFT + value / scale_top * CHART_WIDTH;
    let mut description = format!("Ordered {}", contract.ordered);
    for (name, amount, _) in &markers {
        let _ = write!(description, "; {name} {amount}");
    }
    if let Some(share) = &contract.share_of_maximum {
        let _ = write!(description, "; {share} of the maximum used");
    }
    if let Some((ceiling, used)) = ceiling {
        let _ = write!(
            description,
            "; piggyback use {used} of the ceiling {ceiling}"
        );
    }
    let mut volumes: Vec<&AgencyVolume> = contract.ordered_by.iter().collect();
    volumes.sort_by_key(|volume| (volume.basis, volume.agency.clone()));
    let by_agency: Vec<String> = volumes
        .iter()
        .map(|volume| {
            format!(
                "{} ({}) {}",
                volume.agency,
                volume.basis.as_str(),
                volume.amount
            )
        })
        .collect();
    if !by_agency.is_empty() {
        let _ = write!(description, ". By agency: {}", by_agency.join(", "));
    }
    let rows = if ceiling.is_some() { 2.0 } else { 1.0 };
    let height = 56.0 + 30.0 * rows + 14.0 * markers.len() as f64;
    let name = escape(&contract.name);
    let _ = write!(
        out,
        "<figure>\n<svg role=\"img\" aria-labelledby=\"use-{name}-title use-{name}-desc\" viewBox=\"0 0 {width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">\n\
         <title id=\"use-{name}-title\">Use of {name} against its limits</title>\n<desc id=\"use-{name}-desc\">{desc}</desc>\n\
         <defs><pattern id=\"piggyback-{name}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <rect width=\"6\" height=\"6\" fill=\"#c77d1a\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffffff\" stroke-width=\"2\"/></pattern>\
         <pattern id=\"participant-{name}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
         <rect width=\"6\" height=\"6\" fill=\"#6b8fc7\"/><circle cx=\"3\" cy=\"3\" r=\"1.2\" fill=\"#ffffff\"/></pattern></defs>\n\
         <text x=\"0\" y=\"38\">Ordered</text>\n<rect x=\"{left}\" y=\"24\" width=\"{width_bar}\" height=\"22\" fill=\"#f3f5f8\" stroke=\"#d0d5dc\"/>\n",
        width = CHART_LEFT + CHART_WIDTH + 60.0,
        desc = escape(&description),
        left = CHART_LEFT,
        width_bar = CHART_WIDTH,
    );
    let mut x = CHART_LEFT;
    for volume in &volumes {
        let width = amount_number(&volume.amount) / scale_top * CHART_WIDTH;
        if width <= 0.0 {
            continue;
        }
        let fill = match volume.basis {
            Basis::Lead => "#3b5b92".to_string(),
            Basis::JointParticipant => format!("url(#participant-{name})"),
            Basis::Piggyback => format!("url(#piggyback-{name})"),
        };
        let _ = writeln!(
            out,
            "<rect x=\"{x:.1}\" y=\"24\" width=\"{width:.1}\" height=\"22\" fill=\"{fill}\" stroke=\"#ffffff\"><title>{}</title></rect>",
            escape(&format!(
                "{} ({}): {}",
                volume.agency,
                volume.basis.as_str(),
                volume.amount
            ))
        );
        x += width;
    }
    let mut bottom = 50.0;
    if let Some((ceiling, used)) = ceiling {
        bottom += 30.0;
        let used_width = amount_number(used) / scale_top * CHART_WIDTH;
        let ceiling_x = scale(amount_number(ceiling));
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"68\">Piggyback use</text><rect x=\"{left}\" y=\"54\" width=\"{width_bar}\" height=\"22\" fill=\"#f3f5f8\" stroke=\"#d0d5dc\"/>\
             <rect x=\"{left}\" y=\"54\" width=\"{used_width:.1}\" height=\"22\" fill=\"url(#piggyback-{name})\"><title>{}</title></rect>\
             <line x1=\"{ceiling_x:.1}\" y1=\"50\" x2=\"{ceiling_x:.1}\" y2=\"80\" stroke=\"#b3261e\" stroke-width=\"2\"/>\
             <text x=\"{ceiling_x:.1}\" y=\"{label:.1}\" text-anchor=\"{anchor}\">ceiling</text>",
            escape(&format!("piggyback use {used} of the ceiling {ceiling}")),
            left = CHART_LEFT,
            width_bar = CHART_WIDTH,
            label = 92.0,
            anchor = anchor_for(ceiling_x),
        );
        bottom += 14.0;
    }
    for (index, (marker, amount, dash)) in markers.iter().enumerate() {
        let position = scale(amount_number(amount));
        let color = if *marker == "maximum" {
            "#b3261e"
        } else {
            "#1b1f24"
        };
        let label_y = bottom + 14.0 + 14.0 * index as f64;
        let _ = writeln!(
            out,
            "<line x1=\"{position:.1}\" y1=\"16\" x2=\"{position:.1}\" y2=\"{end:.1}\" stroke=\"{color}\" stroke-width=\"2\" stroke-dasharray=\"{dash}\"/>\
             <text x=\"{position:.1}\" y=\"{label_y:.1}\" text-anchor=\"{anchor}\">{marker}</text>",
            end = label_y - 10.0,
            anchor = anchor_for(position),
        );
    }
    out.push_str("</svg>\n");
    let _ = writeln!(
        out,
        "<figcaption>{}. Solid blue: lead; dotted blue: joint participants; hatched orange: piggyback users.</figcaption>\n</figure>",
        escape(&description)
    );
}

/// Whether two amounts are counted the same way, and so can share an axis.
fn same_measure(left: &Amount, right: &Amount) -> bool {
    match (left, right) {
        (Amount::Money(left), Amount::Money(right)) => left.currency == right.currency,
        (Amount::Quantity { unit: left, .. }, Amount::Quantity { unit: right, .. }) => {
            left == right
        }
        _ => false,
    }
}

/// A label near either end of the axis is anchored inwards, so that it is never cut off.
fn anchor_for(x: f64) -> &'static str {
    if x > CHART_LEFT + CHART_WIDTH - 50.0 {
        "end"
    } else if x < CHART_LEFT + 50.0 {
        "start"
    } else {
        "middle"
    }
}

/// The term, each option (exercised or not), the orders, the access instruments' effective
/// dates, and the as-of date on one time axis.
fn timeline_chart(
    out: &mut String,
    contract: &ContractReport,
    orders: &[OrderReport],
    as_of: Date,
) {
    let term_start = parse_date(&contract.term_start);
    let term_end = parse_date(&contract.term_end);
    let (Some(term_start), Some(term_end)) = (term_start, term_end) else {
        return;
    };
    let contract_orders: Vec<(&OrderReport, Date)> = orders
        .iter()
        .filter(|order| order.contract == contract.name)
        .filter_map(|order| parse_date(&order.date).map(|date| (order, date)))
        .collect();
    let instruments: Vec<(&InstrumentReport, Date)> = contract
        .instruments
        .iter()
        .filter_map(|instrument| {
            let date = parse_date(instrument.in_force_from.as_deref()?)?;
            Some((instrument, date))
        })
        .collect();
    let option_periods: Vec<(&OptionReport, Date, Date)> = contract
        .options
        .iter()
        .filter_map(|option| Some((option, parse_date(&option.from)?, parse_date(&option.to)?)))
        .collect();
    let mut first = term_start.min(as_of);
    let mut last = term_end.max(as_of);
    for (_, date) in &contract_orders {
        first = first.min(*date);
        last = last.max(*date);
    }
    for (_, date) in &instruments {
        first = first.min(*date);
        last = last.max(*date);
    }
    for (_, _, to) in &option_periods {
        last = last.max(*to);
    }
    let span_days = ((last - first).num_days().max(1)) as f64;
    let x = |date: Date| CHART_LEFT + (date - first).num_days() as f64 / span_days * CHART_WIDTH;
    let rows = 2 + option_periods.len() + usize::from(!instruments.is_empty());
    let height = 30.0 + 24.0 * rows as f64 + 20.0 + 20.0;
    let mut description = format!(
        "Term {} to {}; with exercised options to {}",
        contract.term_start, contract.term_end, contract.end_with_options
    );
    for option in &contract.options {
        let state = option.exercised.as_ref().map_or_else(
            || "not exercised".to_string(),
            |date| format!("exercised {date}"),
        );
        let _ = write!(
            description,
            "; option {} to {} {state}",
            option.from, option.to
        );
    }
    let permitted = contract_orders
        .iter()
        .filter(|(order, _)| order.decision == Decision::Permitted)
        .count();
    let denied = contract_orders
        .iter()
        .filter(|(order, _)| order.decision == Decision::Denied)
        .count();
    let _ = write!(
        description,
        "; {} permitted and {} denied; as of {as_of}",
        plural(permitted, "order"),
        denied
    );
    let name = escape(&contract.name);
    let _ = write!(
        out,
        "<figure>\n<svg role=\"img\" aria-labelledby=\"time-{name}-title time-{name}-desc\" viewBox=\"0 0 {width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">\n\
         <title id=\"time-{name}-title\">Timeline of {name}</title>\n<desc id=\"time-{name}-desc\">{desc}</desc>\n",
        width = CHART_LEFT + CHART_WIDTH + 40.0,
        desc = escape(&description),
    );
    let mut row_y = 24.0;
    let _ = writeln!(
        out,
        "<text x=\"0\" y=\"{text_y}\">Term</text><rect x=\"{start:.1}\" y=\"{row_y}\" width=\"{width:.1}\" height=\"14\" fill=\"#3b5b92\"><title>Term {} to {}</title></rect>\
         <text x=\"{start:.1}\" y=\"{label_y}\" text-anchor=\"{start_anchor}\">{}</text><text x=\"{end:.1}\" y=\"{label_y}\" text-anchor=\"{end_anchor}\">{}</text>",
        contract.term_start,
        contract.term_end,
        contract.term_start,
        contract.term_end,
        text_y = row_y + 11.0,
        label_y = row_y - 4.0,
        start = x(term_start),
        end = x(term_end),
        width = (x(term_end) - x(term_start)).max(1.0),
        start_anchor = if x(term_start) < CHART_LEFT + 50.0 {
            "start"
        } else {
            "end"
        },
        end_anchor = if x(term_end) > CHART_LEFT + CHART_WIDTH - 50.0 {
            "end"
        } else {
            "start"
        },
    );
    for (index, (option, from, to)) in option_periods.iter().enumerate() {
        row_y += 24.0;
        let (fill, stroke, state) = match &option.exercised {
            Some(date) => ("#6b8fc7", "#3b5b92", format!("exercised {date}")),
            None => match &option.exercised_later {
                Some(date) => (
                    "#ffffff",
                    "#5a6270",
                    format!("exercised {date}, after the as-of date"),
                ),
                None => ("#ffffff", "#5a6270", "not exercised".to_string()),
            },
        };
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{text_y}\">Option {number}</text><rect x=\"{start:.1}\" y=\"{row_y}\" width=\"{width:.1}\" height=\"14\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-dasharray=\"{dash}\"><title>Option {number}: {from} to {to}, {state}</title></rect>",
            number = index + 1,
            text_y = row_y + 11.0,
            start = x(*from),
            width = (x(*to) - x(*from)).max(1.0),
            dash = if option.exercised.is_some() {
                ""
            } else {
                "4 3"
            },
        );
    }
    row_y += 24.0;
    let _ = writeln!(out, "<text x=\"0\" y=\"{}\">Orders</text>", row_y + 11.0);
    // Permitted orders first, so that a denial on a nearby day is drawn on top; markers closer
    // than a marker's width stack downwards instead of hiding each other.
    let mut drawn: Vec<f64> = Vec::new();
    let mut ordered_markers: Vec<&(&OrderReport, Date)> = contract_orders.iter().collect();
    ordered_markers.sort_by_key(|(order, date)| (order.decision == Decision::Denied, *date));
    for (order, date) in ordered_markers {
        let center = x(*date);
        let level = drawn
            .iter()
            .filter(|other| (*other - center).abs() < 9.0)
            .count()
            % 3;
        drawn.push(center);
        let middle = row_y + 7.0 + 10.0 * level as f64;
        let shape = match order.decision {
            Decision::Permitted => {
                format!("<circle cx=\"{center:.1}\" cy=\"{middle:.1}\" r=\"5\" fill=\"#1a7f37\">")
            }
            Decision::Denied => format!(
                "<path d=\"M{a:.1} {b:.1} L{c:.1} {d:.1} M{a:.1} {d:.1} L{c:.1} {b:.1}\" stroke=\"#b3261e\" stroke-width=\"3\">",
                a = center - 5.0,
                b = middle - 5.0,
                c = center + 5.0,
                d = middle + 5.0
            ),
            Decision::AfterAsOf => format!(
                "<circle cx=\"{center:.1}\" cy=\"{middle:.1}\" r=\"5\" fill=\"none\" stroke=\"#5a6270\">"
            ),
        };
        let closing = if order.decision == Decision::Denied {
            "</path>"
        } else {
            "</circle>"
        };
        let state = match order.decision {
            Decision::Permitted => "permitted",
            Decision::Denied => "denied",
            Decision::AfterAsOf => "after the as-of date",
        };
        let _ = writeln!(
            out,
            "{shape}<title>{}: {} on {}, {state}</title>{closing}",
            escape(&order.name),
            escape(&order.buyer),
            order.date
        );
    }
    row_y += 20.0;
    if !instruments.is_empty() {
        row_y += 24.0;
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{}\">Access in force</text>",
            row_y + 11.0
        );
        for (instrument, date) in &instruments {
            let center = x(*date);
            let middle = row_y + 7.0;
            let _ = writeln!(
                out,
                "<path d=\"M{:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z\" fill=\"#c77d1a\"><title>{} ({}, {}) in force from {date}{}</title></path>",
                center,
                middle - 6.0,
                center + 6.0,
                middle,
                center,
                middle + 6.0,
                center - 6.0,
                middle,
                escape(&instrument.name),
                escape(&instrument.kind.replace('_', " ")),
                escape(&instrument.agency),
                instrument
                    .expires
                    .as_ref()
                    .map(|expires| format!(" to {expires}"))
                    .unwrap_or_default(),
            );
        }
    }
    let as_of_x = x(as_of);
    let _ = writeln!(
        out,
        "<line x1=\"{as_of_x:.1}\" y1=\"12\" x2=\"{as_of_x:.1}\" y2=\"{bottom:.1}\" stroke=\"#1b1f24\" stroke-width=\"2\" stroke-dasharray=\"3 3\"/>\
         <text x=\"{as_of_x:.1}\" y=\"{label:.1}\" text-anchor=\"{anchor}\">as of {as_of}</text>",
        bottom = row_y + 20.0,
        label = row_y + 34.0,
        anchor = anchor_for(as_of_x),
    );
    out.push_str("</svg>\n");
    let _ = writeln!(
        out,
        "<figcaption>{}. Dots: permitted orders; crosses: denied orders; diamonds: access instruments taking effect; dashed boxes: options not exercised.</figcaption>\n</figure>",
        escape(&description)
    );
}

fn ordered_by_table(out: &mut String, contract: &ContractReport) {
    if contract.ordered_by.is_empty() {
        out.push_str("<p>No permitted order yet.</p>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<table>\n<caption>Ordered under {}, by agency</caption>\n<thead><tr><th scope=\"col\">Agency</th><th scope=\"col\">Basis</th><th scope=\"col\">In the contract's measure</th><th scope=\"col\">Bought</th></tr></thead>\n<tbody>",
        escape(&contract.name)
    );
    for volume in &contract.ordered_by {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"number\">{}</td><td>{}</td></tr>",
            escape(&volume.agency),
            volume.basis.as_str(),
            escape(&volume.amount.to_string()),
            escape(&bought_text(&volume.quantities, &volume.value))
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn negotiating_position(out: &mut String, contract: &ContractReport) {
    let position = &contract.negotiating_position;
    let ending = if position.ends_within_horizon {
        " (ends within the report's horizon)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<h4>Negotiating position{ending}</h4>\n<dl class=\"facts\">"
    );
    let mut facts = Vec::new();
    if let Some(committed) = &position.committed {
        facts.push((
            "Committed by joint participants".to_string(),
            committed.to_string(),
        ));
    }
    facts.push((
        "Bought by the lead and participants".to_string(),
        bought_text(
            &position.parties_bought.quantities,
            &position.parties_bought.value,
        ),
    ));
    facts.push((
        "Bought by piggyback users".to_string(),
        bought_text(
            &position.piggyback_bought.quantities,
            &position.piggyback_bought.value,
        ),
    ));
    if let Some(share) = &position.use_of_estimate {
        facts.push((
            "Use of the estimate the supplier priced for".to_string(),
            share.clone(),
        ));
    }
    for tier in &position.tiers {
        facts.push((
            format!("{} bought together", tier.item),
            format!("{}: {}", tier.quantity, tier.describe()),
        ));
    }
    let agencies = if position.agencies.is_empty() {
        "no agency yet".to_string()
    } else {
        position.agencies.join(", ")
    };
    facts.push((
        "A follow-up joint solicitation could commit to".to_string(),
        format!(
            "{}, with {agencies}",
            bought_text(
                &position.total_bought.quantities,
                &position.total_bought.value
            )
        ),
    ));
    for (term, value) in facts {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(&term), escape(&value));
    }
    out.push_str("</dl>\n");
}

fn agencies(out: &mut String, report: &Report) {
    out.push_str("<section id=\"agencies\" aria-labelledby=\"agencies-heading\">\n<h2 id=\"agencies-heading\">Agencies</h2>\n");
    for agency in &report.agencies {
        let title = agency.title.as_deref().unwrap_or(&agency.name);
        let _ = writeln!(
            out,
            "<article class=\"agency\" id=\"agency-{}\">\n<h3>{} <small>({}, {} in {})</small></h3>",
            escape(&agency.name),
            escape(title),
            escape(&agency.name),
            escape(&agency.kind),
            escape(&agency.jurisdiction)
        );
        if agency.bindings.is_empty() {
            out.push_str("<p>Not bound to any contract.</p>\n");
            rule_duties(out, "Duties under rules:", &agency.rule_duties);
            out.push_str("</article>\n");
            continue;
        }
        let _ = writeln!(
            out,
            "<table>\n<caption>Contracts binding {}</caption>\n<thead><tr><th scope=\"col\">Contract</th><th scope=\"col\">Basis</th><th scope=\"col\">From</th><th scope=\"col\">To</th><th scope=\"col\">Terms and prices</th><th scope=\"col\">Ordered</th><th scope=\"col\">Duties</th><th scope=\"col\">Responsibility</th></tr></thead>\n<tbody>",
            escape(title)
        );
        for binding in &agency.bindings {
            let basis = binding.basis_text();
            let to = binding.to_text();
            let prices: Vec<String> = binding
                .prices
                .iter()
                .map(|price| match &price.from {
                    Some(from) => format!(
                        "{} from {} {}: {} per {}",
                        price.item,
                        format_quantity(*from),
                        price.unit,
                        price.unit_price,
                        price.unit
                    ),
                    None => format!("{}: {} per {}", price.item, price.unit_price, price.unit),
                })
                .collect();
            let clauses: Vec<String> = binding.clauses.iter().map(ClauseReport::text).collect();
            let responsibilities: Vec<String> = binding
                .responsibilities
                .iter()
                .map(ResponsibilityReport::cited)
                .collect();
            let terms = format!(
                "Clauses: {}. Prices: {}.",
                list_or_none(&clauses),
                list_or_none(&prices)
            );
            let ordered = match &binding.ordered_value {
                Some(value) => bought_text(&binding.ordered, value),
                None => String::new(),
            };
            let mut duties = binding.duties.clone();
            if let (Some(commitment), Some(shortfall)) = (&binding.commitment, &binding.shortfall) {
                duties.push(format!("committed {commitment}, short by {shortfall}"));
            }
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\"><a href=\"#contract-{contract}\">{contract}</a></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&basis),
                escape(&binding.from),
                escape(&to),
                escape(&terms),
                escape(&ordered),
                escape(&list_or_none(&duties)),
                escape(&list_or_none(&responsibilities)),
                contract = escape(&binding.contract),
            );
        }
        out.push_str("</tbody>\n</table>\n");
        rule_duties(out, "Duties under rules:", &agency.rule_duties);
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

fn findings(out: &mut String, findings: &[Finding]) {
    out.push_str("<section id=\"findings\" aria-labelledby=\"findings-heading\">\n<h2 id=\"findings-heading\">Findings</h2>\n");
    if findings.is_empty() {
        out.push_str("<p>No finding beyond the orders' reasons.</p>\n");
    } else {
        out.push_str("<ul class=\"reasons\">\n");
        for finding in findings {
            finding_item(out, finding);
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join("; ")
    }
}

/// A number to draw with; drawing is the one place a float is right.
fn amount_number(amount: &Amount) -> f64 {
    let value = match amount {
        Amount::Money(money) => money.amount,
        Amount::Quantity { quantity, .. } => *quantity,
    };
    value.to_f64().unwrap_or(0.0).max(0.0)
}

fn parse_date(text: &str) -> Option<Date> {
    Date::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Escapes a message and sets its `quoted names` as code, as the terminal shows them.
fn with_code(text: &str) -> String {
    let escaped = escape(text);
    let mut html = String::with_capacity(escaped.len() + 16);
    let mut inside = false;
    let pieces: Vec<&str> = escaped.split('`').collect();
    // An odd count of backticks leaves the last one as written.
    let balanced = pieces.len() % 2 == 1;
    for (index, piece) in pieces.iter().enumerate() {
        if index > 0 {
            if balanced {
                html.push_str(if inside { "</code>" } else { "<code>" });
                inside = !inside;
            } else {
                html.push('`');
            }
        }
        html.push_str(piece);
    }
    html
}

/// Escapes text for HTML element content and attribute values; control characters from the
/// model are shown escaped, as in the text report.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in crate::values::printable(text).chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(character),
        }
    }
    escaped
}
