//! Findings for machines: the diagnostics of `coop check` as JSON, SARIF 2.1.0, GitHub workflow
//! annotations, JUnit XML or one line each, for CI jobs and code-scanning tools; and the rule
//! each finding is filed under, which they all share.

pub mod baseline;
mod concise;
mod github;
mod junit;
mod sarif;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{Finding, finding};
use crate::source::{SourceMap, Span};
use crate::values::printable;

pub use concise::{statistics, to_concise};
pub use github::to_github;
pub use junit::to_junit;
pub use sarif::to_sarif;

/// The rule a finding is filed under, by which CI tools filter, count and dismiss findings: for
/// a finding of a rule pack's or the model's own rule, the rule (`us-wa/wa_posted_online`,
/// `council_notice`); for any other, its code (`access-missing`: the prelude's rules are named
/// by the codes of their findings).
pub fn rule_id(diagnostic: &Diagnostic) -> std::borrow::Cow<'_, str> {
    match (&diagnostic.rule, diagnostic.code) {
        (Some(rule), crate::codes::Code::RuleDenied | crate::codes::Code::RuleWarning) => {
            std::borrow::Cow::Owned(qualified_rule_id(rule.pack.as_deref(), &rule.id))
        }
        _ => std::borrow::Cow::Borrowed(diagnostic.code.name()),
    }
}

/// A rule's id as findings are filed under it: `PACK/ID` for a rule of a pack, the id alone for
/// the model's own.
pub fn qualified_rule_id(pack: Option<&str>, id: &str) -> String {
    match pack {
        Some(pack) => format!("{pack}/{id}"),
        None => id.to_string(),
    }
}

/// A finding a waiver of the model sets aside, with that waiver.
pub struct Waived<'a> {
    pub finding: &'a Diagnostic,
    pub waiver: &'a crate::model::Waiver,
}

/// The waived findings, one line each, for people: where, what, and the waiver's reason.
pub fn waived_text(waived: &[Waived<'_>], sources: &SourceMap) -> String {
    let mut out = String::new();
    for Waived { finding, waiver } in waived {
        let place = region(sources, finding.primary.span);
        let until = waiver
            .until
            .map_or(String::new(), |until| format!("until {until}, "));
        out.push_str(&format!(
            "waived: {}:{}:{}: {}[{}]: {} ({until}accepted by {}: {})\n",
            place.file,
            place.start_line,
            place.start_column,
            severity_word(finding.severity()),
            rule_id(finding),
            printable(&finding.message),
            printable(&waiver.by),
            printable(&waiver.because)
        ));
    }
    out
}

/// The diagnostics of a check as JSON: counts, then every finding in the report's shape, and
/// those the model's waivers set aside. With the model's ledgers, the rows each had and how
/// many were counted.
pub fn to_json(
    diagnostics: &[Diagnostic],
    waived: &[Finding],
    sources: &SourceMap,
    ledgers: &[crate::report::LedgerCount],
) -> String {
    #[derive(Serialize)]
    struct Checked<'a> {
        files: Vec<&'a str>,
        errors: usize,
        warnings: usize,
        findings: Vec<Finding>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        waived: &'a [Finding],
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        ledgers: &'a [crate::report::LedgerCount],
    }
    let errors = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .count();
    let checked = Checked {
        files: sources
            .model_files()
            .map(|(_, file)| file.name.as_str())
            .collect(),
        errors,
        warnings: diagnostics.len() - errors,
        findings: diagnostics
            .iter()
            .map(|diagnostic| finding(sources, diagnostic))
            .collect(),
        waived,
        ledgers,
    };
    match serde_json::to_string_pretty(&checked) {
        Ok(json) => json + "\n",
        Err(error) => unreachable!("findings are plain data and always serialise: {error}"),
    }
}

/// The diagnostics of a check as JSON Lines (`docs/report-jsonl.md`): the run, a line per
/// finding in force, a line per finding the model's waivers set aside (`waived`, in the report's
/// shape), then the counts.
pub fn to_jsonl(
    run: &crate::report::jsonl::Run<'_>,
    diagnostics: &[Diagnostic],
    waived: &[Finding],
    sources: &SourceMap,
    ledgers: &[crate::report::LedgerCount],
) -> String {
    let findings = diagnostics
        .iter()
        .map(|diagnostic| finding(sources, diagnostic));
    let mut out = Vec::new();
    match crate::report::jsonl::write_check(run, findings, waived, ledgers, &mut out) {
        Ok(()) => String::from_utf8(out)
            .unwrap_or_else(|_| unreachable!("serde_json writes UTF-8 from Rust strings")),
        Err(error) => unreachable!("writing to a vector cannot fail: {error}"),
    }
}

/// One-based start and end of a span, as line and column.
struct Region {
    file: String,
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn region(sources: &SourceMap, span: Span) -> Region {
    let start = sources.line_column(span);
    let end = sources.line_column(Span {
        start: span.end,
        ..span
    });
    Region {
        file: sources.file(span.file).name.clone(),
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
