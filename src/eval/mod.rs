//! Evaluation: the core semantics of cooperative procurement, true under every jurisdiction, as
//! pure functions of a checked model and an as-of date.

mod bindings;
pub mod expectations;
mod orders;
mod problems;
pub mod rules;
mod running;
pub mod volumes;
pub mod waivers;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use thin_vec::ThinVec;

use crate::diagnostic::Diagnostic;
use crate::model::{AgencyId, ContractId, InstrumentId, Model, OrderId};
use crate::observe::{Count, EVERY, Observer, Phase, Unobserved};
use crate::values::Date;
use volumes::Tally;

pub use bindings::{Basis, Binding};

/// Everything the model means as of one date.
#[derive(Debug)]
pub struct Evaluation {
    pub as_of: Date,
    /// One judgment per order dated on or before `as_of`, in date order.
    pub judgments: Vec<Judgment>,
    /// Orders dated after `as_of`: not judged and not counted.
    pub later_orders: Vec<OrderId>,
    /// Who is bound to which contract, sorted by agency then contract.
    pub bindings: Vec<Binding>,
    /// What rules decide about each binding (responsibilities, precedence of terms), in the
    /// order of `bindings`.
    pub binding_terms: Vec<rules::BindingTerms>,
    /// Volumes per contract, in the model's contract order.
    pub contracts: Vec<ContractUse>,
    /// Findings not about one order, such as commitment shortfalls and the findings of rules
    /// for contracts, agencies and bindings.
    pub findings: Vec<Diagnostic>,
    /// The duties rules add, in the order found.
    pub duties: Vec<rules::RuleDuty>,
    /// How each rule fared, in the order of `Model::rules`.
    pub rule_tallies: Vec<rules::RuleTally>,
}

/// The decision on one order and every reason for it.
///
/// A million are kept, most without reasons or steps: their lists are `ThinVec`s, a pointer
/// each (empty, to no allocation), so that a judgment is 48 bytes rather than 80.
#[derive(Debug)]
pub struct Judgment {
    pub order: OrderId,
    pub basis: Basis,
    /// The findings of its rules: its denials, and warnings, which do not deny it.
    pub reasons: ThinVec<Diagnostic>,
    /// The legal basis (a rule with `permit`, by its index in `Model::rules`) that permits the
    /// order, when one holds.
    pub legal_basis: Option<usize>,
    /// Every check made, passed or failed, in the order they were made: the derivation that
    /// `coop why` shows. Kept only by [`evaluate_explained`]; empty from [`evaluate`].
    pub steps: ThinVec<Step>,
}

/// One check of an order and its outcome.
#[derive(Clone, Debug)]
pub struct Step {
    /// What was checked, e.g. "dated within the term".
    pub check: std::borrow::Cow<'static, str>,
    /// The code of the finding when the check failed.
    pub failed: Option<crate::codes::Code>,
    /// The facts that decided it, in words.
    pub detail: String,
    /// Where those facts are written.
    pub place: crate::source::Span,
}

/// What has been bought under one contract, by whom.
#[derive(Debug, Default)]
pub struct ContractUse {
    /// What each agency's permitted orders used.
    pub by_agency: BTreeMap<AgencyId, AgencyUse>,
    pub total: Tally,
    pub piggyback: Tally,
    /// Permitted orders counted.
    pub orders: usize,
    /// Denied orders.
    pub denied: usize,
    /// The value of permitted piggyback orders placed through each access instrument, on which
    /// the instrument's own fees are due.
    pub through_instrument: BTreeMap<InstrumentId, Decimal>,
}

/// What one agency's permitted orders used of a contract. Kept together, so that counting an
/// order finds its agency once: a large program's orders are most often an agency's first
/// under their contract, and each map it is added to is another search and another node.
#[derive(Debug)]
pub struct AgencyUse {
    /// The basis it orders on.
    pub basis: Basis,
    pub tally: Tally,
    /// The date of its first permitted order.
    pub first_order: Date,
    /// The instruments its permitted piggyback orders went through, in the order first used.
    pub instruments: Vec<InstrumentId>,
}

impl Judgment {
    pub fn is_permitted(&self) -> bool {
        self.reasons.iter().all(|reason| !reason.is_error())
    }
}

/// Evaluates a checked model as of a date. Judgments keep their reasons but not their steps.
pub fn evaluate(model: &Model, as_of: Date) -> Evaluation {
    evaluate_with(model, as_of, false, &Unobserved, ahead_batch(model))
}

/// Evaluates a checked model as of a date as [`evaluate`] does, telling `observer` how many
/// orders are judged.
pub fn evaluate_observed(model: &Model, as_of: Date, observer: &dyn Observer) -> Evaluation {
    evaluate_with(model, as_of, false, observer, ahead_batch(model))
}

/// Evaluates a checked model as of a date, keeping every check made on each order as a step, for
/// `coop why`. The same decisions as [`evaluate`], at several times its cost.
pub fn evaluate_explained(model: &Model, as_of: Date) -> Evaluation {
    evaluate_with(model, as_of, true, &Unobserved, ahead_batch(model))
}

fn evaluate_with(
    model: &Model,
    as_of: Date,
    explain: bool,
    observer: &dyn Observer,
    ahead: Option<usize>,
) -> Evaluation {
    let judged = |orders| Count {
        orders,
        ..Count::default()
    };
    let mut contracts: Vec<ContractUse> = model
        .contracts
        .iter()
        .map(|_| ContractUse::default())
        .collect();
    // Most orders are judged and permitted: room for all of them from the start, so that a
    // million judgments are not copied as the lists grow.
    let mut judgments = Vec::with_capacity(model.orders.len());
    let mut later_orders = Vec::new();
    let mut permitted = Vec::with_capacity(model.orders.len());
    let mut duties = rules::Duties::default();
    let mut rule_tallies = vec![rules::RuleTally::default(); model.rules.len()];
    let mut totals = rules::Totals::new(model);
    // Adding to the totals reads only the permitted order, never other totals.
    let no_totals = rules::Totals::default();
    let mut caps = orders::CapUse::default();
    let mut lines_judged = 0;
    let mut in_turn = Judge::new(model);
    let ahead_tallies = judge_with_help(model, as_of, explain, ahead, |index, ahead| {
        if index.is_multiple_of(EVERY) {
            observer.advanced(Phase::Judging, judged(index), judged(model.orders.len()));
        }
        let id = OrderId(index);
        let order = &model.orders[index];
        if order.date.value > as_of {
            later_orders.push(id);
            return;
        }
        lines_judged += order.lines.len();
        // An order not judged ahead, or judged ahead but for rules that read what the orders
        // before it change, is judged now, in its turn, or finished.
        let Judged {
            judgment,
            tally,
            duties: owed,
        } = match ahead {
            Some(Ahead::Judged(judged)) => judged,
            ahead => {
                let running = running::Running::new(running::SoFar {
                    usage: &contracts,
                    permitted: &permitted,
                    totals: &totals,
                    caps: &caps,
                });
                let judged = match ahead {
                    Some(Ahead::Unfinished(judgment, tally, rules)) => {
                        in_turn.finish(model, id, running, (judgment, tally), rules)
                    }
                    _ => in_turn.judge(model, id, explain, running),
                };
                in_turn.changes.add_to(&mut rule_tallies);
                judged
            }
        };
        for duty in owed {
            duties.add(duty);
        }
        let usage = &mut contracts[order.contract.value.0];
        if judgment.is_permitted() {
            orders::record(order, &judgment, &tally, usage);
            caps.add(model, order, &tally);
            if !model.rules.is_empty() {
                let context = rules::Context {
                    model,
                    today: order.date.value,
                    running: running::Running::new(running::SoFar {
                        usage: &contracts,
                        permitted: &permitted,
                        totals: &no_totals,
                        caps: &caps,
                    }),
                    judged: None,
                    bindings: &[],
                    gates: &in_turn.gates,
                };
                totals.add(&context, id);
            }
            permitted.push(id);
        } else {
            usage.denied += 1;
        }
        judgments.push(judgment);
    });
    for (tally, counted) in rule_tallies.iter_mut().zip(ahead_tallies) {
        tally.add(counted);
    }
    let gates = &in_turn.gates;
    gates.count_considered(model, judgments.len(), lines_judged, &mut rule_tallies);
    let bindings = bindings::bindings(model, &contracts, as_of);
    let mut findings = Vec::new();
    let mut binding_terms = vec![rules::BindingTerms::default(); bindings.len()];
    if !model.rules.is_empty() {
        let context = rules::Context {
            model,
            today: as_of,
            running: running::Running::new(running::SoFar {
                usage: &contracts,
                permitted: &permitted,
                totals: &totals,
                caps: &caps,
            }),
            judged: None,
            bindings: &bindings,
            gates,
        };
        findings.extend(rules::judge_model(
            &context,
            &mut duties,
            &mut binding_terms,
            &mut rule_tallies,
        ));
    }
    findings.extend(waivers::expired(model, as_of));
    observer.finished(Phase::Judging, judged(judgments.len()));
    Evaluation {
        as_of,
        judgments,
        later_orders,
        bindings,
        binding_terms,
        contracts,
        findings,
        duties: duties.into_found(),
        rule_tallies,
    }
}

/// How many orders a helping thread judges ahead at a time.
const AHEAD: usize = 4096;

/// Takes every order in turn to `in_turn`, with what a helping thread judged of it ahead.
/// Helping threads judge batches of orders against the state before any order (no volumes,
/// nothing permitted) and keep what did not read that state: it is what the order gets in its
/// turn, whatever came before. A rule that read it is left for the order's turn
/// ([`rules::judge_order_ahead`]). Most orders' rules read nothing the orders before them change
/// (in generated programs, seven orders in eight), and the rest only in one rule or two, so
/// most of the judging is done on other cores. Returns the tallies of what was kept, in the
/// order of `Model::rules`. Without `ahead` (how many orders a helping thread judges at a time),
/// nothing is judged ahead.
fn judge_with_help(
    model: &Model,
    as_of: Date,
    explain: bool,
    ahead: Option<usize>,
    mut in_turn: impl FnMut(usize, Option<Ahead>),
) -> Vec<rules::RuleTally> {
    let mut tallies = vec![rules::RuleTally::default(); model.rules.len()];
    let Some(batch) = ahead else {
        for index in 0..model.orders.len() {
            in_turn(index, None);
        }
        return tallies;
    };
    let start = running::Start::new(model);
    let helped = crate::parallel::in_order(
        model.orders.len(),
        batch,
        || {
            let tallies = vec![rules::RuleTally::default(); model.rules.len()];
            (Judge::new(model), tallies)
        },
        |(judge, tallies), batch| {
            batch
                .map(|index| {
                    if model.orders[index].date.value > as_of {
                        return None;
                    }
                    let running = running::Running::ahead(&start);
                    judge.judge_ahead(model, OrderId(index), explain, running, tallies)
                })
                .collect::<Vec<_>>()
        },
        |batch, judged| {
            for (index, ahead) in batch.zip(judged) {
                in_turn(index, ahead);
            }
            Ok::<(), std::convert::Infallible>(())
        },
    );
    let Ok(helped) = helped;
    for (_, counted) in helped {
        for (tally, counted) in tallies.iter_mut().zip(counted) {
            tally.add(counted);
        }
    }
    tallies
}

/// How many orders a helping thread judges ahead at a time, when judging ahead pays: with
/// helping threads, that is with two cores or more and two batches or more. A helper for every
/// core: the caller, taking the orders in turn, does less than a helper and shares a core with
/// one (at 1M orders on two cores, 1.8-2.1 µs an order with two helpers, 2.5-2.9 with one). A
/// model of one batch is judged in turn: a helper would judge it while the caller waits.
fn ahead_batch(model: &Model) -> Option<usize> {
    (crate::parallel::helpers(model.orders.len(), AHEAD) > 0).then_some(AHEAD)
}

/// An order's judgment, what it buys (in the contract's currency: what the rules and the
/// volumes read while it is judged, not kept in the judgment since a million are), and the
/// duties its rules add if it is permitted.
struct Judged {
    judgment: Judgment,
    tally: Tally,
    duties: Vec<rules::RuleDuty>,
}

/// What a helping thread judged of an order ahead of its turn.
enum Ahead {
    /// All of it.
    Judged(Judged),
    /// All but the rules that read what the orders before it change.
    Unfinished(Judgment, Tally, rules::Unfinished),
}

/// What one thread judges with: its own remembered terms (they are not shared between threads),
/// buffers, and what the judgment last made adds to the rules' tallies.
struct Judge<'m> {
    gates: rules::Gates<'m>,
    scratch: rules::Scratch,
    changes: rules::TallyChanges,
}

impl<'m> Judge<'m> {
    fn new(model: &'m Model) -> Judge<'m> {
        Judge {
            gates: rules::Gates::new(model),
            scratch: rules::Scratch::default(),
            changes: rules::TallyChanges::new(model.rules.len()),
        }
    }

    /// Judges an order in its turn, by the rules as they read `running`, leaving the tallies'
    /// changes in `changes`.
    fn judge(
        &mut self,
        model: &Model,
        id: OrderId,
        explain: bool,
        running: running::Running<'_>,
    ) -> Judged {
        let (judgment, tally) = orders::judge(model, id, explain);
        let context = order_context(model, id, running, &self.gates, &tally);
        let found = rules::judge_order(&context, id, &mut self.changes, explain, &mut self.scratch);
        let duties = owed(&context, id, &found, &self.scratch.applied);
        Judged::of((judgment, tally), found, duties)
    }

    /// Finishes in its turn an order judged ahead but for some rules, as [`Judge::judge`]
    /// would have judged it.
    fn finish(
        &mut self,
        model: &Model,
        id: OrderId,
        running: running::Running<'_>,
        (judgment, tally): (Judgment, Tally),
        unfinished: rules::Unfinished,
    ) -> Judged {
        let context = order_context(model, id, running, &self.gates, &tally);
        let found = rules::finish_order(
            &context,
            id,
            unfinished,
            &mut self.changes,
            &mut self.scratch,
        );
        let duties = owed(&context, id, &found, &self.scratch.applied);
        Judged::of((judgment, tally), found, duties)
    }

    /// Judges an order ahead of its turn, adding its tallies' changes to `tallies`: all of it,
    /// all but the rules that read what the orders before it change, or (when what decides
    /// which rules run, or its duties, read it) nothing.
    fn judge_ahead(
        &mut self,
        model: &Model,
        id: OrderId,
        explain: bool,
        running: running::Running<'_>,
        tallies: &mut [rules::RuleTally],
    ) -> Option<Ahead> {
        let (judgment, tally) = orders::judge(model, id, explain);
        let context = order_context(model, id, running, &self.gates, &tally);
        let ahead = match rules::judge_order_ahead(
            &context,
            id,
            &mut self.changes,
            explain,
            &mut self.scratch,
        ) {
            rules::Ahead::Finished(found) => {
                let duties = owed(&context, id, &found, &self.scratch.applied);
                (!context.running.was_read())
                    .then(|| Ahead::Judged(Judged::of((judgment, tally), found, duties)))
            }
            rules::Ahead::Unfinished(unfinished) => {
                Some(Ahead::Unfinished(judgment, tally, unfinished))
            }
            rules::Ahead::Lost => None,
        };
        match ahead {
            Some(_) => self.changes.add_to(tallies),
            None => self.changes.discard(),
        }
        ahead
    }
}

impl Judged {
    /// An order's judgment (with what it buys) with what its rules found, and the duties they
    /// add.
    fn of(
        (mut judgment, tally): (Judgment, Tally),
        found: rules::OrderRules,
        duties: Vec<rules::RuleDuty>,
    ) -> Judged {
        debug_assert!(judgment.reasons.is_empty(), "only the rules give reasons");
        judgment.reasons.extend(found.reasons);
        judgment.steps.extend(found.steps);
        judgment.legal_basis = found.legal_basis;
        Judged {
            judgment,
            tally,
            duties,
        }
    }
}

/// What the rules read when they judge one order.
fn order_context<'c>(
    model: &'c Model,
    id: OrderId,
    running: running::Running<'c>,
    gates: &'c rules::Gates<'c>,
    tally: &'c Tally,
) -> rules::Context<'c> {
    rules::Context {
        model,
        today: model.orders[id.0].date.value,
        running,
        judged: Some((id, tally)),
        bindings: &[],
        gates,
    }
}

/// The duties the rules that applied to an order (`applied`) add, when they permit it.
fn owed(
    context: &rules::Context<'_>,
    id: OrderId,
    found: &rules::OrderRules,
    applied: &[(usize, crate::model::rules::Value)],
) -> Vec<rules::RuleDuty> {
    let mut duties = Vec::new();
    // As `Judgment::is_permitted` will find once the reasons are the judgment's.
    if found.reasons.iter().all(|reason| !reason.is_error()) {
        rules::order_duties(context, id, applied, &mut duties);
    }
    duties
}

impl Evaluation {
    pub fn contract_use(&self, contract: ContractId) -> &ContractUse {
        &self.contracts[contract.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The models the tests judge: every example and fixture that checks, and a generated
    /// program of 4,000 orders (some of which read the volumes of those before them).
    fn models() -> Vec<(String, Model)> {
        let generated = tempfile::tempdir().expect("a scratch directory");
        let program = crate::generate::generate(
            crate::generate::Settings::for_orders(4000, 1),
            crate::generate::OrderFormat::Coop,
        );
        std::fs::write(generated.path().join("model.coop"), program.model).expect("written");
        std::fs::write(generated.path().join("orders.coop"), program.orders).expect("written");
        let mut paths = crate::tests::coop_files_in(&["examples", "tests/fixtures/ok"]);
        paths.push(generated.path().to_path_buf());
        paths
            .into_iter()
            .filter_map(|path| {
                let mut sources = crate::load::load(std::slice::from_ref(&path)).ok()?;
                let (model, _) = crate::check_sources(&mut sources);
                Some((path.display().to_string(), model?))
            })
            .collect()
    }

    fn as_of() -> Date {
        Date::parse_from_str(crate::generate::AS_OF, "%Y-%m-%d").expect("the generator's date")
    }

    /// Judged ahead one order at a time (by helping threads on two cores or more, else by the
    /// caller before each order's turn), every order of every model gets the judgment, steps,
    /// tallies and duties it gets judged in its turn.
    #[test]
    fn orders_judged_ahead_are_judged_as_in_their_turn() {
        let models = models();
        assert!(models.len() > 20, "only {} models", models.len());
        for (name, model) in &models {
            for explain in [false, true] {
                let in_turn = evaluate_with(model, as_of(), explain, &Unobserved, None);
                let ahead = evaluate_with(model, as_of(), explain, &Unobserved, Some(1));
                assert_eq!(format!("{ahead:#?}"), format!("{in_turn:#?}"), "{name}");
            }
        }
    }

    /// Judged ahead, most orders of a generated program are judged whole, and some only but
    /// for the rules that read what the orders before them change, left for their turn.
    #[test]
    fn rules_that_read_the_orders_before_are_left_for_the_turn() {
        let models = models();
        let (_, model) = models.last().expect("the generated program");
        let start = running::Start::new(model);
        let mut judge = Judge::new(model);
        let mut tallies = vec![rules::RuleTally::default(); model.rules.len()];
        let (mut whole, mut unfinished, mut lost) = (0, 0, 0);
        for index in 0..model.orders.len() {
            let running = running::Running::ahead(&start);
            match judge.judge_ahead(model, OrderId(index), false, running, &mut tallies) {
                Some(Ahead::Judged(_)) => whole += 1,
                Some(Ahead::Unfinished(..)) => unfinished += 1,
                None => lost += 1,
            }
        }
        assert!(whole > 1000, "{whole} judged whole");
        assert!(
            unfinished > 100,
            "{unfinished} left unfinished, {whole} whole, {lost} lost"
        );
        assert!(
            lost < unfinished,
            "{lost} lost, {unfinished} left unfinished"
        );
    }
}
