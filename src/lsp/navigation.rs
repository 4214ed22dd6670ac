//! Go to definition, find references, rename and document symbols: all read the index of names.

use std::collections::HashMap;

use lsp_types::{DocumentSymbol, Location, Range, SymbolKind, TextEdit, Uri, WorkspaceEdit};

use super::convert::{self, Encoding};
use super::index::{Definition, Key, Kind};
use super::workspace::{Analysis, location};
use crate::schema::Entity;
use crate::source::{FileId, Span};

/// Where the name at a byte offset is declared: a declaration, an item, a clause, a rule (in a
/// pack too), a parameter, a variable; a used file or pack at its start.
pub fn definition(
    analysis: &Analysis,
    file: FileId,
    offset: usize,
    encoding: Encoding,
) -> Vec<Location> {
    let Some(occurrence) = analysis.index.at(file, offset) else {
        return Vec::new();
    };
    match &occurrence.key {
        Key::File(target) | Key::Pack(target) => {
            location(&analysis.sources, Span::new(*target, 0, 0), encoding)
                .into_iter()
                .collect()
        }
        key => analysis
            .index
            .definitions_of(key)
            .filter_map(|definition| location(&analysis.sources, definition.span, encoding))
            .collect(),
    }
}

/// Every place the name at a byte offset is written, its declaration too when asked.
pub fn references(
    analysis: &Analysis,
    file: FileId,
    offset: usize,
    include_declaration: bool,
    encoding: Encoding,
) -> Vec<Location> {
    let Some(occurrence) = analysis.index.at(file, offset) else {
        return Vec::new();
    };
    let mut spans: Vec<Span> = analysis
        .index
        .occurrences_of(&occurrence.key)
        .filter(|found| include_declaration || !found.is_definition)
        .map(|found| found.span)
        .collect();
    spans.sort();
    spans
        .into_iter()
        .filter_map(|span| location(&analysis.sources, span, encoding))
        .collect()
}

/// The name at a byte offset, if it can be renamed: a name the model declares in its own files.
pub fn renamable(analysis: &Analysis, file: FileId, offset: usize) -> Result<Span, String> {
    let occurrence = analysis
        .index
        .at(file, offset)
        .ok_or_else(|| "no name here to rename".to_string())?;
    match &occurrence.key {
        Key::Declaration(_)
        | Key::Item { .. }
        | Key::Clause { .. }
        | Key::Rule(_)
        | Key::Parameter { .. }
        | Key::Variable(_) => {}
        Key::Field { .. } => return Err("a field's name is part of the language".to_string()),
        Key::File(_) | Key::Pack(_) | Key::Test(_) => {
            return Err("only names can be renamed".to_string());
        }
    }
    let shipped = analysis
        .index
        .occurrences_of(&occurrence.key)
        .any(|found| super::shipped::is_shipped(&analysis.sources.file(found.span.file).path));
    if shipped {
        return Err("this name is declared or used in a rule pack shipped with coop".to_string());
    }
    if analysis
        .index
        .definitions_of(&occurrence.key)
        .next()
        .is_none()
    {
        return Err("this name is not declared in the model".to_string());
    }
    Ok(occurrence.span)
}

/// The edits that rename the name at a byte offset everywhere it is written.
// `Uri` caches parts of itself in cells, but hashes and compares by its text, which never changes.
#[allow(clippy::mutable_key_type)]
pub fn rename(
    analysis: &Analysis,
    file: FileId,
    offset: usize,
    new_name: &str,
    encoding: Encoding,
) -> Result<WorkspaceEdit, String> {
    renamable(analysis, file, offset)?;
    let Some(occurrence) = analysis.index.at(file, offset) else {
        return Err("no name here to rename".to_string());
    };
    let rule = matches!(occurrence.key, Key::Rule(_));
    let valid = new_name
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && new_name.chars().all(|character| {
            character.is_ascii_alphanumeric() || character == '_' || (rule && character == '-')
        })
        && !new_name.ends_with('-');
    if !valid {
        return Err(format!(
            "`{new_name}` is not a name: names start with a letter or `_` and hold letters, digits and `_`{}",
            if rule {
                " (and `-` in a rule's id)"
            } else {
                ""
            }
        ));
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for found in analysis.index.occurrences_of(&occurrence.key) {
        let Some(location) = location(&analysis.sources, found.span, encoding) else {
            continue;
        };
        changes
            .entry(location.uri)
            .or_default()
            .push(TextEdit::new(location.range, new_name.to_string()));
    }
    Ok(WorkspaceEdit::new(changes))
}

/// The declarations of a file, with a solicitation's items and a contract's or access
/// instrument's clauses inside them.
pub fn symbols(analysis: &Analysis, file: FileId, encoding: Encoding) -> Vec<DocumentSymbol> {
    let definitions: Vec<(usize, &Definition)> = analysis
        .index
        .definitions_in(file)
        .filter(|(_, definition)| !matches!(definition.kind, Kind::Variable(_)))
        .collect();
    let symbol = |definition: &Definition, children: Vec<DocumentSymbol>| {
        let range = |span: Span| -> Range { convert::range(&analysis.sources, span, encoding) };
        #[allow(deprecated)]
        DocumentSymbol {
            name: definition.name.clone(),
            detail: Some(detail(definition.kind).to_string()),
            kind: symbol_kind(definition.kind),
            tags: None,
            deprecated: None,
            range: range(definition.whole),
            selection_range: range(definition.span),
            children: (!children.is_empty()).then_some(children),
        }
    };
    definitions
        .iter()
        .filter(|(_, definition)| definition.parent.is_none())
        .map(|(position, definition)| {
            let children = definitions
                .iter()
                .filter(|(_, child)| child.parent == Some(*position))
                .map(|(_, child)| symbol(child, Vec::new()))
                .collect();
            symbol(definition, children)
        })
        .collect()
}

fn detail(kind: Kind) -> &'static str {
    match kind {
        Kind::Declaration(entity) | Kind::Variable(entity) => entity.noun(),
        Kind::Item => "item",
        Kind::Clause => "clause",
        Kind::Rule => "rule",
        Kind::Parameter => "parameter",
        Kind::Test => "test",
    }
}

fn symbol_kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Declaration(Entity::Agency) => SymbolKind::OBJECT,
        Kind::Declaration(Entity::Solicitation) => SymbolKind::NAMESPACE,
        Kind::Declaration(Entity::Contract) => SymbolKind::CLASS,
        Kind::Declaration(Entity::Access) => SymbolKind::INTERFACE,
        Kind::Declaration(_) => SymbolKind::EVENT,
        Kind::Item => SymbolKind::FIELD,
        Kind::Clause => SymbolKind::PROPERTY,
        Kind::Rule => SymbolKind::FUNCTION,
        Kind::Parameter => SymbolKind::CONSTANT,
        Kind::Variable(_) => SymbolKind::VARIABLE,
        Kind::Test => SymbolKind::METHOD,
    }
}
