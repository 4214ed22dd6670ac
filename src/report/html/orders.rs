//! The denied orders, grouped by reason, and every order in a table to sort and filter; in a
//! large program, the permitted orders added up per contract instead of listed.

use std::collections::{BTreeMap, HashSet};

use maud::{Markup, html};
use rust_decimal::Decimal;

use super::findings::{ReasonGroup, denials, reason_key, reason_title};
use super::tables::{DENIED, ORDERS, PER_CONTRACT, REASONS};
use super::words::{count, date, id, message, money, titled};
use super::{Page, findings};
use crate::diagnostic::Severity;
use crate::report::{Decision, OrderReport};
use crate::values::{Currency, Money};

impl Page<'_> {
    /// Every denied order, under each reason it was denied for.
    pub(super) fn denied(&self, groups: &[ReasonGroup]) -> Markup {
        let denied = self.report.summary.denied;
        // Where the table of every order holds each order's anchor, the groups need none; in a
        // large program the first row of each denied order is its anchor.
        let mut anchored: HashSet<&str> = HashSet::new();
        html! {
            section #denied aria-labelledby="denied-heading" {
                h2 #denied-heading { "Denied orders" }
                @if groups.is_empty() {
                    p { "No order was denied." }
                } @else {
                    p {
                        (count(denied, "order")) " denied, for " (count(groups.len(), "reason"))
                        ". An order denied for several reasons is listed under each; a denied order counts for nothing."
                    }
                    table class=(REASONS.class()) {
                        caption { "Reasons, by the orders they deny" }
                        (REASONS.head())
                        tbody {
                            @for group in groups {
                                tr {
                                    td { a href={ "#denied-" (group.key) } { (group.title) } }
                                    td { (group.orders.len()) }
                                }
                            }
                        }
                    }
                    "\n"
                    div data-filter {
                        @for group in groups {
                            article.reason #{ "denied-" (group.key) } data-group {
                                h3 { span #{ "reason-" (group.key) } { (group.title) } " " small { "(" (count(group.orders.len(), "order")) ")" } }
                                @if let Some(citation) = group.citation {
                                    p.source { "Source: " (citation) }
                                }
                                @if self.large { (findings::group_author(group)) }
                                table class=(DENIED.class()) {
                                    caption { "Orders denied: " (group.title) }
                                    (DENIED.head())
                                    tbody {
                                        @for (order, reason) in &group.orders {
                                            @let anchor = self.large && anchored.insert(order.name.as_str());
                                            tr id=[anchor.then(|| format!("order-{}", order.name))] {
                                                (self.order_cells(order))
                                                td {
                                                    // A large program's page says once, above, what its author needs.
                                                    @if self.large {
                                                        p.found { (message(&reason.message)) }
                                                    } @else {
                                                        (findings::finding(reason, false))
                                                    }
                                                }
                                            }
                                            "\n"
                                        }
                                    }
                                }
                            }
                            "\n"
                        }
                    }
                }
            }
            "\n"
        }
    }

    /// Every order in date order, to sort and filter; in a large program, the permitted orders
    /// added up per contract.
    pub(super) fn orders(&self) -> Markup {
        html! {
            section #orders aria-labelledby="orders-heading" {
                h2 #orders-heading { "Orders" }
                @if self.large {
                    (self.orders_added_up())
                } @else {
                    p { "Every order, in date order. Orders after the as-of date are listed, not judged and not counted." }
                    div data-filter {
                        table class=(ORDERS.class()) {
                            caption { "Orders and their decisions" }
                            (ORDERS.head())
                            tbody {
                                @for order in &self.report.orders {
                                    tr id={ "order-" (order.name) } {
                                        td { (decision(order)) }
                                        (self.order_cells(order))
                                    }
                                    "\n"
                                }
                            }
                        }
                    }
                }
            }
            "\n"
        }
    }

    /// An order's date, name, buyer, contract and value, as cells.
    fn order_cells(&self, order: &OrderReport) -> Markup {
        html! {
            td { (date(&order.date)) }
            th scope="row" { (titled(order.title.as_deref(), &order.name)) }
            td { (self.names.agency(&order.buyer)) }
            td { a href={ "#contract-" (order.contract) } { (self.names.contract(&order.contract)) } }
            td data-sort=[order.value.as_ref().map(|value| value.amount.to_string())] {
                @if let Some(value) = &order.value { (money(value)) }
            }
        }
    }

    /// The permitted orders of a large program, added up per contract; what is left out.
    fn orders_added_up(&self) -> Markup {
        let report = self.report;
        struct Added<'r> {
            orders: usize,
            value: Totals,
            buyers: HashSet<&'r str>,
        }
        let mut by_contract: std::collections::HashMap<&str, Added> = Default::default();
        for order in report
            .orders
            .iter()
            .filter(|order| order.decision == Decision::Permitted)
        {
            let added = by_contract
                .entry(order.contract.as_str())
                .or_insert_with(|| Added {
                    orders: 0,
                    value: Totals::default(),
                    buyers: HashSet::new(),
                });
            added.orders += 1;
            if let Some(value) = &order.value {
                added.value.add(value);
            }
            added.buyers.insert(order.buyer.as_str());
        }
        html! {
            p {
                "This program has " (count(report.orders.len(), "order")) ": "
                (report.summary.permitted) " permitted, " (report.summary.denied) " denied, and "
                (report.summary.after_as_of) " after the as-of date (not judged). The denied orders are listed above, every one; the "
                (count(report.summary.permitted, "permitted order")) " are added up below per contract, and under "
                a href="#agencies" { "Agencies" } " per buyer. They are not listed one by one: a page of every order of a program this size would be too large to open. "
                code { "coop report --format json" } " lists every order."
            }
            table class=(PER_CONTRACT.class()) {
                caption { "Permitted orders per contract" }
                (PER_CONTRACT.head())
                tbody {
                    @for contract in &report.contracts {
                        @if let Some(added) = by_contract.get(contract.name.as_str()) {
                            tr {
                                th scope="row" {
                                    a href={ "#contract-" (contract.name) } { (self.names.contract(&contract.name)) }
                                }
                                td { (added.orders) }
                                td data-sort=(added.value.sort_key()) { (added.value.markup()) }
                                td { (added.buyers.len()) }
                            }
                            "\n"
                        }
                    }
                }
            }
        }
    }
}

/// Money added up per currency: a buyer may order in dollars under one contract and in euros
/// under another.
#[derive(Default)]
pub(super) struct Totals(BTreeMap<String, (Currency, Decimal)>);

impl Totals {
    pub(super) fn add(&mut self, money: &Money) {
        let entry = self
            .0
            .entry(money.currency.as_str().to_string())
            .or_insert_with(|| (money.currency, Decimal::ZERO));
        entry.1 = entry.1.saturating_add(money.amount);
    }

    /// `USD 1,000.00; EUR 20.00`, each never wrapped.
    pub(super) fn markup(&self) -> Markup {
        html! {
            @for (index, (currency, amount)) in self.0.values().enumerate() {
                @if index > 0 { "; " }
                (money(&Money::in_cents(*currency, *amount)))
            }
        }
    }

    /// The first currency's amount, to sort by.
    pub(super) fn sort_key(&self) -> String {
        self.0
            .values()
            .next()
            .map_or_else(String::new, |(_, amount)| amount.to_string())
    }
}

/// The decision, marked ✓ or ✗ as well as coloured, with what decided it.
fn decision(order: &OrderReport) -> Markup {
    html! {
        @match order.decision {
            Decision::Permitted => {
                span.permitted data-decision="permitted" { "✓ Permitted" }
                @if let Some(basis) = &order.legal_basis {
                    br;
                    small {
                        "under: " (basis.title.as_deref().unwrap_or(&basis.id))
                        @if let Some(in_force) = &basis.in_force { " (in force " (in_force) ")" }
                    }
                }
                @if let Some(via) = &order.via {
                    br;
                    small { "via " span.id { (id(via)) } }
                }
            }
            Decision::Denied => {
                span.denied data-decision="denied" { "✗ Denied" }
                ul.reason-list {
                    @for (index, reason) in denials(order).enumerate() {
                        // A reason met twice (on two lines) is named once.
                        @if denials(order).take(index).all(|earlier| reason_key(earlier) != reason_key(reason)) {
                            li { a href={ "#denied-" (reason_key(reason)) } { (reason_title(reason)) } }
                        }
                    }
                }
            }
            Decision::AfterAsOf => {
                span.later data-decision="after_as_of" { "After the as-of date" }
            }
        }
        // Warnings deny nothing, but a reader of the order should see them beside its decision.
        @if order.reasons.iter().any(|reason| reason.severity == Severity::Warning) {
            ul.reason-list {
                @for reason in order.reasons.iter().filter(|reason| reason.severity == Severity::Warning) {
                    li title=(reason.message) data-code=(reason.code.name()) {
                        span.warning { "Warning" } ": " (reason_title(reason))
                    }
                }
            }
        }
    }
}
