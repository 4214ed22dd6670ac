//! Reading what can be read of a file with a syntax error. pest stops at a file's first error, so
//! the file is read again one top-level declaration at a time: every declaration that parses is
//! kept, and each that does not gives its own error and the name it was to declare. One mistake
//! then hides nothing else, neither in its file nor in the model's other files.

use super::ast::{File, Name};
use super::{lower, parser};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span, Spanned};

/// The declarations of a file that parse, with an error for each one that does not; `None`
/// when every part parses on its own (the file's error lies between them), with the file's
/// error to report.
pub(super) fn declarations(
    file: FileId,
    text: &str,
    error: Diagnostic,
) -> (Option<File>, Vec<Diagnostic>) {
    let starts = declaration_starts(text);
    let mut tree = File::empty(file);
    let mut diagnostics = Vec::new();
    let mut errors = 0;
    for (index, start) in starts.iter().enumerate() {
        let end = starts.get(index + 1).copied().unwrap_or(text.len());
        match parser::parse_part(file, text, *start..end) {
            Ok(pair) => {
                let (part, found) = lower::lower_part(file, pair, *start);
                append(&mut tree, part);
                diagnostics.extend(found);
            }
            Err(diagnostic) => {
                errors += 1;
                diagnostics.push(*diagnostic);
                tree.unparsed.extend(declared_name(file, text, *start));
            }
        }
    }
    if errors == 0 {
        return (None, vec![error]);
    }
    (Some(tree), diagnostics)
}

/// Where each top-level declaration starts: the start of the file, and every line that begins,
/// at its first column, with a keyword only a declaration starts with (`rule`, `test`, `use`,
/// ...), or with `agency NAME`, `contract NAME`, ... and a `{` on the same line (an order's
/// `contract pc_1` field has none).
pub(super) fn declaration_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let mut words = line.split_whitespace();
        let starts_here = line_start > 0
            && line.starts_with(|character: char| character.is_ascii_lowercase())
            && match words.next() {
                Some("rule" | "test" | "use" | "ledger" | "pack" | "parameter") => true,
                Some("agency" | "solicitation" | "contract" | "access" | "order") => {
                    words.next().is_some_and(is_identifier) && line.contains('{')
                }
                _ => false,
            };
        if starts_here {
            starts.push(line_start);
        }
        line_start += line.len();
    }
    starts
}

/// The name a declaration starting at `start` was to declare: the word after its keyword.
fn declared_name(file: FileId, text: &str, start: usize) -> Option<Name> {
    let line = text[start..].lines().next()?;
    let mut words = line.split_whitespace();
    let keyword = words.next()?;
    if !matches!(
        keyword,
        "agency" | "solicitation" | "contract" | "access" | "order" | "rule" | "parameter"
    ) {
        return None;
    }
    let name = words.next()?;
    let name = &name[..name
        .find(|character: char| {
            !(character.is_ascii_alphanumeric() || matches!(character, '_' | '-'))
        })
        .unwrap_or(name.len())];
    if name.is_empty() {
        return None;
    }
    let offset = start + line.find(name)?;
    Some(Spanned::new(
        name.into(),
        Span::new(file, offset, offset + name.len()),
    ))
}

fn is_identifier(word: &str) -> bool {
    word.starts_with(|character: char| character.is_ascii_alphabetic() || character == '_')
}

/// Adds what one part of a file declares to the file's tree, in the order written.
fn append(tree: &mut File, part: File) {
    tree.uses.extend(part.uses);
    tree.rule_packs.extend(part.rule_packs);
    if tree.pack.is_none() {
        tree.pack = part.pack;
    }
    tree.parameters.extend(part.parameters);
    tree.rules.extend(part.rules);
    tree.ledgers.extend(part.ledgers);
    tree.declarations.extend(part.declarations);
    tree.tests.extend(part.tests);
}
