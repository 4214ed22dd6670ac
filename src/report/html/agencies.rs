//! Who is bound to what: each agency's bindings with their dates, terms, prices, duties and
//! responsibilities, each with the rule that states it; in a large program, one row an agency.

use maud::{Markup, html};

use super::contracts::bought;
use super::orders::Totals;
use super::tables::{AGENCIES, BINDINGS};
use super::words::{count, date, id, message, named};
use super::{Page, findings};
use crate::report::{AgencyReport, BindingReport, Decision, DutyReport, RuleFinding};
use crate::values::format_quantity;

impl Page<'_> {
    pub(super) fn agencies(&self) -> Markup {
        let report = self.report;
        html! {
            section #agencies aria-labelledby="agencies-heading" {
                h2 #agencies-heading { "Agencies" }
                @if report.agencies.is_empty() {
                    p { "The model has no agency." }
                }
                @if self.large {
                    (self.agencies_table())
                } @else {
                    @for agency in &report.agencies {
                        (agency_article(agency))
                    }
                }
            }
            "\n"
        }
    }

    /// One row an agency, with its permitted orders added up: for a large program.
    fn agencies_table(&self) -> Markup {
        let report = self.report;
        let mut permitted: std::collections::HashMap<&str, (usize, Totals)> = Default::default();
        for order in report
            .orders
            .iter()
            .filter(|order| order.decision == Decision::Permitted)
        {
            let (orders, value) = permitted.entry(order.buyer.as_str()).or_default();
            *orders += 1;
            if let Some(money) = &order.value {
                value.add(money);
            }
        }
        let none = (0, Totals::default());
        html! {
            p {
                (count(report.agencies.len(), "agency")) ", each with its permitted orders added up. Each binding, with its terms, prices, duties and responsibilities, is in the text and JSON reports."
            }
            table class=(AGENCIES.class()) {
                caption { "Agencies and their permitted orders" }
                (AGENCIES.head())
                tbody {
                    @for agency in &report.agencies {
                        @let (orders, value) = permitted.get(agency.name.as_str()).unwrap_or(&none);
                        tr #{ "agency-" (agency.name) } {
                            th scope="row" { (named(agency.title.as_deref(), &agency.name)) }
                            td { (kind(agency)) }
                            td { (agency.bindings.len()) }
                            td { (orders) }
                            td data-sort=(value.sort_key()) { (value.markup()) }
                            td { (agency.rule_duties.len()) }
                        }
                        "\n"
                    }
                }
            }
        }
    }
}

fn agency_article(agency: &AgencyReport) -> Markup {
    html! {
        article.agency #{ "agency-" (agency.name) } {
            h3 {
                (named(agency.title.as_deref(), &agency.name))
                " " small { (kind(agency)) @if agency.title.is_some() { ", " span.id { (id(&agency.name)) } } }
            }
            @if agency.bindings.is_empty() {
                p { "Not bound to any contract." }
            } @else {
                table class=(BINDINGS.class()) {
                    caption { "Contracts binding " (named(agency.title.as_deref(), &agency.name)) }
                    (BINDINGS.head())
                    tbody {
                        @for binding in &agency.bindings {
                            (binding_row(binding))
                        }
                    }
                }
            }
            @if !agency.rule_duties.is_empty() {
                h4 { "Duties under rules" }
                (duties(&agency.rule_duties))
            }
        }
        "\n"
    }
}

fn binding_row(binding: &BindingReport) -> Markup {
    let mut duties: Vec<String> = binding.duties.clone();
    if let (Some(commitment), Some(shortfall)) = (&binding.commitment, &binding.shortfall) {
        duties.push(format!("committed {commitment}, short by {shortfall}"));
    }
    html! {
        tr {
            th scope="row" {
                a href={ "#contract-" (binding.contract) } { (named(binding.contract_title.as_deref(), &binding.contract)) }
            }
            td {
                (binding.basis.as_str().replace('_', " "))
                @for (index, via) in binding.via.iter().enumerate() {
                    (if index == 0 { " via " } else { ", " }) span.id { (id(via)) }
                }
                br;
                (date(&binding.from)) " to " (date(&binding.to)) @if binding.ended { " (ended)" }
            }
            td {
                @if let Some(value) = &binding.ordered_value { (bought(&binding.ordered, value)) } @else { "—" }
            }
            td {
                @for duty in &duties {
                    p.found { (message(duty)) }
                }
                @for responsibility in &binding.responsibilities {
                    p.found { (message(&responsibility.text())) }
                    (cited(&responsibility.rule))
                }
            }
            td {
                "Clauses: "
                @if binding.clauses.is_empty() { "none" }
                @for (index, clause) in binding.clauses.iter().enumerate() {
                    @if index > 0 { ", " }
                    (message(&clause.text()))
                }
                ". Prices: "
                @if binding.prices.is_empty() { "none" }
                @for (index, price) in binding.prices.iter().enumerate() {
                    @if index > 0 { "; " }
                    span.id { (id(&price.item)) }
                    @if let Some(from) = price.from { " from " (format_quantity(from)) " " (price.unit) }
                    ": " span.amount { (price.unit_price.to_string()) } " per " (price.unit)
                }
                "."
            }
        }
        "\n"
    }
}

/// The duties rules add: fees, usage reports (their latest periods), notices; each with its rule.
pub(super) fn duties(duties: &[DutyReport]) -> Markup {
    html! {
        ul.duties {
            @for duty in duties {
                li {
                    (message(&duty.text))
                    @if !duty.usage_reports.is_empty() {
                        ul {
                            @if let Some(earlier) = &duty.earlier_usage_reports {
                                li { (count(earlier.count, "earlier period")) " from " (date(&earlier.from)) " to " (date(&earlier.to)) ": counted above, not listed" }
                            }
                            @for period in &duty.usage_reports {
                                li {
                                    (date(&period.from)) " to " (date(&period.to)) ": due " (date(&period.due))
                                    @if let Some(filed) = &period.filed { ", filed " (date(filed)) }
                                    " (" (period.status) ")"
                                }
                            }
                        }
                    }
                    (cited(&duty.rule))
                }
            }
        }
    }
}

/// The rule behind a duty or a responsibility, by its title and the source it cites; its id and
/// place folded for the model's author.
fn cited(rule: &RuleFinding) -> Markup {
    html! {
        p.source {
            (rule.title.as_deref().unwrap_or(&rule.id))
            @if let Some(citation) = &rule.citation { " (" (citation) ")" }
        }
        (findings::rule_place(rule))
    }
}

/// `county in US-WA`.
fn kind(agency: &AgencyReport) -> String {
    format!(
        "{} in {}",
        agency.kind.replace('_', " "),
        agency.jurisdiction
    )
}
