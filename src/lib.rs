//! Coop: a declarative rules language for cooperative public procurement.
//!
//! The public API follows the pipeline: [`load`] files, [`syntax::parse`] them, [`check::check`]
//! them into a [`model::Model`], [`eval::evaluate`] it as of a date, and render the [`report`].

pub mod check;
pub mod codes;
pub mod diagnostic;
pub mod eval;
pub mod findings;
pub mod generate;
pub mod load;
pub mod model;
pub mod output;
pub mod report;
pub mod source;
pub mod syntax;
pub mod values;

use diagnostic::{Diagnostic, Diagnostics};
use model::Model;
use source::SourceMap;

/// Parses and checks every file of a model, following `use`s to the files they name (loading
/// each file once). Every file is parsed even when one has a syntax error; checking needs all of
/// them, so it runs only when all parsed, and only when every literal could be read (an
/// impossible date would otherwise set off false findings).
pub fn check_sources(sources: &mut SourceMap) -> (Option<Model>, Vec<Diagnostic>) {
    let mut diagnostics = Diagnostics::new();
    let mut files = Vec::with_capacity(sources.len());
    let mut uses = Vec::new();
    let mut all_parsed = true;
    let mut next = 0;
    while next < sources.len() {
        let id = source::FileId(next as u32);
        next += 1;
        let (file, found) = syntax::parse(sources, id);
        diagnostics.extend(found);
        let Some(file) = file else {
            all_parsed = false;
            continue;
        };
        for used in &file.uses {
            match load::resolve_use(sources, id, used) {
                Ok(target) => uses.push((id, target, used.path.span)),
                Err(diagnostic) => diagnostics.push(diagnostic),
            }
        }
        files.push(file);
    }
    diagnostics.extend(load::use_cycles(&uses, sources));
    if !all_parsed || diagnostics.has_errors() {
        return (None, diagnostics.into_sorted());
    }
    let model = check::check(sources, &files, &mut diagnostics);
    (model, diagnostics.into_sorted())
}

/// The findings of an evaluation as diagnostics: every reason an order is denied, and the
/// findings about contracts, in a stable order.
pub fn evaluation_diagnostics(evaluation: &eval::Evaluation) -> Vec<Diagnostic> {
    let mut diagnostics = Diagnostics::new();
    for judgment in &evaluation.judgments {
        diagnostics.extend(judgment.reasons.iter().cloned());
    }
    diagnostics.extend(evaluation.findings.iter().cloned());
    diagnostics.into_sorted()
}
