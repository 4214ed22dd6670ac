//! The one interpreter of expressions. What an expression reads (its variables, the fields of the
//! model, aggregates over orders) comes from an [`Environment`]: evaluation's knows the model
//! and the orders judged so far; checking's knows only literals and parameters, so that folding
//! constants is this same interpreter run over constants.

use rust_decimal::Decimal;

use super::rules::{
    Aggregate, Entries, Expression, ExpressionKind, Field, Mismatch, Operator, UnaryOperator,
    Value, compare,
};
use crate::values::Money;

/// Why an expression has no value.
#[derive(Clone, Debug, PartialEq)]
pub enum Stuck {
    /// It cannot be computed: amounts in different currencies or units, a division by zero, a
    /// number past what a decimal holds.
    Undecided(Mismatch),
    /// It reads something the environment does not know: the model, when folding constants.
    NotConstant,
}

/// What an expression reads: its variables, fields, named entries, distances and aggregates.
pub trait Environment {
    /// The variable bound at `depth` (0 is the rule's own).
    fn variable(&self, depth: usize, variables: &[Value]) -> Result<Value, Stuck>;

    fn field(&self, owner: &Value, field: Field) -> Result<Value, Stuck>;

    fn entry(&self, owner: &Value, entries: Entries, name: &str) -> Result<Value, Stuck>;

    /// The great-circle distance between two places (agencies or locations).
    fn distance(&self, from: &Value, to: &Value) -> Result<Value, Stuck>;

    /// An aggregate: `sum`, `count`, `any` or `all`, over orders or over a collection.
    fn aggregate(
        &self,
        expression: &Expression,
        variables: &mut Vec<Value>,
    ) -> Result<Value, Stuck>;
}

impl From<Mismatch> for Stuck {
    fn from(mismatch: Mismatch) -> Stuck {
        Stuck::Undecided(mismatch)
    }
}

/// Evaluates an expression with the variables bound so far.
pub fn evaluate(
    environment: &impl Environment,
    expression: &Expression,
    variables: &mut Vec<Value>,
) -> Result<Value, Stuck> {
    Ok(match &expression.kind {
        ExpressionKind::Constant(value) | ExpressionKind::Parameter { value, .. } => *value,
        ExpressionKind::Variable(depth) => environment.variable(*depth, variables)?,
        ExpressionKind::Field(owner, field) => match &owner.kind {
            // A variable's field is read where the variable is bound, not from a copy of it.
            ExpressionKind::Variable(depth) if *depth < variables.len() => {
                environment.field(&variables[*depth], *field)?
            }
            _ => {
                let owner = operand(environment, owner, variables)?;
                environment.field(&owner, *field)?
            }
        },
        ExpressionKind::Named(owner, entries, name) => {
            let owner = operand(environment, owner, variables)?;
            environment.entry(&owner, *entries, name)?
        }
        ExpressionKind::Unary(UnaryOperator::Not, operand) => {
            match self::operand(environment, operand, variables)? {
                Value::Boolean(value) => Value::Boolean(!value),
                // Only a condition is negated; typing sees to that, and anything else is not
                // true, so its negation holds.
                _ => Value::Boolean(true),
            }
        }
        ExpressionKind::Unary(UnaryOperator::Negate, operand) => {
            negate(evaluate(environment, operand, variables)?)
        }
        // A side that settles `and` or `or` settles it even when the other side cannot be
        // decided: `far or small` holds for a small order in another currency.
        ExpressionKind::Binary(Operator::And, left, right) => {
            let left = operand(environment, left, variables);
            if matches!(left, Ok(ref value) if !value.is_true()) {
                return Ok(Value::Boolean(false));
            }
            let right = operand(environment, right, variables);
            if matches!(right, Ok(ref value) if !value.is_true()) {
                return Ok(Value::Boolean(false));
            }
            left?;
            right?;
            Value::Boolean(true)
        }
        ExpressionKind::Binary(Operator::Or, left, right) => {
            let left = operand(environment, left, variables);
            if matches!(left, Ok(Value::Boolean(true))) {
                return Ok(Value::Boolean(true));
            }
            let right = operand(environment, right, variables);
            if matches!(right, Ok(Value::Boolean(true))) {
                return Ok(Value::Boolean(true));
            }
            left?;
            right?;
            Value::Boolean(false)
        }
        ExpressionKind::Binary(Operator::Compare(comparison), left, right) => {
            let left = operand(environment, left, variables)?;
            let right = operand(environment, right, variables)?;
            Value::Boolean(compare(*comparison, &left, &right)?)
        }
        ExpressionKind::Binary(operator, left, right) => {
            let left = operand(environment, left, variables)?;
            let right = operand(environment, right, variables)?;
            Value::arithmetic(*operator, &left, &right)?
        }
        ExpressionKind::In(element, candidates) => {
            let element = operand(environment, element, variables)?;
            // Written-out candidates (a list of jurisdictions, of kinds) are compared where they
            // stand, not copied for every order.
            for candidate in candidates {
                let found = match &candidate.kind {
                    ExpressionKind::Constant(value) => {
                        element.is_in(std::slice::from_ref(value))?
                    }
                    _ => element.is_in(&[evaluate(environment, candidate, variables)?])?,
                };
                if found {
                    return Ok(Value::Boolean(true));
                }
            }
            Value::Boolean(false)
        }
        ExpressionKind::Exists(operand) => {
            Value::Boolean(!self::operand(environment, operand, variables)?.is_absent())
        }
        ExpressionKind::Distance(from, to) => {
            let from = evaluate(environment, from, variables)?;
            let to = evaluate(environment, to, variables)?;
            environment.distance(&from, &to)?
        }
        ExpressionKind::Aggregate { .. } => environment.aggregate(expression, variables)?,
    })
}

/// An operand's value: a constant, or a field of a variable read where the variable is bound,
/// without a call of [`evaluate`] (most operands in rules are such: `o.date`, `l.contract_price`,
/// a limit); anything else computed.
#[inline(always)]
fn operand(
    environment: &impl Environment,
    expression: &Expression,
    variables: &mut Vec<Value>,
) -> Result<Value, Stuck> {
    match &expression.kind {
        ExpressionKind::Constant(value) | ExpressionKind::Parameter { value, .. } => Ok(*value),
        ExpressionKind::Field(owner, field) => match &owner.kind {
            ExpressionKind::Variable(depth) if *depth < variables.len() => {
                environment.field(&variables[*depth], *field)
            }
            _ => evaluate(environment, expression, variables),
        },
        _ => evaluate(environment, expression, variables),
    }
}

/// What an aggregate has found so far: the members gone through, those its filter admitted,
/// and the sum of their values.
#[derive(Clone, Debug, Default)]
pub struct Found {
    pub members: u64,
    pub admitted: u64,
    pub total: Option<Value>,
}

impl Found {
    /// Goes through `members` (orders, lines, fees), each bound as the innermost variable, and
    /// adds those the filter admits.
    pub fn add_up(
        &mut self,
        environment: &impl Environment,
        function: Aggregate,
        value: Option<&Expression>,
        filter: Option<&Expression>,
        members: impl Iterator<Item = Value>,
        variables: &mut Vec<Value>,
    ) -> Result<(), Stuck> {
        for member in members {
            variables.push(member);
            let result = self.add_one(environment, function, value, filter, variables);
            variables.pop();
            result?;
        }
        Ok(())
    }

    fn add_one(
        &mut self,
        environment: &impl Environment,
        function: Aggregate,
        value: Option<&Expression>,
        filter: Option<&Expression>,
        variables: &mut Vec<Value>,
    ) -> Result<(), Stuck> {
        self.members += 1;
        if let Some(filter) = filter
            && evaluate(environment, filter, variables)? != Value::Boolean(true)
        {
            return Ok(());
        }
        self.admitted += 1;
        if function == Aggregate::Sum
            && let Some(value) = value
        {
            let added = evaluate(environment, value, variables)?;
            if added.is_absent() {
                return Ok(());
            }
            self.total = Some(match self.total.take() {
                None => added,
                Some(sum) => Value::arithmetic(Operator::Add, &sum, &added)?,
            });
        }
        Ok(())
    }

    /// The aggregate's value.
    pub fn value(self, function: Aggregate) -> Value {
        match function {
            Aggregate::Count => Value::Number(Decimal::from(self.admitted)),
            // A sum over nothing is zero, which compares and adds as zero of any amount.
            Aggregate::Sum => self.total.unwrap_or(Value::Number(Decimal::ZERO)),
            Aggregate::Any => Value::Boolean(self.admitted > 0),
            Aggregate::All => Value::Boolean(self.admitted == self.members),
        }
    }
}

/// Literals and parameters: what checking knows. Folding an expression is evaluating it here;
/// anything that reads the model is not constant.
pub struct Constants;

impl Environment for Constants {
    fn variable(&self, _: usize, _: &[Value]) -> Result<Value, Stuck> {
        Err(Stuck::NotConstant)
    }

    fn field(&self, _: &Value, _: Field) -> Result<Value, Stuck> {
        Err(Stuck::NotConstant)
    }

    fn entry(&self, _: &Value, _: Entries, _: &str) -> Result<Value, Stuck> {
        Err(Stuck::NotConstant)
    }

    fn distance(&self, _: &Value, _: &Value) -> Result<Value, Stuck> {
        Err(Stuck::NotConstant)
    }

    fn aggregate(&self, _: &Expression, _: &mut Vec<Value>) -> Result<Value, Stuck> {
        Err(Stuck::NotConstant)
    }
}

/// The value of an expression made of literals and parameters alone, or `None` when it reads
/// the model or cannot be computed.
pub fn fold(expression: &Expression) -> Option<Value> {
    evaluate(&Constants, expression, &mut Vec::new()).ok()
}

/// The value of an expression made of literals alone, not parameters (which a model may set), or
/// `None`.
pub fn fold_literals(expression: &Expression) -> Option<Value> {
    let mut parameters = false;
    expression.visit(&mut |node| {
        parameters |= matches!(node.kind, ExpressionKind::Parameter { .. });
    });
    if parameters { None } else { fold(expression) }
}

fn negate(value: Value) -> Value {
    match value {
        Value::Number(number) => Value::Number(-number),
        Value::Percentage(rate) => Value::Percentage(-rate),
        Value::Distance(distance) => Value::Distance(-distance),
        Value::Money(money) => Value::Money(Money::new(money.currency, -money.amount)),
        Value::Quantity { count, unit } => Value::Quantity {
            count: -count,
            unit,
        },
        _ => Value::Absent,
    }
}
