//! The typed syntax tree: what was written, with spans, before any name is resolved.
//!
//! No pest type appears here. Fields are kept as written, in order, so that the checker can
//! report a field given twice or missing, and so that nothing the user wrote is lost.

use rust_decimal::Decimal;

use crate::source::{FileId, Span, Spanned};
use crate::values::{Date, Duration, Money};

/// A name as written: an identifier or a code such as `US-WA`. Kept inline up to 24 bytes (most
/// names are shorter), so that a million orders' names take no allocation of their own.
pub type Name = Spanned<compact_str::CompactString>;

/// One parsed `.coop` file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub file: FileId,
    /// The other files this one names with `use`, in the order written.
    pub uses: Vec<Use>,
    /// The rule packs this file follows: `use rules us-wa`.
    pub rule_packs: Vec<RulePackUse>,
    /// `pack "title"`: present when this file is a rule pack.
    pub pack: Option<Spanned<String>>,
    /// `pack "title" in_force ...`: when the whole pack is in force, if it says.
    pub pack_in_force: Option<Spanned<InForce>>,
    pub parameters: Vec<Parameter>,
    pub rules: Vec<Rule>,
    /// The CSV ledgers of orders this file names with `ledger`, in the order written.
    pub ledgers: Vec<Ledger>,
    pub declarations: Vec<Declaration>,
    /// The orders of an order book read by name only ([`crate::syntax::OrderTrees::WhenChecked`]),
    /// in the order written: their trees are read again as they are checked.
    pub unread_orders: Vec<UnreadOrder>,
    /// For a ledger whose orders were read by name only, how its rows are read: kept to read
    /// them again.
    pub ledger_options: Option<crate::syntax::ledger::Options>,
    /// What the file adds to the open sets: `kind town "..."`, `role ... "..."`.
    pub definitions: Vec<Definition>,
    /// The jurisdiction groups it declares.
    pub groups: Vec<Group>,
    /// The tests `coop test` runs, in the order written.
    pub tests: Vec<Test>,
    /// The findings the model's authors accept, in the order written.
    pub waivers: Vec<Waiver>,
    /// The names that declarations which did not parse were to declare (`agency everett {` with
    /// a syntax error inside): the rest of the file is read, and a reference to one of these is
    /// no undefined name.
    pub unparsed: Vec<Name>,
}

/// `kind town "A town under the state's municipal code"`: a value a model adds to an open set,
/// with what it means.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub set: Spanned<crate::schema::Enumeration>,
    pub name: Name,
    pub meaning: Spanned<String>,
    pub span: Span,
}

/// `group EU "Member states" { AT from 1995-01-01 ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub name: Name,
    pub title: Option<Spanned<String>>,
    pub members: Vec<GroupMember>,
    pub span: Span,
}

/// `GB from 1973-01-01 until 2020-01-31`: a jurisdiction, or another group, and when it belongs.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupMember {
    pub name: Name,
    /// The first day it belongs; always, when absent.
    pub from: Option<Spanned<Date>>,
    /// The last day it belongs; still, when absent.
    pub until: Option<Spanned<Date>>,
    pub span: Span,
}

impl File {
    /// A file that declares nothing.
    pub fn empty(file: FileId) -> File {
        File {
            file,
            uses: Vec::new(),
            ledgers: Vec::new(),
            rule_packs: Vec::new(),
            pack: None,
            pack_in_force: None,
            parameters: Vec::new(),
            rules: Vec::new(),
            declarations: Vec::new(),
            unread_orders: Vec::new(),
            ledger_options: None,
            definitions: Vec::new(),
            groups: Vec::new(),
            tests: Vec::new(),
            waivers: Vec::new(),
            unparsed: Vec::new(),
        }
    }
}

/// An order of an order book, by its name and place only: what checking needs of every order
/// before it checks any (the one namespace), while its tree, ten times larger, is read again
/// from the file's text when its share of the orders is checked.
#[derive(Clone, Debug, PartialEq)]
pub struct UnreadOrder {
    pub name: Name,
    /// The whole declaration, keyword to closing brace.
    pub span: Span,
}

/// `waive RULE on NAME { because "why" by "who" until 2026-06-30 }`: the findings of a rule or
/// a code about one declaration, known and accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiver {
    /// The rule's id (`wa_posted_online`, or `us-wa/wa_posted_online`) or the code, as written.
    pub finding: Name,
    /// The declaration whose findings are waived.
    pub on: Name,
    pub fields: Vec<Spanned<WaiverField>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum WaiverField {
    /// `because "reason"`
    Because(Spanned<String>),
    /// `by "who accepted it"`
    By(Spanned<String>),
    /// `until 2026-06-30`: the last day the waiver holds.
    Until(Spanned<Date>),
}

/// `test "name" as of 2026-01-01 { expect ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    pub name: Spanned<String>,
    pub as_of: Option<Spanned<Date>>,
    pub expectations: Vec<Spanned<Expectation>>,
    pub span: Span,
}

/// One thing a test expects of the model's meaning.
#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    /// `expect order X permitted [under BASIS]`
    OrderPermitted { order: Name, under: Option<Name> },
    /// `expect order X denied [with code, code] [by rule, rule]`
    OrderDenied {
        order: Name,
        codes: Vec<Name>,
        rules: Vec<Name>,
    },
    /// `expect agency A bound to C [as lead | as joint_participant | by piggyback]`
    Bound {
        agency: Name,
        contract: Name,
        basis: Option<Name>,
    },
    /// `expect agency A not bound to C`
    NotBound { agency: Name, contract: Name },
    /// `expect agency A owes admin_fee on C`
    Owes {
        agency: Name,
        duty: Name,
        contract: Name,
    },
    /// `expect agency A responsible alone|jointly on C [under RULE]`, `... not responsible on C`
    Responsible {
        agency: Name,
        extent: Spanned<Extent>,
        contract: Name,
        under: Option<Name>,
    },
    /// `expect agency A bound by clause NAME of SOURCE on C`; `source` is `None` for the contract.
    BoundByClause {
        agency: Name,
        clause: Name,
        source: Option<Name>,
        contract: Name,
    },
    /// `expect contract C ordered 3 truck`
    Ordered { contract: Name, amount: Amount },
    /// `expect [no] finding RULE on NAME`
    Finding { rule: Name, on: Name, present: bool },
}

/// `use "agencies.coop"`
#[derive(Clone, Debug, PartialEq)]
pub struct Use {
    /// The path as written, relative to the file that names it.
    pub path: Spanned<String>,
    /// The whole declaration.
    pub span: Span,
}

/// `fact board_approval 2025-03-04 "Resolution 25-14"`, `fact yearly_cap USD 250,000.00`
#[derive(Clone, Debug, PartialEq)]
pub struct Fact {
    pub name: Name,
    pub date: Option<Spanned<Date>>,
    /// An amount, a quantity, a number or a percentage, written as a literal.
    pub value: Option<Expression>,
    pub text: Option<Spanned<String>>,
    pub span: Span,
}

/// `use rules us-va with distance_limit = 50 mi`
#[derive(Clone, Debug, PartialEq)]
pub struct RulePackUse {
    pub source: RulePackSource,
    /// `use rules NAME as warnings`: the pack's denials are reported as warnings.
    pub as_warnings: bool,
    pub settings: Vec<ParameterSetting>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RulePackSource {
    /// A pack shipped inside coop, by its name: `us-wa`.
    Shipped(Name),
    /// A pack in a local file, by a path relative to the using file.
    Local(Spanned<String>),
}

/// `distance_limit = 50 mi` in a `use rules ... with`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterSetting {
    pub name: Name,
    pub value: Expression,
}

/// `parameter distance_limit = 75 mi`
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub name: Name,
    pub value: Expression,
    pub span: Span,
}

/// `rule id "title" { cite ... for ... require ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub name: Name,
    pub title: Option<Spanned<String>>,
    pub fields: Vec<Spanned<RuleField>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RuleField {
    Cite(Spanned<String>),
    /// `quote "..." from "..." read DATE`: the text the rule encodes.
    Quote(Quotation),
    /// `not quoted because "..."`: why the rule quotes no text.
    Unquoted(Spanned<String>),
    /// `in_force 2015-07-24 to ...`
    InForce(Spanned<InForce>),
    /// `for order o where ...`
    Scope {
        kind: Spanned<crate::schema::Entity>,
        variable: Name,
        filter: Option<Expression>,
    },
    /// `require CONDITION else deny|warn "message" [help "how to fix"]`
    Require {
        condition: Expression,
        outcome: Spanned<Outcome>,
        message: Message,
        help: Option<Message>,
    },
    /// `permit [when CONDITION [else "why not"]]`: the rule is a legal basis.
    Permit {
        condition: Option<Expression>,
        otherwise: Option<Message>,
    },
    /// `replaces RULE, ...`
    Replaces(Vec<Name>),
    /// `waives RULE, ... because "reason"`
    Waives {
        rules: Vec<Name>,
        reason: Spanned<String>,
    },
    /// `oblige PARTY pay ... | report usage ... | notify ...`
    Oblige {
        party: Expression,
        duty: Duty,
    },
    /// `responsible alone|jointly for "what"`, `not responsible for "what"`
    Responsible {
        extent: Spanned<Extent>,
        what: Message,
    },
    /// `precedence via over contract` (or `contract over via`): the source that prevails.
    Precedence(Spanned<TermSource>),
}

/// The words of a statute, a regulation or a program's terms that a rule encodes, where they
/// were read and when.
#[derive(Clone, Debug, PartialEq)]
pub struct Quotation {
    /// The words, as one text: the strings written, joined by spaces.
    pub text: Spanned<String>,
    /// Where they were read: an address or a publication.
    pub from: Spanned<String>,
    /// When they were read.
    pub read: Spanned<Date>,
}

/// When a rule or a pack is in force: from a first day to a last day, either end open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InForce {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl InForce {
    /// In force on every day.
    pub const ALWAYS: InForce = InForce {
        from: None,
        to: None,
    };

    /// Whether it is in force on `date`.
    pub fn holds_on(self, date: Date) -> bool {
        self.from.is_none_or(|from| from <= date) && self.to.is_none_or(|to| date <= to)
    }

    /// The days both are in force; `None` when they share none.
    pub fn within(self, other: InForce) -> Option<InForce> {
        let from = self.from.max(other.from);
        let to = match (self.to, other.to) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match (from, to) {
            (Some(from), Some(to)) if from > to => None,
            _ => Some(InForce { from, to }),
        }
    }

    /// In words: `from 2015-07-24`, `until 2025-02-23`, `from 2015-02-26 to 2025-02-23`.
    pub fn describe(self) -> String {
        match (self.from, self.to) {
            (Some(from), Some(to)) => format!("from {from} to {to}"),
            (Some(from), None) => format!("from {from}"),
            (None, Some(to)) => format!("until {to}"),
            (None, None) => "always".to_string(),
        }
    }

    /// Whether it states no end on either side.
    pub fn is_always(self) -> bool {
        self == InForce::ALWAYS
    }
}

impl std::fmt::Display for InForce {
    /// As written: `2015-07-24 to ...`.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let end =
            |date: Option<Date>| date.map_or_else(|| "...".to_string(), |date| date.to_string());
        write!(formatter, "{} to {}", end(self.from), end(self.to))
    }
}

/// How far an agency answers for something: alone, jointly with the other parties to the
/// procedure, or not at all.
/// Ordered as a report lists them: what the agency answers for with others, then alone, then
/// what it does not answer for.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Extent {
    Jointly,
    Alone,
    NotResponsible,
}

impl Extent {
    /// As a rule or a test writes it: `responsible alone`, `responsible jointly`, `not responsible`.
    pub fn as_written(self) -> &'static str {
        match self {
            Extent::Jointly => "responsible jointly",
            Extent::Alone => "responsible alone",
            Extent::NotResponsible => "not responsible",
        }
    }
}

/// Where a binding's terms come from: the contract, or the access instruments it is used through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermSource {
    Contract,
    Via,
}

impl TermSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TermSource::Contract => "contract",
            TermSource::Via => "via",
        }
    }

    /// The other source, which this one prevails over.
    pub fn other(self) -> TermSource {
        match self {
            TermSource::Contract => TermSource::Via,
            TermSource::Via => TermSource::Contract,
        }
    }
}

/// What a failed `require` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Deny,
    Warn,
}

/// A message with values interpolated: `"used {c.ordered_value} of {c.maximum}"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub parts: Vec<MessagePart>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MessagePart {
    Text(String),
    Value(Expression),
}

/// A duty a rule adds to a binding.
#[derive(Clone, Debug, PartialEq)]
pub enum Duty {
    /// `pay 1% of o.value to oregon_das`
    Pay { amount: Expression, to: Expression },
    /// `report usage every quarter within 45 days to c.lead`
    Report {
        every: Spanned<Period>,
        within: Spanned<Duration>,
        to: Option<Expression>,
    },
    /// `notify c.lead within 10 days "of each order"`
    Notify {
        whom: Expression,
        within: Spanned<Duration>,
        about: Option<Spanned<String>>,
    },
}

/// A reporting period, aligned to the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Month,
    Quarter,
    Year,
}

impl Period {
    /// As written: `month`, `quarter`, `year`.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }
}

pub type Expression = Spanned<ExpressionKind>;

/// An expression as written; its types are found by the checker.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpressionKind {
    /// `o.contract.lead`: a name and the fields followed from it.
    Path(Vec<Name>),
    Money(Money),
    Date(Date),
    /// `0.25%`, as the number before the sign.
    Percentage(Decimal),
    Duration(Duration),
    /// A number with what it counts, or a plain number when `unit` is absent: `75 mi`, `20 truck`.
    Number {
        value: Decimal,
        unit: Option<Name>,
    },
    Boolean(bool),
    Text(String),
    Jurisdiction(String),
    Unary(Spanned<UnaryOperator>, Box<Expression>),
    Binary(Spanned<BinaryOperator>, Box<Expression>, Box<Expression>),
    /// `x in [a, b]`
    In(Box<Expression>, Vec<Expression>),
    /// `x exists`
    Exists(Box<Expression>),
    /// `distance(a, b)`
    Call {
        function: Name,
        arguments: Vec<Expression>,
    },
    /// `sum(p.value for order p where ...)`, or `count(order p where ...)` when `value` is
    /// absent; over the permitted orders, or over a collection: `any(line l of o where ...)`.
    Aggregate {
        function: Spanned<Aggregate>,
        value: Option<Box<Expression>>,
        variable: Name,
        /// `line l of o`: the kind of the collection and whose it is; `None` for orders.
        collection: Option<(Spanned<crate::schema::Entity>, Box<Expression>)>,
        filter: Option<Box<Expression>>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOperator {
    Not,
    Negate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOperator {
    And,
    Or,
    Equal,
    NotEqual,
    Less,
    AtMost,
    Greater,
    AtLeast,
    Add,
    Subtract,
    Multiply,
    Divide,
    /// `95% of c.maximum`
    Of,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    Sum,
    Count,
    /// Whether some member meets the condition.
    Any,
    /// Whether every member meets the condition (true of none).
    All,
}

impl Aggregate {
    /// The function as written.
    pub fn word(self) -> &'static str {
        match self {
            Aggregate::Sum => "sum",
            Aggregate::Count => "count",
            Aggregate::Any => "any",
            Aggregate::All => "all",
        }
    }
}

impl BinaryOperator {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOperator::And => "and",
            BinaryOperator::Or => "or",
            BinaryOperator::Equal => "==",
            BinaryOperator::NotEqual => "!=",
            BinaryOperator::Less => "<",
            BinaryOperator::AtMost => "<=",
            BinaryOperator::Greater => ">",
            BinaryOperator::AtLeast => ">=",
            BinaryOperator::Add => "+",
            BinaryOperator::Subtract => "-",
            BinaryOperator::Multiply => "*",
            BinaryOperator::Divide => "/",
            BinaryOperator::Of => "of",
        }
    }
}

/// `ledger "orders-2025.csv"`
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    /// The path as written, relative to the file that names it.
    pub path: Spanned<String>,
    /// How to read it, as written in its braces.
    pub settings: Vec<Spanned<LedgerSetting>>,
    /// The whole declaration.
    pub span: Span,
}

/// How to read a ledger exported from a spreadsheet.
#[derive(Clone, Debug, PartialEq)]
pub enum LedgerSetting {
    /// `delimiter ";"`: the character between fields; a comma by default.
    Delimiter(Spanned<String>),
    /// `date_format "%m/%d/%Y"`: how dates are written, in strftime's notation.
    DateFormat(Spanned<String>),
    /// `currency USD`: the currency of prices, for a ledger without a currency column.
    Currency(Name),
    /// `columns { order = "PO Number" ... }`: the header of each of Coop's columns.
    Columns(Vec<(Name, Spanned<String>)>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Declaration {
    Agency(Block<AgencyField>),
    Solicitation(Block<SolicitationField>),
    Contract(Block<ContractField>),
    Access(Block<AccessField>),
    Order(Block<OrderField>),
}

impl Declaration {
    /// The entity it declares.
    pub fn entity(&self) -> crate::schema::Entity {
        use crate::schema::Entity;
        match self {
            Declaration::Agency(_) => Entity::Agency,
            Declaration::Solicitation(_) => Entity::Solicitation,
            Declaration::Contract(_) => Entity::Contract,
            Declaration::Access(_) => Entity::Access,
            Declaration::Order(_) => Entity::Order,
        }
    }

    /// Its name.
    pub fn name(&self) -> &Name {
        match self {
            Declaration::Agency(block) => &block.name,
            Declaration::Solicitation(block) => &block.name,
            Declaration::Contract(block) => &block.name,
            Declaration::Access(block) => &block.name,
            Declaration::Order(block) => &block.name,
        }
    }

    /// The order it declares, if it is one.
    pub fn as_order(&self) -> Option<&Block<OrderField>> {
        match self {
            Declaration::Order(block) => Some(block),
            _ => None,
        }
    }

    /// The order it declares, if it is one, taken whole.
    pub fn into_order(self) -> Option<Block<OrderField>> {
        match self {
            Declaration::Order(block) => Some(block),
            _ => None,
        }
    }

    /// The facts it records.
    pub fn facts(&self) -> &[Fact] {
        match self {
            Declaration::Agency(block) => &block.facts,
            Declaration::Solicitation(block) => &block.facts,
            Declaration::Contract(block) => &block.facts,
            Declaration::Access(block) => &block.facts,
            Declaration::Order(block) => &block.facts,
        }
    }
}

/// A declaration: `keyword name "title" { fields }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block<Field> {
    pub name: Name,
    /// Boxed: most orders have none, and an order book has millions.
    pub title: Option<Box<Spanned<String>>>,
    pub fields: Vec<Spanned<Field>>,
    /// `fact` fields, which every kind of declaration may record.
    pub facts: Vec<Fact>,
    /// The whole declaration, keyword to closing brace.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AgencyField {
    /// `kind nonprofit, grantee`: every kind it is of.
    Kind(Vec<Name>),
    /// `role central_purchasing_body`
    Role(Vec<Name>),
    Jurisdiction(Name),
    Location {
        latitude: Spanned<f64>,
        longitude: Spanned<f64>,
    },
    MemberOf(Vec<Name>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SolicitationField {
    Lead(Name),
    Method(Name),
    Category(Name),
    Issued(Spanned<Date>),
    Posted { date: Spanned<Date>, online: bool },
    CooperativeUse(Spanned<bool>),
    Assignability(Spanned<bool>),
    Item(Item),
    Estimate(Amount),
    Maximum(Amount),
    Joint(Vec<Participant>),
    Lot(Lot),
    Buyers(Buyers),
}

/// `lot stationery "Stationery" { estimate ... maximum ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Lot {
    pub name: Name,
    pub title: Option<Spanned<String>>,
    pub fields: Vec<Spanned<LotField>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LotField {
    Estimate(Amount),
    Maximum(Amount),
}

/// Who a solicitation identifies as those who may call off its contracts.
#[derive(Clone, Debug, PartialEq)]
pub enum Buyers {
    /// `buyers leeds, york`
    Named(Vec<Name>),
    /// `buyers where kind in [local_authority]`: a condition over the agency, as `open_to` is.
    Where(Expression),
}

/// `item dump_truck "Class 8 dump truck" per truck`
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub name: Name,
    pub title: Option<Spanned<String>>,
    pub unit: Name,
    /// What the item is, when it differs from its solicitation's category.
    pub category: Option<Name>,
    /// The lot it belongs to.
    pub lot: Option<Name>,
}

/// `duluth commits 12 mower`
#[derive(Clone, Debug, PartialEq)]
pub struct Participant {
    pub agency: Name,
    pub commitment: Option<Amount>,
}

/// A volume: money, or a quantity counted in an item or a unit.
#[derive(Clone, Debug, PartialEq)]
pub enum Amount {
    Money(Spanned<Money>),
    Quantity(Quantity),
}

/// `12 mower`: a number and what it counts (an item's name or a unit).
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    pub count: Spanned<Decimal>,
    pub measure: Name,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ContractField {
    /// `awards fw_2024 lot stationery`
    Awards {
        solicitation: Name,
        lot: Option<Name>,
    },
    Supplier(Spanned<String>),
    Awarded(Spanned<Date>),
    Term {
        start: Spanned<Date>,
        end: Spanned<Date>,
    },
    Option {
        length: Spanned<Duration>,
        exercised: Option<Spanned<Date>>,
    },
    Price(Price),
    Clause(Clause),
    Piggyback(Piggyback),
    /// `usage_report 2025-03-31 filed 2025-04-20`
    UsageReport {
        period_end: Spanned<Date>,
        filed: Spanned<Date>,
    },
    /// `base_quantity 50 bus`
    BaseQuantity(Quantity),
    /// `quantity_option 30 bus exercised 2025-03-01 assigned_to tri_met`
    QuantityOption {
        quantity: Quantity,
        exercised: Option<Spanned<Date>>,
        assignee: Option<Name>,
    },
    /// `discount 18% off list 2025-01-01 "Staples contract catalogue"`
    Discount {
        rate: Spanned<Decimal>,
        list: Spanned<Date>,
        name: Option<Spanned<String>>,
    },
}

/// `price dump_truck from 10 truck USD 191,000.00 per truck`
#[derive(Clone, Debug, PartialEq)]
pub struct Price {
    pub item: Name,
    pub from: Option<Quantity>,
    pub unit_price: Spanned<Money>,
    pub unit: Name,
}

/// `clause warranty "Two-year bumper-to-bumper warranty."`
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub name: Name,
    pub text: Option<Spanned<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Piggyback {
    Closed,
    Open(Vec<Spanned<PiggybackTerm>>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum PiggybackTerm {
    /// Who may piggyback: a condition over the agency, its fields written bare.
    OpenTo(Expression),
    Requires(Name),
    AdminFee(Spanned<Decimal>),
    Ceiling(Amount),
}

#[derive(Clone, Debug, PartialEq)]
pub enum AccessField {
    Kind(Name),
    Agency(Name),
    /// Who it admits, a condition over the agency written as a piggyback clause's is.
    OpenTo(Expression),
    With(Counterparty),
    /// `under wa_sourcewell_pa`
    Under(Name),
    Covers(Vec<Name>),
    Signed(Spanned<Date>),
    Posted(Spanned<Date>),
    Approved(Spanned<Date>),
    Effective(Spanned<Date>),
    Expires(Spanned<Date>),
    Fee {
        rate: Spanned<Decimal>,
        payee: Option<Name>,
    },
    /// `cap USD 250,000.00 per buyer per year`
    Cap {
        amount: Spanned<Money>,
        per_buyer: bool,
        every: Option<Spanned<Period>>,
    },
    Clause(Clause),
}

/// Whom an instrument is signed with: a declared agency (a state, a lead, a cooperative
/// program), or a supplier, by the name its contracts give it.
#[derive(Clone, Debug, PartialEq)]
pub enum Counterparty {
    Named(Name),
    Supplier(Spanned<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum OrderField {
    Buyer(Name),
    Contract(Name),
    Date(Spanned<Date>),
    /// `via wa_ila, wa_pa`
    Via(Vec<Name>),
    /// Boxed, so that the other fields of an order, far more numerous, stay small.
    Line(Box<Line>),
    Requests(Vec<Name>),
    /// `call_off direct`, `call_off mini_competition { ... }`; boxed like a line.
    CallOff(Box<CallOff>),
    /// `value EUR 12,500.00`: what a call-off without lines is worth.
    Value(Spanned<Money>),
    /// `period 2025-01-01 to 2025-12-31`: a blanket order's period.
    Period {
        start: Spanned<Date>,
        end: Spanned<Date>,
    },
}

/// How a call-off chose its contract: `direct` or `mini_competition`, with the competition's facts.
#[derive(Clone, Debug, PartialEq)]
pub struct CallOff {
    pub kind: Name,
    pub competition: Option<Vec<Spanned<CompetitionField>>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CompetitionField {
    /// The framework's contracts invited to compete.
    Invited(Vec<Name>),
    Issued(Spanned<Date>),
    Awarded(Spanned<Date>),
}

/// `line dump_truck 3 truck at USD 198,500.00`
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub item: Name,
    pub quantity: Spanned<Decimal>,
    /// Boxed, as the list price is: few lines state either, and an order book has millions.
    pub unit: Option<Box<Name>>,
    pub unit_price: Spanned<Money>,
    /// The list price the line's price comes from, under catalogue pricing.
    pub list_price: Option<Box<Spanned<Money>>>,
}

impl Amount {
    pub fn span(&self) -> Span {
        match self {
            Amount::Money(money) => money.span,
            Amount::Quantity(quantity) => quantity.span,
        }
    }
}
