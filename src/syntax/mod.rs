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
    parse_observed(sources, file, &crate::observe::Unobserved)
}

/// Parses one file as [`parse`] does, telling `observer` how many orders of a program's order
/// book it has read (other files are counted whole, once parsed, by the caller).
pub fn parse_observed(
    sources: &SourceMap,
    file: FileId,
    observer: &dyn crate::observe::Observer,
) -> (Option<ast::File>, Vec<Diagnostic>) {
    parse_keeping(sources, file, OrderTrees::Now, observer)
}

/// When the trees of an order book's orders are made: a file of nothing but orders is a
/// program's order book, which may hold millions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderTrees {
    /// As the file is parsed, as the tree of every other file is.
    Now,
    /// As the orders are checked, a share at a time ([`read_orders_again`]): parsing keeps
    /// only each order's name and place ([`ast::File::unread_orders`]), so that the trees of
    /// a whole order book are never held at once. For a caller that only checks.
    WhenChecked,
}

/// Parses one file as [`parse_observed`] does, making the trees of an order book's orders when
/// `order_trees` says.
pub fn parse_keeping(
    sources: &SourceMap,
    file: FileId,
    order_trees: OrderTrees,
    observer: &dyn crate::observe::Observer,
) -> (Option<ast::File>, Vec<Diagnostic>) {
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
    let order_book = match order_trees {
        OrderTrees::Now => orders::read(file, text, observer),
        OrderTrees::WhenChecked => {
            orders::read_names(file, text, observer).map(|unread_orders| ast::File {
                unread_orders,
                ..ast::File::empty(file)
            })
        }
    };
    if let Some(tree) = order_book {
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

/// The trees of the orders of one file (an order book or a ledger, whose syntax tree is `tree`)
/// that parsing read by name only ([`OrderTrees::WhenChecked`]), from the one declared at `first`
/// to the one at `last` and every order between: read again from the file's text, as they were
/// read the first time.
pub fn read_orders_again(
    sources: &SourceMap,
    tree: &ast::File,
    first: Span,
    last: Span,
) -> Option<Vec<ast::Block<ast::OrderField>>> {
    let text = &sources.file(tree.file).text;
    let (start, end) = (first.start as usize, last.end as usize);
    match &tree.ledger_options {
        Some(options) => ledger::read_again(tree.file, text, options, start, end),
        None => orders::read_again(tree.file, text, start, end),
    }
}

/// A run of documentation comments: `//!` lines, the prose of a literate file where they stand,
/// or `///` lines, the documentation of the declaration that follows them. Both are ordinary
/// comments to the grammar and to `coop fmt`; only `coop rules` reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocBlock {
    /// `//!` (prose of the file) rather than `///` (of what follows).
    pub inner: bool,
    /// Byte offsets of the first line's marker and of the last line's end.
    pub start: usize,
    pub end: usize,
    /// The lines without their markers (and one space after each), as Markdown.
    pub text: String,
}

/// Every run of `//!` or `///` lines of a text, in order; consecutive lines of one kind form one
/// run. As in Rust, `////` is a plain comment.
pub fn documentation(text: &str) -> Vec<DocBlock> {
    let mut blocks: Vec<DocBlock> = Vec::new();
    for (start, end) in trivia::comments(text) {
        let comment = &text[start..end];
        let (inner, body) = if let Some(body) = comment.strip_prefix("//!") {
            (true, body)
        } else if let Some(body) = comment.strip_prefix("///")
            && !body.starts_with('/')
        {
            (false, body)
        } else {
            continue;
        };
        let line = body.strip_prefix(' ').unwrap_or(body).trim_end();
        match blocks.last_mut() {
            Some(block)
                if block.inner == inner
                    && text[block.end..start].trim().is_empty()
                    && text[block.end..start].matches('\n').count() == 1 =>
            {
                block.text.push('\n');
                block.text.push_str(line);
                block.end = end;
            }
            _ => blocks.push(DocBlock {
                inner,
                start,
                end,
                text: line.to_string(),
            }),
        }
    }
    blocks
}

/// Reads a ledger of orders (a CSV file named by `ledger`) into a syntax tree of `order`
/// declarations, and marks the file as a ledger in the source map. Every row that cannot be read
/// is reported; the order it belongs to is left out.
pub fn read_ledger(
    sources: &mut SourceMap,
    file: FileId,
    options: &ledger::Options,
) -> (Option<ast::File>, Vec<Diagnostic>) {
    let unobserved = &crate::observe::Unobserved;
    read_ledger_observed(sources, file, options, OrderTrees::Now, unobserved)
}

/// Reads a ledger as [`read_ledger`] does, making its orders' trees when `order_trees` says, and
/// telling `observer` how many orders it has read.
pub fn read_ledger_observed(
    sources: &mut SourceMap,
    file: FileId,
    options: &ledger::Options,
    order_trees: OrderTrees,
    observer: &dyn crate::observe::Observer,
) -> (Option<ast::File>, Vec<Diagnostic>) {
    if let Some(diagnostic) = invalid_encoding(sources, file) {
        // None of its rows can be read; they are counted as rows all the same, so that the
        // summary says how many were not counted.
        let text = &sources.file(file).text;
        let rows = text.lines().filter(|line| !line.trim().is_empty()).count();
        sources.set_ledger(file, rows.saturating_sub(1));
        return (None, vec![diagnostic]);
    }
    let text = &sources.file(file).text;
    let read = ledger::read_observed(file, text, options, order_trees, observer);
    sources.set_ledger(file, read.rows);
    let tree = ast::File {
        declarations: read.orders,
        ledger_options: (!read.unread_orders.is_empty()).then(|| options.clone()),
        unread_orders: read.unread_orders,
        ..ast::File::empty(file)
    };
    (Some(tree), read.diagnostics)
}

/// The pack parameters a model's `coop.toml` (the file `config`) sets, as the settings of a
/// `use rules`, each with the name of its pack; a value that is no expression is reported.
pub fn config_parameters(
    sources: &SourceMap,
    config: FileId,
) -> (Vec<(String, Span, ast::ParameterSetting)>, Vec<Diagnostic>) {
    let mut settings = Vec::new();
    let mut diagnostics = Vec::new();
    for parameter in crate::config::pack_parameters(&sources.file(config).text) {
        let span = |range: std::ops::Range<usize>| Span::new(config, range.start, range.end);
        match lower::setting_value(
            config,
            &parameter.name,
            &parameter.value,
            parameter.value_span.start,
        ) {
            Ok(value) => settings.push((
                parameter.pack,
                span(parameter.pack_span),
                ast::ParameterSetting {
                    name: crate::source::Spanned::new(
                        parameter.name.into(),
                        span(parameter.name_span),
                    ),
                    value,
                },
            )),
            Err(found) => diagnostics.extend(found),
        }
    }
    (settings, diagnostics)
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
