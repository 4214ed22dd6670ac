//! A pack for a terminal (`coop rules PACK`): rule by rule, the quotation, the plain-language
//! reading and the logic. Text from the pack passes through `values::printable`, line by line.

use std::fmt::Write as _;

use super::{LiteratePack, LiterateRule, NOT_LEGAL_ADVICE};
use crate::values::printable;

/// The width quotations and readings are wrapped to.
const WIDTH: usize = 96;

/// Renders a pack for a terminal.
pub fn render(pack: &LiteratePack) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", printable(&pack.heading()));
    if let Some(in_force) = pack.in_force {
        let _ = writeln!(out, "in force {}", in_force.describe());
    }
    wrapped(&mut out, NOT_LEGAL_ADVICE, "");
    let parameters: Vec<_> = pack.parameters().collect();
    if !parameters.is_empty() {
        out.push_str("\nparameters\n");
        for (name, default, reading) in parameters {
            let _ = writeln!(out, "  {} = {}", printable(name), printable(default));
            if let Some(reading) = reading {
                wrapped(&mut out, reading, "      ");
            }
        }
    }
    for rule in pack.rules() {
        out.push('\n');
        rule_section(&mut out, rule);
    }
    out
}

fn rule_section(out: &mut String, rule: &LiterateRule) {
    let _ = writeln!(
        out,
        "rule {}{}",
        printable(&rule.id),
        rule.title
            .as_deref()
            .map_or(String::new(), |title| format!(": {}", printable(title)))
    );
    if let Some(citation) = &rule.citation {
        let _ = writeln!(out, "  cites {}", printable(citation));
    }
    if let Some(in_force) = rule.in_force {
        let _ = writeln!(out, "  in force {}", in_force.describe());
    }
    for quote in &rule.quotes {
        let _ = writeln!(
            out,
            "  quote, read {} at {}:",
            quote.read,
            printable(&quote.from)
        );
        wrapped(out, &quote.text, "    | ");
    }
    if let Some(reason) = &rule.unquoted {
        let _ = writeln!(out, "  not quoted:");
        wrapped(out, reason, "    ");
    }
    if let Some(reading) = &rule.reading {
        out.push_str("  reading:\n");
        wrapped(out, reading, "    ");
    }
    out.push_str("  logic:\n");
    for line in rule.logic.lines() {
        let _ = writeln!(out, "    {}", printable(line));
    }
}

/// Each line of `text` wrapped to the width, after `indent`; blank lines kept, Markdown as
/// written.
fn wrapped(out: &mut String, text: &str, indent: &str) {
    for line in text.lines() {
        if line.trim().is_empty() {
            out.push_str(indent.trim_end());
            out.push('\n');
            continue;
        }
        // A table's row stays whole.
        if line.trim_start().starts_with('|') {
            let _ = writeln!(out, "{indent}{}", printable(line));
            continue;
        }
        let options = textwrap::Options::new(WIDTH.saturating_sub(indent.chars().count()).max(20));
        for piece in textwrap::wrap(&printable(line), options) {
            let _ = writeln!(out, "{indent}{piece}");
        }
    }
}
