//! A diff for people: as text for a terminal, and as Markdown for a pull-request comment, most
//! important first (orders newly denied, then newly permitted, then what else changed), the
//! comment summarised to fit GitHub's limit.

use std::fmt::Write as _;

use super::{Change, ChangeKind, Diff, FieldChange, OrderChange, OrderChangeKind, SideFinding};
use crate::diagnostic::plural;
use crate::report::markdown::{MAXIMUM_LENGTH, cell, message};
use crate::values::printable;

/// The orders' changes in the order a reader wants them, each group with its heading.
const ORDER_GROUPS: &[(&str, &[OrderChangeKind])] = &[
    ("Orders newly denied", &[OrderChangeKind::NewlyDenied]),
    ("Orders newly permitted", &[OrderChangeKind::NewlyPermitted]),
    (
        "Orders decided otherwise",
        &[
            OrderChangeKind::ReasonsChanged,
            OrderChangeKind::BasisChanged,
            OrderChangeKind::JudgedChanged,
        ],
    ),
    (
        "Orders added, removed or changed",
        &[
            OrderChangeKind::Added,
            OrderChangeKind::Removed,
            OrderChangeKind::Changed,
        ],
    ),
];

/// The diff as text.
pub fn text(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "coop diff: {} → {}, as of {}",
        printable(&diff.base.label),
        printable(&diff.head.label),
        diff.head.as_of
    );
    let _ = writeln!(out, "  {}", numbers(diff));
    if diff.means_the_same() {
        out.push_str(&format!("\n{}\n", sameness(diff)));
    }
    for (heading, kinds) in ORDER_GROUPS {
        let orders: Vec<&OrderChange> = diff
            .orders
            .iter()
            .filter(|order| kinds.contains(&order.kind))
            .collect();
        if orders.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading} ({})", orders.len());
        for order in orders {
            let _ = writeln!(
                out,
                "  {}: {} → {}",
                order.order,
                order.base.as_deref().unwrap_or("not in the model"),
                order.head.as_deref().unwrap_or("not in the model")
            );
            for reason in &order.why {
                let _ = writeln!(out, "    {}", printable(reason));
            }
            let _ = writeln!(out, "    [{}:{}]", order.location.file, order.location.line);
        }
    }
    changes_text(&mut out, "Bindings", &diff.bindings, "gained", "lost");
    changes_text(
        &mut out,
        "Fees and duties",
        &diff.duties,
        "now owed",
        "no longer owed",
    );
    changes_text(
        &mut out,
        "Contracts: terms, volumes and negotiating position",
        &diff.contracts,
        "added",
        "removed",
    );
    findings_text(&mut out, "New findings", &diff.findings.new);
    findings_text(&mut out, "Fixed findings", &diff.findings.fixed);
    if !diff.model.is_empty() {
        let _ = writeln!(out, "\nChanged in the model's files ({})", diff.model.len());
        for change in &diff.model {
            let _ = writeln!(
                out,
                "  {}: {}",
                printable(&change.subject),
                kind_word(change.kind, "added", "removed")
            );
        }
    }
    out
}

/// `orders judged 11 → 11, permitted 3 → 2, denied 8 → 9, findings 2 → 3`.
fn numbers(diff: &Diff) -> String {
    let (base, head) = (&diff.base, &diff.head);
    format!(
        "orders judged {} → {}, permitted {} → {}, denied {} → {}, findings {} → {}",
        base.orders,
        head.orders,
        base.permitted,
        head.permitted,
        base.denied,
        head.denied,
        base.findings,
        head.findings
    )
}

/// What a diff without a change in meaning says.
fn sameness(diff: &Diff) -> &'static str {
    if diff.model.is_empty() {
        "No change: the two versions read the same."
    } else {
        "No change in decisions, bindings, duties, volumes or findings: the files changed, their meaning did not."
    }
}

fn kind_word(kind: ChangeKind, added: &'static str, removed: &'static str) -> &'static str {
    match kind {
        ChangeKind::Added => added,
        ChangeKind::Removed => removed,
        ChangeKind::Changed => "changed",
    }
}

/// `to: 2027-03-31 → 2025-06-30`, or a field of a thing added or removed.
fn field_text(field: &FieldChange) -> String {
    match (&field.base, &field.head) {
        (Some(base), Some(head)) => format!("{}: {base} → {head}", field.field),
        (None, Some(value)) | (Some(value), None) => format!("{}: {value}", field.field),
        (None, None) => field.field.clone(),
    }
}

fn changes_text(
    out: &mut String,
    heading: &str,
    changes: &[Change],
    added: &'static str,
    removed: &'static str,
) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{heading} ({})", changes.len());
    for change in changes {
        let _ = writeln!(
            out,
            "  {}: {}",
            printable(&change.subject),
            kind_word(change.kind, added, removed)
        );
        for field in change.fields.iter().filter(|field| !field_is_empty(field)) {
            let _ = writeln!(out, "    {}", printable(&field_text(field)));
        }
    }
}

/// A field of a thing added or removed that says nothing (an empty list).
fn field_is_empty(field: &FieldChange) -> bool {
    field.base.as_deref().is_none_or(str::is_empty)
        && field.head.as_deref().is_none_or(str::is_empty)
}

fn findings_text(out: &mut String, heading: &str, findings: &[SideFinding]) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{heading} ({})", findings.len());
    for finding in findings {
        let on = finding
            .on
            .as_ref()
            .map_or(String::new(), |on| format!(" on {on}"));
        let _ = writeln!(
            out,
            "  {}[{}]{on}: {}",
            finding.severity,
            finding.rule,
            printable(&finding.message)
        );
        let _ = writeln!(
            out,
            "    [{}:{}]",
            finding.location.file, finding.location.line
        );
    }
}

/// The diff as Markdown for a pull-request comment, as whole as fits GitHub's limit: each list
/// is cut to the same length, halved until the comment fits, and says how much it left out.
pub fn markdown(diff: &Diff) -> String {
    let longest = [
        diff.orders.len(),
        diff.bindings.len(),
        diff.duties.len(),
        diff.contracts.len(),
        diff.findings.new.len(),
        diff.findings.fixed.len(),
        diff.model.len(),
    ]
    .into_iter()
    .max()
    .unwrap_or(0);
    let mut limit = longest;
    loop {
        let text = markdown_within(diff, limit);
        if text.chars().count() <= MAXIMUM_LENGTH || limit == 0 {
            return text;
        }
        limit /= 2;
    }
}

fn markdown_within(diff: &Diff, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## What this change means\n\n`{}` → `{}`, as of {}\n",
        diff.base.label.replace('`', "'"),
        diff.head.label.replace('`', "'"),
        diff.head.as_of
    );
    let newly_denied = diff.newly_denied().count();
    let newly_permitted = diff
        .orders
        .iter()
        .filter(|order| order.kind == OrderChangeKind::NewlyPermitted)
        .count();
    let _ = writeln!(
        out,
        "**Orders: {} newly denied, {} newly permitted, {} otherwise changed. Bindings: {}. Duties: {}. Findings: {} new, {} fixed.**\n",
        newly_denied,
        newly_permitted,
        diff.orders.len() - newly_denied - newly_permitted,
        counted(&diff.bindings, "gained", "lost"),
        counted(&diff.duties, "now owed", "no longer owed"),
        diff.findings.new.len(),
        diff.findings.fixed.len()
    );
    let _ = writeln!(out, "{}\n", numbers(diff));
    if diff.means_the_same() {
        let _ = writeln!(out, "{}\n", sameness(diff));
    }
    for (heading, kinds) in ORDER_GROUPS {
        let orders: Vec<&OrderChange> = diff
            .orders
            .iter()
            .filter(|order| kinds.contains(&order.kind))
            .collect();
        if orders.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {heading} ({})\n", orders.len());
        out.push_str("| order | before | after | why |\n|---|---|---|---|\n");
        for order in orders.iter().take(limit) {
            let why: Vec<String> = order.why.iter().map(|reason| message(reason)).collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                order.order.replace('`', "'"),
                message(order.base.as_deref().unwrap_or("not in the model")),
                message(order.head.as_deref().unwrap_or("not in the model")),
                why.join("<br>")
            );
        }
        left_out(&mut out, orders.len(), limit, "order");
        out.push('\n');
    }
    changes_markdown(
        &mut out,
        "Bindings",
        &diff.bindings,
        limit,
        "gained",
        "lost",
    );
    changes_markdown(
        &mut out,
        "Fees and duties",
        &diff.duties,
        limit,
        "now owed",
        "no longer owed",
    );
    changes_markdown(
        &mut out,
        "Contracts: terms, volumes and negotiating position",
        &diff.contracts,
        limit,
        "added",
        "removed",
    );
    findings_markdown(&mut out, "New findings", &diff.findings.new, limit);
    findings_markdown(&mut out, "Fixed findings", &diff.findings.fixed, limit);
    if !diff.model.is_empty() {
        let _ = writeln!(
            out,
            "### Changed in the model's files ({})\n",
            diff.model.len()
        );
        for change in diff.model.iter().take(limit) {
            let _ = writeln!(
                out,
                "- `{}` {}",
                change.subject.replace('`', "'"),
                kind_word(change.kind, "added", "removed")
            );
        }
        left_out(&mut out, diff.model.len(), limit, "declaration");
        out.push('\n');
    }
    out.push_str("_Made by `coop diff`. Not legal advice._\n");
    out
}

/// `1 gained, 2 lost, 0 changed`.
fn counted(changes: &[Change], added: &str, removed: &str) -> String {
    let of = |kind: ChangeKind| changes.iter().filter(|change| change.kind == kind).count();
    format!(
        "{} {added}, {} {removed}, {} changed",
        of(ChangeKind::Added),
        of(ChangeKind::Removed),
        of(ChangeKind::Changed)
    )
}

fn changes_markdown(
    out: &mut String,
    heading: &str,
    changes: &[Change],
    limit: usize,
    added: &'static str,
    removed: &'static str,
) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {heading} ({})\n", changes.len());
    out.push_str("| | what | change |\n|---|---|---|\n");
    for change in changes.iter().take(limit) {
        let fields: Vec<String> = change
            .fields
            .iter()
            .filter(|field| !field_is_empty(field))
            .map(|field| cell(&field_text(field)))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            kind_word(change.kind, added, removed),
            cell(&change.subject),
            fields.join("<br>")
        );
    }
    left_out(out, changes.len(), limit, "change");
    out.push('\n');
}

fn findings_markdown(out: &mut String, heading: &str, findings: &[SideFinding], limit: usize) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {heading} ({})\n", findings.len());
    for finding in findings.iter().take(limit) {
        let on = finding.on.as_ref().map_or(String::new(), |on| {
            format!(" on `{}`", on.replace('`', "'"))
        });
        let _ = writeln!(
            out,
            "- {} `{}`{on}: {} ({}:{})",
            finding.severity,
            finding.rule.replace('`', "'"),
            message(&finding.message),
            cell(&finding.location.file),
            finding.location.line
        );
    }
    left_out(out, findings.len(), limit, "finding");
    out.push('\n');
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
