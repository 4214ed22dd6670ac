//! The checked model: every name resolved, every unit and currency consistent, every date
//! possible. Evaluation takes this type and nothing else, so it never sees an unchecked model.

pub mod interpret;
pub mod rules;
pub mod subjects;

use compact_str::CompactString;
use rust_decimal::Decimal;
use ustr::Ustr;

use crate::source::{Span, Spanned};
use crate::values::{Date, Duration, Money};

/// A model that passed checking. Each list is sorted by name, so results do not depend on the
/// order of files or declarations.
#[derive(Debug)]
pub struct Model {
    pub agencies: Vec<Agency>,
    pub solicitations: Vec<Solicitation>,
    pub contracts: Vec<Contract>,
    pub instruments: Vec<AccessInstrument>,
    pub orders: Vec<Order>,
    /// The tests `coop test` runs, in the order written; no other command looks at them.
    pub tests: Vec<Test>,
    /// The rules of the model's files and rule packs, sorted by id.
    pub rules: Vec<rules::Rule>,
    /// The agency kinds and roles the model (and its packs) add to the built-in ones, sorted by
    /// name.
    pub definitions: Vec<Definition>,
    /// The jurisdiction groups of the model, its packs and the prelude, sorted by name.
    pub groups: Vec<Group>,
    /// The findings the model's authors accept, in the order written.
    pub waivers: Vec<Waiver>,
}

/// `waive RULE on NAME { because ... by ... until ... }`: the findings of a rule or a code about
/// one declaration, known and accepted until a date. A waiver changes no decision: a denied
/// order stays denied. It sets the findings aside for `coop check`, which then does not fail on
/// them, and every report lists it.
#[derive(Clone, Debug)]
pub struct Waiver {
    /// What it waives: a code, or a rule (of a pack, when `PACK/RULE` was written).
    pub finding: WaivedFinding,
    /// The rule or code as written, with its place.
    pub written: Spanned<String>,
    /// The declaration whose findings it waives.
    pub on: Spanned<String>,
    pub because: String,
    pub by: String,
    /// The last day it holds; without one, it holds as long as it is written.
    pub until: Option<Date>,
    pub span: Span,
}

/// The findings a waiver sets aside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaivedFinding {
    /// Every finding of a code (`access-missing`, `rule-denied`).
    Code(crate::codes::Code),
    /// Every finding of a rule; of the rule in that pack when a pack is named.
    Rule { pack: Option<String>, id: String },
}

/// `kind town "A town under the state's municipal code"`: a value added to an open set.
#[derive(Clone, Debug)]
pub struct Definition {
    pub set: crate::schema::Enumeration,
    pub name: Spanned<String>,
    pub meaning: String,
}

/// A jurisdiction group, with its members as they change over time.
#[derive(Clone, Debug)]
pub struct Group {
    pub name: Spanned<String>,
    pub title: Option<String>,
    /// From each date on, the members (comma-separated codes, interned), in date order: the
    /// members on a date are those of the last entry on or before it, none before the first.
    pub members: Vec<(Date, Ustr)>,
}

impl Group {
    /// The members on a date, comma-separated; empty before the group has any.
    pub fn members_on(&self, date: Date) -> Ustr {
        let after = self.members.partition_point(|(from, _)| *from <= date);
        match after.checked_sub(1) {
            Some(index) => self.members[index].1,
            None => Ustr::from(""),
        }
    }
}

/// A named set of expectations about the model's meaning, judged as of a date.
#[derive(Clone, Debug)]
pub struct Test {
    pub name: Spanned<String>,
    /// The date the test judges the model at; the command's `--as-of` when absent.
    pub as_of: Option<Date>,
    pub expectations: Vec<Spanned<Expectation>>,
}

/// One expectation of a test.
#[derive(Clone, Debug)]
pub enum Expectation {
    /// Orders are named, since their place in the model follows their dates.
    OrderPermitted {
        order: Spanned<String>,
        /// The legal basis the order is expected to be permitted under.
        under: Option<Spanned<String>>,
    },
    OrderDenied {
        order: Spanned<String>,
        codes: Vec<crate::codes::Code>,
        /// Rules expected among those that deny it, by id.
        rules: Vec<Spanned<String>>,
    },
    Bound {
        agency: AgencyId,
        contract: ContractId,
        basis: Option<ExpectedBasis>,
    },
    NotBound {
        agency: AgencyId,
        contract: ContractId,
    },
    Owes {
        agency: AgencyId,
        duty: DutyKind,
        contract: ContractId,
    },
    /// `expect [no] finding RULE on NAME`: a finding of the rule about the declaration.
    Finding {
        rule: Spanned<String>,
        /// The declaration's name, whose span findings about it point at.
        on: Spanned<String>,
        present: bool,
    },
    /// `expect agency A responsible jointly on C [under RULE]`: a responsibility of that extent
    /// that the rules for bindings state of the agency's binding to the contract.
    Responsible {
        agency: AgencyId,
        contract: ContractId,
        extent: rules::Extent,
        under: Option<Spanned<String>>,
    },
    /// `expect agency A bound by clause NAME of SOURCE on C`: the clause of that name among the
    /// binding's terms is stated by the contract (`None`) or by that access instrument.
    BoundByClause {
        agency: AgencyId,
        contract: ContractId,
        clause: Spanned<String>,
        source: Option<InstrumentId>,
    },
    /// `expect agency A owes RULE on C`: a duty a rule adds.
    OwesUnderRule {
        agency: AgencyId,
        rule: Spanned<String>,
        contract: ContractId,
    },
    Ordered {
        contract: ContractId,
        amount: Volume,
    },
}

/// The basis a test expects a binding to have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectedBasis {
    Lead,
    JointParticipant,
    Piggyback,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyId(pub usize);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SolicitationId(pub usize);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContractId(pub usize);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstrumentId(pub usize);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderId(pub usize);

/// What every declaration has: its name, an optional title, and where it was written.
#[derive(Clone, Debug)]
pub struct Header {
    /// Its name, kept inline when short (most are: `po_0712233`), as the syntax tree keeps it:
    /// a million orders' names are then not a million allocations.
    pub name: Spanned<CompactString>,
    pub span: Span,
    /// Its title and facts, boxed, and `None` when it has neither: few orders have either, and
    /// a million orders are kept for the whole run (a header of 64 bytes rather than 104).
    described: Option<Box<Description>>,
}

/// What a declaration may say of itself beyond its name.
#[derive(Clone, Debug)]
struct Description {
    title: Option<String>,
    facts: Vec<Fact>,
}

/// `fact board_approval 2025-03-04 "Resolution 25-14"`
#[derive(Clone, Debug)]
pub struct Fact {
    pub name: Spanned<String>,
    pub date: Option<Date>,
    /// The amount it records: money, a number, a quantity or a percentage.
    pub value: Option<rules::Value>,
    pub text: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Agency {
    pub header: Header,
    /// Every kind it is of, built in or declared, as written (at least one). Interned: rules
    /// compare them for every order.
    pub kinds: Vec<Ustr>,
    /// The roles it holds, as written.
    pub roles: Vec<Ustr>,
    /// An ISO 3166 style code: a country (`DK`) or a subdivision (`US-WA`). Interned: rules
    /// compare it for every order.
    pub jurisdiction: Ustr,
    pub location: Option<Location>,
    pub memberships: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Clone, Debug)]
pub struct Solicitation {
    pub header: Header,
    pub lead: AgencyId,
    pub method: Method,
    pub category: Option<Category>,
    pub issued: Option<Date>,
    pub posted: Option<Posting>,
    /// Whether the solicitation told bidders that other public bodies may use the contract.
    pub cooperative_use: Stated,
    pub assignability: Stated,
    pub items: Vec<Item>,
    pub estimate: Option<Spanned<Volume>>,
    pub maximum: Option<Spanned<Volume>>,
    /// Empty for a single-agency solicitation.
    pub participants: Vec<Participant>,
    /// The lots it is divided into, in the order written; empty when it is not divided.
    pub lots: Vec<Lot>,
    /// The authorities it identifies as those who may call off its contracts.
    pub buyers: IdentifiedBuyers,
    /// The contracts that award it, by id: one per supplier, or per supplier and lot.
    pub contracts: Vec<ContractId>,
}

/// `lot stationery "Stationery" { estimate ... maximum ... }`: a part of a solicitation awarded
/// on its own, with its own estimate and maximum.
#[derive(Clone, Debug)]
pub struct Lot {
    pub name: Spanned<String>,
    pub title: Option<String>,
    pub estimate: Option<Spanned<Volume>>,
    pub maximum: Option<Spanned<Volume>>,
}

/// A lot of a solicitation, by its position in `Solicitation::lots`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LotId(pub usize);

/// The authorities a solicitation identifies (its `buyers`): by name, and by a condition over
/// the agency, as `open_to` is written.
#[derive(Clone, Debug, Default)]
pub struct IdentifiedBuyers {
    pub agencies: Vec<AgencyId>,
    pub condition: Option<rules::Expression>,
}

impl IdentifiedBuyers {
    /// Whether the solicitation identifies anyone.
    pub fn any(&self) -> bool {
        !self.agencies.is_empty() || self.condition.is_some()
    }
}

/// A yes/no fact that a solicitation states, remembering where (if anywhere) it was written.
#[derive(Clone, Copy, Debug)]
pub struct Stated {
    pub stated: bool,
    pub span: Option<Span>,
}

#[derive(Clone, Copy, Debug)]
pub struct Posting {
    pub date: Date,
    pub online: bool,
}

#[derive(Clone, Debug)]
pub struct Item {
    pub name: Spanned<String>,
    pub title: Option<String>,
    pub unit: Ustr,
    /// What the item is, when it differs from its solicitation's category.
    pub category: Option<Category>,
    /// The lot it belongs to; none when the solicitation has no lots, or for an item common to
    /// every lot.
    pub lot: Option<LotId>,
}

/// An item of a solicitation, by its position in `Solicitation::items`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId(pub usize);

#[derive(Clone, Debug)]
pub struct Participant {
    pub agency: AgencyId,
    pub commitment: Option<Spanned<Volume>>,
    pub span: Span,
}

/// An amount of business: money, or a count of one item or of every item sold in one unit.
#[derive(Clone, Debug, PartialEq)]
pub enum Volume {
    Money(Money),
    Quantity { count: Decimal, measure: Measure },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    Item(ItemId),
    Unit(Ustr),
}

#[derive(Clone, Debug)]
pub struct Contract {
    pub header: Header,
    pub solicitation: SolicitationId,
    /// The lot of the solicitation it awards, when the solicitation has lots.
    pub lot: Option<LotId>,
    pub suppliers: Vec<String>,
    /// The award date; the term's start when the contract does not say.
    pub awarded: Date,
    /// Whether the contract states its award date (else `awarded` is the term's start).
    pub award_date_stated: bool,
    pub term: Term,
    pub options: Vec<RenewalOption>,
    /// The currency of every price, fee and ceiling of the contract, when it prices anything.
    pub currency: Option<crate::values::Currency>,
    pub prices: Vec<PriceEntry>,
    pub clauses: Vec<Clause>,
    /// `None` when the contract is closed to piggyback use.
    pub piggyback: Option<PiggybackClause>,
    /// The usage reports the supplier filed, by the end of the period each covers.
    pub usage_reports: Vec<UsageReport>,
    /// The quantity the award buys, when it states one.
    pub base_quantity: Option<Spanned<Volume>>,
    /// The options to buy more, in the order written: each counted once exercised, for the
    /// agency it is assigned to when it is.
    pub quantity_options: Vec<QuantityOption>,
    /// Catalogue pricing: a discount off the supplier's list of each date, latest date last.
    pub discounts: Vec<Discount>,
}

/// `quantity_option 30 bus exercised 2025-03-01 assigned_to tri_met`
#[derive(Clone, Debug)]
pub struct QuantityOption {
    /// In the base quantity's measure.
    pub volume: Spanned<Volume>,
    pub exercised: Option<Spanned<Date>>,
    /// The agency it is assigned to, which alone may order its quantity.
    pub assignee: Option<AgencyId>,
    pub span: Span,
}

/// `discount 18% off list 2025-01-01 "Staples contract catalogue"`
#[derive(Clone, Debug)]
pub struct Discount {
    /// A percentage, e.g. `18` for 18%.
    pub rate: Decimal,
    /// The date of the list it applies to, from which it applies.
    pub list: Date,
    pub name: Option<String>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug)]
pub struct UsageReport {
    pub period_end: Date,
    pub filed: Date,
    pub span: Span,
}

#[derive(Clone, Copy, Debug)]
pub struct Term {
    pub start: Date,
    pub end: Date,
    pub span: Span,
}

#[derive(Clone, Copy, Debug)]
pub struct RenewalOption {
    pub length: Duration,
    pub exercised: Option<Spanned<Date>>,
    pub span: Span,
}

/// A unit price for an item, applying to order lines of at least `from` units.
#[derive(Clone, Debug)]
pub struct PriceEntry {
    pub item: ItemId,
    pub from: Decimal,
    pub unit_price: Money,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Clause {
    pub name: Spanned<String>,
    pub text: Option<String>,
}

#[derive(Clone, Debug)]
pub struct PiggybackClause {
    /// Who may piggyback, a condition over the agency (variable 0); everyone when absent.
    pub eligibility: Option<rules::Expression>,
    pub required_instrument: Option<Spanned<InstrumentKind>>,
    /// A percentage of order value, e.g. `0.25` for 0.25%.
    pub admin_fee: Option<Decimal>,
    pub ceiling: Option<Spanned<Volume>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct AccessInstrument {
    pub header: Header,
    pub kind: InstrumentKind,
    /// The agency the instrument lets use contracts, when it names one.
    pub agency: Option<AgencyId>,
    /// Who else it admits: a condition over the agency (variable 0), as `open_to` is written
    /// (every agency of a jurisdiction, a program's members).
    pub eligibility: Option<rules::Expression>,
    pub counterparty: Counterparty,
    /// The instrument it is made under: a link of a chain, in force only while that one is.
    pub under: Option<InstrumentId>,
    /// The contracts it covers; when empty, those the one it is under covers, else those its
    /// counterparty led (or, a supplier, supplies).
    pub covers: Vec<ContractId>,
    pub signed: Option<Spanned<Date>>,
    pub posted: Option<Spanned<Date>>,
    pub approved: Option<Spanned<Date>>,
    pub effective: Option<Spanned<Date>>,
    pub expires: Option<Spanned<Date>>,
    pub fees: Vec<Fee>,
    /// The most orders through it may buy.
    pub cap: Option<Cap>,
    pub clauses: Vec<Clause>,
}

/// Whom an access instrument is signed with.
#[derive(Clone, Debug, PartialEq)]
pub enum Counterparty {
    /// An agency: a state, a contract's lead, a cooperative program.
    Agency(AgencyId),
    /// A supplier, by the name its contracts give it.
    Supplier(String),
}

/// `cap USD 250,000.00 per buyer per year`: the most orders placed through an instrument may be
/// worth, for each buyer and in each calendar period when it says.
#[derive(Clone, Copy, Debug)]
pub struct Cap {
    pub amount: Money,
    pub per_buyer: bool,
    pub every: Option<rules::Period>,
}

#[derive(Clone, Debug)]
pub struct Fee {
    pub rate: Decimal,
    pub payee: Option<AgencyId>,
}

#[derive(Clone, Debug)]
pub struct Order {
    pub header: Header,
    pub buyer: Spanned<AgencyId>,
    pub contract: Spanned<ContractId>,
    pub date: Spanned<Date>,
    /// The access instruments it names, in the order written. Lists of an order are boxed
    /// slices, as long as they are and a third smaller than a `Vec`: a million orders are kept
    /// for the whole run.
    pub via: Box<[Spanned<InstrumentId>]>,
    /// Every instrument it uses: those it names, then those each is under, each once.
    pub instruments: Box<[InstrumentId]>,
    pub lines: Box<[OrderLine]>,
    /// What few orders say, boxed so that the many that say none of it stay small (a million
    /// orders are kept for the whole run).
    pub details: Option<Box<OrderDetails>>,
}

/// What an order may say beyond its buyer, contract, date, instruments and lines.
#[derive(Clone, Debug)]
pub struct OrderDetails {
    pub requests: Vec<Spanned<String>>,
    /// How it chose its contract under a framework, when it says.
    pub call_off: Option<CallOff>,
    /// What a call-off without lines is worth (`value EUR 12,500.00`).
    pub value: Option<Spanned<Money>>,
    /// A blanket order's period.
    pub period: Option<OrderPeriod>,
}

impl OrderDetails {
    /// The details of an order, or `None` when it says none of them.
    pub fn of(
        requests: Vec<Spanned<String>>,
        call_off: Option<CallOff>,
        value: Option<Spanned<Money>>,
        period: Option<OrderPeriod>,
    ) -> Option<Box<OrderDetails>> {
        let says_nothing =
            requests.is_empty() && call_off.is_none() && value.is_none() && period.is_none();
        (!says_nothing).then(|| {
            Box::new(OrderDetails {
                requests,
                call_off,
                value,
                period,
            })
        })
    }
}

impl Order {
    /// The clauses it requests (`requests ...`), in the order written.
    pub fn requests(&self) -> &[Spanned<String>] {
        self.details
            .as_ref()
            .map_or(&[], |details| details.requests.as_slice())
    }

    /// How it chose its contract under a framework, when it says.
    pub fn call_off(&self) -> Option<&CallOff> {
        self.details.as_ref()?.call_off.as_ref()
    }

    /// What a call-off without lines is worth (`value EUR 12,500.00`), when it says.
    pub fn value(&self) -> Option<&Spanned<Money>> {
        self.details.as_ref()?.value.as_ref()
    }

    /// A blanket order's period, when it has one.
    pub fn period(&self) -> Option<OrderPeriod> {
        self.details.as_ref()?.period
    }
}

/// `period 2025-01-01 to 2025-12-31`: the period a blanket order's deliveries run over.
#[derive(Clone, Copy, Debug)]
pub struct OrderPeriod {
    pub start: Date,
    pub end: Date,
    pub span: Span,
}

/// `call_off direct`, `call_off mini_competition { invited ... issued ... awarded ... }`
#[derive(Clone, Debug)]
pub struct CallOff {
    pub kind: CallOffKind,
    /// For a mini-competition, its facts.
    pub competition: Option<Competition>,
    pub span: Span,
}

/// The facts of a mini-competition among a framework's contracts.
#[derive(Clone, Debug, Default)]
pub struct Competition {
    /// The contracts invited to compete; `None` when the order does not say.
    pub invited: Option<Vec<ContractId>>,
    pub issued: Option<Date>,
    pub awarded: Option<Date>,
}

#[derive(Clone, Debug)]
pub struct OrderLine {
    pub item: LineItem,
    pub quantity: Decimal,
    pub unit_price: Money,
    /// The list price the unit price comes from, under catalogue pricing; boxed, as few lines
    /// state one and a million orders' lines are kept for the whole run.
    pub list_price: Option<Box<Money>>,
    pub span: Span,
}

/// An ordered item: one of the contract's, or one declared only by another solicitation (boxed:
/// that is an error, and a line of the contract's stays small).
#[derive(Clone, Debug)]
pub enum LineItem {
    InScope(ItemId),
    OutOfScope(Box<Spanned<String>>),
}

pub use crate::schema::{
    AgencyKind, AgencyRole, CallOffKind, Category, DutyKind, InstrumentKind, Method,
};

impl Model {
    pub fn agency(&self, id: AgencyId) -> &Agency {
        &self.agencies[id.0]
    }

    pub fn solicitation(&self, id: SolicitationId) -> &Solicitation {
        &self.solicitations[id.0]
    }

    pub fn contract(&self, id: ContractId) -> &Contract {
        &self.contracts[id.0]
    }

    pub fn instrument(&self, id: InstrumentId) -> &AccessInstrument {
        &self.instruments[id.0]
    }

    /// The solicitation a contract awards.
    pub fn solicitation_of(&self, contract: ContractId) -> &Solicitation {
        self.solicitation(self.contract(contract).solicitation)
    }

    /// The agency that led the solicitation a contract awards.
    pub fn lead_of(&self, contract: ContractId) -> AgencyId {
        self.solicitation_of(contract).lead
    }

    /// Every declaration's header: agencies, solicitations, contracts, access instruments and
    /// orders, kind by kind.
    pub fn headers(&self) -> impl Iterator<Item = &Header> {
        self.agencies
            .iter()
            .map(|agency| &agency.header)
            .chain(
                self.solicitations
                    .iter()
                    .map(|solicitation| &solicitation.header),
            )
            .chain(self.contracts.iter().map(|contract| &contract.header))
            .chain(self.instruments.iter().map(|instrument| &instrument.header))
            .chain(self.orders.iter().map(|order| &order.header))
    }
}

impl Agency {
    /// Its kinds in words: `city`, `nonprofit and grantee`.
    pub fn kinds_text(&self) -> String {
        let kinds: Vec<&str> = self.kinds.iter().map(Ustr::as_str).collect();
        kinds.join(" and ")
    }
}

impl Header {
    /// A declaration's header: its name, where it was written, its title and its facts.
    pub fn new(
        name: Spanned<CompactString>,
        span: Span,
        title: Option<String>,
        facts: Vec<Fact>,
    ) -> Header {
        let described =
            (title.is_some() || !facts.is_empty()).then(|| Box::new(Description { title, facts }));
        Header {
            name,
            span,
            described,
        }
    }

    /// Its title (`title "City of Everett"`), when it has one.
    pub fn title(&self) -> Option<&str> {
        self.described.as_ref()?.title.as_deref()
    }

    /// What it records for rules to read, by name, in the order written.
    pub fn facts(&self) -> &[Fact] {
        self.described
            .as_ref()
            .map_or(&[], |described| described.facts.as_slice())
    }

    /// Its name, as a string of its own (reports own what they say).
    pub fn owned_name(&self) -> String {
        self.name.value.as_str().to_owned()
    }

    /// How people call it: the title when there is one ("City of Everett"), else the name.
    pub fn display_name(&self) -> String {
        self.title().unwrap_or(&self.name.value).to_owned()
    }
}

impl Solicitation {
    pub fn item(&self, id: ItemId) -> &Item {
        &self.items[id.0]
    }

    /// The parties to the procedure: the lead, then the other joint participants.
    pub fn parties(&self) -> Vec<AgencyId> {
        std::iter::once(self.lead)
            .chain(
                self.participants
                    .iter()
                    .map(|participant| participant.agency)
                    .filter(|agency| *agency != self.lead),
            )
            .collect()
    }

    pub fn is_joint(&self) -> bool {
        !self.participants.is_empty()
    }

    /// The participant entry of an agency, if it is one.
    pub fn participant(&self, agency: AgencyId) -> Option<&Participant> {
        self.participants
            .iter()
            .find(|participant| participant.agency == agency)
    }

    /// Whether an agency is a party: the lead or a joint participant.
    pub fn is_party(&self, agency: AgencyId) -> bool {
        self.lead == agency || self.participant(agency).is_some()
    }

    pub fn lot(&self, id: LotId) -> &Lot {
        &self.lots[id.0]
    }

    /// What a solicitation's use is counted in: its maximum's measure, else its estimate's, else
    /// its lots' (their maxima's, then their estimates'); `None` when it states none (money).
    pub fn measure(&self) -> Option<&Volume> {
        self.maximum
            .as_ref()
            .or(self.estimate.as_ref())
            .or_else(|| self.lots.iter().find_map(|lot| lot.maximum.as_ref()))
            .or_else(|| self.lots.iter().find_map(|lot| lot.estimate.as_ref()))
            .map(|volume| &volume.value)
    }

    /// Whether an item is in the scope of a contract awarding a lot (or, with none, the whole
    /// solicitation): the lot's own items, and those of no lot.
    pub fn in_scope(&self, item: ItemId, lot: Option<LotId>) -> bool {
        match (lot, self.item(item).lot) {
            (Some(lot), Some(own)) => lot == own,
            _ => true,
        }
    }
}

impl Contract {
    /// The end of the term counting the options exercised on or before `as_of`, in order; an
    /// option not exercised ends the chain, since later options extend from it.
    pub fn end_as_of(&self, as_of: Date) -> Date {
        let mut end = self.term.end;
        for option in &self.options {
            match option.exercised {
                Some(exercised) if exercised.value <= as_of => match option.length.after(end) {
                    Some(extended) => end = extended,
                    None => break,
                },
                _ => break,
            }
        }
        end
    }

    /// The unit price that applies to a line of `quantity` units of `item`: the best tier reached.
    pub fn unit_price(&self, item: ItemId, quantity: Decimal) -> Option<&PriceEntry> {
        self.prices
            .iter()
            .filter(|price| price.item == item && price.from <= quantity)
            .max_by_key(|price| price.from)
    }

    pub fn has_clause(&self, name: &str) -> bool {
        self.clauses.iter().any(|clause| clause.name.value == name)
    }

    /// The discount off the list in force on a date: the latest list dated on or before it.
    pub fn discount_on(&self, date: Date) -> Option<&Discount> {
        self.discounts
            .iter()
            .filter(|discount| discount.list <= date)
            .max_by_key(|discount| discount.list)
    }

    /// The contract's price for one unit of a line ordered on a date, with where it is stated:
    /// its price for the item at the line's quantity, else, under catalogue pricing, the line's
    /// list price less the discount off the list in force.
    pub fn price_for(&self, line: &OrderLine, date: Date) -> Option<(Money, Span)> {
        let LineItem::InScope(item) = line.item else {
            return None;
        };
        if let Some(price) = self.unit_price(item, line.quantity) {
            return Some((price.unit_price, price.span));
        }
        let discount = self.discount_on(date)?;
        let list = *line.list_price.as_deref()?;
        let kept = (Decimal::ONE_HUNDRED - discount.rate) / Decimal::ONE_HUNDRED;
        Some((
            Money::new(list.currency, list.amount.saturating_mul(kept)),
            discount.span,
        ))
    }
}

/// Whether `code` is `area` or one of its subdivisions: `US-WA` lies within `US`.
pub fn jurisdiction_within(code: &str, area: &str) -> bool {
    jurisdiction_bytes_within(code.as_bytes(), area.as_bytes())
}

/// [`jurisdiction_within`], on the codes' bytes: the same comparison, since `-` is one byte in UTF-8.
pub fn jurisdiction_bytes_within(code: &[u8], area: &[u8]) -> bool {
    code == area || (code.len() > area.len() && code.starts_with(area) && code[area.len()] == b'-')
}

impl OrderLine {
    /// The ordered item's name.
    pub fn item_name<'m>(&'m self, solicitation: &'m Solicitation) -> &'m str {
        match &self.item {
            LineItem::InScope(item) => &solicitation.item(*item).name.value,
            LineItem::OutOfScope(name) => &name.value,
        }
    }

    /// What the line's quantity counts: the item's unit, or for an item the contract does not
    /// cover, the item itself.
    pub fn unit(&self, solicitation: &Solicitation) -> Ustr {
        match &self.item {
            LineItem::InScope(item) => solicitation.item(*item).unit,
            LineItem::OutOfScope(name) => Ustr::from(&name.value),
        }
    }
}

impl AccessInstrument {
    /// Whether the instrument covers a contract: its `covers` list names it; when it has none,
    /// the instrument it is under covers it; when it is under none, its counterparty led the
    /// contract's solicitation, or is one of the contract's suppliers.
    pub fn covers_contract(&self, model: &Model, contract: ContractId) -> bool {
        // Up the chain (checking refused cycles), without recursing: a chain may be long.
        let mut instrument = self;
        while instrument.covers.is_empty()
            && let Some(under) = instrument.under
        {
            instrument = model.instrument(under);
        }
        if !instrument.covers.is_empty() {
            return instrument.covers.contains(&contract);
        }
        match &instrument.counterparty {
            Counterparty::Agency(agency) => *agency == model.lead_of(contract),
            Counterparty::Supplier(supplier) => model
                .contract(contract)
                .suppliers
                .iter()
                .any(|named| named == supplier),
        }
    }

    /// Whether it is in force on a date, and so is every instrument it is under.
    pub fn chain_in_force_on(&self, model: &Model, date: Date) -> bool {
        self.chain(model)
            .all(|instrument| instrument.in_force_on(date))
    }

    /// The instrument and every instrument it is under, nearest first.
    pub fn chain<'m>(&'m self, model: &'m Model) -> impl Iterator<Item = &'m AccessInstrument> {
        std::iter::successors(Some(self), |instrument| {
            instrument.under.map(|under| model.instrument(under))
        })
    }

    /// The first day the instrument is in force: its effective date, else its signing date.
    /// An unsigned instrument is never in force.
    pub fn in_force_from(&self) -> Option<Date> {
        let signed = self.signed?.value;
        Some(
            self.effective
                .map_or(signed, |effective| effective.value.max(signed)),
        )
    }

    pub fn in_force_on(&self, date: Date) -> bool {
        let started = self.in_force_from().is_some_and(|from| from <= date);
        let ended = self.expires.is_some_and(|expires| expires.value < date);
        started && !ended
    }
}
