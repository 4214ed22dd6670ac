//! A contract's two charts, drawn as SVG in the page's templates: its use against its limits, and
//! its timeline. Each has an axis with values, labels placed so that none hides another, a legend
//! in the page's text, and a text alternative (a title and a description a screen reader reads,
//! the same words as the caption). Drawing is the one place a float is right; the same report
//! always draws the same bytes.

use maud::{Markup, html};
use rust_decimal::prelude::ToPrimitive;

use super::Page;
use super::words::count;
use crate::eval::Basis;
use crate::report::{Amount, ContractReport, Decision, OrderReport};
use crate::values::Date;

/// The drawing's width in SVG units; the page scales it to the column.
const WIDTH: f64 = 600.0;
/// The axis runs from here to `WIDTH - MARGIN`.
const MARGIN: f64 = 6.0;
const SPAN: f64 = WIDTH - 2.0 * MARGIN;
/// What one character of a label takes, at most on average, in SVG units: for keeping labels
/// inside the drawing and apart from each other.
const CHARACTER: f64 = 7.4;

/// In a large program, the agencies drawn one by one in a use chart; the rest share a segment.
const LARGEST_AGENCIES: usize = 8;
/// Rows of order markers before the rest are counted instead of drawn.
const MARKER_ROWS: usize = 5;

const LEAD: &str = "#3b5b92";
const PARTICIPANT: &str = "#6b8fc7";
const PIGGYBACK: &str = "#c77d1a";
const OTHER: &str = "#9aa3ad";
const LIMIT: &str = "#b3261e";
const INK: &str = "#1b1f24";
const GRID: &str = "#e3e6ea";
const PERMITTED: &str = "#1a7f37";

/// One agency's part of the bar, or the agencies a large program adds up.
struct Segment {
    label: String,
    basis: Option<Basis>,
    amount: Amount,
}

/// What each agency ordered, in the contract's measure, stacked on one bar against the
/// estimate, the commitments and the maximum; piggyback use against the ceiling on a second bar.
pub(super) fn use_chart(page: &Page, contract: &ContractReport) -> Markup {
    let ordered = number(&contract.ordered);
    // Only limits counted in the contract's own measure can share its axis.
    let committed = contract
        .committed
        .as_ref()
        .filter(|committed| contract.commitments_not_counted == 0 || number(committed) > 0.0);
    let markers: Vec<(&str, &Amount)> = [
        ("estimate", contract.estimate.as_ref()),
        ("committed", committed),
        ("maximum", contract.maximum.as_ref()),
    ]
    .into_iter()
    .filter_map(|(name, amount)| amount.map(|amount| (name, amount)))
    .filter(|(_, amount)| same_measure(amount, &contract.ordered))
    .collect();
    let ceiling = match (&contract.ceiling, &contract.piggyback_ordered) {
        (Some(ceiling), Some(used)) if same_measure(ceiling, &contract.ordered) => {
            Some((ceiling, used))
        }
        _ => None,
    };
    let top = markers
        .iter()
        .map(|(_, amount)| number(amount))
        .chain(ceiling.map(|(ceiling, used)| number(ceiling).max(number(used))))
        .fold(ordered, f64::max);
    let axis = Axis::new(top);
    let x = |value: f64| MARGIN + value / axis.top * SPAN;
    let segments = segments(page, contract);

    let mut description = format!("Ordered {}", contract.ordered);
    if let Some(share) = &contract.share_of_maximum {
        description.push_str(&format!(", {share} of the maximum"));
    }
    for (name, amount) in &markers {
        description.push_str(&format!("; {name} {amount}"));
    }
    if let Some((ceiling, used)) = ceiling {
        description.push_str(&format!("; piggyback use {used} of the ceiling {ceiling}"));
    }
    if !segments.is_empty() {
        let parts: Vec<String> = segments
            .iter()
            .enumerate()
            .map(|(index, segment)| format!("{}. {} {}", index + 1, segment.label, segment.amount))
            .collect();
        description.push_str(&format!(". By agency: {}", parts.join("; ")));
    }
    description.push('.');

    let name = &contract.name;
    // Each bar, then the labels of its limits under it, each on a row of its own so that none
    // covers another; the axis under both bars.
    let labels: Vec<Label> = markers
        .iter()
        .map(|(marker, amount)| Label {
            position: x(number(amount)),
            text: format!("{marker} {amount}"),
            color: if *marker == "maximum" { LIMIT } else { INK },
            dash: match *marker {
                "estimate" => "6 4",
                "committed" => "2 3",
                _ => "",
            },
        })
        .collect();
    let ordered_bar = 22.0;
    let mut bottom = ordered_bar + 30.0 + 16.0 * labels.len() as f64;
    let ceiling_row = ceiling.map(|(ceiling, used)| {
        let row = bottom + 8.0;
        bottom = row + 30.0 + 16.0 + 22.0;
        let label = Label {
            position: x(number(ceiling)),
            text: format!("ceiling {ceiling}"),
            color: LIMIT,
            dash: "",
        };
        (row, used, label)
    });
    let axis_y = bottom + 6.0;
    let height = axis_y + 26.0;
    // Each segment's start and width.
    let mut placed = Vec::with_capacity(segments.len());
    let mut left = MARGIN;
    for segment in &segments {
        let width = number(&segment.amount) / axis.top * SPAN;
        placed.push((left, width));
        left += width;
    }
    html! {
        figure {
            svg role="img" aria-labelledby={ "use-" (name) "-title use-" (name) "-desc" }
                viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height) {
                title #{ "use-" (name) "-title" } { "Use of " (contract.title.as_deref().unwrap_or(name)) " against its limits" }
                desc #{ "use-" (name) "-desc" } { (description) }
                defs {
                    pattern #{ "piggyback-" (name) } width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
                        rect width="6" height="6" fill=(PIGGYBACK) {}
                        line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2" {}
                    }
                    pattern #{ "participant-" (name) } width="6" height="6" patternUnits="userSpaceOnUse" {
                        rect width="6" height="6" fill=(PARTICIPANT) {}
                        circle cx="3" cy="3" r="1.2" fill="#ffffff" {}
                    }
                }
                text x=(MARGIN) y=(fixed(ordered_bar - 7.0)) {
                    "Ordered: " (contract.ordered.to_string())
                    @if let Some(share) = &contract.share_of_maximum { ", " (share) " of the maximum" }
                }
                rect x=(MARGIN) y=(fixed(ordered_bar)) width=(SPAN) height="26" fill="#f3f5f8" stroke="#d0d5dc" {}
                @for (index, (segment, (start, width))) in segments.iter().zip(&placed).enumerate() {
                    @let (start, width) = (*start, *width);
                    rect x=(fixed(start)) y=(fixed(ordered_bar)) width=(fixed(width)) height="26" fill=(fill(segment.basis, name)) stroke="#ffffff" {
                        title { (index + 1) ". " (segment.label) ": " (segment.amount.to_string()) }
                    }
                    // Numbered in place where the segment is wide enough; the legend names each.
                    @if width >= 18.0 {
                        text.segment x=(fixed(start + width / 2.0)) y=(fixed(ordered_bar + 18.0)) text-anchor="middle" { (index + 1) }
                    }
                }
                @for (index, label) in labels.iter().enumerate() {
                    (label.draw(ordered_bar, ordered_bar + 30.0 + 16.0 * (index + 1) as f64))
                }
                @if let Some((row, used, label)) = &ceiling_row {
                    text x=(MARGIN) y=(fixed(row + 15.0)) { "Piggyback use: " (used.to_string()) }
                    rect x=(MARGIN) y=(fixed(row + 22.0)) width=(SPAN) height="26" fill="#f3f5f8" stroke="#d0d5dc" {}
                    rect x=(MARGIN) y=(fixed(row + 22.0)) width=(fixed(number(used) / axis.top * SPAN)) height="26" fill={ "url(#piggyback-" (name) ")" } {
                        title { "Piggyback use: " (used.to_string()) }
                    }
                    (label.draw(row + 22.0, row + 30.0 + 38.0))
                }
                (axis.draw(axis_y, unit(&contract.ordered)))
            }
            @if !segments.is_empty() {
                ul.legend {
                    @for (index, segment) in segments.iter().enumerate() {
                        li {
                            span class={ "swatch " (swatch(segment.basis)) } aria-hidden="true" {}
                            (index + 1) ". " (segment.label)
                            @if let Some(basis) = segment.basis { " (" (basis.as_str().replace('_', " ")) ")" }
                            ": " span.amount { (segment.amount.to_string()) }
                        }
                    }
                }
            }
            figcaption { (description) }
        }
    }
}

/// A limit on a bar: a line across it, and under it a label with the limit's name and amount.
struct Label {
    position: f64,
    text: String,
    color: &'static str,
    dash: &'static str,
}

impl Label {
    /// Across the bar whose top is at `bar`, labelled on the row whose baseline is `row`.
    fn draw(&self, bar: f64, row: f64) -> Markup {
        html! {
            line x1=(fixed(self.position)) y1=(fixed(bar - 5.0)) x2=(fixed(self.position)) y2=(fixed(bar + 31.0))
                stroke=(self.color) stroke-width="2" stroke-dasharray=(self.dash) {}
            line x1=(fixed(self.position)) y1=(fixed(bar + 31.0)) x2=(fixed(self.position)) y2=(fixed(row - 11.0))
                stroke=(self.color) stroke-width="1" stroke-dasharray="1 2" {}
            text x=(fixed(self.position)) y=(fixed(row)) text-anchor=(anchor(self.position, &self.text)) fill=(self.color) { (self.text) }
        }
    }
}

/// Each agency's part, lead first, then the joint participants, then piggyback users; in a large
/// program the largest few, and the rest together.
fn segments(page: &Page, contract: &ContractReport) -> Vec<Segment> {
    let mut volumes: Vec<&crate::report::AgencyVolume> = contract
        .ordered_by
        .iter()
        .filter(|volume| number(&volume.amount) > 0.0)
        .collect();
    let mut rest: Option<Segment> = None;
    if page.large && volumes.len() > LARGEST_AGENCIES {
        volumes.sort_by(|left, right| {
            right
                .value
                .amount
                .cmp(&left.value.amount)
                .then_with(|| left.agency.cmp(&right.agency))
        });
        let others = volumes.split_off(LARGEST_AGENCIES);
        let total: rust_decimal::Decimal = others
            .iter()
            .map(|volume| match &volume.amount {
                Amount::Money(money) => money.amount,
                Amount::Quantity { quantity, .. } => *quantity,
            })
            .sum();
        let amount = match &contract.ordered {
            Amount::Money(money) => {
                Amount::Money(crate::values::Money::in_cents(money.currency, total))
            }
            Amount::Quantity { unit, .. } => Amount::Quantity {
                quantity: total,
                unit: unit.clone(),
            },
        };
        rest = Some(Segment {
            label: format!("{} others", others.len()),
            basis: None,
            amount,
        });
    }
    volumes.sort_by(|left, right| (left.basis, &left.agency).cmp(&(right.basis, &right.agency)));
    volumes
        .into_iter()
        .map(|volume| Segment {
            label: page.names.agency_text(&volume.agency),
            basis: Some(volume.basis),
            amount: volume.amount.clone(),
        })
        .chain(rest)
        .collect()
}

fn fill(basis: Option<Basis>, contract: &str) -> String {
    match basis {
        Some(Basis::Lead) => LEAD.to_string(),
        Some(Basis::JointParticipant) => format!("url(#participant-{contract})"),
        Some(Basis::Piggyback) => format!("url(#piggyback-{contract})"),
        None => OTHER.to_string(),
    }
}

fn swatch(basis: Option<Basis>) -> &'static str {
    match basis {
        Some(Basis::Lead) => "lead",
        Some(Basis::JointParticipant) => "participant",
        Some(Basis::Piggyback) => "piggyback",
        None => "other",
    }
}

/// The term, each option, the orders (each linking to its row), the access instruments taking
/// effect and the as-of date, on one time axis.
pub(super) fn timeline(page: &Page, contract: &ContractReport, as_of: Date) -> Markup {
    let (Some(term_start), Some(term_end)) =
        (parse(&contract.term_start), parse(&contract.term_end))
    else {
        return html! {};
    };
    let orders: Vec<(&OrderReport, Date)> = page
        .orders_of(&contract.name)
        .iter()
        .filter_map(|order| parse(&order.date).map(|date| (*order, date)))
        .collect();
    let instruments: Vec<(&crate::report::InstrumentReport, Date)> = contract
        .instruments
        .iter()
        .filter_map(|instrument| Some((instrument, parse(instrument.in_force_from.as_deref()?)?)))
        .collect();
    let options: Vec<(usize, &crate::report::OptionReport, Date, Date)> = contract
        .options
        .iter()
        .enumerate()
        .filter_map(|(index, option)| {
            Some((index + 1, option, parse(&option.from)?, parse(&option.to)?))
        })
        .collect();
    let first = orders
        .iter()
        .map(|(_, date)| *date)
        .chain(instruments.iter().map(|(_, date)| *date))
        .fold(term_start.min(as_of), Date::min);
    let last = orders
        .iter()
        .map(|(_, date)| *date)
        .chain(instruments.iter().map(|(_, date)| *date))
        .chain(options.iter().map(|(_, _, _, to)| *to))
        .fold(term_end.max(as_of), Date::max);
    let span_days = (last - first).num_days().max(1) as f64;
    let x = |date: Date| MARGIN + (date - first).num_days() as f64 / span_days * SPAN;

    let decided = |decision: Decision| {
        orders
            .iter()
            .filter(|(order, _)| order.decision == decision)
            .count()
    };
    let (permitted, denied, later) = (
        decided(Decision::Permitted),
        decided(Decision::Denied),
        decided(Decision::AfterAsOf),
    );
    // In a large program the permitted orders are counted per month, the others drawn.
    let drawn: Vec<&(&OrderReport, Date)> = orders
        .iter()
        .filter(|(order, _)| !page.large || order.decision != Decision::Permitted)
        .collect();
    let (rows, left_out) = lanes(drawn.iter().map(|(_, date)| x(*date)));
    let months = if page.large {
        per_month(&orders)
    } else {
        Vec::new()
    };

    let mut description = format!(
        "Term {} to {}, with the options exercised to {}",
        contract.term_start, contract.term_end, contract.end_with_options
    );
    for (number, option, _, _) in &options {
        description.push_str(&format!(
            "; option {number} {} to {}: {}",
            option.from,
            option.to,
            option_state(option)
        ));
    }
    description.push_str(&format!(
        "; {} permitted and {denied} denied",
        count(permitted, "order")
    ));
    if later > 0 {
        description.push_str(&format!(", {later} after the as-of date"));
    }
    // A program's contract may have hundreds of instruments; the description names the first.
    const NAMED: usize = 10;
    for (instrument, date) in instruments.iter().take(NAMED) {
        description.push_str(&format!("; {} in force from {date}", instrument.name));
    }
    if instruments.len() > NAMED {
        description.push_str(&format!(
            "; {} more",
            count(instruments.len() - NAMED, "access instrument")
        ));
    }
    description.push_str(&format!("; as of {as_of}."));

    // Rows, top to bottom: the axis's years, the term, each option, the orders, the instruments.
    let mut y = 34.0;
    let term_y = y;
    y += 34.0;
    let option_y = y;
    y += 34.0 * options.len() as f64;
    let orders_y = y;
    let histogram = if months.is_empty() { 0.0 } else { 34.0 };
    y += 20.0 + histogram + 14.0 * rows_used(&rows) as f64;
    if left_out > 0 {
        y += 16.0;
    }
    let instruments_y = y;
    let (instrument_rows, instruments_left_out) =
        lanes(instruments.iter().map(|(_, date)| x(*date)));
    if !instruments.is_empty() {
        y += 20.0 + 14.0 * rows_used(&instrument_rows) as f64;
    }
    let bottom = y + 6.0;
    let height = bottom + 20.0;
    let as_of_x = x(as_of);
    let name = &contract.name;
    let ticks = time_ticks(first, last);
    let busiest = months.iter().map(|(_, count)| *count).max().unwrap_or(0);
    html! {
        figure {
            svg role="img" aria-labelledby={ "time-" (name) "-title time-" (name) "-desc" }
                viewBox={ "0 0 " (WIDTH) " " (fixed(height)) } width=(WIDTH) height=(fixed(height)) {
                title #{ "time-" (name) "-title" } { "Timeline of " (contract.title.as_deref().unwrap_or(name)) }
                desc #{ "time-" (name) "-desc" } { (description) }
                @for (date, label) in &ticks {
                    line x1=(fixed(x(*date))) y1="16" x2=(fixed(x(*date))) y2=(fixed(bottom)) stroke=(GRID) stroke-width="1" {}
                    text.small x=(fixed(x(*date))) y="12" text-anchor=(anchor(x(*date), label)) { (label) }
                }
                text x=(MARGIN) y=(fixed(term_y)) { "Term " (contract.term_start) " to " (contract.term_end) }
                rect x=(fixed(x(term_start))) y=(fixed(term_y + 6.0)) width=(fixed((x(term_end) - x(term_start)).max(1.0))) height="12" fill=(LEAD) {
                    title { "Term " (contract.term_start) " to " (contract.term_end) }
                }
                @for (index, (number, option, from, to)) in options.iter().enumerate() {
                    @let row = option_y + 34.0 * index as f64;
                    text x=(MARGIN) y=(fixed(row)) { "Option " (number) ", " (option.from) " to " (option.to) ": " (option_state(option)) }
                    rect x=(fixed(x(*from))) y=(fixed(row + 6.0)) width=(fixed((x(*to) - x(*from)).max(1.0))) height="12"
                        fill=(if option.exercised.is_some() { PARTICIPANT } else { "#ffffff" })
                        stroke=(if option.exercised.is_some() { LEAD } else { "#545c69" })
                        stroke-dasharray=(if option.exercised.is_some() { "" } else { "4 3" }) {
                        title { "Option " (number) ": " (option_state(option)) }
                    }
                }
                text x=(MARGIN) y=(fixed(orders_y)) {
                    "Orders: " (permitted) " permitted, " (denied) " denied"
                    @if later > 0 { ", " (later) " after the as-of date" }
                }
                @if busiest > 0 {
                    @for (month, count) in &months {
                        @let height = 30.0 * *count as f64 / busiest as f64;
                        rect x=(fixed(x(*month))) y=(fixed(orders_y + 36.0 - height)) width=(fixed((x(next_month(*month)) - x(*month)).max(1.0))) height=(fixed(height)) fill=(PERMITTED) {
                            title { (count) " permitted in " (month.format("%Y-%m")) }
                        }
                    }
                    text.small x=(fixed(WIDTH - MARGIN)) y=(fixed(orders_y + 14.0)) text-anchor="end" { "bars: permitted orders a month, at most " (busiest) }
                }
                @for ((order, date), row) in drawn.iter().zip(&rows) {
                    @let center = x(*date);
                    @let middle = orders_y + 14.0 + histogram + 14.0 * *row as f64;
                    @if *row < MARKER_ROWS {
                        a href={ "#order-" (order.name) } {
                            title { (order.title.as_deref().unwrap_or(&order.name)) ": " (page.names.agency_text(&order.buyer)) ", " (order.date) ", " (state(order.decision)) }
                            (marker(order.decision, center, middle))
                        }
                    }
                }
                @if left_out > 0 {
                    text.small x=(MARGIN) y=(fixed(instruments_y - 6.0)) { (count(left_out, "more order")) " on crowded days not drawn: the table of orders lists them." }
                }
                @if !instruments.is_empty() {
                    text x=(MARGIN) y=(fixed(instruments_y)) { "Access instruments taking effect" }
                    @if instruments_left_out > 0 {
                        text.small x=(fixed(WIDTH - MARGIN)) y=(fixed(instruments_y)) text-anchor="end" { (instruments_left_out) " more on crowded days, not drawn" }
                    }
                    @for ((instrument, date), row) in instruments.iter().zip(&instrument_rows).filter(|(_, row)| **row < MARKER_ROWS) {
                        @let center = x(*date);
                        @let middle = instruments_y + 14.0 + 14.0 * *row as f64;
                        path d=(format!("M{} {} L{} {} L{} {} L{} {} Z", fixed(center), fixed(middle - 6.0), fixed(center + 6.0), fixed(middle), fixed(center), fixed(middle + 6.0), fixed(center - 6.0), fixed(middle))) fill=(PIGGYBACK) {
                            title { (instrument.name) " (" (instrument.kind.replace('_', " ")) ") in force from " (date.to_string()) }
                        }
                    }
                }
                line x1=(fixed(as_of_x)) y1="16" x2=(fixed(as_of_x)) y2=(fixed(bottom)) stroke=(INK) stroke-width="2" stroke-dasharray="3 3" {}
                @let label = format!("as of {as_of}");
                text x=(fixed(as_of_x)) y=(fixed(bottom + 14.0)) text-anchor=(anchor(as_of_x, &label)) { (label) }
            }
            ul.legend aria-hidden="true" {
                li { span.permitted { "●" } " permitted order" }
                li { span.denied { "✕" } " denied order" }
                li { span.later { "○" } " after the as-of date" }
                @if !instruments.is_empty() { li { span.warning { "◆" } " access instrument takes effect" } }
                @if !options.is_empty() { li { "dashed box: option not exercised" } }
                li { "dashed line: the as-of date" }
            }
            figcaption { (description) " Each order's mark links to its row." }
        }
    }
}

/// A mark for an order: a dot when permitted, a cross when denied, a ring after the as-of date.
fn marker(decision: Decision, center: f64, middle: f64) -> Markup {
    html! {
        @match decision {
            Decision::Permitted => circle cx=(fixed(center)) cy=(fixed(middle)) r="5" fill=(PERMITTED) {},
            Decision::Denied => path d=(format!("M{a} {b} L{c} {d} M{a} {d} L{c} {b}", a = fixed(center - 5.0), b = fixed(middle - 5.0), c = fixed(center + 5.0), d = fixed(middle + 5.0))) stroke=(LIMIT) stroke-width="3" {},
            Decision::AfterAsOf => circle cx=(fixed(center)) cy=(fixed(middle)) r="5" fill="#ffffff" stroke="#545c69" stroke-width="1.5" {},
        }
    }
}

fn state(decision: Decision) -> &'static str {
    match decision {
        Decision::Permitted => "permitted",
        Decision::Denied => "denied",
        Decision::AfterAsOf => "after the as-of date",
    }
}

fn option_state(option: &crate::report::OptionReport) -> String {
    match (&option.exercised, &option.exercised_later) {
        (Some(date), _) => format!("exercised {date}"),
        (None, Some(date)) => format!("exercised {date}, after the as-of date"),
        (None, None) => "not exercised".to_string(),
    }
}

/// Rows for marks at these positions (in order): each mark goes on the first row where it keeps
/// clear of the mark before it. Marks past the last row are counted, not drawn.
fn lanes(positions: impl Iterator<Item = f64>) -> (Vec<usize>, usize) {
    const CLEARANCE: f64 = 13.0;
    let mut ends: Vec<f64> = Vec::new();
    let mut rows = Vec::new();
    let mut left_out = 0;
    for position in positions {
        let row = ends
            .iter()
            .position(|end| position - end >= CLEARANCE)
            .unwrap_or(ends.len());
        if row == ends.len() {
            ends.push(position);
        } else {
            ends[row] = position;
        }
        if row >= MARKER_ROWS {
            left_out += 1;
        }
        rows.push(row.min(MARKER_ROWS));
    }
    (rows, left_out)
}

/// How many rows of marks are drawn: at least one, at most `MARKER_ROWS`.
fn rows_used(rows: &[usize]) -> usize {
    rows.iter()
        .map(|row| row + 1)
        .max()
        .unwrap_or(1)
        .min(MARKER_ROWS)
}

/// The permitted orders of each month, from the first month with one to the last.
fn per_month(orders: &[(&OrderReport, Date)]) -> Vec<(Date, usize)> {
    use chrono::Datelike;
    let mut months: std::collections::BTreeMap<Date, usize> = Default::default();
    for (_, date) in orders
        .iter()
        .filter(|(order, _)| order.decision == Decision::Permitted)
    {
        if let Some(month) = date.with_day(1) {
            *months.entry(month).or_default() += 1;
        }
    }
    months.into_iter().collect()
}

fn next_month(month: Date) -> Date {
    month
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(month)
}

/// Ticks for a time axis: each year's first day, or each quarter's when the axis spans less than
/// two years; fewer when years are many.
fn time_ticks(first: Date, last: Date) -> Vec<(Date, String)> {
    use chrono::Datelike;
    let years: Vec<Date> = (first.year() + 1..=last.year())
        .filter_map(|year| Date::from_ymd_opt(year, 1, 1))
        .collect();
    if years.len() >= 2 {
        let step = years.len().div_ceil(8);
        return years
            .into_iter()
            .step_by(step)
            .map(|date| (date, date.year().to_string()))
            .collect();
    }
    let mut ticks = Vec::new();
    let mut month = Date::from_ymd_opt(first.year(), (first.month() - 1) / 3 * 3 + 1, 1);
    while let Some(date) = month.filter(|date| *date <= last) {
        if date > first {
            ticks.push((date, date.format("%Y-%m").to_string()));
        }
        month = date.checked_add_months(chrono::Months::new(3));
    }
    ticks
}

/// A value axis from zero, with four or five round ticks.
struct Axis {
    top: f64,
    step: f64,
}

impl Axis {
    fn new(largest: f64) -> Axis {
        if largest.is_nan() || largest <= 0.0 {
            return Axis {
                top: 1.0,
                step: 1.0,
            };
        }
        let rough = largest / 4.0;
        let magnitude = 10f64.powf(rough.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .into_iter()
            .map(|nice| nice * magnitude)
            .find(|step| *step >= rough)
            .unwrap_or(10.0 * magnitude);
        Axis {
            top: (largest / step).ceil().max(1.0) * step,
            step,
        }
    }

    fn draw(&self, y: f64, unit: String) -> Markup {
        let ticks = (self.top / self.step).round() as usize;
        html! {
            line x1=(MARGIN) y1=(fixed(y)) x2=(fixed(WIDTH - MARGIN)) y2=(fixed(y)) stroke=(INK) stroke-width="1" {}
            @for index in 0..=ticks {
                @let value = self.step * index as f64;
                @let position = MARGIN + value / self.top * SPAN;
                @let label = if index == ticks { format!("{} {unit}", compact(value)) } else { compact(value) };
                line x1=(fixed(position)) y1=(fixed(y)) x2=(fixed(position)) y2=(fixed(y + 5.0)) stroke=(INK) stroke-width="1" {}
                text.small x=(fixed(position)) y=(fixed(y + 18.0)) text-anchor=(anchor(position, &label)) { (label) }
            }
        }
    }
}

/// `250k`, `1.5M`, `12`: a tick's value, short.
fn compact(value: f64) -> String {
    let (scaled, suffix) = if value >= 1e9 {
        (value / 1e9, "B")
    } else if value >= 1e6 {
        (value / 1e6, "M")
    } else if value >= 1e3 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let text = format!("{scaled:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{suffix}")
}

/// What an axis counts: a currency or a unit.
fn unit(amount: &Amount) -> String {
    match amount {
        Amount::Money(money) => money.currency.to_string(),
        Amount::Quantity { unit, .. } => unit.clone(),
    }
}

/// A label near either end of the drawing is anchored inwards, so that it is never cut off.
fn anchor(position: f64, label: &str) -> &'static str {
    let half = label.chars().count() as f64 * CHARACTER / 2.0;
    if position - half < 0.0 {
        "start"
    } else if position + half > WIDTH {
        "end"
    } else {
        "middle"
    }
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

/// A number to draw with.
fn number(amount: &Amount) -> f64 {
    let value = match amount {
        Amount::Money(money) => money.amount,
        Amount::Quantity { quantity, .. } => *quantity,
    };
    value.to_f64().unwrap_or(0.0).max(0.0)
}

/// A coordinate with one decimal, the same on every machine.
fn fixed(value: f64) -> String {
    format!("{value:.1}")
}

fn parse(text: &str) -> Option<Date> {
    Date::parse_from_str(text, "%Y-%m-%d").ok()
}
