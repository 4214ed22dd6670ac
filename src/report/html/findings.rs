//! Reasons and findings, as an officer reads them and as a model's author needs them: first the
//! rule's title and what it found, with the source it cites; then, folded, the code, the place in
//! the files, the line itself and how to fix it.

use maud::{Markup, html};

use super::super::{Decision, Finding, OrderReport, Report, RuleFinding};
use super::Page;
use super::words::{id, message};
use crate::diagnostic::Severity;

/// The orders denied for one reason: a rule (by its id), or a code no rule made.
pub(super) struct ReasonGroup<'r> {
    /// The rule's id, else the code's name: unique, and fit for an element's id.
    pub key: String,
    /// The rule's title, else what the code means.
    pub title: String,
    pub citation: Option<&'r str>,
    /// Each order denied for the reason, with the finding that says so (the first, when the
    /// reason denies an order more than once, as for two of its lines).
    pub orders: Vec<(&'r OrderReport, &'r Finding)>,
}

/// The denied orders, grouped by the reasons they were denied for: the reasons that deny the
/// most orders first. An order denied for several reasons is in each of their groups.
pub(super) fn denied_by_reason(report: &Report) -> Vec<ReasonGroup<'_>> {
    let mut groups: Vec<ReasonGroup> = Vec::new();
    let mut index_of: std::collections::HashMap<String, usize> = Default::default();
    for order in report
        .orders
        .iter()
        .filter(|order| order.decision == Decision::Denied)
    {
        for reason in denials(order) {
            let key = reason_key(reason);
            let index = *index_of.entry(key.clone()).or_insert_with(|| {
                groups.push(ReasonGroup {
                    title: reason_title(reason),
                    citation: reason
                        .rule
                        .as_ref()
                        .and_then(|rule| rule.citation.as_deref()),
                    key,
                    orders: Vec::new(),
                });
                groups.len() - 1
            });
            let group = &mut groups[index];
            if group
                .orders
                .last()
                .is_none_or(|(last, _)| last.name != order.name)
            {
                group.orders.push((order, reason));
            }
        }
    }
    groups.sort_by(|left, right| {
        right
            .orders
            .len()
            .cmp(&left.orders.len())
            .then_with(|| left.title.cmp(&right.title))
    });
    groups
}

/// The reasons an order is denied: its findings that are errors (a warning does not deny).
pub(super) fn denials(order: &OrderReport) -> impl Iterator<Item = &Finding> {
    order
        .reasons
        .iter()
        .filter(|reason| reason.severity == Severity::Error)
}

/// The group a reason belongs to: its rule's id, else its code.
pub(super) fn reason_key(reason: &Finding) -> String {
    reason
        .rule
        .as_ref()
        .map_or_else(|| reason.code.name().to_string(), |rule| rule.id.clone())
}

/// What a reason is called: its rule's title, else what its code means.
pub(super) fn reason_title(reason: &Finding) -> String {
    match reason.rule.as_ref().and_then(|rule| rule.title.as_deref()) {
        Some(title) => title.to_string(),
        None => {
            let summary = reason.code.summary();
            let mut characters = summary.chars();
            characters.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(characters).collect()
            })
        }
    }
}

/// A finding as an officer reads it: the rule's title (unless the heading above says it), what
/// it found, and the source the rule cites; then the author's details, folded.
pub(super) fn finding(finding: &Finding, titled: bool) -> Markup {
    let warning = finding.severity == Severity::Warning;
    html! {
        p.found {
            @if warning { span.warning { "Warning" } ": " }
            @if titled { strong { (reason_title(finding)) } ". " }
            (message(&finding.message))
        }
        @if titled {
            @if let Some(citation) = finding.rule.as_ref().and_then(|rule| rule.citation.as_deref()) {
                p.source { "Source: " (citation) }
            }
        }
        @if let Some(waived) = &finding.waived {
            p.waived { (message(&waived.text())) }
        }
        (author(finding))
    }
}

/// A finding in one line, for the list of warnings at the top.
pub(super) fn headline(finding: &Finding) -> Markup {
    html! {
        strong { (reason_title(finding)) } ": " (message(&finding.message))
    }
}

/// What a model's author needs to find and fix a finding, folded.
pub(super) fn author(finding: &Finding) -> Markup {
    let place = format!("{}:{}", finding.location.file, finding.location.line);
    html! {
        details.author {
            summary { "For the model's author" }
            dl {
                dt { "Code" } dd { span.code { (finding.code.name()) } }
                dt { "Where" } dd { code { (path(&place)) } }
                @if !finding.source_line.is_empty() {
                    dt { "Line" } dd { pre.excerpt { (finding.source_line) } }
                }
                @if let Some(help) = &finding.help {
                    dt { "Fix" } dd { (message(help)) }
                }
                @for related in &finding.related {
                    dt { "See" } dd {
                        (message(&related.label)) " "
                        code { (path(&format!("{}:{}", related.location.file, related.location.line))) }
                    }
                }
                @if let Some(rule) = &finding.rule {
                    dt { "Rule" } dd {
                        code { (id(&rule.id)) } " "
                        code { (path(&format!("{}:{}", rule.location.file, rule.location.line))) }
                    }
                }
            }
        }
    }
}

/// A file's path, which may wrap after a `/` or an `_`.
fn path(text: &str) -> Markup {
    html! {
        @for (index, piece) in text.split_inclusive('/').enumerate() {
            @if index > 0 { wbr; }
            (id(piece))
        }
    }
}

/// A rule's id and where it is written, folded for the model's author.
pub(super) fn rule_place(rule: &RuleFinding) -> Markup {
    html! {
        details.author {
            summary { "For the model's author" }
            dl {
                dt { "Rule" } dd { code { (id(&rule.id)) } }
                dt { "Where" } dd { code { (path(&format!("{}:{}", rule.location.file, rule.location.line))) } }
            }
        }
    }
}

/// What a model's author needs of a reason many orders are denied for, once for all of them: its
/// code and its rule. For a large program, whose page names no order's place in the files.
pub(super) fn group_author(group: &ReasonGroup) -> Markup {
    let Some((_, reason)) = group.orders.first() else {
        return html! {};
    };
    html! {
        details.author {
            summary { "For the model's author" }
            dl {
                dt { "Code" } dd { span.code { (reason.code.name()) } }
                @if let Some(rule) = &reason.rule {
                    dt { "Rule" } dd {
                        code { (id(&rule.id)) } " "
                        code { (path(&format!("{}:{}", rule.location.file, rule.location.line))) }
                    }
                }
                dt { "Each order's place" } dd { "in the text report: " code { "coop report --format text" } }
            }
        }
    }
}

impl Page<'_> {
    /// The model's waivers, when it has any: what each accepts, who accepted it, until when, why.
    pub(super) fn waivers(&self) -> Markup {
        let waivers = &self.report.waivers;
        html! {
            @if !waivers.is_empty() {
                section #waivers aria-labelledby="waivers-heading" {
                    h2 #waivers-heading { "Waivers" }
                    p { "Findings the model's authors know of and accept: a waiver decides nothing, and a denied order stays denied." }
                    ul.findings {
                        @for waiver in waivers {
                            li {
                                p.found { (message(&waiver.text())) }
                                p.source { "Because " (waiver.because) }
                                p { code { (path(&format!("{}:{}", waiver.location.file, waiver.location.line))) } }
                            }
                            "\n"
                        }
                    }
                }
                "\n"
            }
        }
    }

    /// Every finding not about one order: warnings about contracts, bindings and the files.
    pub(super) fn findings(&self) -> Markup {
        html! {
            section #findings aria-labelledby="findings-heading" {
                h2 #findings-heading { "Findings" }
                @if self.report.findings.is_empty() {
                    p { "No finding beyond the orders' reasons." }
                } @else {
                    p { "What the rules and the checks found beyond the orders' reasons: warnings deny nothing, but ask for attention." }
                    ul.findings {
                        @for finding in &self.report.findings {
                            li { (self::finding(finding, true)) }
                            "\n"
                        }
                    }
                }
            }
            "\n"
        }
    }
}
