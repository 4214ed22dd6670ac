//! The binding-obligation report: plain data (serde) built from a model and its evaluation, then
//! rendered as text or JSON. Its JSON shape is documented in `docs/report-json.md`.

mod build;
mod duties;
mod frameworks;
pub mod html;
pub mod jsonl;
pub mod markdown;
mod negotiation;
pub mod spreadsheet;
mod streamed;
pub mod test_results;
pub mod text;
pub mod why;

use serde::{Deserialize, Serialize};

use crate::values::Money;

pub use build::{build, finding, program_name, waived_finding, waiver_report};

pub use streamed::write_json_of;

/// By default, contracts ending within a year of the as-of date are listed first.
pub const DEFAULT_HORIZON_DAYS: u32 = 365;
pub use negotiation::{Bought, NegotiatingPosition, NextTier, TierReached};

/// Everything a reader needs: who is bound to what, which orders are permitted, and how each
/// contract has been used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// What the report is about, for its heading: the model's file without `.coop` when the
    /// model is one file, else the name of its directory.
    #[serde(default)]
    pub program: String,
    pub as_of: String,
    /// Contracts ending within this many days of `as_of` come first.
    pub horizon_days: u32,
    pub summary: Summary,
    pub agencies: Vec<AgencyReport>,
    pub orders: Vec<OrderReport>,
    pub contracts: Vec<ContractReport>,
    /// Each framework (a solicitation awarded by several contracts, or divided into lots) as a
    /// whole, per lot and per supplier contract.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frameworks: Vec<FrameworkReport>,
    /// Findings not about one order, such as commitment shortfalls at the end of a term.
    pub findings: Vec<Finding>,
    /// The rules the model follows, and how each fared.
    #[serde(default)]
    pub rules: Vec<RuleReport>,
    /// Each CSV ledger: rows read and rows counted, so that no row is lost without a word.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ledgers: Vec<LedgerCount>,
    /// The model's waivers: findings known and accepted, each with its reason, who accepted it
    /// and until when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverReport>,
}

/// A `waive` entry of the model, and what it set aside as of the report's date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaiverReport {
    /// The rule or code it waives, as written.
    pub finding: String,
    /// The declaration whose findings it waives.
    pub on: String,
    pub because: String,
    pub by: String,
    pub until: Option<String>,
    /// Whether its `until` is before the as-of date: it then sets nothing aside.
    pub expired: bool,
    /// How many findings it sets aside as of the date.
    pub waived: usize,
    pub location: Location,
}

/// What a waived finding says of the waiver that sets it aside.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Waived {
    pub because: String,
    pub by: String,
    pub until: Option<String>,
}

impl Waived {
    /// `waived until 2026-06-30, accepted by J. Smith: the council ratified it`.
    pub fn text(&self) -> String {
        let until = self
            .until
            .as_ref()
            .map_or(String::new(), |until| format!(" until {until}"));
        format!("waived{until}, accepted by {}: {}", self.by, self.because)
    }
}

impl WaiverReport {
    /// `price-above-contract on fife_2025, until 2026-06-30, accepted by J. Smith: 1 finding set
    /// aside`, or `..., expired on 2026-06-30, ...: sets nothing aside`.
    pub fn text(&self) -> String {
        let until = match (&self.until, self.expired) {
            (Some(until), true) => format!(", expired on {until}"),
            (Some(until), false) => format!(", until {until}"),
            (None, _) => String::new(),
        };
        let effect = if self.expired {
            "sets nothing aside".to_string()
        } else {
            format!(
                "{} set aside",
                crate::diagnostic::plural(self.waived, "finding")
            )
        };
        format!(
            "{} on {}{until}, accepted by {}: {effect}",
            self.finding, self.on, self.by
        )
    }
}

/// What became of a ledger's rows: those of an order with a broken row are not counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerCount {
    pub file: String,
    pub rows: usize,
    pub counted: usize,
    pub not_counted: usize,
}

/// Each ledger of the model, with how many of its rows became order lines.
pub fn ledger_counts(
    sources: &crate::source::SourceMap,
    model: &crate::model::Model,
) -> Vec<LedgerCount> {
    let mut counted = std::collections::BTreeMap::new();
    for order in &model.orders {
        *counted.entry(order.header.span.file).or_insert(0) += order.lines.len();
    }
    sources
        .files()
        .filter_map(|(id, file)| match file.kind {
            crate::source::FileKind::Ledger { rows } => {
                let counted = counted.get(&id).copied().unwrap_or(0);
                Some(LedgerCount {
                    file: file.name.clone(),
                    rows,
                    counted,
                    not_counted: rows.saturating_sub(counted),
                })
            }
            crate::source::FileKind::Coop | crate::source::FileKind::Config => None,
        })
        .collect()
}

/// A rule the model follows, and how often it applied and failed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleReport {
    #[serde(flatten)]
    pub rule: RuleFinding,
    /// `order`, `contract`, ...: what the rule is for.
    pub scope: String,
    /// Things in its scope it was tried on.
    pub considered: usize,
    /// Those its `where` admitted.
    pub applied: usize,
    /// Those it denied or warned about, or whose usage report was missing.
    pub failed: usize,
    /// Those it could not decide: amounts in different currencies or units.
    #[serde(default)]
    pub undecided: usize,
    /// Those it applied to but was set aside for, replaced or waived by another rule.
    #[serde(default)]
    pub set_aside: usize,
    /// The rules that may set it aside, and how.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_aside_by: Vec<SetAsideBy>,
    /// For a legal basis (a rule that permits), the orders it permitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permitted: Option<usize>,
}

/// A rule that sets another aside, for what it applies to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetAsideBy {
    /// The rule that sets it aside.
    pub rule: String,
    /// `replaced`, or `waived` with the reason.
    pub how: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub agencies: usize,
    pub contracts: usize,
    /// Orders dated on or before the as-of date, which are judged.
    pub orders: usize,
    pub permitted: usize,
    pub denied: usize,
    /// Orders dated after the as-of date: listed, not judged, not counted.
    pub after_as_of: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgencyReport {
    pub name: String,
    pub title: Option<String>,
    /// Its (first) kind.
    pub kind: String,
    /// Every kind, for an agency of several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// The roles it holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    pub jurisdiction: String,
    pub bindings: Vec<BindingReport>,
    /// The duties rules add to the agency: fees, reports, notices.
    #[serde(default)]
    pub rule_duties: Vec<DutyReport>,
}

/// A duty a rule adds, with the rule it comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DutyReport {
    /// The duty in words.
    pub text: String,
    /// The contract it comes with, when it comes with one.
    pub contract: Option<String>,
    /// Whom it is owed to: the payee, the report's recipient, the agency to notify.
    pub to: Option<String>,
    /// What a payment duty adds up to so far.
    pub amount: Option<Money>,
    /// When a notice is due.
    pub due: Option<String>,
    /// The latest periods of a usage-report duty (at most 24) and their status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usage_reports: Vec<UsageReportStatus>,
    /// The periods before those: counted in the duty's text, not listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earlier_usage_reports: Option<EarlierPeriods>,
    pub rule: RuleFinding,
}

/// The earlier periods of a usage-report duty, counted but not listed one by one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlierPeriods {
    pub from: String,
    pub to: String,
    pub count: usize,
}

/// One period of a usage-report duty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsageReportStatus {
    pub from: String,
    pub to: String,
    pub due: String,
    pub filed: Option<String>,
    /// `filed`, `late`, `missing` or `not yet due`.
    pub status: String,
}

/// The rule behind a finding or a duty: which rule, the source it encodes, and where it is written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleFinding {
    pub id: String,
    pub title: Option<String>,
    pub citation: Option<String>,
    /// The rule pack it comes from, when it comes from one.
    pub pack: Option<String>,
    /// When the version of the rule that judged is in force, if not always: `2015-07-24 to ...`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_force: Option<String>,
    /// Whether its pack is used as warnings: what it would deny is a `would-deny` warning.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub as_warnings: bool,
    pub location: Location,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BindingReport {
    pub contract: String,
    pub contract_title: Option<String>,
    pub suppliers: Vec<String>,
    /// `lead`, `joint_participant` or `piggyback`.
    pub basis: crate::eval::Basis,
    /// The access instruments used, for a piggyback binding.
    pub via: Vec<String>,
    pub from: String,
    pub to: String,
    /// Whether `to` counts exercised renewal options.
    pub extended_by_options: bool,
    /// Whether the binding ended before the as-of date.
    pub ended: bool,
    /// The terms it is bound by: each clause once, where it is stated, and what it prevails over.
    pub clauses: Vec<ClauseReport>,
    pub prices: Vec<PriceReport>,
    pub ordered: Vec<Amount>,
    pub ordered_value: Option<Money>,
    pub commitment: Option<Amount>,
    pub shortfall: Option<Amount>,
    pub duties: Vec<String>,
    /// Who answers for what, as the rules for bindings say, each with its rule and citation.
    pub responsibilities: Vec<ResponsibilityReport>,
}

/// A clause of a binding's terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClauseReport {
    pub name: String,
    /// `contract`, or the name of the access instrument that states it.
    pub stated_by: String,
    /// Where the contract and instruments both state the clause: those this one prevails over
    /// (`contract` or instruments' names); empty otherwise.
    pub prevails_over: Vec<String>,
    /// The rule that decides which prevails, when one does.
    pub precedence_rule: Option<RuleFinding>,
}

impl ClauseReport {
    /// `warranty` for the contract's own, `insurance (tacoma_ila's)` for an instrument's,
    /// `governing_law (wa_addendum's, over the contract's)` where one prevails.
    pub fn text(&self) -> String {
        let over: Vec<String> = self
            .prevails_over
            .iter()
            .map(|source| format!("the {source}'s"))
            .collect();
        match (self.stated_by.as_str(), over.as_slice()) {
            ("contract", []) => self.name.clone(),
            (stated_by, []) => format!("{} ({stated_by}'s)", self.name),
            (stated_by, over) => {
                format!("{} ({stated_by}'s, over {})", self.name, over.join(" and "))
            }
        }
    }
}

/// What an agency answers for under one binding, as one rule says it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResponsibilityReport {
    /// `alone`, `jointly` or `not_responsible`.
    pub extent: crate::model::rules::Extent,
    /// What it answers for.
    pub what: String,
    /// For a joint responsibility, the other parties to the procedure it answers with.
    pub with: Vec<String>,
    pub rule: RuleFinding,
}

impl ResponsibilityReport {
    /// `responsible alone for its own orders`, `jointly responsible with A and B for the
    /// procedure`, `not responsible for others' orders`.
    pub fn text(&self) -> String {
        use crate::model::rules::Extent;
        match self.extent {
            Extent::Alone => format!("responsible alone for {}", self.what),
            Extent::Jointly if self.with.is_empty() => {
                format!("jointly responsible for {}", self.what)
            }
            Extent::Jointly => format!(
                "jointly responsible with {} for {}",
                self.with.join(", "),
                self.what
            ),
            Extent::NotResponsible => format!("not responsible for {}", self.what),
        }
    }

    /// The responsibility and the source the rule cites for it (its id when it cites none).
    pub fn cited(&self) -> String {
        let source = self
            .rule
            .citation
            .clone()
            .unwrap_or_else(|| format!("rule {}", self.rule.id));
        format!("{} ({source})", self.text())
    }
}

impl BindingReport {
    /// `piggyback via tacoma_ila`, or the basis alone.
    pub fn basis_text(&self) -> String {
        match &self.via[..] {
            [] => self.basis.as_str().to_string(),
            via => format!("{} via {}", self.basis.as_str(), via.join(", ")),
        }
    }

    /// The end date, marked when the binding has ended.
    pub fn to_text(&self) -> String {
        if self.ended {
            format!("{} (ended)", self.to)
        } else {
            self.to.clone()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceReport {
    pub item: String,
    pub unit_price: Money,
    pub unit: String,
    /// The smallest line quantity the price applies to; absent for the base price.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub from: Option<rust_decimal::Decimal>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderReport {
    pub name: String,
    /// Its title, when the model gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub buyer: String,
    pub contract: String,
    pub date: String,
    /// `permitted`, `denied`, or `after_as_of` (not judged).
    pub decision: Decision,
    /// Absent for orders after the as-of date.
    pub basis: Option<crate::eval::Basis>,
    /// The (first) access instrument it names.
    pub via: Option<String>,
    /// The other instruments it names (`via a, b`), after the first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via_also: Vec<String>,
    /// What the order's lines add up to.
    pub value: Option<Money>,
    pub location: Location,
    /// A blanket order's period: `{from, to}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodReport>,
    /// The legal basis that permitted the order: the rule, its citation and where it is.
    #[serde(default)]
    pub legal_basis: Option<RuleFinding>,
    /// Every reason the order is denied; empty when permitted.
    pub reasons: Vec<Finding>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Permitted,
    Denied,
    AfterAsOf,
}

impl Decision {
    /// The decision on an order, from its judgment; an order with none is after the as-of date.
    pub fn of(judgment: Option<&crate::eval::Judgment>) -> Decision {
        match judgment {
            Some(judgment) if judgment.is_permitted() => Decision::Permitted,
            Some(_) => Decision::Denied,
            None => Decision::AfterAsOf,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContractReport {
    pub name: String,
    pub title: Option<String>,
    pub solicitation: String,
    /// The lot of the solicitation it awards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<String>,
    pub lead: String,
    pub joint: bool,
    pub suppliers: Vec<String>,
    pub awarded: String,
    pub term_start: String,
    pub term_end: String,
    /// The end counting options exercised by the as-of date.
    pub end_with_options: String,
    /// Whether that end is before the as-of date.
    pub ended: bool,
    pub options: Vec<OptionReport>,
    /// The access instruments covering the contract.
    pub instruments: Vec<InstrumentReport>,
    pub piggyback_open: bool,
    pub estimate: Option<Amount>,
    pub maximum: Option<Amount>,
    /// The joint participants' commitments, summed in the contract's measure.
    pub committed: Option<Amount>,
    /// Commitments written in a measure that cannot be added to the contract's.
    pub commitments_not_counted: usize,
    /// Permitted orders, in the contract's measure (the measure of its maximum or estimate).
    pub ordered: Amount,
    /// Permitted orders, every item, per unit.
    pub ordered_quantities: Vec<Amount>,
    pub ordered_value: Money,
    pub ordered_by: Vec<AgencyVolume>,
    /// Ordered as a percentage of the maximum.
    pub share_of_maximum: Option<String>,
    pub ceiling: Option<Amount>,
    pub piggyback_ordered: Option<Amount>,
    pub admin_fees_due: Option<Money>,
    pub orders_permitted: usize,
    pub orders_denied: usize,
    pub negotiating_position: NegotiatingPosition,
    /// The duties rules add to the contract's suppliers, such as usage reports.
    #[serde(default)]
    pub supplier_duties: Vec<DutyReport>,
    /// The quantity the award buys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_quantity: Option<Amount>,
    /// The options to buy more.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quantity_options: Vec<QuantityOptionReport>,
    /// Catalogue pricing: the discount off each list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discounts: Vec<DiscountReport>,
}

/// A period, such as a blanket order's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodReport {
    pub from: String,
    pub to: String,
}

/// A quantity option: how much, whether exercised (on or before the as-of date), and for whom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantityOptionReport {
    pub quantity: Amount,
    pub exercised: Option<String>,
    /// When it is recorded as exercised after the as-of date (so it does not count yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercised_later: Option<String>,
    pub assigned_to: Option<String>,
}

/// A discount off a supplier's list of a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscountReport {
    /// e.g. `"18%"`.
    pub rate: String,
    pub list: String,
    pub name: Option<String>,
}

/// A framework: a solicitation awarded by several contracts (one per supplier, or per supplier
/// and lot), or divided into lots, whose estimate, maximum and identified buyers hold for all its
/// contracts together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameworkReport {
    /// The solicitation's name.
    pub solicitation: String,
    pub title: Option<String>,
    pub lead: String,
    pub estimate: Option<Amount>,
    pub maximum: Option<Amount>,
    /// Permitted orders under every contract awarding it, in its measure.
    pub ordered: Amount,
    pub ordered_value: Money,
    /// Ordered as a percentage of the maximum.
    pub share_of_maximum: Option<String>,
    /// The authorities it identifies by name as those who may call off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buyers: Vec<String>,
    /// The condition by which it identifies them, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyers_where: Option<String>,
    pub lots: Vec<LotReport>,
    pub contracts: Vec<FrameworkContractReport>,
}

/// A lot of a framework, and what its contracts together bought.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LotReport {
    pub name: String,
    pub title: Option<String>,
    pub estimate: Option<Amount>,
    pub maximum: Option<Amount>,
    /// In the framework's measure.
    pub ordered: Amount,
    pub ordered_value: Money,
    pub share_of_maximum: Option<String>,
    /// The contracts awarding it.
    pub contracts: Vec<String>,
}

/// One supplier's contract under a framework.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameworkContractReport {
    pub name: String,
    pub suppliers: Vec<String>,
    pub lot: Option<String>,
    /// In the framework's measure.
    pub ordered: Amount,
    pub ordered_value: Money,
    pub orders_permitted: usize,
    /// Of those, the call-offs after a mini-competition.
    pub mini_competitions: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptionReport {
    pub length: String,
    /// The period the option covers, or would cover if exercised.
    pub from: String,
    pub to: String,
    /// When it was exercised, if on or before the as-of date.
    pub exercised: Option<String>,
    /// When it is recorded as exercised, if after the as-of date (so it does not count yet).
    pub exercised_later: Option<String>,
}

/// An access instrument that lets an agency use the contract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstrumentReport {
    pub name: String,
    pub kind: String,
    /// Whom it admits: the agency it names, else (in words) those its `open_to` admits.
    pub agency: String,
    /// The day it takes effect; null when unsigned.
    pub in_force_from: Option<String>,
    pub expires: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgencyVolume {
    pub agency: String,
    pub basis: crate::eval::Basis,
    /// In the contract's measure.
    pub amount: Amount,
    /// Every item, per unit.
    pub quantities: Vec<Amount>,
    pub value: Money,
}

/// An amount of money or a quantity in a unit; decimals are strings, never floats.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    Money(Money),
    Quantity {
        #[serde(with = "rust_decimal::serde::str")]
        quantity: rust_decimal::Decimal,
        unit: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: crate::codes::Code,
    pub severity: crate::diagnostic::Severity,
    pub message: String,
    pub help: Option<String>,
    pub location: Location,
    /// The source line at `location`, trimmed.
    pub source_line: String,
    pub related: Vec<RelatedLocation>,
    /// The rule that made the finding, for findings of rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleFinding>,
    /// The waiver of the model that sets the finding aside, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived: Option<Waived>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RelatedLocation {
    pub label: String,
    #[serde(flatten)]
    pub location: Location,
}

impl std::fmt::Display for Amount {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Amount::Money(money) => money.fmt(formatter),
            Amount::Quantity { quantity, unit } => {
                write!(
                    formatter,
                    "{} {unit}",
                    crate::values::format_quantity(*quantity)
                )
            }
        }
    }
}

impl Finding {
    /// The rule the finding is filed under, as in concise output and SARIF: `PACK/RULE` for a
    /// pack's rule, the id of the model's own, the code for a prelude rule or any other finding.
    pub fn filed_under(&self) -> String {
        match &self.rule {
            Some(rule) if self.code.name() != rule.id => {
                crate::findings::qualified_rule_id(rule.pack.as_deref(), &rule.id)
            }
            _ => self.code.name().to_string(),
        }
    }
}

impl RuleFinding {
    /// `rule wa_posted_online "title" (RCW 39.34.030(5)(b))`, for renderings.
    pub fn describe(&self) -> String {
        let title = self
            .title
            .as_ref()
            .map_or(String::new(), |title| format!(" \"{title}\""));
        let citation = self
            .citation
            .as_ref()
            .map_or(String::new(), |citation| format!(" ({citation})"));
        let qualifiers = crate::diagnostic::qualifiers(
            self.in_force.as_deref(),
            self.pack.as_deref(),
            self.as_warnings,
        );
        format!("rule {}{title}{citation}{qualifiers}", self.id)
    }
}

/// The report as pretty JSON, ending with a newline.
pub fn to_json(report: &Report) -> String {
    match serde_json::to_string_pretty(report) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        Err(error) => unreachable!("the report is plain data and always serialises: {error}"),
    }
}

/// `out` behind a buffer of a known type, for JSON written by serde a token at a time: through
/// the buffer those writes are copies, where through `out` each would be a call through a vtable.
fn buffered(out: &mut dyn std::io::Write) -> std::io::BufWriter<&mut dyn std::io::Write> {
    std::io::BufWriter::with_capacity(1 << 16, out)
}

/// How many orders a helping thread renders at a time: enough that handing a chunk over costs
/// little against making it, few enough that the chunks waiting to be written hold little.
const ORDERS_PER_CHUNK: usize = 2048;

/// Writes the report's orders ([`build::order_reports`]) as `render` renders each (its
/// position among them, the order, its chunk's bytes so far), in their order: the JSON
/// writers' orders are most of a large report's writing, so they are made and rendered on every
/// core, `chunk` at a time.
fn write_orders(
    model: &crate::model::Model,
    evaluation: &crate::eval::Evaluation,
    sources: &crate::source::SourceMap,
    waivers: &crate::eval::waivers::Waivers<'_>,
    chunk: usize,
    out: &mut impl std::io::Write,
    render: impl Fn(usize, &OrderReport, &mut Vec<u8>) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    let count = evaluation.judgments.len() + evaluation.later_orders.len();
    let rendered = |(): &mut (), range: std::ops::Range<usize>| {
        let mut bytes = Vec::with_capacity(range.len() * 1024);
        for position in range {
            let order = build::order_report_at(model, evaluation, sources, waivers, position);
            render(position, &order, &mut bytes)?;
        }
        Ok(bytes)
    };
    let write = |_, bytes: std::io::Result<Vec<u8>>| out.write_all(&bytes?);
    crate::parallel::in_order(count, chunk, || (), rendered, write)?;
    Ok(())
}

/// `8 truck, 4 sander, USD 1,793,600.00`: quantities per unit, then their value.
fn bought_text(quantities: &[Amount], value: &Money) -> String {
    quantities
        .iter()
        .map(ToString::to_string)
        .chain(std::iter::once(value.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}
