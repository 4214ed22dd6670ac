//! Judging one order against its contract, its buyer's standing and the volume used before it.

use rust_decimal::Decimal;

use super::volumes::{Tally, amount_of};
use super::{Basis, ContractUse, Judgment, Step};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::model::{
    Contract, LineItem, Model, Order, OrderId, PiggybackClause, Solicitation, Volume,
};
use crate::source::{Span, Spanned};
use crate::values::{Money, format_quantity};

/// The steps of a judgment, kept only when asked for: writing out the facts behind every check
/// costs more than the checks themselves, and only `coop why` shows them.
struct Derivation {
    steps: Option<Vec<Step>>,
}

impl Derivation {
    /// Records a check made: passed when no reason was added since `before`, else one failed step
    /// per reason. `detail` is written only when steps are kept.
    fn checked(
        &mut self,
        check: &'static str,
        reasons: &[Diagnostic],
        before: usize,
        detail: impl FnOnce() -> String,
        place: Span,
    ) {
        let Some(steps) = &mut self.steps else {
            return;
        };
        if reasons.len() == before {
            steps.push(Step {
                check: check.into(),
                failed: None,
                detail: detail(),
                place,
            });
        }
        for reason in &reasons[before..] {
            steps.push(Step {
                check: check.into(),
                failed: Some(reason.code),
                detail: reason.message.clone(),
                place: reason.primary.span,
            });
        }
    }
}

/// Judges an order, given the permitted volume ordered under its contract before it; with
/// `explain`, keeps every check made as a step.
pub(super) fn judge(model: &Model, id: OrderId, usage: &ContractUse, explain: bool) -> Judgment {
    let order = &model.orders[id.0];
    let contract = model.contract(order.contract.value);
    let solicitation = model.solicitation(contract.solicitation);
    let basis = basis_of(model, order);
    let tally = Tally::of_lines(&order.lines);
    let mut reasons = Vec::new();
    let mut derivation = Derivation {
        steps: explain.then(|| {
            vec![Step {
                check: "who is ordering".into(),
                failed: None,
                detail: basis_detail(model, order, solicitation, basis),
                place: order.buyer.span,
            }]
        }),
    };
    let before = reasons.len();
    if basis == Basis::Piggyback {
        piggyback_standing(model, order, contract, solicitation, &mut reasons);
        derivation.checked(
            "may piggyback",
            &reasons,
            before,
            || standing_detail(model, order, contract, solicitation),
            order.contract.span,
        );
    } else {
        instrument_for_order(model, order, solicitation, &mut reasons);
        if order.via.is_some() || reasons.len() > before {
            derivation.checked(
                "names the buyer's own instrument",
                &reasons,
                before,
                || "the instrument named admits the buyer and covers the contract".to_string(),
                order.contract.span,
            );
        }
    }
    let before = reasons.len();
    within_term(order, contract, &mut reasons);
    derivation.checked(
        "dated within the term",
        &reasons,
        before,
        || {
            format!(
                "{} is within {} to {}, counting the options exercised by then",
                order.date.value,
                contract.term.start,
                contract.end_as_of(order.date.value)
            )
        },
        contract.term.span,
    );
    let before = reasons.len();
    lines_on_contract(order, contract, solicitation, &mut reasons);
    derivation.checked(
        "items and prices on the contract",
        &reasons,
        before,
        || lines_detail(order, contract, solicitation),
        order.header.name.span,
    );
    let before = reasons.len();
    clauses_on_contract(model, order, contract, &mut reasons);
    derivation.checked(
        "only the contract's terms",
        &reasons,
        before,
        || clauses_detail(order),
        order.header.name.span,
    );
    if let Some(maximum) = &solicitation.maximum {
        let limit = CumulativeLimit {
            code: Code::MaximumExceeded,
            limit: maximum,
            subject: format!("contract `{}`", contract.header.name.value),
            name: "maximum",
            related: "the maximum stated by the solicitation",
            help: "orders of all users together may not exceed the maximum; a new solicitation is needed for more",
        };
        let before = reasons.len();
        reasons.extend(limit.exceeded_by(order, &usage.total, &tally, solicitation));
        derivation.checked(
            "within the maximum",
            &reasons,
            before,
            || limit.within(&usage.total, &tally, solicitation),
            maximum.span,
        );
    }
    if basis == Basis::Piggyback
        && let Some(PiggybackClause {
            ceiling: Some(ceiling),
            ..
        }) = &contract.piggyback
    {
        let limit = CumulativeLimit {
            code: Code::CeilingExceeded,
            limit: ceiling,
            subject: format!("piggyback use of `{}`", contract.header.name.value),
            name: "ceiling",
            related: "the piggyback ceiling",
            help: "the ceiling caps all piggyback orders together; this order does not fit under it",
        };
        let before = reasons.len();
        reasons.extend(limit.exceeded_by(order, &usage.piggyback, &tally, solicitation));
        derivation.checked(
            "within the piggyback ceiling",
            &reasons,
            before,
            || limit.within(&usage.piggyback, &tally, solicitation),
            ceiling.span,
        );
    }
    Judgment {
        order: id,
        basis,
        tally,
        reasons,
        steps: derivation.steps.unwrap_or_default(),
    }
}

/// On what basis an order's buyer orders: as the lead, as a joint participant, or piggybacking.
pub(super) fn basis_of(model: &Model, order: &Order) -> Basis {
    let solicitation = model.solicitation_of(order.contract.value);
    let buyer = order.buyer.value;
    if solicitation.lead == buyer {
        Basis::Lead
    } else if solicitation.participant(buyer).is_some() {
        Basis::JointParticipant
    } else {
        Basis::Piggyback
    }
}

fn clauses_detail(order: &Order) -> String {
    if order.requests.is_empty() {
        return "no clause requested".to_string();
    }
    let names: Vec<&str> = order
        .requests
        .iter()
        .map(|clause| clause.value.as_str())
        .collect();
    format!(
        "{} requested: clauses of the contract or of its access instrument",
        names.join(", ")
    )
}

fn basis_detail(model: &Model, order: &Order, solicitation: &Solicitation, basis: Basis) -> String {
    let buyer = model.agency(order.buyer.value).header.display_name();
    let lead = model.agency(solicitation.lead).header.display_name();
    match basis {
        Basis::Lead => format!(
            "{buyer} led solicitation `{}`: the lead",
            solicitation.header.name.value
        ),
        Basis::JointParticipant => format!(
            "{buyer} is a joint participant of solicitation `{}`",
            solicitation.header.name.value
        ),
        Basis::Piggyback => format!(
            "{buyer} is neither the lead ({lead}) nor a joint participant of solicitation `{}`: a piggyback order",
            solicitation.header.name.value
        ),
    }
}

/// The facts that let a non-party use the contract, when they all hold.
fn standing_detail(
    model: &Model,
    order: &Order,
    contract: &Contract,
    solicitation: &Solicitation,
) -> String {
    let mut facts = vec![
        format!(
            "solicitation `{}` stated cooperative use",
            solicitation.header.name.value
        ),
        format!(
            "contract `{}` is open to piggyback use",
            contract.header.name.value
        ),
    ];
    let buyer = model.agency(order.buyer.value);
    if contract
        .piggyback
        .as_ref()
        .is_some_and(|clause| clause.eligibility.is_some())
    {
        facts.push(format!(
            "{} ({} in {}) meets `open_to`",
            buyer.header.display_name(),
            buyer.kind.as_str(),
            buyer.jurisdiction
        ));
    }
    if let Some(via) = &order.via {
        let instrument = model.instrument(via.value);
        let from = instrument
            .in_force_from()
            .map(|date| date.to_string())
            .unwrap_or_default();
        facts.push(format!(
            "access instrument `{}` ({}) admits the buyer, covers the contract and is in force from {from}",
            instrument.header.name.value,
            instrument.kind.as_str().replace('_', " ")
        ));
    }
    facts.join("; ")
}

fn lines_detail(order: &Order, contract: &Contract, solicitation: &Solicitation) -> String {
    let lines: Vec<String> = order
        .lines
        .iter()
        .filter_map(|line| match line.item {
            LineItem::InScope(item) => {
                let price = contract.unit_price(item, line.quantity)?;
                let declared = solicitation.item(item);
                Some(format!(
                    "{} {} {} at {} (contract price {})",
                    declared.name.value,
                    format_quantity(line.quantity),
                    declared.unit,
                    line.unit_price,
                    price.unit_price
                ))
            }
            LineItem::OutOfScope(_) => None,
        })
        .collect();
    lines.join("; ")
}

/// A limit on the volume of many orders together (a maximum, a ceiling), counted in date order.
struct CumulativeLimit<'a> {
    code: Code,
    limit: &'a Spanned<Volume>,
    /// What the limit caps, for the message: "contract `x`".
    subject: String,
    name: &'static str,
    related: &'static str,
    help: &'static str,
}

impl CumulativeLimit<'_> {
    /// "3 truck ordered before + 1 truck here, within 20 truck"
    fn within(&self, before: &Tally, this: &Tally, solicitation: &Solicitation) -> String {
        let limit = &self.limit.value;
        format!(
            "{} ordered before + {} here, within {}",
            describe_like(
                before.measured_like(limit, solicitation),
                limit,
                solicitation
            ),
            describe_like(this.measured_like(limit, solicitation), limit, solicitation),
            describe(limit, solicitation)
        )
    }

    /// A finding when the volume permitted before an order plus the order's exceeds the limit.
    fn exceeded_by(
        &self,
        order: &Order,
        before: &Tally,
        this: &Tally,
        solicitation: &Solicitation,
    ) -> Option<Diagnostic> {
        let limit = &self.limit.value;
        let before = before.measured_like(limit, solicitation);
        let this = this.measured_like(limit, solicitation);
        let after = before.saturating_add(this);
        if after <= amount_of(limit) {
            return None;
        }
        Some(
            Diagnostic::new(
                self.code,
                format!(
                    "order `{}` takes {} to {} of its {} {}",
                    order.header.name.value,
                    self.subject,
                    describe_like(after, limit, solicitation),
                    self.name,
                    describe(limit, solicitation),
                ),
                order.header.name.span,
                format!(
                    "{} ordered before, {} here",
                    describe_like(before, limit, solicitation),
                    describe_like(this, limit, solicitation)
                ),
            )
            .with_related(self.limit.span, self.related)
            .with_help(self.help),
        )
    }
}

/// Adds a permitted order to its contract's volumes.
pub(super) fn record(order: &Order, judgment: &Judgment, usage: &mut ContractUse) {
    let buyer = order.buyer.value;
    usage.total.add(&judgment.tally);
    usage.orders += 1;
    let entry = usage
        .by_agency
        .entry(buyer)
        .or_insert_with(|| (judgment.basis, Tally::default()));
    entry.1.add(&judgment.tally);
    usage.first_order.entry(buyer).or_insert(order.date.value);
    if judgment.basis == Basis::Piggyback {
        usage.piggyback.add(&judgment.tally);
        if let Some(via) = &order.via {
            let instruments = usage.instruments.entry(buyer).or_default();
            if !instruments.contains(&via.value) {
                instruments.push(via.value);
            }
            let through = usage.through_instrument.entry(via.value).or_default();
            *through = through.saturating_add(judgment.tally.value);
        }
    }
}

/// The instrument an order names must admit its buyer and cover its contract (its `covers` list,
/// or when it has none, the contracts its counterparty led). Checked for every order that names
/// one, since a record naming someone else's instrument is wrong even where none is needed.
fn instrument_for_order(
    model: &Model,
    order: &Order,
    solicitation: &Solicitation,
    reasons: &mut Vec<Diagnostic>,
) {
    let Some(via) = &order.via else {
        return;
    };
    let instrument = model.instrument(via.value);
    let lead = model.agency(solicitation.lead);
    let covers = if instrument.covers.is_empty() {
        instrument.counterparty == solicitation.lead
    } else {
        instrument.covers.contains(&order.contract.value)
    };
    if instrument.agency == order.buyer.value && covers {
        return;
    }
    let why = if instrument.agency != order.buyer.value {
        format!(
            "it admits {}, not the buyer",
            model.agency(instrument.agency).header.display_name()
        )
    } else if instrument.covers.is_empty() {
        format!(
            "it is made with {}, not with the contract's lead {}",
            model.agency(instrument.counterparty).header.display_name(),
            lead.header.display_name()
        )
    } else {
        "its `covers` list does not name this contract".to_string()
    };
    reasons.push(
        Diagnostic::new(
            Code::AccessNotForOrder,
            format!(
                "access instrument `{}` does not admit this order: {why}",
                instrument.header.name.value
            ),
            via.span,
            "instrument for another agency or contract",
        )
        .with_related(instrument.header.name.span, "the instrument")
        .with_help("name the buyer's own instrument for this contract in `via`"),
    );
}

/// The checks that only a non-party's order must pass: the contract is open to it, the
/// solicitation said so, and the access instrument is right and in force.
fn piggyback_standing(
    model: &Model,
    order: &Order,
    contract: &Contract,
    solicitation: &Solicitation,
    reasons: &mut Vec<Diagnostic>,
) {
    let buyer = model.agency(order.buyer.value);
    let lead = model.agency(solicitation.lead);
    if !solicitation.cooperative_use.stated {
        let diagnostic = Diagnostic::new(
            Code::CooperativeUseNotStated,
            format!(
                "solicitation `{}` did not state that other public bodies may use the resulting contract",
                solicitation.header.name.value
            ),
            order.contract.span,
            "piggybacks on this contract",
        );
        let diagnostic = match solicitation.cooperative_use.span {
            Some(span) => diagnostic.with_related(span, "stated as not_stated here"),
            None => diagnostic.with_related(
                solicitation.header.name.span,
                "no `cooperative_use stated` in this solicitation",
            ),
        };
        reasons.push(diagnostic.with_help(
            "only a solicitation that told bidders others may use the contract can be piggybacked; the buyer needs its own solicitation",
        ));
    }
    let Some(clause) = &contract.piggyback else {
        reasons.push(
            Diagnostic::new(
                Code::PiggybackClosed,
                format!(
                    "{} is not a party to contract `{}`, which is not open to piggyback use",
                    buyer.header.display_name(),
                    contract.header.name.value
                ),
                order.buyer.span,
                "not a party to the contract",
            )
            .with_related(contract.header.name.span, "no open `piggyback { ... }` clause")
            .with_help(format!(
                "only {} and its joint participants may order; or the contract must be opened with a `piggyback {{ ... }}` clause",
                lead.header.display_name()
            )),
        );
        return;
    };
    if let Some(eligibility) = &clause.eligibility
        && !super::rules::admitted(model, clause, order.buyer.value)
    {
        reasons.push(
            Diagnostic::new(
                Code::BuyerNotEligible,
                format!(
                    "{} ({} in {}) is not among those contract `{}` is open to",
                    buyer.header.display_name(),
                    buyer.kind.as_str(),
                    buyer.jurisdiction,
                    contract.header.name.value
                ),
                order.buyer.span,
                "not eligible",
            )
            .with_related(eligibility.span, "who the contract is open to")
            .with_help(
                "only agencies the piggyback clause's `open_to` admits may use the contract",
            ),
        );
    }
    let required = clause.required_instrument;
    let Some(via) = &order.via else {
        if let Some(required) = required {
            reasons.push(
                Diagnostic::new(
                    Code::AccessMissing,
                    format!(
                        "contract `{}` requires {} before piggyback use, and order `{}` names none",
                        contract.header.name.value,
                        article(required.value.as_str()),
                        order.header.name.value
                    ),
                    order.header.name.span,
                    "no `via`",
                )
                .with_related(required.span, "required here")
                .with_help(format!(
                    "execute {} with {} and name it with `via`",
                    article(required.value.as_str()),
                    lead.header.display_name()
                )),
            );
        }
        return;
    };
    let instrument = model.instrument(via.value);
    if let Some(required) = required
        && instrument.kind != required.value
    {
        reasons.push(
            Diagnostic::new(
                Code::AccessWrongKind,
                format!(
                    "access instrument `{}` is {}, but contract `{}` requires {}",
                    instrument.header.name.value,
                    article(instrument.kind.as_str()),
                    contract.header.name.value,
                    article(required.value.as_str())
                ),
                via.span,
                format!("a {}", instrument.kind.as_str()),
            )
            .with_related(required.span, "required here")
            .with_help(format!(
                "use a {} for this contract",
                required.value.as_str()
            )),
        );
    }
    instrument_for_order(model, order, solicitation, reasons);
    if !instrument.in_force_on(order.date.value) {
        let (why, related, label) = match (
            instrument.signed,
            instrument.in_force_from(),
            instrument.expires,
        ) {
            (None, _, _) => (
                "it is not signed".to_string(),
                instrument.header.name.span,
                "never signed",
            ),
            (Some(_), _, Some(expires)) if expires.value < order.date.value => (
                format!("it expired on {}", expires.value),
                expires.span,
                "expired before the order date",
            ),
            (Some(signed), Some(from), _) if from != signed.value => (
                format!("it takes effect on {from}"),
                instrument
                    .effective
                    .map_or(signed.span, |effective| effective.span),
                "not yet in force on the order date",
            ),
            (Some(signed), _, _) => (
                format!("signed {}", signed.value),
                signed.span,
                "not yet in force on the order date",
            ),
        };
        reasons.push(
            Diagnostic::new(
                Code::AccessNotInForce,
                format!(
                    "access instrument `{}` not in force on {} ({why})",
                    instrument.header.name.value, order.date.value
                ),
                via.span,
                label,
            )
            .with_related(related, "this is why")
            .with_help(
                "place the order once the instrument is signed and in force, or correct its dates",
            ),
        );
    }
}

fn within_term(order: &Order, contract: &Contract, reasons: &mut Vec<Diagnostic>) {
    let end = contract.end_as_of(order.date.value);
    let date = order.date.value;
    if date < contract.term.start || date > end {
        let extended = if end == contract.term.end {
            String::new()
        } else {
            " with its exercised options".to_string()
        };
        reasons.push(
            Diagnostic::new(
                Code::OrderOutsideTerm,
                format!(
                    "order `{}` is dated {date}, outside the term of `{}`{extended}: {} to {end}",
                    order.header.name.value, contract.header.name.value, contract.term.start
                ),
                order.date.span,
                "outside the term",
            )
            .with_related(contract.term.span, "the term")
            .with_help("only options exercised on or before the order date extend the term; exercise one, or order under another contract"),
        );
    }
}

fn lines_on_contract(
    order: &Order,
    contract: &Contract,
    solicitation: &Solicitation,
    reasons: &mut Vec<Diagnostic>,
) {
    for line in &order.lines {
        let item = match &line.item {
            LineItem::OutOfScope(name) => {
                reasons.push(
                    Diagnostic::new(
                        Code::ItemOutOfScope,
                        format!(
                            "`{}` is not in the scope of solicitation `{}`, which contract `{}` awards",
                            name.value, solicitation.header.name.value, contract.header.name.value
                        ),
                        name.span,
                        "not on this contract",
                    )
                    .with_related(solicitation.header.name.span, "the solicitation's items")
                    .with_help("order this item under a contract that covers it; adding it here would be a new procurement"),
                );
                continue;
            }
            LineItem::InScope(item) => *item,
        };
        let item_name = &solicitation.item(item).name.value;
        match contract.unit_price(item, line.quantity) {
            None => reasons.push(
                Diagnostic::new(
                    Code::ItemOutOfScope,
                    format!(
                        "contract `{}` sets no price for `{item_name}`",
                        contract.header.name.value
                    ),
                    line.span,
                    "no contract price",
                )
                .with_related(contract.header.name.span, "the contract")
                .with_help("an item the contract does not price cannot be ordered under it"),
            ),
            Some(price) if line.unit_price.amount > price.unit_price.amount => {
                let tier = if price.from.is_zero() {
                    String::new()
                } else {
                    format!(
                        " (tier from {} {})",
                        format_quantity(price.from),
                        solicitation.item(item).unit
                    )
                };
                reasons.push(
                    Diagnostic::new(
                        Code::PriceAboveContract,
                        format!(
                            "`{item_name}` at {} is above the contract price {}{tier}",
                            line.unit_price, price.unit_price
                        ),
                        line.span,
                        format!("{} over", Money::new(line.unit_price.currency.clone(), line.unit_price.amount - price.unit_price.amount)),
                    )
                    .with_related(price.span, "the contract price")
                    .with_help("users are bound by the contract's pricing; a lower price may be negotiated, a higher one may not"),
                );
            }
            Some(_) => {}
        }
    }
}

fn clauses_on_contract(
    model: &Model,
    order: &Order,
    contract: &Contract,
    reasons: &mut Vec<Diagnostic>,
) {
    let instrument_clauses = order.via.map(|via| &model.instrument(via.value).clauses);
    for requested in &order.requests {
        let in_instrument = instrument_clauses.is_some_and(|clauses| {
            clauses
                .iter()
                .any(|clause| clause.name.value == requested.value)
        });
        if !contract.has_clause(&requested.value) && !in_instrument {
            let names: Vec<&str> = contract
                .clauses
                .iter()
                .map(|clause| clause.name.value.as_str())
                .collect();
            let diagnostic = Diagnostic::new(
                Code::ClauseNotInContract,
                format!(
                    "order `{}` requests clause `{}`, which contract `{}` does not have",
                    order.header.name.value, requested.value, contract.header.name.value
                ),
                requested.span,
                "not a clause of the contract",
            )
            .with_related(contract.header.name.span, "the contract's clauses");
            reasons.push(match crate::check::suggest(&requested.value, names.iter().copied()) {
                Some(candidate) => diagnostic.with_suggestion(Some(candidate)),
                None => diagnostic.with_help("users are bound by the contract's terms and cannot add their own; remove the request"),
            });
        }
    }
}

/// `20 truck`, `USD 1,000.00`.
pub fn describe(volume: &Volume, solicitation: &Solicitation) -> String {
    describe_like(amount_of(volume), volume, solicitation)
}

/// An amount written in the measure of `like`.
pub fn describe_like(amount: Decimal, like: &Volume, solicitation: &Solicitation) -> String {
    match like {
        Volume::Money(money) => Money::new(money.currency.clone(), amount).to_string(),
        Volume::Quantity { measure, .. } => {
            let unit = match measure {
                crate::model::Measure::Item(item) => solicitation.item(*item).name.value.as_str(),
                crate::model::Measure::Unit(unit) => unit.as_str(),
            };
            format!("{} {unit}", format_quantity(amount))
        }
    }
}

/// "an interlocal agreement", "a participating addendum".
fn article(kind: &str) -> String {
    let words = kind.replace('_', " ");
    if words.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {words}")
    } else {
        format!("a {words}")
    }
}
