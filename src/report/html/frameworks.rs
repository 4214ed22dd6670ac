//! Frameworks awarded to several suppliers, or divided into lots: each as a whole, per lot and per
//! supplier contract, so that a reader sees the maximum they share and what each part used of it.

use maud::{Markup, html};

use super::Page;
use super::tables::{FRAMEWORK_CONTRACTS, FRAMEWORK_PARTS};
use super::words::{amount, count, id, titled};
use crate::report::{Amount, FrameworkReport};

impl Page<'_> {
    /// The section, when the model has a framework; nothing otherwise.
    pub(super) fn frameworks(&self) -> Markup {
        let frameworks = &self.report.frameworks;
        html! {
            @if !frameworks.is_empty() {
                section #frameworks aria-labelledby="frameworks-heading" {
                    h2 #frameworks-heading { "Frameworks" }
                    p { "A framework's maximum caps every contract awarding it together, and a lot's maximum the contracts awarding the lot." }
                    @for framework in frameworks {
                        (self.framework(framework))
                    }
                }
                "\n"
            }
        }
    }

    fn framework(&self, framework: &FrameworkReport) -> Markup {
        let optional =
            |value: Option<&Amount>| html! { @if let Some(value) = value { (amount(value)) } };
        html! {
            article.contract id={ "framework-" (framework.solicitation) } {
                h3 { (titled(framework.title.as_deref(), &framework.solicitation)) }
                p {
                    "Led by " (self.names.agency(&framework.lead)) "; awarded as "
                    (count(framework.contracts.len(), "contract")) "."
                }
                @if !framework.buyers.is_empty() || framework.buyers_where.is_some() {
                    p {
                        "Buyers identified: "
                        @for (index, buyer) in framework.buyers.iter().enumerate() {
                            @if index > 0 { ", " }
                            (self.names.agency(buyer))
                        }
                        @if let Some(condition) = &framework.buyers_where {
                            @if !framework.buyers.is_empty() { "; and " }
                            "those where " code { (condition) }
                        }
                        "."
                    }
                }
                table class=(FRAMEWORK_PARTS.class()) {
                    caption { "The framework as a whole and per lot" }
                    (FRAMEWORK_PARTS.head())
                    tbody {
                        tr {
                            th scope="row" { "the whole framework" }
                            td { (optional(framework.estimate.as_ref())) }
                            td { (optional(framework.maximum.as_ref())) }
                            td { (amount(&framework.ordered)) }
                            td { (framework.share_of_maximum.as_deref().unwrap_or("")) }
                        }
                        @for lot in &framework.lots {
                            tr {
                                th scope="row" { "lot " (titled(lot.title.as_deref(), &lot.name)) }
                                td { (optional(lot.estimate.as_ref())) }
                                td { (optional(lot.maximum.as_ref())) }
                                td { (amount(&lot.ordered)) }
                                td { (lot.share_of_maximum.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
                table class=(FRAMEWORK_CONTRACTS.class()) {
                    caption { "Per supplier contract" }
                    (FRAMEWORK_CONTRACTS.head())
                    tbody {
                        @for contract in &framework.contracts {
                            tr {
                                th scope="row" { (self.names.contract(&contract.name)) }
                                td { (contract.suppliers.join(", ")) }
                                td { @if let Some(lot) = &contract.lot { (id(lot)) } }
                                td { (amount(&contract.ordered)) }
                                td { (contract.orders_permitted) }
                                td { (contract.mini_competitions) }
                            }
                        }
                    }
                }
            }
        }
    }
}
