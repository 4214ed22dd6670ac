//! The report as JSON Lines (`--format jsonl`), for programs that read a large program's
//! decisions one at a time: a line describing the run, a line per order decision and per
//! finding, each written as it is made (a million orders are never held as report data at once),
//! and a line of counts. Every line is one JSON object whose `type` says what it is; its shape is
//! documented in `docs/report-jsonl.md` and `docs/report-jsonl.schema.json`.

use std::io::Write;

use serde::Serialize;

use super::{Finding, LedgerCount, Summary};
use crate::diagnostic::Diagnostic;
use crate::eval::Evaluation;
use crate::eval::waivers::Waivers;
use crate::model::Model;
use crate::source::SourceMap;

/// The version of the lines' shapes, in each run line: raised when a field changes its meaning
/// or shape, not when one is added.
pub const VERSION: u32 = 1;

/// The first line: what was run, on what, as of when.
#[derive(Clone, Debug, Serialize)]
pub struct Run<'a> {
    pub version: u32,
    /// `report` or `check`.
    pub command: &'static str,
    /// What the run is about, as the report's `program` names it.
    pub program: String,
    pub as_of: String,
    /// The model's files, for `check`, whose lines may be about any of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<&'a str>>,
}

/// The last line of `coop report --format jsonl`: the report's summary, and how many finding
/// lines came before it.
#[derive(Debug, Serialize)]
struct ReportTotals<'a> {
    #[serde(flatten)]
    summary: Summary,
    findings: usize,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    ledgers: &'a [LedgerCount],
}

/// The last line of `coop check --format jsonl`: the findings in force, as `check --format json`
/// counts them, and those the model's waivers set aside.
#[derive(Debug, Serialize)]
struct CheckTotals<'a> {
    errors: usize,
    warnings: usize,
    waived: usize,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    ledgers: &'a [LedgerCount],
}

/// Writes the report of a model as evaluated as JSON Lines: the run, each order (judged orders
/// in date order, then those after the as-of date) as the JSON report's `orders` hold it, each
/// finding as its `findings` hold it, then the summary. `check_findings` are checking's warnings.
pub fn write(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    check_findings: &[Diagnostic],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let out = &mut super::buffered(out);
    let run = Run {
        version: VERSION,
        command: "report",
        program: super::build::program_name(sources),
        as_of: evaluation.as_of.to_string(),
        files: None,
    };
    line(out, "run", &run)?;
    let waivers = Waivers::new(model, evaluation.as_of);
    let order_line =
        |_, order: &super::OrderReport, bytes: &mut Vec<u8>| line(bytes, "order", order);
    super::write_orders(
        model,
        evaluation,
        sources,
        &waivers,
        super::ORDERS_PER_CHUNK,
        out,
        order_line,
    )?;
    let mut findings = 0;
    for finding in super::build::findings(model, evaluation, sources, check_findings, &waivers) {
        findings += 1;
        line(out, "finding", &finding)?;
    }
    let totals = ReportTotals {
        summary: super::build::summary(model, evaluation),
        findings,
        ledgers: &super::ledger_counts(sources, model),
    };
    line(out, "summary", &totals)?;
    out.flush()
}

/// Writes the findings of `coop check` as JSON Lines: the run, each finding in force, each
/// finding the model's waivers set aside (with its `waived`), then the counts. `findings` and
/// `waived` are in the report's shape.
pub fn write_check(
    run: &Run<'_>,
    findings: impl Iterator<Item = Finding>,
    waived: &[Finding],
    ledgers: &[LedgerCount],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let out = &mut super::buffered(out);
    line(out, "run", run)?;
    let (mut errors, mut warnings) = (0, 0);
    for finding in findings {
        match finding.severity {
            crate::diagnostic::Severity::Error => errors += 1,
            crate::diagnostic::Severity::Warning => warnings += 1,
        }
        line(out, "finding", &finding)?;
    }
    for finding in waived {
        line(out, "finding", finding)?;
    }
    let totals = CheckTotals {
        errors,
        warnings,
        waived: waived.len(),
        ledgers,
    };
    line(out, "summary", &totals)?;
    out.flush()
}

/// A run line for `coop check`, whose model may not have checked.
pub fn check_run<'a>(sources: &'a SourceMap, as_of: crate::values::Date) -> Run<'a> {
    Run {
        version: VERSION,
        command: "check",
        program: super::build::program_name(sources),
        as_of: as_of.to_string(),
        files: Some(
            sources
                .model_files()
                .map(|(_, file)| file.name.as_str())
                .collect(),
        ),
    }
}

/// One line: `{"type": KIND, ...the value's fields}`, compact (serde_json escapes every control
/// character, so a value never breaks a line), then a newline.
fn line(out: &mut impl Write, kind: &'static str, value: &impl Serialize) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Tagged<'a, T> {
        #[serde(rename = "type")]
        kind: &'static str,
        #[serde(flatten)]
        value: &'a T,
    }
    serde_json::to_writer(&mut *out, &Tagged { kind, value })?;
    out.write_all(b"\n")
}

/// Everything [`write`] writes, as a string (for tests and small models).
pub fn to_string(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    check_findings: &[Diagnostic],
) -> String {
    let mut out = Vec::new();
    match write(model, evaluation, sources, check_findings, &mut out) {
        Ok(()) => String::from_utf8(out)
            .unwrap_or_else(|_| unreachable!("serde_json writes UTF-8 from Rust strings")),
        Err(error) => unreachable!("writing to a vector cannot fail: {error}"),
    }
}
