//! The problems of building the model's declarations and tests: fields missing or given twice,
//! values outside their sets or ranges, currencies and units that do not fit, dates out of order,
//! and tests that expect what cannot be.

use rust_decimal::Decimal;

use crate::check::declarations::Capacity;
use crate::codes::Code;
use crate::diagnostic::{Description, Problem};
use crate::model::DutyKind;
use crate::model::rules::Extent;
use crate::schema::{Entity, Enumeration};
use crate::values::{Currency, Date, format_quantity};

pub enum DeclarationProblem<'a> {
    /// The model's files declare nothing.
    EmptyModel,
    /// A field that may appear once, given again in `keyword` (such as "contract") `declaration`.
    DuplicateField {
        field: &'a str,
        keyword: &'a str,
        declaration: &'a str,
    },
    /// A required field missing; `example` is a line that would give it.
    MissingField {
        field: &'a str,
        example: &'a str,
        keyword: &'a str,
        declaration: &'a str,
    },
    /// A value outside one of the sets; `values` are its values (a model's own too, for an open
    /// set).
    UnknownValue {
        value: &'a str,
        set: Enumeration,
        values: &'a [&'a str],
    },
    /// A kind or role declared again, or declared though it is built in.
    DuplicateDefinition {
        name: &'a str,
        set: Enumeration,
        built_in: bool,
    },
    /// Two jurisdiction groups of one name.
    DuplicateGroup { group: &'a str },
    /// A group member that is no jurisdiction code and no group; `suggestion` is a close group.
    UnknownGroupMember {
        member: &'a str,
        group: &'a str,
        suggestion: Option<&'a str>,
    },
    /// A member that leaves a group before it joins.
    LeavesBeforeJoining {
        member: &'a str,
        group: &'a str,
        from: Date,
        until: Date,
    },
    /// A group that holds itself, through the groups it holds.
    GroupHoldsItself { group: &'a str },
    /// An access instrument under itself, through the instruments it is under.
    InstrumentUnderItself { instrument: &'a str },
    /// A lot declared twice in one solicitation.
    DuplicateLot { lot: &'a str, solicitation: &'a str },
    /// An item or a contract naming a lot its solicitation does not have; `lots` are its lots.
    UnknownLot {
        lot: &'a str,
        solicitation: &'a str,
        lots: &'a [&'a str],
    },
    /// A contract awarding a solicitation that has lots, without naming which.
    LotNotAwarded {
        contract: &'a str,
        solicitation: &'a str,
        lots: &'a [&'a str],
    },
    /// A contract pricing an item of another lot than the one it awards.
    ItemOfAnotherLot { item: &'a str, lot: &'a str },
    /// An amount (`what`: a lot's, an option's) counted otherwise than what it adds to (`whole`:
    /// the solicitation's use, the base quantity); `money`: both are money, in different
    /// currencies.
    LotMeasure {
        what: &'a str,
        whole: &'a str,
        found: &'a str,
        expected: &'a str,
        money: bool,
    },
    /// A mini-competition inviting a contract of another framework or lot.
    InvitedOutsideFramework { contract: &'a str },
    /// A mini-competition awarded before it was issued.
    CompetitionAwardedBeforeIssued { awarded: Date, issued: Date },
    /// A solicitation posted before it was issued.
    PostedBeforeIssued {
        solicitation: &'a str,
        posted: Date,
        issued: Date,
    },
    /// A contract awarded (or, stating no award date, starting) before its solicitation was
    /// issued or posted (`event`).
    AwardedBeforeSolicitation {
        contract: &'a str,
        awarded: Date,
        award_date_stated: bool,
        solicitation: &'a str,
        event: &'a str,
        date: Date,
    },
    /// A code expected of a denied order that is no code that denies orders.
    UnknownDenialCode { code: &'a str },
    /// A duty expected of an agency that is no duty, nor a rule of the model.
    UnknownDuty { duty: &'a str },
    /// A latitude or longitude (`what`) beyond ±`limit` degrees.
    CoordinateOutOfRange {
        what: &'a str,
        value: f64,
        limit: f64,
    },
    /// An item declared twice in one solicitation.
    DuplicateItem {
        item: &'a str,
        solicitation: &'a str,
    },
    /// A joint participant listed twice in one solicitation.
    DuplicateParticipant {
        agency: &'a str,
        solicitation: &'a str,
    },
    /// An amount counted in what is neither an item nor a unit of the solicitation; `candidates`
    /// are its items and units, sorted.
    UnknownMeasure {
        measure: &'a str,
        solicitation: &'a str,
        candidates: &'a [&'a str],
    },
    /// Money in a currency that is no ISO 4217 code; `suggestion` is a close code.
    UnknownCurrency {
        code: &'a Currency,
        suggestion: Option<&'a str>,
    },
    /// A negative amount where `what` (such as "price") must not be.
    Negative { what: &'a str },
    /// A test's expected amount in another currency than its contract.
    ExpectedAmountCurrency {
        found: &'a Currency,
        contract: &'a str,
        expected: &'a Currency,
    },
    /// Two amounts of a solicitation (`first`, `second`, such as "the estimate") in different
    /// currencies.
    AmountsCurrencies {
        first: &'a str,
        first_currency: &'a Currency,
        second: &'a str,
        second_currency: &'a Currency,
    },
    /// A contract's price in another currency than its first price.
    PriceCurrency {
        found: &'a Currency,
        expected: &'a Currency,
    },
    /// An amount of the contract's solicitation (`what`, such as "the ceiling") in another
    /// currency than the contract's prices.
    VolumeCurrency {
        what: &'a str,
        found: &'a Currency,
        expected: &'a Currency,
    },
    /// An order's amount (`what`: "this line is priced", "the order's value is") in another
    /// currency than its contract.
    LineCurrency {
        what: &'a str,
        found: &'a Currency,
        contract: &'a str,
        expected: &'a Currency,
    },
    /// A contract's term that ends before it starts.
    TermEndsBeforeStart {
        contract: &'a str,
        start: Date,
        end: Date,
    },
    /// A contract awarded after its term ends.
    AwardedAfterTerm {
        contract: &'a str,
        awarded: Date,
        end: Date,
    },
    /// An item of the awarded solicitation that the contract does not price.
    ItemWithoutPrice {
        contract: &'a str,
        item: &'a str,
        unit: &'a str,
    },
    /// A unit price of zero for `item`, on a contract's `price` or on an order's `line`
    /// (`on_line`): almost always a price not yet filled in.
    ZeroPrice { item: &'a str, on_line: bool },
    /// A renewal option of no length.
    OptionWithoutLength,
    /// A renewal option that would run past the last date, extending the term from `from`.
    OptionPastCalendar { from: Date },
    /// An option exercised while an option before it is not.
    OptionOutOfOrder,
    /// An option exercised after the term, as extended so far, ended.
    OptionAfterTerm { exercised: Date, end: Date },
    /// Two prices for one item and tier (`from`, zero for the base price).
    DuplicatePrice { item: &'a str, from: Decimal },
    /// A price or line for no item of the awarded solicitation; `items` are its items.
    UnknownItem {
        item: &'a str,
        solicitation: &'a str,
        items: &'a [&'a str],
    },
    /// A fee (or a discount: `what`) outside 0% to 100%.
    FeeOutOfRange { what: &'a str },
    /// An order that states both its lines and a value.
    ValueAndLines { order: &'a str },
    /// A blanket order whose period ends before it starts.
    PeriodEndsBeforeStart {
        order: &'a str,
        start: Date,
        end: Date,
    },
    /// Quantity options without the base quantity they add to.
    OptionsWithoutBase { contract: &'a str },
    /// An access instrument that expires before it is signed.
    ExpiresBeforeSigned {
        instrument: &'a str,
        expires: Date,
        signed: Date,
    },
    /// An order line of no or a negative quantity.
    QuantityNotPositive,
    /// An order line worth more than any amount Coop accepts.
    LineTooLarge,
    /// A quantity of `item` counted in `found`, not in the `unit` it is sold per.
    UnitMismatch {
        item: &'a str,
        unit: &'a str,
        found: &'a str,
    },
    /// A clause given twice in one contract or access instrument.
    DuplicateClause { clause: &'a str },
    /// Two tests of one name.
    DuplicateTest { test: &'a str },
    /// A test with no `expect`.
    TestWithoutExpectations { test: &'a str },
    /// A test expects `rule` to deny `order`, and the rule never denies.
    CannotDeny { rule: &'a str, order: &'a str },
    /// A test names a rule the model's files do not declare; `suggestion` is a close one.
    ExpectedRuleUndefined {
        rule: &'a str,
        suggestion: Option<&'a str>,
    },
    /// A test expects an order permitted under a rule that permits nothing.
    NotABasis { rule: &'a str },
    /// A test expects a responsibility under a rule that states others (`stated`), or none.
    NotResponsible {
        rule: &'a str,
        extent: Extent,
        stated: &'a [Extent],
    },
    /// A test expects of a rule, as `capacity` says, a rule of no such id; `suggestion` is a
    /// close one.
    NoSuchRule {
        rule: &'a str,
        capacity: Capacity,
        suggestion: Option<&'a str>,
    },
    /// A test expects a duty under a rule that obliges nobody.
    ObligesNothing { rule: &'a str },
    /// A test names a clause its contract or access instrument (`owner`, of kind `owner_kind`)
    /// does not state; `stated` are the clauses it does.
    UnknownClause {
        clause: &'a str,
        owner_kind: Entity,
        owner: &'a str,
        stated: &'a [&'a str],
    },
    /// A test expects a finding on a name nothing has; `suggestion` is a close one.
    NothingNamed {
        name: &'a str,
        suggestion: Option<&'a str>,
    },
    /// A waiver names no rule of the model or its packs, and no code.
    UnknownWaived {
        finding: &'a str,
        suggestion: Option<&'a str>,
    },
}

impl Problem for DeclarationProblem<'_> {
    fn describe(self) -> Description {
        match self {
            DeclarationProblem::EmptyModel => Description::new(
                Code::EmptyModel,
                "the model declares nothing",
                "nothing declared",
            )
            .help("declare agencies, solicitations, contracts, access instruments and orders; see docs/language.md"),
            DeclarationProblem::DuplicateField {
                field,
                keyword,
                declaration,
            } => Description::new(
                Code::DuplicateField,
                format!("`{field}` is given twice in {keyword} `{declaration}`"),
                "given again here",
            )
            .help(format!("keep one `{field}` line")),
            DeclarationProblem::MissingField {
                field,
                example,
                keyword,
                declaration,
            } => Description::new(
                Code::MissingField,
                format!("{keyword} `{declaration}` has no `{field}`"),
                format!("`{field}` missing"),
            )
            .help(format!("add a line such as `{example}`")),
            DeclarationProblem::UnknownValue { value, set, values } => {
                let declare = match set {
                    Enumeration::AgencyKind => format!(", or declare it: `kind {value} \"what it means\"`"),
                    Enumeration::AgencyRole => format!(", or declare it: `role {value} \"what it means\"`"),
                    _ => String::new(),
                };
                unknown_value(value, set.describe(), values, &declare)
            }
            DeclarationProblem::DuplicateDefinition {
                name,
                set,
                built_in,
            } => {
                let what = set.describe().trim_start_matches("an ").trim_start_matches("a ");
                if built_in {
                    Description::new(
                        Code::DuplicateName,
                        format!("`{name}` is a built-in {what}"),
                        "built in",
                    )
                    .help("use it as it is, without declaring it")
                } else {
                    Description::new(
                        Code::DuplicateName,
                        format!("{what} `{name}` is declared twice"),
                        "declared again here",
                    )
                    .help("keep one declaration, with what it means")
                }
            }
            DeclarationProblem::DuplicateGroup { group } => Description::new(
                Code::DuplicateName,
                format!("jurisdiction group `{group}` is declared twice"),
                "declared again here",
            )
            .help("keep one group of the name, with every member"),
            DeclarationProblem::UnknownGroupMember {
                member,
                group,
                suggestion,
            } => Description::new(
                Code::UndefinedName,
                format!("`{member}` in group `{group}` is neither a jurisdiction code nor a group"),
                "not a jurisdiction or a group",
            )
            .suggestion_or(
                suggestion,
                "write an ISO 3166 code such as `AT` or `US-WA`, or the name of another group",
            ),
            DeclarationProblem::LeavesBeforeJoining {
                member,
                group,
                from,
                until,
            } => Description::new(
                Code::TermEndsBeforeStart,
                format!("`{member}` leaves group `{group}` on {until}, before it joins on {from}"),
                "leaves here",
            )
            .help("`from` is the first day it belongs, `until` the last; correct the one that is mistyped"),
            DeclarationProblem::GroupHoldsItself { group } => Description::new(
                Code::ReferenceCycle,
                format!("jurisdiction group `{group}` holds itself, through the groups it holds"),
                "in a cycle",
            )
            .help("a group may hold other groups, but none of them may hold it back"),
            DeclarationProblem::DuplicateLot { lot, solicitation } => Description::new(
                Code::DuplicateName,
                format!("lot `{lot}` is declared twice in solicitation `{solicitation}`"),
                "declared again here",
            )
            .help("give each lot of a solicitation its own name"),
            DeclarationProblem::UnknownLot {
                lot,
                solicitation,
                lots,
            } => {
                let description = Description::new(
                    Code::UndefinedName,
                    format!("solicitation `{solicitation}` has no lot `{lot}`"),
                    "not a lot of the solicitation",
                );
                match crate::check::suggest(lot, lots.iter().copied()) {
                    Some(close) => description.suggestion(Some(close)),
                    None if lots.is_empty() => description.help(format!(
                        "declare it in the solicitation: `lot {lot} \"title\" {{ maximum ... }}`"
                    )),
                    None => description.help(format!("its lots are: {}", lots.join(", "))),
                }
            }
            DeclarationProblem::LotNotAwarded {
                contract,
                solicitation,
                lots,
            } => Description::new(
                Code::MissingField,
                format!("contract `{contract}` awards solicitation `{solicitation}`, which has lots, without naming one"),
                "which lot?",
            )
            .help(format!(
                "a contract awards one lot (a supplier of two lots has two contracts): `awards {solicitation} lot {}`",
                lots.first().copied().unwrap_or("LOT")
            )),
            DeclarationProblem::ItemOfAnotherLot { item, lot } => Description::new(
                Code::UndefinedName,
                format!("`{item}` is not an item of lot `{lot}`, which the contract awards"),
                "an item of another lot",
            )
            .help("price only the items of the lot the contract awards, and those of no lot"),
            DeclarationProblem::LotMeasure {
                what,
                whole,
                found,
                expected,
                money,
            } => Description::new(
                if money { Code::CurrencyMismatch } else { Code::UnitMismatch },
                format!("{what} is counted in {found}, but {whole} is counted in {expected}"),
                format!("in {found}"),
            )
            .help(format!(
                "write it in {expected}, so that the parts and the whole add up"
            )),
            DeclarationProblem::InvitedOutsideFramework { contract } => Description::new(
                Code::WrongKind,
                format!("contract `{contract}` does not award the framework (and lot) the order's contract awards"),
                "another framework's contract",
            )
            .help("a mini-competition is held among the contracts of one framework, or of one lot of it"),
            DeclarationProblem::CompetitionAwardedBeforeIssued { awarded, issued } => Description::new(
                Code::AwardedBeforeIssued,
                format!("the mini-competition is awarded on {awarded}, before it was issued on {issued}"),
                "before it was issued",
            )
            .help("correct the dates of the competition"),
            DeclarationProblem::InstrumentUnderItself { instrument } => Description::new(
                Code::ReferenceCycle,
                format!("access instrument `{instrument}` is under itself, through the instruments it is under"),
                "in a cycle",
            )
            .help("a chain of instruments ends: the first link (a state's participating agreement, say) is under none"),
            DeclarationProblem::PostedBeforeIssued {
                solicitation,
                posted,
                issued,
            } => Description::new(
                Code::PostedBeforeIssued,
                format!("solicitation `{solicitation}` is posted on {posted}, before it was issued on {issued}"),
                "posted here",
            )
            .help("a solicitation is posted once it is issued; check both dates"),
            DeclarationProblem::AwardedBeforeSolicitation {
                contract,
                awarded,
                award_date_stated,
                solicitation,
                event,
                date,
            } => Description::new(
                Code::AwardedBeforeIssued,
                if award_date_stated {
                    format!("contract `{contract}` is awarded on {awarded}, before solicitation `{solicitation}` was {event} on {date}")
                } else {
                    format!("contract `{contract}` starts on {awarded} (it states no award date), before solicitation `{solicitation}` was {event} on {date}")
                },
                "before the solicitation",
            )
            .help("a contract is awarded from a solicitation already issued and posted; correct the dates, or the solicitation the contract `awards`"),
            DeclarationProblem::UnknownDenialCode { code } => {
                let denials: Vec<&str> = Code::ORDER_DENIALS.iter().map(|code| code.name()).collect();
                unknown_value(code, "a code that denies orders", &denials, "")
            }
            DeclarationProblem::UnknownDuty { duty } => {
                let duties: Vec<&str> = DutyKind::ALL.iter().map(|kind| kind.as_str()).collect();
                unknown_value(duty, "a duty, nor a rule of the model", &duties, "")
            }
            DeclarationProblem::CoordinateOutOfRange { what, value, limit } => Description::new(
                Code::OutOfRange,
                format!("{what} {value} is outside -{limit} to {limit}"),
                format!("not a {what}"),
            )
            .help("write a location as latitude, longitude in decimal degrees, e.g. `location 47.98, -122.20`"),
            DeclarationProblem::DuplicateItem { item, solicitation } => Description::new(
                Code::DuplicateName,
                format!("item `{item}` is declared twice in solicitation `{solicitation}`"),
                "declared again here",
            )
            .help("give each item of a solicitation its own name"),
            DeclarationProblem::DuplicateParticipant {
                agency,
                solicitation,
            } => Description::new(
                Code::DuplicateName,
                format!("`{agency}` joins solicitation `{solicitation}` twice"),
                "listed again here",
            )
            .help("list each participant once, with its whole commitment"),
            DeclarationProblem::UnknownMeasure {
                measure,
                solicitation,
                candidates,
            } => Description::new(
                Code::UnitMismatch,
                format!(
                    "`{measure}` is neither an item nor a unit of solicitation `{solicitation}`"
                ),
                "counts something this solicitation does not buy",
            )
            .suggestion_or(
                crate::check::suggest(measure, candidates.iter().copied()),
                format!("count one of its items or units: {}", candidates.join(", ")),
            ),
            DeclarationProblem::UnknownCurrency { code, suggestion } => Description::new(
                Code::UnknownValue,
                format!("`{code}` is not an ISO 4217 currency code"),
                "unknown currency",
            )
            .suggestion_or(
                suggestion,
                "write money with its three-letter ISO 4217 code, such as `USD 1,000.00` or `EUR 250.00`",
            ),
            DeclarationProblem::Negative { what } => Description::new(
                Code::OutOfRange,
                format!("the {what} cannot be negative"),
                "negative",
            )
            .help("write the amount as a positive number"),
            DeclarationProblem::ExpectedAmountCurrency {
                found,
                contract,
                expected,
            } => currency_mismatch(
                format!("the expected amount is in {found} but contract `{contract}` is in {expected}"),
                found,
                expected,
            ),
            DeclarationProblem::AmountsCurrencies {
                first,
                first_currency,
                second,
                second_currency,
            } => currency_mismatch(
                format!("{second} is in {second_currency} but {first} is in {first_currency}"),
                second_currency,
                first_currency,
            ),
            DeclarationProblem::PriceCurrency { found, expected } => currency_mismatch(
                format!("prices of one contract must share a currency, but this one is in {found}"),
                found,
                expected,
            ),
            DeclarationProblem::VolumeCurrency {
                what,
                found,
                expected,
            } => currency_mismatch(
                format!("{what} is in {found} but the contract prices in {expected}"),
                found,
                expected,
            ),
            DeclarationProblem::LineCurrency {
                what,
                found,
                contract,
                expected,
            } => currency_mismatch(
                format!("{what} in {found} but contract `{contract}` is in {expected}"),
                found,
                expected,
            ),
            DeclarationProblem::TermEndsBeforeStart {
                contract,
                start,
                end,
            } => Description::new(
                Code::TermEndsBeforeStart,
                format!("the term of contract `{contract}` ends on {end} before it starts on {start}"),
                "ends here",
            )
            .help("swap the dates, or correct the one that is mistyped: a term reads `term START to END`"),
            DeclarationProblem::AwardedAfterTerm {
                contract,
                awarded,
                end,
            } => Description::new(
                Code::TermEndsBeforeStart,
                format!("contract `{contract}` is awarded on {awarded} after its term ends on {end}"),
                "awarded here",
            )
            .help("a contract is awarded before or when its term starts; correct the award date or the term"),
            DeclarationProblem::ItemWithoutPrice {
                contract,
                item,
                unit,
            } => Description::new(
                Code::ItemWithoutPrice,
                format!("contract `{contract}` sets no price for `{item}`"),
                format!("no price for `{item}`"),
            )
            .help(format!(
                "add the awarded price, as in `price {item} USD 1,250.00 per {unit}`; orders of an unpriced item are denied"
            )),
            DeclarationProblem::ZeroPrice { item, on_line } => Description::new(
                Code::ZeroPrice,
                if on_line {
                    format!("this line buys `{item}` at a unit price of zero")
                } else {
                    format!("the price of `{item}` is zero")
                },
                "zero",
            )
            .help(if on_line {
                "write the price the order was placed at; a free line is almost always a price not yet filled in"
            } else {
                "write the awarded unit price; a zero price is almost always one not yet filled in, and every line priced above it is denied"
            }),
            DeclarationProblem::OptionWithoutLength => Description::new(
                Code::OutOfRange,
                "a renewal option of no length",
                "extends nothing",
            )
            .help("give the option its length, such as `option 1 year`"),
            DeclarationProblem::OptionPastCalendar { from } => Description::new(
                Code::OutOfRange,
                format!("this option would run past the year 9999 (from {from})"),
                "too long",
            )
            .help("check the option's length; dates run to 9999-12-31"),
            DeclarationProblem::OptionOutOfOrder => Description::new(
                Code::OptionExercisedOutOfOrder,
                "this option is exercised, but an option before it is not",
                "exercised",
            )
            .help("options extend the term in order; exercise the earlier option first, or list the options in the order they run"),
            DeclarationProblem::OptionAfterTerm { exercised, end } => Description::new(
                Code::OptionExercisedAfterTerm,
                format!("option exercised on {exercised} after the term ended on {end}"),
                "exercised too late",
            )
            .help("an option extends a running term; exercise it on or before the term's end, or record a new contract"),
            DeclarationProblem::DuplicatePrice { item, from } => {
                let tier = if from.is_zero() {
                    "base price".to_string()
                } else {
                    format!("price from {}", format_quantity(from))
                };
                Description::new(
                    Code::DuplicatePrice,
                    format!("`{item}` has its {tier} set twice"),
                    "set again here",
                )
                .help("keep one price per item and tier; a volume tier reads `price ITEM from 10 UNIT MONEY per UNIT`")
            }
            DeclarationProblem::UnknownItem {
                item,
                solicitation,
                items,
            } => Description::new(
                Code::UndefinedName,
                format!("solicitation `{solicitation}` has no item `{item}`"),
                "not an item of the awarded solicitation",
            )
            .suggestion_or(
                crate::check::suggest(item, items.iter().copied()),
                format!("its items are: {}", items.join(", ")),
            ),
            DeclarationProblem::FeeOutOfRange { what } => Description::new(
                Code::OutOfRange,
                format!("a {what} must be between 0% and 100%"),
                "outside 0% to 100%",
            )
            .help(if what == "discount" {
                "write the discount as a percentage off the list price, e.g. `18%`".to_string()
            } else {
                format!("write the {what} as a percentage of the order's value, e.g. `0.25%`")
            }),
            DeclarationProblem::ValueAndLines { order } => Description::new(
                Code::ValueAndLines,
                format!("order `{order}` states both its lines and a value"),
                "a value beside lines",
            )
            .help("an order's value is what its lines add up to; state `value` only for a call-off without lines"),
            DeclarationProblem::PeriodEndsBeforeStart { order, start, end } => Description::new(
                Code::TermEndsBeforeStart,
                format!("the period of order `{order}` ends on {end} before it starts on {start}"),
                "ends here",
            )
            .help("a blanket order's period reads `period START to END`"),
            DeclarationProblem::OptionsWithoutBase { contract } => Description::new(
                Code::MissingField,
                format!("contract `{contract}` has quantity options but no `base_quantity`"),
                "options of what?",
            )
            .help("state the quantity the award buys, such as `base_quantity 50 bus`; the options add to it"),
            DeclarationProblem::ExpiresBeforeSigned {
                instrument,
                expires,
                signed,
            } => Description::new(
                Code::TermEndsBeforeStart,
                format!(
                    "access instrument `{instrument}` expires on {expires} before it is signed on {signed}"
                ),
                "expires here",
            )
            .help("correct the expiry or the signing date"),
            DeclarationProblem::QuantityNotPositive => Description::new(
                Code::OutOfRange,
                "an order line must order a positive quantity",
                "not positive",
            )
            .help("order at least one unit, or remove the line"),
            DeclarationProblem::LineTooLarge => Description::new(
                Code::OutOfRange,
                "this line is worth more than a quadrillion",
                "quantity times unit price is too large",
            )
            .help("an order line may be worth at most 1,000,000,000,000,000; check the quantity and the price"),
            DeclarationProblem::UnitMismatch { item, unit, found } => Description::new(
                Code::UnitMismatch,
                format!("`{item}` is counted per {unit}, not per {found}"),
                format!("expected `{unit}`"),
            )
            .help(format!("write the quantity in {unit}")),
            DeclarationProblem::DuplicateClause { clause } => Description::new(
                Code::DuplicateName,
                format!("clause `{clause}` is given twice"),
                "given again here",
            )
            .help("give each clause once; merge their texts"),
            DeclarationProblem::DuplicateTest { test } => Description::new(
                Code::DuplicateName,
                format!("two tests are named \"{test}\""),
                "named again here",
            )
            .help("give each test its own name, so that `coop test --filter` and the results tell them apart"),
            DeclarationProblem::TestWithoutExpectations { test } => Description::new(
                Code::TestWithoutExpectations,
                format!("test \"{test}\" expects nothing"),
                "no `expect`",
            )
            .help("a test holds at least one line such as `expect order everett_trucks permitted`"),
            DeclarationProblem::CannotDeny { rule, order } => Description::new(
                Code::ExpectationCannotHold,
                format!("rule `{rule}` never denies an order"),
                "cannot deny",
            )
            .help(format!(
                "expect what it does find: `expect finding {rule} on {order}`"
            )),
            DeclarationProblem::ExpectedRuleUndefined { rule, suggestion } => Description::new(
                Code::UndefinedName,
                format!("no rule named `{rule}`"),
                "not a rule of the model",
            )
            .suggestion_or(
                suggestion,
                "name a rule of the model's files or of a rule pack it uses",
            ),
            DeclarationProblem::NotABasis { rule } => Description::new(
                Code::ExpectationCannotHold,
                format!("rule `{rule}` is no legal basis: it permits nothing"),
                "not a basis",
            )
            .help(rule_that(Capacity::Permits)),
            DeclarationProblem::NotResponsible {
                rule,
                extent,
                stated,
            } => {
                let cannot = if stated.is_empty() {
                    "states no responsibility".to_string()
                } else {
                    let stated: Vec<&str> =
                        stated.iter().map(|extent| extent.as_written()).collect();
                    format!(
                        "never says `{}`: it says `{}`",
                        extent.as_written(),
                        stated.join("`, `")
                    )
                };
                Description::new(
                    Code::ExpectationCannotHold,
                    format!("rule `{rule}` {cannot}"),
                    "not stated by this rule",
                )
                .help(rule_that(Capacity::Responsible(extent)))
            }
            DeclarationProblem::NoSuchRule {
                rule,
                capacity,
                suggestion,
            } => Description::new(
                Code::UndefinedName,
                format!("no rule `{rule}` in the model, its packs or the prelude"),
                "no such rule",
            )
            .suggestion_or(suggestion, rule_that(capacity)),
            DeclarationProblem::ObligesNothing { rule } => Description::new(
                Code::ExpectationCannotHold,
                format!("rule `{rule}` obliges nobody to anything"),
                "no duty",
            )
            .help("name a rule with an `oblige` line, or expect what the rule finds with `expect finding RULE on NAME`"),
            DeclarationProblem::UnknownClause {
                clause,
                owner_kind,
                owner,
                stated,
            } => {
                let owner = format!("{} `{owner}`", owner_kind.noun());
                let description = Description::new(
                    Code::UndefinedName,
                    format!("{owner} states no clause `{clause}`"),
                    "no such clause",
                );
                match crate::check::suggest(clause, stated.iter().copied()) {
                    Some(candidate) => description.suggestion(Some(candidate)),
                    None if stated.is_empty() => {
                        description.help(format!("{owner} states no clause at all"))
                    }
                    None => description.help(format!("its clauses are: {}", stated.join(", "))),
                }
            }
            DeclarationProblem::NothingNamed { name, suggestion } => Description::new(
                Code::UndefinedName,
                format!("nothing is named `{name}`"),
                "not declared",
            )
            .suggestion_or(
                suggestion,
                "name the order, contract, solicitation, agency or access instrument the finding is about",
            ),
            DeclarationProblem::UnknownWaived {
                finding,
                suggestion,
            } => Description::new(
                Code::UndefinedName,
                format!("no rule or code named `{finding}`"),
                "not a rule of the model or its packs, nor a code",
            )
            .suggestion_or(
                suggestion,
                "name the code of the finding (`coop explain` lists them), a rule's id, or `PACK/RULE` as concise output and SARIF write it",
            ),
        }
    }
}

/// A value outside a set (`what`, such as "an agency kind"), with a close value or the whole set
/// and what else may be done (`otherwise`, such as declaring it).
fn unknown_value(value: &str, what: &str, allowed: &[&str], otherwise: &str) -> Description {
    Description::new(
        Code::UnknownValue,
        format!("`{value}` is not {what}"),
        format!(
            "unknown {}",
            what.trim_start_matches("a ").trim_start_matches("an ")
        ),
    )
    .suggestion_or(
        crate::check::suggest(value, allowed.iter().copied()),
        format!("use one of: {}{otherwise}", allowed.join(", ")),
    )
}

/// Amounts in two currencies where one is required: this one in `found`, the other in
/// `expected`.
fn currency_mismatch(message: String, found: &Currency, expected: &Currency) -> Description {
    Description::new(Code::CurrencyMismatch, message, format!("in {found}")).help(format!(
        "write this amount in {expected}; Coop never converts currencies"
    ))
}

/// The help of a test that names a rule for what the rule cannot do.
fn rule_that(capacity: Capacity) -> &'static str {
    match capacity {
        Capacity::Permits => {
            "name a rule with a `permit` line, such as the prelude's `piggyback` or `own-solicitation`"
        }
        Capacity::Responsible(_) => {
            "name a rule that states this responsibility, or expect what the rule states"
        }
    }
}
