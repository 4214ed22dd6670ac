//! Lowering: pest pairs to the typed syntax tree, one function per grammar rule.
//!
//! The grammar guarantees the shape of the pairs, so a pair of an unexpected rule is a bug in
//! this file (a `panic!` naming the rule), never a user error. Values that the grammar accepts but
//! the calendar or the decimal type cannot hold (2025-02-30, a 40-digit number) become diagnostics.

use pest::iterators::{Pair, Pairs};
use std::sync::LazyLock;

use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;

use super::ast::*;
use super::parser::Rule;
use super::problems::SyntaxProblem;
use crate::diagnostic::Diagnostic;
use crate::schema::Entity;
use crate::source::{FileId, Span, Spanned};
use crate::values::{Date, Duration, DurationUnit, LARGEST_AMOUNT, Money};

/// Lowers the `file` pair of one file, collecting every diagnostic about literal values.
pub(super) fn lower_file(file: FileId, pair: Pair<'_, Rule>) -> (File, Vec<Diagnostic>) {
    lower_part(file, pair, 0)
}

/// Lowers the `file` pair parsed from the part of a file's text that starts at `offset`.
pub(super) fn lower_part(
    file: FileId,
    pair: Pair<'_, Rule>,
    offset: usize,
) -> (File, Vec<Diagnostic>) {
    let mut lowerer = Lowerer {
        file,
        offset,
        diagnostics: Vec::new(),
    };
    let mut tree = File::empty(file);
    for pair in pair.into_inner() {
        match pair.as_rule() {
            Rule::EOI => {}
            Rule::use_declaration => match lowerer.use_declaration(pair) {
                Ok(used) => tree.uses.push(used),
                Err(pack) => tree.rule_packs.push(pack),
            },
            Rule::ledger_declaration => tree.ledgers.push(lowerer.ledger_declaration(pair)),
            Rule::test_declaration => tree.tests.push(lowerer.test(pair)),
            Rule::waive_declaration => tree.waivers.push(lowerer.waiver(pair)),
            Rule::pack_header => {
                let mut inner = pair.into_inner();
                let _keyword = inner.next();
                let title = lowerer.string(next(&mut inner));
                tree.pack.get_or_insert(title);
                if let Some(in_force) = inner.next() {
                    let in_force = lowerer.in_force(in_force);
                    tree.pack_in_force.get_or_insert(in_force);
                }
            }
            Rule::parameter => tree.parameters.push(lowerer.parameter(pair)),
            Rule::rule_block => tree.rules.push(lowerer.rule(pair)),
            Rule::definition => tree.definitions.push(lowerer.definition(pair)),
            Rule::group => tree.groups.push(lowerer.group(pair)),
            _ => tree.declarations.push(lowerer.declaration(pair)),
        }
    }
    (tree, lowerer.diagnostics)
}

/// Parses `written`, which stands at `start` in `file`, as one expression: a pack parameter's
/// value in `coop.toml`. Its spans are where it stands in that file.
pub(super) fn setting_value(
    file: FileId,
    name: &str,
    written: &str,
    start: usize,
) -> Result<Expression, Vec<Diagnostic>> {
    let span = Span::new(file, start, start + written.len());
    if let Some(bracket) = super::limits::nesting_too_deep(file, written) {
        return Err(vec![Diagnostic::of(
            SyntaxProblem::BracketsTooDeep,
            shifted(bracket, start),
        )]);
    }
    let Ok(mut pairs) =
        <super::parser::CoopParser as pest::Parser<Rule>>::parse(Rule::lone_expression, written)
    else {
        return Err(vec![Diagnostic::of(
            SyntaxProblem::NotASettingValue { name, written },
            span,
        )]);
    };
    let mut lowerer = Lowerer {
        file,
        offset: start,
        diagnostics: Vec::new(),
    };
    let lone = next(&mut pairs);
    let expression = lowerer.expression(next(&mut lone.into_inner()));
    if lowerer.diagnostics.is_empty() {
        Ok(expression)
    } else {
        Err(lowerer.diagnostics)
    }
}

/// The significant digits a coordinate may have: what a 64-bit float holds exactly.
pub(super) const MOST_COORDINATE_DIGITS: usize = 15;

/// The operators of expressions, loosest first.
static EXPRESSION_OPERATORS: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::kw_or, Assoc::Left))
        .op(Op::infix(Rule::kw_and, Assoc::Left))
        .op(Op::prefix(Rule::kw_not))
        .op(Op::infix(Rule::equals, Assoc::Left)
            | Op::infix(Rule::not_equals, Assoc::Left)
            | Op::infix(Rule::less, Assoc::Left)
            | Op::infix(Rule::at_most, Assoc::Left)
            | Op::infix(Rule::greater, Assoc::Left)
            | Op::infix(Rule::at_least, Assoc::Left))
        .op(Op::postfix(Rule::membership) | Op::postfix(Rule::kw_exists))
        .op(Op::infix(Rule::plus, Assoc::Left) | Op::infix(Rule::minus, Assoc::Left))
        .op(Op::infix(Rule::times, Assoc::Left) | Op::infix(Rule::divided_by, Assoc::Left))
        // `5% of 10% of x` is five percent of ten percent of x.
        .op(Op::infix(Rule::kw_of, Assoc::Right))
        .op(Op::prefix(Rule::negate))
});

struct Lowerer {
    file: FileId,
    /// Added to every span: zero for a file, the place of a message's braces while the
    /// expression in them is lowered from a parse of that text alone.
    offset: usize,
    diagnostics: Vec<Diagnostic>,
}

impl Lowerer {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        shifted(span(self.file, pair), self.offset)
    }

    /// A `use` of a file, or (as the error side) a `use rules` of a rule pack.
    fn use_declaration(&mut self, pair: Pair<'_, Rule>) -> Result<Use, RulePackUse> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let target = next(&mut inner);
        if target.as_rule() == Rule::string {
            return Ok(Use {
                path: self.string(target),
                span,
            });
        }
        let mut parts = target.into_inner();
        let _rules = parts.next();
        let source = next(&mut parts);
        let source = match source.as_rule() {
            Rule::string => RulePackSource::Local(self.string(source)),
            _ => RulePackSource::Shipped(self.name(source)),
        };
        let mut parts = parts.peekable();
        let as_warnings = parts
            .next_if(|part| part.as_rule() == Rule::as_warnings)
            .is_some();
        let settings = parts
            .filter(|part| part.as_rule() == Rule::parameter_setting)
            .map(|setting| {
                let mut inner = setting.into_inner();
                let name = self.name(next(&mut inner));
                let _assign = inner.next();
                let value = self.expression(next(&mut inner));
                ParameterSetting { name, value }
            })
            .collect();
        Err(RulePackUse {
            source,
            as_warnings,
            settings,
            span,
        })
    }

    fn parameter(&mut self, pair: Pair<'_, Rule>) -> Parameter {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let name = self.name(next(&mut inner));
        let _assign = inner.next();
        let value = self.expression(next(&mut inner));
        Parameter { name, value, span }
    }

    /// A rule reads like a declaration, `rule id "title" { fields }`, and holds no facts.
    fn rule(&mut self, pair: Pair<'_, Rule>) -> super::ast::Rule {
        let block = self.block(pair, Self::rule_field);
        super::ast::Rule {
            name: block.name,
            title: block.title.map(|title| *title),
            fields: block.fields,
            span: block.span,
        }
    }

    fn rule_field(&mut self, pair: Pair<'_, Rule>) -> RuleField {
        let rule = pair.as_rule();
        if rule == Rule::in_force_field {
            return RuleField::InForce(self.in_force(pair));
        }
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        match rule {
            Rule::cite_field => RuleField::Cite(self.string(next(&mut inner))),
            Rule::quote_field => {
                let mut strings = Vec::new();
                let mut from = None;
                for part in inner.by_ref() {
                    match part.as_rule() {
                        Rule::string => strings.push(self.string(part)),
                        _ => {
                            from = Some(self.string(next(&mut inner)));
                            break;
                        }
                    }
                }
                let _read = inner.next();
                let read = self.date(next(&mut inner));
                let span = strings
                    .iter()
                    .map(|string| string.span)
                    .reduce(Span::to)
                    .unwrap_or(read.span);
                let words: Vec<&str> = strings.iter().map(|string| string.value.as_str()).collect();
                RuleField::Quote(Quotation {
                    text: Spanned::new(words.join(" "), span),
                    from: from.unwrap_or_else(|| panic!("lowering: a quote without `from`")),
                    read,
                })
            }
            Rule::unquoted_field => {
                let _quoted = inner.next();
                let _because = inner.next();
                RuleField::Unquoted(self.string(next(&mut inner)))
            }

            Rule::scope_field => {
                let kind_pair = next(&mut inner);
                let kind_span = self.span(&kind_pair);
                let kind = match next(&mut kind_pair.into_inner()).as_rule() {
                    Rule::kw_order => Entity::Order,
                    Rule::kw_line => Entity::Line,
                    Rule::kw_contract => Entity::Contract,
                    Rule::kw_solicitation => Entity::Solicitation,
                    Rule::kw_agency => Entity::Agency,
                    Rule::kw_access => Entity::Access,
                    Rule::kw_binding => Entity::Binding,
                    rule => panic!("lowering: unexpected scope {rule:?}"),
                };
                let variable = self.name(next(&mut inner));
                let filter = inner
                    .find(|part| part.as_rule() == Rule::expression)
                    .map(|filter| self.expression(filter));
                RuleField::Scope {
                    kind: Spanned::new(kind, kind_span),
                    variable,
                    filter,
                }
            }
            Rule::require_field => {
                let condition = self.expression(next(&mut inner));
                let _else = inner.next();
                let outcome_pair = next(&mut inner);
                let outcome = match outcome_pair.as_rule() {
                    Rule::kw_deny => Outcome::Deny,
                    _ => Outcome::Warn,
                };
                let outcome = Spanned::new(outcome, self.span(&outcome_pair));
                let message = self.message(next(&mut inner));
                let help = inner.next().map(|help| {
                    let mut parts = help.into_inner();
                    let _keyword = parts.next();
                    self.message(next(&mut parts))
                });
                RuleField::Require {
                    condition,
                    outcome,
                    message,
                    help,
                }
            }
            Rule::oblige_field => {
                let party = self.expression(next(&mut inner));
                let duty = self.duty(next(&mut inner));
                RuleField::Oblige { party, duty }
            }
            Rule::permit_field => {
                let _when = inner.next();
                let condition = inner.next().map(|condition| self.expression(condition));
                let _else = inner.next();
                let otherwise = inner.next().map(|message| self.message(message));
                RuleField::Permit {
                    condition,
                    otherwise,
                }
            }
            Rule::replaces_field => RuleField::Replaces(self.rule_list(next(&mut inner))),
            Rule::waives_field => {
                let rules = self.rule_list(next(&mut inner));
                let _because = inner.next();
                let reason = self.string(next(&mut inner));
                RuleField::Waives { rules, reason }
            }
            // After `responsible`, `alone` or `jointly`; after `not`, `responsible`.
            Rule::responsible_field => {
                let how = next(&mut inner);
                let span = self.span(&how);
                let extent = match how.as_rule() {
                    Rule::kw_alone => Extent::Alone,
                    Rule::kw_jointly => Extent::Jointly,
                    _ => Extent::NotResponsible,
                };
                let _for = inner.next();
                let what = self.message(next(&mut inner));
                RuleField::Responsible {
                    extent: Spanned::new(extent, span),
                    what,
                }
            }
            Rule::precedence_field => {
                let order = next(&mut inner);
                let span = self.span(&order);
                RuleField::Precedence(Spanned::new(
                    match order.as_rule() {
                        Rule::via_over_contract => TermSource::Via,
                        _ => TermSource::Contract,
                    },
                    span,
                ))
            }
            rule => panic!("lowering: unexpected rule field {rule:?}"),
        }
    }

    /// `in_force 2015-07-24 to ...`
    fn in_force(&mut self, pair: Pair<'_, Rule>) -> Spanned<InForce> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let end = |lowerer: &mut Self, pair: Pair<'_, Rule>| match pair.as_rule() {
            Rule::date => Some(lowerer.date(pair).value),
            _ => None,
        };
        let from = end(self, next(&mut inner));
        let _to = inner.next();
        let to = end(self, next(&mut inner));
        Spanned::new(InForce { from, to }, span)
    }

    fn duty(&mut self, pair: Pair<'_, Rule>) -> Duty {
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        match rule {
            Rule::pay_duty => {
                let amount = self.expression(next(&mut inner));
                let _to = inner.next();
                let to = self.expression(next(&mut inner));
                Duty::Pay { amount, to }
            }
            Rule::report_duty => {
                let _usage = inner.next();
                let _every = inner.next();
                let every = self.period(next(&mut inner));
                let _within = inner.next();
                let within = self.duration(next(&mut inner));
                let to = inner
                    .find(|part| part.as_rule() == Rule::expression)
                    .map(|to| self.expression(to));
                Duty::Report { every, within, to }
            }
            Rule::notify_duty => {
                let whom = self.expression(next(&mut inner));
                let _within = inner.next();
                let within = self.duration(next(&mut inner));
                let about = inner.next().map(|about| self.string(about));
                Duty::Notify {
                    whom,
                    within,
                    about,
                }
            }
            rule => panic!("lowering: unexpected duty {rule:?}"),
        }
    }

    /// A message string, with each `{expression}` in it parsed as an expression; `{{` and `}}`
    /// write braces.
    fn message(&mut self, pair: Pair<'_, Rule>) -> Message {
        let span = self.span(&pair);
        let quoted = pair.as_str();
        let body_start = span.start as usize + 1;
        let body = &quoted[1..quoted.len() - 1];
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = body;
        while let Some(open) = rest.find('{') {
            text.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            if let Some(escaped) = after.strip_prefix('{') {
                text.push('{');
                rest = escaped;
                continue;
            }
            let offset = body_start + (body.len() - rest.len()) + open;
            let Some(close) = after.find('}') else {
                self.diagnostics.push(Diagnostic::of(
                    SyntaxProblem::UnclosedMessageValue,
                    Span::new(self.file, offset, offset + 1),
                ));
                rest = after;
                continue;
            };
            parts.push(MessagePart::Text(message_text(&std::mem::take(&mut text))));
            let value_start = offset + 1;
            if let Some(value) = self.interpolated(&after[..close], value_start) {
                parts.push(MessagePart::Value(value));
            }
            rest = &after[close + 1..];
        }
        text.push_str(rest);
        parts.push(MessagePart::Text(message_text(&text)));
        parts.retain(|part| !matches!(part, MessagePart::Text(text) if text.is_empty()));
        Message { parts, span }
    }

    /// Parses the expression in a message's braces on its own, its spans shifted to where it
    /// stands in the file, so that each costs the length of the expression, not of the file.
    fn interpolated(&mut self, written: &str, start: usize) -> Option<Expression> {
        let span = Span::new(self.file, start, start + written.len());
        if let Some(bracket) = super::limits::nesting_too_deep(self.file, written) {
            self.diagnostics.push(Diagnostic::of(
                SyntaxProblem::BracketsTooDeep,
                shifted(bracket, start),
            ));
            return None;
        }
        match <super::parser::CoopParser as pest::Parser<Rule>>::parse(
            Rule::lone_expression,
            written,
        ) {
            Ok(mut pairs) => {
                let lone = next(&mut pairs);
                let outer = std::mem::replace(&mut self.offset, start);
                let expression = self.expression(next(&mut lone.into_inner()));
                self.offset = outer;
                Some(expression)
            }
            Err(_) => {
                self.diagnostics.push(Diagnostic::of(
                    SyntaxProblem::NotAMessageValue { written },
                    span,
                ));
                None
            }
        }
    }

    /// Folds an expression's operators with the Pratt parser.
    fn expression(&mut self, pair: Pair<'_, Rule>) -> Expression {
        let whole = self.span(&pair);
        let terms = pair.clone().into_inner().flatten().count();
        if terms > super::limits::MAXIMUM_CONDITION_SIZE {
            self.diagnostics
                .push(Diagnostic::of(SyntaxProblem::ExpressionTooLong, whole));
            return Spanned::new(ExpressionKind::Boolean(true), whole);
        }
        // A chain of `not`s or of minus signs nests one level an operator; the tree is bounded
        // before the Pratt parser, the checker and evaluation recurse into it.
        let operators = pair
            .clone()
            .into_inner()
            .filter(|child| !matches!(child.as_rule(), Rule::expression))
            .count();
        if operators > MAXIMUM_EXPRESSION_DEPTH {
            self.diagnostics
                .push(Diagnostic::of(SyntaxProblem::ExpressionTooDeep, whole));
            return Spanned::new(ExpressionKind::Boolean(true), whole);
        }
        let (file, offset) = (self.file, self.offset);
        let span = |pair: &Pair<'_, Rule>| shifted(span(file, pair), offset);
        let operands = pair
            .into_inner()
            .filter(|child| !matches!(child.as_rule(), Rule::open_paren | Rule::close_paren));
        let this = std::cell::RefCell::new(self);
        let expression = EXPRESSION_OPERATORS
            .map_primary(|primary| this.borrow_mut().expression_primary(primary))
            .map_prefix(|operator, operand| {
                let operator_span = span(&operator);
                let unary = match operator.as_rule() {
                    Rule::kw_not => UnaryOperator::Not,
                    _ => UnaryOperator::Negate,
                };
                let whole = operator_span.to(operand.span);
                Spanned::new(
                    ExpressionKind::Unary(Spanned::new(unary, operator_span), Box::new(operand)),
                    whole,
                )
            })
            .map_postfix(|operand, operator| {
                let operator_span = span(&operator);
                let whole = operand.span.to(operator_span);
                let kind = match operator.as_rule() {
                    Rule::kw_exists => ExpressionKind::Exists(Box::new(operand)),
                    _ => {
                        let listed = operator
                            .into_inner()
                            .filter(|child| child.as_rule() == Rule::expression)
                            .map(|child| this.borrow_mut().expression(child))
                            .collect();
                        ExpressionKind::In(Box::new(operand), listed)
                    }
                };
                Spanned::new(kind, whole)
            })
            .map_infix(|left, operator, right| {
                let binary = match operator.as_rule() {
                    Rule::kw_and => BinaryOperator::And,
                    Rule::kw_or => BinaryOperator::Or,
                    Rule::equals => BinaryOperator::Equal,
                    Rule::not_equals => BinaryOperator::NotEqual,
                    Rule::less => BinaryOperator::Less,
                    Rule::at_most => BinaryOperator::AtMost,
                    Rule::greater => BinaryOperator::Greater,
                    Rule::at_least => BinaryOperator::AtLeast,
                    Rule::plus => BinaryOperator::Add,
                    Rule::minus => BinaryOperator::Subtract,
                    Rule::times => BinaryOperator::Multiply,
                    Rule::divided_by => BinaryOperator::Divide,
                    Rule::kw_of => BinaryOperator::Of,
                    rule => panic!("lowering: unexpected operator {rule:?}"),
                };
                let whole = left.span.to(right.span);
                Spanned::new(
                    ExpressionKind::Binary(
                        Spanned::new(binary, span(&operator)),
                        Box::new(left),
                        Box::new(right),
                    ),
                    whole,
                )
            })
            .parse(operands);
        if depth(&expression) > MAXIMUM_EXPRESSION_DEPTH {
            let whole = expression.span;
            this.into_inner()
                .diagnostics
                .push(Diagnostic::of(SyntaxProblem::ExpressionTooDeep, whole));
            return Spanned::new(ExpressionKind::Boolean(true), whole);
        }
        expression
    }

    fn expression_primary(&mut self, pair: Pair<'_, Rule>) -> Expression {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::expression => return self.expression(pair),
            Rule::money => ExpressionKind::Money(self.money(pair).value),
            Rule::date => ExpressionKind::Date(self.date(pair).value),
            Rule::percentage => ExpressionKind::Percentage(self.percentage(pair).value),
            Rule::boolean => {
                ExpressionKind::Boolean(next(&mut pair.into_inner()).as_rule() == Rule::kw_true)
            }
            Rule::string => ExpressionKind::Text(self.string(pair).value),
            Rule::jurisdiction_code => ExpressionKind::Jurisdiction(pair.as_str().to_string()),
            Rule::path => {
                let start = span.start as usize;
                let mut offset = start;
                let names = pair
                    .as_str()
                    .split('.')
                    .map(|segment| {
                        let name = Spanned::new(
                            segment.into(),
                            Span::new(self.file, offset, offset + segment.len()),
                        );
                        offset += segment.len() + 1;
                        name
                    })
                    .collect();
                ExpressionKind::Path(names)
            }
            Rule::measured => {
                let mut inner = pair.into_inner();
                let number = self.number(next(&mut inner));
                match inner.next().map(|unit| self.name(unit)) {
                    Some(unit) => match duration_unit(&unit.value) {
                        Some(duration) => match u32::try_from(number.value) {
                            Ok(count) if number.value.fract().is_zero() => {
                                ExpressionKind::Duration(Duration {
                                    count,
                                    unit: duration,
                                })
                            }
                            _ => {
                                self.diagnostics.push(Diagnostic::of(
                                    SyntaxProblem::DurationNotWhole {
                                        count: number.value,
                                        unit: &unit.value,
                                    },
                                    number.span,
                                ));
                                ExpressionKind::Duration(Duration {
                                    count: 0,
                                    unit: duration,
                                })
                            }
                        },
                        None => ExpressionKind::Number {
                            value: number.value,
                            unit: Some(unit),
                        },
                    },
                    None => ExpressionKind::Number {
                        value: number.value,
                        unit: None,
                    },
                }
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                let function = self.name(next(&mut inner));
                let arguments = inner
                    .filter(|child| child.as_rule() == Rule::expression)
                    .map(|argument| self.expression(argument))
                    .collect();
                ExpressionKind::Call {
                    function,
                    arguments,
                }
            }
            // `member_of X` in an `open_to`: the agency's entry `member_of.X` exists.
            Rule::member_of_test => {
                let mut inner = pair.into_inner();
                let keyword = next(&mut inner);
                let program = self.name(next(&mut inner));
                let keyword = Spanned::new("member_of".into(), self.span(&keyword));
                let path = Spanned::new(ExpressionKind::Path(vec![keyword, program]), span);
                ExpressionKind::Exists(Box::new(path))
            }
            Rule::aggregate => {
                let mut inner = pair.into_inner();
                let function_pair = next(&mut inner);
                let function = match function_pair.as_rule() {
                    Rule::kw_sum => Aggregate::Sum,
                    Rule::kw_count => Aggregate::Count,
                    Rule::kw_any => Aggregate::Any,
                    _ => Aggregate::All,
                };
                let function = Spanned::new(function, self.span(&function_pair));
                let mut value = None;
                let mut variable = None;
                let mut collection = None;
                let mut owner = None;
                let mut filter = None;
                for child in inner {
                    match child.as_rule() {
                        Rule::expression if variable.is_none() => {
                            value = Some(Box::new(self.expression(child)));
                        }
                        Rule::expression if collection.is_some() && owner.is_none() => {
                            owner = Some(Box::new(self.expression(child)));
                        }
                        Rule::expression => filter = Some(Box::new(self.expression(child))),
                        Rule::collection => {
                            let kind = match next(&mut child.clone().into_inner()).as_rule() {
                                Rule::kw_line => Entity::Line,
                                Rule::kw_access => Entity::Access,
                                _ => Entity::Fee,
                            };
                            collection = Some(Spanned::new(kind, self.span(&child)));
                        }
                        Rule::identifier => variable = Some(self.name(child)),
                        _ => {}
                    }
                }
                let Some(variable) = variable else {
                    panic!("lowering: an aggregate without its variable")
                };
                let collection = match (collection, owner) {
                    (Some(kind), Some(owner)) => Some((kind, owner)),
                    (None, None) => None,
                    _ => panic!("lowering: a collection without its owner"),
                };
                ExpressionKind::Aggregate {
                    function,
                    value,
                    variable,
                    collection,
                    filter,
                }
            }
            rule => panic!("lowering: unexpected expression {rule:?}"),
        };
        Spanned::new(kind, span)
    }

    fn ledger_declaration(&mut self, pair: Pair<'_, Rule>) -> Ledger {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let path = self.string(next(&mut inner));
        let mut settings = Vec::new();
        for setting in inner {
            let setting_span = self.span(&setting);
            let rule = setting.as_rule();
            let mut parts = setting.into_inner();
            let _keyword = parts.next();
            let value = match rule {
                Rule::delimiter_field => LedgerSetting::Delimiter(self.string(next(&mut parts))),
                Rule::date_format_field => LedgerSetting::DateFormat(self.string(next(&mut parts))),
                Rule::ledger_currency_field => LedgerSetting::Currency(self.name(next(&mut parts))),
                Rule::columns_block => LedgerSetting::Columns(
                    parts
                        .filter(|part| part.as_rule() == Rule::column_mapping)
                        .map(|mapping| {
                            let mut mapping = mapping.into_inner();
                            let column = self.name(next(&mut mapping));
                            let _assign = mapping.next();
                            let header = self.string(next(&mut mapping));
                            (column, header)
                        })
                        .collect(),
                ),
                // The braces.
                _ => continue,
            };
            settings.push(Spanned::new(value, setting_span));
        }
        Ledger {
            path,
            settings,
            span,
        }
    }

    fn waiver(&mut self, pair: Pair<'_, Rule>) -> Waiver {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let finding = self.name(next(&mut inner));
        let _on = inner.next();
        let on = self.name(next(&mut inner));
        let mut fields = Vec::new();
        for field in inner {
            let field_span = self.span(&field);
            let rule = field.as_rule();
            let mut parts = field.into_inner();
            let _keyword = parts.next();
            let value = match rule {
                Rule::because_field => WaiverField::Because(self.string(next(&mut parts))),
                Rule::by_field => WaiverField::By(self.string(next(&mut parts))),
                Rule::until_field => WaiverField::Until(self.date(next(&mut parts))),
                // The braces.
                _ => continue,
            };
            fields.push(Spanned::new(value, field_span));
        }
        Waiver {
            finding,
            on,
            fields,
            span,
        }
    }

    fn test(&mut self, pair: Pair<'_, Rule>) -> Test {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let name = self.string(next(&mut inner));
        let mut as_of = None;
        let mut expectations = Vec::new();
        for child in inner {
            match child.as_rule() {
                Rule::date => as_of = Some(self.date(child)),
                Rule::expectation => {
                    let span = self.span(&child);
                    expectations.push(Spanned::new(self.expectation(child), span));
                }
                _ => {}
            }
        }
        Test {
            name,
            as_of,
            expectations,
            span,
        }
    }

    fn expectation(&mut self, pair: Pair<'_, Rule>) -> Expectation {
        let mut inner = pair.into_inner();
        let _expect = inner.next();
        let body = next(&mut inner);
        let rule = body.as_rule();
        if rule == Rule::finding_expectation {
            let mut present = true;
            let mut names = Vec::new();
            for part in body.into_inner() {
                match part.as_rule() {
                    Rule::kw_no => present = false,
                    Rule::identifier | Rule::rule_id => names.push(self.name(part)),
                    _ => {}
                }
            }
            let [rule, on] = <[Name; 2]>::try_from(names).unwrap_or_else(|_| {
                panic!("lowering: a finding expectation names a rule and a declaration")
            });
            return Expectation::Finding { rule, on, present };
        }
        let mut parts = body.into_inner();
        let _keyword = parts.next();
        match rule {
            Rule::order_expectation => {
                let order = self.name(next(&mut parts));
                let verdict = next(&mut parts);
                if verdict.as_rule() == Rule::kw_permitted {
                    let under = parts
                        .find(|part| part.as_rule() == Rule::rule_id)
                        .map(|basis| self.name(basis));
                    return Expectation::OrderPermitted { order, under };
                }
                let mut codes = Vec::new();
                let mut rules = Vec::new();
                for part in parts {
                    match part.as_rule() {
                        Rule::code_list => codes.extend(
                            part.into_inner()
                                .filter(|code| code.as_rule() == Rule::code)
                                .map(|code| self.name(code)),
                        ),
                        Rule::rule_list => rules.extend(self.rule_list(part)),
                        _ => {}
                    }
                }
                Expectation::OrderDenied {
                    order,
                    codes,
                    rules,
                }
            }
            Rule::agency_expectation => {
                let agency = self.name(next(&mut parts));
                let claim = next(&mut parts);
                let claim_rule = claim.as_rule();
                if claim_rule == Rule::bound_by_clause {
                    let mut source_is_contract = false;
                    let mut names = Vec::new();
                    for part in claim.into_inner() {
                        match part.as_rule() {
                            Rule::kw_contract => source_is_contract = true,
                            Rule::identifier => names.push(self.name(part)),
                            _ => {}
                        }
                    }
                    let mut names = names.into_iter();
                    let clause = names.next().expect("the grammar gives a clause");
                    let source = if source_is_contract {
                        None
                    } else {
                        names.next()
                    };
                    return Expectation::BoundByClause {
                        agency,
                        clause,
                        source,
                        contract: names.next().expect("the grammar gives a contract"),
                    };
                }
                if matches!(claim_rule, Rule::responsible | Rule::not_responsible) {
                    let mut extent = None;
                    let mut names = Vec::new();
                    for part in claim.into_inner() {
                        let span = self.span(&part);
                        match part.as_rule() {
                            Rule::kw_alone => extent = Some(Spanned::new(Extent::Alone, span)),
                            Rule::kw_jointly => extent = Some(Spanned::new(Extent::Jointly, span)),
                            Rule::kw_not => {
                                extent = Some(Spanned::new(Extent::NotResponsible, span));
                            }
                            Rule::identifier | Rule::rule_id => names.push(self.name(part)),
                            _ => {}
                        }
                    }
                    let mut names = names.into_iter();
                    return Expectation::Responsible {
                        agency,
                        extent: extent.expect("the grammar gives an extent"),
                        contract: names.next().expect("the grammar gives a contract"),
                        under: names.next(),
                    };
                }
                let names: Vec<Name> = claim
                    .into_inner()
                    .flat_map(|part| {
                        if part.as_rule() == Rule::expected_basis {
                            part.into_inner().collect::<Vec<_>>()
                        } else {
                            vec![part]
                        }
                    })
                    .filter(|part| {
                        matches!(
                            part.as_rule(),
                            Rule::identifier
                                | Rule::kw_lead
                                | Rule::kw_joint_participant
                                | Rule::kw_piggyback
                        )
                    })
                    .map(|part| self.name(part))
                    .collect();
                match (claim_rule, names.as_slice()) {
                    (Rule::not_bound, [contract]) => Expectation::NotBound {
                        agency,
                        contract: contract.clone(),
                    },
                    (Rule::bound, [contract, rest @ ..]) => Expectation::Bound {
                        agency,
                        contract: contract.clone(),
                        basis: rest.first().cloned(),
                    },
                    (Rule::owes, [duty, contract]) => Expectation::Owes {
                        agency,
                        duty: duty.clone(),
                        contract: contract.clone(),
                    },
                    (rule, _) => panic!("lowering: unexpected agency expectation {rule:?}"),
                }
            }
            Rule::contract_expectation => {
                let contract = self.name(next(&mut parts));
                let _ordered = parts.next();
                let amount = self.amount(next(&mut parts));
                Expectation::Ordered { contract, amount }
            }
            rule => panic!("lowering: unexpected expectation {rule:?}"),
        }
    }

    fn declaration(&mut self, pair: Pair<'_, Rule>) -> Declaration {
        match pair.as_rule() {
            Rule::agency => Declaration::Agency(self.block(pair, Self::agency_field)),
            Rule::solicitation => {
                Declaration::Solicitation(self.block(pair, Self::solicitation_field))
            }
            Rule::contract => Declaration::Contract(self.block(pair, Self::contract_field)),
            Rule::access => Declaration::Access(self.block(pair, Self::access_field)),
            Rule::order => Declaration::Order(self.block(pair, Self::order_field)),
            rule => panic!("lowering: unexpected declaration rule {rule:?}"),
        }
    }

    /// `keyword name "title"? { field* }`, with each field lowered by `field`.
    fn block<Field>(
        &mut self,
        pair: Pair<'_, Rule>,
        field: fn(&mut Self, Pair<'_, Rule>) -> Field,
    ) -> Block<Field> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let name = self.name(next(&mut inner));
        let mut title = None;
        let mut fields = Vec::new();
        let mut facts = Vec::new();
        for child in inner {
            match child.as_rule() {
                Rule::title => title = Some(Box::new(self.title(child))),
                Rule::open_brace | Rule::close_brace => {}
                Rule::fact_field => facts.push(self.fact(child)),
                _ => {
                    let field_span = self.span(&child);
                    fields.push(Spanned::new(field(self, child), field_span));
                }
            }
        }
        Block {
            name,
            title,
            fields,
            facts,
            span,
        }
    }

    /// `kind town "..."` or `role central_purchasing_body "..."`.
    fn definition(&mut self, pair: Pair<'_, Rule>) -> Definition {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let keyword = next(&mut inner);
        let set = match keyword.as_rule() {
            Rule::kw_kind => crate::schema::Enumeration::AgencyKind,
            _ => crate::schema::Enumeration::AgencyRole,
        };
        let set = Spanned::new(set, self.span(&keyword));
        let name = self.name(next(&mut inner));
        let meaning = self.string(next(&mut inner));
        Definition {
            set,
            name,
            meaning,
            span,
        }
    }

    /// `group NAME "title" { MEMBER [from DATE] [until DATE] ... }`
    fn group(&mut self, pair: Pair<'_, Rule>) -> Group {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let name = self.name(next(&mut inner));
        let mut title = None;
        let mut members = Vec::new();
        for child in inner {
            match child.as_rule() {
                Rule::title => title = Some(self.title(child)),
                Rule::group_member => {
                    let member_span = self.span(&child);
                    let mut parts = child.into_inner();
                    let member = self.name(next(&mut parts));
                    let mut from = None;
                    let mut until = None;
                    let mut keyword = Rule::kw_from;
                    for part in parts {
                        match part.as_rule() {
                            Rule::date if keyword == Rule::kw_from => from = Some(self.date(part)),
                            Rule::date => until = Some(self.date(part)),
                            rule => keyword = rule,
                        }
                    }
                    members.push(GroupMember {
                        name: member,
                        from,
                        until,
                        span: member_span,
                    });
                }
                _ => {}
            }
        }
        Group {
            name,
            title,
            members,
            span,
        }
    }

    fn fact(&mut self, pair: Pair<'_, Rule>) -> Fact {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let name = self.name(next(&mut inner));
        let mut date = None;
        let mut value = None;
        let mut text = None;
        for part in inner {
            match part.as_rule() {
                Rule::date => date = Some(self.date(part)),
                Rule::string => text = Some(self.string(part)),
                _ => value = Some(self.expression_primary(part)),
            }
        }
        Fact {
            name,
            date,
            value,
            text,
            span,
        }
    }

    fn agency_field(&mut self, pair: Pair<'_, Rule>) -> AgencyField {
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        match rule {
            Rule::agency_kind_field => AgencyField::Kind(self.identifier_list(next(&mut inner))),
            Rule::role_field => AgencyField::Role(self.identifier_list(next(&mut inner))),
            Rule::jurisdiction_field => AgencyField::Jurisdiction(self.name(next(&mut inner))),
            Rule::location_field => {
                let latitude = self.coordinate(next(&mut inner));
                let _comma = inner.next();
                let longitude = self.coordinate(next(&mut inner));
                AgencyField::Location {
                    latitude,
                    longitude,
                }
            }
            Rule::member_of_field => AgencyField::MemberOf(self.identifier_list(next(&mut inner))),
            rule => panic!("lowering: unexpected agency field {rule:?}"),
        }
    }

    fn solicitation_field(&mut self, pair: Pair<'_, Rule>) -> SolicitationField {
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        match rule {
            Rule::lead_field => SolicitationField::Lead(self.name(next(&mut inner))),
            Rule::method_field => SolicitationField::Method(self.name(next(&mut inner))),
            Rule::category_field => SolicitationField::Category(self.name(next(&mut inner))),
            Rule::issued_field => SolicitationField::Issued(self.date(next(&mut inner))),
            Rule::posted_field => {
                let date = self.date(next(&mut inner));
                let online = inner.next().is_some();
                SolicitationField::Posted { date, online }
            }
            Rule::cooperative_use_field => {
                SolicitationField::CooperativeUse(self.statement(next(&mut inner)))
            }
            Rule::assignability_field => {
                SolicitationField::Assignability(self.statement(next(&mut inner)))
            }
            Rule::item_field => {
                let name = self.name(next(&mut inner));
                let mut title = None;
                let mut unit = None;
                let mut category = None;
                let mut lot = None;
                let mut after = Rule::kw_per;
                for child in inner {
                    match child.as_rule() {
                        Rule::title => title = Some(self.title(child)),
                        rule @ (Rule::kw_category | Rule::kw_lot) => after = rule,
                        Rule::identifier if after == Rule::kw_category => {
                            category = Some(self.name(child))
                        }
                        Rule::identifier if after == Rule::kw_lot => lot = Some(self.name(child)),
                        Rule::identifier => unit = Some(self.name(child)),
                        _ => {}
                    }
                }
                let Some(unit) = unit else {
                    panic!("lowering: an item without a unit passed the grammar")
                };
                SolicitationField::Item(Item {
                    name,
                    title,
                    unit,
                    category,
                    lot,
                })
            }
            Rule::estimate_field => SolicitationField::Estimate(self.amount(next(&mut inner))),
            Rule::maximum_field => SolicitationField::Maximum(self.amount(next(&mut inner))),
            Rule::joint_block => SolicitationField::Joint(
                inner
                    .filter(|child| child.as_rule() == Rule::participant)
                    .map(|child| self.participant(child))
                    .collect(),
            ),
            Rule::lot_block => {
                let name = self.name(next(&mut inner));
                let mut title = None;
                let mut fields = Vec::new();
                for child in inner {
                    let span = self.span(&child);
                    match child.as_rule() {
                        Rule::title => title = Some(self.title(child)),
                        rule @ (Rule::estimate_field | Rule::maximum_field) => {
                            let mut parts = child.into_inner();
                            let _keyword = parts.next();
                            let amount = self.amount(next(&mut parts));
                            let field = if rule == Rule::estimate_field {
                                LotField::Estimate(amount)
                            } else {
                                LotField::Maximum(amount)
                            };
                            fields.push(Spanned::new(field, span));
                        }
                        _ => {}
                    }
                }
                SolicitationField::Lot(Lot {
                    name,
                    title,
                    fields,
                })
            }
            Rule::buyers_field => {
                let first = next(&mut inner);
                SolicitationField::Buyers(match first.as_rule() {
                    Rule::kw_where => Buyers::Where(self.expression(next(&mut inner))),
                    _ => Buyers::Named(self.identifier_list(first)),
                })
            }
            rule => panic!("lowering: unexpected solicitation field {rule:?}"),
        }
    }

    fn participant(&mut self, pair: Pair<'_, Rule>) -> Participant {
        let mut inner = pair.into_inner();
        let agency = self.name(next(&mut inner));
        let _commits = inner.next();
        let commitment = inner.next().map(|amount| self.amount(amount));
        Participant { agency, commitment }
    }

    fn contract_field(&mut self, pair: Pair<'_, Rule>) -> ContractField {
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        match rule {
            Rule::awards_field => {
                let solicitation = self.name(next(&mut inner));
                let _lot = inner.next();
                let lot = inner.next().map(|lot| self.name(lot));
                ContractField::Awards { solicitation, lot }
            }
            Rule::supplier_field => ContractField::Supplier(self.string(next(&mut inner))),
            Rule::awarded_field => ContractField::Awarded(self.date(next(&mut inner))),
            Rule::term_field => {
                let start = self.date(next(&mut inner));
                let _to = inner.next();
                let end = self.date(next(&mut inner));
                ContractField::Term { start, end }
            }
            Rule::option_field => {
                let length = self.duration(next(&mut inner));
                let _exercised = inner.next();
                let exercised = inner.next().map(|date| self.date(date));
                ContractField::Option { length, exercised }
            }
            Rule::price_field => {
                let item = self.name(next(&mut inner));
                let mut from = None;
                let mut unit_price = None;
                let mut unit = None;
                for child in inner {
                    match child.as_rule() {
                        Rule::quantity => from = Some(self.quantity(child)),
                        Rule::money => unit_price = Some(self.money(child)),
                        Rule::identifier => unit = Some(self.name(child)),
                        _ => {}
                    }
                }
                match (unit_price, unit) {
                    (Some(unit_price), Some(unit)) => ContractField::Price(Price {
                        item,
                        from,
                        unit_price,
                        unit,
                    }),
                    _ => panic!("lowering: a price without money or unit passed the grammar"),
                }
            }
            Rule::clause_field => ContractField::Clause(self.clause(inner)),
            Rule::usage_report_field => {
                let period_end = self.date(next(&mut inner));
                let _filed = inner.next();
                let filed = self.date(next(&mut inner));
                ContractField::UsageReport { period_end, filed }
            }
            Rule::base_quantity_field => {
                ContractField::BaseQuantity(self.quantity(next(&mut inner)))
            }
            Rule::quantity_option_field => {
                let quantity = self.quantity(next(&mut inner));
                let mut exercised = None;
                let mut assignee = None;
                for part in inner {
                    match part.as_rule() {
                        Rule::date => exercised = Some(self.date(part)),
                        Rule::identifier => assignee = Some(self.name(part)),
                        _ => {}
                    }
                }
                ContractField::QuantityOption {
                    quantity,
                    exercised,
                    assignee,
                }
            }
            Rule::discount_field => {
                let rate = self.percentage(next(&mut inner));
                let _off = inner.next();
                let _list = inner.next();
                let list = self.date(next(&mut inner));
                let name = inner.next().map(|name| self.string(name));
                ContractField::Discount { rate, list, name }
            }
            Rule::piggyback_field => {
                let first = next(&mut inner);
                if first.as_rule() == Rule::kw_closed {
                    ContractField::Piggyback(Piggyback::Closed)
                } else {
                    let terms = inner
                        .filter(|child| child.as_rule() != Rule::close_brace)
                        .map(|child| {
                            let span = self.span(&child);
                            Spanned::new(self.piggyback_term(child), span)
                        })
                        .collect();
                    ContractField::Piggyback(Piggyback::Open(terms))
                }
            }
            rule => panic!("lowering: unexpected contract field {rule:?}"),
        }
    }

    fn clause(&mut self, mut inner: Pairs<'_, Rule>) -> Clause {
        let name = self.name(next(&mut inner));
        let text = inner.next().map(|text| self.string(text));
        Clause { name, text }
    }

    fn piggyback_term(&mut self, pair: Pair<'_, Rule>) -> PiggybackTerm {
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        match rule {
            Rule::open_to_field => PiggybackTerm::OpenTo(self.expression(next(&mut inner))),
            Rule::requires_field => PiggybackTerm::Requires(self.name(next(&mut inner))),
            Rule::admin_fee_field => PiggybackTerm::AdminFee(self.percentage(next(&mut inner))),
            Rule::ceiling_field => PiggybackTerm::Ceiling(self.amount(next(&mut inner))),
            rule => panic!("lowering: unexpected piggyback term {rule:?}"),
        }
    }

    fn access_field(&mut self, pair: Pair<'_, Rule>) -> AccessField {
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        match rule {
            Rule::kind_field => AccessField::Kind(self.name(next(&mut inner))),
            Rule::agency_ref_field => AccessField::Agency(self.name(next(&mut inner))),
            Rule::open_to_field => AccessField::OpenTo(self.expression(next(&mut inner))),
            Rule::with_field => {
                let first = next(&mut inner);
                AccessField::With(match first.as_rule() {
                    Rule::kw_supplier => Counterparty::Supplier(self.string(next(&mut inner))),
                    _ => Counterparty::Named(self.name(first)),
                })
            }
            Rule::under_field => AccessField::Under(self.name(next(&mut inner))),
            Rule::cap_field => {
                let amount = self.money(next(&mut inner));
                let mut per_buyer = false;
                let mut every = None;
                for part in inner {
                    match part.as_rule() {
                        Rule::kw_buyer => per_buyer = true,
                        Rule::period => every = Some(self.period(part)),
                        _ => {}
                    }
                }
                AccessField::Cap {
                    amount,
                    per_buyer,
                    every,
                }
            }
            Rule::covers_field => AccessField::Covers(self.identifier_list(next(&mut inner))),
            Rule::signed_field => AccessField::Signed(self.date(next(&mut inner))),
            Rule::posted_date_field => AccessField::Posted(self.date(next(&mut inner))),
            Rule::approved_field => AccessField::Approved(self.date(next(&mut inner))),
            Rule::effective_field => AccessField::Effective(self.date(next(&mut inner))),
            Rule::expires_field => AccessField::Expires(self.date(next(&mut inner))),
            Rule::fee_field => {
                let rate = self.percentage(next(&mut inner));
                let _to = inner.next();
                let payee = inner.next().map(|payee| self.name(payee));
                AccessField::Fee { rate, payee }
            }
            Rule::clause_field => AccessField::Clause(self.clause(inner)),
            rule => panic!("lowering: unexpected access field {rule:?}"),
        }
    }

    fn order_field(&mut self, pair: Pair<'_, Rule>) -> OrderField {
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        match rule {
            Rule::buyer_field => OrderField::Buyer(self.name(next(&mut inner))),
            Rule::contract_ref_field => OrderField::Contract(self.name(next(&mut inner))),
            Rule::date_field => OrderField::Date(self.date(next(&mut inner))),
            Rule::via_field => OrderField::Via(self.identifier_list(next(&mut inner))),
            Rule::line_field => {
                let item = self.name(next(&mut inner));
                let quantity = self.number(next(&mut inner));
                let mut unit = None;
                let mut unit_price = None;
                let mut list_price = None;
                for child in inner {
                    match child.as_rule() {
                        Rule::identifier => unit = Some(Box::new(self.name(child))),
                        Rule::money if unit_price.is_none() => unit_price = Some(self.money(child)),
                        Rule::money => list_price = Some(Box::new(self.money(child))),
                        _ => {}
                    }
                }
                let Some(unit_price) = unit_price else {
                    panic!("lowering: an order line without a price passed the grammar")
                };
                OrderField::Line(Box::new(Line {
                    item,
                    quantity,
                    unit,
                    unit_price,
                    list_price,
                }))
            }
            Rule::requests_field => OrderField::Requests(self.identifier_list(next(&mut inner))),
            Rule::call_off_field => {
                let kind = next(&mut inner);
                let kind = Spanned::new(kind.as_str().into(), self.span(&kind));
                let competition = inner.next().map(|block| {
                    block
                        .into_inner()
                        .filter(|child| {
                            !matches!(child.as_rule(), Rule::open_brace | Rule::close_brace)
                        })
                        .map(|child| {
                            let span = self.span(&child);
                            let rule = child.as_rule();
                            let mut parts = child.into_inner();
                            let _keyword = parts.next();
                            let value = next(&mut parts);
                            let field = match rule {
                                Rule::invited_field => {
                                    CompetitionField::Invited(self.identifier_list(value))
                                }
                                Rule::issued_field => CompetitionField::Issued(self.date(value)),
                                _ => CompetitionField::Awarded(self.date(value)),
                            };
                            Spanned::new(field, span)
                        })
                        .collect()
                });
                OrderField::CallOff(Box::new(CallOff { kind, competition }))
            }
            Rule::value_field => OrderField::Value(self.money(next(&mut inner))),
            Rule::period_field => {
                let start = self.date(next(&mut inner));
                let _to = inner.next();
                let end = self.date(next(&mut inner));
                OrderField::Period { start, end }
            }
            rule => panic!("lowering: unexpected order field {rule:?}"),
        }
    }

    /// `month`, `quarter` or `year`.
    fn period(&mut self, pair: Pair<'_, Rule>) -> Spanned<Period> {
        let span = self.span(&pair);
        let period = match next(&mut pair.into_inner()).as_rule() {
            Rule::kw_month => Period::Month,
            Rule::kw_quarter => Period::Quarter,
            _ => Period::Year,
        };
        Spanned::new(period, span)
    }

    fn amount(&mut self, pair: Pair<'_, Rule>) -> Amount {
        let inner = next(&mut pair.into_inner());
        match inner.as_rule() {
            Rule::money => Amount::Money(self.money(inner)),
            Rule::quantity => Amount::Quantity(self.quantity(inner)),
            rule => panic!("lowering: unexpected amount {rule:?}"),
        }
    }

    fn quantity(&mut self, pair: Pair<'_, Rule>) -> Quantity {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let count = self.number(next(&mut inner));
        let measure = self.name(next(&mut inner));
        Quantity {
            count,
            measure,
            span,
        }
    }

    fn money(&mut self, pair: Pair<'_, Rule>) -> Spanned<Money> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let currency = next(&mut inner).as_str().to_string();
        let amount = self.number(next(&mut inner)).value;
        Spanned::new(Money::new(currency, amount), span)
    }

    fn duration(&mut self, pair: Pair<'_, Rule>) -> Spanned<Duration> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let count_pair = next(&mut inner);
        let count_span = self.span(&count_pair);
        let count = match count_pair.as_str().replace(',', "").parse::<u32>() {
            Ok(count) => count,
            Err(_) => {
                self.diagnostics.push(Diagnostic::of(
                    SyntaxProblem::DurationCountInvalid {
                        written: count_pair.as_str(),
                    },
                    count_span,
                ));
                0
            }
        };
        let unit = duration_unit(next(&mut inner).as_str()).unwrap_or(DurationUnit::Year);
        Spanned::new(Duration { count, unit }, span)
    }

    fn percentage(&mut self, pair: Pair<'_, Rule>) -> Spanned<Decimal> {
        let span = self.span(&pair);
        let digits = pair.as_str().trim_end_matches('%');
        Spanned::new(self.decimal(digits, span), span)
    }

    fn number(&mut self, pair: Pair<'_, Rule>) -> Spanned<Decimal> {
        let span = self.span(&pair);
        Spanned::new(self.decimal(pair.as_str(), span), span)
    }

    fn decimal(&mut self, written: &str, span: Span) -> Decimal {
        decimal(written, span).unwrap_or_else(|diagnostic| {
            self.diagnostics.push(*diagnostic);
            Decimal::ZERO
        })
    }

    /// Latitude and longitude are measurements, not money, so a float is the right type.
    /// A latitude or longitude in decimal degrees. Distances are computed in floating point,
    /// which holds 15 significant digits; more would be rounded, so they are refused.
    fn coordinate(&mut self, pair: Pair<'_, Rule>) -> Spanned<f64> {
        let span = self.span(&pair);
        let written = pair.as_str().replace(',', "");
        let significant = written
            .trim_start_matches('-')
            .replace('.', "")
            .trim_start_matches('0')
            .len();
        let value = written.parse::<f64>().unwrap_or(f64::NAN);
        if significant > MOST_COORDINATE_DIGITS {
            self.diagnostics.push(Diagnostic::of(
                SyntaxProblem::CoordinateTooPrecise {
                    written: pair.as_str(),
                    significant,
                    value,
                },
                span,
            ));
        }
        Spanned::new(value, span)
    }

    fn date(&mut self, pair: Pair<'_, Rule>) -> Spanned<Date> {
        let span = self.span(&pair);
        match calendar_date(pair.as_str(), span) {
            Ok(date) => Spanned::new(date, span),
            Err(diagnostic) => {
                self.diagnostics.push(*diagnostic);
                Spanned::new(Date::MIN, span)
            }
        }
    }

    fn statement(&mut self, pair: Pair<'_, Rule>) -> Spanned<bool> {
        let span = self.span(&pair);
        let stated = next(&mut pair.into_inner()).as_rule() == Rule::kw_stated;
        Spanned::new(stated, span)
    }

    fn rule_list(&mut self, pair: Pair<'_, Rule>) -> Vec<Name> {
        pair.into_inner()
            .filter(|part| part.as_rule() == Rule::rule_id)
            .map(|part| self.name(part))
            .collect()
    }

    fn name(&mut self, pair: Pair<'_, Rule>) -> Name {
        let name = name(self.file, &pair);
        Spanned::new(name.value, shifted(name.span, self.offset))
    }

    fn title(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        self.string(next(&mut pair.into_inner()))
    }

    fn string(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        let span = self.span(&pair);
        let quoted = pair.as_str();
        Spanned::new(unescape(&quoted[1..quoted.len() - 1]), span)
    }

    fn identifier_list(&mut self, pair: Pair<'_, Rule>) -> Vec<Name> {
        pair.into_inner()
            .filter(|child| child.as_rule() != Rule::comma)
            .map(|child| self.name(child))
            .collect()
    }
}

/// How deep an expression may nest, counting every operator and bracket: real rules nest a few
/// levels; the bound keeps the checker and evaluation, which recurse, far from the stack's end.
pub(super) const MAXIMUM_EXPRESSION_DEPTH: usize = 200;

/// The depth of an expression's tree.
fn depth(expression: &Expression) -> usize {
    let children: Vec<&Expression> = match &expression.value {
        ExpressionKind::Unary(_, operand) | ExpressionKind::Exists(operand) => vec![operand],
        ExpressionKind::Binary(_, left, right) => vec![left, right],
        ExpressionKind::In(element, listed) => {
            std::iter::once(&**element).chain(listed.iter()).collect()
        }
        ExpressionKind::Call { arguments, .. } => arguments.iter().collect(),
        ExpressionKind::Aggregate {
            value,
            collection,
            filter,
            ..
        } => value
            .iter()
            .chain(collection.iter().map(|(_, owner)| owner))
            .chain(filter.iter())
            .map(|part| &**part)
            .collect(),
        _ => Vec::new(),
    };
    1 + children.into_iter().map(depth).max().unwrap_or(0)
}

/// The unit of a duration, if `word` names one.
fn duration_unit(word: &str) -> Option<DurationUnit> {
    match word {
        "day" | "days" => Some(DurationUnit::Day),
        "week" | "weeks" => Some(DurationUnit::Week),
        "month" | "months" => Some(DurationUnit::Month),
        "year" | "years" => Some(DurationUnit::Year),
        _ => None,
    }
}

/// The written text of a message: its escapes read, and `}}` a closing brace, as `{{` is an
/// opening one.
fn message_text(written: &str) -> String {
    unescape(written).replace("}}", "}")
}

/// The text of a string's body without its escapes.
fn unescape(body: &str) -> String {
    let mut text = String::with_capacity(body.len());
    let mut characters = body.chars();
    while let Some(character) = characters.next() {
        if character == '\\' {
            match characters.next() {
                Some('n') => text.push('\n'),
                Some(escaped) => text.push(escaped),
                None => {}
            }
        } else {
            text.push(character);
        }
    }
    text
}

/// A number as an exact decimal, at most a quadrillion in size, so that sums and products of
/// amounts stay far inside what a decimal can hold. `written` has the shape of a number
/// (thousands separators allowed).
pub(super) fn decimal(written: &str, span: Span) -> Result<Decimal, Box<Diagnostic>> {
    let digits = if written.contains(',') {
        std::borrow::Cow::Owned(written.replace(',', ""))
    } else {
        std::borrow::Cow::Borrowed(written)
    };
    match Decimal::from_str_exact(&digits) {
        Ok(value) if value.abs() <= Decimal::from(LARGEST_AMOUNT) => Ok(value),
        Ok(_) => Err(Box::new(Diagnostic::of(
            SyntaxProblem::NumberTooLarge { written },
            span,
        ))),
        Err(_) => Err(Box::new(Diagnostic::of(
            SyntaxProblem::NumberTooPrecise { written },
            span,
        ))),
    }
}

/// A date written `YYYY-MM-DD` (the grammar, or the ledger reader, checked the shape) that must
/// be a day on the calendar.
pub(super) fn calendar_date(written: &str, span: Span) -> Result<Date, Box<Diagnostic>> {
    // The shape is known, so the three numbers are read directly rather than by a format string
    // (a million dates are read from an order book).
    let number = |range: std::ops::Range<usize>| written.get(range)?.parse::<u32>().ok();
    let date = match (written.len(), number(0..4), number(5..7), number(8..10)) {
        (10, Some(year), Some(month), Some(day)) => {
            Date::from_ymd_opt(year as i32, month, day).ok_or(())
        }
        _ => Date::parse_from_str(written, "%Y-%m-%d").map_err(|_| ()),
    };
    date.map_err(|()| {
        Box::new(Diagnostic::of(
            SyntaxProblem::NotOnCalendar { written },
            span,
        ))
    })
}

/// The next pair, which the grammar guarantees is there.
fn next<'i>(pairs: &mut Pairs<'i, Rule>) -> Pair<'i, Rule> {
    match pairs.next() {
        Some(pair) => pair,
        None => panic!("lowering: the grammar promised another pair"),
    }
}

/// The span of a pair without trailing whitespace or comments: pest keeps the whitespace it
/// skipped before an optional part that turned out absent, so a pair with inner pairs ends where
/// its last inner pair ends.
fn span(file: FileId, pair: &Pair<'_, Rule>) -> Span {
    let whole = pair.as_span();
    let end = pair
        .clone()
        .into_inner()
        .last()
        .map_or(whole.end(), |last| span(file, &last).end as usize);
    Span::new(file, whole.start(), end)
}

/// A span moved `offset` bytes further into its file.
fn shifted(span: Span, offset: usize) -> Span {
    Span::new(
        span.file,
        span.start as usize + offset,
        span.end as usize + offset,
    )
}

fn name(file: FileId, pair: &Pair<'_, Rule>) -> Name {
    Spanned::new(pair.as_str().into(), span(file, pair))
}
