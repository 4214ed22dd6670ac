//! Building the checked model from the syntax trees, one declaration kind at a time, in the order
//! references need: agencies, solicitations, contracts, access instruments, orders.
//!
//! A declaration whose required parts cannot be resolved is left out of the model after its
//! problems are reported; declarations that depend on it are still checked as far as they can be,
//! without repeating the same problem.

use std::borrow::Borrow;

use rust_decimal::Decimal;

use super::names::Namespace;
use super::problems::{DeclarationProblem, NameProblem};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::*;
use crate::schema::{Entity, Enumeration};
use crate::source::{SourceMap, Span, Spanned};
use crate::syntax::ast::{self, Block, Name};
use crate::values::{Date, LARGEST_AMOUNT, Money};
use iso_currency::IntoEnumIterator;

/// Builds the model from the syntax trees of its files and of its orders, which are given apart
/// so that each can be freed once checked.
pub(super) fn build(
    sources: &SourceMap,
    files: &[ast::File],
    orders: Orders<impl OrderTree, impl Borrow<ast::UnreadOrder>>,
    packs: &[super::rules::PackUse],
    diagnostics: &mut Diagnostics,
    observer: &dyn crate::observe::Observer,
) -> Option<Model> {
    let mut agencies = Vec::new();
    let mut solicitations = Vec::new();
    let mut contracts = Vec::new();
    let mut instruments = Vec::new();
    // Every name with its kind, so that the first declaration of a name in source order wins
    // whatever its kind.
    let declarations: usize = files.iter().map(|file| file.declarations.len()).sum();
    let mut written: Vec<(Span, &Name, Entity)> = Vec::with_capacity(orders.len() + declarations);
    written.extend(
        orders
            .names()
            .map(|(span, name)| (span, name, Entity::Order)),
    );
    for file in files {
        for declaration in &file.declarations {
            let span = match declaration {
                ast::Declaration::Agency(block) => {
                    agencies.push(block);
                    block.span
                }
                ast::Declaration::Solicitation(block) => {
                    solicitations.push(block);
                    block.span
                }
                ast::Declaration::Contract(block) => {
                    contracts.push(block);
                    block.span
                }
                ast::Declaration::Access(block) => {
                    instruments.push(block);
                    block.span
                }
                // Given apart, in `orders` (and taken out of the files when the trees are
                // given).
                ast::Declaration::Order(_) => continue,
            };
            written.push((span, declaration.name(), declaration.entity()));
        }
    }
    if written.is_empty()
        && let Some((file, _)) = sources.files().next()
    {
        diagnostics.push(Diagnostic::of(
            DeclarationProblem::EmptyModel,
            Span::new(file, 0, 0),
        ));
    }
    // Spans are distinct, so any sort gives the one order. `written` is a few runs already in
    // order (the orders of each file, then each file's other declarations), which a stable sort
    // merges where an unstable one sorts a million names from nothing.
    written.sort_by_key(|(span, _, _)| *span);
    let checked_orders = OrdersList::start(orders.len());
    let mut namespace = Namespace::with_capacity(written.len());
    // Duplicates are few, and most models have none: the declarations that lost their name
    // are remembered, not the million that won it.
    let mut losers = std::collections::HashSet::new();
    for (span, name, kind) in written {
        if !namespace.reserve(name, kind, diagnostics) {
            losers.insert(span);
        }
    }
    let mut orders = orders.without_names();
    let agencies = declare_all(agencies, Entity::Agency, &losers, &mut namespace);
    let agency_titles: Vec<(String, usize, String, String)> = agencies
        .iter()
        .enumerate()
        .filter_map(|(index, block)| {
            let title = block.title.as_ref()?;
            Some((
                folded(&title.value),
                index,
                block.name.value.to_string(),
                title.value.clone(),
            ))
        })
        .collect();
    let solicitations = declare_all(solicitations, Entity::Solicitation, &losers, &mut namespace);
    let contracts = declare_all(contracts, Entity::Contract, &losers, &mut namespace);
    let instruments = declare_all(instruments, Entity::Access, &losers, &mut namespace);
    // Orders get no index here: their places in judging order are found by `OrderPlaces` once
    // they are checked (below).
    if !losers.is_empty() {
        orders.retain_winners(&losers);
    }
    let vocabulary = super::vocabulary::Vocabulary::build(files, diagnostics);
    // A group is read by name where a declaration may be (`in [EEA]`): the two cannot share one.
    for group in files.iter().flat_map(|file| &file.groups) {
        if let Some(declared) = namespace.lookup(&group.name.value) {
            diagnostics.push(
                Diagnostic::of(
                    NameProblem::Duplicate {
                        name: &group.name.value,
                    },
                    group.name.span,
                )
                .with_related(
                    declared.span,
                    format!("first declared here, as {}", declared.kind.article()),
                ),
            );
        }
    }

    let rule_ids = files
        .iter()
        .flat_map(|file| &file.rules)
        .map(|rule| {
            let has = |matches: fn(&ast::RuleField) -> bool| {
                rule.fields.iter().any(|field| matches(&field.value))
            };
            let shape = RuleShape {
                obliges: has(|field| matches!(field, ast::RuleField::Oblige { .. })),
                permits: has(|field| matches!(field, ast::RuleField::Permit { .. })),
                extents: rule
                    .fields
                    .iter()
                    .filter_map(|field| match &field.value {
                        ast::RuleField::Responsible { extent, .. } => Some(extent.value),
                        _ => None,
                    })
                    .collect(),
            };
            (rule.name.value.to_string(), shape)
        })
        .collect();
    let shared = Shared {
        namespace: &namespace,
        rule_ids: &rule_ids,
        vocabulary: &vocabulary,
        agency_titles: &agency_titles,
    };
    let mut checker = Checker::new(&shared, diagnostics);
    let agencies: Vec<Option<Agency>> =
        agencies.iter().map(|block| checker.agency(block)).collect();
    let solicitations: Vec<Option<Solicitation>> = solicitations
        .iter()
        .map(|block| checker.solicitation(block))
        .collect();
    let contracts: Vec<Option<Contract>> = contracts
        .iter()
        .map(|block| checker.contract(block, &solicitations))
        .collect();
    let instruments: Vec<Option<AccessInstrument>> = instruments
        .iter()
        .map(|block| checker.access(block))
        .collect();
    chains_end(&instruments, checker.diagnostics);
    drop(checker);
    let declared = Declared {
        solicitations: &solicitations,
        contracts: &contracts,
        instruments: &instruments,
    };
    let (checked_orders, orders_complete) = check_orders(
        sources,
        files,
        &shared,
        &mut orders,
        declared,
        checked_orders.made(),
        diagnostics,
        observer,
    );
    // Emptied, but a million of them are still some 120 MB.
    drop(orders);
    let orders = checked_orders;
    let orders = in_judging_order(orders);
    // Rules name orders by their places in judging order.
    let order_places = super::names::OrderPlaces::new(&orders);
    let mut checker = Checker::new(&shared, diagnostics);
    let tests = checker.tests(files, &solicitations, &contracts, &instruments);
    let rules = super::rules::check(
        files,
        packs,
        &namespace,
        &order_places,
        &vocabulary,
        checker.diagnostics,
    );
    expected_rules_exist(files, &tests, checker.diagnostics);
    let waivers = super::waivers::check(files, &rules, &namespace, checker.diagnostics);
    let complete = agencies.iter().all(Option::is_some)
        && solicitations.iter().all(Option::is_some)
        && contracts.iter().all(Option::is_some)
        && instruments.iter().all(Option::is_some)
        && orders_complete;
    if !complete || checker.diagnostics.has_errors_outside_ledgers(sources) {
        return None;
    }
    let (definitions, groups) = vocabulary.into_parts();
    let contracts: Vec<Contract> = contracts.into_iter().flatten().collect();
    let mut solicitations: Vec<Solicitation> = solicitations.into_iter().flatten().collect();
    for (index, contract) in contracts.iter().enumerate() {
        solicitations[contract.solicitation.0]
            .contracts
            .push(ContractId(index));
    }
    Some(Model {
        agencies: agencies.into_iter().flatten().collect(),
        solicitations,
        contracts,
        instruments: instruments.into_iter().flatten().collect(),
        orders,
        tests,
        rules,
        definitions,
        groups,
        waivers,
    })
}

/// What every checker reads.
#[derive(Clone, Copy)]
struct Shared<'s> {
    namespace: &'s Namespace,
    rule_ids: &'s std::collections::HashMap<String, RuleShape>,
    vocabulary: &'s super::vocabulary::Vocabulary,
    agency_titles: &'s [(String, usize, String, String)],
}

/// The checked declarations orders refer to.
#[derive(Clone, Copy)]
struct Declared<'m> {
    solicitations: &'m [Option<Solicitation>],
    contracts: &'m [Option<Contract>],
    instruments: &'m [Option<AccessInstrument>],
}

/// An order's syntax tree as checking holds it: lent by a caller that keeps it, or given, to be
/// freed as soon as its order is checked.
pub(super) trait OrderTree: Send {
    fn tree(&self) -> &Block<ast::OrderField>;
    /// Frees what the tree holds, once its order is checked; a lent tree is left as it is.
    fn free(&mut self);
}

impl OrderTree for &Block<ast::OrderField> {
    fn tree(&self) -> &Block<ast::OrderField> {
        self
    }

    fn free(&mut self) {}
}

impl OrderTree for Block<ast::OrderField> {
    fn tree(&self) -> &Block<ast::OrderField> {
        self
    }

    fn free(&mut self) {
        // All it owns goes; what is left owns nothing.
        self.name.value = Default::default();
        self.title = None;
        self.fields = Vec::new();
        self.facts = Vec::new();
    }
}

/// The orders to check, in the order written (file by file): those whose trees parsing made,
/// and those of order books and ledgers it read by name only (`Unread`: lent or given), whose
/// trees are read again a few thousand at a time as they are checked.
pub(super) struct Orders<Tree, Unread> {
    trees: Vec<Tree>,
    unread: Vec<Unread>,
    /// For each order in the order written, whether it is one of `unread` (else of `trees`).
    is_unread: Vec<bool>,
}

impl<Tree, Unread> Orders<Tree, Unread> {
    pub fn len(&self) -> usize {
        self.is_unread.len()
    }
}

impl<Tree: OrderTree, Unread: Borrow<ast::UnreadOrder>> Orders<Tree, Unread> {
    /// The orders of a model's files, in the order written: from each file, `trees_in[file]`
    /// of `trees` (those whose trees parsing made) and then `unread_in[file]`.
    pub fn of(
        trees: Vec<Tree>,
        trees_in: &[usize],
        unread_in: Vec<Vec<Unread>>,
    ) -> Orders<Tree, Unread> {
        let mut is_unread = Vec::with_capacity(trees.len());
        let mut unread = Vec::new();
        for (trees_in, file_unread) in trees_in.iter().zip(unread_in) {
            is_unread.extend(std::iter::repeat_n(false, *trees_in));
            is_unread.extend(std::iter::repeat_n(true, file_unread.len()));
            // Most models have one file read by name, whose list is taken as it is.
            if unread.is_empty() {
                unread = file_unread;
            } else {
                unread.extend(file_unread);
            }
        }
        Orders {
            trees,
            unread,
            is_unread,
        }
    }

    /// Each order's name and where it is declared, trees first.
    fn names(&self) -> impl Iterator<Item = (Span, &Name)> {
        let trees = self.trees.iter().map(|order| order.tree());
        let trees = trees.map(|tree| (tree.span, &tree.name));
        let unread = self.unread.iter().map(Borrow::borrow);
        trees.chain(unread.map(|order: &ast::UnreadOrder| (order.span, &order.name)))
    }

    /// The orders with only the places of those read by name, once their names are in the
    /// namespace: all that checking needs of them then (a million names are some 40 MB).
    fn without_names(self) -> Orders<Tree, Span> {
        Orders {
            trees: self.trees,
            unread: self
                .unread
                .iter()
                .map(|order| order.borrow().span)
                .collect(),
            is_unread: self.is_unread,
        }
    }
}

impl<Tree: OrderTree> Orders<Tree, Span> {
    /// Leaves out the orders that lost their name to an earlier declaration.
    fn retain_winners(&mut self, losers: &std::collections::HashSet<Span>) {
        let (mut trees, mut unread) = (self.trees.iter(), self.unread.iter());
        self.is_unread.retain(|is_unread| {
            let span = if *is_unread {
                unread.next().copied()
            } else {
                trees.next().map(|order| order.tree().span)
            };
            span.is_none_or(|span| !losers.contains(&span))
        });
        self.trees
            .retain(|order| !losers.contains(&order.tree().span));
        self.unread.retain(|span| !losers.contains(span));
    }

    /// The orders in parts of [`ORDERS_PER_CHECKER`], in the order written.
    fn parts(&mut self) -> Vec<Part<'_, Tree>> {
        let mut trees = self.trees.as_mut_slice();
        let mut unread = self.unread.as_slice();
        self.is_unread
            .chunks(ORDERS_PER_CHECKER)
            .map(|is_unread| {
                let unread_count = is_unread.iter().filter(|is_unread| **is_unread).count();
                let (part_trees, trees_after) =
                    std::mem::take(&mut trees).split_at_mut(is_unread.len() - unread_count);
                let (part_unread, unread_after) = unread.split_at(unread_count);
                trees = trees_after;
                unread = unread_after;
                Part {
                    trees: part_trees,
                    unread: part_unread,
                    is_unread,
                }
            })
            .collect()
    }
}

/// One checker's share of the orders, in the order written.
struct Part<'p, Tree> {
    trees: &'p mut [Tree],
    /// Where its orders read by name only are declared.
    unread: &'p [Span],
    is_unread: &'p [bool],
}

/// How many orders read by name only are read again at once: a checker holds their trees until
/// each is checked, and a part's 65,536 would be some 35 MB.
const READ_AGAIN_AT_ONCE: usize = 4096;

/// The trees of orders read by name only, read again in runs of one file, in the order written;
/// `None` for one not read again (which a file read once by name never gives).
fn read_again(
    sources: &SourceMap,
    files: &[ast::File],
    unread: &[Span],
) -> Vec<Option<Block<ast::OrderField>>> {
    let mut trees = Vec::with_capacity(unread.len());
    for run in unread.chunk_by(|before, after| before.file == after.file) {
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            continue;
        };
        let tree = files.iter().find(|tree| tree.file == first.file);
        // Orders that lost their name lie between, and are left out again.
        let mut read = tree
            .and_then(|tree| crate::syntax::read_orders_again(sources, tree, *first, *last))
            .unwrap_or_default()
            .into_iter()
            .peekable();
        for span in run {
            while read.next_if(|tree| tree.span < *span).is_some() {}
            trees.push(read.next_if(|tree| tree.span == *span));
        }
    }
    trees
}

/// The list the checked orders are written into, one place for each order named (a place
/// left `None` for each that lost its name), made on a helper while the names are reserved: at
/// 10M orders it is 1.8 GB, and the pages faulted in as it is made took 1.5 s on one core.
enum OrdersList {
    Making(std::thread::JoinHandle<Vec<Option<Order>>>),
    Made(Vec<Option<Order>>),
}

impl OrdersList {
    fn start(orders: usize) -> OrdersList {
        let make = move || {
            let mut list = Vec::with_capacity(orders);
            list.resize_with(orders, || None);
            list
        };
        if crate::parallel::threads() < 2 || orders < ORDERS_PER_CHECKER {
            return OrdersList::Made(make());
        }
        OrdersList::Making(std::thread::spawn(make))
    }

    fn made(self) -> Vec<Option<Order>> {
        match self {
            OrdersList::Made(list) => list,
            OrdersList::Making(helper) => helper
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        }
    }
}

/// Checks the orders, in parts of [`ORDERS_PER_CHECKER`] on every core at once, into
/// `checked_orders`; their findings are added in the orders' order, as if one checker had
/// checked them all. Returns the checked orders in the order written (`None` for a ledger row
/// left out, and at the end for the orders that lost their names), and whether every order not read from a
/// ledger was checked (a ledger row in error is left out of the model, its errors reported; an
/// order in error anywhere else stops the model).
#[expect(
    clippy::too_many_arguments,
    reason = "what checking the orders reads, and the list it fills"
)]
fn check_orders<Tree: OrderTree>(
    sources: &SourceMap,
    files: &[ast::File],
    shared: &Shared<'_>,
    orders: &mut Orders<Tree, Span>,
    declared: Declared<'_>,
    mut checked_orders: Vec<Option<Order>>,
    diagnostics: &mut Diagnostics,
    observer: &dyn crate::observe::Observer,
) -> (Vec<Option<Order>>, bool) {
    let total = orders.len();
    let checked_so_far = std::sync::atomic::AtomicUsize::new(0);
    let tell = |orders: usize| {
        let count = |orders| crate::observe::Count {
            orders,
            ..crate::observe::Count::default()
        };
        let checked = checked_so_far.fetch_add(orders, std::sync::atomic::Ordering::Relaxed);
        let phase = crate::observe::Phase::Checking;
        observer.advanced(phase, count(checked + orders), count(total));
    };
    // One list of every order (`checked_orders`, a place for each), each part checked into its
    // own share of it: the orders are not moved again to put the parts together.
    let check_part = |part: Part<'_, Tree>, into: &mut [Option<Order>]| {
        let mut found = Diagnostics::new();
        let mut checker = Checker::new(shared, &mut found);
        let mut complete = true;
        let mut told = 0;
        let mut unread_left = part.unread;
        let mut read_now = Vec::new().into_iter();
        // The place in `part.trees` of the next order whose tree parsing made.
        let mut next_tree = 0;
        for (index, is_unread) in part.is_unread.iter().enumerate() {
            if index > told && index.is_multiple_of(crate::observe::EVERY) {
                tell(index - told);
                told = index;
            }
            let read;
            let block = if *is_unread {
                if read_now.len() == 0 {
                    let at_once = unread_left.len().min(READ_AGAIN_AT_ONCE);
                    let (now, later) = unread_left.split_at(at_once);
                    read_now = read_again(sources, files, now).into_iter();
                    unread_left = later;
                }
                read = read_now.next().flatten();
                read.as_ref()
            } else {
                next_tree += 1;
                part.trees.get(next_tree - 1).map(OrderTree::tree)
            };
            let Some(block) = block else {
                // Never: an order read once is read again the same. Were one not, the model
                // would be left incomplete rather than without it.
                complete = false;
                continue;
            };
            let errors_before = checker.diagnostics.error_count();
            let from_ledger = sources.is_ledger(block.span.file);
            let order = checker.order(
                block,
                declared.solicitations,
                declared.contracts,
                declared.instruments,
                from_ledger,
            );
            let rejected = from_ledger && checker.diagnostics.error_count() > errors_before;
            complete &= order.is_some() || from_ledger;
            if let Some(place) = into.get_mut(index) {
                *place = if rejected { None } else { order };
            }
            if !*is_unread && let Some(tree) = part.trees.get_mut(next_tree - 1) {
                tree.free();
            }
        }
        tell(part.is_unread.len() - told);
        (complete, found)
    };
    // Each part's share of the list: parts are `ORDERS_PER_CHECKER` orders, the last fewer.
    let parts = orders
        .parts()
        .into_iter()
        .zip(checked_orders.chunks_mut(ORDERS_PER_CHECKER))
        .collect::<Vec<_>>();
    let cores = crate::parallel::threads();
    let checked: Vec<_> = if parts.len() < 2 || cores < 2 {
        parts
            .into_iter()
            .map(|(part, into)| check_part(part, into))
            .collect()
    } else {
        // Each thread takes the next part not taken yet, so that a thread slowed down (by
        // another program on its core) does not leave the others waiting at the end, as every
        // `cores`th part each did (a second and a half of ten million orders' checking on one
        // core); the parts' findings are put back in order after.
        let workers = cores.min(parts.len());
        let next_part = std::sync::Mutex::new(parts.into_iter().enumerate());
        let mut checked: Vec<_> = std::thread::scope(|scope| {
            let running: Vec<_> = (0..workers)
                .map(|_| {
                    let (check_part, next_part) = (&check_part, &next_part);
                    scope.spawn(move || {
                        let mut checked = Vec::new();
                        while let Some((index, (part, into))) = next_of(next_part) {
                            checked.push((index, check_part(part, into)));
                        }
                        checked
                    })
                })
                .collect();
            running
                .into_iter()
                .flat_map(|worker| match worker.join() {
                    Ok(checked) => checked,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        });
        checked.sort_unstable_by_key(|(index, _)| *index);
        checked.into_iter().map(|(_, part)| part).collect()
    };
    let mut complete = true;
    for (part_complete, found) in checked {
        complete &= part_complete;
        diagnostics.extend(found);
    }
    (checked_orders, complete)
}

/// Every rule a test expects to deny an order is a rule of the model.
fn expected_rules_exist(files: &[ast::File], tests: &[Test], diagnostics: &mut Diagnostics) {
    let rules: Vec<&ast::Rule> = files.iter().flat_map(|file| &file.rules).collect();
    let declared: Vec<&str> = rules.iter().map(|rule| rule.name.value.as_str()).collect();
    // A rule denies by a `require ... else deny`, or, as a legal basis, when no basis holds.
    let can_deny = |rule: &ast::Rule| {
        rule.fields.iter().any(|field| match &field.value {
            ast::RuleField::Require { outcome, .. } => outcome.value == ast::Outcome::Deny,
            ast::RuleField::Permit { .. } => true,
            _ => false,
        })
    };
    for test in tests {
        for expectation in &test.expectations {
            let named: &[Spanned<String>] = match &expectation.value {
                Expectation::OrderDenied { rules, .. } => rules,
                Expectation::Finding { rule, .. } => std::slice::from_ref(rule),
                _ => &[],
            };
            for rule in named {
                match rules
                    .iter()
                    .find(|declared| declared.name.value == rule.value)
                {
                    // An order is denied only by a rule that denies; one that warns never will.
                    Some(found)
                        if matches!(expectation.value, Expectation::OrderDenied { .. })
                            && !can_deny(found) =>
                    {
                        let order = match &expectation.value {
                            Expectation::OrderDenied { order, .. } => order.value.as_str(),
                            _ => "ORDER",
                        };
                        diagnostics.push(
                            Diagnostic::of(
                                DeclarationProblem::CannotDeny {
                                    rule: &rule.value,
                                    order,
                                },
                                rule.span,
                            )
                            .with_related(found.name.span, "the rule only warns or obliges"),
                        );
                    }
                    Some(_) => {}
                    None => diagnostics.push(Diagnostic::of(
                        DeclarationProblem::ExpectedRuleUndefined {
                            rule: &rule.value,
                            suggestion: super::suggest(&rule.value, declared.iter().copied()),
                        },
                        rule.span,
                    )),
                }
            }
        }
    }
}

/// Keeps the declarations of one kind that won their name, sorted by name, and records the
/// index each has among them.
fn declare_all<'a, Field>(
    blocks: Vec<&'a Block<Field>>,
    kind: Entity,
    losers: &std::collections::HashSet<Span>,
    namespace: &mut Namespace,
) -> Vec<&'a Block<Field>> {
    let mut blocks = without_losers(blocks, losers);
    // Only winners are left, whose names are distinct: an unstable sort gives the one order.
    blocks.sort_unstable_by(|left, right| left.name.value.cmp(&right.name.value));
    for (index, block) in blocks.iter().enumerate() {
        namespace.set_index(&block.name, kind, index);
    }
    blocks
}

/// The declarations that won their name.
fn without_losers<'a, Field>(
    mut blocks: Vec<&'a Block<Field>>,
    losers: &std::collections::HashSet<Span>,
) -> Vec<&'a Block<Field>> {
    if !losers.is_empty() {
        blocks.retain(|block| !losers.contains(&block.span));
    }
    blocks
}

/// The checked orders, `None` where a ledger row was left out, in the order they are judged: by
/// date, and on one date by name, which is stable. The orders left close up in the same list;
/// the keys are sorted, and the orders then moved into place, without a second list of a
/// million orders.
fn in_judging_order(checked: Vec<Option<Order>>) -> Vec<Order> {
    // `filter_map` collects in place, where `flatten` would make a second list of the orders.
    #[expect(
        clippy::filter_map_identity,
        reason = "collected in place, unlike `flatten`"
    )]
    let mut orders: Vec<Order> = checked.into_iter().filter_map(|order| order).collect();
    let mut keys: Vec<(Date, &str, usize)> = orders
        .iter()
        .enumerate()
        .map(|(index, order)| (order.date.value, order.header.name.value.as_str(), index))
        .collect();
    // Winning names are distinct, so an unstable sort gives the one order, faster.
    keys.sort_unstable();
    // `from[place]` is where the order that goes to `place` is now.
    let mut from: Vec<usize> = keys.into_iter().map(|(_, _, index)| index).collect();
    for start in 0..from.len() {
        // Each cycle of the permutation is followed once; a place filled points at itself.
        let mut place = start;
        while from[place] != place {
            let source = from[place];
            from[place] = place;
            if source == start {
                break;
            }
            orders.swap(place, source);
            place = source;
        }
    }
    orders
}

/// The next of `items` not taken yet by any thread. The lock is held only while it is taken,
/// never while it is worked on; taking an item cannot panic, so the lock is never poisoned,
/// and were it, what it guards would still be whole.
fn next_of<Item>(items: &std::sync::Mutex<impl Iterator<Item = Item>>) -> Option<Item> {
    let mut items = items
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    items.next()
}

/// Stands in for an agency reference already reported as unresolved (see `Checker::solicitation`).
const UNRESOLVED_AGENCY: AgencyId = AgencyId(usize::MAX);

/// Checks declarations into the model's. What it reads is shared, so that several checkers can
/// check a large model's orders at once, each with its own findings.
struct Checker<'s, 'd> {
    namespace: &'s Namespace,
    diagnostics: &'d mut Diagnostics,
    /// The ids of every rule written, which tests may name, with what each does.
    rule_ids: &'s std::collections::HashMap<String, RuleShape>,
    /// The currency codes found valid so far: a model uses a few, on a million order lines, and
    /// the ISO table is searched once for each.
    currencies: Vec<crate::values::Currency>,
    /// The kinds and roles the model adds, and its jurisdiction groups.
    vocabulary: &'s super::vocabulary::Vocabulary,
    /// Each agency's title, folded (lower case, single spaces), with its index, its name and the
    /// title as written: a ledger's buyer may be written by its title.
    agency_titles: &'s [(String, usize, String, String)],
    /// How many more "did you mean" searches this checker may run.
    suggestions_left: std::cell::Cell<usize>,
}

/// How many orders one checker checks: a large model's orders are checked in parts of this
/// size on every core at once. The size is fixed, not the number of parts, so that what is
/// found (the suggestions each part may make) does not depend on the machine.
const ORDERS_PER_CHECKER: usize = 1 << 16;

/// What a test that names a rule under `under` expects it to be able to do.
#[derive(Clone, Copy)]
pub(super) enum Capacity {
    Permits,
    Responsible(crate::model::rules::Extent),
}

/// What a rule does, as far as tests that name it care.
#[derive(Clone)]
struct RuleShape {
    /// It obliges someone to something: a test may expect its duty.
    obliges: bool,
    /// It is a legal basis: a test may expect an order permitted under it.
    permits: bool,
    /// The responsibilities it states (`responsible alone`, ...): a test may expect one of them
    /// under it.
    extents: Vec<crate::model::rules::Extent>,
}

/// The single-valued fields of one declaration: reports a field given twice, and a required one
/// missing, against the declaration's name.
struct Fields<'b, Field> {
    block: &'b Block<Field>,
    keyword: &'static str,
}

impl<Field> Fields<'_, Field> {
    fn once<T>(
        &self,
        slot: &mut Option<(T, Span)>,
        value: T,
        span: Span,
        field: &str,
        diagnostics: &mut Diagnostics,
    ) {
        match slot {
            Some((_, first)) => diagnostics.push(
                Diagnostic::of(
                    DeclarationProblem::DuplicateField {
                        field,
                        keyword: self.keyword,
                        declaration: &self.block.name.value,
                    },
                    span,
                )
                .with_related(*first, "first given here"),
            ),
            None => *slot = Some((value, span)),
        }
    }

    fn require<T>(
        &self,
        slot: Option<(T, Span)>,
        field: &str,
        example: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<T> {
        match slot {
            Some((value, _)) => Some(value),
            None => {
                diagnostics.push(self.missing(field, example));
                None
            }
        }
    }

    fn missing(&self, field: &str, example: &str) -> Diagnostic {
        Diagnostic::of(
            DeclarationProblem::MissingField {
                field,
                example,
                keyword: self.keyword,
                declaration: &self.block.name.value,
            },
            self.block.name.span,
        )
    }
}

fn header<Field>(block: &Block<Field>) -> Header {
    let facts = block
        .facts
        .iter()
        .map(|fact| Fact {
            name: fact.name.to_owned_string(),
            date: fact.date.map(|date| date.value),
            value: fact.value.as_ref().and_then(fact_value),
            text: fact.text.as_ref().map(|text| text.value.clone()),
        })
        .collect();
    let title = block.title.as_ref().map(|title| title.value.clone());
    Header::new(block.name.clone(), block.span, title, facts)
}

/// The amount a fact records, as rules read it: money, a number, a quantity (of what its unit
/// names) or a percentage. The grammar admits no other literal there.
fn fact_value(written: &ast::Expression) -> Option<crate::model::rules::Value> {
    use crate::model::rules::Value;
    Some(match &written.value {
        ast::ExpressionKind::Money(money) => Value::Money(*money),
        ast::ExpressionKind::Percentage(rate) => Value::Percentage(*rate),
        ast::ExpressionKind::Number { value, unit: None } => Value::Number(*value),
        ast::ExpressionKind::Number {
            value,
            unit: Some(unit),
        } => Value::Quantity {
            count: *value,
            unit: unit.value.as_str().into(),
        },
        _ => return None,
    })
}

impl<'s> Checker<'s, '_> {
    /// A checker of what `shared` holds, with its own findings.
    fn new<'d>(shared: &Shared<'s>, diagnostics: &'d mut Diagnostics) -> Checker<'s, 'd> {
        Checker {
            namespace: shared.namespace,
            diagnostics,
            rule_ids: shared.rule_ids,
            currencies: Vec::new(),
            vocabulary: shared.vocabulary,
            agency_titles: shared.agency_titles,
            suggestions_left: std::cell::Cell::new(super::names::SUGGESTIONS),
        }
    }

    /// A ledger's buyer that is no agency's name, found by its title (ignoring case and
    /// spaces): one agency with the title is the buyer; several are `ambiguous-title`; none is
    /// `undefined-name`.
    fn buyer_by_title(&mut self, written: &Name) -> Option<usize> {
        let title = folded(&written.value);
        let found: Vec<&(String, usize, String, String)> = self
            .agency_titles
            .iter()
            .filter(|(folded, _, _, _)| *folded == title)
            .collect();
        match found.as_slice() {
            [(_, index, _, _)] => Some(*index),
            [] => {
                // A title misspelt is suggested as the title, which is what the row holds.
                let titles = self
                    .agency_titles
                    .iter()
                    .map(|(_, _, _, title)| title.as_str());
                match crate::check::suggest(&written.value, titles) {
                    Some(suggestion) => {
                        self.diagnostics.push(Diagnostic::of(
                            NameProblem::Undefined {
                                name: &written.value,
                                expected: Entity::Agency,
                                suggestion: Some(suggestion),
                            },
                            written.span,
                        ));
                        None
                    }
                    None => self.namespace.resolve(
                        &self.suggestions_left,
                        written,
                        Entity::Agency,
                        "`buyer`",
                        self.diagnostics,
                    ),
                }
            }
            several => {
                let candidates = several
                    .iter()
                    .map(|(_, _, name, _)| format!("`{name}`"))
                    .collect();
                self.diagnostics.push(Diagnostic::of(
                    NameProblem::AmbiguousTitle {
                        title: &written.value,
                        candidates,
                    },
                    written.span,
                ));
                None
            }
        }
    }

    /// Every test, with its references resolved; a test with an unresolved reference is left
    /// out after its problems are reported (and the model, having errors, is not returned).
    fn tests(
        &mut self,
        files: &[ast::File],
        solicitations: &[Option<Solicitation>],
        contracts: &[Option<Contract>],
        instruments: &[Option<AccessInstrument>],
    ) -> Vec<Test> {
        let mut tests: Vec<Test> = Vec::new();
        for test in files.iter().flat_map(|file| &file.tests) {
            if let Some(first) = tests
                .iter()
                .find(|earlier| earlier.name.value == test.name.value)
            {
                self.diagnostics.push(
                    Diagnostic::of(
                        DeclarationProblem::DuplicateTest {
                            test: &test.name.value,
                        },
                        test.name.span,
                    )
                    .with_related(first.name.span, "first named here"),
                );
                continue;
            }
            let expectations: Vec<Option<Spanned<Expectation>>> = test
                .expectations
                .iter()
                .map(|expectation| {
                    self.expectation(&expectation.value, solicitations, contracts, instruments)
                        .map(|value| Spanned::new(value, expectation.span))
                })
                .collect();
            if test.expectations.is_empty() {
                self.diagnostics.push(Diagnostic::of(
                    DeclarationProblem::TestWithoutExpectations {
                        test: &test.name.value,
                    },
                    test.name.span,
                ));
            }
            if expectations.iter().all(Option::is_some) {
                tests.push(Test {
                    name: test.name.clone(),
                    as_of: test.as_of.map(|date| date.value),
                    expectations: expectations.into_iter().flatten().collect(),
                });
            }
        }
        tests
    }

    /// Whether the rule a test names exists and can do what the test expects of it; if not,
    /// says which.
    fn rule_does(&mut self, rule: &Name, capacity: Capacity) -> bool {
        let Some(shape) = self.rule_ids.get(rule.value.as_str()) else {
            let ids: Vec<&str> = self.rule_ids.keys().map(String::as_str).collect();
            self.diagnostics.push(Diagnostic::of(
                DeclarationProblem::NoSuchRule {
                    rule: &rule.value,
                    capacity,
                    suggestion: super::suggest(&rule.value, ids),
                },
                rule.span,
            ));
            return false;
        };
        let problem = match capacity {
            Capacity::Permits if shape.permits => return true,
            Capacity::Permits => DeclarationProblem::NotABasis { rule: &rule.value },
            Capacity::Responsible(extent) if shape.extents.contains(&extent) => return true,
            Capacity::Responsible(extent) => DeclarationProblem::NotResponsible {
                rule: &rule.value,
                extent,
                stated: &shape.extents,
            },
        };
        self.diagnostics.push(Diagnostic::of(problem, rule.span));
        false
    }

    fn expectation(
        &mut self,
        expectation: &ast::Expectation,
        solicitations: &[Option<Solicitation>],
        contracts: &[Option<Contract>],
        instruments: &[Option<AccessInstrument>],
    ) -> Option<Expectation> {
        let agency = |checker: &mut Self, name: &Name| {
            checker
                .namespace
                .resolve(
                    &checker.suggestions_left,
                    name,
                    Entity::Agency,
                    "the expectation",
                    checker.diagnostics,
                )
                .map(AgencyId)
        };
        let contract = |checker: &mut Self, name: &Name| {
            checker
                .namespace
                .resolve(
                    &checker.suggestions_left,
                    name,
                    Entity::Contract,
                    "the expectation",
                    checker.diagnostics,
                )
                .map(ContractId)
        };
        Some(match expectation {
            ast::Expectation::OrderPermitted { order, under } => {
                self.namespace.resolve(
                    &self.suggestions_left,
                    order,
                    Entity::Order,
                    "the expectation",
                    self.diagnostics,
                )?;
                if let Some(basis) = under
                    && !self.rule_does(basis, Capacity::Permits)
                {
                    return None;
                }
                Expectation::OrderPermitted {
                    order: order.to_owned_string(),
                    under: under.as_ref().map(Spanned::to_owned_string),
                }
            }
            ast::Expectation::OrderDenied {
                order,
                codes,
                rules,
            } => {
                let resolved = self.namespace.resolve(
                    &self.suggestions_left,
                    order,
                    Entity::Order,
                    "the expectation",
                    self.diagnostics,
                );
                let mut known = Vec::new();
                // Only the codes that deny orders can be expected of a denied order.
                for code in codes {
                    match crate::codes::Code::from_name(&code.value)
                        .filter(|found| crate::codes::Code::ORDER_DENIALS.contains(found))
                    {
                        Some(found) => known.push(found),
                        None => self.diagnostics.push(Diagnostic::of(
                            DeclarationProblem::UnknownDenialCode { code: &code.value },
                            code.span,
                        )),
                    }
                }
                resolved?;
                if known.len() != codes.len() {
                    return None;
                }
                Expectation::OrderDenied {
                    order: order.to_owned_string(),
                    codes: known,
                    rules: rules.iter().map(Spanned::to_owned_string).collect(),
                }
            }
            ast::Expectation::Bound {
                agency: agency_name,
                contract: contract_name,
                basis,
            } => {
                let agency = agency(self, agency_name);
                let contract = contract(self, contract_name);
                let basis = basis.as_ref().map(|basis| match basis.value.as_str() {
                    "lead" => ExpectedBasis::Lead,
                    "joint_participant" => ExpectedBasis::JointParticipant,
                    _ => ExpectedBasis::Piggyback,
                });
                Expectation::Bound {
                    agency: agency?,
                    contract: contract?,
                    basis,
                }
            }
            ast::Expectation::NotBound {
                agency: agency_name,
                contract: contract_name,
            } => {
                let agency = agency(self, agency_name);
                let contract = contract(self, contract_name);
                Expectation::NotBound {
                    agency: agency?,
                    contract: contract?,
                }
            }
            ast::Expectation::Responsible {
                agency: agency_name,
                extent,
                contract: contract_name,
                under,
            } => {
                let agency = agency(self, agency_name);
                let contract = contract(self, contract_name);
                if let Some(rule) = under
                    && !self.rule_does(rule, Capacity::Responsible(extent.value))
                {
                    return None;
                }
                Expectation::Responsible {
                    agency: agency?,
                    contract: contract?,
                    extent: extent.value,
                    under: under.as_ref().map(Spanned::to_owned_string),
                }
            }
            ast::Expectation::BoundByClause {
                agency: agency_name,
                clause,
                source,
                contract: contract_name,
            } => {
                let agency = agency(self, agency_name);
                let contract = contract(self, contract_name);
                let source = match source {
                    Some(name) => Some(
                        self.namespace
                            .resolve(
                                &self.suggestions_left,
                                name,
                                Entity::Access,
                                "the expectation",
                                self.diagnostics,
                            )
                            .map(InstrumentId),
                    ),
                    None => None,
                };
                let source = match source {
                    Some(resolved) => Some(resolved?),
                    None => None,
                };
                let contract = contract?;
                // The clause must be one the source states.
                let (stated, owner_kind, owner): (Vec<&str>, Entity, &str) = match source {
                    None => (
                        contracts[contract.0]
                            .iter()
                            .flat_map(|declared| &declared.clauses)
                            .map(|stated| stated.name.value.as_str())
                            .collect(),
                        Entity::Contract,
                        &contract_name.value,
                    ),
                    Some(id) => (
                        instruments[id.0]
                            .iter()
                            .flat_map(|declared| &declared.clauses)
                            .map(|stated| stated.name.value.as_str())
                            .collect(),
                        Entity::Access,
                        instruments[id.0]
                            .as_ref()
                            .map_or("", |declared| declared.header.name.value.as_str()),
                    ),
                };
                if !stated.contains(&clause.value.as_str()) {
                    self.diagnostics.push(Diagnostic::of(
                        DeclarationProblem::UnknownClause {
                            clause: &clause.value,
                            owner_kind,
                            owner,
                            stated: &stated,
                        },
                        clause.span,
                    ));
                    return None;
                }
                Expectation::BoundByClause {
                    agency: agency?,
                    contract,
                    clause: clause.to_owned_string(),
                    source,
                }
            }
            ast::Expectation::Owes {
                agency: agency_name,
                duty,
                contract: contract_name,
            } => {
                let agency = agency(self, agency_name);
                let contract = contract(self, contract_name);
                if let Some(shape) = self.rule_ids.get(duty.value.as_str()) {
                    if !shape.obliges {
                        self.diagnostics.push(Diagnostic::of(
                            DeclarationProblem::ObligesNothing { rule: &duty.value },
                            duty.span,
                        ));
                    }
                    return Some(Expectation::OwesUnderRule {
                        agency: agency?,
                        rule: duty.to_owned_string(),
                        contract: contract?,
                    });
                }
                let kind = DutyKind::from_name(&duty.value);
                if kind.is_none() {
                    self.diagnostics.push(Diagnostic::of(
                        DeclarationProblem::UnknownDuty { duty: &duty.value },
                        duty.span,
                    ));
                }
                Expectation::Owes {
                    agency: agency?,
                    duty: kind?,
                    contract: contract?,
                }
            }
            ast::Expectation::Finding { rule, on, present } => {
                if self.namespace.lookup(&on.value).is_none() {
                    self.diagnostics.push(Diagnostic::of(
                        DeclarationProblem::NothingNamed {
                            name: &on.value,
                            suggestion: super::suggest(&on.value, self.namespace.all_names()),
                        },
                        on.span,
                    ));
                    return None;
                }
                Expectation::Finding {
                    rule: rule.to_owned_string(),
                    on: on.to_owned_string(),
                    present: *present,
                }
            }
            ast::Expectation::Ordered {
                contract: contract_name,
                amount,
            } => {
                let id = contract(self, contract_name)?;
                let built = contracts[id.0].as_ref()?;
                let solicitation = solicitations[built.solicitation.0].as_ref()?;
                let volume = self.volume(
                    amount,
                    &solicitation.items,
                    solicitation.header.name.as_str(),
                    "expected amount",
                )?;
                if let (Volume::Money(money), Some(currency)) = (&volume.value, &built.currency)
                    && money.currency != *currency
                {
                    let first_price = built
                        .prices
                        .first()
                        .map_or(built.header.name.span, |price| price.span);
                    self.diagnostics.push(
                        Diagnostic::of(
                            DeclarationProblem::ExpectedAmountCurrency {
                                found: &money.currency,
                                contract: &built.header.name.value,
                                expected: currency,
                            },
                            volume.span,
                        )
                        .with_related(first_price, format!("in {currency}")),
                    );
                    return None;
                }
                Expectation::Ordered {
                    contract: id,
                    amount: volume.value,
                }
            }
        })
    }

    fn agency(&mut self, block: &Block<ast::AgencyField>) -> Option<Agency> {
        let fields = Fields {
            block,
            keyword: "agency",
        };
        let mut kinds = None;
        let mut roles = None;
        let mut jurisdiction = None;
        let mut location = None;
        let mut memberships = Vec::new();
        for field in &block.fields {
            match &field.value {
                ast::AgencyField::Kind(names) => {
                    let value = self.open_values(names, Enumeration::AgencyKind);
                    fields.once(&mut kinds, value, field.span, "kind", self.diagnostics);
                }
                ast::AgencyField::Role(names) => {
                    let value = self.open_values(names, Enumeration::AgencyRole);
                    fields.once(&mut roles, value, field.span, "role", self.diagnostics);
                }
                ast::AgencyField::Jurisdiction(code) => fields.once(
                    &mut jurisdiction,
                    code.value.clone(),
                    field.span,
                    "jurisdiction",
                    self.diagnostics,
                ),
                ast::AgencyField::Location {
                    latitude,
                    longitude,
                } => {
                    self.coordinate(latitude, 90.0, "latitude");
                    self.coordinate(longitude, 180.0, "longitude");
                    let value = Location {
                        latitude: latitude.value,
                        longitude: longitude.value,
                    };
                    fields.once(
                        &mut location,
                        value,
                        field.span,
                        "location",
                        self.diagnostics,
                    );
                }
                ast::AgencyField::MemberOf(programs) => {
                    memberships.extend(programs.iter().map(|program| program.value.to_string()))
                }
            }
        }
        let kinds = fields.require(kinds, "kind", "kind county", self.diagnostics);
        let jurisdiction = fields.require(
            jurisdiction,
            "jurisdiction",
            "jurisdiction US-WA",
            self.diagnostics,
        );
        Some(Agency {
            header: header(block),
            kinds: kinds??,
            roles: roles.and_then(|(roles, _)| roles).unwrap_or_default(),
            jurisdiction: jurisdiction?.as_str().into(),
            location: location.map(|(location, _)| location),
            memberships,
        })
    }

    /// The values of an open set that a field names, each built in or declared; `None` once one
    /// that is neither is reported.
    fn open_values(&mut self, names: &[Name], set: Enumeration) -> Option<Vec<ustr::Ustr>> {
        let mut values = Vec::new();
        let mut known = true;
        for name in names {
            match self.vocabulary.value(set, &name.value) {
                Some(value) => {
                    let value = ustr::Ustr::from(value);
                    if !values.contains(&value) {
                        values.push(value);
                    }
                }
                None => {
                    let all = self.vocabulary.values(set);
                    self.diagnostics.push(unknown_value(name, set, &all));
                    known = false;
                }
            }
        }
        known.then_some(values)
    }

    /// A period (a contract's term, a blanket order's) must end on or after it starts; `problem`
    /// says which ends before.
    fn starts_before_end(
        &mut self,
        start: &Spanned<Date>,
        end: &Spanned<Date>,
        problem: DeclarationProblem<'_>,
    ) {
        if end.value < start.value {
            self.diagnostics
                .push(Diagnostic::of(problem, end.span).with_related(start.span, "starts here"));
        }
    }

    fn coordinate(&mut self, value: &Spanned<f64>, limit: f64, what: &str) {
        if value.value.is_nan() || value.value.abs() > limit {
            self.diagnostics.push(Diagnostic::of(
                DeclarationProblem::CoordinateOutOfRange {
                    what,
                    value: value.value,
                    limit,
                },
                value.span,
            ));
        }
    }

    fn solicitation(&mut self, block: &Block<ast::SolicitationField>) -> Option<Solicitation> {
        let fields = Fields {
            block,
            keyword: "solicitation",
        };
        let mut lead = None;
        let mut method = None;
        let mut category = None;
        let mut issued = None;
        let mut posted = None;
        let mut cooperative_use = None;
        let mut assignability = None;
        let mut estimate = None;
        let mut maximum = None;
        let mut items: Vec<Item> = Vec::new();
        // Each item's lot as written, resolved once every lot is known.
        let mut item_lots: Vec<Option<&Name>> = Vec::new();
        let mut written_lots: Vec<&ast::Lot> = Vec::new();
        let mut named_buyers: Vec<AgencyId> = Vec::new();
        let mut buyers_where = None;
        let mut joint: Option<(&Vec<ast::Participant>, Span)> = None;
        for field in &block.fields {
            let span = field.span;
            match &field.value {
                ast::SolicitationField::Lot(lot) => {
                    match written_lots
                        .iter()
                        .find(|earlier| earlier.name.value == lot.name.value)
                    {
                        Some(first) => self.diagnostics.push(
                            Diagnostic::of(
                                DeclarationProblem::DuplicateLot {
                                    lot: &lot.name.value,
                                    solicitation: &block.name.value,
                                },
                                lot.name.span,
                            )
                            .with_related(first.name.span, "first declared here"),
                        ),
                        None => written_lots.push(lot),
                    }
                }
                ast::SolicitationField::Buyers(ast::Buyers::Named(names)) => {
                    for name in names {
                        if let Some(index) = self.namespace.resolve(
                            &self.suggestions_left,
                            name,
                            Entity::Agency,
                            "`buyers`",
                            self.diagnostics,
                        ) && !named_buyers.contains(&AgencyId(index))
                        {
                            named_buyers.push(AgencyId(index));
                        }
                    }
                }
                ast::SolicitationField::Buyers(ast::Buyers::Where(condition)) => {
                    let value = super::rules::eligibility(
                        self.namespace,
                        self.vocabulary,
                        self.diagnostics,
                        condition,
                    );
                    fields.once(
                        &mut buyers_where,
                        value,
                        span,
                        "buyers where",
                        self.diagnostics,
                    );
                }
                ast::SolicitationField::Lead(name) => {
                    let agency = self.namespace.resolve(
                        &self.suggestions_left,
                        name,
                        Entity::Agency,
                        "`lead`",
                        self.diagnostics,
                    );
                    fields.once(
                        &mut lead,
                        agency.map(AgencyId),
                        span,
                        "lead",
                        self.diagnostics,
                    );
                }
                ast::SolicitationField::Method(name) => {
                    let value = Method::from_name(&name.value);
                    if value.is_none() {
                        self.diagnostics.push(unknown_value(
                            name,
                            Enumeration::Method,
                            &Enumeration::Method.values(),
                        ));
                    }
                    fields.once(&mut method, value, span, "method", self.diagnostics);
                }
                ast::SolicitationField::Category(name) => {
                    let value = Category::from_name(&name.value);
                    if value.is_none() {
                        self.diagnostics.push(unknown_value(
                            name,
                            Enumeration::Category,
                            &Enumeration::Category.values(),
                        ));
                    }
                    fields.once(&mut category, value, span, "category", self.diagnostics);
                }
                ast::SolicitationField::Issued(date) => {
                    fields.once(&mut issued, date.value, span, "issued", self.diagnostics)
                }
                ast::SolicitationField::Posted { date, online } => {
                    let posting = Posting {
                        date: date.value,
                        online: *online,
                    };
                    fields.once(&mut posted, posting, span, "posted", self.diagnostics)
                }
                ast::SolicitationField::CooperativeUse(stated) => fields.once(
                    &mut cooperative_use,
                    stated.value,
                    span,
                    "cooperative_use",
                    self.diagnostics,
                ),
                ast::SolicitationField::Assignability(stated) => fields.once(
                    &mut assignability,
                    stated.value,
                    span,
                    "assignability",
                    self.diagnostics,
                ),
                ast::SolicitationField::Item(item) => {
                    if let Some(first) = items
                        .iter()
                        .find(|existing| existing.name.value == item.name.value)
                    {
                        self.diagnostics.push(
                            Diagnostic::of(
                                DeclarationProblem::DuplicateItem {
                                    item: &item.name.value,
                                    solicitation: &block.name.value,
                                },
                                item.name.span,
                            )
                            .with_related(first.name.span, "first declared here"),
                        );
                    } else {
                        let category = item.category.as_ref().and_then(|name| {
                            let category = Category::from_name(&name.value);
                            if category.is_none() {
                                self.diagnostics.push(unknown_value(
                                    name,
                                    Enumeration::Category,
                                    &Enumeration::Category.values(),
                                ));
                            }
                            category
                        });
                        items.push(Item {
                            name: item.name.to_owned_string(),
                            title: item.title.as_ref().map(|title| title.value.clone()),
                            unit: item.unit.value.as_str().into(),
                            category,
                            lot: None,
                        });
                        item_lots.push(item.lot.as_ref());
                    }
                }
                ast::SolicitationField::Estimate(amount) => {
                    fields.once(&mut estimate, amount, span, "estimate", self.diagnostics)
                }
                ast::SolicitationField::Maximum(amount) => {
                    fields.once(&mut maximum, amount, span, "maximum", self.diagnostics)
                }
                ast::SolicitationField::Joint(participants) => {
                    fields.once(&mut joint, participants, span, "joint", self.diagnostics)
                }
            }
        }
        if items.is_empty() {
            self.diagnostics
                .push(fields.missing("item", "item dump_truck \"Class 8 dump truck\" per truck"));
        }
        if let (Some((issued, issued_span)), Some((posting, posted_span))) = (&issued, &posted)
            && posting.date < *issued
        {
            self.diagnostics.push(
                Diagnostic::of(
                    DeclarationProblem::PostedBeforeIssued {
                        solicitation: &block.name.value,
                        posted: posting.date,
                        issued: *issued,
                    },
                    *posted_span,
                )
                .with_related(*issued_span, "issued here"),
            );
        }
        let estimate = estimate
            .and_then(|(amount, _)| self.volume(amount, &items, block.name.as_str(), "estimate"));
        let maximum = maximum
            .and_then(|(amount, _)| self.volume(amount, &items, block.name.as_str(), "maximum"));
        if let (Some(estimate), Some(maximum)) = (&estimate, &maximum) {
            self.same_currency(estimate, maximum, "the estimate", "the maximum");
        }
        let lots = self.lots(
            &written_lots,
            &items,
            block.name.as_str(),
            [&maximum, &estimate],
        );
        for (item, written) in items.iter_mut().zip(item_lots) {
            let Some(written) = written else { continue };
            match lots.iter().position(|lot| lot.name.value == written.value) {
                Some(index) => item.lot = Some(LotId(index)),
                None => {
                    let names: Vec<&str> = lots.iter().map(|lot| lot.name.value.as_str()).collect();
                    self.diagnostics.push(Diagnostic::of(
                        DeclarationProblem::UnknownLot {
                            lot: &written.value,
                            solicitation: &block.name.value,
                            lots: &names,
                        },
                        written.span,
                    ));
                }
            }
        }
        let mut participants: Vec<Participant> = Vec::new();
        for participant in joint.map_or(&[][..], |(participants, _)| participants.as_slice()) {
            let agency = self.namespace.resolve(
                &self.suggestions_left,
                &participant.agency,
                Entity::Agency,
                "a joint participant",
                self.diagnostics,
            );
            let commitment = participant
                .commitment
                .as_ref()
                .and_then(|amount| self.volume(amount, &items, block.name.as_str(), "commitment"));
            if let Some(agency) = agency.map(AgencyId) {
                if let Some(first) = participants
                    .iter()
                    .find(|existing| existing.agency == agency)
                {
                    self.diagnostics.push(
                        Diagnostic::of(
                            DeclarationProblem::DuplicateParticipant {
                                agency: &participant.agency.value,
                                solicitation: &block.name.value,
                            },
                            participant.agency.span,
                        )
                        .with_related(first.span, "first listed here"),
                    );
                } else {
                    participants.push(Participant {
                        agency,
                        commitment,
                        span: participant.agency.span,
                    });
                }
            }
        }
        let lead = fields
            .require(lead, "lead", "lead snohomish_county", self.diagnostics)
            .flatten();
        let method = fields
            .require(method, "method", "method competitive_bid", self.diagnostics)
            .flatten();
        if items.is_empty() {
            return None;
        }
        // A solicitation whose lead, method or participants failed is still built, with stand-ins,
        // so that contracts awarding it are checked against its items; the failures were reported,
        // so a model holding a stand-in is never returned.
        Some(Solicitation {
            header: header(block),
            lead: lead.unwrap_or(UNRESOLVED_AGENCY),
            method: method.unwrap_or(Method::CompetitiveBid),
            category: category.and_then(|(category, _)| category),
            issued: issued.map(|(date, _)| date),
            posted: posted.map(|(posting, _)| posting),
            cooperative_use: stated(cooperative_use),
            assignability: stated(assignability),
            items,
            estimate,
            maximum,
            participants,
            lots,
            buyers: IdentifiedBuyers {
                agencies: named_buyers,
                condition: buyers_where.and_then(|(condition, _)| condition),
            },
            contracts: Vec::new(),
        })
    }

    /// A solicitation's lots, each estimate and maximum counted like the solicitation's own
    /// (its maximum's measure, else its estimate's, else the first lot's), so that the
    /// solicitation's use and each lot's add up in one measure.
    fn lots(
        &mut self,
        written: &[&ast::Lot],
        items: &[Item],
        solicitation: Spanned<&str>,
        own: [&Option<Spanned<Volume>>; 2],
    ) -> Vec<Lot> {
        let mut lots = Vec::new();
        let mut measure: Option<Spanned<Volume>> = own.into_iter().flatten().next().cloned();
        for lot in written {
            let fields = Fields {
                block: &Block::<()> {
                    name: lot.name.clone(),
                    title: None,
                    fields: Vec::new(),
                    facts: Vec::new(),
                    span: lot.name.span,
                },
                keyword: "lot",
            };
            let mut estimate = None;
            let mut maximum = None;
            for field in &lot.fields {
                let (slot, amount, what) = match &field.value {
                    ast::LotField::Estimate(amount) => (&mut estimate, amount, "estimate"),
                    ast::LotField::Maximum(amount) => (&mut maximum, amount, "maximum"),
                };
                let volume = self.volume(amount, items, solicitation, what);
                if let Some(volume) = &volume {
                    match &measure {
                        Some(first) => self.same_measure(
                            first,
                            volume,
                            items,
                            "this lot's amount",
                            "the solicitation's use",
                        ),
                        None => measure = Some(volume.clone()),
                    }
                }
                fields.once(slot, volume, field.span, what, self.diagnostics);
            }
            lots.push(Lot {
                name: lot.name.to_owned_string(),
                title: lot.title.as_ref().map(|title| title.value.clone()),
                estimate: estimate.and_then(|(volume, _)| volume),
                maximum: maximum.and_then(|(volume, _)| volume),
            });
        }
        lots
    }

    /// A part (`what`, a lot's amount) must count what the whole it adds to (`whole`) counts.
    fn same_measure(
        &mut self,
        first: &Spanned<Volume>,
        other: &Spanned<Volume>,
        items: &[Item],
        what: &str,
        whole: &str,
    ) {
        let describe = |volume: &Volume| match volume {
            Volume::Money(money) => format!("money in {}", money.currency),
            Volume::Quantity {
                measure: Measure::Item(item),
                ..
            } => format!("`{}`", items[item.0].name.value),
            Volume::Quantity {
                measure: Measure::Unit(unit),
                ..
            } => format!("`{unit}`"),
        };
        let (expected, found) = (describe(&first.value), describe(&other.value));
        if expected != found {
            let money = matches!(
                (&first.value, &other.value),
                (Volume::Money(_), Volume::Money(_))
            );
            self.diagnostics.push(
                Diagnostic::of(
                    DeclarationProblem::LotMeasure {
                        what,
                        whole,
                        found: &found,
                        expected: &expected,
                        money,
                    },
                    other.span,
                )
                .with_related(first.span, format!("counted in {expected}")),
            );
        }
    }

    /// Resolves an amount's measure against a solicitation's items: an item's name, or the unit
    /// some item is sold in.
    fn volume(
        &mut self,
        amount: &ast::Amount,
        items: &[Item],
        solicitation: Spanned<&str>,
        what: &str,
    ) -> Option<Spanned<Volume>> {
        match amount {
            ast::Amount::Money(money) => {
                self.known_currency(money);
                self.amount_not_negative(money.value.amount, money.span, what);
                Some(Spanned::new(Volume::Money(money.value), money.span))
            }
            ast::Amount::Quantity(quantity) => {
                self.amount_not_negative(quantity.count.value, quantity.count.span, what);
                let measure = self.measure(&quantity.measure, items, solicitation)?;
                Some(Spanned::new(
                    Volume::Quantity {
                        count: quantity.count.value,
                        measure,
                    },
                    quantity.span,
                ))
            }
        }
    }

    fn measure(
        &mut self,
        name: &Name,
        items: &[Item],
        solicitation: Spanned<&str>,
    ) -> Option<Measure> {
        if let Some(index) = items.iter().position(|item| item.name.value == name.value) {
            return Some(Measure::Item(ItemId(index)));
        }
        if items.iter().any(|item| *item.unit == *name.value) {
            return Some(Measure::Unit(name.value.as_str().into()));
        }
        let mut candidates: Vec<&str> = items.iter().map(|item| item.name.value.as_str()).collect();
        candidates.extend(items.iter().map(|item| item.unit.as_str()));
        candidates.sort_unstable();
        candidates.dedup();
        self.diagnostics.push(
            Diagnostic::of(
                DeclarationProblem::UnknownMeasure {
                    measure: &name.value,
                    solicitation: solicitation.value,
                    candidates: &candidates,
                },
                name.span,
            )
            .with_related(
                solicitation.span,
                "the solicitation whose items this must count",
            ),
        );
        None
    }

    /// Money must be in a currency of ISO 4217, so that `USD` is never mistyped as `UDS`.
    fn known_currency(&mut self, money: &Spanned<Money>) {
        let code = &money.value.currency;
        if self.currencies.contains(code) {
            return;
        }
        if iso_currency::Currency::from_code(code).is_some() {
            self.currencies.push(*code);
            return;
        }
        let codes: Vec<&str> = iso_currency::Currency::iter()
            .map(|currency| currency.code())
            .collect();
        let start = money.span.start as usize;
        self.diagnostics.push(Diagnostic::of(
            DeclarationProblem::UnknownCurrency {
                code,
                suggestion: super::suggest(code, codes.iter().copied()),
            },
            Span::new(money.span.file, start, start + code.len()),
        ));
    }

    /// A zero unit price is a warning: almost always a price not yet filled in.
    fn price_not_zero(&mut self, price: &Spanned<Money>, item: &str, on_line: bool) {
        if price.value.amount.is_zero() {
            self.diagnostics.push(Diagnostic::of(
                DeclarationProblem::ZeroPrice { item, on_line },
                price.span,
            ));
        }
    }

    fn amount_not_negative(&mut self, amount: Decimal, span: Span, what: &str) {
        if amount.is_sign_negative() && !amount.is_zero() {
            self.diagnostics
                .push(Diagnostic::of(DeclarationProblem::Negative { what }, span));
        }
    }

    fn same_currency(
        &mut self,
        first: &Spanned<Volume>,
        second: &Spanned<Volume>,
        first_name: &str,
        second_name: &str,
    ) {
        if let (Volume::Money(left), Volume::Money(right)) = (&first.value, &second.value)
            && left.currency != right.currency
        {
            self.diagnostics.push(
                Diagnostic::of(
                    DeclarationProblem::AmountsCurrencies {
                        first: first_name,
                        first_currency: &left.currency,
                        second: second_name,
                        second_currency: &right.currency,
                    },
                    second.span,
                )
                .with_related(first.span, format!("in {}", left.currency)),
            );
        }
    }

    fn contract(
        &mut self,
        block: &Block<ast::ContractField>,
        solicitations: &[Option<Solicitation>],
    ) -> Option<Contract> {
        let fields = Fields {
            block,
            keyword: "contract",
        };
        let mut awards = None;
        let mut awarded = None;
        let mut term = None;
        let mut suppliers = Vec::new();
        let mut options = Vec::new();
        let mut prices = Vec::new();
        let mut clauses: Vec<Clause> = Vec::new();
        let mut piggyback = None;
        let mut usage_reports = Vec::new();
        let mut base_quantity = None;
        let mut quantity_options = Vec::new();
        let mut discounts: Vec<Discount> = Vec::new();
        for field in &block.fields {
            let span = field.span;
            match &field.value {
                ast::ContractField::Awards { solicitation, lot } => {
                    let index = self.namespace.resolve(
                        &self.suggestions_left,
                        solicitation,
                        Entity::Solicitation,
                        "`awards`",
                        self.diagnostics,
                    );
                    fields.once(
                        &mut awards,
                        index.map(|index| (index, lot.as_ref())),
                        span,
                        "awards",
                        self.diagnostics,
                    );
                }
                ast::ContractField::Supplier(name) => suppliers.push(name.value.clone()),
                ast::ContractField::Awarded(date) => {
                    fields.once(&mut awarded, *date, span, "awarded", self.diagnostics)
                }
                ast::ContractField::Term { start, end } => {
                    self.starts_before_end(
                        start,
                        end,
                        DeclarationProblem::TermEndsBeforeStart {
                            contract: &block.name.value,
                            start: start.value,
                            end: end.value,
                        },
                    );
                    let value = Term {
                        start: start.value,
                        end: end.value,
                        span,
                    };
                    fields.once(&mut term, value, span, "term", self.diagnostics);
                }
                ast::ContractField::Option { length, exercised } => options.push(RenewalOption {
                    length: length.value,
                    exercised: *exercised,
                    span,
                }),
                ast::ContractField::Price(price) => prices.push((price, span)),
                ast::ContractField::Clause(clause) => {
                    if let Some(first) = clauses
                        .iter()
                        .find(|existing| existing.name.value == clause.name.value)
                    {
                        self.diagnostics
                            .push(duplicate_clause(&clause.name, first.name.span));
                    } else {
                        clauses.push(Clause {
                            name: clause.name.to_owned_string(),
                            text: clause.text.as_ref().map(|text| text.value.clone()),
                        });
                    }
                }
                ast::ContractField::Piggyback(clause) => {
                    fields.once(&mut piggyback, clause, span, "piggyback", self.diagnostics)
                }
                ast::ContractField::UsageReport { period_end, filed } => {
                    usage_reports.push(UsageReport {
                        period_end: period_end.value,
                        filed: filed.value,
                        span,
                    })
                }
                ast::ContractField::BaseQuantity(quantity) => fields.once(
                    &mut base_quantity,
                    quantity,
                    span,
                    "base_quantity",
                    self.diagnostics,
                ),
                ast::ContractField::QuantityOption {
                    quantity,
                    exercised,
                    assignee,
                } => {
                    // `None` once the agency named is reported as undeclared.
                    let assignee = match assignee {
                        Some(name) => self
                            .namespace
                            .resolve(
                                &self.suggestions_left,
                                name,
                                Entity::Agency,
                                "`assigned_to`",
                                self.diagnostics,
                            )
                            .map(|index| Some(AgencyId(index))),
                        None => Some(None),
                    };
                    quantity_options.push((quantity, *exercised, assignee, span));
                }
                ast::ContractField::Discount { rate, list, name } => {
                    self.percentage(rate, "discount");
                    if let Some(first) = discounts
                        .iter()
                        .find(|earlier: &&Discount| earlier.list == list.value)
                    {
                        self.diagnostics.push(
                            Diagnostic::of(
                                DeclarationProblem::DuplicateField {
                                    field: &format!("discount off list {}", list.value),
                                    keyword: "contract",
                                    declaration: &block.name.value,
                                },
                                span,
                            )
                            .with_related(first.span, "first given here"),
                        );
                    } else {
                        discounts.push(Discount {
                            rate: rate.value,
                            list: list.value,
                            name: name.as_ref().map(|name| name.value.clone()),
                            span,
                        });
                    }
                }
            }
        }
        discounts.sort_by_key(|discount| discount.list);
        if suppliers.is_empty() {
            self.diagnostics
                .push(fields.missing("supplier", "supplier \"Northwest Truck Co.\""));
        }
        let awarded_lot = fields
            .require(awards, "awards", "awards itb_24_07", self.diagnostics)
            .flatten();
        let solicitation_index = awarded_lot.map(|(index, _)| index);
        let lot_name = awarded_lot.and_then(|(_, lot)| lot);
        let term = fields.require(
            term,
            "term",
            "term 2024-04-01 to 2027-03-31",
            self.diagnostics,
        );
        if let Some(term) = &term {
            self.options_within_term(term, &options);
            if let Some((awarded, _)) = &awarded
                && awarded.value > term.end
            {
                self.diagnostics.push(
                    Diagnostic::of(
                        DeclarationProblem::AwardedAfterTerm {
                            contract: &block.name.value,
                            awarded: awarded.value,
                            end: term.end,
                        },
                        awarded.span,
                    )
                    .with_related(term.span, "the term"),
                );
            }
        }
        // Prices, fees and ceilings need the solicitation's items; without it they cannot be checked.
        let solicitation = solicitation_index.and_then(|index| solicitations[index].as_ref());
        let mut checked_prices = Vec::new();
        let mut currency: Option<(crate::values::Currency, Span)> = None;
        let mut piggyback_clause = None;
        let lot = solicitation
            .and_then(|solicitation| self.awarded_lot(solicitation, lot_name, &block.name));
        if let Some(solicitation) = solicitation {
            for (price, span) in prices {
                if let Some(entry) = self.price(
                    price,
                    span,
                    solicitation,
                    lot,
                    &mut currency,
                    &checked_prices,
                ) {
                    checked_prices.push(entry);
                }
            }
            // Under catalogue pricing, an item without a price of its own is priced off the list.
            for (index, item) in solicitation.items.iter().enumerate() {
                if solicitation.in_scope(ItemId(index), lot)
                    && discounts.is_empty()
                    && !checked_prices
                        .iter()
                        .any(|price: &PriceEntry| price.item == ItemId(index))
                {
                    self.diagnostics.push(
                        Diagnostic::of(
                            DeclarationProblem::ItemWithoutPrice {
                                contract: &block.name.value,
                                item: &item.name.value,
                                unit: &item.unit,
                            },
                            block.name.span,
                        )
                        .with_related(item.name.span, "the item, in scope of the solicitation"),
                    );
                }
            }
            for (volume, what) in [
                (&solicitation.estimate, "the solicitation's estimate"),
                (&solicitation.maximum, "the solicitation's maximum"),
            ] {
                if let (Some(volume), Some(currency)) = (volume, &currency) {
                    self.volume_in_currency(volume, currency, what);
                }
            }
            for participant in &solicitation.participants {
                if let (Some(commitment), Some(currency)) = (&participant.commitment, &currency) {
                    self.volume_in_currency(commitment, currency, "the commitment");
                }
            }
        }
        if let Some((clause, span)) = piggyback {
            piggyback_clause = self.piggyback(clause, span, &block.name, solicitation, &currency);
        }
        let (base_quantity, quantity_options) = self.quantities(
            base_quantity.map(|(quantity, _)| quantity),
            quantity_options,
            solicitation,
            &block.name,
        );
        let awarded_date = match (&awarded, &term) {
            (Some((date, _)), _) => date.value,
            (None, Some(term)) => term.start,
            (None, None) => Date::MIN,
        };
        if let Some(solicitation) = solicitation {
            let stated = awarded.as_ref().map(|(date, _)| date.span);
            let place = stated.or(term.as_ref().map(|term| term.span));
            let events = [
                ("issued", solicitation.issued),
                ("posted", solicitation.posted.map(|posting| posting.date)),
            ];
            if let Some(place) = place
                && let Some((event, date)) = events.into_iter().find_map(|(event, date)| {
                    date.filter(|date| awarded_date < *date)
                        .map(|date| (event, date))
                })
            {
                self.diagnostics.push(
                    Diagnostic::of(
                        DeclarationProblem::AwardedBeforeSolicitation {
                            contract: &block.name.value,
                            awarded: awarded_date,
                            award_date_stated: stated.is_some(),
                            solicitation: &solicitation.header.name.value,
                            event,
                            date,
                        },
                        place,
                    )
                    .with_related(solicitation.header.name.span, "the solicitation"),
                );
            }
        }
        let solicitation_index = solicitation_index?;
        let solicitation = solicitation?;
        Some(Contract {
            header: header(block),
            solicitation: SolicitationId(solicitation_index),
            lot,
            suppliers,
            awarded: awarded_date,
            award_date_stated: awarded.is_some(),
            term: term?,
            options,
            // A contract that prices nothing still has the currency its solicitation counts in.
            currency: currency.map(|(currency, _)| currency).or_else(|| {
                [&solicitation.estimate, &solicitation.maximum]
                    .into_iter()
                    .flatten()
                    .chain(
                        solicitation
                            .participants
                            .iter()
                            .filter_map(|participant| participant.commitment.as_ref()),
                    )
                    .find_map(|volume| match &volume.value {
                        Volume::Money(money) => Some(money.currency),
                        Volume::Quantity { .. } => None,
                    })
            }),
            prices: checked_prices,
            clauses,
            piggyback: piggyback_clause,
            usage_reports,
            base_quantity,
            quantity_options: quantity_options?,
            discounts,
        })
    }

    /// A contract's base quantity and its quantity options, each counted in the base quantity's
    /// measure; `None` for the options once one of them names an agency that is not declared.
    #[allow(clippy::type_complexity)]
    fn quantities(
        &mut self,
        base: Option<&ast::Quantity>,
        options: Vec<(
            &ast::Quantity,
            Option<Spanned<Date>>,
            Option<Option<AgencyId>>,
            Span,
        )>,
        solicitation: Option<&Solicitation>,
        contract: &Name,
    ) -> (Option<Spanned<Volume>>, Option<Vec<QuantityOption>>) {
        if base.is_none() && !options.is_empty() {
            self.diagnostics.push(Diagnostic::of(
                DeclarationProblem::OptionsWithoutBase {
                    contract: &contract.value,
                },
                contract.span,
            ));
        }
        // Without the awarded solicitation, the quantities' measures cannot be checked.
        let Some(solicitation) = solicitation else {
            return (None, Some(Vec::new()));
        };
        let items = &solicitation.items;
        let name = solicitation.header.name.as_str();
        let base = base.and_then(|quantity| {
            self.volume(
                &ast::Amount::Quantity(quantity.clone()),
                items,
                name,
                "base quantity",
            )
        });
        let mut checked = Vec::new();
        let mut complete = true;
        for (quantity, exercised, assignee, span) in options {
            let volume = self.volume(
                &ast::Amount::Quantity(quantity.clone()),
                items,
                name,
                "quantity option",
            );
            if let (Some(base), Some(volume)) = (&base, &volume) {
                self.same_measure(
                    base,
                    volume,
                    items,
                    "this option's quantity",
                    "the base quantity",
                );
            }
            match (volume, assignee) {
                (Some(volume), Some(assignee)) => checked.push(QuantityOption {
                    volume,
                    exercised,
                    assignee,
                    span,
                }),
                _ => complete = false,
            }
        }
        (base, complete.then_some(checked))
    }

    /// Each option must be exercised before the term, as extended by the options before it, ends.
    /// Options extend the term one after another: each must have a length, be exercised on or
    /// before the end of the term as extended so far, follow exercised options only, and end on
    /// the calendar.
    fn options_within_term(&mut self, term: &Term, options: &[RenewalOption]) {
        let mut end = term.end;
        let mut not_exercised: Option<Span> = None;
        for option in options {
            if option.length.count == 0 {
                self.diagnostics.push(Diagnostic::of(
                    DeclarationProblem::OptionWithoutLength,
                    option.span,
                ));
                continue;
            }
            let extended = option
                .length
                .after(end)
                .filter(|date| *date <= last_calendar_day());
            let Some(extended) = extended else {
                self.diagnostics.push(Diagnostic::of(
                    DeclarationProblem::OptionPastCalendar { from: end },
                    option.span,
                ));
                return;
            };
            let Some(exercised) = option.exercised else {
                not_exercised.get_or_insert(option.span);
                continue;
            };
            if let Some(earlier) = not_exercised {
                self.diagnostics.push(
                    Diagnostic::of(DeclarationProblem::OptionOutOfOrder, exercised.span)
                        .with_related(earlier, "not exercised"),
                );
                return;
            }
            if exercised.value > end {
                self.diagnostics.push(
                    Diagnostic::of(
                        DeclarationProblem::OptionAfterTerm {
                            exercised: exercised.value,
                            end,
                        },
                        exercised.span,
                    )
                    .with_related(term.span, "the term"),
                );
                return;
            }
            end = extended;
        }
    }

    /// The lot a contract awards: one of its solicitation's, named when the solicitation has
    /// lots (a contract awards one lot; a supplier of two has two contracts).
    fn awarded_lot(
        &mut self,
        solicitation: &Solicitation,
        written: Option<&Name>,
        contract: &Name,
    ) -> Option<LotId> {
        let names: Vec<&str> = solicitation
            .lots
            .iter()
            .map(|lot| lot.name.value.as_str())
            .collect();
        match written {
            None if solicitation.lots.is_empty() => None,
            None => {
                self.diagnostics.push(Diagnostic::of(
                    DeclarationProblem::LotNotAwarded {
                        contract: &contract.value,
                        solicitation: &solicitation.header.name.value,
                        lots: &names,
                    },
                    contract.span,
                ));
                None
            }
            Some(written) => {
                let found = names.iter().position(|name| *name == written.value);
                if found.is_none() {
                    self.diagnostics.push(Diagnostic::of(
                        DeclarationProblem::UnknownLot {
                            lot: &written.value,
                            solicitation: &solicitation.header.name.value,
                            lots: &names,
                        },
                        written.span,
                    ));
                }
                found.map(LotId)
            }
        }
    }

    fn price(
        &mut self,
        price: &ast::Price,
        span: Span,
        solicitation: &Solicitation,
        lot: Option<LotId>,
        currency: &mut Option<(crate::values::Currency, Span)>,
        earlier: &[PriceEntry],
    ) -> Option<PriceEntry> {
        let item = self.item_of(&price.item, solicitation)?;
        if let Some(lot) = lot
            && !solicitation.in_scope(item, Some(lot))
        {
            self.diagnostics.push(Diagnostic::of(
                DeclarationProblem::ItemOfAnotherLot {
                    item: &price.item.value,
                    lot: &solicitation.lot(lot).name.value,
                },
                price.item.span,
            ));
            return None;
        }
        let unit = &solicitation.item(item).unit;
        if price.unit.value != *unit {
            self.diagnostics.push(unit_mismatch(
                &price.unit,
                unit,
                &solicitation.item(item).name,
            ));
        }
        let from = match &price.from {
            Some(quantity) => {
                let measure_ok = quantity.measure.value == *unit
                    || quantity.measure.value == solicitation.item(item).name.value;
                if !measure_ok {
                    self.diagnostics.push(unit_mismatch(
                        &quantity.measure,
                        unit,
                        &solicitation.item(item).name,
                    ));
                }
                quantity.count.value
            }
            None => Decimal::ZERO,
        };
        self.known_currency(&price.unit_price);
        self.amount_not_negative(
            price.unit_price.value.amount,
            price.unit_price.span,
            "price",
        );
        self.price_not_zero(&price.unit_price, &price.item.value, false);
        match currency {
            Some((expected, first)) if *expected != price.unit_price.value.currency => {
                self.diagnostics.push(
                    Diagnostic::of(
                        DeclarationProblem::PriceCurrency {
                            found: &price.unit_price.value.currency,
                            expected,
                        },
                        price.unit_price.span,
                    )
                    .with_related(*first, format!("in {expected}")),
                );
            }
            Some(_) => {}
            None => *currency = Some((price.unit_price.value.currency, price.unit_price.span)),
        }
        if let Some(first) = earlier
            .iter()
            .find(|entry| entry.item == item && entry.from == from)
        {
            self.diagnostics.push(
                Diagnostic::of(
                    DeclarationProblem::DuplicatePrice {
                        item: &price.item.value,
                        from,
                    },
                    span,
                )
                .with_related(first.span, "first set here"),
            );
            return None;
        }
        Some(PriceEntry {
            item,
            from,
            unit_price: price.unit_price.value,
            span,
        })
    }

    fn item_of(&mut self, name: &Name, solicitation: &Solicitation) -> Option<ItemId> {
        if let Some(index) = solicitation
            .items
            .iter()
            .position(|item| item.name.value == name.value)
        {
            return Some(ItemId(index));
        }
        let names: Vec<&str> = solicitation
            .items
            .iter()
            .map(|item| item.name.value.as_str())
            .collect();
        self.diagnostics.push(
            Diagnostic::of(
                DeclarationProblem::UnknownItem {
                    item: &name.value,
                    solicitation: &solicitation.header.name.value,
                    items: &names,
                },
                name.span,
            )
            .with_related(
                solicitation.header.name.span,
                "the solicitation's items are declared here",
            ),
        );
        None
    }

    fn volume_in_currency(
        &mut self,
        volume: &Spanned<Volume>,
        currency: &(crate::values::Currency, Span),
        what: &str,
    ) {
        if let Volume::Money(money) = &volume.value
            && money.currency != currency.0
        {
            self.diagnostics.push(
                Diagnostic::of(
                    DeclarationProblem::VolumeCurrency {
                        what,
                        found: &money.currency,
                        expected: &currency.0,
                    },
                    volume.span,
                )
                .with_related(currency.1, format!("in {}", currency.0)),
            );
        }
    }

    fn piggyback(
        &mut self,
        clause: &ast::Piggyback,
        span: Span,
        contract: &Name,
        solicitation: Option<&Solicitation>,
        currency: &Option<(crate::values::Currency, Span)>,
    ) -> Option<PiggybackClause> {
        let terms = match clause {
            ast::Piggyback::Closed => return None,
            ast::Piggyback::Open(terms) => terms,
        };
        let fields = Fields {
            block: &Block::<()> {
                name: contract.clone(),
                title: None,
                fields: Vec::new(),
                facts: Vec::new(),
                span,
            },
            keyword: "the piggyback clause of",
        };
        let mut eligibility = None;
        let mut required = None;
        let mut admin_fee = None;
        let mut ceiling = None;
        for term in terms {
            match &term.value {
                ast::PiggybackTerm::OpenTo(condition) => {
                    let value = super::rules::eligibility(
                        self.namespace,
                        self.vocabulary,
                        self.diagnostics,
                        condition,
                    );
                    fields.once(
                        &mut eligibility,
                        value,
                        term.span,
                        "open_to",
                        self.diagnostics,
                    );
                }
                ast::PiggybackTerm::Requires(name) => {
                    let kind = self
                        .instrument_kind(name)
                        .map(|kind| Spanned::new(kind, name.span));
                    fields.once(&mut required, kind, term.span, "requires", self.diagnostics);
                }
                ast::PiggybackTerm::AdminFee(rate) => {
                    self.percentage(rate, "fee");
                    fields.once(
                        &mut admin_fee,
                        rate.value,
                        term.span,
                        "admin_fee",
                        self.diagnostics,
                    );
                }
                ast::PiggybackTerm::Ceiling(amount) => {
                    // Without the awarded solicitation, a ceiling's unit cannot be checked.
                    let Some(solicitation) = solicitation else {
                        continue;
                    };
                    let volume = self.volume(
                        amount,
                        &solicitation.items,
                        solicitation.header.name.as_str(),
                        "ceiling",
                    );
                    if let (Some(volume), Some(currency)) = (&volume, currency) {
                        self.volume_in_currency(volume, currency, "the ceiling");
                    }
                    fields.once(&mut ceiling, volume, term.span, "ceiling", self.diagnostics);
                }
            }
        }
        Some(PiggybackClause {
            eligibility: eligibility.and_then(|(value, _)| value),
            required_instrument: required.and_then(|(value, _)| value),
            admin_fee: admin_fee.map(|(rate, _)| rate),
            ceiling: ceiling.and_then(|(value, _)| value),
            span,
        })
    }

    fn percentage(&mut self, rate: &Spanned<Decimal>, what: &str) {
        if rate.value < Decimal::ZERO || rate.value > Decimal::ONE_HUNDRED {
            self.diagnostics.push(Diagnostic::of(
                DeclarationProblem::FeeOutOfRange { what },
                rate.span,
            ));
        }
    }

    fn instrument_kind(&mut self, name: &Name) -> Option<InstrumentKind> {
        let kind = InstrumentKind::from_name(&name.value);
        if kind.is_none() {
            self.diagnostics.push(unknown_value(
                name,
                Enumeration::InstrumentKind,
                &Enumeration::InstrumentKind.values(),
            ));
        }
        kind
    }

    fn access(&mut self, block: &Block<ast::AccessField>) -> Option<AccessInstrument> {
        let fields = Fields {
            block,
            keyword: "access",
        };
        let mut kind = None;
        let mut agency = None;
        let mut eligibility = None;
        let mut counterparty = None;
        let mut under = None;
        let mut cap = None;
        let mut covers = Vec::new();
        let mut covers_complete = true;
        let mut signed = None;
        let mut posted = None;
        let mut approved = None;
        let mut effective = None;
        let mut expires = None;
        let mut fees = Vec::new();
        let mut fees_complete = true;
        let mut clauses: Vec<Clause> = Vec::new();
        for field in &block.fields {
            let span = field.span;
            match &field.value {
                ast::AccessField::Kind(name) => {
                    let value = self.instrument_kind(name);
                    fields.once(&mut kind, value, span, "kind", self.diagnostics);
                }
                ast::AccessField::Agency(name) => {
                    let value = self.namespace.resolve(
                        &self.suggestions_left,
                        name,
                        Entity::Agency,
                        "`agency`",
                        self.diagnostics,
                    );
                    fields.once(
                        &mut agency,
                        value.map(AgencyId),
                        span,
                        "agency",
                        self.diagnostics,
                    );
                }
                ast::AccessField::With(ast::Counterparty::Named(name)) => {
                    let value = self.namespace.resolve(
                        &self.suggestions_left,
                        name,
                        Entity::Agency,
                        "`with`",
                        self.diagnostics,
                    );
                    fields.once(
                        &mut counterparty,
                        value.map(|index| Counterparty::Agency(AgencyId(index))),
                        span,
                        "with",
                        self.diagnostics,
                    );
                }
                ast::AccessField::With(ast::Counterparty::Supplier(supplier)) => fields.once(
                    &mut counterparty,
                    Some(Counterparty::Supplier(supplier.value.clone())),
                    span,
                    "with",
                    self.diagnostics,
                ),
                ast::AccessField::OpenTo(condition) => {
                    let value = super::rules::eligibility(
                        self.namespace,
                        self.vocabulary,
                        self.diagnostics,
                        condition,
                    );
                    fields.once(&mut eligibility, value, span, "open_to", self.diagnostics);
                }
                ast::AccessField::Under(name) => {
                    let value = self.namespace.resolve(
                        &self.suggestions_left,
                        name,
                        Entity::Access,
                        "`under`",
                        self.diagnostics,
                    );
                    fields.once(
                        &mut under,
                        value.map(InstrumentId),
                        span,
                        "under",
                        self.diagnostics,
                    );
                }
                ast::AccessField::Cap {
                    amount,
                    per_buyer,
                    every,
                } => {
                    self.known_currency(amount);
                    self.amount_not_negative(amount.value.amount, amount.span, "cap");
                    let value = Cap {
                        amount: amount.value,
                        per_buyer: *per_buyer,
                        every: every.map(|every| every.value),
                    };
                    fields.once(&mut cap, value, span, "cap", self.diagnostics);
                }
                ast::AccessField::Covers(names) => {
                    for name in names {
                        match self.namespace.resolve(
                            &self.suggestions_left,
                            name,
                            Entity::Contract,
                            "`covers`",
                            self.diagnostics,
                        ) {
                            Some(index) => covers.push(ContractId(index)),
                            None => covers_complete = false,
                        }
                    }
                }
                ast::AccessField::Signed(date) => {
                    fields.once(&mut signed, *date, span, "signed", self.diagnostics)
                }
                ast::AccessField::Posted(date) => {
                    fields.once(&mut posted, *date, span, "posted", self.diagnostics)
                }
                ast::AccessField::Approved(date) => {
                    fields.once(&mut approved, *date, span, "approved", self.diagnostics)
                }
                ast::AccessField::Effective(date) => {
                    fields.once(&mut effective, *date, span, "effective", self.diagnostics)
                }
                ast::AccessField::Expires(date) => {
                    fields.once(&mut expires, *date, span, "expires", self.diagnostics)
                }
                ast::AccessField::Fee { rate, payee } => {
                    self.percentage(rate, "fee");
                    let payee = match payee {
                        Some(name) => match self.namespace.resolve(
                            &self.suggestions_left,
                            name,
                            Entity::Agency,
                            "a fee's payee",
                            self.diagnostics,
                        ) {
                            Some(index) => Some(AgencyId(index)),
                            None => {
                                fees_complete = false;
                                None
                            }
                        },
                        None => None,
                    };
                    fees.push(Fee {
                        rate: rate.value,
                        payee,
                    });
                }
                ast::AccessField::Clause(clause) => {
                    if let Some(first) = clauses
                        .iter()
                        .find(|existing| existing.name.value == clause.name.value)
                    {
                        self.diagnostics
                            .push(duplicate_clause(&clause.name, first.name.span));
                    } else {
                        clauses.push(Clause {
                            name: clause.name.to_owned_string(),
                            text: clause.text.as_ref().map(|text| text.value.clone()),
                        });
                    }
                }
            }
        }
        if let (Some((expires, _)), Some((signed, _))) = (&expires, &signed)
            && expires.value < signed.value
        {
            self.diagnostics.push(
                Diagnostic::of(
                    DeclarationProblem::ExpiresBeforeSigned {
                        instrument: &block.name.value,
                        expires: expires.value,
                        signed: signed.value,
                    },
                    expires.span,
                )
                .with_related(signed.span, "signed here"),
            );
        }
        let kind = fields.require(kind, "kind", "kind interlocal_agreement", self.diagnostics);
        // It admits an agency by name, those a condition admits, or both; one of them at least.
        if agency.is_none() && eligibility.is_none() {
            self.diagnostics.push(fields.missing(
                "agency",
                "agency everett` or `open_to jurisdiction in [US-WA]",
            ));
        }
        let agency = match agency {
            Some((Some(agency), _)) => Some(agency),
            Some((None, _)) => return None,
            None => None,
        };
        let eligibility = match eligibility {
            Some((Some(condition), _)) => Some(condition),
            Some((None, _)) => return None,
            None => None,
        };
        let under = match under {
            Some((Some(under), _)) => Some(under),
            Some((None, _)) => return None,
            None => None,
        };
        let counterparty = fields.require(
            counterparty,
            "with",
            "with snohomish_county",
            self.diagnostics,
        );
        if !covers_complete || !fees_complete {
            return None;
        }
        if agency.is_none() && eligibility.is_none() {
            return None;
        }
        Some(AccessInstrument {
            header: header(block),
            kind: kind??,
            agency,
            eligibility,
            counterparty: counterparty??,
            under,
            cap: cap.map(|(cap, _)| cap),
            covers,
            signed: signed.map(|(date, _)| date),
            posted: posted.map(|(date, _)| date),
            approved: approved.map(|(date, _)| date),
            effective: effective.map(|(date, _)| date),
            expires: expires.map(|(date, _)| date),
            fees,
            clauses,
        })
    }

    fn order(
        &mut self,
        block: &Block<ast::OrderField>,
        solicitations: &[Option<Solicitation>],
        contracts: &[Option<Contract>],
        instruments: &[Option<AccessInstrument>],
        from_ledger: bool,
    ) -> Option<Order> {
        let fields = Fields {
            block,
            keyword: "order",
        };
        let mut buyer = None;
        let mut contract = None;
        let mut date = None;
        let mut via = None;
        let mut lines = Vec::new();
        let mut requests = Vec::new();
        let mut call_off = None;
        let mut value = None;
        let mut period = None;
        for field in &block.fields {
            let span = field.span;
            match &field.value {
                ast::OrderField::Buyer(name) => {
                    let value = if from_ledger && self.namespace.lookup(&name.value).is_none() {
                        self.buyer_by_title(name)
                    } else {
                        self.namespace.resolve(
                            &self.suggestions_left,
                            name,
                            Entity::Agency,
                            "`buyer`",
                            self.diagnostics,
                        )
                    };
                    fields.once(
                        &mut buyer,
                        value.map(|index| Spanned::new(AgencyId(index), name.span)),
                        span,
                        "buyer",
                        self.diagnostics,
                    );
                }
                ast::OrderField::Contract(name) => {
                    let value = self.namespace.resolve(
                        &self.suggestions_left,
                        name,
                        Entity::Contract,
                        "`contract`",
                        self.diagnostics,
                    );
                    fields.once(
                        &mut contract,
                        value.map(|index| Spanned::new(ContractId(index), name.span)),
                        span,
                        "contract",
                        self.diagnostics,
                    );
                }
                ast::OrderField::Date(value) => {
                    fields.once(&mut date, *value, span, "date", self.diagnostics)
                }
                ast::OrderField::Via(names) => {
                    let mut named = Vec::with_capacity(names.len());
                    let mut resolved = true;
                    for name in names {
                        match self.namespace.resolve(
                            &self.suggestions_left,
                            name,
                            Entity::Access,
                            "`via`",
                            self.diagnostics,
                        ) {
                            Some(index) => {
                                if !named
                                    .iter()
                                    .any(|known: &Spanned<InstrumentId>| known.value.0 == index)
                                {
                                    named.push(Spanned::new(InstrumentId(index), name.span));
                                }
                            }
                            None => resolved = false,
                        }
                    }
                    fields.once(
                        &mut via,
                        resolved.then_some(named),
                        span,
                        "via",
                        self.diagnostics,
                    );
                }
                ast::OrderField::Line(line) => lines.push((line, span)),
                ast::OrderField::Requests(names) => {
                    requests.extend(names.iter().map(Spanned::to_owned_string))
                }
                ast::OrderField::CallOff(written) => {
                    fields.once(&mut call_off, written, span, "call_off", self.diagnostics)
                }
                ast::OrderField::Value(money) => {
                    self.known_currency(money);
                    self.amount_not_negative(money.value.amount, money.span, "value");
                    fields.once(&mut value, *money, span, "value", self.diagnostics)
                }
                ast::OrderField::Period { start, end } => {
                    self.starts_before_end(
                        start,
                        end,
                        DeclarationProblem::PeriodEndsBeforeStart {
                            order: &block.name.value,
                            start: start.value,
                            end: end.value,
                        },
                    );
                    let written = OrderPeriod {
                        start: start.value,
                        end: end.value,
                        span,
                    };
                    fields.once(&mut period, written, span, "period", self.diagnostics)
                }
            }
        }
        match (&value, lines.first()) {
            (None, None) => self.diagnostics.push(fields.missing(
                "line",
                "line dump_truck 3 truck at USD 198,500.00` (or, for a call-off that states only its amount, `value USD 198,500.00",
            )),
            (Some((_, value_span)), Some(_)) => self.diagnostics.push(Diagnostic::of(
                DeclarationProblem::ValueAndLines {
                    order: &block.name.value,
                },
                *value_span,
            )),
            _ => {}
        }
        let buyer = fields
            .require(buyer, "buyer", "buyer everett", self.diagnostics)
            .flatten();
        let contract_reference = fields
            .require(contract, "contract", "contract sc_24_07", self.diagnostics)
            .flatten();
        let date = fields.require(date, "date", "date 2025-06-15", self.diagnostics);
        let via = match via {
            Some((Some(via), _)) => via,
            Some((None, _)) => return None,
            None => Vec::new(),
        };
        let instruments = used_instruments(&via, instruments);
        let checked_contract =
            contract_reference.and_then(|reference| contracts[reference.value.0].as_ref());
        let solicitation =
            checked_contract.and_then(|contract| solicitations[contract.solicitation.0].as_ref());
        // Sized exactly, as are the lists below: a list grown by `push` holds room for four
        // lines (480 bytes) where one is written, and a million orders are kept for the run.
        let mut checked_lines = Vec::with_capacity(lines.len());
        if let (Some(contract), Some(solicitation)) = (checked_contract, solicitation) {
            for (line, span) in &lines {
                checked_lines.push(self.line(line, *span, contract, solicitation, solicitations));
            }
        }
        let call_off = match call_off {
            Some((written, span)) => {
                Some(self.call_off(written, span, checked_contract, contracts)?)
            }
            None => None,
        };
        if let (Some((value, _)), Some(contract)) = (&value, checked_contract)
            && let Some(currency) = &contract.currency
            && value.value.currency != *currency
        {
            self.diagnostics.push(Diagnostic::of(
                DeclarationProblem::LineCurrency {
                    what: "the order's value is",
                    found: &value.value.currency,
                    contract: &contract.header.name.value,
                    expected: currency,
                },
                value.span,
            ));
        }
        if checked_lines.len() != lines.len() || (lines.is_empty() && value.is_none()) {
            return None;
        }
        Some(Order {
            header: header(block),
            buyer: buyer?,
            contract: contract_reference?,
            date: date?,
            via: via.into(),
            instruments: instruments.into(),
            lines: checked_lines.into(),
            details: OrderDetails::of(
                requests,
                call_off,
                value.map(|(value, _)| value),
                period.map(|(period, _)| period),
            ),
        })
    }

    /// How a call-off chose its contract; for a mini-competition, the contracts it invited must
    /// be of the same framework (and lot) as the contract ordered under.
    fn call_off(
        &mut self,
        written: &ast::CallOff,
        span: Span,
        contract: Option<&Contract>,
        contracts: &[Option<Contract>],
    ) -> Option<CallOff> {
        let Some(kind) = CallOffKind::from_name(&written.kind.value) else {
            self.diagnostics.push(unknown_value(
                &written.kind,
                Enumeration::CallOff,
                &Enumeration::CallOff.values(),
            ));
            return None;
        };
        let competition = match &written.competition {
            None => None,
            Some(fields) => {
                let mut competition = Competition::default();
                let mut complete = true;
                let mut issued_at = None;
                let mut awarded_at = None;
                for field in fields {
                    match &field.value {
                        ast::CompetitionField::Invited(names) => {
                            let invited = competition.invited.get_or_insert_with(Vec::new);
                            for name in names {
                                let Some(index) = self.namespace.resolve(
                                    &self.suggestions_left,
                                    name,
                                    Entity::Contract,
                                    "`invited`",
                                    self.diagnostics,
                                ) else {
                                    complete = false;
                                    continue;
                                };
                                let same_framework = match (contract, &contracts[index]) {
                                    (Some(ordered), Some(other)) => {
                                        other.solicitation == ordered.solicitation
                                            && other.lot == ordered.lot
                                    }
                                    _ => true,
                                };
                                if !same_framework {
                                    self.diagnostics.push(Diagnostic::of(
                                        DeclarationProblem::InvitedOutsideFramework {
                                            contract: &name.value,
                                        },
                                        name.span,
                                    ));
                                    complete = false;
                                } else if !invited.contains(&ContractId(index)) {
                                    invited.push(ContractId(index));
                                }
                            }
                        }
                        ast::CompetitionField::Issued(date) => {
                            competition.issued = Some(date.value);
                            issued_at = Some(date.span);
                        }
                        ast::CompetitionField::Awarded(date) => {
                            competition.awarded = Some(date.value);
                            awarded_at = Some(date.span);
                        }
                    }
                }
                if let (Some(issued), Some(issued_at), Some(awarded), Some(awarded_at)) = (
                    competition.issued,
                    issued_at,
                    competition.awarded,
                    awarded_at,
                ) && awarded < issued
                {
                    self.diagnostics.push(
                        Diagnostic::of(
                            DeclarationProblem::CompetitionAwardedBeforeIssued { awarded, issued },
                            awarded_at,
                        )
                        .with_related(issued_at, "issued here"),
                    );
                }
                if !complete {
                    return None;
                }
                Some(competition)
            }
        };
        // `call_off mini_competition` without its facts is a mini-competition all the same.
        let competition = match (kind, competition) {
            (CallOffKind::MiniCompetition, competition) => Some(competition.unwrap_or_default()),
            (CallOffKind::Direct, _) => None,
        };
        Some(CallOff {
            kind,
            competition,
            span,
        })
    }

    fn line(
        &mut self,
        line: &ast::Line,
        span: Span,
        contract: &Contract,
        solicitation: &Solicitation,
        solicitations: &[Option<Solicitation>],
    ) -> OrderLine {
        let item = match solicitation
            .items
            .iter()
            .position(|item| item.name.value == line.item.value)
            .filter(|index| solicitation.in_scope(ItemId(*index), contract.lot))
        {
            Some(index) => LineItem::InScope(ItemId(index)),
            None => {
                let declared_elsewhere = solicitations
                    .iter()
                    .flatten()
                    .flat_map(|other| other.items.iter())
                    .find(|item| item.name.value == line.item.value);
                match declared_elsewhere {
                    Some(other) => {
                        if let Some(unit) = &line.unit
                            && unit.value != other.unit
                            && unit.value != other.name.value
                        {
                            self.diagnostics
                                .push(unit_mismatch(unit, &other.unit, &other.name));
                        }
                        LineItem::OutOfScope(Box::new(line.item.to_owned_string()))
                    }
                    // An item no solicitation names is a fact about the order, which the
                    // rules judge (`item-out-of-scope`), not a reason to refuse the model.
                    None => LineItem::OutOfScope(Box::new(line.item.to_owned_string())),
                }
            }
        };
        if let LineItem::InScope(item) = item {
            let declared = solicitation.item(item);
            if let Some(unit) = &line.unit
                && unit.value != declared.unit
                && unit.value != declared.name.value
            {
                self.diagnostics
                    .push(unit_mismatch(unit, &declared.unit, &declared.name));
            }
        }
        if line.quantity.value <= Decimal::ZERO {
            self.diagnostics.push(Diagnostic::of(
                DeclarationProblem::QuantityNotPositive,
                line.quantity.span,
            ));
        }
        self.known_currency(&line.unit_price);
        self.amount_not_negative(line.unit_price.value.amount, line.unit_price.span, "price");
        self.price_not_zero(&line.unit_price, &line.item.value, true);
        let value = line
            .quantity
            .value
            .checked_mul(line.unit_price.value.amount);
        if value.is_none_or(|value| value.abs() > Decimal::from(LARGEST_AMOUNT)) {
            self.diagnostics
                .push(Diagnostic::of(DeclarationProblem::LineTooLarge, span));
        }
        if let Some(currency) = &contract.currency
            && line.unit_price.value.currency != *currency
        {
            let first_price = contract
                .prices
                .first()
                .map_or(contract.header.name.span, |price| price.span);
            self.diagnostics.push(
                Diagnostic::of(
                    DeclarationProblem::LineCurrency {
                        what: "this line is priced",
                        found: &line.unit_price.value.currency,
                        contract: &contract.header.name.value,
                        expected: currency,
                    },
                    line.unit_price.span,
                )
                .with_related(first_price, format!("in {currency}")),
            );
        }
        if let Some(list) = &line.list_price {
            self.known_currency(list);
            self.amount_not_negative(list.value.amount, list.span, "list price");
            if list.value.currency != line.unit_price.value.currency {
                self.diagnostics.push(Diagnostic::of(
                    DeclarationProblem::LineCurrency {
                        what: "the list price is",
                        found: &list.value.currency,
                        contract: &contract.header.name.value,
                        expected: &line.unit_price.value.currency,
                    },
                    list.span,
                ));
            }
        }
        OrderLine {
            item,
            quantity: line.quantity.value,
            unit_price: line.unit_price.value,
            list_price: line.list_price.as_ref().map(|list| Box::new(list.value)),
            span,
        }
    }
}

/// Every instrument an order uses: those it names, then, for each, those it is under, each once.
/// A chain that runs into a cycle stops there (the cycle is reported by `chains_end`).
fn used_instruments(
    named: &[Spanned<InstrumentId>],
    instruments: &[Option<AccessInstrument>],
) -> Vec<InstrumentId> {
    let mut used: Vec<InstrumentId> = named.iter().map(|via| via.value).collect();
    for via in named {
        let mut link = instruments[via.value.0]
            .as_ref()
            .and_then(|instrument| instrument.under);
        while let Some(id) = link {
            if used.contains(&id) {
                break;
            }
            used.push(id);
            link = instruments[id.0]
                .as_ref()
                .and_then(|instrument| instrument.under);
        }
    }
    used.shrink_to_fit();
    used
}

/// Every chain of instruments (each `under` another) ends: an instrument under itself, through
/// others, is a `reference-cycle`, reported once per cycle, at its first instrument by name.
fn chains_end(instruments: &[Option<AccessInstrument>], diagnostics: &mut Diagnostics) {
    // 0: not yet seen; 1: on the chain being followed; 2: known to end.
    let mut state = vec![0u8; instruments.len()];
    for start in 0..instruments.len() {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(index) = at {
            match state[index] {
                2 => break,
                1 => {
                    let cycle = &path[path.iter().position(|seen| *seen == index).unwrap_or(0)..];
                    let first = cycle
                        .iter()
                        .filter_map(|index: &usize| instruments[*index].as_ref())
                        .min_by(|left, right| left.header.name.value.cmp(&right.header.name.value));
                    if let Some(first) = first {
                        diagnostics.push(Diagnostic::of(
                            DeclarationProblem::InstrumentUnderItself {
                                instrument: &first.header.name.value,
                            },
                            first.header.name.span,
                        ));
                    }
                    break;
                }
                _ => {
                    state[index] = 1;
                    path.push(index);
                    at = instruments[index]
                        .as_ref()
                        .and_then(|instrument| instrument.under)
                        .map(|under| under.0);
                }
            }
        }
        for index in path {
            state[index] = 2;
        }
    }
}

/// The last date reports can write as YYYY-MM-DD.
fn last_calendar_day() -> Date {
    Date::from_ymd_opt(9999, 12, 31).unwrap_or(Date::MAX)
}

fn stated(slot: Option<(bool, Span)>) -> Stated {
    match slot {
        Some((stated, span)) => Stated {
            stated,
            span: Some(span),
        },
        None => Stated {
            stated: false,
            span: None,
        },
    }
}

/// A value outside one of the closed sets.
fn unknown_value(name: &Name, set: Enumeration, values: &[&str]) -> Diagnostic {
    Diagnostic::of(
        DeclarationProblem::UnknownValue {
            value: &name.value,
            set,
            values,
        },
        name.span,
    )
}

fn unit_mismatch(found: &Name, unit: &str, item: &Spanned<String>) -> Diagnostic {
    Diagnostic::of(
        DeclarationProblem::UnitMismatch {
            item: &item.value,
            unit,
            found: &found.value,
        },
        found.span,
    )
    .with_related(item.span, format!("`{}` is sold per {unit}", item.value))
}

fn duplicate_clause(name: &Name, first: Span) -> Diagnostic {
    Diagnostic::of(
        DeclarationProblem::DuplicateClause {
            clause: &name.value,
        },
        name.span,
    )
    .with_related(first, "first given here")
}

/// A title as a ledger's buyer is matched with it: lower case, spaces made single.
fn folded(title: &str) -> String {
    title
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}
