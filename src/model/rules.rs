//! Checked rules: every name resolved, every expression typed, every parameter set. Evaluation
//! runs these and never meets a type error, since the checker refused every rule that had one.
//!
//! The operations on values live here too, so that the checker (folding constants) and the
//! evaluator compute with the very same code.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;
use ustr::Ustr;

use super::{AgencyId, ContractId, InstrumentId, OrderId, SolicitationId};
use crate::source::{Span, Spanned};
use crate::values::{Date, Duration, DurationUnit, Money, format_percentage, format_quantity};

pub use crate::schema::{
    AccessField, AgencyField, BindingField, CompetitionField, ContractField, Entity, Entries,
    Enumeration, FactField, FeeField, Field, GroupField, LineField, LotField, OrderField, Record,
    SolicitationField, TermField, Type,
};
pub use crate::syntax::ast::{
    Aggregate, Extent, InForce, Outcome, Period, TermSource, UnaryOperator,
};

/// A rule as evaluation runs it.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: Spanned<String>,
    pub title: Option<String>,
    /// The legal or contractual source the rule encodes.
    pub citation: Option<String>,
    /// The rule pack it comes from, when it comes from one.
    pub pack: Option<String>,
    /// When the rule is in force, within its pack's period: an order or line rule judges the
    /// orders dated then, any other rule judges as of an as-of date then. Successive versions
    /// of a rule share its id, each with its own period.
    pub in_force: InForce,
    /// Whether its pack is used `as warnings`: what it would deny is a warning instead.
    pub as_warnings: bool,
    /// What the rule ranges over.
    pub scope: Entity,
    pub filter: Option<Expression>,
    pub outcomes: Vec<RuleOutcome>,
    /// When the rule is a legal basis, its conditions: it permits what it applies to when every
    /// one holds (none: it always does). `None` when the rule is no basis.
    pub permits: Option<Vec<PermitCondition>>,
    /// The rules this one sets aside for each thing it applies to, replaced or waived.
    pub sets_aside: Vec<SetAside>,
    pub span: Span,
}

/// The name the prelude goes by as a rule pack: `coop rules core` prints it.
pub const PRELUDE: &str = "core";

impl Rule {
    /// Whether the rule is one of the prelude's: the core semantics, as cited defaults.
    pub fn is_prelude(&self) -> bool {
        self.pack.as_deref() == Some(PRELUDE)
    }

    /// Every expression the rule holds, outermost: its filter, conditions, messages, helps,
    /// parties, duties and the conditions of its `permit`s.
    pub fn expressions(&self) -> Vec<&Expression> {
        fn values(message: &[MessagePart]) -> impl Iterator<Item = &Expression> {
            message.iter().filter_map(|part| match part {
                MessagePart::Value(value) => Some(value),
                MessagePart::Text(_) => None,
            })
        }
        let mut expressions: Vec<&Expression> = self.filter.iter().collect();
        for outcome in &self.outcomes {
            match outcome {
                RuleOutcome::Require {
                    condition,
                    message,
                    help,
                    ..
                } => {
                    expressions.push(condition);
                    expressions.extend(values(message));
                    expressions.extend(help.iter().flat_map(|help| values(help)));
                }
                RuleOutcome::Oblige { party, duty, .. } => {
                    expressions.push(party);
                    match duty.as_ref() {
                        Duty::Pay { amount, to } => expressions.extend([amount, to]),
                        Duty::Report { to, .. } => expressions.extend(to),
                        Duty::Notify { whom, .. } => expressions.push(whom),
                    }
                }
                RuleOutcome::Responsible { what, .. } => expressions.extend(values(what)),
                RuleOutcome::Precedence { .. } => {}
            }
        }
        for permit in self.permits.iter().flatten() {
            expressions.push(&permit.condition);
            expressions.extend(permit.otherwise.iter().flat_map(|message| values(message)));
        }
        expressions
    }

    /// Whether the rule adds duties (`oblige`) to what it applies to.
    pub fn obliges(&self) -> bool {
        self.outcomes
            .iter()
            .any(|outcome| matches!(outcome, RuleOutcome::Oblige { .. }))
    }

    /// The code of the findings a failed `require` of the rule makes: a prelude rule is named by
    /// its code (`access-missing`); any other rule's findings are `rule-denied` or `rule-warning`.
    pub fn finding_code(&self, outcome: Outcome) -> crate::codes::Code {
        use crate::codes::Code;
        if self.is_prelude()
            && let Some(code) = Code::from_name(&self.id.value)
        {
            return code;
        }
        match outcome {
            Outcome::Deny => Code::RuleDenied,
            Outcome::Warn => Code::RuleWarning,
        }
    }
}

/// One condition of a legal basis: `permit when CONDITION else "why not"`.
#[derive(Clone, Debug)]
pub struct PermitCondition {
    pub condition: Expression,
    /// What a finding says when the condition does not hold; the condition's text when absent.
    pub otherwise: Option<Vec<MessagePart>>,
    pub span: Span,
}

/// A rule set aside by another for what that other applies to.
#[derive(Clone, Debug)]
pub struct SetAside {
    /// The rule set aside, by its index in `Model::rules`.
    pub rule: usize,
    /// Why, for a waiver; `None` when the rule is replaced by the one that sets it aside.
    pub waived_because: Option<String>,
    pub span: Span,
}

/// What a rule does for each thing in its scope that its filter admits.
#[derive(Clone, Debug)]
pub enum RuleOutcome {
    /// `require CONDITION else deny|warn "message"`
    Require {
        condition: Expression,
        outcome: Outcome,
        message: Vec<MessagePart>,
        /// How to fix it, shown with the finding.
        help: Option<Vec<MessagePart>>,
        span: Span,
    },
    /// `oblige PARTY DUTY`
    Oblige {
        party: Expression,
        /// Boxed: a duty holds several expressions, and most outcomes are requirements.
        duty: Box<Duty>,
        span: Span,
    },
    /// `responsible alone|jointly for "what"`, `not responsible for "what"`: what the agency of
    /// a binding answers for, under the rule's citation.
    Responsible {
        extent: Extent,
        what: Vec<MessagePart>,
        span: Span,
    },
    /// `precedence via over contract`: whose clause prevails where both state one of a name.
    Precedence { prevailing: TermSource, span: Span },
}

#[derive(Clone, Debug)]
pub enum MessagePart {
    Text(String),
    Value(Expression),
}

#[derive(Clone, Debug)]
pub enum Duty {
    /// Pay an amount (typically a percentage of a value) to an agency.
    Pay { amount: Expression, to: Expression },
    /// Report usage each calendar period within a delay after it ends.
    Report {
        every: Period,
        within: Duration,
        to: Option<Expression>,
    },
    /// Notify an agency within a delay.
    Notify {
        whom: Expression,
        within: Duration,
        about: Option<String>,
    },
}

/// A typed expression.
#[derive(Clone, Debug)]
pub struct Expression {
    pub kind: ExpressionKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExpressionKind {
    Constant(Value),
    /// A pack's parameter, with the value the model sets (or its default).
    Parameter {
        name: String,
        value: Value,
    },
    /// The variable bound at this depth: 0 is the rule's, 1 the first aggregate's, ...
    Variable(usize),
    Field(Box<Expression>, Field),
    /// A named entry of a declaration: `o.buyer.fact.board_approval`, `c.clause.warranty`.
    Named(Box<Expression>, Entries, String),
    Unary(UnaryOperator, Box<Expression>),
    Binary(Operator, Box<Expression>, Box<Expression>),
    In(Box<Expression>, Vec<Expression>),
    Exists(Box<Expression>),
    /// Great-circle distance between two agencies' locations.
    Distance(Box<Expression>, Box<Expression>),
    /// Over permitted orders, in date order, up to the one being judged; or, with a
    /// `collection`, over the lines or access instruments of an order, or the fees of an access
    /// instrument.
    Aggregate {
        function: Aggregate,
        value: Option<Box<Expression>>,
        /// What it goes through: orders, or the lines, access instruments or fees of the
        /// `collection`.
        members: Entity,
        /// The order or instrument whose lines, instruments or fees are gone through.
        collection: Option<Box<Expression>>,
        filter: Option<Box<Expression>>,
        /// How to keep the aggregate as running totals, when its filter allows.
        index: Option<AggregateIndex>,
    },
}

/// An aggregate whose filter is equalities between the summed order and the rule's own variables
/// (`p.buyer == o.buyer`), and conditions on the summed order alone: evaluation keeps its totals
/// per key as orders are permitted, so each lookup is a hash lookup, not a scan of every order.
#[derive(Clone, Debug)]
pub struct AggregateIndex {
    /// Unique among the model's aggregates.
    pub id: usize,
    /// Each equality: the side that reads the summed order, and the side that reads the rule's
    /// variables.
    pub keys: Vec<(Expression, Expression)>,
    /// The conditions on the summed order alone.
    pub residual: Vec<Expression>,
}

/// A binary operator, as typed: comparisons and arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    And,
    Or,
    Compare(Comparison),
    Add,
    Subtract,
    Multiply,
    Divide,
    /// `95% of x`
    PercentOf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Equal,
    NotEqual,
    Less,
    AtMost,
    Greater,
    AtLeast,
}

/// A value computed by an expression. `Absent` is what a missing fact or field gives: every
/// comparison with it is false, and `exists` tells it apart.
///
/// A value is `Copy`: text is interned and what a declaration records is named by where it is,
/// so that evaluating a rule copies values and never allocates or frees one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Absent,
    Boolean(bool),
    Number(Decimal),
    Percentage(Decimal),
    Money(Money),
    Quantity {
        count: Decimal,
        unit: Ustr,
    },
    Date(Date),
    Duration(Duration),
    /// The time between two dates, compared with durations by the calendar from its start.
    Interval {
        start: Date,
        end: Date,
    },
    /// Kilometres.
    Distance(Decimal),
    Text(Ustr),
    Jurisdiction(Ustr),
    Location {
        latitude: f64,
        longitude: f64,
    },
    Agency(AgencyId),
    Solicitation(SolicitationId),
    Contract(ContractId),
    Access(InstrumentId),
    Order(OrderId),
    /// A binding, by its index in the evaluation's list.
    Binding(usize),
    /// A line of an order, by its position among the order's lines.
    Line(OrderId, usize),
    /// A fee of an access instrument, by its position among the instrument's fees.
    Fee(InstrumentId, usize),
    /// A lot of a solicitation, by its position among the solicitation's lots.
    Lot(SolicitationId, usize),
    /// The mini-competition an order was awarded by.
    Competition(OrderId),
    /// A value of a closed set, by its spelling.
    Enumeration(Enumeration, &'static str),
    /// Several values of one set, comma-separated (an agency of several kinds): `==` holds for
    /// each of them, `in` when one is among the candidates.
    Several(Enumeration, Ustr),
    /// A jurisdiction group, by its index in `Model::groups`.
    Group(usize),
    /// The members of a jurisdiction group on a date, comma-separated: what `in [EU]` reads. A
    /// jurisdiction is in it when it is within one of them.
    Jurisdictions(Ustr),
    Term {
        start: Date,
        end: Date,
    },
    /// A fact, clause or entry a declaration records, read through the model.
    Recorded(Recorded),
}

/// Where a declaration records what `x.fact.NAME`, `c.clause.NAME`, `o.requests.NAME` or
/// `a.member_of.NAME` reads: the declaration (its entity and index) and the entry's position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// `fact NAME [DATE] ["text"] [amount]` of a declaration.
    Fact {
        entity: Entity,
        declaration: usize,
        position: usize,
    },
    /// `clause NAME "text"` of a contract or an access instrument.
    Clause {
        entity: Entity,
        declaration: usize,
        position: usize,
    },
    /// An entry with nothing but its name: a clause requested, a program joined.
    Stated,
}

/// Why two values could not be combined at evaluation: different currencies or units, which
/// the checker can only rule out between literals.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch(pub String);

/// Kilometres in a statute mile.
pub const KILOMETRES_PER_MILE: Decimal = Decimal::from_parts(1_609_344, 0, 0, false, 6);

impl Expression {
    /// The expressions directly inside this one.
    pub fn children(&self) -> Vec<&Expression> {
        match &self.kind {
            ExpressionKind::Constant(_)
            | ExpressionKind::Parameter { .. }
            | ExpressionKind::Variable(_) => Vec::new(),
            ExpressionKind::Field(owner, _)
            | ExpressionKind::Named(owner, _, _)
            | ExpressionKind::Unary(_, owner)
            | ExpressionKind::Exists(owner) => vec![owner],
            ExpressionKind::Binary(_, left, right) | ExpressionKind::Distance(left, right) => {
                vec![left, right]
            }
            ExpressionKind::In(element, candidates) => {
                std::iter::once(&**element).chain(candidates).collect()
            }
            ExpressionKind::Aggregate {
                value,
                collection,
                filter,
                ..
            } => value
                .iter()
                .chain(collection)
                .chain(filter)
                .map(|part| &**part)
                .collect(),
        }
    }

    /// Calls `visitor` on this expression and on every expression inside it.
    pub fn visit(&self, visitor: &mut dyn FnMut(&Expression)) {
        visitor(self);
        for child in self.children() {
            child.visit(visitor);
        }
    }

    /// The terms of a conjunction: `a and (b and c)` is `[a, b, c]`; anything else is itself.
    pub fn conjuncts(&self) -> Vec<&Expression> {
        match &self.kind {
            ExpressionKind::Binary(Operator::And, left, right) => {
                let mut terms = left.conjuncts();
                terms.extend(right.conjuncts());
                terms
            }
            _ => vec![self],
        }
    }
}

impl Value {
    /// The value naming a declaration of a declared entity, by its index among those of its
    /// kind.
    pub fn declared(entity: Entity, index: usize) -> Value {
        match entity {
            Entity::Agency => Value::Agency(AgencyId(index)),
            Entity::Solicitation => Value::Solicitation(SolicitationId(index)),
            Entity::Contract => Value::Contract(ContractId(index)),
            Entity::Access => Value::Access(InstrumentId(index)),
            Entity::Order => Value::Order(OrderId(index)),
            Entity::Binding => Value::Binding(index),
            Entity::Line | Entity::Fee | Entity::Lot => {
                unreachable!("lines, fees and lots are not declared by name")
            }
        }
    }

    /// The entity and index of the declaration a value names; `None` for any other value.
    pub fn declaration(&self) -> Option<(Entity, usize)> {
        Some(match self {
            Value::Agency(id) => (Entity::Agency, id.0),
            Value::Solicitation(id) => (Entity::Solicitation, id.0),
            Value::Contract(id) => (Entity::Contract, id.0),
            Value::Access(id) => (Entity::Access, id.0),
            Value::Order(id) => (Entity::Order, id.0),
            Value::Binding(index) => (Entity::Binding, *index),
            _ => return None,
        })
    }

    /// Whether the value is the condition `true`.
    pub fn is_true(&self) -> bool {
        matches!(self, Value::Boolean(true))
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Absent)
    }

    /// Compares two values; `Ok(None)` when either is absent or they have no order (agencies are
    /// equal or not, never less), `Err` when their currencies or units differ.
    pub fn compare(&self, other: &Value) -> Result<Option<Ordering>, Mismatch> {
        use Value::*;
        let (left, right) = aligned(self, other);
        Ok(match (left.as_ref(), right.as_ref()) {
            (Absent, _) | (_, Absent) => None,
            (Number(a), Number(b))
            | (Percentage(a), Percentage(b))
            | (Distance(a), Distance(b)) => Some(a.cmp(b)),
            (Money(a), Money(b)) => {
                if a.currency != b.currency {
                    return Err(Mismatch(format!("{a} and {b} are in different currencies")));
                }
                Some(a.amount.cmp(&b.amount))
            }
            (Quantity { count: a, unit: x }, Quantity { count: b, unit: y }) => {
                if x != y {
                    return Err(Mismatch(format!(
                        "{} {x} and {} {y} count different things",
                        format_quantity(*a),
                        format_quantity(*b)
                    )));
                }
                Some(a.cmp(b))
            }
            (Money(money), Quantity { count, unit }) | (Quantity { count, unit }, Money(money)) => {
                return Err(Mismatch(format!(
                    "{money} is money and {} {unit} a quantity",
                    format_quantity(*count)
                )));
            }
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (Duration(a), Duration(b)) => compare_durations(*a, *b),
            (Interval { start, end }, Duration(duration)) => {
                duration.after(*start).map(|limit| end.cmp(&limit))
            }
            (Duration(duration), Interval { start, end }) => {
                duration.after(*start).map(|limit| limit.cmp(end))
            }
            (Interval { start: a, end: b }, Interval { start: c, end: d }) => {
                Some((*b - *a).cmp(&(*d - *c)))
            }
            (Boolean(a), Boolean(b)) => Some(a.cmp(b)),
            (Text(a), Text(b)) | (Jurisdiction(a), Jurisdiction(b)) => {
                (a == b).then_some(Ordering::Equal)
            }
            (Several(_, several), Enumeration(_, one))
            | (Enumeration(_, one), Several(_, several)) => several
                .split(',')
                .any(|value| value == *one)
                .then_some(Ordering::Equal),
            (Several(_, left), Several(_, right)) => left
                .split(',')
                .any(|value| right.split(',').any(|other| other == value))
                .then_some(Ordering::Equal),
            (a, b) => (a == b).then_some(Ordering::Equal),
        })
    }

    /// Whether `self == other` holds; a jurisdiction equals a wider one that holds it (`US-WA`
    /// is in `US`) only through `in`, never through `==`.
    pub fn equals(&self, other: &Value) -> Result<bool, Mismatch> {
        use Value::*;
        // What rules compare most, a closed set's value or a declaration, is equal exactly when
        // it is the same; only amounts need `compare`'s care with currencies, units and zero.
        Ok(match (self, other) {
            (Absent, _) | (_, Absent) => false,
            (Enumeration(_, a), Enumeration(_, b)) => a == b,
            (Boolean(a), Boolean(b)) => a == b,
            (Text(a), Text(b)) | (Jurisdiction(a), Jurisdiction(b)) => a == b,
            (Agency(a), Agency(b)) => a == b,
            (Contract(a), Contract(b)) => a == b,
            (Access(a), Access(b)) => a == b,
            (Order(a), Order(b)) => a == b,
            (Date(a), Date(b)) => a == b,
            _ => self.compare(other)? == Some(Ordering::Equal),
        })
    }

    /// Whether the value is one of `candidates`; a jurisdiction is in a wider one that holds it.
    pub fn is_in(&self, candidates: &[Value]) -> Result<bool, Mismatch> {
        for candidate in candidates {
            let found = match (self, candidate) {
                (Value::Jurisdiction(code), Value::Jurisdiction(area)) => {
                    super::jurisdiction_within(code, area)
                }
                // Split as bytes: a group's members are read for every order a rule about
                // them judges, and a character search costs several times as much.
                (Value::Jurisdiction(code), Value::Jurisdictions(areas)) => areas
                    .as_bytes()
                    .split(|byte| *byte == b',')
                    .any(|area| super::jurisdiction_bytes_within(code.as_bytes(), area)),
                _ => self.equals(candidate)?,
            };
            if found {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The result of an arithmetic operator: `Absent` when an operand is absent, and `Err` when
    /// it cannot be computed (currencies or units that differ, a division by zero, a number past
    /// what a decimal holds, a date past the year 9999), so that a rule reading it is reported as
    /// undecided instead of deciding on a made-up value.
    pub fn arithmetic(operator: Operator, left: &Value, right: &Value) -> Result<Value, Mismatch> {
        let value = Value::compute(operator, left, right)?;
        let beyond = match &value {
            Value::Number(number) | Value::Percentage(number) | Value::Distance(number) => {
                number.abs() == Decimal::MAX
            }
            Value::Money(money) => money.amount.abs() == Decimal::MAX,
            Value::Quantity { count, .. } => count.abs() == Decimal::MAX,
            Value::Date(date) => chrono::Datelike::year(date) > 9999,
            _ => false,
        };
        if beyond {
            return Err(Mismatch(format!(
                "{left} {} {right} is beyond what Coop computes with",
                operator.symbol()
            )));
        }
        if value.is_absent()
            && matches!(operator, Operator::Divide)
            && matches!(right, Value::Number(divisor) if divisor.is_zero())
                | matches!(right, Value::Money(divisor) if divisor.amount.is_zero())
        {
            return Err(Mismatch(format!("{left} is divided by zero")));
        }
        Ok(value)
    }

    fn compute(operator: Operator, left: &Value, right: &Value) -> Result<Value, Mismatch> {
        use Value::*;
        if left.is_absent() || right.is_absent() {
            return Ok(Absent);
        }
        let (left, right) = aligned(left, right);
        let (left, right) = (left.as_ref(), right.as_ref());
        let value = match (operator, left, right) {
            (Operator::Add, Number(a), Number(b)) => Number(a.saturating_add(*b)),
            (Operator::Subtract, Number(a), Number(b)) => Number(a.saturating_sub(*b)),
            (Operator::Multiply, Number(a), Number(b)) => Number(a.saturating_mul(*b)),
            (Operator::Divide, Number(a), Number(b)) => divide(*a, *b).map_or(Absent, Number),
            (Operator::Add, Percentage(a), Percentage(b)) => Percentage(a.saturating_add(*b)),
            (Operator::Subtract, Percentage(a), Percentage(b)) => Percentage(a.saturating_sub(*b)),
            (Operator::Add | Operator::Subtract, Money(a), Money(b)) => {
                if a.currency != b.currency {
                    return Err(Mismatch(format!("{a} and {b} are in different currencies")));
                }
                let amount = if operator == Operator::Add {
                    a.amount.saturating_add(b.amount)
                } else {
                    a.amount.saturating_sub(b.amount)
                };
                Money(crate::values::Money::new(a.currency, amount))
            }
            (
                Operator::Add | Operator::Subtract,
                Quantity { count: a, unit: x },
                Quantity { count: b, unit: y },
            ) => {
                if x != y {
                    return Err(Mismatch(format!("{x} and {y} count different things")));
                }
                let count = if operator == Operator::Add {
                    a.saturating_add(*b)
                } else {
                    a.saturating_sub(*b)
                };
                Quantity { count, unit: *x }
            }
            (Operator::Multiply, Money(money), Number(factor))
            | (Operator::Multiply, Number(factor), Money(money)) => Money(
                crate::values::Money::new(money.currency, money.amount.saturating_mul(*factor)),
            ),
            (Operator::Divide, Money(money), Number(divisor)) => divide(money.amount, *divisor)
                .map_or(Absent, |amount| {
                    Money(crate::values::Money::new(money.currency, amount))
                }),
            (Operator::Divide, Money(a), Money(b)) => {
                if a.currency != b.currency {
                    return Err(Mismatch(format!("{a} and {b} are in different currencies")));
                }
                divide(a.amount, b.amount).map_or(Absent, Number)
            }
            (Operator::Multiply, Quantity { count, unit }, Number(factor))
            | (Operator::Multiply, Number(factor), Quantity { count, unit }) => Quantity {
                count: count.saturating_mul(*factor),
                unit: *unit,
            },
            (Operator::PercentOf, Percentage(rate), Money(money)) => Money(
                crate::values::Money::new(money.currency, percent(*rate, money.amount)),
            ),
            (Operator::PercentOf, Percentage(rate), Quantity { count, unit }) => Quantity {
                count: percent(*rate, *count),
                unit: *unit,
            },
            (Operator::PercentOf, Percentage(rate), Number(number)) => {
                Number(percent(*rate, *number))
            }
            (Operator::Add, Date(date), Duration(duration))
            | (Operator::Add, Duration(duration), Date(date)) => {
                duration.after(*date).map_or(Absent, Date)
            }
            (Operator::Subtract, Date(date), Duration(duration)) => {
                before(*date, *duration).map_or(Absent, Date)
            }
            (Operator::Subtract, Date(end), Date(start)) => Interval {
                start: *start,
                end: *end,
            },
            (Operator::Add, Distance(a), Distance(b)) => Distance(a.saturating_add(*b)),
            (Operator::Subtract, Distance(a), Distance(b)) => Distance(a.saturating_sub(*b)),
            (Operator::Multiply, Distance(distance), Number(factor))
            | (Operator::Multiply, Number(factor), Distance(distance)) => {
                Distance(distance.saturating_mul(*factor))
            }
            _ => Absent,
        };
        Ok(value)
    }
}

impl Operator {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::And => "and",
            Operator::Or => "or",
            Operator::Compare(Comparison::Equal) => "==",
            Operator::Compare(Comparison::NotEqual) => "!=",
            Operator::Compare(Comparison::Less) => "<",
            Operator::Compare(Comparison::AtMost) => "<=",
            Operator::Compare(Comparison::Greater) => ">",
            Operator::Compare(Comparison::AtLeast) => ">=",
            Operator::Add => "+",
            Operator::Subtract => "-",
            Operator::Multiply => "*",
            Operator::Divide => "/",
            Operator::PercentOf => "of",
        }
    }
}

/// A sum over no order is a plain zero; next to an amount, it is zero of that amount's kind, so
/// that `sum(...) <= USD 100.00` holds when nothing was summed.
fn aligned<'v>(left: &'v Value, right: &'v Value) -> (Cow<'v, Value>, Cow<'v, Value>) {
    let zero_like = |zero: &Value, other: &Value| match (zero, other) {
        (Value::Number(number), Value::Money(money)) if number.is_zero() => {
            Some(Value::Money(Money::new(money.currency, Decimal::ZERO)))
        }
        (Value::Number(number), Value::Quantity { unit, .. }) if number.is_zero() => {
            Some(Value::Quantity {
                count: Decimal::ZERO,
                unit: *unit,
            })
        }
        (Value::Number(number), Value::Distance(_)) if number.is_zero() => {
            Some(Value::Distance(Decimal::ZERO))
        }
        _ => None,
    };
    match (zero_like(left, right), zero_like(right, left)) {
        (Some(left), _) => (Cow::Owned(left), Cow::Borrowed(right)),
        (_, Some(right)) => (Cow::Borrowed(left), Cow::Owned(right)),
        _ => (Cow::Borrowed(left), Cow::Borrowed(right)),
    }
}

fn divide(dividend: Decimal, divisor: Decimal) -> Option<Decimal> {
    dividend.checked_div(divisor)
}

fn percent(rate: Decimal, amount: Decimal) -> Decimal {
    amount.saturating_mul(rate) / Decimal::ONE_HUNDRED
}

/// The date a duration before `date`.
fn before(date: Date, duration: Duration) -> Option<Date> {
    use chrono::{Days, Months};
    match duration.unit {
        DurationUnit::Day => date.checked_sub_days(Days::new(duration.count.into())),
        DurationUnit::Week => date.checked_sub_days(Days::new(u64::from(duration.count) * 7)),
        DurationUnit::Month => date.checked_sub_months(Months::new(duration.count)),
        DurationUnit::Year => date.checked_sub_months(Months::new(duration.count.checked_mul(12)?)),
    }
}

/// Durations in the same kind of unit compare exactly; a count of days against a count of
/// months compares by the calendar from 2000-01-01, a leap year's start.
fn compare_durations(a: Duration, b: Duration) -> Option<Ordering> {
    let anchor = Date::from_ymd_opt(2000, 1, 1)?;
    Some(a.after(anchor)?.cmp(&b.after(anchor)?))
}

/// Applies a comparison: false whenever a side is absent.
pub fn compare(comparison: Comparison, left: &Value, right: &Value) -> Result<bool, Mismatch> {
    use std::cmp::Ordering::*;
    Ok(match comparison {
        Comparison::Equal => left.equals(right)?,
        // The negation of `==`: a category that is not stated is not construction.
        Comparison::NotEqual => !left.equals(right)?,
        ordering => match left.compare(right)? {
            None => false,
            Some(found) => match ordering {
                Comparison::Less => found == Less,
                Comparison::AtMost => found != Greater,
                Comparison::Greater => found == Greater,
                _ => found != Less,
            },
        },
    })
}

impl fmt::Display for Value {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Absent => write!(formatter, "not stated"),
            Value::Boolean(value) => write!(formatter, "{}", if *value { "true" } else { "false" }),
            Value::Number(number) => write!(formatter, "{}", format_quantity(*number)),
            Value::Percentage(rate) => write!(formatter, "{}", format_percentage(*rate)),
            Value::Money(money) => {
                write!(
                    formatter,
                    "{}",
                    Money::in_cents(money.currency, money.amount)
                )
            }
            Value::Quantity { count, unit } => {
                write!(formatter, "{} {unit}", format_quantity(*count))
            }
            Value::Date(date) => write!(formatter, "{date}"),
            Value::Duration(duration) => write!(formatter, "{duration}"),
            Value::Interval { start, end } => {
                write!(formatter, "{} days", (*end - *start).num_days())
            }
            Value::Distance(kilometres) => {
                let miles = kilometres / KILOMETRES_PER_MILE;
                write!(
                    formatter,
                    "{} km ({} mi)",
                    format_quantity(kilometres.round_dp(1)),
                    format_quantity(miles.round_dp(1))
                )
            }
            Value::Text(text) | Value::Jurisdiction(text) => write!(formatter, "{text}"),
            Value::Location {
                latitude,
                longitude,
            } => write!(formatter, "{latitude}, {longitude}"),
            Value::Enumeration(_, spelling) => write!(formatter, "{spelling}"),
            Value::Several(_, values) => write!(formatter, "{}", values.replace(',', " and ")),
            Value::Jurisdictions(codes) => write!(formatter, "{}", codes.replace(',', ", ")),
            Value::Group(_) => write!(formatter, "(group)"),
            Value::Term { start, end } => write!(formatter, "{start} to {end}"),
            // Declarations and what they record are named by the evaluator, which knows the model.
            Value::Recorded(_) => write!(formatter, "recorded"),
            Value::Agency(_)
            | Value::Solicitation(_)
            | Value::Contract(_)
            | Value::Access(_)
            | Value::Order(_)
            | Value::Binding(_)
            | Value::Line(..)
            | Value::Fee(..)
            | Value::Lot(..)
            | Value::Competition(_) => write!(formatter, "(declaration)"),
        }
    }
}
