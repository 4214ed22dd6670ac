//! The JSON report written without holding its orders: each order's entry is made from the model
//! and its judgment as it is written. A million orders' entries are most of a large report's
//! memory; the rest of the report (agencies, contracts, rules, findings) is built as usual.

use std::io::Write;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::Report;
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
    serde_json::to_writer_pretty(
        &mut buffered,
        &WithOrders {
            report: &report,
            orders,
        },
    )?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// A report whose `orders` are empty, and the orders to write in their place.
struct WithOrders<'a> {
    report: &'a Report,
    orders: Orders<'a>,
}

/// The orders of the report, made one at a time as they are serialised.
struct Orders<'a> {
    model: &'a Model,
    evaluation: &'a Evaluation,
    sources: &'a SourceMap,
    waivers: &'a Waivers<'a>,
}

impl Serialize for Orders<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let count = self.evaluation.judgments.len() + self.evaluation.later_orders.len();
        let mut orders = serializer.serialize_seq(Some(count))?;
        for order in
            super::build::order_reports(self.model, self.evaluation, self.sources, self.waivers)
        {
            orders.serialize_element(&order)?;
        }
        orders.end()
    }
}

/// `Report`'s fields in its order and with its omissions (a test compares the bytes with the
/// derived serialisation's for every example and fixture), `orders` from [`Orders`]. The
/// destructuring names every field, so that a field added to `Report` is added here too.
impl Serialize for WithOrders<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
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
        } = self.report;
        let mut fields = serializer.serialize_struct("Report", 12)?;
        fields.serialize_field("program", program)?;
        fields.serialize_field("as_of", as_of)?;
        fields.serialize_field("horizon_days", horizon_days)?;
        fields.serialize_field("summary", summary)?;
        fields.serialize_field("agencies", agencies)?;
        fields.serialize_field("orders", &self.orders)?;
        fields.serialize_field("contracts", contracts)?;
        if !frameworks.is_empty() {
            fields.serialize_field("frameworks", frameworks)?;
        }
        fields.serialize_field("findings", findings)?;
        fields.serialize_field("rules", rules)?;
        if !ledgers.is_empty() {
            fields.serialize_field("ledgers", ledgers)?;
        }
        if !waivers.is_empty() {
            fields.serialize_field("waivers", waivers)?;
        }
        fields.end()
    }
}
