//! The registry of diagnostic codes: each code's name, severity, one-line summary and long
//! explanation (the Markdown in `docs/codes/<code>.md`, compiled into the binary).

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $summary:literal;)*) => {
        /// A stable diagnostic code. Its name never changes once released.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the order of the registry.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users see and type it, e.g. `access-not-in-force`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// One line saying what the code means.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }

            /// The long explanation: what, why it matters, an example and the fix.
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!("../docs/codes/", $name, ".md")),)*
                }
            }
        }
    };
}

codes! {
    // Reading files.
    InvalidEncoding = "invalid-encoding", Error, "a file that is not UTF-8 text";
    InvisibleLineBreak = "invisible-line-break", Error, "a character that editors show as a line break but Coop does not read as one";
    BidirectionalOverride = "bidirectional-override", Error, "a control that reorders how text is shown, so it reads differently from how it is checked";
    SyntaxError = "syntax-error", Error, "the text does not follow Coop's grammar";
    FormatterFailed = "formatter-failed", Error, "coop fmt could not lay a file out without changing it: a bug in coop";
    InvalidDate = "invalid-date", Error, "a date that is not on the calendar";
    InvalidNumber = "invalid-number", Error, "a number too large or too precise to represent";
    EmptyModel = "empty-model", Warning, "the model declares nothing";
    UseNotFound = "use-not-found", Error, "a `use` or `ledger` names a file that does not exist";
    UseOutsideModel = "use-outside-model", Error, "a `use` or `ledger` names a file outside the model's directory";
    UseNotAFile = "use-not-a-file", Error, "a `use` or `ledger` names a directory, a device or a FIFO, not a file";
    NotALedger = "not-a-ledger", Error, "a `ledger` names one of the model's .coop files";
    UseCycle = "use-cycle", Error, "files that `use` each other in a cycle";
    FileTooLarge = "file-too-large", Error, "a file of the model is larger than the 4 GiB Coop reads in one file";
    NestingTooDeep = "nesting-too-deep", Error, "brackets nested too deep, or a condition too long, to read safely";
    // Reading ledgers.
    MalformedLedgerRow = "malformed-ledger-row", Error, "a ledger row that cannot be read as an order line";
    InconsistentLedgerOrder = "inconsistent-ledger-order", Error, "rows of one order in a ledger that disagree on its buyer, contract, date or via";
    InvalidLedgerSetting = "invalid-ledger-setting", Error, "a ledger's delimiter or date format that cannot be used";
    // Names.
    UndefinedName = "undefined-name", Error, "a name that is not declared";
    DuplicateName = "duplicate-name", Error, "two declarations with the same name";
    WrongKind = "wrong-kind", Error, "a reference to a declaration of the wrong kind";
    AmbiguousTitle = "ambiguous-title", Error, "a ledger's buyer written as a title that more than one agency has";
    UnknownValue = "unknown-value", Error, "a value outside the fixed set a field accepts";
    // Shape of declarations.
    MissingField = "missing-field", Error, "a required field is absent";
    ValueAndLines = "value-and-lines", Error, "an order that states both its lines and a value";
    DuplicateField = "duplicate-field", Error, "a field that may appear once appears twice";
    OutOfRange = "out-of-range", Error, "a number outside the range its field allows";
    DuplicatePrice = "duplicate-price", Error, "two prices for the same item and tier";
    ItemWithoutPrice = "item-without-price", Warning, "an item in scope that the contract does not price";
    ZeroPrice = "zero-price", Warning, "a unit price of zero on a contract or an order line: almost always missing data";
    // Units, currencies, dates.
    CurrencyMismatch = "currency-mismatch", Error, "amounts in different currencies where one is required";
    UnitMismatch = "unit-mismatch", Error, "a quantity counted in a unit its context does not use";
    TermEndsBeforeStart = "term-ends-before-start", Error, "a contract term that ends before it starts";
    AwardedBeforeIssued = "awarded-before-issued", Error, "a contract awarded before its solicitation was issued or posted";
    PostedBeforeIssued = "posted-before-issued", Warning, "a solicitation posted before it was issued";
    ReferenceCycle = "reference-cycle", Error, "declarations that hold or stand under each other in a cycle";
    OptionExercisedAfterTerm = "option-exercised-after-term", Error, "a renewal option exercised after the term had ended";
    OptionExercisedOutOfOrder = "option-exercised-out-of-order", Error, "a renewal option exercised while an earlier one is not";
    // Judging orders.
    PiggybackClosed = "piggyback-closed", Error, "a non-party ordered from a contract not open to piggyback use";
    BuyerNotEligible = "buyer-not-eligible", Error, "the buyer is outside those the piggyback clause admits";
    CooperativeUseNotStated = "cooperative-use-not-stated", Error, "the solicitation did not state that others may use the contract";
    AccessMissing = "access-missing", Error, "a piggyback order without the access instrument the contract requires";
    AccessWrongKind = "access-wrong-kind", Error, "the access instrument used is not of the kind the contract requires";
    AccessNotForOrder = "access-not-for-order", Error, "the access instrument admits another agency or covers another contract";
    AccessNotInForce = "access-not-in-force", Error, "the access instrument was not in force on the order date";
    OrderBeforeAward = "order-before-award", Error, "an order dated before its contract was awarded";
    OrderOutsideTerm = "order-outside-term", Error, "an order dated outside the contract term and its exercised options";
    ItemOutOfScope = "item-out-of-scope", Error, "an ordered item that the contract does not cover";
    PriceAboveContract = "price-above-contract", Error, "an order line priced above the contract's unit price";
    ClauseNotInContract = "clause-not-in-contract", Error, "an order requests a clause the contract does not have";
    MaximumExceeded = "maximum-exceeded", Error, "an order that takes the contract past the solicitation's maximum";
    CeilingExceeded = "ceiling-exceeded", Error, "a piggyback order that takes piggyback use past the clause's ceiling";
    CapExceeded = "cap-exceeded", Error, "an order that takes an access instrument past its cap";
    QuantityExceeded = "quantity-exceeded", Error, "an order beyond the base quantity and the options exercised (or assigned to its buyer)";
    VolumeUnknown = "volume-unknown", Error, "an order that states only its value, under limits counted in quantities";
    CommitmentShortfall = "commitment-shortfall", Warning, "a joint participant bought less than it committed by the end of the term";
    MaximumNearlyReached = "maximum-nearly-reached", Warning, "permitted orders have used most of the solicitation's maximum (90% by default)";
    CeilingNearlyReached = "ceiling-nearly-reached", Warning, "permitted piggyback orders have used most of the piggyback ceiling (90% by default)";
    TermEndingSoon = "term-ending-soon", Warning, "a contract's term, with the options exercised, ends within the horizon (180 days by default)";
    ItemNotPriced = "item-not-priced", Error, "an order line for an item the contract sets no price for";
    BasisNotMet = "basis-not-met", Error, "an order that no legal basis permits: every basis tried, with the conditions that failed";
    NoBasis = "no-basis", Error, "an order to which no legal basis applies";
    // Rules.
    UnknownRulePack = "unknown-rule-pack", Error, "a `use rules` names no pack shipped with coop";
    NotARulePack = "not-a-rule-pack", Error, "a file used as a rule pack declares agencies, contracts or orders";
    TypeMismatch = "type-mismatch", Error, "an expression whose parts are of types that do not fit together";
    UnknownField = "unknown-field", Error, "a path follows a field its value does not have";
    OutcomeOutOfScope = "outcome-out-of-scope", Error, "a rule outcome its scope cannot have, such as `permit` in a rule not for orders";
    RuleWithoutOutcome = "rule-without-outcome", Error, "a rule that requires, permits, obliges, states and sets aside nothing";
    EmptyMessage = "empty-message", Error, "a rule's message that gives no reason";
    RuleNeverApplies = "rule-never-applies", Warning, "a rule whose `where` is always false";
    RuleAlwaysTrue = "rule-always-true", Warning, "a rule whose requirement always holds";
    RuleDenied = "rule-denied", Error, "a rule's requirement is not met, and the rule denies";
    RuleWarning = "rule-warning", Warning, "a rule's requirement is not met, and the rule warns";
    RuleUndecided = "rule-undecided", Warning, "a rule could not be decided: amounts in different currencies or units";
    UsageReportMissing = "usage-report-missing", Warning, "a usage report not filed by its due date";
    WouldDeny = "would-deny", Warning, "a rule of a pack used as warnings would deny: its finding is a warning instead";
    InForceEmpty = "in-force-empty", Error, "a rule's period of force holds no day";
    VersionsOverlap = "versions-overlap", Error, "two versions of one rule in force on the same day";
    PrecedenceConflict = "precedence-conflict", Warning, "two rules of a model or its packs order a binding's terms both ways";
    // Settings.
    UnknownSetting = "unknown-setting", Error, "a key coop.toml does not have, or parameters of a pack the model does not use";
    InvalidSetting = "invalid-setting", Error, "a coop.toml that is not TOML, or a setting whose value it cannot take";
    // Waivers.
    WaiverExpired = "waiver-expired", Warning, "a waiver of a finding whose `until` date has passed";
    // Tests.
    TestWithoutExpectations = "test-without-expectations", Error, "a test that expects nothing";
    ExpectationCannotHold = "expectation-cannot-hold", Error, "a test expects a rule to deny, permit, oblige or state a responsibility, which the rule never does";
}

impl Code {
    /// The codes that deny an order when it is judged.
    pub const ORDER_DENIALS: &'static [Code] = &[
        Code::PiggybackClosed,
        Code::BuyerNotEligible,
        Code::CooperativeUseNotStated,
        Code::AccessMissing,
        Code::AccessWrongKind,
        Code::AccessNotForOrder,
        Code::AccessNotInForce,
        Code::OrderBeforeAward,
        Code::OrderOutsideTerm,
        Code::ItemOutOfScope,
        Code::PriceAboveContract,
        Code::ClauseNotInContract,
        Code::MaximumExceeded,
        Code::CeilingExceeded,
        Code::CapExceeded,
        Code::QuantityExceeded,
        Code::VolumeUnknown,
        Code::ItemNotPriced,
        Code::BasisNotMet,
        Code::NoBasis,
        Code::RuleDenied,
    ];

    /// Finds a code by its name.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|code| code.name() == name)
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Code::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("no diagnostic code `{name}`")))
    }
}
