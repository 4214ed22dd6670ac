//! The checked model: every name resolved, every unit and currency consistent, every date
//! possible. Evaluation takes this type and nothing else, so it never sees an unchecked model.

pub mod interpret;
pub mod rules;
pub mod subjects;

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
    pub name: Spanned<String>,
    pub title: Option<String>,
    pub span: Span,
    /// What the declaration records for rules to read, by name.
    pub facts: Vec<Fact>,
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
    pub kind: AgencyKind,
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
    /// The agency the instrument lets use contracts.
    pub agency: AgencyId,
    pub counterparty: AgencyId,
    /// The contracts it covers; when empty, every contract led by the counterparty.
    pub covers: Vec<ContractId>,
    pub signed: Option<Spanned<Date>>,
    pub posted: Option<Spanned<Date>>,
    pub approved: Option<Spanned<Date>>,
    pub effective: Option<Spanned<Date>>,
    pub expires: Option<Spanned<Date>>,
    pub fees: Vec<Fee>,
    pub clauses: Vec<Clause>,
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
    pub via: Option<Spanned<InstrumentId>>,
    pub lines: Vec<OrderLine>,
    pub requests: Vec<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct OrderLine {
    pub item: LineItem,
    pub quantity: Decimal,
    pub unit_price: Money,
    pub span: Span,
}

/// An ordered item: one of the contract's, or one declared only by another solicitation.
#[derive(Clone, Debug)]
pub enum LineItem {
    InScope(ItemId),
    OutOfScope(Spanned<String>),
}

pub use crate::schema::{AgencyKind, Category, DutyKind, InstrumentKind, Method};

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

impl Header {
    /// How people call it: the title when there is one ("City of Everett"), else the name.
    pub fn display_name(&self) -> String {
        self.title
            .clone()
            .unwrap_or_else(|| self.name.value.clone())
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
}

/// Whether `code` is `area` or one of its subdivisions: `US-WA` lies within `US`.
pub fn jurisdiction_within(code: &str, area: &str) -> bool {
    code == area
        || code
            .strip_prefix(area)
            .is_some_and(|rest| rest.starts_with('-'))
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
    /// Whether the instrument covers a contract: its `covers` list names it, or, when it has
    /// none, its counterparty led the contract's solicitation.
    pub fn covers_contract(&self, model: &Model, contract: ContractId) -> bool {
        if self.covers.is_empty() {
            self.counterparty == model.lead_of(contract)
        } else {
            self.covers.contains(&contract)
        }
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
