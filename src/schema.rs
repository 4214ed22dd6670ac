//! The one description of what a model's things are: the entities rules range over, the records
//! values have fields of, every field's name, type and meaning. The checker types paths from it,
//! the evaluator reads each field through an exhaustive match on its record's field enum (so no
//! field can be forgotten), "did you mean" lists its names, and the language reference's table of
//! fields is tested against it.

use std::fmt;

/// The things of the model that rules range over and expressions reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    Agency,
    Solicitation,
    Contract,
    Access,
    Order,
    /// Who is bound to which contract, found by evaluation.
    Binding,
    /// One line of an order.
    Line,
    /// One fee of an access instrument.
    Fee,
    /// A lot of a solicitation.
    Lot,
}

/// The types of expressions.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Boolean,
    Number,
    Percentage,
    /// Money, in a currency known at checking time (from a literal) or not.
    Money(Option<crate::values::Currency>),
    /// A quantity, in a unit known at checking time (from a literal) or not.
    Quantity(Option<String>),
    /// Money or a quantity, as a contract's maximum may be either.
    Volume,
    Date,
    Duration,
    Distance,
    Text,
    Jurisdiction,
    Location,
    Entity(Entity),
    Enumeration(Enumeration),
    /// A contract's term: start, end, length.
    Term,
    /// A named entry of a declaration (a fact, a clause, ...): its date, text and value.
    Fact,
    /// The mini-competition a call-off was awarded by.
    Competition,
}

/// Closed sets of values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Enumeration {
    /// Open: a model may declare more (`kind town "..."`).
    AgencyKind,
    /// Open: a model may declare more (`role ... "..."`).
    AgencyRole,
    Method,
    Category,
    InstrumentKind,
    Basis,
    /// How a call-off chose its contract.
    CallOff,
}

/// What has fields: every entity, and the two records that are not things of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Record {
    Entity(Entity),
    Term,
    Fact,
    /// A jurisdiction group (`EU`), as `x in [EU]` reads it.
    Group,
    /// The mini-competition of a call-off.
    Competition,
}

/// One field: how it is written, what it is, its type, whether its value changes as orders are
/// judged, and what it means.
#[derive(Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub field: Field,
    pub ty: Type,
    /// Whether the value changes as orders are judged (what a contract has ordered so far, its
    /// end with the options exercised by then, an instrument being in force): a value read
    /// through it cannot be computed once and kept.
    pub varies: bool,
    pub doc: &'static str,
}

/// The named entries a declaration has, which rules read by name (`o.buyer.fact.approval`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entries {
    /// `fact NAME [VALUE] ["text"]`, on any declaration.
    Fact,
    /// `clause NAME ["text"]`, of a contract or an access instrument.
    Clause,
    /// The clauses an order `requests`.
    Requested,
    /// The programs an agency is `member_of`.
    MemberOf,
}

macro_rules! schema {
    ($(
        $record:ident ($pattern:pat) $fields:ident {
            $($variant:ident = $name:literal : $ty:expr, $varies:ident, $doc:literal;)*
        }
    )*) => {
        $(
            #[doc = concat!("The fields of ", stringify!($record), " values.")]
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub enum $fields {
                $($variant,)*
            }
        )*

        /// Every field, by the record it belongs to.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Field {
            $($record($fields),)*
        }

        impl Record {
            /// The fields of the record, in the order the language reference lists them.
            pub fn fields(self) -> &'static [FieldSpec] {
                use Entity as E;
                use Enumeration as N;
                match self {
                    $($pattern => {
                        const FIELDS: &[FieldSpec] = &[$(FieldSpec {
                            name: $name,
                            field: Field::$record($fields::$variant),
                            ty: $ty,
                            varies: schema!(@varies $varies),
                            doc: $doc,
                        },)*];
                        FIELDS
                    })*
                }
            }
        }
    };
    (@varies varies) => { true };
    (@varies fixed) => { false };
}

schema! {
    Agency(Record::Entity(Entity::Agency)) AgencyField {
        Name = "name": Type::Text, fixed, "the agency's name";
        Title = "title": Type::Text, fixed, "its title, as reports show it";
        Kind = "kind": Type::Enumeration(N::AgencyKind), fixed, "what kind of public body it is (`==` and `in` hold for each of its kinds)";
        Role = "role": Type::Enumeration(N::AgencyRole), fixed, "the roles it holds (`==` and `in` hold for each)";
        Jurisdiction = "jurisdiction": Type::Jurisdiction, fixed, "where it is: a country or a subdivision";
        Location = "location": Type::Location, fixed, "its latitude and longitude";
    }
    Solicitation(Record::Entity(Entity::Solicitation)) SolicitationField {
        Name = "name": Type::Text, fixed, "the solicitation's name";
        Title = "title": Type::Text, fixed, "its title";
        Lead = "lead": Type::Entity(E::Agency), fixed, "the agency that led it";
        Method = "method": Type::Enumeration(N::Method), fixed, "how it was competed";
        Category = "category": Type::Enumeration(N::Category), fixed, "what it buys";
        Issued = "issued": Type::Date, fixed, "when it was issued";
        Posted = "posted": Type::Date, fixed, "when it was posted";
        PostedOnline = "posted_online": Type::Boolean, fixed, "whether it was posted online";
        CooperativeUseStated = "cooperative_use_stated": Type::Boolean, fixed, "whether it told bidders others may use the contract";
        AssignabilityStated = "assignability_stated": Type::Boolean, fixed, "whether it stated that the contract may be assigned";
        Joint = "joint": Type::Boolean, fixed, "whether agencies bought together in it";
        Estimate = "estimate": Type::Volume, fixed, "the volume it estimated";
        Maximum = "maximum": Type::Volume, fixed, "the most its contracts may be used for";
        Ordered = "ordered": Type::Volume, varies, "what permitted orders so far bought under every contract awarding it, in its measure (its maximum's, else its estimate's, else its lots', else money)";
        OrderedValue = "ordered_value": Type::Money(None), varies, "the value of permitted orders so far under every contract awarding it";
        Contracts = "contracts": Type::Number, fixed, "how many contracts award it (one per supplier, or per supplier and lot)";
        BuyersIdentified = "buyers_identified": Type::Boolean, fixed, "whether it identifies the authorities that may call off (`buyers`)";
    }
    Contract(Record::Entity(Entity::Contract)) ContractField {
        Name = "name": Type::Text, fixed, "the contract's name";
        Title = "title": Type::Text, fixed, "its title";
        Solicitation = "solicitation": Type::Entity(E::Solicitation), fixed, "the solicitation it awards";
        Lead = "lead": Type::Entity(E::Agency), fixed, "the lead of that solicitation";
        Supplier = "supplier": Type::Text, fixed, "its (first) supplier";
        Awarded = "awarded": Type::Date, fixed, "its award date";
        Term = "term": Type::Term, fixed, "its term as awarded";
        End = "end": Type::Date, varies, "its end, counting the options exercised by the date judged";
        Remaining = "remaining": Type::Duration, varies, "how long it still runs after the date judged, to that end, compared by the calendar from the date judged; absent once it has ended";
        Currency = "currency": Type::Text, fixed, "the currency of its prices";
        PiggybackOpen = "piggyback_open": Type::Boolean, fixed, "whether its piggyback clause opens it to non-parties";
        Requires = "requires": Type::Enumeration(N::InstrumentKind), fixed, "the access instrument its piggyback clause requires";
        AdminFee = "admin_fee": Type::Percentage, fixed, "the administrative fee of its piggyback clause";
        Ceiling = "ceiling": Type::Volume, fixed, "the ceiling of its piggyback clause";
        Estimate = "estimate": Type::Volume, fixed, "its solicitation's estimate";
        Maximum = "maximum": Type::Volume, fixed, "its solicitation's maximum";
        Ordered = "ordered": Type::Volume, varies, "what permitted orders so far bought, in its measure (its maximum's, else its ceiling's, else its estimate's, else money)";
        OrderedValue = "ordered_value": Type::Money(None), varies, "the value of permitted orders so far";
        PiggybackOrdered = "piggyback_ordered": Type::Volume, varies, "what permitted piggyback orders so far bought, in its measure";
        Lot = "lot": Type::Entity(E::Lot), fixed, "the lot of its solicitation it awards";
        BaseQuantity = "base_quantity": Type::Quantity(None), fixed, "the quantity the award buys";
        Quantity = "quantity": Type::Quantity(None), varies, "its base quantity and the quantity options exercised by the date judged, assigned ones included";
        QuantityAssigned = "quantity_assigned": Type::Quantity(None), varies, "the quantity options exercised by the date judged and assigned to other agencies";
        Discount = "discount": Type::Percentage, varies, "its catalogue discount: off the list in force on the date judged";
        ListDate = "list_date": Type::Date, varies, "the date of the list in force on the date judged";
    }
    Access(Record::Entity(Entity::Access)) AccessField {
        Name = "name": Type::Text, fixed, "the instrument's name";
        Title = "title": Type::Text, fixed, "its title";
        Kind = "kind": Type::Enumeration(N::InstrumentKind), fixed, "what kind of instrument it is";
        Agency = "agency": Type::Entity(E::Agency), fixed, "the agency it lets use contracts, when it names one";
        With = "with": Type::Entity(E::Agency), fixed, "the agency it is signed with (absent when it is signed with a supplier)";
        Signed = "signed": Type::Date, fixed, "when it was signed";
        Posted = "posted": Type::Date, fixed, "when it was posted";
        Approved = "approved": Type::Date, fixed, "when its governing body approved it";
        Effective = "effective": Type::Date, fixed, "when it takes effect";
        Expires = "expires": Type::Date, fixed, "when it expires";
        InForce = "in_force": Type::Boolean, varies, "whether it, and every instrument it is under, is in force on the date judged";
        Under = "under": Type::Entity(E::Access), fixed, "the instrument it is made under";
        WithSupplier = "with_supplier": Type::Text, fixed, "the supplier it is signed with, when it is";
        Admits = "admits": Type::Text, fixed, "whom it lets use contracts, in words";
        Counterparty = "counterparty": Type::Text, fixed, "whom it is signed with, in words";
        Cap = "cap": Type::Money(None), fixed, "the most orders through it may be worth (for each buyer, in each period, when it says)";
        CapUsed = "cap_used": Type::Money(None), varies, "what permitted orders through it used of its cap before the order judged: in the cap's period holding the date judged, and by the order's buyer for a cap per buyer";
    }
    Order(Record::Entity(Entity::Order)) OrderField {
        Name = "name": Type::Text, fixed, "the order's name";
        Title = "title": Type::Text, fixed, "its title";
        Buyer = "buyer": Type::Entity(E::Agency), fixed, "the agency that orders";
        Contract = "contract": Type::Entity(E::Contract), fixed, "the contract it orders under";
        Solicitation = "solicitation": Type::Entity(E::Solicitation), fixed, "that contract's solicitation";
        Lead = "lead": Type::Entity(E::Agency), fixed, "that solicitation's lead";
        Date = "date": Type::Date, fixed, "the order's date";
        Via = "via": Type::Entity(E::Access), fixed, "the (first) access instrument it names";
        Value = "value": Type::Money(None), fixed, "what its lines add up to (its stated `value`, for a call-off without lines)";
        Volume = "volume": Type::Volume, fixed, "what it buys, in the contract's measure (absent for a call-off without lines when the measure is a quantity)";
        Basis = "basis": Type::Enumeration(N::Basis), fixed, "how the buyer stands to the contract: lead, joint_participant or piggyback";
        Category = "category": Type::Enumeration(N::Category), fixed, "the category of the contract's solicitation";
        AtContractPrices = "at_contract_prices": Type::Boolean, fixed, "whether every line is priced at or below the contract";
        OnContractTerms = "on_contract_terms": Type::Boolean, fixed, "whether every clause it requests is the contract's or that of an instrument it uses";
        BuyerAdmitted = "buyer_admitted": Type::Boolean, fixed, "whether the contract's `open_to` admits the buyer (true when it has none)";
        ViaAdmitsBuyer = "via_admits_buyer": Type::Boolean, fixed, "whether every instrument it names lets this buyer use contracts";
        ViaCoversContract = "via_covers_contract": Type::Boolean, fixed, "whether every instrument it names covers this contract, itself or through those it is under";
        ClausesNotOnContract = "clauses_not_on_contract": Type::Text, fixed, "the clauses it requests that neither the contract nor an instrument it uses has, by name";
        Lot = "lot": Type::Entity(E::Lot), fixed, "the lot its contract awards";
        BuyerIdentified = "buyer_identified": Type::Boolean, fixed, "whether its buyer is a party to the solicitation or one of the buyers it identifies (`buyers`)";
        CallOff = "call_off": Type::Enumeration(N::CallOff), fixed, "how it chose its contract under a framework: direct or mini_competition";
        Competition = "competition": Type::Competition, fixed, "the mini-competition it was awarded by";
        ViaNotForOrder = "via_not_for_order": Type::Entity(E::Access), fixed, "the first instrument it names that does not admit its buyer or cover its contract";
        ViaNotInForce = "via_not_in_force": Type::Entity(E::Access), varies, "the first instrument it uses (named, or one they are under) that its own dates do not put in force on the order's date";
        Instruments = "instruments": Type::Text, fixed, "the access instruments it uses (named, then those they are under), with their kinds, in words";
        Caps = "caps": Type::Text, varies, "the caps of the instruments it uses, with what is used of each, in words";
        Period = "period": Type::Term, fixed, "a blanket order's period";
        End = "end": Type::Date, fixed, "the last day it runs: its period's end, else its date";
        Quantity = "quantity": Type::Quantity(None), fixed, "what it buys, in the measure of its contract's base quantity";
        QuantityAvailable = "quantity_available": Type::Quantity(None), varies, "what its buyer may buy in all under the contract's quantities by its date: the options assigned to it, for an agency they are assigned to; the base quantity and the options exercised and not assigned, for anyone else";
        QuantityOrdered = "quantity_ordered": Type::Quantity(None), varies, "what permitted orders so far bought of that quantity";
    }
    Binding(Record::Entity(Entity::Binding)) BindingField {
        Agency = "agency": Type::Entity(E::Agency), fixed, "the agency bound";
        Contract = "contract": Type::Entity(E::Contract), fixed, "the contract it is bound to";
        Basis = "basis": Type::Enumeration(N::Basis), fixed, "how it stands to the contract";
        From = "from": Type::Date, fixed, "when the binding starts";
        To = "to": Type::Date, fixed, "when it ends";
        OrderedValue = "ordered_value": Type::Money(None), fixed, "the value of its permitted orders";
        Ordered = "ordered": Type::Volume, fixed, "what its permitted orders bought, in the measure of its commitment, else the contract's";
        Commitment = "commitment": Type::Volume, fixed, "what a joint participant committed to buy";
        Ended = "ended": Type::Boolean, varies, "whether the binding ended before the as-of date";
    }
    Line(Record::Entity(Entity::Line)) LineField {
        Order = "order": Type::Entity(E::Order), fixed, "the order the line is of";
        Item = "item": Type::Text, fixed, "the item's name";
        Title = "title": Type::Text, fixed, "the item's title";
        Category = "category": Type::Enumeration(N::Category), fixed, "the item's category, else its solicitation's";
        Quantity = "quantity": Type::Quantity(None), fixed, "how many, in the line's unit";
        UnitPrice = "unit_price": Type::Money(None), fixed, "the price the line states for one";
        Value = "value": Type::Money(None), fixed, "quantity times unit price";
        InScope = "in_scope": Type::Boolean, fixed, "whether the item is one the contract's solicitation covers";
        ContractPrice = "contract_price": Type::Money(None), fixed, "the contract's unit price for the item at this quantity (under catalogue pricing, its list price less the discount off the list in force)";
        ListPrice = "list_price": Type::Money(None), fixed, "the list price it states, under catalogue pricing";
    }
    Fee(Record::Entity(Entity::Fee)) FeeField {
        Rate = "rate": Type::Percentage, fixed, "the fee, as a percentage of order value";
        Payee = "payee": Type::Entity(E::Agency), fixed, "whom it is paid to, when the instrument says";
        Instrument = "instrument": Type::Entity(E::Access), fixed, "the instrument that charges it";
    }
    Lot(Record::Entity(Entity::Lot)) LotField {
        Name = "name": Type::Text, fixed, "the lot's name";
        Title = "title": Type::Text, fixed, "its title";
        Solicitation = "solicitation": Type::Entity(E::Solicitation), fixed, "the solicitation it is a lot of";
        Estimate = "estimate": Type::Volume, fixed, "the volume it estimated";
        Maximum = "maximum": Type::Volume, fixed, "the most the contracts awarding it may be used for";
        Ordered = "ordered": Type::Volume, varies, "what permitted orders so far bought under the contracts awarding it, in its solicitation's measure";
        OrderedValue = "ordered_value": Type::Money(None), varies, "the value of permitted orders so far under the contracts awarding it";
        Contracts = "contracts": Type::Number, fixed, "how many contracts award it";
    }
    Term(Record::Term) TermField {
        Start = "start": Type::Date, fixed, "the first day of the term";
        End = "end": Type::Date, fixed, "its last day, as awarded";
        Length = "length": Type::Duration, fixed, "its length, compared by the calendar from its start";
    }
    Competition(Record::Competition) CompetitionField {
        Invited = "invited": Type::Number, fixed, "how many of the framework's contracts (of the lot) it invited";
        Issued = "issued": Type::Date, fixed, "when it was issued";
        Awarded = "awarded": Type::Date, fixed, "when it was awarded";
    }
    Group(Record::Group) GroupField {
        Members = "members": Type::Jurisdiction, varies, "its members on the date judged, which `x in [EU]` reads";
    }
    Fact(Record::Fact) FactField {
        Date = "date": Type::Date, fixed, "the date it records";
        Text = "text": Type::Text, fixed, "the text it records";
        Money = "money": Type::Money(None), fixed, "the amount of money it records";
        Quantity = "quantity": Type::Quantity(None), fixed, "the quantity it records";
        Number = "number": Type::Number, fixed, "the number it records";
        Percentage = "percentage": Type::Percentage, fixed, "the percentage it records";
    }
}

impl Entity {
    /// Every entity, in the order the language reference lists them.
    pub const ALL: &'static [Entity] = &[
        Entity::Agency,
        Entity::Solicitation,
        Entity::Contract,
        Entity::Access,
        Entity::Order,
        Entity::Binding,
        Entity::Line,
        Entity::Fee,
        Entity::Lot,
    ];

    /// The entities that are declared in files, each with its keyword.
    pub const DECLARED: &'static [Entity] = &[
        Entity::Agency,
        Entity::Solicitation,
        Entity::Contract,
        Entity::Access,
        Entity::Order,
    ];

    /// The entity as written in `for ENTITY x` and in declarations.
    pub fn keyword(self) -> &'static str {
        match self {
            Entity::Agency => "agency",
            Entity::Solicitation => "solicitation",
            Entity::Contract => "contract",
            Entity::Access => "access",
            Entity::Order => "order",
            Entity::Binding => "binding",
            Entity::Line => "line",
            Entity::Fee => "fee",
            Entity::Lot => "lot",
        }
    }

    /// The entity in words: `access instrument`, `order line`.
    pub fn noun(self) -> &'static str {
        match self {
            Entity::Access => "access instrument",
            Entity::Line => "order line",
            other => other.keyword(),
        }
    }

    /// The entity with its article: `an agency`, `a contract`.
    pub fn article(self) -> &'static str {
        match self {
            Entity::Agency => "an agency",
            Entity::Solicitation => "a solicitation",
            Entity::Contract => "a contract",
            Entity::Access => "an access instrument",
            Entity::Order => "an order",
            Entity::Binding => "a binding",
            Entity::Line => "an order line",
            Entity::Fee => "a fee",
            Entity::Lot => "a lot",
        }
    }

    /// The named entries its values have.
    pub fn entries(self) -> &'static [Entries] {
        match self {
            Entity::Agency => &[Entries::Fact, Entries::MemberOf],
            Entity::Contract | Entity::Access => &[Entries::Fact, Entries::Clause],
            Entity::Order => &[Entries::Fact, Entries::Requested],
            Entity::Solicitation => &[Entries::Fact],
            Entity::Binding | Entity::Line | Entity::Fee | Entity::Lot => &[],
        }
    }

    /// The collection an entity's values are taken from in `line l of o`, `access v of o` and
    /// `fee f of i`: the entity of the owner, or `None` for entities that are no one's collection.
    pub fn collected_from(self) -> Option<Entity> {
        match self {
            Entity::Line => Some(Entity::Order),
            Entity::Fee => Some(Entity::Access),
            Entity::Access => Some(Entity::Order),
            _ => None,
        }
    }
}

impl Entries {
    /// The word a path uses for the entries.
    pub fn word(self) -> &'static str {
        match self {
            Entries::Fact => "fact",
            Entries::Clause => "clause",
            Entries::Requested => "requests",
            Entries::MemberOf => "member_of",
        }
    }
}

impl Record {
    /// The record a value of this type has fields of, if any.
    pub fn of(ty: &Type) -> Option<Record> {
        match ty {
            Type::Entity(entity) => Some(Record::Entity(*entity)),
            Type::Term => Some(Record::Term),
            Type::Fact => Some(Record::Fact),
            Type::Competition => Some(Record::Competition),
            _ => None,
        }
    }

    /// The field of this record written `name`.
    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|spec| spec.name == name)
    }

    /// The record in words, as the language reference's table heads its rows.
    pub fn noun(self) -> &'static str {
        match self {
            Record::Entity(entity) => entity.noun(),
            Record::Term => "term",
            Record::Fact => "fact",
            Record::Group => "jurisdiction group",
            Record::Competition => "mini-competition",
        }
    }

    /// Every record, in the order of the language reference.
    pub fn all() -> impl Iterator<Item = Record> {
        Entity::ALL
            .iter()
            .map(|entity| Record::Entity(*entity))
            .chain([
                Record::Term,
                Record::Fact,
                Record::Competition,
                Record::Group,
            ])
    }
}

impl Field {
    /// The field's row of the schema.
    pub fn spec(self) -> &'static FieldSpec {
        let record = match self {
            Field::Agency(_) => Record::Entity(Entity::Agency),
            Field::Solicitation(_) => Record::Entity(Entity::Solicitation),
            Field::Contract(_) => Record::Entity(Entity::Contract),
            Field::Access(_) => Record::Entity(Entity::Access),
            Field::Order(_) => Record::Entity(Entity::Order),
            Field::Binding(_) => Record::Entity(Entity::Binding),
            Field::Line(_) => Record::Entity(Entity::Line),
            Field::Fee(_) => Record::Entity(Entity::Fee),
            Field::Term(_) => Record::Term,
            Field::Fact(_) => Record::Fact,
            Field::Group(_) => Record::Group,
            Field::Lot(_) => Record::Entity(Entity::Lot),
            Field::Competition(_) => Record::Competition,
        };
        record
            .fields()
            .iter()
            .find(|spec| spec.field == self)
            .unwrap_or_else(|| unreachable!("the schema lists every field it defines"))
    }

    /// Whether the field's value changes as orders are judged.
    pub fn varies(self) -> bool {
        self.spec().varies
    }
}

impl Type {
    /// The type as a person names it in a message.
    pub fn describe(&self) -> String {
        match self {
            Type::Boolean => "a condition (true or false)".to_string(),
            Type::Number => "a number".to_string(),
            Type::Percentage => "a percentage".to_string(),
            Type::Money(Some(currency)) => format!("money in {currency}"),
            Type::Money(None) => "money".to_string(),
            Type::Quantity(Some(unit)) => format!("a quantity of {unit}"),
            Type::Quantity(None) => "a quantity".to_string(),
            Type::Volume => "a volume (money or a quantity)".to_string(),
            Type::Date => "a date".to_string(),
            Type::Duration => "a duration".to_string(),
            Type::Distance => "a distance".to_string(),
            Type::Text => "text".to_string(),
            Type::Jurisdiction => "a jurisdiction".to_string(),
            Type::Location => "a location".to_string(),
            Type::Entity(entity) => entity.article().to_string(),
            Type::Enumeration(enumeration) => enumeration.describe().to_string(),
            Type::Term => "a contract term".to_string(),
            Type::Fact => "a recorded fact".to_string(),
            Type::Competition => "a mini-competition".to_string(),
        }
    }
}

impl Enumeration {
    pub fn describe(self) -> &'static str {
        match self {
            Enumeration::AgencyKind => "an agency kind",
            Enumeration::AgencyRole => "an agency role",
            Enumeration::Method => "a solicitation method",
            Enumeration::Category => "a category",
            Enumeration::InstrumentKind => "an access instrument kind",
            Enumeration::Basis => "a basis (lead, joint_participant or piggyback)",
            Enumeration::CallOff => "a way of calling off (direct or mini_competition)",
        }
    }

    /// Whether a model may add values to the set (`kind town "..."`).
    pub fn is_open(self) -> bool {
        matches!(self, Enumeration::AgencyKind | Enumeration::AgencyRole)
    }

    /// Every spelling the set has built in; an open set's model may add more.
    pub fn values(self) -> Vec<&'static str> {
        match self {
            Enumeration::AgencyKind => AgencyKind::ALL.iter().map(|v| v.as_str()).collect(),
            Enumeration::AgencyRole => AgencyRole::ALL.iter().map(|v| v.as_str()).collect(),
            Enumeration::Method => Method::ALL.iter().map(|v| v.as_str()).collect(),
            Enumeration::Category => Category::ALL.iter().map(|v| v.as_str()).collect(),
            Enumeration::InstrumentKind => InstrumentKind::ALL.iter().map(|v| v.as_str()).collect(),
            Enumeration::Basis => vec!["lead", "joint_participant", "piggyback"],
            Enumeration::CallOff => CallOffKind::ALL.iter().map(|v| v.as_str()).collect(),
        }
    }
}

/// A closed set of values, each with its one spelling in files and reports.
macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The spelling used in `.coop` files and reports.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            pub fn from_name(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }
    };
}

closed_set! {
    /// What kind of public body an agency is.
    AgencyKind {
        State = "state",
        County = "county",
        City = "city",
        SchoolDistrict = "school_district",
        SpecialDistrict = "special_district",
        HigherEducation = "higher_education",
        Tribe = "tribe",
        Federal = "federal",
        Cooperative = "cooperative",
        Nonprofit = "nonprofit",
        Grantee = "grantee",
        Contractor = "contractor",
        NationalGovernment = "national_government",
        RegionalAuthority = "regional_authority",
        LocalAuthority = "local_authority",
        BodyGovernedByPublicLaw = "body_governed_by_public_law",
    }
}

closed_set! {
    /// The roles an agency may hold, besides its kinds; a model may declare more.
    AgencyRole {
        CentralPurchasingBody = "central_purchasing_body",
        ProcuringEntity = "procuring_entity",
    }
}

closed_set! {
    /// How a solicitation was competed.
    Method {
        CompetitiveBid = "competitive_bid",
        Rfp = "rfp",
        CompetitiveQuotes = "competitive_quotes",
        SoleSource = "sole_source",
        Open = "open",
        Restricted = "restricted",
        Selective = "selective",
        Negotiated = "negotiated",
        NegotiatedWithoutPublication = "negotiated_without_publication",
        CompetitiveDialogue = "competitive_dialogue",
        DynamicPurchasingSystem = "dynamic_purchasing_system",
        InnovationPartnership = "innovation_partnership",
    }
}

closed_set! {
    /// What a solicitation buys, for rules that treat categories differently.
    Category {
        Goods = "goods",
        Services = "services",
        Construction = "construction",
        ArchitecturalEngineering = "architectural_engineering",
        InformationTechnology = "information_technology",
        Security = "security",
        DisasterRecovery = "disaster_recovery",
    }
}

closed_set! {
    /// How a call-off under a framework chose its contract.
    CallOffKind {
        Direct = "direct",
        MiniCompetition = "mini_competition",
    }
}

closed_set! {
    /// The duties a test can expect a binding to carry.
    DutyKind {
        AdminFee = "admin_fee",
        Fee = "fee",
        Commitment = "commitment",
    }
}

closed_set! {
    /// What lets a non-party use a contract.
    InstrumentKind {
        ParticipatingAddendum = "participating_addendum",
        InterlocalAgreement = "interlocal_agreement",
        MasterIntergovernmentalAgreement = "master_intergovernmental_agreement",
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.noun())
    }
}
