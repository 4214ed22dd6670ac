//! The report as one self-contained HTML page, for the procurement officers, auditors and councils
//! who receive it: what needs attention first, in plain words and titles; the details a model's
//! author needs folded under each reason. Written with maud, whose templates escape every value,
//! so no text from the model reaches the page unescaped; the charts are SVG in the same templates.
//!
//! The page has no fonts and loads nothing; a small inline script (allowed by its hash, and by
//! nothing else) sorts and filters the tables, which are plain and complete without it. Above
//! [`LARGE_PROGRAM_ORDERS`] orders the page shows summaries, every denied order, and the
//! permitted ones added up per contract and per buyer, and says what it left out. The same report
//! always gives the same bytes.

mod agencies;
mod charts;
mod contracts;
mod findings;
mod frameworks;
mod orders;
mod tables;
mod words;

use std::collections::HashMap;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::*;
use crate::values::Date;
use words::{Names, count, long_date};

/// Above this many orders the page lists only the denied ones, and adds up the permitted ones
/// per contract and per buyer: a page of every order of 100,000 was 47 MB, and took a browser
/// minutes to open. Two thousand rows still open at once and print on a few dozen pages.
pub const LARGE_PROGRAM_ORDERS: usize = 2_000;

/// In a large program, the contracts shown in full (with their charts): the first ones, which
/// are those ending soonest. Every contract is in the table of contracts.
pub const LARGE_PROGRAM_CONTRACT_DETAILS: usize = 25;

/// The script's SHA-256, base64: the page's content security policy lets this script run and no
/// other, so that text from a model could never run as a script even if it were not escaped.
/// A unit test keeps it in step with the script.
const SCRIPT_HASH: &str = "sha256-qQ9Ek88l3IN4mLBWK/y06ixgsNrVwwqs/mJcnG3ebqQ=";

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("script.js");

/// Renders the whole report as an HTML document.
pub fn render(report: &Report) -> String {
    shown(&Page::new(report).markup().into_string())
}

/// The page with every control character from the model shown escaped (`\u{1b}`), as the text
/// report shows it: maud escapes what HTML reads, this what a terminal would. The page's own line
/// breaks stay; it writes no other control character.
fn shown(page: &str) -> String {
    if !page
        .chars()
        .any(|character| character.is_control() && character != '\n')
    {
        return page.to_string();
    }
    page.chars()
        .map(|character| match character {
            '\n' => character.to_string(),
            _ if character.is_control() => character.escape_default().collect(),
            _ => character.to_string(),
        })
        .collect()
}

/// What every part of the page reads: the report, titles by name, each contract's orders, and
/// whether the program is large.
struct Page<'r> {
    report: &'r Report,
    names: Names<'r>,
    /// Each contract's orders, in the report's order (by date).
    orders_of: HashMap<&'r str, Vec<&'r OrderReport>>,
    as_of: Option<Date>,
    large: bool,
}

impl<'r> Page<'r> {
    fn new(report: &'r Report) -> Page<'r> {
        let mut orders_of: HashMap<&str, Vec<&OrderReport>> = HashMap::new();
        for order in &report.orders {
            orders_of
                .entry(order.contract.as_str())
                .or_default()
                .push(order);
        }
        Page {
            report,
            names: Names::of(report),
            orders_of,
            as_of: Date::parse_from_str(&report.as_of, "%Y-%m-%d").ok(),
            large: report.orders.len() > LARGE_PROGRAM_ORDERS,
        }
    }

    /// The orders of one contract.
    fn orders_of(&self, contract: &str) -> &[&'r OrderReport] {
        self.orders_of.get(contract).map_or(&[], Vec::as_slice)
    }

    /// The as-of date as people read it.
    fn as_of_text(&self) -> String {
        self.as_of
            .map_or_else(|| self.report.as_of.clone(), long_date)
    }

    fn markup(&self) -> Markup {
        let report = self.report;
        let program = &report.program;
        let denied = findings::denied_by_reason(report);
        html! {
            (DOCTYPE) "\n"
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta http-equiv="Content-Security-Policy" content=(content_security_policy());
                    title { (program) ": binding obligations as of " (report.as_of) }
                    style { (PreEscaped(STYLE)) (PreEscaped(tables::style())) }
                }
                "\n"
                body {
                    header {
                        p.kicker { "Binding obligations report" }
                        h1 { (program) }
                        p.as-of {
                            "As of " time datetime=(report.as_of) { (self.as_of_text()) }
                        }
                        nav aria-label="Sections" {
                            ul {
                                li { a href="#summary" { "At a glance" } }
                                li { a href="#denied" { "Denied orders" } }
                                li { a href="#orders" { "Orders" } }
                                @if !report.frameworks.is_empty() {
                                    li { a href="#frameworks" { "Frameworks" } }
                                }
                                li { a href="#contracts" { "Contracts" } }
                                li { a href="#agencies" { "Agencies" } }
                                li { a href="#findings" { "Findings" } }
                            }
                        }
                    }
                    "\n"
                    main {
                        (self.summary(&denied))
                        (self.denied(&denied))
                        (self.orders())
                        (self.frameworks())
                        (self.contracts())
                        (self.agencies())
                        (self.findings())
                        (self.waivers())
                    }
                    footer {
                        p {
                            "Made by Coop " (env!("CARGO_PKG_VERSION"))
                            ". This report illustrates how the model's files read under Coop's rules; it is not legal advice."
                        }
                    }
                    "\n"
                    script { (PreEscaped(SCRIPT)) }
                    "\n"
                }
            }
            "\n"
        }
    }

    /// What a reader needs first: the counts, every reason orders were denied, every warning.
    fn summary(&self, denied: &[findings::ReasonGroup]) -> Markup {
        let report = self.report;
        let summary = &report.summary;
        // The orders' warnings first (each names its order), then the model's.
        let warnings: Vec<(Option<&str>, &Finding)> = report
            .orders
            .iter()
            .flat_map(|order| {
                order
                    .reasons
                    .iter()
                    .map(move |reason| (Some(order.name.as_str()), reason))
            })
            .chain(report.findings.iter().map(|finding| (None, finding)))
            .filter(|(_, finding)| finding.severity == crate::diagnostic::Severity::Warning)
            .collect();
        // A long list is cut here; the sections below have every item.
        const SHOWN: usize = 12;
        html! {
            section #summary aria-labelledby="summary-heading" {
                h2 #summary-heading { "At a glance" }
                ul.numbers {
                    li { strong { (summary.orders) } "orders judged" }
                    li { strong.permitted { (summary.permitted) } "permitted" }
                    li { strong.denied { (summary.denied) } "denied" }
                    @if summary.after_as_of > 0 {
                        li { strong { (summary.after_as_of) } "after the as-of date, not counted" }
                    }
                    li { strong { (summary.contracts) } (if summary.contracts == 1 { "contract" } else { "contracts" }) }
                    li { strong { (summary.agencies) } (if summary.agencies == 1 { "agency" } else { "agencies" }) }
                }
                @if denied.is_empty() {
                    p { "No order was denied." }
                } @else {
                    div.attention.denials {
                        h3 { (count(summary.denied, "order")) " denied, for " (count(denied.len(), "reason")) }
                        ul {
                            @for group in denied.iter().take(SHOWN) {
                                li {
                                    a href={ "#denied-" (group.key) } { (group.title) }
                                    ": " (count(group.orders.len(), "order"))
                                }
                            }
                        }
                        @if denied.len() > SHOWN {
                            p { "And " (count(denied.len() - SHOWN, "other reason")) ", under " a href="#denied" { "Denied orders" } "." }
                        }
                    }
                }
                @if !warnings.is_empty() {
                    div.attention {
                        h3 { (count(warnings.len(), "warning")) }
                        ul {
                            @for (order, finding) in warnings.iter().take(SHOWN) {
                                li {
                                    @if let Some(order) = order {
                                        "Order "
                                        // A large program's page lists only its denied orders.
                                        @if self.large { (words::id(order)) } @else { a href={ "#order-" (order) } { (words::id(order)) } }
                                        ": "
                                    }
                                    (findings::headline(finding))
                                }
                            }
                        }
                        @if warnings.len() > SHOWN {
                            p { "And " (warnings.len() - SHOWN) " more, under " a href="#findings" { "Findings" } "." }
                        }
                    }
                }
                @if self.large {
                    p.note {
                        "This program has " (count(report.orders.len(), "order"))
                        ", more than the " (LARGE_PROGRAM_ORDERS) " this page lists one by one: it lists every denied order, adds up the permitted ones per contract and per buyer, and shows "
                        (LARGE_PROGRAM_CONTRACT_DETAILS) " contracts in full. The text and JSON reports ("
                        code { "--format text" } ", " code { "--format json" } ") have everything."
                    }
                }
            }
            "\n"
        }
    }
}

/// The policy the page runs under: nothing loads, only its own script runs.
fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '{SCRIPT_HASH}'; base-uri 'none'; form-action 'none'"
    )
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use sha2::Digest as _;

    #[test]
    fn the_policy_allows_the_script_by_its_hash() {
        let digest = sha2::Sha256::digest(super::SCRIPT.as_bytes());
        let hash = format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        assert_eq!(
            super::SCRIPT_HASH,
            hash,
            "update SCRIPT_HASH in html/mod.rs"
        );
    }
}
