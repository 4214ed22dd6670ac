//! The model's one namespace: every declaration by name, duplicates, and resolving a reference
//! to a declaration of the expected kind with "did you mean".

use std::cell::OnceCell;

use ahash::AHashMap;

use super::problems::NameProblem;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Order;
use crate::schema::Entity;
use crate::source::Span;
use crate::syntax::ast::Name;

/// Where a name is declared: its kind, its index among declarations of that kind (sorted by
/// name), and its span. An order's place is not kept here but found by its span
/// ([`OrderPlaces`]).
#[derive(Clone, Copy, Debug)]
pub struct Declared {
    pub kind: Entity,
    pub index: usize,
    pub span: Span,
}

/// Every declared name; the first declaration of a name wins, later ones are reported.
///
/// Hashed, not ordered: a model of a million orders looks names up millions of times, and only
/// suggestions, which sort their candidates, need an order.
///
/// The names' text is copied once into one string, so that the namespace outlives the syntax
/// trees: each order's tree is freed as soon as the order is checked, while tests, rules and
/// waivers still name orders after.
#[derive(Debug, Default)]
pub struct Namespace {
    /// Every declared name's text, one after another.
    text: String,
    names: hashbrown::HashTable<Entry>,
    /// aHash: a fast hash, still keyed at random, so that no file can pick names that collide
    /// and slow a check down.
    hasher: ahash::RandomState,
}

/// A declared name: where its text is in [`Namespace::text`], and its declaration. Kept small
/// (32 bytes, not 40): the table of a million orders' names has two million places.
#[derive(Debug)]
struct Entry {
    start: usize,
    /// A name is part of one file, and a file's offsets are `u32`s.
    length: u32,
    kind: Entity,
    /// Its index among the declarations of its kind (far fewer than `u32::MAX`), or
    /// [`NOT_PLACED`] until it is set, and for orders always.
    index: u32,
    span: Span,
}

/// The index of a declaration not given one (yet): no declaration's, so that it is never taken
/// for the first's.
const NOT_PLACED: u32 = u32::MAX;

impl Entry {
    fn declared(&self) -> Declared {
        Declared {
            kind: self.kind,
            index: self.index as usize,
            span: self.span,
        }
    }
}

/// Where each checked order is judged, found by the span of its name. Only a rule naming an
/// order asks, and few do: the places are found the first time one is asked for, not set in
/// the namespace for every order (ten million of those, each a miss in a table of 640 MB, were
/// over a second on one core). The table made then holds 16 bytes for each order, a span and
/// a place kept as a `u32` as the namespace keeps its indices (285 MB at ten million orders).
pub struct OrderPlaces<'o> {
    orders: &'o [Order],
    by_name: OnceCell<AHashMap<Span, u32>>,
}

impl<'o> OrderPlaces<'o> {
    /// The places of `orders`, in the order they are judged.
    pub fn new(orders: &'o [Order]) -> OrderPlaces<'o> {
        OrderPlaces {
            orders,
            by_name: OnceCell::new(),
        }
    }

    /// The place of the order whose name is written at `name`; `None` for an order left out of
    /// the model for its errors (a ledger's rows, or an order in a `.coop` file, which stops the
    /// model).
    pub fn of(&self, name: Span) -> Option<usize> {
        let by_name = self.by_name.get_or_init(|| {
            // Four billion orders are beyond any model read; past them, an order is taken as
            // left out, never given another's place.
            self.orders
                .iter()
                .zip(0..u32::MAX)
                .map(|(order, place)| (order.header.name.span, place))
                .collect()
        });
        by_name.get(&name).map(|place| *place as usize)
    }
}

/// The "did you mean" searches one checker makes (each order checker, for its share of the
/// orders); after them, unknown names get the plain help. Each compares the name with every
/// declaration of its kind, so a ledger whose every buyer is misspelt would otherwise take time
/// in the product of its rows and the program's agencies.
pub const SUGGESTIONS: usize = 200;

impl Namespace {
    pub fn with_capacity(names: usize) -> Namespace {
        Namespace {
            text: String::new(),
            names: hashbrown::HashTable::with_capacity(names),
            hasher: ahash::RandomState::new(),
        }
    }

    /// Reserves a name for a declaration, or reports it as a duplicate and returns `false`.
    /// Names are reserved in source order; indices are set once each kind is sorted (but for
    /// orders: see [`OrderPlaces`]).
    pub fn reserve(&mut self, name: &Name, kind: Entity, diagnostics: &mut Diagnostics) -> bool {
        let hash = hash(&self.hasher, &name.value);
        let (text, hasher) = (&self.text, &self.hasher);
        // One search finds the first declaration or the place for this one: a million orders'
        // names are reserved one after another, on one core.
        let place = self.names.entry(
            hash,
            |entry| text_of(text, entry) == name.value,
            |entry| self::hash(hasher, text_of(text, entry)),
        );
        let vacant = match place {
            hashbrown::hash_table::Entry::Vacant(vacant) => vacant,
            hashbrown::hash_table::Entry::Occupied(first) => {
                let first = first.get().declared();
                diagnostics.push(
                    Diagnostic::of(NameProblem::Duplicate { name: &name.value }, name.span)
                        .with_related(
                            first.span,
                            format!("first declared here, as {}", first.kind.article()),
                        ),
                );
                return false;
            }
        };
        let start = self.text.len();
        self.text.push_str(&name.value);
        vacant.insert(Entry {
            start,
            length: u32::try_from(name.value.len()).unwrap_or(u32::MAX),
            kind,
            index: NOT_PLACED,
            span: name.span,
        });
        true
    }

    /// Records where a reserved name's declaration sits among the sorted declarations of its kind.
    /// The entry is the one reserved at the name's very place: found without comparing its text.
    pub fn set_index(&mut self, name: &Name, kind: Entity, index: usize) {
        let hash = hash(&self.hasher, &name.value);
        if let Some(entry) = self
            .names
            .find_mut(hash, |entry| entry.span == name.span && entry.kind == kind)
        {
            // Four billion agencies, solicitations, contracts or instruments are far beyond any
            // model read (files are limited in size).
            entry.index = u32::try_from(index).unwrap_or(NOT_PLACED);
        }
    }

    /// Resolves a reference that must name a declaration of `expected` kind; `role` is the field
    /// that holds it (e.g. "`buyer`"), for messages. An unknown name gets a suggestion while
    /// `suggestions_left` lasts. For an order it says only that the order is declared: the index
    /// returned is no order's, whose place [`OrderPlaces`] finds.
    pub fn resolve(
        &self,
        suggestions_left: &std::cell::Cell<usize>,
        name: &Name,
        expected: Entity,
        role: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<usize> {
        match self.lookup(&name.value) {
            Some(declared) if declared.kind == expected => Some(declared.index),
            Some(declared) => {
                diagnostics.push(
                    Diagnostic::of(
                        NameProblem::WrongKind {
                            role,
                            name: &name.value,
                            expected,
                            found: declared.kind,
                            candidates: self.names_of(expected),
                        },
                        name.span,
                    )
                    .with_related(
                        declared.span,
                        format!(
                            "`{}` is declared here as {}",
                            name.value,
                            declared.kind.article()
                        ),
                    ),
                );
                None
            }
            None => {
                let suggestion = match suggestions_left.get() {
                    0 => None,
                    left => {
                        suggestions_left.set(left - 1);
                        super::suggest(&name.value, self.names_of(expected))
                    }
                };
                diagnostics.push(Diagnostic::of(
                    NameProblem::Undefined {
                        name: &name.value,
                        expected,
                        suggestion,
                    },
                    name.span,
                ));
                None
            }
        }
    }

    /// The declaration a name refers to, of whatever kind.
    pub fn lookup(&self, name: &str) -> Option<Declared> {
        self.find(hash(&self.hasher, name), name)
    }

    /// Every declared name, in no particular order.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|entry| self.text_of(entry))
    }

    /// The names of one kind, sorted, so that suggestions and lists do not depend on hashing.
    fn names_of(&self, kind: Entity) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .names
            .iter()
            .filter(|entry| entry.kind == kind)
            .map(|entry| self.text_of(entry))
            .collect();
        names.sort_unstable();
        names
    }

    fn find(&self, hash: u64, name: &str) -> Option<Declared> {
        self.names
            .find(hash, |entry| self.text_of(entry) == name)
            .map(Entry::declared)
    }

    fn text_of(&self, entry: &Entry) -> &str {
        text_of(&self.text, entry)
    }
}

/// An entry's name, in the namespace's `text`.
fn text_of<'t>(text: &'t str, entry: &Entry) -> &'t str {
    let end = entry.start + entry.length as usize;
    text.get(entry.start..end).unwrap_or_default()
}

/// A name's hash, the one way every entry is hashed: always of the text as `str`, which the
/// hasher would not hash alike under another type.
fn hash(hasher: &ahash::RandomState, name: &str) -> u64 {
    hasher.hash_one(name)
}
