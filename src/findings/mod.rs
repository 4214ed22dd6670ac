//! Findings for machines: the diagnostics of `coop check` as JSON, SARIF 2.1.0, GitHub workflow
//! annotations or JUnit XML, for CI jobs and code-scanning tools.

mod github;
mod junit;
mod sarif;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{Finding, finding};
use crate::source::{SourceMap, Span};

pub use github::to_github;
pub use junit::to_junit;
pub use sarif::to_sarif;

/// The diagnostics of a check as JSON: counts, then every finding in the report's shape.
/// With the model's ledgers, the rows each had and how many were counted.
pub fn to_json(
    diagnostics: &[Diagnostic],
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
        ledgers,
    };
    match serde_json::to_string_pretty(&checked) {
        Ok(json) => json + "\n",
        Err(error) => unreachable!("findings are plain data and always serialise: {error}"),
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
