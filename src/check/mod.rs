//! Checking: the syntax trees of a model's files to a [`Model`], reporting every problem found
//! (never only the first): names, kinds of reference, fields, units, currencies and dates.

mod declarations;
mod names;
mod problems;
mod rules;
mod vocabulary;
mod waivers;

pub use rules::PackUse;

use crate::diagnostic::Diagnostics;
use crate::model::Model;
use crate::observe::{Count, Observer, Phase};
use crate::source::SourceMap;
use crate::syntax::ast;

/// The syntax trees a check reads: lent, when the caller keeps them (the language server
/// indexes and re-parses from them), or given, so that each order's tree is freed as soon as the
/// order is checked (a million orders' trees take more memory than the model they become).
pub enum Trees<'t> {
    Lent(&'t [ast::File]),
    Given(Vec<ast::File>),
}

/// Checks a whole model. Returns the model when no error was found outside ledgers (an order
/// from a ledger row in error is left out of it); every finding, errors and warnings alike, is
/// added to `diagnostics`.
pub fn check(
    sources: &SourceMap,
    files: &[ast::File],
    packs: &[PackUse],
    diagnostics: &mut Diagnostics,
) -> Option<Model> {
    check_observed(
        sources,
        Trees::Lent(files),
        packs,
        diagnostics,
        &crate::observe::Unobserved,
    )
}

/// Checks a whole model as [`check`] does, telling `observer` how many orders are checked.
pub fn check_observed(
    sources: &SourceMap,
    trees: Trees<'_>,
    packs: &[PackUse],
    diagnostics: &mut Diagnostics,
    observer: &dyn Observer,
) -> Option<Model> {
    let mut found = Diagnostics::new();
    let model = match trees {
        Trees::Lent(files) => {
            rules::check_as_written(files, packs, &mut found);
            let trees_in: Vec<usize> = files.iter().map(|file| orders_of(file).count()).collect();
            let trees = files.iter().flat_map(orders_of).collect();
            let unread_in = files
                .iter()
                .map(|file| file.unread_orders.iter().collect())
                .collect();
            let orders = declarations::Orders::of(trees, &trees_in, unread_in);
            build_observed(sources, files, orders, packs, &mut found, observer)
        }
        Trees::Given(mut files) => {
            rules::check_as_written(&files, packs, &mut found);
            // A million orders' entries are some 110 MB in either list, so the two are never
            // whole at once: the first file of nothing but orders (a ledger) gives its list,
            // turned into the orders' in place; the orders of every other file are moved into
            // it, each file's list shrunk as its orders leave.
            let mut trees: Vec<ast::Block<ast::OrderField>> = Vec::new();
            let mut trees_in = Vec::with_capacity(files.len());
            for file in &mut files {
                let before = trees.len();
                let only_orders = file
                    .declarations
                    .iter()
                    .all(|declaration| declaration.as_order().is_some());
                if only_orders && trees.is_empty() {
                    let declarations = std::mem::take(&mut file.declarations);
                    trees = declarations
                        .into_iter()
                        .filter_map(ast::Declaration::into_order)
                        .collect();
                } else {
                    let taken = file
                        .declarations
                        .extract_if(.., |declaration| declaration.as_order().is_some())
                        .filter_map(ast::Declaration::into_order);
                    trees.extend(taken);
                    file.declarations.shrink_to_fit();
                }
                trees_in.push(trees.len() - before);
            }
            // Given too, so that they are freed once their orders are checked.
            let unread_in = files
                .iter_mut()
                .map(|file| std::mem::take(&mut file.unread_orders))
                .collect();
            let orders = declarations::Orders::of(trees, &trees_in, unread_in);
            build_observed(sources, &files, orders, packs, &mut found, observer)
        }
    };
    let has_errors = found.has_errors_outside_ledgers(sources);
    diagnostics.extend(found.into_sorted());
    if has_errors { None } else { model }
}

/// The orders a file declares, as written.
fn orders_of(file: &ast::File) -> impl Iterator<Item = &ast::Block<ast::OrderField>> {
    file.declarations
        .iter()
        .filter_map(ast::Declaration::as_order)
}

/// Builds the model from the syntax trees, the orders' trees given apart, telling `observer` how
/// many orders are checked.
fn build_observed(
    sources: &SourceMap,
    files: &[ast::File],
    orders: declarations::Orders<
        impl declarations::OrderTree,
        impl std::borrow::Borrow<ast::UnreadOrder>,
    >,
    packs: &[PackUse],
    diagnostics: &mut Diagnostics,
    observer: &dyn Observer,
) -> Option<Model> {
    let count = Count {
        orders: orders.len(),
        ..Count::default()
    };
    observer.advanced(Phase::Checking, Count::default(), count);
    let model = declarations::build(sources, files, orders, packs, diagnostics, observer);
    observer.finished(Phase::Checking, count);
    model
}

/// The candidate closest to `word`, if one is close enough to be a likely misspelling.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.is_empty() {
        return None;
    }
    let length = word.chars().count();
    let limit = (length / 3).max(1);
    candidates
        .into_iter()
        // An edit distance is at least the difference in length: words too long or too short
        // are passed over without the quadratic comparison.
        .filter(|candidate| {
            candidate.len().abs_diff(word.len()) <= limit * 4
                && candidate.chars().count().abs_diff(length) <= limit
        })
        .map(|candidate| {
            let distance = if candidate.eq_ignore_ascii_case(word) {
                0
            } else {
                strsim::damerau_levenshtein(word, candidate)
            };
            (distance, candidate)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::suggest;

    #[test]
    fn suggests_close_names_only() {
        let names = ["everett", "mukilteo", "snohomish_county"];
        assert_eq!(suggest("everet", names), Some("everett"));
        assert_eq!(suggest("Everett", names), Some("everett"));
        assert_eq!(suggest("seattle", names), None);
    }
}
