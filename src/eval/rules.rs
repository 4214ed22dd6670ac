//! Running the model's rules: order rules as each order is judged, in date order, and the rules
//! for contracts, solicitations, agencies, access instruments and bindings as of the as-of date.
//! Expressions were typed by the checker; what can still go wrong here is only what literals
//! could not show, such as comparing a contract's euros with a limit in dollars, and that is
//! reported as an undecided rule, never a panic.

use std::cell::{Cell, OnceCell, RefCell};

use ahash::AHashMap;

use rust_decimal::Decimal;
use smallvec::SmallVec;
use ustr::Ustr;

use super::problems::EvalProblem;
use super::running::Running;
use super::volumes::Tally;
use super::{Basis, Binding, Step};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, RuleReference};
use crate::model::interpret::{self, Found, Stuck};
use crate::model::rules::*;
use crate::model::{
    AgencyId, ContractId, Counterparty, Header, InstrumentId, LineItem, Measure, Model, OrderId,
    Volume,
};
use crate::source::Span;
use crate::values::{Date, Money};

/// A duty a rule adds, owed by an agency or a supplier.
#[derive(Clone, Debug)]
pub struct RuleDuty {
    /// The rule, by its index in `Model::rules`.
    pub rule: usize,
    pub party: Party,
    /// The contract the duty comes with, when the rule's scope has one.
    pub contract: Option<ContractId>,
    pub owed: Owed,
}

/// What rules decide about one binding: who answers for what, and whose terms prevail.
#[derive(Clone, Debug, Default)]
pub struct BindingTerms {
    pub responsibilities: Vec<Responsibility>,
    /// Whose clause prevails where the contract and an access instrument both state one of the
    /// same name, with the rule that says so (by its index in `Model::rules`). A rule of the
    /// model or a pack decides before one of the prelude, whose rule is the default.
    pub precedence: Option<(TermSource, usize)>,
}

/// A clause that binds an agency under a binding: stated by the contract or by one of the access
/// instruments its orders used, and, where both state a clause of its name, the ones it prevails
/// over and the rule that says so.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundClause {
    pub name: String,
    pub stated_by: ClauseSource,
    /// Empty when no other source states the clause, or no rule decides between them.
    pub prevails_over: Vec<ClauseSource>,
    /// The precedence rule, by its index in `Model::rules`, when the clause prevails over any.
    pub precedence_rule: Option<usize>,
}

/// Who states a clause: the contract, or an access instrument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClauseSource {
    Contract,
    Instrument(InstrumentId),
}

impl ClauseSource {
    /// The instrument that states the clause; `None` for the contract.
    pub fn instrument(self) -> Option<InstrumentId> {
        match self {
            ClauseSource::Contract => None,
            ClauseSource::Instrument(id) => Some(id),
        }
    }
}

impl BindingTerms {
    /// A binding's clauses, in the order first stated: the contract's, then its instruments'.
    /// Where the contract and instruments both state a clause of one name, the precedence rule
    /// decides: under `contract over via` the contract's is listed, over every instrument's;
    /// under `via over contract` each instrument's, over the contract's. With no such rule, or
    /// where only instruments state it, each is listed as stated.
    pub fn clauses(&self, model: &Model, binding: &Binding) -> Vec<BoundClause> {
        let stated: Vec<(ClauseSource, &String)> = model
            .contract(binding.contract)
            .clauses
            .iter()
            .map(|clause| (ClauseSource::Contract, &clause.name.value))
            .chain(binding.instruments.iter().flat_map(|id| {
                model
                    .instrument(*id)
                    .clauses
                    .iter()
                    .map(|clause| (ClauseSource::Instrument(*id), &clause.name.value))
            }))
            .collect();
        let mut clauses = Vec::new();
        let mut listed: Vec<&String> = Vec::new();
        for (_, name) in &stated {
            if listed.contains(name) {
                continue;
            }
            listed.push(name);
            let sources: Vec<ClauseSource> = stated
                .iter()
                .filter(|(_, other)| other == name)
                .map(|(source, _)| *source)
                .collect();
            let (contract, instruments): (Vec<ClauseSource>, Vec<ClauseSource>) = sources
                .iter()
                .partition(|source| **source == ClauseSource::Contract);
            let clause = |stated_by, prevails_over, precedence_rule| BoundClause {
                name: (*name).clone(),
                stated_by,
                prevails_over,
                precedence_rule,
            };
            match self.precedence {
                Some((TermSource::Contract, rule))
                    if !contract.is_empty() && !instruments.is_empty() =>
                {
                    clauses.push(clause(ClauseSource::Contract, instruments, Some(rule)));
                }
                Some((TermSource::Via, rule))
                    if !contract.is_empty() && !instruments.is_empty() =>
                {
                    for instrument in instruments {
                        clauses.push(clause(instrument, vec![ClauseSource::Contract], Some(rule)));
                    }
                }
                _ => clauses.extend(
                    sources
                        .into_iter()
                        .map(|source| clause(source, Vec::new(), None)),
                ),
            }
        }
        clauses
    }
}

/// `responsible alone for "..."` as one rule says it of one binding.
#[derive(Clone, Debug)]
pub struct Responsibility {
    pub extent: Extent,
    /// What the agency answers for, its message's values filled in.
    pub what: String,
    /// The rule, by its index in `Model::rules`.
    pub rule: usize,
}

/// Who owes a duty.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Party {
    Agency(AgencyId),
    /// A supplier, by name, as a contract states it.
    Supplier(String),
}

#[derive(Clone, Debug)]
pub enum Owed {
    /// Payments summed over every permitted order (or thing) the rule applied to.
    Pay {
        amount: Money,
        to: AgencyId,
        /// How many payments the sum adds up.
        count: usize,
    },
    /// One usage report per calendar period of the term up to the as-of date.
    Report {
        every: Period,
        within: crate::values::Duration,
        to: Option<AgencyId>,
        periods: ReportPeriods,
    },
    Notify {
        whom: AgencyId,
        due: Date,
        about: Option<String>,
        /// The order that set the notice off, for order rules.
        order: Option<OrderId>,
    },
}

/// One period a usage report covers, and whether it was filed in time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportPeriod {
    pub start: Date,
    pub end: Date,
    pub due: Date,
    /// When the report was filed, if the contract records it.
    pub filed: Option<Date>,
    pub status: ReportStatus,
}

/// Where a usage report stands on the as-of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportStatus {
    Filed,
    Late,
    Missing,
    NotYetDue,
}

/// The periods of a usage-report duty, counted by status; a long term has thousands, so only
/// the latest are kept one by one, and the late or missing ones that findings list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportPeriods {
    pub filed: usize,
    pub late: usize,
    pub missing: usize,
    pub not_yet_due: usize,
    /// The latest periods, oldest first: at most [`PERIODS_LISTED`].
    pub latest: Vec<ReportPeriod>,
    /// The first late or missing periods: at most [`REPORTS_LISTED`].
    pub overdue: Vec<ReportPeriod>,
    /// The late or missing periods after those: from the first's start to the last's end, and
    /// how many.
    pub more_overdue: Option<(Date, Date, usize)>,
}

/// How many of a usage-report duty's latest periods are kept one by one.
pub const PERIODS_LISTED: usize = 24;

/// How many late or missing reports of one contract are listed one by one.
pub const REPORTS_LISTED: usize = 4;

impl ReportPeriods {
    /// How many periods there are in all.
    pub fn count(&self) -> usize {
        self.filed + self.late + self.missing + self.not_yet_due
    }

    /// The periods before the latest, which are counted but not kept: the first's start, the
    /// last's end, and how many.
    pub fn earlier(&self, first_start: Date) -> Option<(Date, Date, usize)> {
        let earlier = self.count() - self.latest.len();
        let last_end = self.latest.first()?.start.pred_opt()?;
        (earlier > 0).then_some((first_start, last_end, earlier))
    }
}

/// How often a rule was tried, applied and failed: what the report and the packs' tests read to
/// see that an example shows each rule both passing and failing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuleTally {
    /// Things in the rule's scope it was tried on.
    pub considered: usize,
    /// Those its `where` admitted.
    pub applied: usize,
    /// Those it denied or warned about, or whose usage report was missing.
    pub failed: usize,
    /// Those it could not decide (amounts in different currencies or units).
    pub undecided: usize,
    /// Those it applied to but was set aside for, replaced or waived by another rule.
    pub set_aside: usize,
    /// For a legal basis, the orders it permitted (it held, and no prohibition denied them).
    pub permitted: usize,
}

impl RuleTally {
    /// Adds another's counts to these.
    pub fn add(&mut self, other: RuleTally) {
        self.considered += other.considered;
        self.applied += other.applied;
        self.failed += other.failed;
        self.undecided += other.undecided;
        self.set_aside += other.set_aside;
        self.permitted += other.permitted;
    }
}

/// What judging one order (or the model's other subjects) adds to the rules' tallies, indexed
/// by rule as the tallies are: kept apart, so that a judgment made ahead of its turn and then
/// dropped (it read what the orders before it change) counts nothing.
pub(super) struct TallyChanges {
    changes: Vec<RuleTally>,
    /// The rules whose changes were written to, each once.
    changed: Vec<usize>,
    /// Per rule, whether it is in `changed`: a rule's tally is written to several times for
    /// each order, and adding each change up once a rule is cheaper.
    listed: Vec<bool>,
}

impl TallyChanges {
    pub fn new(rules: usize) -> TallyChanges {
        TallyChanges {
            changes: vec![RuleTally::default(); rules],
            changed: Vec::new(),
            listed: vec![false; rules],
        }
    }

    /// Adds the changes to `tallies` and forgets them.
    pub fn add_to(&mut self, tallies: &mut [RuleTally]) {
        for &rule in &self.changed {
            tallies[rule].add(std::mem::take(&mut self.changes[rule]));
            self.listed[rule] = false;
        }
        self.changed.clear();
    }

    /// Forgets the changes to one rule's tally.
    pub fn forget(&mut self, rule: usize) {
        self.changes[rule] = RuleTally::default();
    }

    /// Forgets the changes.
    pub fn discard(&mut self) {
        for &rule in &self.changed {
            self.changes[rule] = RuleTally::default();
            self.listed[rule] = false;
        }
        self.changed.clear();
    }
}

impl std::ops::Index<usize> for TallyChanges {
    type Output = RuleTally;

    fn index(&self, rule: usize) -> &RuleTally {
        &self.changes[rule]
    }
}

impl std::ops::IndexMut<usize> for TallyChanges {
    fn index_mut(&mut self, rule: usize) -> &mut RuleTally {
        if !self.listed[rule] {
            self.listed[rule] = true;
            self.changed.push(rule);
        }
        &mut self.changes[rule]
    }
}

/// What the evaluator knows at the moment a rule runs.
pub(super) struct Context<'e> {
    pub model: &'e Model,
    /// The date rules judge at: an order's date for order rules, else the as-of date.
    pub today: Date,
    /// What judging has added up so far: volumes, permitted orders (aggregates range over
    /// these and the order being judged), running totals, caps used.
    pub running: Running<'e>,
    /// The order being judged, with what it buys (found once, read by every rule).
    pub judged: Option<(OrderId, &'e Tally)>,
    pub bindings: &'e [Binding],
    /// What order rules' filters decide per contract and per buyer, found once each.
    pub gates: &'e Gates<'e>,
}

/// The terms of order rules' conditions that depend only on an order's contract, only on its
/// buyer, or only on its basis, decided once per contract, buyer or basis and remembered: most
/// rules of a pack apply to a few jurisdictions or programs, and most of the prelude's to one
/// basis, so most rules are turned away from an order by lookups; and what a contract states
/// (open to piggyback use, cooperative use stated) is read once.
#[derive(Debug)]
pub struct Gates<'m> {
    /// Per rule, in the order of `Model::rules`; `None` for rules not about orders, or without
    /// a filter.
    rules: Vec<Option<Gate<'m>>>,
    /// Per rule and outcome: a `require`'s condition, remembered where it can be, else folded.
    conditions: Vec<Vec<Option<Condition<'m>>>>,
    /// The rules that set others aside, by index.
    setters: Vec<usize>,
    /// Per rule: whether a setter of its scope names it. Only for such a rule is it asked which
    /// setters apply, so a subject no rule can be set aside for costs nothing.
    targeted: Vec<bool>,
    /// Per contract, per buyer and per basis (by `Per`): the order and line rules that no
    /// remembered term of that contract, buyer or basis shuts, as bits by rule index, found the
    /// first time one of its orders is judged. An order goes through the rules all three leave
    /// open: most rules of a pack are shut for most contracts or buyers, and cost nothing then.
    open: [Vec<OnceCell<Box<[u64]>>>; 3],
    /// Every date on which a jurisdiction group's members change, in order: between two of them
    /// every group has the same members, so a remembered term that reads a group holds for all
    /// the orders of a contract or buyer whose dates fall in one such period.
    membership_changes: Vec<Date>,
    /// Whether a condition over an agency (an `open_to`, an instrument's, a solicitation's
    /// `buyers where`) admits an agency, by the condition's place in the model, the agency and
    /// the period of membership: asked for every order, the same for all of one buyer.
    admitted: RefCell<AHashMap<(usize, AgencyId, usize), bool>>,
    /// What the memos decided, by `Per`: for each contract, agency or basis and period, the
    /// cells of all memos of that kind side by side, so that an order's memos are read from a
    /// few lines of memory rather than one per memo.
    decided: [Vec<Cell<Decided>>; 3],
    /// How many memos each `Per` keeps.
    memos: [usize; 3],
    /// The folded terms (`Folded`): first those folded per contract, then those folded per
    /// contract and period; for each, the terms of one contract (and period) side by side.
    folded: [Vec<OnceCell<Option<Box<Expression>>>>; 2],
    /// How many terms each of the two is folded for.
    folds: [usize; 2],
}

/// A `require`'s condition on an order, line or binding: remembered once per contract, buyer or
/// basis, or, when it reads the subject itself, folded per contract.
#[derive(Debug)]
enum Condition<'m> {
    Memo(Memo<'m>),
    Folded(Folded<'m>),
}

#[derive(Debug)]
struct Gate<'m> {
    /// The terms of the filter decided once per contract, buyer or basis.
    memos: Vec<Memo<'m>>,
    /// The rest of the filter, decided for each order, with what it reads of the contract
    /// folded in.
    rest: Vec<Folded<'m>>,
}

/// A term of an order, line or binding rule that no memo keeps, because it reads its subject
/// itself (`o.date`), with every part of it that reads only the subject's contract replaced by
/// its value, once per contract (and period of membership, for a term that reads a group):
/// `o.date >= o.contract.term.start` becomes `o.date >= 2024-01-01`, and
/// `o.lot.maximum exists or o.quantity_available exists` becomes `o.quantity_available exists`
/// for a contract of a lot without a maximum, or `true` for one with. Folding keeps the
/// interpreter's meaning: a part is replaced only once its value is known, and `and` and `or`
/// only where one side settles them (`false and x` is `false`) or leaves the other side's truth
/// (`false or x` holds when `x` does).
#[derive(Debug)]
struct Folded<'m> {
    term: &'m Expression,
    scope: Entity,
    /// Whether the term reads a jurisdiction group's members, which change on dates: only
    /// then is it folded once per period as well as per contract.
    by_period: bool,
    /// Its place among the terms folded alike (per contract, or per contract and period), in
    /// `Gates::folded`.
    place: usize,
}

/// A term whose value is the same for every order of one contract, of one buyer, or on one
/// basis: unknown, open (true) or shut (false) for each, in its cells of `Gates::decided`.
#[derive(Debug)]
struct Memo<'m> {
    term: &'m Expression,
    per: Per,
    /// Its place among the memos kept by the same `Per`, in `Gates::decided`.
    place: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Per {
    // The order matters: it indexes `Gates::open`.
    Contract,
    Buyer,
    Basis,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Decided {
    #[default]
    Unknown,
    Open,
    Shut,
}

/// Where an order or a binding stands, for the memos: its contract, its agency (an order's
/// buyer), its basis, and the period of jurisdiction groups' membership its date falls in.
#[derive(Clone, Copy, Debug)]
struct Slots {
    contract: ContractId,
    agency: AgencyId,
    basis: Basis,
    membership_period: usize,
}

impl Slots {
    fn of_order(context: &Context<'_>, order: OrderId, basis: Basis) -> Slots {
        let declared = &context.model.orders[order.0];
        Slots {
            contract: declared.contract.value,
            agency: declared.buyer.value,
            basis,
            membership_period: context.gates.membership_period(context.today),
        }
    }

    fn of_binding(context: &Context<'_>, binding: &Binding) -> Slots {
        Slots {
            contract: binding.contract,
            agency: binding.agency,
            basis: binding.basis,
            membership_period: context.gates.membership_period(context.today),
        }
    }

    /// The memo slot of one contract, agency or basis: one per membership period, since a
    /// term may read a jurisdiction group (`in [EU]`), whose members change on dates.
    fn index(self, per: Per, periods: usize) -> usize {
        let slot = match per {
            Per::Contract => self.contract.0,
            Per::Buyer => self.agency.0,
            Per::Basis => self.basis as usize,
        };
        slot * periods + self.membership_period
    }
}

/// The fields through which a rule of this scope reads its order's (or binding's) contract, its
/// agency (an order's buyer) and its basis: what memos are kept by. A line rule reads them
/// through the line's order.
fn memo_paths(scope: Entity) -> Option<[&'static [Field]; 3]> {
    match scope {
        Entity::Order | Entity::Line => Some([
            &[
                Field::Order(OrderField::Contract),
                Field::Order(OrderField::Solicitation),
                Field::Order(OrderField::Lead),
                Field::Order(OrderField::Category),
                Field::Order(OrderField::Lot),
            ],
            &[Field::Order(OrderField::Buyer)],
            &[Field::Order(OrderField::Basis)],
        ]),
        Entity::Binding => Some([
            &[Field::Binding(BindingField::Contract)],
            &[Field::Binding(BindingField::Agency)],
            &[Field::Binding(BindingField::Basis)],
        ]),
        _ => None,
    }
}

impl<'m> Folded<'m> {
    /// `counts` counts the terms folded so far per contract and per contract and period, and
    /// gives this one its place.
    fn new(term: &'m Expression, scope: Entity, counts: &mut [usize; 2]) -> Folded<'m> {
        let mut by_period = false;
        term.visit(&mut |part| {
            by_period |= matches!(
                part.kind,
                ExpressionKind::Field(_, Field::Group(GroupField::Members))
            );
        });
        let place = counts[usize::from(by_period)];
        counts[usize::from(by_period)] += 1;
        Folded {
            term,
            scope,
            by_period,
            place,
        }
    }

    /// The term for a subject standing where `slots` say (bound as the first variable),
    /// folded the first time one of its contract's subjects asks.
    fn term<'a>(
        &'a self,
        context: &'a Context<'_>,
        slots: Slots,
        variables: &mut Vec<Value>,
    ) -> &'a Expression {
        let gates = context.gates;
        let slot = if self.by_period {
            slots.index(Per::Contract, gates.periods())
        } else {
            slots.contract.0
        };
        let table = usize::from(self.by_period);
        gates.folded[table][slot * gates.folds[table] + self.place]
            .get_or_init(|| fold(context, self.term, self.scope, variables).map(Box::new))
            .as_deref()
            .unwrap_or(self.term)
    }
}

/// The value of an expression that is one already: a constant, or a pack's parameter.
fn constant(expression: &Expression) -> Option<Value> {
    match expression.kind {
        ExpressionKind::Constant(value) | ExpressionKind::Parameter { value, .. } => Some(value),
        _ => None,
    }
}

/// An expression with every part that reads the subject only through its contract replaced by
/// its value for the subject bound as the first variable; `None` when nothing changes. A part
/// that cannot be decided is kept, to be reported where it is evaluated.
fn fold(
    context: &Context<'_>,
    expression: &Expression,
    scope: Entity,
    variables: &mut Vec<Value>,
) -> Option<Expression> {
    let with = |kind| Expression {
        kind,
        ty: expression.ty.clone(),
        span: expression.span,
    };
    let [by_contract, _, _] = memo_paths(scope)?;
    match &expression.kind {
        // Already as simple as it gets; an aggregate binds variables of its own and keeps its
        // running totals by its place.
        ExpressionKind::Constant(_)
        | ExpressionKind::Parameter { .. }
        | ExpressionKind::Variable(_)
        | ExpressionKind::Aggregate { .. } => return None,
        _ if reads_through(expression, scope, by_contract) => {
            return context
                .value(expression, variables)
                .ok()
                .map(|value| with(ExpressionKind::Constant(value)));
        }
        _ => {}
    }
    let mut part = |part: &Expression| fold(context, part, scope, variables);
    match &expression.kind {
        ExpressionKind::Binary(operator, left, right) => {
            let (folded_left, folded_right) = (part(left), part(right));
            let sides = [
                folded_left.as_ref().unwrap_or(left),
                folded_right.as_ref().unwrap_or(right),
            ];
            let [left_value, right_value] = sides.map(constant);
            match (operator, left_value, right_value) {
                // A side that settles `and` or `or` settles it, whatever the other side is.
                (Operator::And, Some(value), _) | (Operator::And, _, Some(value))
                    if !value.is_true() =>
                {
                    return Some(with(ExpressionKind::Constant(Value::Boolean(false))));
                }
                (Operator::Or, Some(Value::Boolean(true)), _)
                | (Operator::Or, _, Some(Value::Boolean(true))) => {
                    return Some(with(ExpressionKind::Constant(Value::Boolean(true))));
                }
                // One that does not leaves the other side's truth: `false or x` holds when
                // `x` does.
                (Operator::And | Operator::Or, Some(_), None) if right.ty == Type::Boolean => {
                    return Some(folded_right.unwrap_or_else(|| (**right).clone()));
                }
                (Operator::And | Operator::Or, None, Some(_)) if left.ty == Type::Boolean => {
                    return Some(folded_left.unwrap_or_else(|| (**left).clone()));
                }
                _ => {}
            }
            if folded_left.is_none() && folded_right.is_none() {
                return None;
            }
            let folded = with(ExpressionKind::Binary(
                *operator,
                Box::new(folded_left.unwrap_or_else(|| (**left).clone())),
                Box::new(folded_right.unwrap_or_else(|| (**right).clone())),
            ));
            // Two known sides make a known value.
            if left_value.is_some()
                && right_value.is_some()
                && let Ok(value) = context.value(&folded, variables)
            {
                return Some(with(ExpressionKind::Constant(value)));
            }
            Some(folded)
        }
        ExpressionKind::Field(owner, field) => {
            part(owner).map(|owner| with(ExpressionKind::Field(Box::new(owner), *field)))
        }
        ExpressionKind::Named(owner, entries, name) => part(owner).map(|owner| {
            with(ExpressionKind::Named(
                Box::new(owner),
                *entries,
                name.clone(),
            ))
        }),
        ExpressionKind::Unary(operator, operand) => {
            part(operand).map(|operand| with(ExpressionKind::Unary(*operator, Box::new(operand))))
        }
        ExpressionKind::Exists(operand) => {
            part(operand).map(|operand| with(ExpressionKind::Exists(Box::new(operand))))
        }
        ExpressionKind::Distance(from, to) => {
            let (folded_from, folded_to) = (part(from), part(to));
            if folded_from.is_none() && folded_to.is_none() {
                return None;
            }
            Some(with(ExpressionKind::Distance(
                Box::new(folded_from.unwrap_or_else(|| (**from).clone())),
                Box::new(folded_to.unwrap_or_else(|| (**to).clone())),
            )))
        }
        ExpressionKind::In(element, candidates) => {
            let folded_element = part(element);
            let folded_candidates: Vec<Option<Expression>> =
                candidates.iter().map(&mut part).collect();
            if folded_element.is_none() && folded_candidates.iter().all(Option::is_none) {
                return None;
            }
            Some(with(ExpressionKind::In(
                Box::new(folded_element.unwrap_or_else(|| (**element).clone())),
                folded_candidates
                    .into_iter()
                    .zip(candidates)
                    .map(|(folded, candidate)| folded.unwrap_or_else(|| candidate.clone()))
                    .collect(),
            )))
        }
        ExpressionKind::Constant(_)
        | ExpressionKind::Parameter { .. }
        | ExpressionKind::Variable(_)
        | ExpressionKind::Aggregate { .. } => None,
    }
}

impl<'m> Memo<'m> {
    /// The memo of a term of an order, line or binding rule that reads its subject only through
    /// its contract, its agency (an order's buyer) or its basis (a line's, through its order);
    /// `None` for any other term. `counts` counts the memos made so far of each kind, and gives
    /// this one its place.
    fn of(term: &'m Expression, scope: Entity, counts: &mut [usize; 3]) -> Option<Memo<'m>> {
        let [by_contract, by_agency, by_basis] = memo_paths(scope)?;
        let per = if reads_through(term, scope, by_contract) {
            Per::Contract
        } else if reads_through(term, scope, by_agency) {
            Per::Buyer
        } else if reads_through(term, scope, by_basis) {
            Per::Basis
        } else {
            return None;
        };
        let place = counts[per as usize];
        counts[per as usize] += 1;
        Some(Memo { term, per, place })
    }

    /// The term's value for a subject standing where `slots` say, remembered once decided; an
    /// error when it cannot be decided (tried again with each subject).
    fn value(
        &self,
        context: &Context<'_>,
        slots: Slots,
        variables: &mut Vec<Value>,
    ) -> Result<bool, Mismatch> {
        let gates = context.gates;
        let per = self.per as usize;
        let slot = slots.index(self.per, gates.periods());
        let cell = &gates.decided[per][slot * gates.memos[per] + self.place];
        match cell.get() {
            Decided::Open => return Ok(true),
            Decided::Shut => return Ok(false),
            Decided::Unknown => {}
        }
        let holds = matches!(context.value(self.term, variables)?, Value::Boolean(true));
        cell.set(if holds { Decided::Open } else { Decided::Shut });
        Ok(holds)
    }
}

impl<'m> Gates<'m> {
    pub fn new(model: &'m Model) -> Gates<'m> {
        let mut membership_changes: Vec<Date> = model
            .groups
            .iter()
            .flat_map(|group| group.members.iter().map(|(from, _)| *from))
            .collect();
        membership_changes.sort_unstable();
        membership_changes.dedup();
        let periods = membership_changes.len() + 1;
        let mut memos = [0; 3];
        let mut folds = [0; 2];
        let rules = model
            .rules
            .iter()
            .map(|rule| {
                let filter = rule.filter.as_ref().filter(|_| {
                    matches!(rule.scope, Entity::Order | Entity::Line | Entity::Binding)
                })?;
                let mut gate = Gate {
                    memos: Vec::new(),
                    rest: Vec::new(),
                };
                for term in filter.conjuncts() {
                    match Memo::of(term, rule.scope, &mut memos) {
                        Some(memo) => gate.memos.push(memo),
                        None => gate.rest.push(Folded::new(term, rule.scope, &mut folds)),
                    }
                }
                Some(gate)
            })
            .collect();
        let conditions = model
            .rules
            .iter()
            .map(|rule| {
                rule.outcomes
                    .iter()
                    .map(|outcome| match outcome {
                        RuleOutcome::Require { condition, .. } => {
                            memo_paths(rule.scope)?;
                            Some(match Memo::of(condition, rule.scope, &mut memos) {
                                Some(memo) => Condition::Memo(memo),
                                None => Condition::Folded(Folded::new(
                                    condition, rule.scope, &mut folds,
                                )),
                            })
                        }
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let setters = model
            .rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| !rule.sets_aside.is_empty())
            .map(|(index, _)| index)
            .collect::<Vec<_>>();
        let mut targeted = vec![false; model.rules.len()];
        for &setter in &setters {
            for aside in &model.rules[setter].sets_aside {
                targeted[aside.rule] = true;
            }
        }
        let slots = [
            model.contracts.len(),
            model.agencies.len(),
            Per::Basis as usize + 1,
        ];
        Gates {
            rules,
            conditions,
            setters,
            targeted,
            open: slots.map(|slots| (0..slots * periods).map(|_| OnceCell::new()).collect()),
            decided: [Per::Contract, Per::Buyer, Per::Basis].map(|per| {
                let cells = slots[per as usize] * periods * memos[per as usize];
                vec![Cell::new(Decided::Unknown); cells]
            }),
            memos,
            folded: [
                model.contracts.len() * folds[0],
                model.contracts.len() * periods * folds[1],
            ]
            .map(|cells| (0..cells).map(|_| OnceCell::new()).collect()),
            folds,
            membership_changes,
            admitted: RefCell::default(),
        }
    }

    /// How many periods of jurisdiction groups' membership there are.
    fn periods(&self) -> usize {
        self.membership_changes.len() + 1
    }

    /// The period of jurisdiction groups' membership a date falls in.
    fn membership_period(&self, date: Date) -> usize {
        self.membership_changes
            .partition_point(|change| *change <= date)
    }

    /// The order and line rules that may apply to an order, by index in `Model::rules`, in
    /// that order: those its contract, its buyer and its basis all leave open. In `settled`,
    /// as bits by rule index, those whose remembered terms all hold for the order: their
    /// filters need not read them again.
    fn candidates(
        &self,
        context: &Context<'_>,
        order: OrderId,
        slots: Slots,
        variables: &mut Vec<Value>,
        candidates: &mut Vec<usize>,
        settled: &mut Vec<u64>,
    ) {
        let by_contract = self.open_for(Per::Contract, slots, context, order, variables);
        let by_buyer = self.open_for(Per::Buyer, slots, context, order, variables);
        let by_basis = self.open_for(Per::Basis, slots, context, order, variables);
        let words = by_contract.len() / 2;
        candidates.clear();
        settled.clear();
        for word in 0..words {
            let mut bits = by_contract[word] & by_buyer[word] & by_basis[word];
            let held = |bits: &[u64]| bits[words + word];
            settled.push(bits & held(by_contract) & held(by_buyer) & held(by_basis));
            while bits != 0 {
                candidates.push(word * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
    }

    /// The order and line rules that the remembered terms of one contract, buyer or basis leave
    /// open, found with an order of it, as bits by rule index; then, as many words again, those
    /// whose terms of it all hold. A term that cannot be decided leaves its rule open, so that
    /// judging the rule reports it.
    fn open_for(
        &self,
        per: Per,
        slots: Slots,
        context: &Context<'_>,
        order: OrderId,
        variables: &mut Vec<Value>,
    ) -> &[u64] {
        self.open[per as usize][slots.index(per, self.periods())].get_or_init(|| {
            let rules = &context.model.rules;
            let words = rules.len().div_ceil(64);
            let mut bits = vec![0u64; 2 * words];
            // A line rule's terms are read with the order's first line; an order without
            // lines leaves line rules open, and its lines' memos shut them line by line.
            let has_lines = !context.model.orders[order.0].lines.is_empty();
            for (index, rule) in rules.iter().enumerate() {
                let subject = match rule.scope {
                    Entity::Line if has_lines => Some(Value::Line(order, 0)),
                    Entity::Order => Some(Value::Order(order)),
                    _ => None,
                };
                let (shut, held) = match (rule.scope, &self.rules[index], subject) {
                    (Entity::Order | Entity::Line, Some(gate), Some(subject)) => {
                        let (mut shut, mut held) = (false, true);
                        for memo in gate.memos.iter().filter(|memo| memo.per == per) {
                            variables.clear();
                            variables.push(subject);
                            match memo.value(context, slots, variables) {
                                Ok(true) => {}
                                Ok(false) => {
                                    shut = true;
                                    break;
                                }
                                Err(_) => held = false,
                            }
                        }
                        // A term folded to a value for the contract shuts the rule for it too.
                        shut = shut
                            || (per == Per::Contract
                                && gate.rest.iter().any(|rest| {
                                    variables.clear();
                                    variables.push(subject);
                                    constant(rest.term(context, slots, variables))
                                        .is_some_and(|value| !value.is_true())
                                }));
                        (shut, held)
                    }
                    // No filter: nothing to remember.
                    (Entity::Order | Entity::Line, None, _) => (false, true),
                    // A line rule, for a first order without lines: its terms were not read.
                    (Entity::Order | Entity::Line, _, _) => (false, false),
                    _ => (true, false),
                };
                let bit = 1 << (index % 64);
                if !shut {
                    bits[index / 64] |= bit;
                }
                if held {
                    bits[words + index / 64] |= bit;
                }
            }
            bits.into()
        })
    }

    /// Every order rule is considered for every order judged, and every line rule for each of
    /// their lines, run on it or turned away by its remembered terms.
    pub fn count_considered(
        &self,
        model: &Model,
        judged: usize,
        lines: usize,
        tallies: &mut [RuleTally],
    ) {
        for (rule, tally) in model.rules.iter().zip(tallies) {
            match rule.scope {
                Entity::Order => tally.considered = judged,
                Entity::Line => tally.considered = lines,
                _ => {}
            }
        }
    }
}

/// Whether a piggyback clause's `open_to` admits an agency; a contract without the condition
/// admits everyone.
fn admits(
    context: &Context<'_>,
    clause: Option<&crate::model::PiggybackClause>,
    agency: AgencyId,
) -> bool {
    clause
        .and_then(|clause| clause.eligibility.as_ref())
        .is_none_or(|eligibility| admitted_by(context, eligibility, agency))
}

/// Whether a condition over an agency (an `open_to`, a solicitation's `buyers where`) holds of
/// it; one that cannot be decided does not.
fn admitted_by(context: &Context<'_>, condition: &Expression, agency: AgencyId) -> bool {
    // Remembered when the condition reads nothing that changes as orders are judged but
    // jurisdiction groups' members, whose period is part of the key.
    let key = (
        std::ptr::from_ref(condition) as usize,
        agency,
        context.gates.membership_period(context.today),
    );
    if let Some(admitted) = context.gates.admitted.borrow().get(&key) {
        return *admitted;
    }
    let mut variables = vec![Value::Agency(agency)];
    let admitted = matches!(
        context.value(condition, &mut variables),
        Ok(Value::Boolean(true))
    );
    if steady(condition) {
        context.gates.admitted.borrow_mut().insert(key, admitted);
    }
    admitted
}

/// Whether an expression's value is the same whenever it is read with the same variables in
/// one period of jurisdiction groups' membership: it reads no field that varies otherwise, and
/// no aggregate.
fn steady(expression: &Expression) -> bool {
    match &expression.kind {
        ExpressionKind::Aggregate { .. } => false,
        ExpressionKind::Constant(_)
        | ExpressionKind::Parameter { .. }
        | ExpressionKind::Variable(_) => true,
        ExpressionKind::Field(owner, field) => {
            (!field.varies() || *field == Field::Group(GroupField::Members)) && steady(owner)
        }
        ExpressionKind::Named(owner, _, _)
        | ExpressionKind::Unary(_, owner)
        | ExpressionKind::Exists(owner) => steady(owner),
        ExpressionKind::Binary(_, left, right) | ExpressionKind::Distance(left, right) => {
            steady(left) && steady(right)
        }
        ExpressionKind::In(element, candidates) => steady(element) && candidates.iter().all(steady),
    }
}

/// Whether an expression reads the rule's order (a line rule's, the line's order) only through
/// these fields (and nothing that changes as orders are judged), so that its value is the same
/// for every order sharing them.
fn reads_through(expression: &Expression, scope: Entity, fields: &[Field]) -> bool {
    match &expression.kind {
        ExpressionKind::Variable(_) | ExpressionKind::Aggregate { .. } => false,
        ExpressionKind::Constant(_) | ExpressionKind::Parameter { .. } => true,
        ExpressionKind::Field(owner, field) => {
            // A group's members change only on dates, and memos keep one slot per period.
            if field.varies() && *field != Field::Group(GroupField::Members) {
                return false;
            }
            if reads_the_order(owner, scope) {
                fields.contains(field)
            } else {
                reads_through(owner, scope, fields)
            }
        }
        ExpressionKind::Named(owner, _, _) => reads_through(owner, scope, fields),
        ExpressionKind::Unary(_, operand) | ExpressionKind::Exists(operand) => {
            reads_through(operand, scope, fields)
        }
        ExpressionKind::Binary(_, left, right) | ExpressionKind::Distance(left, right) => {
            reads_through(left, scope, fields) && reads_through(right, scope, fields)
        }
        ExpressionKind::In(element, candidates) => {
            reads_through(element, scope, fields)
                && candidates
                    .iter()
                    .all(|candidate| reads_through(candidate, scope, fields))
        }
    }
}

/// Whether an expression is the order a rule of this scope is about: an order or binding rule's
/// own variable, or a line rule's `l.order`.
fn reads_the_order(expression: &Expression, scope: Entity) -> bool {
    match (&expression.kind, scope) {
        (ExpressionKind::Variable(0), Entity::Order | Entity::Binding) => true,
        (ExpressionKind::Field(owner, Field::Line(LineField::Order)), Entity::Line) => {
            matches!(owner.kind, ExpressionKind::Variable(0))
        }
        _ => false,
    }
}

/// Running totals of indexed aggregates: per aggregate and key, the count and sum of the
/// permitted orders it admits. Kept as orders are permitted, so no aggregate rescans the orders.
#[derive(Debug, Default)]
pub struct Totals {
    /// Keyed by the aggregate and the values of its keys; most aggregates have one or two keys,
    /// held inline.
    totals: AHashMap<(usize, SmallVec<[Key; 2]>), Total>,
    /// Every indexed aggregate of the model's rules, found once.
    indexed: Vec<IndexedAggregate>,
}

#[derive(Clone, Debug)]
struct IndexedAggregate {
    index: AggregateIndex,
    value: Option<Expression>,
}

#[derive(Debug, Default)]
struct Total {
    count: u64,
    sum: Option<Result<Value, Mismatch>>,
}

/// A value that can key a running total: what `==` compares exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Boolean(bool),
    Number(Decimal),
    Date(Date),
    Text(Ustr),
    Enumeration(&'static str),
    Agency(AgencyId),
    Solicitation(crate::model::SolicitationId),
    Contract(ContractId),
    Access(InstrumentId),
    Order(OrderId),
    Binding(usize),
    Lot(crate::model::SolicitationId, usize),
}

impl Key {
    fn of(value: &Value) -> Option<Key> {
        Some(match value {
            Value::Boolean(value) => Key::Boolean(*value),
            Value::Number(number) => Key::Number(number.normalize()),
            Value::Date(date) => Key::Date(*date),
            Value::Text(text) | Value::Jurisdiction(text) => Key::Text(*text),
            Value::Enumeration(_, spelling) => Key::Enumeration(spelling),
            Value::Agency(id) => Key::Agency(*id),
            Value::Solicitation(id) => Key::Solicitation(*id),
            Value::Contract(id) => Key::Contract(*id),
            Value::Access(id) => Key::Access(*id),
            Value::Order(id) => Key::Order(*id),
            Value::Binding(index) => Key::Binding(*index),
            Value::Lot(solicitation, lot) => Key::Lot(*solicitation, *lot),
            _ => return None,
        })
    }
}

impl Totals {
    /// Finds every indexed aggregate of the model's rules.
    pub fn new(model: &Model) -> Totals {
        let mut indexed = Vec::new();
        for rule in &model.rules {
            let expressions = rule.expressions();
            for expression in expressions {
                collect_indexed(expression, &mut indexed);
            }
        }
        Totals {
            totals: AHashMap::new(),
            indexed,
        }
    }

    /// Adds a newly permitted order to the totals of every indexed aggregate that admits it.
    pub(super) fn add(&mut self, context: &Context<'_>, order: OrderId) {
        let mut variables = Vec::with_capacity(2);
        for aggregate in &self.indexed {
            // The summed order is the variable after the rule's own (aggregates do not nest).
            variables.clear();
            variables.extend([Value::Absent, Value::Order(order)]);
            let admitted = aggregate.index.residual.iter().all(|condition| {
                matches!(
                    context.value(condition, &mut variables),
                    Ok(Value::Boolean(true))
                )
            });
            if !admitted {
                continue;
            }
            let Some(key) = aggregate
                .index
                .keys
                .iter()
                .map(|(summed, _)| {
                    context
                        .value(summed, &mut variables)
                        .ok()
                        .and_then(|value| Key::of(&value))
                })
                .collect::<Option<SmallVec<[Key; 2]>>>()
            else {
                continue;
            };
            let added = aggregate
                .value
                .as_ref()
                .map(|value| context.value(value, &mut variables));
            let total = self.totals.entry((aggregate.index.id, key)).or_default();
            total.count += 1;
            if let Some(added) = added {
                total.sum = Some(match (total.sum.take(), added) {
                    (_, Err(mismatch)) | (Some(Err(mismatch)), _) => Err(mismatch),
                    (_, Ok(Value::Absent)) => total.sum.take().unwrap_or(Ok(Value::Absent)),
                    (None | Some(Ok(Value::Absent)), Ok(added)) => Ok(added),
                    (Some(Ok(sum)), Ok(added)) => Value::arithmetic(Operator::Add, &sum, &added),
                });
            }
        }
    }
}

/// The aggregates with an index inside an expression.
fn collect_indexed(expression: &Expression, found: &mut Vec<IndexedAggregate>) {
    expression.visit(&mut |node| {
        if let ExpressionKind::Aggregate {
            index: Some(index),
            value,
            ..
        } = &node.kind
        {
            found.push(IndexedAggregate {
                index: index.clone(),
                value: value.as_deref().cloned(),
            });
        }
    });
}

/// The outcome of running one rule on one thing.
struct Run<'t> {
    reasons: Vec<Diagnostic>,
    /// The checks made, for `coop why`; `None` when nobody will read them.
    steps: Option<Vec<Step>>,
    tallies: &'t mut TallyChanges,
}

impl<'t> Run<'t> {
    /// A run with no finding yet, keeping steps when they are to be explained.
    fn new(tallies: &'t mut TallyChanges, explain: bool) -> Run<'t> {
        Run {
            reasons: Vec::new(),
            steps: explain.then(Vec::new),
            tallies,
        }
    }

    /// Records a step when steps are kept; `step` is built only then.
    fn step(&mut self, step: impl FnOnce() -> Step) {
        if let Some(steps) = &mut self.steps {
            steps.push(step());
        }
    }
}

/// Buffers judging reuses from one order to the next.
#[derive(Default)]
pub(super) struct Scratch {
    /// The rules with duties that admitted the order judged last (or one of its lines), with
    /// that subject: the duties it owes if permitted.
    pub applied: Vec<(usize, Value)>,
    variables: Vec<Value>,
    /// The legal bases tried on the order judged last.
    bases: Vec<Tried>,
    /// The rules that may apply to the order judged last.
    candidates: Vec<usize>,
    /// Those of them whose remembered terms all hold for it, as bits by rule index.
    settled: Vec<u64>,
}

/// Runs every order rule on an order, and every line rule on its lines: their denials and
/// warnings become the order's reasons, each with a step for `coop why`. The order is lawful
/// when at least one legal basis that applies holds and nothing denies it; when no basis holds,
/// every basis tried says what failed. Duties come later, from `order_duties`, once the order is
/// known to be permitted, from the rules left in `scratch.applied`.
pub(super) fn judge_order(
    context: &Context<'_>,
    order: OrderId,
    tallies: &mut TallyChanges,
    explain: bool,
    scratch: &mut Scratch,
) -> OrderRules {
    let mut run = Run::new(tallies, explain);
    let (mut judging, candidates) = Judging::start(context, order, scratch);
    for &index in candidates {
        judging.rule(context, index, &mut run);
    }
    let legal_basis = decide(context, order, judging.bases, &mut run);
    OrderRules {
        reasons: run.reasons,
        steps: run.steps.unwrap_or_default(),
        legal_basis,
    }
}

/// An order's rules judged ahead of its turn, against the state before any order.
pub(super) enum Ahead {
    /// No rule read what the orders before it change: the rules' judgment, as in its turn.
    Finished(OrderRules),
    /// Some did: the others' findings, steps, bases and duties, to be finished in its turn.
    Unfinished(Unfinished),
    /// What decides which rules are run or set aside read it: the order is judged in its turn.
    Lost,
}

/// An order's rules judged ahead of its turn but for those that read what the orders before it
/// change (a maximum's volumes so far, a cap's use): those are left for its turn, each with
/// where its findings, steps, basis and duties go among the others'.
pub(super) struct Unfinished {
    reasons: Vec<Diagnostic>,
    steps: Option<Vec<Step>>,
    bases: Vec<Tried>,
    applied: Vec<(usize, Value)>,
    left: Vec<(usize, Place)>,
    /// The rules that may apply to the order (`Gates::candidates`).
    candidates: Vec<usize>,
}

/// Where a rule's results go among those of the rules before it: the lengths of each list
/// before it ran.
#[derive(Clone, Copy)]
struct Place {
    reasons: usize,
    steps: usize,
    bases: usize,
    applied: usize,
}

impl Place {
    /// The place after what `run` and `judging` hold so far.
    fn after(run: &Run, judging: &Judging) -> Place {
        Place {
            reasons: run.reasons.len(),
            steps: run.steps.as_ref().map_or(0, Vec::len),
            bases: judging.bases.len(),
            applied: judging.applied.len(),
        }
    }
}

/// Judges an order's rules as [`judge_order`] does, ahead of its turn: a rule that reads what
/// the orders before it change is taken back (its findings, steps and tally changes) and left
/// for the order's turn, and the rules after it go on. Most orders read none of it and are
/// finished here; most of the rest leave one rule (a maximum, a ceiling, a cap) of dozens.
pub(super) fn judge_order_ahead(
    context: &Context<'_>,
    order: OrderId,
    tallies: &mut TallyChanges,
    explain: bool,
    scratch: &mut Scratch,
) -> Ahead {
    let mut run = Run::new(tallies, explain);
    let (mut judging, candidates) = Judging::start(context, order, scratch);
    if context.running.take_read() {
        return Ahead::Lost;
    }
    let mut left = Vec::new();
    for &index in candidates {
        let place = Place::after(&run, &judging);
        let set_aside_known = judging.set_aside.found.is_some();
        judging.rule(context, index, &mut run);
        if !context.running.take_read() {
            continue;
        }
        // What sets rules aside for the order, found while this rule read the state, may
        // have read it too; the rules after it would be judged by it.
        if !set_aside_known && judging.set_aside.found.is_some() {
            return Ahead::Lost;
        }
        run.reasons.truncate(place.reasons);
        if let Some(steps) = &mut run.steps {
            steps.truncate(place.steps);
        }
        judging.bases.truncate(place.bases);
        judging.applied.truncate(place.applied);
        run.tallies.forget(index);
        left.push((index, place));
    }
    if left.is_empty() {
        let legal_basis = decide(context, order, judging.bases, &mut run);
        return Ahead::Finished(OrderRules {
            reasons: run.reasons,
            steps: run.steps.unwrap_or_default(),
            legal_basis,
        });
    }
    Ahead::Unfinished(Unfinished {
        reasons: run.reasons,
        steps: run.steps,
        bases: std::mem::take(judging.bases),
        applied: std::mem::take(judging.applied),
        left,
        candidates: candidates.to_vec(),
    })
}

/// Finishes in its turn an order's rules judged ahead of it: runs the rules left, puts their
/// results where they go among the others', and decides on the basis, as [`judge_order`]
/// would have. The duties are left in `scratch.applied`.
pub(super) fn finish_order(
    context: &Context<'_>,
    order: OrderId,
    unfinished: Unfinished,
    tallies: &mut TallyChanges,
    scratch: &mut Scratch,
) -> OrderRules {
    let Unfinished {
        mut reasons,
        mut steps,
        mut bases,
        mut applied,
        left,
        candidates,
    } = unfinished;
    let mut run = Run::new(tallies, steps.is_some());
    let slots = order_slots(context, order);
    let Scratch {
        applied: left_applied,
        variables,
        bases: left_bases,
        ..
    } = scratch;
    left_applied.clear();
    left_bases.clear();
    let mut judging = Judging {
        order,
        slots,
        // Not kept from ahead of the turn: the rules left read their remembered terms.
        settled: &[],
        set_aside: SetAsideFor::for_order(slots, order, &candidates),
        variables,
        bases: left_bases,
        applied: left_applied,
    };
    // Where each rule left's results start among the results of the rules left.
    let mut starts = Vec::with_capacity(left.len());
    for &(index, _) in &left {
        starts.push(Place::after(&run, &judging));
        judging.rule(context, index, &mut run);
    }
    // From the last rule left to the first, so that the places of those before stay true.
    for (&(_, place), start) in left.iter().zip(starts).rev() {
        splice_tail(&mut reasons, place.reasons, &mut run.reasons, start.reasons);
        if let (Some(steps), Some(left_steps)) = (&mut steps, &mut run.steps) {
            splice_tail(steps, place.steps, left_steps, start.steps);
        }
        splice_tail(&mut bases, place.bases, judging.bases, start.bases);
        splice_tail(&mut applied, place.applied, judging.applied, start.applied);
    }
    run.reasons = reasons;
    run.steps = steps;
    let legal_basis = decide(context, order, &bases, &mut run);
    *judging.applied = applied;
    *judging.bases = bases;
    OrderRules {
        reasons: run.reasons,
        steps: run.steps.unwrap_or_default(),
        legal_basis,
    }
}

/// Moves `from[start..]` into `into` at `at`.
fn splice_tail<T>(into: &mut Vec<T>, at: usize, from: &mut Vec<T>, start: usize) {
    let tail = from.split_off(start);
    into.splice(at..at, tail);
}

/// Where an order stands, for its rules' memos.
fn order_slots(context: &Context<'_>, order: OrderId) -> Slots {
    let basis = super::orders::basis_of(context.model, &context.model.orders[order.0]);
    Slots::of_order(context, order, basis)
}

/// One order being judged rule by rule: what the rules found so far besides findings and
/// steps.
struct Judging<'s, 'c> {
    order: OrderId,
    slots: Slots,
    /// The rules whose remembered terms all hold for the order, as bits by rule index.
    settled: &'s [u64],
    set_aside: SetAsideFor<'c>,
    variables: &'s mut Vec<Value>,
    /// The legal bases tried.
    bases: &'s mut Vec<Tried>,
    /// The rules with duties that admitted the order (or one of its lines), with that subject.
    applied: &'s mut Vec<(usize, Value)>,
}

impl<'s> Judging<'s, 's> {
    /// Sets an order up to be judged with the buffers of `scratch`: where it stands, and the
    /// rules that may apply to it (`Gates::candidates`), returned beside.
    fn start(
        context: &Context<'_>,
        order: OrderId,
        scratch: &'s mut Scratch,
    ) -> (Judging<'s, 's>, &'s [usize]) {
        let slots = order_slots(context, order);
        let Scratch {
            applied,
            variables,
            bases,
            candidates,
            settled,
        } = scratch;
        applied.clear();
        bases.clear();
        context
            .gates
            .candidates(context, order, slots, variables, candidates, settled);
        let candidates: &'s [usize] = candidates;
        let judging = Judging {
            order,
            slots,
            settled,
            set_aside: SetAsideFor::for_order(slots, order, candidates),
            variables,
            bases,
            applied,
        };
        (judging, candidates)
    }
}

impl Judging<'_, '_> {
    /// Runs one order or line rule on the order or its lines. Inlined in the loops over an
    /// order's rules: called for each, it is a tenth of judging when it is not.
    #[inline(always)]
    fn rule(&mut self, context: &Context<'_>, index: usize, run: &mut Run) {
        let rule = &context.model.rules[index];
        let order = self.order;
        let declared = &context.model.orders[order.0];
        let memos_hold = self
            .settled
            .get(index / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0);
        match rule.scope {
            Entity::Order => {
                let variables = &mut *self.variables;
                variables.clear();
                variables.push(Value::Order(order));
                let judged = Subject {
                    place: declared.header.name.span,
                    slots: Some(self.slots),
                    memos_hold,
                };
                let fallback = match applies_to(
                    context,
                    index,
                    rule,
                    &judged,
                    variables,
                    &mut self.set_aside,
                    run,
                ) {
                    Applies::No => return,
                    Applies::Yes => false,
                    Applies::AsFallback => true,
                };
                requirements(context, index, rule, variables, &judged, run);
                if let Some(conditions) = &rule.permits {
                    let mut tried = basis(context, index, rule, conditions, variables, run);
                    tried.fallback = fallback;
                    self.bases.push(tried);
                }
                if rule.obliges() {
                    self.applied.push((index, Value::Order(order)));
                }
            }
            // A line rule runs on each line; a line it denies denies its order.
            Entity::Line => {
                for (position, line) in declared.lines.iter().enumerate() {
                    let subject = Value::Line(order, position);
                    let variables = &mut *self.variables;
                    variables.clear();
                    variables.push(subject);
                    let judged = Subject {
                        place: line.span,
                        slots: Some(self.slots),
                        memos_hold,
                    };
                    if applies_to(
                        context,
                        index,
                        rule,
                        &judged,
                        variables,
                        &mut SetAsideFor::new(Entity::Line, subject),
                        run,
                    ) != Applies::No
                    {
                        requirements(context, index, rule, variables, &judged, run);
                        if rule.obliges() {
                            self.applied.push((index, subject));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// A legal basis tried on an order: the rule, and the conditions of it that do not hold (none
/// when it holds).
struct Tried {
    rule: usize,
    failed: Vec<(Span, String)>,
    undecided: bool,
    /// A basis that only a pack used as warnings replaces: it permits the order when none of
    /// the other bases does.
    fallback: bool,
}

/// The conditions of a legal basis on an order: a step for each, and what failed.
fn basis(
    context: &Context<'_>,
    index: usize,
    rule: &Rule,
    conditions: &[PermitCondition],
    variables: &mut Vec<Value>,
    run: &mut Run,
) -> Tried {
    let mut tried = Tried {
        rule: index,
        failed: Vec::new(),
        undecided: false,
        fallback: false,
    };
    for condition in conditions {
        match context.value(&condition.condition, variables) {
            Ok(Value::Boolean(true)) => {}
            Ok(_) => {
                let why = match &condition.otherwise {
                    Some(message) => context.message(message, variables),
                    None => "one of its conditions does not hold".to_string(),
                };
                tried.failed.push((condition.condition.span, why));
            }
            Err(mismatch) => {
                tried.undecided = true;
                tried.failed.push((
                    condition.condition.span,
                    format!("could not be decided: {}", mismatch.0),
                ));
            }
        }
    }
    let holds = tried.failed.is_empty();
    run.step(|| Step {
        check: format!("basis {}", rule.id.value).into(),
        failed: (!holds).then_some(Code::BasisNotMet),
        detail: if holds {
            format!("{}: holds", describe_rule(rule))
        } else {
            let reasons: Vec<&str> = tried.failed.iter().map(|(_, why)| why.as_str()).collect();
            format!("{}: {}", describe_rule(rule), reasons.join("; "))
        },
        place: rule.id.span,
    });
    if tried.undecided {
        run.tallies[index].undecided += 1;
    }
    tried
}

/// The legal basis that permits an order, if one holds; otherwise a finding for each basis tried
/// (or, when none applied, one that says so), which denies the order. A basis of the model or a
/// pack is named before one of the prelude, whose bases are the defaults. A basis of a pack used
/// as warnings that is not met only warns: where it replaced others, those are tried in its
/// stead (`fallback`), and where none is left, nothing permits the order.
fn decide(context: &Context<'_>, order: OrderId, bases: &[Tried], run: &mut Run) -> Option<usize> {
    let rules = &context.model.rules;
    let holding_of = |fallback: bool| {
        bases
            .iter()
            .filter(|tried| tried.failed.is_empty() && tried.fallback == fallback)
            .min_by_key(|tried| (rules[tried.rule].is_prelude(), tried.rule))
    };
    let holding = holding_of(false).or_else(|| holding_of(true));
    let declared = &context.model.orders[order.0];
    if let Some(holding) = holding {
        if holding.fallback {
            for tried in bases.iter().filter(|tried| {
                !tried.fallback && !tried.failed.is_empty() && rules[tried.rule].as_warnings
            }) {
                run.tallies[tried.rule].failed += 1;
                run.reasons
                    .push(not_met(context, order, tried, bases.len() > 1));
            }
        }
        let denied = run.reasons.iter().any(Diagnostic::is_error);
        if !denied {
            run.tallies[holding.rule].permitted += 1;
        }
        return Some(holding.rule);
    }
    for tried in bases {
        run.tallies[tried.rule].failed += 1;
        run.reasons
            .push(not_met(context, order, tried, bases.len() > 1));
    }
    // Only bases of packs used as warnings applied, and they only warn: nothing permits it.
    if bases.iter().all(|tried| rules[tried.rule].as_warnings) {
        run.reasons.push(Diagnostic::of(
            EvalProblem::NoBasis {
                order: &declared.header.name.value,
            },
            declared.header.name.span,
        ));
    }
    None
}

/// The finding of a basis tried on an order that does not hold: `basis-not-met`, or for a basis
/// of a pack used as warnings, `would-deny`.
fn not_met(context: &Context<'_>, order: OrderId, tried: &Tried, alternatives: bool) -> Diagnostic {
    let rule = &context.model.rules[tried.rule];
    let declared = &context.model.orders[order.0];
    let reasons: Vec<&str> = tried.failed.iter().map(|(_, why)| why.as_str()).collect();
    let problem = if rule.as_warnings {
        EvalProblem::WouldDeny {
            rule,
            about_order: true,
            message: format!(
                "not permitted under {}: {}",
                rule.title.as_deref().unwrap_or(&rule.id.value),
                reasons.join("; ")
            ),
            help: None,
        }
    } else {
        EvalProblem::BasisNotMet {
            basis: rule,
            reasons,
            alternatives,
        }
    };
    let mut diagnostic =
        Diagnostic::of(problem, declared.header.name.span).with_rule(reference(rule));
    for (span, _) in &tried.failed {
        diagnostic = diagnostic.with_related(
            *span,
            format!(
                "a condition of basis `{}`, which does not hold",
                rule.id.value
            ),
        );
    }
    diagnostic
}

/// The rules set aside for one subject: those named by the rules of its scope that apply to it,
/// each with the rule that sets it aside. Found the first time a rule that can be set aside
/// applies to the subject, then remembered.
struct SetAsideFor<'c> {
    scope: Entity,
    subject: Value,
    /// For an order or a binding, where it stands: setters' filters are read through their
    /// gates.
    slots: Option<Slots>,
    /// For an order, the order rules its contract, buyer and basis leave open (sorted): a
    /// setter among the others cannot apply to it.
    open: Option<&'c [usize]>,
    found: Option<Vec<(usize, usize)>>,
}

impl<'c> SetAsideFor<'c> {
    fn new(scope: Entity, subject: Value) -> SetAsideFor<'c> {
        SetAsideFor {
            scope,
            subject,
            slots: None,
            open: None,
            found: None,
        }
    }

    fn for_order(slots: Slots, order: OrderId, open: &'c [usize]) -> SetAsideFor<'c> {
        SetAsideFor {
            slots: Some(slots),
            open: Some(open),
            ..SetAsideFor::new(Entity::Order, Value::Order(order))
        }
    }

    /// The rule that sets aside rule `index` for the subject, if one does.
    fn setter_of(&mut self, context: &Context<'_>, index: usize) -> Option<usize> {
        if !context.gates.targeted[index] {
            return None;
        }
        let found = self.found.get_or_insert_with(|| {
            let mut found = Vec::new();
            let mut variables = Vec::with_capacity(2);
            for &setter in &context.gates.setters {
                let rule = &context.model.rules[setter];
                if rule.scope != self.scope
                    || !rule.in_force.holds_on(context.today)
                    || self
                        .open
                        .is_some_and(|open| open.binary_search(&setter).is_err())
                {
                    continue;
                }
                variables.clear();
                variables.push(self.subject);
                let gate = context.gates.rules.get(setter).and_then(Option::as_ref);
                // What cannot be decided sets nothing aside.
                let applies = match (gate, self.slots) {
                    (Some(gate), Some(slots)) => {
                        matches!(
                            gate_admits(context, gate, slots, false, &mut variables),
                            (true, None)
                        )
                    }
                    _ => rule.filter.as_ref().is_none_or(|filter| {
                        matches!(
                            context.value(filter, &mut variables),
                            Ok(Value::Boolean(true))
                        )
                    }),
                };
                if applies {
                    found.extend(rule.sets_aside.iter().map(|aside| (aside.rule, setter)));
                }
            }
            found
        });
        // A rule of a pack used as warnings sets aside only what no other rule does.
        found
            .iter()
            .filter(|(target, _)| *target == index)
            .min_by_key(|(_, setter)| context.model.rules[*setter].as_warnings)
            .map(|(_, setter)| *setter)
    }
}

/// What a rule is judging: where it is written, and, for an order or a binding, where it
/// stands (its contract, agency and basis), which its rule's memos are kept by.
#[derive(Clone, Copy)]
struct Subject {
    place: Span,
    slots: Option<Slots>,
    /// Whether the terms of its rule's filter remembered for where it stands are known to
    /// hold: only the rest of the filter is read.
    memos_hold: bool,
}

/// Whether a rule applies to a subject: it does not when it is not in force on the date judged
/// (an order's, or the as-of date), its filter does not admit the subject, or another rule sets
/// it aside for the subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Applies {
    No,
    Yes,
    /// A legal basis that only a pack used as warnings sets aside: tried all the same, to permit
    /// the order when none of that pack's bases does.
    AsFallback,
}

/// Whether a rule applies to a subject and is not set aside for it, counting it either way.
fn applies_to(
    context: &Context<'_>,
    index: usize,
    rule: &Rule,
    subject: &Subject,
    variables: &mut Vec<Value>,
    set_aside: &mut SetAsideFor<'_>,
    run: &mut Run,
) -> Applies {
    // Order and line rules are counted as considered once every order is judged
    // (`Gates::count_considered`): each is considered for every order or line, run or not.
    if !matches!(rule.scope, Entity::Order | Entity::Line) {
        run.tallies[index].considered += 1;
    }
    if !rule.in_force.holds_on(context.today)
        || !applies(context, index, rule, subject, variables, run)
    {
        return Applies::No;
    }
    if let Some(setter) = set_aside.setter_of(context, index) {
        if context.model.rules[setter].as_warnings && rule.permits.is_some() {
            run.tallies[index].applied += 1;
            return Applies::AsFallback;
        }
        run.tallies[index].set_aside += 1;
        let setter = &context.model.rules[setter];
        run.step(|| Step {
            check: format!("rule {}", rule.id.value).into(),
            failed: None,
            detail: match setter
                .sets_aside
                .iter()
                .find(|aside| aside.rule == index)
                .and_then(|aside| aside.waived_because.as_ref())
            {
                Some(reason) => format!("waived by rule {}: {reason}", setter.id.value),
                None => format!("replaced by rule {}", setter.id.value),
            },
            place: setter.id.span,
        });
        return Applies::No;
    }
    run.tallies[index].applied += 1;
    Applies::Yes
}

/// What the order rules found about one order.
pub(super) struct OrderRules {
    pub reasons: Vec<Diagnostic>,
    pub steps: Vec<Step>,
    /// The legal basis that permits the order, by its index in `Model::rules`.
    pub legal_basis: Option<usize>,
}

/// The duties order rules add for a permitted order: those of the rules that applied to it.
pub(super) fn order_duties(
    context: &Context<'_>,
    order: OrderId,
    applied: &[(usize, Value)],
    duties: &mut Vec<RuleDuty>,
) {
    if applied.is_empty() {
        return;
    }
    let contract = context.model.orders[order.0].contract.value;
    let mut variables = Vec::with_capacity(2);
    for (index, subject) in applied {
        let index = *index;
        variables.clear();
        variables.push(*subject);
        obligations(
            context,
            index,
            &context.model.rules[index],
            &mut variables,
            Some(contract),
            duties,
        );
    }
}

/// Runs the rules that are not about orders, as of the as-of date: their denials and warnings
/// are findings, their duties are added to `duties`.
pub(super) fn judge_model(
    context: &Context<'_>,
    duties: &mut Duties,
    binding_terms: &mut [BindingTerms],
    tallies: &mut [RuleTally],
) -> Vec<Diagnostic> {
    let model = context.model;
    let mut changes = TallyChanges::new(tallies.len());
    let mut run = Run::new(&mut changes, false);
    for (index, rule) in model.rules.iter().enumerate() {
        let subjects: Vec<(Value, Span, Option<ContractId>)> = match rule.scope {
            // Orders and their lines are judged as each order is; fees and lots are no rule's
            // scope.
            Entity::Order | Entity::Line | Entity::Fee | Entity::Lot => continue,
            Entity::Contract => (0..model.contracts.len())
                .map(|id| {
                    let contract = ContractId(id);
                    (
                        Value::Contract(contract),
                        model.contract(contract).header.name.span,
                        Some(contract),
                    )
                })
                .collect(),
            Entity::Solicitation => model
                .solicitations
                .iter()
                .enumerate()
                .map(|(id, solicitation)| {
                    (
                        Value::Solicitation(crate::model::SolicitationId(id)),
                        solicitation.header.name.span,
                        None,
                    )
                })
                .collect(),
            Entity::Agency => model
                .agencies
                .iter()
                .enumerate()
                .map(|(id, agency)| (Value::Agency(AgencyId(id)), agency.header.name.span, None))
                .collect(),
            Entity::Access => model
                .instruments
                .iter()
                .enumerate()
                .map(|(id, instrument)| {
                    (
                        Value::Access(InstrumentId(id)),
                        instrument.header.name.span,
                        None,
                    )
                })
                .collect(),
            Entity::Binding => context
                .bindings
                .iter()
                .enumerate()
                .map(|(index, binding)| {
                    (
                        Value::Binding(index),
                        model.contract(binding.contract).header.name.span,
                        Some(binding.contract),
                    )
                })
                .collect(),
        };
        for (subject, span, contract) in subjects {
            let before = run.reasons.len();
            let slots = match subject {
                Value::Binding(binding) => {
                    Some(Slots::of_binding(context, &context.bindings[binding]))
                }
                _ => None,
            };
            let mut set_aside = SetAsideFor {
                slots,
                ..SetAsideFor::new(rule.scope, subject)
            };
            let mut variables = vec![subject];
            let judged = Subject {
                place: span,
                slots,
                memos_hold: false,
            };
            if applies_to(
                context,
                index,
                rule,
                &judged,
                &mut variables,
                &mut set_aside,
                &mut run,
            ) == Applies::No
            {
                continue;
            }
            requirements(context, index, rule, &mut variables, &judged, &mut run);
            let denied = run.reasons[before..].iter().any(Diagnostic::is_error);
            if !denied {
                let mut owed = Vec::new();
                obligations(context, index, rule, &mut variables, contract, &mut owed);
                for duty in owed {
                    duties.add(duty);
                }
                if let Value::Binding(binding) = variables[0] {
                    let place = span;
                    let conflict = terms(
                        context,
                        index,
                        rule,
                        &mut variables,
                        &mut binding_terms[binding],
                    );
                    if let Some(earlier) = conflict {
                        run.reasons.push(precedence_conflict(
                            context,
                            &context.model.rules[earlier],
                            rule,
                            binding,
                            place,
                        ));
                    }
                }
            }
        }
    }
    // A contract fails a reporting rule once, however many of its reports are missing.
    let mut failed = std::collections::HashSet::new();
    for (rule, contract, finding) in missing_reports(context, duties.found()) {
        if failed.insert((rule, contract)) {
            run.tallies[rule].failed += 1;
        }
        run.reasons.push(finding);
    }
    let reasons = run.reasons;
    changes.add_to(tallies);
    reasons
}

/// The rule's `require`s on one subject (the first variable), which it applies to.
fn requirements(
    context: &Context<'_>,
    index: usize,
    rule: &Rule,
    variables: &mut Vec<Value>,
    subject: &Subject,
    run: &mut Run,
) {
    let place = subject.place;
    let mut failed = false;
    let mut undecided_here = false;
    for (position, requirement) in rule.outcomes.iter().enumerate() {
        let RuleOutcome::Require {
            condition, span, ..
        } = requirement
        else {
            continue;
        };
        let kept = context.gates.conditions[index][position].as_ref();
        let value = match (kept, subject.slots) {
            (Some(Condition::Memo(memo)), Some(slots)) => {
                memo.value(context, slots, variables).map(Value::Boolean)
            }
            (Some(Condition::Folded(folded)), Some(slots)) => {
                let folded = folded.term(context, slots, variables);
                context.value(folded, variables)
            }
            _ => context.value(condition, variables),
        };
        match value {
            Ok(Value::Boolean(true)) => run.step(|| Step {
                check: format!("rule {}", rule.id.value).into(),
                failed: None,
                detail: format!("{}: holds", rule.title.as_deref().unwrap_or(&rule.id.value)),
                place: *span,
            }),
            Ok(_) => {
                not_held(context, rule, requirement, variables, place, run);
                failed = true;
            }
            Err(mismatch) => {
                let part = context.undecided_part(condition, variables);
                run.step(|| Step {
                    check: format!("rule {}", rule.id.value).into(),
                    failed: Some(Code::RuleUndecided),
                    detail: format!("could not be decided: {}", mismatch.0),
                    place: part,
                });
                run.reasons.push(undecided(rule, place, part, mismatch));
                undecided_here = true;
            }
        }
    }
    if undecided_here {
        run.tallies[index].undecided += 1;
    }
    if failed {
        run.tallies[index].failed += 1;
    }
}

/// The finding of a requirement of a rule that does not hold of its subject (the first
/// variable), pointing at the parts that fail and at what they read, with its step. Out of
/// line: most requirements hold, and judging them is the loop above.
#[cold]
#[inline(never)]
fn not_held(
    context: &Context<'_>,
    rule: &Rule,
    requirement: &RuleOutcome,
    variables: &mut Vec<Value>,
    place: Span,
    run: &mut Run,
) {
    let RuleOutcome::Require {
        condition,
        outcome,
        message,
        help,
        span,
    } = requirement
    else {
        return;
    };
    let about_order = matches!(rule.scope, Entity::Order | Entity::Line);
    let message = context.message(message, variables);
    let help = help.as_ref().map(|help| context.message(help, variables));
    let would_deny = rule.as_warnings && *outcome == Outcome::Deny;
    let code = if would_deny {
        Code::WouldDeny
    } else {
        rule.finding_code(*outcome)
    };
    let problem = if would_deny {
        EvalProblem::WouldDeny {
            rule,
            about_order,
            message,
            help,
        }
    } else {
        EvalProblem::RuleFinding {
            rule,
            outcome: *outcome,
            about_order,
            message,
            help,
        }
    };
    let mut diagnostic = Diagnostic::of(problem, place).with_rule(reference(rule));
    // Point at the parts of the requirement that do not hold, so a reader need not
    // work out which one failed; a prelude rule's finding names its rule in the help
    // and points into the model only.
    let failing: Vec<&Expression> = condition
        .conjuncts()
        .into_iter()
        .filter(|term| !matches!(context.value(term, variables), Ok(Value::Boolean(true))))
        .collect();
    for part in failing.iter().filter(|_| !rule.is_prelude()) {
        diagnostic = diagnostic.with_related(
            part.span,
            format!(
                "rule `{}` requires this, which does not hold",
                rule.id.value
            ),
        );
    }
    let mut read: Vec<(Span, String)> = Vec::new();
    for part in &failing {
        for (span, label) in context.involved(part, variables, place) {
            if !read.iter().any(|(seen, _)| *seen == span) && read.len() < 5 {
                read.push((span, label));
            }
        }
    }
    // A step points at what failed: in the rule written in the model or a pack; for
    // a prelude rule, at what the model states that it read.
    let place = if rule.is_prelude() {
        read.first().map_or(place, |(span, _)| *span)
    } else {
        failing.first().map_or(*span, |part| part.span)
    };
    for (span, label) in read {
        diagnostic = diagnostic.with_related(span, label);
    }
    run.step(|| Step {
        check: format!("rule {}", rule.id.value).into(),
        failed: Some(code),
        detail: diagnostic.message.clone(),
        place,
    });
    run.reasons.push(diagnostic);
}

/// The rule's responsibilities and precedence on one binding (the first variable).
/// Returns the rule that decided precedence before, when it decided otherwise than this one and
/// neither is the prelude's: two rules of a model or its packs disagree, and the first by id won.
fn terms(
    context: &Context<'_>,
    index: usize,
    rule: &Rule,
    variables: &mut Vec<Value>,
    terms: &mut BindingTerms,
) -> Option<usize> {
    let mut conflict = None;
    for outcome in &rule.outcomes {
        match outcome {
            RuleOutcome::Responsible { extent, what, .. } => {
                terms.responsibilities.push(Responsibility {
                    extent: *extent,
                    what: context.message(what, variables),
                    rule: index,
                });
            }
            RuleOutcome::Precedence { prevailing, .. } => {
                let decides = match terms.precedence {
                    None => true,
                    Some((_, earlier)) => {
                        context.model.rules[earlier].is_prelude() && !rule.is_prelude()
                    }
                };
                if decides {
                    terms.precedence = Some((*prevailing, index));
                } else if let Some((decided, earlier)) = terms.precedence
                    && decided != *prevailing
                    && !context.model.rules[earlier].is_prelude()
                    && !rule.is_prelude()
                {
                    conflict = Some(earlier);
                }
            }
            _ => {}
        }
    }
    conflict
}

/// Two rules of a model or its packs order one binding's terms both ways.
fn precedence_conflict(
    context: &Context<'_>,
    decided: &Rule,
    overruled: &Rule,
    binding: usize,
    place: Span,
) -> Diagnostic {
    let bound = &context.bindings[binding];
    Diagnostic::of(
        EvalProblem::PrecedenceConflict {
            decided: &decided.id.value,
            overruled: &overruled.id.value,
            agency: &context.model.agency(bound.agency).header.display_name(),
            contract: &context.model.contract(bound.contract).header.name.value,
        },
        place,
    )
    .with_related(decided.id.span, "decides")
    .with_related(overruled.id.span, "overruled")
}

/// The rule's `oblige`s on one subject (the first variable), which its filter admitted, each
/// added to `duties` as owed once (`Duties::add` joins payments).
fn obligations(
    context: &Context<'_>,
    index: usize,
    rule: &Rule,
    variables: &mut Vec<Value>,
    contract: Option<ContractId>,
    duties: &mut Vec<RuleDuty>,
) {
    let subject = variables.first().cloned().unwrap_or(Value::Absent);
    for outcome in &rule.outcomes {
        let RuleOutcome::Oblige { party, duty, .. } = outcome else {
            continue;
        };
        let party = match context.value(party, variables) {
            Ok(Value::Agency(agency)) => Party::Agency(agency),
            Ok(Value::Text(supplier)) => Party::Supplier(supplier.to_string()),
            _ => continue,
        };
        let owed = match duty.as_ref() {
            Duty::Pay { amount, to } => {
                let (Ok(Value::Money(amount)), Ok(Value::Agency(to))) = (
                    context.value(amount, variables),
                    context.value(to, variables),
                ) else {
                    continue;
                };
                Owed::Pay {
                    amount,
                    to,
                    count: 1,
                }
            }
            Duty::Report { every, within, to } => {
                let to = match to {
                    Some(to) => match context.value(to, variables) {
                        Ok(Value::Agency(agency)) => Some(agency),
                        _ => None,
                    },
                    None => None,
                };
                let Some(contract) = contract else { continue };
                Owed::Report {
                    every: *every,
                    within: *within,
                    to,
                    periods: report_periods(context, contract, *every, *within),
                }
            }
            Duty::Notify {
                whom,
                within,
                about,
            } => {
                let Ok(Value::Agency(whom)) = context.value(whom, variables) else {
                    continue;
                };
                let (start, order) = match &subject {
                    Value::Order(order) => (context.model.orders[order.0].date.value, Some(*order)),
                    Value::Binding(binding) => (context.bindings[*binding].from, None),
                    _ => continue,
                };
                let Some(due) = within.after(start) else {
                    continue;
                };
                Owed::Notify {
                    whom,
                    due,
                    about: about.clone(),
                    order,
                }
            }
        };
        duties.push(RuleDuty {
            rule: index,
            party,
            contract,
            owed,
        });
    }
}

/// The duties rules add, in the order found. A payment joins an earlier one by the same rule,
/// party and contract to the same payee in the same currency, their amounts and counts added
/// up; such payments are found by an index, since a rule may add a duty for every order.
#[derive(Default)]
pub(super) struct Duties {
    found: Vec<RuleDuty>,
    payments: AHashMap<PaymentKey, usize>,
}

/// What a payment joins an earlier one by: rule, party, contract, payee and currency.
type PaymentKey = (
    usize,
    Party,
    Option<ContractId>,
    AgencyId,
    crate::values::Currency,
);

impl Duties {
    pub fn add(&mut self, duty: RuleDuty) {
        let Owed::Pay { amount, to, count } = duty.owed else {
            self.found.push(duty);
            return;
        };
        // The party moves into the key; a payment joining an earlier one needs it no more.
        let key = (duty.rule, duty.party, duty.contract, to, amount.currency);
        if let Some(&earlier) = self.payments.get(&key) {
            if let Owed::Pay {
                amount: total,
                count: counted,
                ..
            } = &mut self.found[earlier].owed
            {
                total.amount = total.amount.saturating_add(amount.amount);
                *counted += count;
            }
            return;
        }
        let party = key.1.clone();
        self.payments.insert(key, self.found.len());
        self.found.push(RuleDuty { party, ..duty });
    }

    pub fn found(&self) -> &[RuleDuty] {
        &self.found
    }

    pub fn into_found(self) -> Vec<RuleDuty> {
        self.found
    }
}

/// Whether the rule's filter admits the subject; an undecided filter is reported.
fn applies(
    context: &Context<'_>,
    index: usize,
    rule: &Rule,
    subject: &Subject,
    variables: &mut Vec<Value>,
    run: &mut Run,
) -> bool {
    let Some(filter) = &rule.filter else {
        return true;
    };
    let place = subject.place;
    if let (Some(Some(gate)), Some(slots)) = (context.gates.rules.get(index), subject.slots) {
        return gated(context, gate, index, rule, slots, subject, variables, run);
    }
    match context.value(filter, variables) {
        Ok(Value::Boolean(true)) => true,
        Ok(_) => false,
        Err(mismatch) => {
            let part = context.undecided_part(filter, variables);
            run.reasons.push(undecided(rule, place, part, mismatch));
            run.tallies[index].undecided += 1;
            false
        }
    }
}

/// Whether an order or binding rule's filter admits its subject, its remembered terms read from
/// what was decided before: the same result as evaluating the whole filter, since `and` is
/// false as soon as one part is, whatever the others. Also the first part that could not be
/// decided, which makes the filter undecided when nothing else is false. With `memos_hold`,
/// the remembered terms are known to hold (`Gates::candidates`) and only the rest is read.
fn gate_admits(
    context: &Context<'_>,
    gate: &Gate<'_>,
    slots: Slots,
    memos_hold: bool,
    variables: &mut Vec<Value>,
) -> (bool, Option<(Span, Mismatch)>) {
    let mut undecided: Option<(Span, Mismatch)> = None;
    let mut note = |term: &Expression, mismatch: Mismatch, variables: &mut Vec<Value>| {
        if undecided.is_none() {
            undecided = Some((context.undecided_part(term, variables), mismatch));
        }
    };
    let memos: &[Memo] = if memos_hold { &[] } else { &gate.memos };
    for memo in memos {
        match memo.value(context, slots, variables) {
            Ok(true) => {}
            Ok(false) => return (false, None),
            Err(mismatch) => note(memo.term, mismatch, variables),
        }
    }
    for rest in &gate.rest {
        let term = rest.term(context, slots, variables);
        match context.value(term, variables) {
            Ok(Value::Boolean(true)) => {}
            Ok(_) => return (false, None),
            // Reported at the term as written.
            Err(mismatch) => note(rest.term, mismatch, variables),
        }
    }
    (true, undecided)
}

/// An order or binding rule's filter through its gate; an undecided filter is reported.
#[allow(clippy::too_many_arguments)]
fn gated(
    context: &Context<'_>,
    gate: &Gate<'_>,
    index: usize,
    rule: &Rule,
    slots: Slots,
    subject: &Subject,
    variables: &mut Vec<Value>,
    run: &mut Run,
) -> bool {
    match gate_admits(context, gate, slots, subject.memos_hold, variables) {
        (false, _) => false,
        (true, None) => true,
        (true, Some((part, mismatch))) => {
            run.reasons
                .push(undecided(rule, subject.place, part, mismatch));
            run.tallies[index].undecided += 1;
            false
        }
    }
}

fn undecided(rule: &Rule, place: Span, expression: Span, mismatch: Mismatch) -> Diagnostic {
    Diagnostic::of(
        EvalProblem::RuleUndecided {
            rule,
            why: &mismatch.0,
        },
        place,
    )
    .with_related(expression, "this could not be computed")
    .with_rule(reference(rule))
}

fn describe_rule(rule: &Rule) -> String {
    let title = rule.title.as_deref().unwrap_or(&rule.id.value);
    match &rule.citation {
        Some(citation) => format!("{title} ({citation})"),
        None => title.to_string(),
    }
}

/// What findings say of the rule that made them.
pub fn reference(rule: &Rule) -> RuleReference {
    RuleReference {
        id: rule.id.value.clone(),
        title: rule.title.clone(),
        citation: rule.citation.clone(),
        pack: rule.pack.clone(),
        in_force: (!rule.in_force.is_always()).then(|| rule.in_force.describe()),
        as_warnings: rule.as_warnings,
        span: rule.id.span,
    }
}

/// The calendar periods of a contract's term that have started by the as-of date, each with its
/// due date and the report filed for it, if any.
fn report_periods(
    context: &Context<'_>,
    contract: ContractId,
    every: Period,
    within: crate::values::Duration,
) -> ReportPeriods {
    let contract_record = context.model.contract(contract);
    let filed: std::collections::HashMap<Date, Date> = contract_record
        .usage_reports
        .iter()
        .rev()
        .map(|report| (report.period_end, report.filed))
        .collect();
    let start = contract_record.term.start;
    let end = contract_record.end_as_of(context.today).min(context.today);
    let months = match every {
        Period::Month => 1,
        Period::Quarter => 3,
        Period::Year => 12,
    };
    let mut periods = ReportPeriods::default();
    let mut latest = std::collections::VecDeque::with_capacity(PERIODS_LISTED + 1);
    let Some(mut period_start) = period_containing(start, months) else {
        return periods;
    };
    while period_start <= end {
        let Some(next) = period_start.checked_add_months(chrono::Months::new(months)) else {
            break;
        };
        let Some(period_end) = next.pred_opt() else {
            break;
        };
        let Some(due) = within.after(period_end) else {
            break;
        };
        let filed = filed.get(&period_end).copied();
        let status = match filed {
            Some(filed) if filed <= due => ReportStatus::Filed,
            Some(_) => ReportStatus::Late,
            None if due < context.today => ReportStatus::Missing,
            None => ReportStatus::NotYetDue,
        };
        let period = ReportPeriod {
            start: period_start.max(start),
            end: period_end,
            due,
            filed,
            status,
        };
        match status {
            ReportStatus::Filed => periods.filed += 1,
            ReportStatus::Late => periods.late += 1,
            ReportStatus::Missing => periods.missing += 1,
            ReportStatus::NotYetDue => periods.not_yet_due += 1,
        }
        if matches!(status, ReportStatus::Late | ReportStatus::Missing) {
            if periods.overdue.len() < REPORTS_LISTED {
                periods.overdue.push(period.clone());
            } else {
                periods.more_overdue = Some(match periods.more_overdue {
                    Some((first, _, count)) => (first, period.end, count + 1),
                    None => (period.start, period.end, 1),
                });
            }
        }
        latest.push_back(period);
        if latest.len() > PERIODS_LISTED {
            latest.pop_front();
        }
        period_start = next;
    }
    periods.latest = latest.into();
    periods
}

/// The first day of the calendar period of `months` months holding `date`.
pub(super) fn period_containing(date: Date, months: u32) -> Option<Date> {
    use chrono::Datelike;
    let month0 = date.month0() / months * months;
    Date::from_ymd_opt(date.year(), month0 + 1, 1)
}

/// A warning for each usage report due by the as-of date and not filed by its due date (the
/// first few one by one, the rest in one).
fn missing_reports(
    context: &Context<'_>,
    duties: &[RuleDuty],
) -> Vec<(usize, ContractId, Diagnostic)> {
    let mut findings = Vec::new();
    for duty in duties {
        let Owed::Report { periods, .. } = &duty.owed else {
            continue;
        };
        let Some(contract) = duty.contract else {
            continue;
        };
        let rule = &context.model.rules[duty.rule];
        let contract_record = context.model.contract(contract);
        // Each late or missing report is a finding, up to a few; beyond them one finding says how
        // many more, so that a long term does not bury the rest of the report.
        if let Some((first_start, last_end, more)) = periods.more_overdue {
            findings.push((
                duty.rule,
                contract,
                Diagnostic::of(
                    EvalProblem::UsageReportsOverdue {
                        contract: &contract_record.header.name.value,
                        first_start,
                        last_end,
                        more,
                    },
                    contract_record.header.name.span,
                )
                .with_related(
                    rule.id.span,
                    format!("required by rule `{}`", rule.id.value),
                )
                .with_rule(reference(rule)),
            ));
        }
        for period in &periods.overdue {
            let contract_name = &contract_record.header.name.value;
            let problem = match period.filed {
                Some(filed) => EvalProblem::UsageReportLate {
                    contract: contract_name,
                    start: period.start,
                    end: period.end,
                    due: period.due,
                    filed,
                },
                None => EvalProblem::UsageReportMissing {
                    contract: contract_name,
                    start: period.start,
                    end: period.end,
                    due: period.due,
                },
            };
            findings.push((
                duty.rule,
                contract,
                Diagnostic::of(problem, contract_record.header.name.span)
                    .with_related(
                        rule.id.span,
                        format!("required by rule `{}`", rule.id.value),
                    )
                    .with_rule(reference(rule)),
            ));
        }
    }
    findings
}

impl Context<'_> {
    /// The smallest part of a condition whose value could not be computed: the side of an `and`
    /// or `or` that failed, down to a comparison.
    fn undecided_part(&self, condition: &Expression, variables: &mut Vec<Value>) -> Span {
        match &condition.kind {
            ExpressionKind::Binary(Operator::And | Operator::Or, left, right) => {
                if self.value(left, variables).is_err() {
                    self.undecided_part(left, variables)
                } else if self.value(right, variables).is_err() {
                    self.undecided_part(right, variables)
                } else {
                    condition.span
                }
            }
            ExpressionKind::Unary(UnaryOperator::Not, operand) => {
                self.undecided_part(operand, variables)
            }
            _ => condition.span,
        }
    }

    /// The declarations a failed condition read, other than the one judged: where the facts
    /// that decided it are written. At most five, in the order read.
    fn involved(
        &self,
        condition: &Expression,
        variables: &mut Vec<Value>,
        subject: Span,
    ) -> Vec<(Span, String)> {
        let mut found: Vec<(Span, String)> = Vec::new();
        // First, where the model states the fields the condition read.
        let mut fields = Vec::new();
        collect_fields(condition, &mut fields);
        // The declarations a field's place already points into.
        let mut covered: Vec<Value> = Vec::new();
        for (owner, field) in fields {
            let Ok(value) = self.value(owner, variables) else {
                continue;
            };
            if let Some((span, label)) = self.stated_at(&value, field) {
                if span != subject && !found.iter().any(|(seen, _)| *seen == span) {
                    found.push((span, label));
                }
                covered.push(value);
            }
        }
        let mut owners = Vec::new();
        collect_owners(condition, &mut owners);
        for owner in owners {
            let Ok(value) = self.value(owner, variables) else {
                continue;
            };
            if covered.contains(&value) {
                continue;
            }
            let Some((header, kind)) = self.declaration(&value) else {
                continue;
            };
            let span = header.name.span;
            if span == subject || found.iter().any(|(seen, _)| *seen == span) {
                continue;
            }
            found.push((span, format!("{kind} `{}` read here", header.name.value)));
            if found.len() == 5 {
                break;
            }
        }
        found
    }

    /// Where the model states a field of a declaration, with a label saying so: for the fields
    /// whose place tells a reader most (a term, a price, a clause, an instrument's dates). The
    /// declaration itself stands for a field it does not state.
    fn stated_at(&self, owner: &Value, field: Field) -> Option<(Span, String)> {
        let model = self.model;
        let absent = |header: &Header, what: &str| {
            (
                header.name.span,
                format!("`{}` states no {what}", header.name.value),
            )
        };
        let stated = |span: Span, what: &str| (span, format!("{what} stated here"));
        Some(match (owner, field) {
            (Value::Solicitation(id), Field::Solicitation(field)) => {
                let solicitation = model.solicitation(*id);
                match field {
                    SolicitationField::CooperativeUseStated => {
                        match solicitation.cooperative_use.span {
                            Some(span) => stated(span, "`cooperative_use`"),
                            None => absent(&solicitation.header, "`cooperative_use`"),
                        }
                    }
                    SolicitationField::Maximum => match &solicitation.maximum {
                        Some(maximum) => stated(maximum.span, "the maximum"),
                        None => absent(&solicitation.header, "maximum"),
                    },
                    _ => return None,
                }
            }
            (Value::Contract(id), Field::Contract(field)) => {
                let contract = model.contract(*id);
                let solicitation = model.solicitation(contract.solicitation);
                match field {
                    ContractField::Term | ContractField::End | ContractField::Remaining => {
                        stated(contract.term.span, "the term")
                    }
                    ContractField::PiggybackOpen | ContractField::Requires => {
                        match &contract.piggyback {
                            Some(clause) => match clause.required_instrument {
                                Some(required) if field == ContractField::Requires => {
                                    stated(required.span, "the instrument required")
                                }
                                _ => stated(clause.span, "the piggyback clause"),
                            },
                            None => absent(&contract.header, "`piggyback { ... }` clause"),
                        }
                    }
                    ContractField::Ceiling => match contract
                        .piggyback
                        .as_ref()
                        .and_then(|clause| clause.ceiling.as_ref())
                    {
                        Some(ceiling) => stated(ceiling.span, "the piggyback ceiling"),
                        None => absent(&contract.header, "piggyback ceiling"),
                    },
                    ContractField::Maximum => match &solicitation.maximum {
                        Some(maximum) => stated(maximum.span, "the maximum"),
                        None => absent(&solicitation.header, "maximum"),
                    },
                    _ => return None,
                }
            }
            (Value::Access(id), Field::Access(field)) => {
                let instrument = model.instrument(*id);
                let date = |date: Option<crate::source::Spanned<Date>>, what: &str| match date {
                    Some(date) => stated(date.span, what),
                    None => absent(&instrument.header, what),
                };
                match field {
                    AccessField::Signed => date(instrument.signed, "signature date"),
                    AccessField::Approved => date(instrument.approved, "approval date"),
                    AccessField::Effective => date(instrument.effective, "effective date"),
                    AccessField::Expires => date(instrument.expires, "expiry date"),
                    AccessField::InForce => match (instrument.effective, instrument.signed) {
                        (Some(effective), _) => stated(effective.span, "its effective date"),
                        (None, Some(signed)) => stated(signed.span, "its signature date"),
                        (None, None) => absent(&instrument.header, "signature date"),
                    },
                    _ => return None,
                }
            }
            (Value::Order(id), Field::Order(field)) => {
                let order = &model.orders[id.0];
                match field {
                    OrderField::Date => stated(order.date.span, "the order date"),
                    OrderField::Via => match order.via.first() {
                        Some(via) => stated(via.span, "the instrument named"),
                        None => absent(&order.header, "`via`"),
                    },
                    // Where the first instrument not in force states the dates that keep it out.
                    OrderField::ViaNotInForce => {
                        let id = order
                            .instruments
                            .iter()
                            .find(|id| !model.instrument(**id).in_force_on(self.today))?;
                        return self
                            .stated_at(&Value::Access(*id), Field::Access(AccessField::InForce));
                    }
                    OrderField::BuyerAdmitted => {
                        let clause = model.contract(order.contract.value).piggyback.as_ref()?;
                        stated(
                            clause.eligibility.as_ref()?.span,
                            "who the contract is open to",
                        )
                    }
                    OrderField::OnContractTerms | OrderField::ClausesNotOnContract => {
                        let contract = model.contract(order.contract.value);
                        let unknown = order
                            .requests()
                            .iter()
                            .find(|clause| !contract.has_clause(&clause.value))?;
                        stated(unknown.span, "the clause requested")
                    }
                    _ => return None,
                }
            }
            (Value::Line(order, index), Field::Line(LineField::ContractPrice)) => {
                let order = &model.orders[order.0];
                let line = &order.lines[*index];
                let contract = model.contract(order.contract.value);
                let (_, span) = contract.price_for(line, order.date.value)?;
                stated(span, "the contract price")
            }
            (Value::Lot(solicitation, lot), Field::Lot(LotField::Maximum)) => {
                let lot = &model.solicitation(*solicitation).lots[*lot];
                match &lot.maximum {
                    Some(maximum) => stated(maximum.span, "the lot's maximum"),
                    None => (
                        lot.name.span,
                        format!("lot `{}` states no maximum", lot.name.value),
                    ),
                }
            }
            (Value::Binding(index), Field::Binding(BindingField::Commitment)) => {
                let binding = &self.bindings[*index];
                stated(binding.commitment.as_ref()?.span, "the commitment")
            }
            _ => return None,
        })
    }

    /// A message with its values written in.
    fn message(&self, parts: &[MessagePart], variables: &mut Vec<Value>) -> String {
        let mut text = String::new();
        for part in parts {
            match part {
                MessagePart::Text(written) => text.push_str(written),
                MessagePart::Value(expression) => match self.value(expression, variables) {
                    Ok(value) => text.push_str(&self.show(&value)),
                    Err(_) => text.push('?'),
                },
            }
        }
        text
    }

    /// A value as a message shows it: declarations by their display name.
    fn show(&self, value: &Value) -> String {
        if let Value::Line(order, index) = value {
            let order = &self.model.orders[order.0];
            let line = &order.lines[*index];
            let solicitation = self.model.solicitation_of(order.contract.value);
            return format!(
                "{} {} {} at {}",
                line.item_name(solicitation),
                crate::values::format_quantity(line.quantity),
                line.unit(solicitation),
                line.unit_price
            );
        }
        if let Value::Fee(instrument, index) = value {
            let fee = &self.model.instrument(*instrument).fees[*index];
            return crate::values::format_percentage(fee.rate);
        }
        if let Value::Recorded(recorded) = value {
            let (date, written, amount) = self.recorded(*recorded);
            return match (amount, date, written) {
                (Some(amount), _, _) => amount.to_string(),
                (None, Some(date), Some(written)) => format!("{date} \"{written}\""),
                (None, Some(date), None) => date.to_string(),
                (None, None, Some(written)) => format!("\"{written}\""),
                (None, None, None) => "recorded".to_string(),
            };
        }
        if let Value::Lot(solicitation, lot) = value {
            let lot = &self.model.solicitation(*solicitation).lots[*lot];
            return lot.title.clone().unwrap_or_else(|| lot.name.value.clone());
        }
        if let Value::Competition(order) = value {
            return format!(
                "the mini-competition of order `{}`",
                self.model.orders[order.0].header.name.value
            );
        }
        if let Value::Binding(index) = value {
            let binding = &self.bindings[*index];
            return format!(
                "{} under {}",
                self.model.agency(binding.agency).header.display_name(),
                self.model.contract(binding.contract).header.name.value
            );
        }
        match self.declaration(value) {
            Some((header, _)) => header.display_name(),
            None => value.to_string(),
        }
    }

    /// The declaration a value names, with what it is in words; `None` for any other value.
    fn declaration(&self, value: &Value) -> Option<(&Header, &'static str)> {
        let model = self.model;
        Some(match value {
            Value::Agency(id) => (&model.agency(*id).header, "agency"),
            Value::Solicitation(id) => (&model.solicitation(*id).header, "solicitation"),
            Value::Contract(id) => (&model.contract(*id).header, "contract"),
            Value::Access(id) => (&model.instrument(*id).header, "access instrument"),
            Value::Order(id) => (&model.orders[id.0].header, "order"),
            _ => return None,
        })
    }

    /// Evaluates an expression with the variables bound so far, through the one interpreter.
    pub(super) fn value(
        &self,
        expression: &Expression,
        variables: &mut Vec<Value>,
    ) -> Result<Value, Mismatch> {
        interpret::evaluate(self, expression, variables).map_err(|stuck| match stuck {
            Stuck::Undecided(mismatch) => mismatch,
            // This environment knows every variable, field and aggregate.
            Stuck::NotConstant => unreachable!("evaluation reads the whole model"),
        })
    }

    /// An aggregate over the permitted orders so far and the order being judged: from its
    /// running totals when it has an index, else by going through them.
    fn orders_aggregate(
        &self,
        function: Aggregate,
        value: Option<&Expression>,
        filter: Option<&Expression>,
        index: Option<&AggregateIndex>,
        variables: &mut Vec<Value>,
    ) -> Result<Value, Stuck> {
        let mut found = Found::default();
        let Some(index) = index else {
            let orders = self
                .running
                .permitted()
                .iter()
                .chain(self.judged.iter().map(|(order, _)| order))
                .map(|order| Value::Order(*order));
            found.add_up(self, function, value, filter, orders, variables)?;
            return Ok(found.value(function));
        };
        let mut key: SmallVec<[Key; 2]> = SmallVec::new();
        for (_, outer) in &index.keys {
            match Key::of(&interpret::evaluate(self, outer, variables)?) {
                Some(part) => key.push(part),
                // Nothing equals an absent value: no permitted order is admitted.
                None => return Ok(found.value(function)),
            }
        }
        if let Some(total) = self.running.totals().totals.get(&(index.id, key)) {
            found.admitted = total.count;
            found.total = match total.sum.clone() {
                Some(sum) => Some(sum?),
                None => None,
            };
        }
        let judged = self.judged.map(|(order, _)| Value::Order(order));
        found.add_up(self, function, value, filter, judged.into_iter(), variables)?;
        Ok(found.value(function))
    }

    fn location(&self, value: Value) -> Option<(f64, f64)> {
        match value {
            Value::Location {
                latitude,
                longitude,
            } => Some((latitude, longitude)),
            Value::Agency(agency) => self
                .model
                .agency(agency)
                .location
                .map(|location| (location.latitude, location.longitude)),
            _ => None,
        }
    }

    /// A named entry of a declaration, or `Absent` when it has none of that name.
    fn entry(&self, owner: &Value, entries: Entries, name: &str) -> Value {
        let model = self.model;
        let Some((header, _)) = self.declaration(owner) else {
            return Value::Absent;
        };
        let Some((entity, declaration)) = owner.declaration() else {
            return Value::Absent;
        };
        let clause = |clauses: &[crate::model::Clause]| {
            clauses
                .iter()
                .position(|clause| clause.name.value == name)
                .map_or(Value::Absent, |position| {
                    Value::Recorded(Recorded::Clause {
                        entity,
                        declaration,
                        position,
                    })
                })
        };
        let stated = |found: bool| {
            if found {
                Value::Recorded(Recorded::Stated)
            } else {
                Value::Absent
            }
        };
        match (entries, owner) {
            (Entries::Fact, _) => header
                .facts()
                .iter()
                .position(|fact| fact.name.value == name)
                .map_or(Value::Absent, |position| {
                    Value::Recorded(Recorded::Fact {
                        entity,
                        declaration,
                        position,
                    })
                }),
            (Entries::Clause, Value::Contract(id)) => clause(&model.contract(*id).clauses),
            (Entries::Clause, Value::Access(id)) => clause(&model.instrument(*id).clauses),
            (Entries::Requested, Value::Order(id)) => stated(
                model.orders[id.0]
                    .requests()
                    .iter()
                    .any(|requested| requested.value == name),
            ),
            (Entries::MemberOf, Value::Agency(id)) => stated(
                model
                    .agency(*id)
                    .memberships
                    .iter()
                    .any(|program| program == name),
            ),
            _ => Value::Absent,
        }
    }

    /// What a declaration records, as its date, its text and the amount it states.
    fn recorded(&self, recorded: Recorded) -> (Option<Date>, Option<&str>, Option<Value>) {
        match recorded {
            Recorded::Fact {
                entity,
                declaration,
                position,
            } => match self.declaration(&Value::declared(entity, declaration)) {
                Some((header, _)) => {
                    let fact = &header.facts()[position];
                    (fact.date, fact.text.as_deref(), fact.value)
                }
                None => (None, None, None),
            },
            Recorded::Clause {
                entity,
                declaration,
                position,
            } => {
                let clauses = match Value::declared(entity, declaration) {
                    Value::Contract(id) => &self.model.contract(id).clauses,
                    Value::Access(id) => &self.model.instrument(id).clauses,
                    _ => return (None, None, None),
                };
                (None, clauses[position].text.as_deref(), None)
            }
            Recorded::Stated => (None, None, None),
        }
    }

    /// A field of a value; `Absent` where the model does not state it. Each record's fields are
    /// matched exhaustively, so a field added to the schema cannot be left unread.
    fn field(&self, owner: &Value, field: Field) -> Value {
        let model = self.model;
        let optional_date = |date: Option<Date>| date.map_or(Value::Absent, Value::Date);
        let spanned_date =
            |date: Option<crate::source::Spanned<Date>>| optional_date(date.map(|date| date.value));
        let titled = |title: Option<&str>| title.map_or(Value::Absent, text);
        match (owner, field) {
            (Value::Agency(id), Field::Agency(field)) => {
                let agency = model.agency(*id);
                match field {
                    AgencyField::Name => text(&agency.header.name.value),
                    AgencyField::Title => titled(agency.header.title()),
                    AgencyField::Kind => several(Enumeration::AgencyKind, &agency.kinds),
                    AgencyField::Role => several(Enumeration::AgencyRole, &agency.roles),
                    AgencyField::Jurisdiction => Value::Jurisdiction(agency.jurisdiction),
                    AgencyField::Location => {
                        agency
                            .location
                            .map_or(Value::Absent, |location| Value::Location {
                                latitude: location.latitude,
                                longitude: location.longitude,
                            })
                    }
                }
            }
            (Value::Solicitation(id), Field::Solicitation(field)) => {
                let solicitation = model.solicitation(*id);
                match field {
                    SolicitationField::Name => text(&solicitation.header.name.value),
                    SolicitationField::Title => titled(solicitation.header.title()),
                    SolicitationField::Lead => Value::Agency(solicitation.lead),
                    SolicitationField::Method => {
                        Value::Enumeration(Enumeration::Method, solicitation.method.as_str())
                    }
                    SolicitationField::Category => category_value(solicitation.category),
                    SolicitationField::Issued => optional_date(solicitation.issued),
                    SolicitationField::Posted => {
                        optional_date(solicitation.posted.map(|posting| posting.date))
                    }
                    SolicitationField::PostedOnline => {
                        Value::Boolean(solicitation.posted.is_some_and(|posting| posting.online))
                    }
                    SolicitationField::CooperativeUseStated => {
                        Value::Boolean(solicitation.cooperative_use.stated)
                    }
                    SolicitationField::AssignabilityStated => {
                        Value::Boolean(solicitation.assignability.stated)
                    }
                    SolicitationField::Joint => Value::Boolean(solicitation.is_joint()),
                    SolicitationField::Estimate => self.volume(
                        solicitation.estimate.as_ref().map(|volume| &volume.value),
                        solicitation,
                    ),
                    SolicitationField::Maximum => self.volume(
                        solicitation.maximum.as_ref().map(|volume| &volume.value),
                        solicitation,
                    ),
                    SolicitationField::Ordered => self.framework_ordered(*id, None, false),
                    SolicitationField::OrderedValue => self.framework_ordered(*id, None, true),
                    SolicitationField::Contracts => {
                        Value::Number(Decimal::from(solicitation.contracts.len()))
                    }
                    SolicitationField::BuyersIdentified => {
                        Value::Boolean(solicitation.buyers.any())
                    }
                }
            }
            (Value::Lot(solicitation_id, index), Field::Lot(field)) => {
                let solicitation = model.solicitation(*solicitation_id);
                let lot = &solicitation.lots[*index];
                let lot_id = crate::model::LotId(*index);
                match field {
                    LotField::Name => text(&lot.name.value),
                    LotField::Title => titled(lot.title.as_deref()),
                    LotField::Solicitation => Value::Solicitation(*solicitation_id),
                    LotField::Estimate => self.volume(
                        lot.estimate.as_ref().map(|volume| &volume.value),
                        solicitation,
                    ),
                    LotField::Maximum => self.volume(
                        lot.maximum.as_ref().map(|volume| &volume.value),
                        solicitation,
                    ),
                    LotField::Ordered => {
                        self.framework_ordered(*solicitation_id, Some(lot_id), false)
                    }
                    LotField::OrderedValue => {
                        self.framework_ordered(*solicitation_id, Some(lot_id), true)
                    }
                    LotField::Contracts => Value::Number(Decimal::from(
                        solicitation
                            .contracts
                            .iter()
                            .filter(|contract| model.contract(**contract).lot == Some(lot_id))
                            .count(),
                    )),
                }
            }
            (Value::Competition(order), Field::Competition(field)) => {
                let competition = model.orders[order.0]
                    .call_off()
                    .and_then(|call_off| call_off.competition.as_ref());
                match (competition, field) {
                    (None, _) => Value::Absent,
                    (Some(competition), CompetitionField::Invited) => competition
                        .invited
                        .as_ref()
                        .map_or(Value::Absent, |invited| {
                            Value::Number(Decimal::from(invited.len()))
                        }),
                    (Some(competition), CompetitionField::Issued) => {
                        optional_date(competition.issued)
                    }
                    (Some(competition), CompetitionField::Awarded) => {
                        optional_date(competition.awarded)
                    }
                }
            }
            (Value::Contract(id), Field::Contract(field)) => self.contract_field(*id, field),
            (Value::Term { start, end }, Field::Term(field)) => match field {
                TermField::Start => Value::Date(*start),
                TermField::End => Value::Date(*end),
                TermField::Length => Value::Interval {
                    start: *start,
                    end: *end,
                },
            },
            (Value::Access(id), Field::Access(field)) => {
                let instrument = model.instrument(*id);
                match field {
                    AccessField::Name => text(&instrument.header.name.value),
                    AccessField::Title => titled(instrument.header.title()),
                    AccessField::Kind => {
                        Value::Enumeration(Enumeration::InstrumentKind, instrument.kind.as_str())
                    }
                    AccessField::Agency => instrument.agency.map_or(Value::Absent, Value::Agency),
                    AccessField::With => match instrument.counterparty {
                        Counterparty::Agency(agency) => Value::Agency(agency),
                        Counterparty::Supplier(_) => Value::Absent,
                    },
                    AccessField::Signed => spanned_date(instrument.signed),
                    AccessField::Posted => spanned_date(instrument.posted),
                    AccessField::Approved => spanned_date(instrument.approved),
                    AccessField::Effective => spanned_date(instrument.effective),
                    AccessField::Expires => spanned_date(instrument.expires),
                    AccessField::InForce => {
                        Value::Boolean(instrument.chain_in_force_on(model, self.today))
                    }
                    AccessField::Under => instrument.under.map_or(Value::Absent, Value::Access),
                    AccessField::WithSupplier => match &instrument.counterparty {
                        Counterparty::Supplier(supplier) => text(supplier),
                        Counterparty::Agency(_) => Value::Absent,
                    },
                    AccessField::Admits => {
                        let agency = instrument
                            .agency
                            .map(|agency| model.agency(agency).header.display_name());
                        text(&match (agency, &instrument.eligibility) {
                            (Some(agency), None) => agency,
                            (Some(agency), Some(_)) => {
                                format!("{agency} and the agencies its `open_to` admits")
                            }
                            (None, _) => "the agencies its `open_to` admits".to_string(),
                        })
                    }
                    AccessField::Counterparty => match &instrument.counterparty {
                        Counterparty::Agency(agency) => {
                            text(&model.agency(*agency).header.display_name())
                        }
                        Counterparty::Supplier(supplier) => text(supplier),
                    },
                    AccessField::Cap => instrument
                        .cap
                        .map_or(Value::Absent, |cap| Value::Money(cap.amount)),
                    AccessField::CapUsed => {
                        let buyer = self
                            .judged
                            .map(|(order, _)| model.orders[order.0].buyer.value);
                        self.running
                            .caps()
                            .used(model, *id, buyer, self.today)
                            .map_or(Value::Absent, Value::Money)
                    }
                }
            }
            (Value::Order(id), Field::Order(field)) => self.order_field(*id, field),
            (Value::Binding(index), Field::Binding(field)) => {
                let binding = &self.bindings[*index];
                match field {
                    BindingField::Agency => Value::Agency(binding.agency),
                    BindingField::Contract => Value::Contract(binding.contract),
                    BindingField::Basis => basis_value(binding.basis),
                    BindingField::From => Value::Date(binding.from),
                    BindingField::To => Value::Date(binding.to),
                    BindingField::OrderedValue => {
                        self.money(binding.contract, binding.ordered.value)
                    }
                    BindingField::Ordered => match &binding.commitment {
                        Some(commitment) => self.like(
                            &binding.ordered,
                            &commitment.value,
                            model.solicitation_of(binding.contract),
                        ),
                        None => self.measured(binding.contract, &binding.ordered),
                    },
                    BindingField::Commitment => self.volume(
                        binding
                            .commitment
                            .as_ref()
                            .map(|commitment| &commitment.value),
                        model.solicitation_of(binding.contract),
                    ),
                    BindingField::Ended => Value::Boolean(binding.to < self.today),
                }
            }
            (Value::Line(order, index), Field::Line(field)) => {
                self.line_field(*order, *index, field)
            }
            (Value::Fee(instrument, index), Field::Fee(field)) => {
                let fee = &model.instrument(*instrument).fees[*index];
                match field {
                    FeeField::Rate => Value::Percentage(fee.rate),
                    FeeField::Payee => fee.payee.map_or(Value::Absent, Value::Agency),
                    FeeField::Instrument => Value::Access(*instrument),
                }
            }
            (Value::Group(group), Field::Group(GroupField::Members)) => {
                Value::Jurisdictions(model.groups[*group].members_on(self.today))
            }
            (Value::Recorded(recorded), Field::Fact(field)) => {
                let (date, written, value) = self.recorded(*recorded);
                match field {
                    FactField::Date => optional_date(date),
                    FactField::Text => written.map_or(Value::Absent, text),
                    FactField::Money => match value {
                        Some(money @ Value::Money(_)) => money,
                        _ => Value::Absent,
                    },
                    FactField::Quantity => match value {
                        Some(quantity @ Value::Quantity { .. }) => quantity,
                        _ => Value::Absent,
                    },
                    FactField::Number => match value {
                        Some(number @ Value::Number(_)) => number,
                        _ => Value::Absent,
                    },
                    FactField::Percentage => match value {
                        Some(rate @ Value::Percentage(_)) => rate,
                        _ => Value::Absent,
                    },
                }
            }
            // An absent owner has absent fields; typing rules out any other pair.
            _ => Value::Absent,
        }
    }

    fn contract_field(&self, id: ContractId, field: ContractField) -> Value {
        let model = self.model;
        let contract = model.contract(id);
        let solicitation = model.solicitation(contract.solicitation);
        let usage = || &self.running.usage()[id.0];
        let piggyback = contract.piggyback.as_ref();
        match field {
            ContractField::Name => text(&contract.header.name.value),
            ContractField::Title => contract.header.title().map_or(Value::Absent, text),
            ContractField::Solicitation => Value::Solicitation(contract.solicitation),
            ContractField::Lead => Value::Agency(solicitation.lead),
            ContractField::Supplier => contract
                .suppliers
                .first()
                .map_or(Value::Absent, |supplier| text(supplier)),
            ContractField::Awarded => Value::Date(contract.awarded),
            ContractField::Term => Value::Term {
                start: contract.term.start,
                end: contract.term.end,
            },
            ContractField::End => Value::Date(contract.end_as_of(self.today)),
            ContractField::Remaining => {
                let end = contract.end_as_of(self.today);
                if end < self.today {
                    Value::Absent
                } else {
                    Value::Interval {
                        start: self.today,
                        end,
                    }
                }
            }
            ContractField::Currency => contract
                .currency
                .as_ref()
                .map_or(Value::Absent, |currency| text(currency)),
            ContractField::PiggybackOpen => Value::Boolean(piggyback.is_some()),
            ContractField::Requires => piggyback
                .and_then(|clause| clause.required_instrument)
                .map_or(Value::Absent, |kind| {
                    Value::Enumeration(Enumeration::InstrumentKind, kind.value.as_str())
                }),
            ContractField::AdminFee => piggyback
                .and_then(|clause| clause.admin_fee)
                .map_or(Value::Absent, Value::Percentage),
            ContractField::Ceiling => self.volume(
                piggyback
                    .and_then(|clause| clause.ceiling.as_ref())
                    .map(|ceiling| &ceiling.value),
                solicitation,
            ),
            ContractField::Estimate => self.volume(
                solicitation.estimate.as_ref().map(|volume| &volume.value),
                solicitation,
            ),
            ContractField::Maximum => self.volume(
                solicitation.maximum.as_ref().map(|volume| &volume.value),
                solicitation,
            ),
            ContractField::Ordered => self.measured(id, &usage().total),
            ContractField::OrderedValue => self.money(id, usage().total.value),
            ContractField::PiggybackOrdered => self.measured(id, &usage().piggyback),
            ContractField::Lot => lot_value(contract),
            ContractField::BaseQuantity => self.volume(
                contract.base_quantity.as_ref().map(|base| &base.value),
                solicitation,
            ),
            ContractField::Quantity => self.quantity(id, |_| true),
            ContractField::QuantityAssigned => {
                self.quantity_of_options(id, |option| option.assignee.is_some())
            }
            ContractField::Discount => contract
                .discount_on(self.today)
                .map_or(Value::Absent, |discount| Value::Percentage(discount.rate)),
            ContractField::ListDate => contract
                .discount_on(self.today)
                .map_or(Value::Absent, |discount| Value::Date(discount.list)),
        }
    }

    fn order_field(&self, id: OrderId, field: OrderField) -> Value {
        let model = self.model;
        let order = &model.orders[id.0];
        let contract = model.contract(order.contract.value);
        // Whether a clause is the contract's or one of the instruments' the order uses.
        let stated = |clause: &str| {
            contract.has_clause(clause)
                || order.instruments.iter().any(|instrument| {
                    model
                        .instrument(*instrument)
                        .clauses
                        .iter()
                        .any(|own| own.name.value == clause)
                })
        };
        // Whether an instrument the order names admits its buyer and covers its contract.
        let for_order = |instrument: InstrumentId| {
            let instrument = model.instrument(instrument);
            let admits = instrument.agency == Some(order.buyer.value)
                || instrument
                    .eligibility
                    .as_ref()
                    .is_some_and(|condition| admitted_by(self, condition, order.buyer.value));
            (
                admits,
                instrument.covers_contract(model, order.contract.value),
            )
        };
        match field {
            OrderField::Name => text(&order.header.name.value),
            OrderField::Title => order.header.title().map_or(Value::Absent, text),
            OrderField::Buyer => Value::Agency(order.buyer.value),
            OrderField::Contract => Value::Contract(order.contract.value),
            OrderField::Solicitation => Value::Solicitation(contract.solicitation),
            OrderField::Lead => Value::Agency(model.lead_of(order.contract.value)),
            OrderField::Date => Value::Date(order.date.value),
            OrderField::Via => order
                .via
                .first()
                .map_or(Value::Absent, |via| Value::Access(via.value)),
            OrderField::Value => match (order.value(), order.lines.is_empty()) {
                (Some(value), true) => Value::Money(value.value),
                _ => {
                    let value = order.lines.iter().fold(Decimal::ZERO, |total, line| {
                        total.saturating_add(line.quantity.saturating_mul(line.unit_price.amount))
                    });
                    self.money(order.contract.value, value)
                }
            },
            OrderField::Volume => {
                let volume = match self.judged {
                    Some((judged, tally)) if judged == id => {
                        self.measured(order.contract.value, tally)
                    }
                    _ => self.measured(order.contract.value, &Tally::of_order(order)),
                };
                // A call-off that states only its value buys no quantity anyone can count.
                match volume {
                    Value::Quantity { .. } if order.lines.is_empty() => Value::Absent,
                    volume => volume,
                }
            }
            OrderField::Basis => basis_value(super::orders::basis_of(model, order)),
            OrderField::Category => {
                category_value(model.solicitation(contract.solicitation).category)
            }
            OrderField::AtContractPrices => Value::Boolean(order.lines.iter().all(|line| {
                contract
                    .price_for(line, order.date.value)
                    .is_some_and(|(price, _)| line.unit_price.amount <= price.amount)
            })),
            OrderField::OnContractTerms => {
                Value::Boolean(order.requests().iter().all(|clause| stated(&clause.value)))
            }
            OrderField::BuyerAdmitted => {
                Value::Boolean(admits(self, contract.piggyback.as_ref(), order.buyer.value))
            }
            OrderField::ViaAdmitsBuyer if order.via.is_empty() => Value::Absent,
            OrderField::ViaAdmitsBuyer => {
                Value::Boolean(order.via.iter().all(|via| for_order(via.value).0))
            }
            OrderField::ViaCoversContract if order.via.is_empty() => Value::Absent,
            OrderField::ViaCoversContract => {
                Value::Boolean(order.via.iter().all(|via| for_order(via.value).1))
            }
            OrderField::ClausesNotOnContract => {
                let missing: Vec<String> = order
                    .requests()
                    .iter()
                    .filter(|clause| !stated(&clause.value))
                    .map(|clause| format!("clause `{}`", clause.value))
                    .collect();
                if missing.is_empty() {
                    Value::Absent
                } else {
                    text(&missing.join(", "))
                }
            }
            OrderField::Lot => lot_value(contract),
            OrderField::BuyerIdentified => {
                let solicitation = model.solicitation(contract.solicitation);
                let buyer = order.buyer.value;
                let identified = solicitation.is_party(buyer)
                    || solicitation.buyers.agencies.contains(&buyer)
                    || solicitation
                        .buyers
                        .condition
                        .as_ref()
                        .is_some_and(|condition| admitted_by(self, condition, buyer));
                Value::Boolean(identified)
            }
            OrderField::CallOff => order.call_off().map_or(Value::Absent, |call_off| {
                Value::Enumeration(Enumeration::CallOff, call_off.kind.as_str())
            }),
            OrderField::Competition => match order.call_off() {
                Some(call_off) if call_off.competition.is_some() => Value::Competition(id),
                _ => Value::Absent,
            },
            OrderField::ViaNotForOrder => order
                .via
                .iter()
                .find(|via| for_order(via.value) != (true, true))
                .map_or(Value::Absent, |via| Value::Access(via.value)),
            OrderField::ViaNotInForce => order
                .instruments
                .iter()
                .find(|instrument| !model.instrument(**instrument).in_force_on(self.today))
                .map_or(Value::Absent, |instrument| Value::Access(*instrument)),
            OrderField::Period => order.period().map_or(Value::Absent, |period| Value::Term {
                start: period.start,
                end: period.end,
            }),
            OrderField::End => {
                Value::Date(order.period().map_or(order.date.value, |period| period.end))
            }
            OrderField::Quantity => {
                let Some(base) = &contract.base_quantity else {
                    return Value::Absent;
                };
                if order.lines.is_empty() {
                    return Value::Absent;
                }
                let solicitation = model.solicitation(contract.solicitation);
                let count = match self.judged {
                    Some((judged, tally)) if judged == id => {
                        tally.measured_like(&base.value, solicitation)
                    }
                    _ => Tally::of_order(order).measured_like(&base.value, solicitation),
                };
                self.in_base_measure(order.contract.value, count)
            }
            OrderField::QuantityAvailable => {
                let buyer = order.buyer.value;
                if self.assignees(order.contract.value).contains(&buyer) {
                    self.quantity_of_options(order.contract.value, |option| {
                        option.assignee == Some(buyer)
                    })
                } else {
                    self.quantity(order.contract.value, |option| option.assignee.is_none())
                }
            }
            OrderField::QuantityOrdered => {
                let Some(base) = &contract.base_quantity else {
                    return Value::Absent;
                };
                let solicitation = model.solicitation(contract.solicitation);
                let usage = &self.running.usage()[order.contract.value.0];
                let measured = |agency: &AgencyId| {
                    usage
                        .by_agency
                        .get(agency)
                        .map_or(Decimal::ZERO, |agency_use| {
                            agency_use.tally.measured_like(&base.value, solicitation)
                        })
                };
                let assignees = self.assignees(order.contract.value);
                let count = if assignees.contains(&order.buyer.value) {
                    measured(&order.buyer.value)
                } else {
                    assignees.iter().fold(
                        usage.total.measured_like(&base.value, solicitation),
                        |left, assignee| left.saturating_sub(measured(assignee)),
                    )
                };
                self.in_base_measure(order.contract.value, count)
            }
            OrderField::Instruments => {
                let named: Vec<String> = order
                    .instruments
                    .iter()
                    .map(|instrument| {
                        let instrument = model.instrument(*instrument);
                        format!(
                            "`{}` ({})",
                            instrument.header.name.value,
                            instrument.kind.as_str()
                        )
                    })
                    .collect();
                if named.is_empty() {
                    Value::Absent
                } else {
                    text(&named.join(", "))
                }
            }
            OrderField::Caps => {
                let caps: Vec<String> = order
                    .instruments
                    .iter()
                    .filter_map(|id| {
                        let instrument = model.instrument(*id);
                        let cap = instrument.cap?;
                        let used = self.running.caps().used(
                            model,
                            *id,
                            Some(order.buyer.value),
                            self.today,
                        )?;
                        let mut scope = Vec::new();
                        if cap.per_buyer {
                            scope.push("per buyer".to_string());
                        }
                        if let Some(every) = cap.every {
                            scope.push(format!("per {}", every.as_str()));
                        }
                        let scope = if scope.is_empty() {
                            String::new()
                        } else {
                            format!(" {}", scope.join(" "))
                        };
                        Some(format!(
                            "`{}`: {} used of {}{scope}",
                            instrument.header.name.value,
                            Money::in_cents(used.currency, used.amount),
                            Money::in_cents(cap.amount.currency, cap.amount.amount)
                        ))
                    })
                    .collect();
                if caps.is_empty() {
                    Value::Absent
                } else {
                    text(&caps.join("; "))
                }
            }
        }
    }

    fn line_field(&self, id: OrderId, index: usize, field: LineField) -> Value {
        let model = self.model;
        let order = &model.orders[id.0];
        let line = &order.lines[index];
        let contract = model.contract(order.contract.value);
        let solicitation = model.solicitation(contract.solicitation);
        let item = match line.item {
            LineItem::InScope(item) => Some(solicitation.item(item)),
            LineItem::OutOfScope(_) => None,
        };
        match field {
            LineField::Order => Value::Order(id),
            LineField::Item => text(line.item_name(solicitation)),
            LineField::Title => item
                .and_then(|item| item.title.as_deref())
                .map_or(Value::Absent, text),
            LineField::Category => category_value(
                item.and_then(|item| item.category)
                    .or(solicitation.category),
            ),
            LineField::Quantity => Value::Quantity {
                count: line.quantity,
                unit: line.unit(solicitation),
            },
            LineField::UnitPrice => Value::Money(line.unit_price),
            LineField::Value => Value::Money(Money::new(
                line.unit_price.currency,
                line.quantity.saturating_mul(line.unit_price.amount),
            )),
            LineField::InScope => Value::Boolean(item.is_some()),
            LineField::ContractPrice => contract
                .price_for(line, order.date.value)
                .map_or(Value::Absent, |(price, _)| Value::Money(price)),
            LineField::ListPrice => line
                .list_price
                .as_deref()
                .map_or(Value::Absent, |list| Value::Money(*list)),
        }
    }

    /// A contract's base quantity and its quantity options exercised by the date judged that
    /// `counts` takes; absent when it states no base quantity.
    fn quantity(
        &self,
        contract: ContractId,
        counts: impl Fn(&crate::model::QuantityOption) -> bool,
    ) -> Value {
        let Some(base) = &self.model.contract(contract).base_quantity else {
            return Value::Absent;
        };
        let options = self.options_exercised(contract, counts);
        self.in_base_measure(
            contract,
            crate::eval::volumes::amount_of(&base.value).saturating_add(options),
        )
    }

    /// A contract's quantity options exercised by the date judged that `counts` takes, without
    /// its base quantity; absent when it states none.
    fn quantity_of_options(
        &self,
        contract: ContractId,
        counts: impl Fn(&crate::model::QuantityOption) -> bool,
    ) -> Value {
        if self.model.contract(contract).base_quantity.is_none() {
            return Value::Absent;
        }
        let options = self.options_exercised(contract, counts);
        self.in_base_measure(contract, options)
    }

    fn options_exercised(
        &self,
        contract: ContractId,
        counts: impl Fn(&crate::model::QuantityOption) -> bool,
    ) -> Decimal {
        crate::eval::volumes::saturating_sum(
            self.model
                .contract(contract)
                .quantity_options
                .iter()
                .filter(|option| {
                    option
                        .exercised
                        .is_some_and(|exercised| exercised.value <= self.today)
                        && counts(option)
                })
                .map(|option| crate::eval::volumes::amount_of(&option.volume.value)),
        )
    }

    /// The agencies a contract's quantity options are assigned to.
    fn assignees(&self, contract: ContractId) -> Vec<AgencyId> {
        let mut assignees: Vec<AgencyId> = self
            .model
            .contract(contract)
            .quantity_options
            .iter()
            .filter_map(|option| option.assignee)
            .collect();
        assignees.sort_unstable();
        assignees.dedup();
        assignees
    }

    /// A count in the measure of a contract's base quantity.
    fn in_base_measure(&self, contract: ContractId, count: Decimal) -> Value {
        let record = self.model.contract(contract);
        match &record.base_quantity {
            Some(base) => match &base.value {
                Volume::Quantity { measure, .. } => Value::Quantity {
                    count,
                    unit: measure_name(measure, self.model.solicitation(record.solicitation)),
                },
                Volume::Money(_) => Value::Absent,
            },
            None => Value::Absent,
        }
    }

    /// An amount in a contract's currency.
    fn money(&self, contract: ContractId, amount: Decimal) -> Value {
        match &self.model.contract(contract).currency {
            Some(currency) => Value::Money(Money::new(*currency, amount)),
            None => Value::Absent,
        }
    }

    /// What permitted orders so far bought under every contract awarding a solicitation (or one
    /// lot of it), in the solicitation's measure, or (`value`) their value in money.
    fn framework_ordered(
        &self,
        id: crate::model::SolicitationId,
        lot: Option<crate::model::LotId>,
        value: bool,
    ) -> Value {
        let solicitation = self.model.solicitation(id);
        let contracts: Vec<ContractId> = solicitation
            .contracts
            .iter()
            .copied()
            .filter(|contract| lot.is_none() || self.model.contract(*contract).lot == lot)
            .collect();
        let measure = solicitation.measure().filter(|_| !value);
        let total = crate::eval::volumes::saturating_sum(contracts.iter().map(|contract| {
            let tally = &self.running.usage()[contract.0].total;
            match measure {
                Some(volume) => tally.measured_like(volume, solicitation),
                None => tally.value,
            }
        }));
        match measure {
            Some(Volume::Quantity { measure, .. }) => Value::Quantity {
                count: total,
                unit: measure_name(measure, solicitation),
            },
            Some(Volume::Money(money)) => Value::Money(Money::new(money.currency, total)),
            None => contracts
                .iter()
                .find_map(|contract| self.model.contract(*contract).currency)
                .map_or(Value::Absent, |currency| {
                    Value::Money(Money::new(currency, total))
                }),
        }
    }

    /// A tally in the contract's measure: that of its solicitation's maximum, else its lot's,
    /// else its piggyback ceiling, else its solicitation's estimate, else its lot's, else money.
    fn measured(&self, contract: ContractId, tally: &Tally) -> Value {
        let record = self.model.contract(contract);
        let solicitation = self.model.solicitation(record.solicitation);
        let ceiling = record
            .piggyback
            .as_ref()
            .and_then(|clause| clause.ceiling.as_ref());
        let lot = record.lot.map(|lot| solicitation.lot(lot));
        let measure = solicitation
            .maximum
            .as_ref()
            .or(lot.and_then(|lot| lot.maximum.as_ref()))
            .or(ceiling)
            .or(solicitation.estimate.as_ref())
            .or(lot.and_then(|lot| lot.estimate.as_ref()))
            .map(|volume| &volume.value);
        match measure {
            Some(volume @ Volume::Quantity { .. }) => self.like(tally, volume, solicitation),
            _ => self.money(contract, tally.value),
        }
    }

    /// A tally in the measure of a volume: its value for money, the count of what a quantity counts.
    fn like(
        &self,
        tally: &Tally,
        volume: &Volume,
        solicitation: &crate::model::Solicitation,
    ) -> Value {
        match volume {
            Volume::Money(money) => Value::Money(Money::new(money.currency, tally.value)),
            Volume::Quantity { measure, .. } => Value::Quantity {
                count: tally.measure(measure, solicitation),
                unit: measure_name(measure, solicitation),
            },
        }
    }

    fn volume(&self, volume: Option<&Volume>, solicitation: &crate::model::Solicitation) -> Value {
        match volume {
            None => Value::Absent,
            Some(Volume::Money(money)) => Value::Money(*money),
            Some(Volume::Quantity { count, measure }) => Value::Quantity {
                count: *count,
                unit: measure_name(measure, solicitation),
            },
        }
    }
}

impl interpret::Environment for Context<'_> {
    fn variable(&self, depth: usize, variables: &[Value]) -> Result<Value, Stuck> {
        Ok(variables.get(depth).cloned().unwrap_or(Value::Absent))
    }

    fn field(&self, owner: &Value, field: Field) -> Result<Value, Stuck> {
        Ok(Context::field(self, owner, field))
    }

    fn entry(&self, owner: &Value, entries: Entries, name: &str) -> Result<Value, Stuck> {
        Ok(Context::entry(self, owner, entries, name))
    }

    fn distance(&self, from: &Value, to: &Value) -> Result<Value, Stuck> {
        Ok(match (self.location(*from), self.location(*to)) {
            (Some(from), Some(to)) => great_circle(from, to).map_or(Value::Absent, Value::Distance),
            _ => Value::Absent,
        })
    }

    fn aggregate(
        &self,
        expression: &Expression,
        variables: &mut Vec<Value>,
    ) -> Result<Value, Stuck> {
        let ExpressionKind::Aggregate {
            function,
            value,
            members,
            collection,
            filter,
            index,
        } = &expression.kind
        else {
            unreachable!("the interpreter asks for aggregates only")
        };
        let (value, filter) = (value.as_deref(), filter.as_deref());
        let Some(owner) = collection else {
            return self.orders_aggregate(*function, value, filter, index.as_ref(), variables);
        };
        let members: Vec<Value> = match (members, interpret::evaluate(self, owner, variables)?) {
            (Entity::Access, Value::Order(order)) => self.model.orders[order.0]
                .instruments
                .iter()
                .map(|instrument| Value::Access(*instrument))
                .collect(),
            (_, Value::Order(order)) => (0..self.model.orders[order.0].lines.len())
                .map(|line| Value::Line(order, line))
                .collect(),
            (_, Value::Access(instrument)) => (0..self.model.instrument(instrument).fees.len())
                .map(|fee| Value::Fee(instrument, fee))
                .collect(),
            _ => Vec::new(),
        };
        let mut found = Found::default();
        found.add_up(
            self,
            *function,
            value,
            filter,
            members.into_iter(),
            variables,
        )?;
        Ok(found.value(*function))
    }
}

fn measure_name(measure: &Measure, solicitation: &crate::model::Solicitation) -> Ustr {
    match measure {
        Measure::Item(item) => Ustr::from(&solicitation.item(*item).name.value),
        Measure::Unit(unit) => *unit,
    }
}

/// The fields an expression reads, with the expression they are read from. Aggregates are left
/// out: they read many orders.
fn collect_fields<'e>(expression: &'e Expression, fields: &mut Vec<(&'e Expression, Field)>) {
    match &expression.kind {
        ExpressionKind::Field(owner, field) => fields.push((owner, *field)),
        ExpressionKind::Aggregate { .. } => return,
        _ => {}
    }
    for child in expression.children() {
        collect_fields(child, fields);
    }
}

/// The expressions whose fields an expression reads, outermost first: in `o.via.posted`, `o.via`
/// (and, inside it, `o`). Aggregates are left out: they read many orders.
fn collect_owners<'e>(expression: &'e Expression, owners: &mut Vec<&'e Expression>) {
    match &expression.kind {
        ExpressionKind::Field(owner, _) | ExpressionKind::Named(owner, _, _) => owners.push(owner),
        ExpressionKind::Aggregate { .. } => return,
        _ => {}
    }
    for child in expression.children() {
        collect_owners(child, owners);
    }
}

/// Text as a value: interned, so that the value is copied, never allocated.
fn text(written: &str) -> Value {
    Value::Text(Ustr::from(written))
}

/// The values of an open set an agency has: none, one, or several (comma-separated).
fn several(set: Enumeration, values: &[Ustr]) -> Value {
    match values {
        [] => Value::Absent,
        [one] => Value::Enumeration(set, one.as_str()),
        several => {
            let joined: Vec<&str> = several.iter().map(Ustr::as_str).collect();
            Value::Several(set, Ustr::from(&joined.join(",")))
        }
    }
}

/// The lot a contract awards, as a value.
fn lot_value(contract: &crate::model::Contract) -> Value {
    contract.lot.map_or(Value::Absent, |lot| {
        Value::Lot(contract.solicitation, lot.0)
    })
}

fn category_value(category: Option<crate::model::Category>) -> Value {
    category.map_or(Value::Absent, |category| {
        Value::Enumeration(Enumeration::Category, category.as_str())
    })
}

fn basis_value(basis: Basis) -> Value {
    let spelling = match basis {
        Basis::Lead => "lead",
        Basis::JointParticipant => "joint_participant",
        Basis::Piggyback => "piggyback",
    };
    Value::Enumeration(Enumeration::Basis, spelling)
}

/// The great-circle distance in kilometres between two points given in degrees. Locations are
/// measurements, so floating point is right here; the result is a decimal like every other
/// number a rule compares.
fn great_circle(from: (f64, f64), to: (f64, f64)) -> Option<Decimal> {
    const EARTH_RADIUS_KM: f64 = 6371.0088;
    let (latitude_from, longitude_from) = (from.0.to_radians(), from.1.to_radians());
    let (latitude_to, longitude_to) = (to.0.to_radians(), to.1.to_radians());
    let half_chord = ((latitude_to - latitude_from) / 2.0).sin().powi(2)
        + latitude_from.cos()
            * latitude_to.cos()
            * ((longitude_to - longitude_from) / 2.0).sin().powi(2);
    let kilometres = 2.0 * EARTH_RADIUS_KM * half_chord.sqrt().min(1.0).asin();
    Decimal::try_from(kilometres)
        .ok()
        .map(|distance| distance.round_dp(3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::ContractUse;

    /// Folding a term for a contract never changes what it decides: every term of an order or
    /// line rule's `where` and every `require` that is folded gives, on every order and line of
    /// every example and fixture, the same value folded as written, or fails as written does.
    /// Folded terms are kept per contract and found with its first subject, so this also shows
    /// that what a contract's first order fixed holds for all its others.
    #[test]
    fn folding_keeps_every_decision() {
        let paths = crate::tests::coop_files_in(&["examples", "tests/fixtures/ok"]);
        let (mut compared, mut changed) = (0, 0);
        for path in paths {
            let Ok(mut sources) = crate::load::load(std::slice::from_ref(&path)) else {
                continue;
            };
            let (Some(model), _) = crate::check_sources(&mut sources) else {
                continue;
            };
            let (of_model, changed_of_model) = compare_folded(&model, &path);
            compared += of_model;
            changed += changed_of_model;
        }
        assert!(compared > 1000, "only {compared} terms compared");
        assert!(
            changed > 100,
            "only {changed} of {compared} terms folded to something else"
        );
    }

    /// Compares every folded term of the model's order and line rules with the term as written,
    /// on each of its orders and lines; returns how many were compared, and how many of those
    /// folding changed.
    fn compare_folded(model: &Model, path: &std::path::Path) -> (usize, usize) {
        let gates = Gates::new(model);
        let usage: Vec<ContractUse> = model
            .contracts
            .iter()
            .map(|_| ContractUse::default())
            .collect();
        let totals = Totals::new(model);
        let caps = super::super::orders::CapUse::default();
        let (mut compared, mut changed) = (0, 0);
        for (index, order) in model.orders.iter().enumerate() {
            let id = OrderId(index);
            let tally = super::super::volumes::Tally::of_order(order);
            let context = Context {
                model,
                today: order.date.value,
                running: Running::new(super::super::running::SoFar {
                    usage: &usage,
                    permitted: &[],
                    totals: &totals,
                    caps: &caps,
                }),
                judged: Some((id, &tally)),
                bindings: &[],
                gates: &gates,
            };
            let slots = Slots::of_order(&context, id, super::super::orders::basis_of(model, order));
            for (rule_index, rule) in model.rules.iter().enumerate() {
                let subjects: Vec<Value> = match rule.scope {
                    Entity::Order => vec![Value::Order(id)],
                    Entity::Line => (0..order.lines.len())
                        .map(|line| Value::Line(id, line))
                        .collect(),
                    _ => continue,
                };
                let rest = gates.rules[rule_index].iter().flat_map(|gate| &gate.rest);
                let conditions = gates.conditions[rule_index]
                    .iter()
                    .flatten()
                    .filter_map(|kept| match kept {
                        Condition::Folded(folded) => Some(folded),
                        Condition::Memo(_) => None,
                    });
                for folded in rest.chain(conditions) {
                    for subject in &subjects {
                        let mut variables = vec![*subject];
                        let written = context.value(folded.term, &mut variables);
                        let term = folded.term(&context, slots, &mut variables);
                        let as_folded = context.value(term, &mut variables);
                        let holds = |value: &Result<Value, Mismatch>| {
                            value
                                .as_ref()
                                .map(|value| *value == Value::Boolean(true))
                                .map_err(|_| ())
                        };
                        assert_eq!(
                            holds(&written),
                            holds(&as_folded),
                            "{}: rule `{}` on order `{}`: {:?} folded to {:?}",
                            path.display(),
                            rule.id.value,
                            order.header.name.value,
                            folded.term.kind,
                            term.kind,
                        );
                        compared += 1;
                        changed += usize::from(!std::ptr::eq(term, folded.term));
                    }
                }
            }
        }
        (compared, changed)
    }
}
