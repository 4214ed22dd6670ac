//! Syntax: text to the typed syntax tree. The only part of Coop that knows pest exists.

pub mod ast;
mod expected;
mod format;
mod hidden;
pub mod ledger;
mod limits;
mod lower;
mod orders;
mod parser;
mod problems;
mod recover;
mod trivia;

pub use expected::{Expected, expected_at};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap, Span};
use problems::SyntaxProblem;

/// Parses one file. A syntax error stops the declaration it is in (pest reports the first one
/// only); the file's other declarations are read, and the syntax tree holds them with the
/// names of those that did not parse. Values that parse but are impossible, such as
/// `2025-02-30`, are reported and parsing goes on.
pub fn parse(sources: &SourceMap, file: FileId) -> (Option<ast::File>, Vec<Diagnostic>) {
    let source = sources.file(file);
    let text = &source.text;
    if let Some(diagnostic) = invalid_encoding(sources, file) {
        return (None, vec![diagnostic]);
    }
    let hidden = hidden::hidden_characters(file, text);
    if !hidden.is_empty() {
        return (None, hidden);
    }
    // A program's order book, read without pest; anything else, or anything wrong, by pest. The
    // fast reader does not recurse, so the nesting limit, which guards pest, need not walk it.
    if let Some(tree) = orders::read(file, text) {
        return (Some(tree), Vec::new());
    }
    if let Some(bracket) = limits::nesting_too_deep(file, text) {
        return (
            None,
            vec![Diagnostic::of(SyntaxProblem::BracketsTooDeep, bracket)],
        );
    }
    match parser::parse_file(file, text) {
        Ok(pair) => {
            let (tree, diagnostics) = lower::lower_file(file, pair);
            (Some(tree), diagnostics)
        }
        Err(diagnostic) => recover::declarations(file, text, *diagnostic),
    }
}

/// Reads a ledger of orders (a CSV file named by `ledger`) into a syntax tree of `order`
/// declarations, and marks the file as a ledger in the source map. Every row that cannot be read
/// is reported; the order it belongs to is left out.
pub fn read_ledger(sources: &mut SourceMap, file: FileId) -> (Option<ast::File>, Vec<Diagnostic>) {
    if let Some(diagnostic) = invalid_encoding(sources, file) {
        // None of its rows can be read; they are counted as rows all the same, so that the
        // summary says how many were not counted.
        let text = &sources.file(file).text;
        let rows = text.lines().filter(|line| !line.trim().is_empty()).count();
        sources.set_ledger(file, rows.saturating_sub(1));
        return (None, vec![diagnostic]);
    }
    let read = ledger::read(file, &sources.file(file).text);
    sources.set_ledger(file, read.rows);
    let tree = ast::File {
        declarations: read.orders,
        ..ast::File::empty(file)
    };
    (Some(tree), read.diagnostics)
}

/// Where a file that was not UTF-8 first went wrong.
fn invalid_encoding(sources: &SourceMap, file: FileId) -> Option<Diagnostic> {
    let source = sources.file(file);
    let offset = source.invalid_encoding_at?;
    let replacement = '\u{FFFD}'.len_utf8();
    Some(Diagnostic::of(
        SyntaxProblem::InvalidEncoding { file: &source.name },
        Span::new(file, offset, offset + replacement),
    ))
}

/// Formats a file in Coop's one canonical layout, keeping every comment; or the problem that
/// stops it (a file that does not parse is never rewritten).
pub fn format(sources: &SourceMap, file: FileId) -> Result<String, Box<Diagnostic>> {
    if let Some(diagnostic) = invalid_encoding(sources, file) {
        return Err(Box::new(diagnostic));
    }
    let source = sources.file(file);
    // A file whose text reads differently from how it is shown is not laid out again: the
    // layout would keep what it hides.
    if let Some(diagnostic) = hidden::hidden_characters(file, &source.text)
        .into_iter()
        .next()
    {
        return Err(Box::new(diagnostic));
    }
    if let Some(bracket) = limits::nesting_too_deep(file, &source.text) {
        return Err(Box::new(Diagnostic::of(
            SyntaxProblem::BracketsTooDeep,
            bracket,
        )));
    }
    format::format(file, &source.text)
}
