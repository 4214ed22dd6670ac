//! Each contract: its warnings, its facts in plain words, its two charts, who ordered what, the
//! duties of its suppliers and the negotiating position its use gives the lead. In a large
//! program, a table of every contract, and the first few in full.

use maud::{Markup, html};

use super::tables::{CONTRACTS, ORDERED_BY};
use super::words::{amount, count, date, id, money, named};
use super::{LARGE_PROGRAM_CONTRACT_DETAILS, Page, agencies, charts, findings};
use crate::report::{Amount, ContractReport, Finding};
use crate::values::Money;

impl Page<'_> {
    pub(super) fn contracts(&self) -> Markup {
        let report = self.report;
        let shown = if self.large {
            LARGE_PROGRAM_CONTRACT_DETAILS
        } else {
            report.contracts.len()
        };
        html! {
            section #contracts aria-labelledby="contracts-heading" {
                h2 #contracts-heading { "Contracts" }
                @if report.contracts.is_empty() {
                    p { "The model has no contract." }
                } @else {
                    p.note { "Contracts ending within " (count(report.horizon_days as usize, "day")) " of the as-of date come first." }
                }
                @if report.contracts.len() > shown {
                    (self.contracts_table())
                    p.note {
                        "The first " (shown) " contracts, those ending soonest, follow in full; the other "
                        (report.contracts.len() - shown) " are in the table above, and in full in the text and JSON reports."
                    }
                }
                @for contract in report.contracts.iter().take(shown) {
                    (self.contract(contract))
                }
            }
            "\n"
        }
    }

    /// Every contract in one row: for a large program, whose contracts are too many to show in full.
    fn contracts_table(&self) -> Markup {
        html! {
            table class=(CONTRACTS.class()) {
                caption { "Every contract, those ending soonest first" }
                (CONTRACTS.head())
                tbody {
                    @for contract in &self.report.contracts {
                        tr {
                            th scope="row" { (named(contract.title.as_deref(), &contract.name)) }
                            td { (date(&contract.end_with_options)) @if contract.ended { " (ended)" } }
                            td data-sort=(sort_key(&contract.ordered)) { (amount(&contract.ordered)) }
                            td { @if let Some(maximum) = &contract.maximum { (amount(maximum)) } @else { "—" } }
                            td { (contract.share_of_maximum.as_deref().unwrap_or("—")) }
                            td { (contract.orders_permitted) }
                            td { (contract.orders_denied) }
                        }
                        "\n"
                    }
                }
            }
        }
    }

    fn contract(&self, contract: &ContractReport) -> Markup {
        let name = &contract.name;
        html! {
            article.contract #{ "contract-" (name) } aria-labelledby={ "contract-" (name) "-heading" } {
                h3 #{ "contract-" (name) "-heading" } {
                    (named(contract.title.as_deref(), name))
                    @if contract.title.is_some() { " " small.id { (id(name)) } }
                }
                @for finding in self.warnings_about(name) {
                    div.attention { p { (findings::headline(finding)) } }
                }
                (facts(self, contract))
                (charts::use_chart(self, contract))
                @if let Some(as_of) = self.as_of { (charts::timeline(self, contract, as_of)) }
                (self.ordered_by(contract))
                @if !contract.supplier_duties.is_empty() {
                    h4 { "Duties of the suppliers" }
                    (agencies::duties(&contract.supplier_duties))
                }
                (negotiating_position(self, contract))
            }
            "\n"
        }
    }

    /// The warnings that name a contract: how close it is to its limits or its end.
    fn warnings_about(&self, contract: &str) -> Vec<&Finding> {
        let quoted = format!("`{contract}`");
        self.report
            .findings
            .iter()
            .filter(|finding| finding.severity == crate::diagnostic::Severity::Warning)
            .filter(|finding| finding.message.contains(&quoted))
            .collect()
    }

    /// Who ordered what under the contract; in a large program, the ten who ordered most.
    fn ordered_by(&self, contract: &ContractReport) -> Markup {
        const LARGEST: usize = 10;
        let mut volumes: Vec<&crate::report::AgencyVolume> = contract.ordered_by.iter().collect();
        let left_out = if self.large && volumes.len() > LARGEST {
            volumes.sort_by_key(|volume| std::cmp::Reverse(volume.value.amount));
            volumes.len() - LARGEST
        } else {
            0
        };
        html! {
            @if volumes.is_empty() {
                p { "No permitted order yet." }
            } @else {
                table class=(ORDERED_BY.class()) {
                    caption {
                        "Ordered under " (named(contract.title.as_deref(), &contract.name)) ", by agency"
                        @if left_out > 0 { ": the " (LARGEST) " that ordered most" }
                    }
                    (ORDERED_BY.head())
                    tbody {
                        @for volume in volumes.iter().take(volumes.len() - left_out) {
                            tr {
                                th scope="row" { (self.names.agency(&volume.agency)) }
                                td { (volume.basis.as_str().replace('_', " ")) }
                                td data-sort=(sort_key(&volume.amount)) { (amount(&volume.amount)) }
                                td { (bought(&volume.quantities, &volume.value)) }
                            }
                        }
                    }
                }
                @if left_out > 0 {
                    p.note { "And " (count(left_out, "other agency")) "; the text and JSON reports list them all." }
                }
            }
        }
    }
}

/// The contract's facts, in plain words.
fn facts(page: &Page, contract: &ContractReport) -> Markup {
    let solicitation = if contract.joint {
        "a joint solicitation"
    } else {
        "a solicitation"
    };
    html! {
        dl.facts {
            dt { "Supplier" } dd { (contract.suppliers.join(", ")) }
            dt { "Awarded" } dd {
                (date(&contract.awarded)) " from " (solicitation) " (" span.id { (id(&contract.solicitation)) } ") led by " (page.names.agency(&contract.lead))
            }
            dt { "Term" } dd { (date(&contract.term_start)) " to " (date(&contract.term_end)) }
            @if !contract.options.is_empty() {
                dt { "Ends, with the options exercised" }
                dd { (date(&contract.end_with_options)) @if contract.ended { " (ended)" } }
                dt { "Options" }
                dd {
                    @for (index, option) in contract.options.iter().enumerate() {
                        @if index > 0 { br; }
                        (option.length) ", " (date(&option.from)) " to " (date(&option.to)) ": "
                        @match (&option.exercised, &option.exercised_later) {
                            (Some(on), _) => { "exercised " (date(on)) }
                            (None, Some(on)) => { "exercised " (date(on)) ", after the as-of date" }
                            (None, None) => "not exercised",
                        }
                    }
                }
            } @else if contract.ended {
                dt { "Ended" } dd { (date(&contract.end_with_options)) }
            }
            dt { "Piggyback use" } dd { (if contract.piggyback_open { "open to other public bodies" } else { "closed: only the parties may order" }) }
            @if let Some(estimate) = &contract.estimate { dt { "Estimate" } dd { (amount(estimate)) } }
            @if let Some(maximum) = &contract.maximum { dt { "Maximum" } dd { (amount(maximum)) } }
            @if let Some(committed) = &contract.committed {
                dt { "Committed by the joint participants" }
                dd {
                    (amount(committed))
                    @if contract.commitments_not_counted > 0 {
                        " (not counting " (count(contract.commitments_not_counted, "commitment")) " in other measures)"
                    }
                }
            }
            dt { "Ordered" } dd {
                (amount(&contract.ordered))
                @if let Some(share) = &contract.share_of_maximum { ", " span.nowrap { (share) } " of the maximum" }
            }
            dt { "Ordered in all" } dd { (bought(&contract.ordered_quantities, &contract.ordered_value)) }
            @if let (Some(ceiling), Some(used)) = (&contract.ceiling, &contract.piggyback_ordered) {
                dt { "Piggyback ceiling" } dd { (amount(ceiling)) ", used " (amount(used)) }
            }
            @if let Some(fees) = &contract.admin_fees_due { dt { "Admin fees due" } dd { (money(fees)) } }
            dt { "Orders" } dd { (contract.orders_permitted) " permitted, " (contract.orders_denied) " denied" }
        }
    }
}

fn negotiating_position(page: &Page, contract: &ContractReport) -> Markup {
    let position = &contract.negotiating_position;
    // Every agency named would be thousands in a large program.
    const NAMED: usize = 20;
    html! {
        h4 {
            "Negotiating position"
            @if position.ends_within_horizon { " (the contract ends within the report's horizon)" }
        }
        dl.facts {
            @if let Some(committed) = &position.committed {
                dt { "Committed by the joint participants" } dd { (amount(committed)) }
            }
            dt { "Bought by the lead and participants" } dd { (bought(&position.parties_bought.quantities, &position.parties_bought.value)) }
            dt { "Bought by piggyback users" } dd { (bought(&position.piggyback_bought.quantities, &position.piggyback_bought.value)) }
            @if let Some(share) = &position.use_of_estimate {
                dt { "Use of the estimate the supplier priced for" } dd { span.nowrap { (share) } }
            }
            @for tier in &position.tiers {
                dt { span.id { (id(&tier.item)) } " bought together" }
                dd { (amount(&tier.quantity)) ": " (super::words::message(&tier.describe())) }
            }
            dt { "A follow-up joint solicitation could commit to" }
            dd {
                (bought(&position.total_bought.quantities, &position.total_bought.value))
                ", with "
                @if position.agencies.is_empty() {
                    "no agency yet"
                } @else {
                    @for (index, agency) in position.agencies.iter().take(NAMED).enumerate() {
                        @if index > 0 { ", " }
                        (page.names.agency(agency))
                    }
                    @if position.agencies.len() > NAMED {
                        " and " (count(position.agencies.len() - NAMED, "other agency"))
                    }
                }
            }
        }
    }
}

/// `8 truck, 4 sander, USD 1,793,600.00`: each amount whole.
pub(super) fn bought(quantities: &[Amount], value: &Money) -> Markup {
    html! {
        @for quantity in quantities { (amount(quantity)) ", " }
        (money(value))
    }
}

/// An amount's number, for sorting.
pub(super) fn sort_key(amount: &Amount) -> String {
    match amount {
        Amount::Money(money) => money.amount.to_string(),
        Amount::Quantity { quantity, .. } => quantity.to_string(),
    }
}
