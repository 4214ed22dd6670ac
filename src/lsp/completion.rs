//! Completion: what the grammar allows where the cursor is (keywords in place), names of the kind
//! the field takes (agencies after `buyer`, contracts after `contract`, the values of a closed
//! set after `kind`), the schema's fields after a variable and a dot, rule ids and codes, and the
//! shipped packs with their parameters.

use lsp_types::{CompletionItem, CompletionItemKind};

use super::index::Kind;
use super::workspace::Analysis;
use crate::codes::Code;
use crate::schema::{Entity, Enumeration, Record};
use crate::syntax::{Expected, expected_at};

/// The completions at a byte offset of a file's text; `analysis` gives the names the model
/// declares, when it has been checked.
pub fn complete(analysis: Option<&Analysis>, text: &str, offset: usize) -> Vec<CompletionItem> {
    let offset = offset.min(text.len());
    let Some(before) = text.get(..offset) else {
        return Vec::new();
    };
    let token_start = before
        .rfind(|character: char| !(character.is_ascii_alphanumeric() || "_-.".contains(character)))
        .map_or(0, |index| index + 1);
    let token = &before[token_start..];
    if let Some((path, _)) = token.rsplit_once('.') {
        return fields_after(before, path);
    }
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let line: Vec<&str> = before[line_start..token_start].split_whitespace().collect();
    let mut items = Vec::new();
    for expected in expected_at(text, token_start) {
        match expected {
            Expected::Keyword(keyword) => items.push(item(
                keyword,
                CompletionItemKind::KEYWORD,
                keyword_detail(before, keyword),
            )),
            Expected::Name => items.extend(names(analysis, text, before, &line)),
            Expected::RuleId => {
                if let Some(analysis) = analysis {
                    items.extend(
                        analysis
                            .index
                            .definitions_of_kind(Kind::Rule)
                            .map(|rule| item(&rule.name, CompletionItemKind::FUNCTION, None)),
                    );
                }
            }
            Expected::Code => items.extend(Code::ALL.iter().map(|code| {
                item(
                    code.name(),
                    CompletionItemKind::CONSTANT,
                    Some(code.summary().to_string()),
                )
            })),
            Expected::PackName => items.extend(crate::packs::SHIPPED.iter().map(|pack| {
                let title = pack.summary().and_then(|summary| summary.title);
                item(pack.name, CompletionItemKind::MODULE, title)
            })),
        }
    }
    items.sort_by(|left, right| left.label.cmp(&right.label));
    items.dedup_by(|later, first| later.label == first.label);
    items
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

/// A field keyword's meaning, from the schema, in the declaration the text before it is in.
fn keyword_detail(before: &str, keyword: &str) -> Option<String> {
    let entity = enclosing_declaration(before)?;
    Some(Record::Entity(entity).field(keyword)?.doc.to_string())
}

/// The kind of the top-level declaration the end of `before` is in.
fn enclosing_declaration(before: &str) -> Option<Entity> {
    before
        .lines()
        .rev()
        .find(|line| line.starts_with(|character: char| character.is_ascii_lowercase()))
        .and_then(|line| line.split_whitespace().next())
        .and_then(|keyword| {
            Entity::ALL
                .iter()
                .copied()
                .find(|entity| entity.keyword() == keyword)
        })
}

/// The names a field takes, from the words before the cursor on its line; in a rule, its
/// variables and the parameters of the file (a pack's rules name its parameters).
fn names(
    analysis: Option<&Analysis>,
    text: &str,
    before: &str,
    line: &[&str],
) -> Vec<CompletionItem> {
    // The word that takes the name: the last before the cursor, lists (`covers a, b,`) passed.
    let Some(field) = line
        .iter()
        .rev()
        .find(|word| !word.ends_with(',') && **word != "{")
        .copied()
    else {
        return Vec::new();
    };
    let values = |enumeration: Enumeration| {
        enumeration
            .values()
            .into_iter()
            .map(|value| item(value, CompletionItemKind::ENUM_MEMBER, None))
            .collect()
    };
    let declared = |kind: Kind| -> Vec<CompletionItem> {
        analysis.map_or_else(Vec::new, |analysis| {
            analysis
                .index
                .definitions_of_kind(kind)
                .map(|definition| {
                    let detail = match kind {
                        Kind::Declaration(entity) => Some(entity.noun().to_string()),
                        _ => None,
                    };
                    item(&definition.name, CompletionItemKind::REFERENCE, detail)
                })
                .collect()
        })
    };
    // `agency NAME` at the start of a line declares a name, which its writer chooses.
    let line_text = &before[before.rfind('\n').map_or(0, |index| index + 1)..];
    if line.len() == 1 && !line_text.starts_with(char::is_whitespace) {
        return Vec::new();
    }
    let in_block = enclosing_declaration(before);
    match field {
        "with" if line.first() == Some(&"use") => pack_parameters(analysis, line),
        "buyer" | "lead" | "with" | "agency" => declared(Kind::Declaration(Entity::Agency)),
        "contract" | "covers" => declared(Kind::Declaration(Entity::Contract)),
        "awards" => declared(Kind::Declaration(Entity::Solicitation)),
        "via" => declared(Kind::Declaration(Entity::Access)),
        "order" => declared(Kind::Declaration(Entity::Order)),
        "to" | "on" | "of" => [
            Entity::Agency,
            Entity::Solicitation,
            Entity::Contract,
            Entity::Access,
            Entity::Order,
        ]
        .into_iter()
        .flat_map(|entity| declared(Kind::Declaration(entity)))
        .collect(),
        "line" | "price" => declared(Kind::Item),
        "requests" => declared(Kind::Clause),
        "kind" if in_block == Some(Entity::Access) => values(Enumeration::InstrumentKind),
        "kind" => values(Enumeration::AgencyKind),
        "requires" => values(Enumeration::InstrumentKind),
        "method" => values(Enumeration::Method),
        "category" => values(Enumeration::Category),
        _ if in_rule(before) => variables(before)
            .into_iter()
            .chain(parameters(text))
            .collect(),
        _ => Vec::new(),
    }
}

/// In `use rules NAME with ...`, the parameters of the shipped pack named; in `use rules "PATH"
/// with ...`, those of the model's pack at that path, once the model has been checked.
fn pack_parameters(analysis: Option<&Analysis>, line: &[&str]) -> Vec<CompletionItem> {
    let Some(named) = line.get(2) else {
        return Vec::new();
    };
    if let Some(path) = named
        .strip_prefix('"')
        .and_then(|path| path.strip_suffix('"'))
    {
        let Some(analysis) = analysis else {
            return Vec::new();
        };
        return analysis
            .index
            .definitions_of_kind(Kind::Parameter)
            .filter(|parameter| {
                analysis
                    .sources
                    .file(parameter.span.file)
                    .path
                    .ends_with(path)
            })
            .map(|parameter| {
                let written = analysis.sources.text(parameter.whole);
                let default = written.split_once('=').map(|(_, value)| value.trim());
                item(
                    &parameter.name,
                    CompletionItemKind::PROPERTY,
                    default.map(|value| format!("default {value}")),
                )
            })
            .collect();
    }
    let Some(pack) = crate::packs::shipped(named).and_then(|pack| pack.summary()) else {
        return Vec::new();
    };
    pack.parameters
        .iter()
        .map(|(parameter, default)| {
            item(
                parameter,
                CompletionItemKind::PROPERTY,
                Some(format!("default {default}")),
            )
        })
        .collect()
}

/// The parameters a file declares (`parameter NAME = VALUE`), with their values.
fn parameters(text: &str) -> impl Iterator<Item = CompletionItem> {
    text.lines().filter_map(|line| {
        let (name, value) = line.strip_prefix("parameter ")?.split_once('=')?;
        Some(item(
            name.trim(),
            CompletionItemKind::CONSTANT,
            Some(format!("parameter = {}", value.trim())),
        ))
    })
}

/// Whether the end of `before` is inside a `rule` declaration.
fn in_rule(before: &str) -> bool {
    before
        .lines()
        .rev()
        .find(|line| line.starts_with(|character: char| character.is_ascii_lowercase()))
        .is_some_and(|line| line.starts_with("rule "))
}

/// The variables a rule has introduced before the cursor: `for order o`, `order p`, `line l`.
fn variables(before: &str) -> Vec<CompletionItem> {
    let rule_start = before.rfind("\nrule ").map_or(0, |index| index + 1);
    let words: Vec<&str> = before[rule_start..]
        .split(|character: char| !(character.is_ascii_alphanumeric() || character == '_'))
        .filter(|word| !word.is_empty())
        .collect();
    words
        .windows(2)
        .filter_map(|pair| {
            let entity = Entity::ALL
                .iter()
                .chain(&[Entity::Binding, Entity::Line, Entity::Fee])
                .find(|entity| entity.keyword() == pair[0])?;
            Some(item(
                pair[1],
                CompletionItemKind::VARIABLE,
                Some(entity.article().to_string()),
            ))
        })
        .filter(|item| !is_keyword(&item.label))
        .collect()
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "where" | "of" | "for" | "in" | "and" | "or" | "not" | "exists" | "else"
    )
}

/// The schema's fields of what `path` (a variable and fields, before the last dot) is.
fn fields_after(before: &str, path: &str) -> Vec<CompletionItem> {
    let mut segments = path.split('.');
    let Some(variable) = segments.next() else {
        return Vec::new();
    };
    let rule_start = before.rfind("\nrule ").map_or(0, |index| index + 1);
    let words: Vec<&str> = before[rule_start..]
        .split(|character: char| !(character.is_ascii_alphanumeric() || character == '_'))
        .filter(|word| !word.is_empty())
        .collect();
    let entity = words.windows(2).rev().find_map(|pair| {
        (pair[1] == variable)
            .then(|| {
                Entity::ALL
                    .iter()
                    .chain(&[Entity::Binding, Entity::Line, Entity::Fee])
                    .find(|entity| entity.keyword() == pair[0])
                    .copied()
            })
            .flatten()
    });
    let Some(mut record) = entity.map(Record::Entity) else {
        return Vec::new();
    };
    for field in segments {
        let Some(next) = record.field(field).and_then(|spec| Record::of(&spec.ty)) else {
            return Vec::new();
        };
        record = next;
    }
    record
        .fields()
        .iter()
        .map(|spec| {
            item(
                spec.name,
                CompletionItemKind::FIELD,
                Some(format!("{}: {}", spec.ty.describe(), spec.doc)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::complete;

    fn labels(text: &str) -> Vec<String> {
        complete(None, text, text.len())
            .into_iter()
            .map(|item| item.label)
            .collect()
    }

    #[test]
    fn keywords_values_and_fields_in_place() {
        let fields = labels("agency everett {\n  kind city\n  ");
        assert!(fields.contains(&"jurisdiction".to_string()), "{fields:?}");
        assert!(!fields.contains(&"buyer".to_string()), "{fields:?}");
        let kinds = labels("agency everett {\n  kind ");
        assert!(kinds.contains(&"city".to_string()), "{kinds:?}");
        let schema = labels("rule r {\n  for order o\n  require o.buyer.");
        assert!(schema.contains(&"jurisdiction".to_string()), "{schema:?}");
        let in_rule = labels("parameter limit = USD 1.00\n\nrule r {\n  for order o\n  require ");
        for name in ["limit", "o"] {
            assert!(in_rule.contains(&name.to_string()), "{in_rule:?}");
        }
        let packs = labels("use rules ");
        assert!(packs.contains(&"us-wa".to_string()), "{packs:?}");
        let parameters = labels("use rules us-va with ");
        assert!(
            parameters.contains(&"distance_limit".to_string()),
            "{parameters:?}"
        );
    }
}
