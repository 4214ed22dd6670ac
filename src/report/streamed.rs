//! The JSON report written without holding its orders: each order's entry is made from the model
//! and its judgment as it is written, on every core. A million orders' entries are most of a
//! large report's memory and of its writing time; the rest of the report (agencies, contracts,
//! rules, findings) is built as usual.
//!
//! The bytes are serde_json's pretty printing of the whole [`Report`] (a test compares them for
//! every example and fixture): the report's fields are written here one by one, each value
//! printed by serde_json through `Nested`, its pretty formatter started at the value's depth.

use std::io::Write;

use serde::Serialize;
use serde_json::ser::Formatter;

use super::{OrderReport, Report};
use crate::diagnostic::Diagnostic;
use crate::eval::Evaluation;
use crate::eval::waivers::Waivers;
use crate::model::Model;
use crate::source::SourceMap;

/// Writes the JSON report of a model as evaluated, pretty and ending with a newline, without
/// holding the text (hundreds of megabytes at a million orders) or the orders: the same bytes as
/// [`super::to_json`] of [`super::build`]'s report, with each order made as it is written.
pub fn write_json_of(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    check_findings: &[Diagnostic],
    horizon_days: u32,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_json_in_chunks(
        model,
        evaluation,
        sources,
        check_findings,
        horizon_days,
        out,
        super::ORDERS_PER_CHUNK,
    )
}

/// [`write_json_of`], its orders rendered `chunk` at a time.
fn write_json_in_chunks(
    model: &Model,
    evaluation: &Evaluation,
    sources: &SourceMap,
    check_findings: &[Diagnostic],
    horizon_days: u32,
    out: &mut dyn std::io::Write,
    chunk: usize,
) -> std::io::Result<()> {
    let waivers = Waivers::new(model, evaluation.as_of);
    let report = super::build::without_orders(
        model,
        evaluation,
        sources,
        check_findings,
        horizon_days,
        &waivers,
    );
    let orders = Orders {
        model,
        evaluation,
        sources,
        waivers: &waivers,
    };
    let mut buffered = super::buffered(out);
    write_report(&report, &orders, chunk, &mut buffered)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// The orders of the report, made one at a time as they are written.
struct Orders<'a> {
    model: &'a Model,
    evaluation: &'a Evaluation,
    sources: &'a SourceMap,
    waivers: &'a Waivers<'a>,
}

/// `Report`'s fields in its order and with its omissions, as serde_json prints the report, with
/// `orders` from [`Orders`]. The destructuring names every field, so that a field added to
/// `Report` is added here too.
fn write_report(
    report: &Report,
    orders: &Orders<'_>,
    chunk: usize,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let Report {
        program,
        as_of,
        horizon_days,
        summary,
        agencies,
        orders: _,
        contracts,
        frameworks,
        findings,
        rules,
        ledgers,
        waivers,
    } = report;
    out.write_all(b"{\n  \"program\": ")?;
    pretty(out, FIELD_INDENT, program)?;
    field(out, "as_of", as_of)?;
    field(out, "horizon_days", horizon_days)?;
    field(out, "summary", summary)?;
    field(out, "agencies", agencies)?;
    out.write_all(b",\n  \"orders\": ")?;
    orders.write(chunk, out)?;
    field(out, "contracts", contracts)?;
    if !frameworks.is_empty() {
        field(out, "frameworks", frameworks)?;
    }
    field(out, "findings", findings)?;
    field(out, "rules", rules)?;
    if !ledgers.is_empty() {
        field(out, "ledgers", ledgers)?;
    }
    if !waivers.is_empty() {
        field(out, "waivers", waivers)?;
    }
    out.write_all(b"\n}")
}

/// One field of the report's top-level object, after the field before it.
fn field(out: &mut impl Write, name: &str, value: &impl Serialize) -> std::io::Result<()> {
    write!(out, ",\n  \"{name}\": ")?;
    pretty(out, FIELD_INDENT, value)
}

/// What a line inside a top-level field's value starts with: serde_json's indent, once.
const FIELD_INDENT: &[u8] = b"  ";
/// What a line inside an order's entry starts with: in the `orders` array of the object.
const ORDER_INDENT: &[u8] = b"    ";

impl Orders<'_> {
    /// The `orders` array, as serde_json prints it at its depth.
    fn write(&self, chunk: usize, out: &mut impl Write) -> std::io::Result<()> {
        let count = self.evaluation.judgments.len() + self.evaluation.later_orders.len();
        if count == 0 {
            return out.write_all(b"[]");
        }
        out.write_all(b"[")?;
        let entry = |position: usize, order: &OrderReport, bytes: &mut Vec<u8>| {
            bytes.extend_from_slice(if position == 0 { b"\n" } else { b",\n" });
            bytes.extend_from_slice(ORDER_INDENT);
            pretty(bytes, ORDER_INDENT, order)
        };
        let Orders {
            model,
            evaluation,
            sources,
            waivers,
        } = self;
        super::write_orders(model, evaluation, sources, waivers, chunk, out, entry)?;
        out.write_all(b"\n  ]")
    }
}

/// `value` as serde_json prints it pretty, each of its lines after the first indented by
/// `indent`: as it prints the value at that depth of a larger document.
fn pretty(out: &mut impl Write, indent: &[u8], value: &impl Serialize) -> std::io::Result<()> {
    let formatter = Nested {
        indent,
        depth: 0,
        has_value: false,
    };
    value
        .serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
        .map_err(std::io::Error::from)
}

/// serde_json's pretty printing (`PrettyFormatter`: two spaces a level, `": "` after a name) of a
/// value that stands `indent` deep in a larger document: each line break is followed by `indent`,
/// then by two spaces for each level inside the value.
struct Nested<'a> {
    indent: &'a [u8],
    /// Levels inside the value.
    depth: usize,
    /// Whether the array or object last begun or ended has a member, so that its end goes on a
    /// line of its own.
    has_value: bool,
}

impl Nested<'_> {
    fn line_break<W: ?Sized + Write>(&self, out: &mut W) -> std::io::Result<()> {
        out.write_all(b"\n")?;
        out.write_all(self.indent)?;
        for _ in 0..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn begin<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn end<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line_break(out)?;
        }
        out.write_all(bracket)
    }

    fn member<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            out.write_all(b",")?;
        }
        self.line_break(out)
    }
}

impl Formatter for Nested<'_> {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.begin(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.end(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.member(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.begin(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.end(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.member(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rendered one order per chunk, so that every order of a small model is made by a helping
    /// thread and written after the one before it, the report is the bytes of the report built
    /// whole, for every example and fixture that checks.
    #[test]
    fn orders_rendered_in_chunks_are_the_report_built_whole() {
        let paths = crate::tests::coop_files_in(&["examples", "tests/fixtures/ok"]);
        let as_of = crate::values::Date::parse_from_str(crate::generate::AS_OF, "%Y-%m-%d")
            .expect("the generator's date");
        let mut compared = 0;
        for path in paths {
            let Ok(mut sources) = crate::load::load(std::slice::from_ref(&path)) else {
                continue;
            };
            let (Some(model), check_findings) = crate::check_sources(&mut sources) else {
                continue;
            };
            let evaluation = crate::eval::evaluate(&model, as_of);
            let horizon = super::super::DEFAULT_HORIZON_DAYS;
            let built = super::super::to_json(&super::super::build(
                &model,
                &evaluation,
                &sources,
                &check_findings,
                horizon,
            ));
            let mut written = Vec::new();
            write_json_in_chunks(
                &model,
                &evaluation,
                &sources,
                &check_findings,
                horizon,
                &mut written,
                1,
            )
            .expect("a vector takes anything");
            assert_eq!(
                String::from_utf8(written).expect("UTF-8"),
                built,
                "{}",
                path.display()
            );
            compared += 1;
        }
        assert!(compared > 20, "only {compared} models compared");
    }
}
