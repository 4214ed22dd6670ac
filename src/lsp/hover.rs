//! Hover: what a name under the cursor is. A declaration's text (its title and fields), a
//! field's meaning from the schema, a rule's title and citation, a code's explanation, a pack's
//! parameters and rules.

use super::index::{Key, Kind};
use super::workspace::Analysis;
use crate::codes::Code;
use crate::source::{FileId, Span};

/// A declaration is shown whole up to this many lines.
const SHOWN_LINES: usize = 24;

/// The hover text (Markdown) for the name at a byte offset of a file, and the name's span.
pub fn hover(analysis: &Analysis, file: FileId, offset: usize) -> Option<(String, Span)> {
    let occurrence = analysis.index.at(file, offset)?;
    let text = match &occurrence.key {
        Key::Field { record, field } => {
            let spec = record.field(field)?;
            let varies = if spec.varies {
                "\n\nIts value changes as orders are judged."
            } else {
                ""
            };
            format!(
                "**{}** `{}`: {}\n\n{}{varies}",
                record.noun(),
                spec.name,
                spec.ty.describe(),
                capitalised(spec.doc)
            )
        }
        Key::Rule(id) => rule(analysis, id),
        Key::File(target) => format!("file `{}`", analysis.sources.file(*target).name),
        Key::Pack(target) => pack(analysis, *target),
        key => {
            let definition = analysis.index.definitions_of(key).next()?;
            let heading = match definition.kind {
                Kind::Declaration(entity) => format!("{} `{}`", entity.keyword(), definition.name),
                Kind::Item => format!("item `{}`", definition.name),
                Kind::Clause => format!("clause `{}`", definition.name),
                Kind::Parameter => format!(
                    "parameter `{}` of `{}`",
                    definition.name,
                    analysis.sources.file(definition.span.file).name
                ),
                Kind::Variable(entity) => {
                    format!("`{}`: {}", definition.name, entity.article())
                }
                Kind::Rule | Kind::Test => format!("`{}`", definition.name),
            };
            match definition.kind {
                Kind::Variable(_) => heading,
                _ => format!(
                    "{heading}\n\n{}",
                    excerpt(analysis.sources.text(definition.whole))
                ),
            }
        }
    };
    Some((text, occurrence.span))
}

/// A rule: its title, what it cites and where it is written; and, when its id is a code, what
/// the code means.
fn rule(analysis: &Analysis, id: &str) -> String {
    let mut text = format!("rule `{id}`");
    let key = Key::Rule(id.to_string());
    if let Some(rule) = analysis.index.definitions_of(&key).next() {
        if let Some(title) = &rule.title {
            text.push_str(&format!(" \"{title}\""));
        }
        if let Some(citation) = analysis.index.citations.get(id) {
            text.push_str(&format!("\n\ncites {citation}"));
        }
        text.push_str(&format!(
            "\n\nwritten in `{}`",
            analysis.sources.file(rule.span.file).name
        ));
    }
    if let Some(code) = Code::from_name(id) {
        text.push_str(&format!("\n\n---\n\n{}", code.explanation()));
    }
    text
}

/// A pack: its title, parameters (with their defaults) and rules.
fn pack(analysis: &Analysis, file: FileId) -> String {
    let mut text = format!("rule pack `{}`", analysis.sources.file(file).name);
    if let Some(title) = analysis.index.packs.get(&file) {
        text.push_str(&format!(": {title}"));
    }
    for (_, definition) in analysis.index.definitions_in(file) {
        match definition.kind {
            Kind::Parameter => text.push_str(&format!(
                "\n- `{}`",
                analysis.sources.text(definition.whole)
            )),
            Kind::Rule => {
                let title = definition
                    .title
                    .as_ref()
                    .map_or(String::new(), |title| format!(": {title}"));
                text.push_str(&format!("\n- rule `{}`{title}", definition.name));
            }
            _ => {}
        }
    }
    text
}

/// Source text as a Markdown code block, cut after [`SHOWN_LINES`] lines.
fn excerpt(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().take(SHOWN_LINES + 1).collect();
    if lines.len() > SHOWN_LINES {
        lines.truncate(SHOWN_LINES);
        lines.push("  …");
    }
    format!("```coop\n{}\n```", lines.join("\n"))
}

fn capitalised(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect::<String>() + ".",
        None => String::new(),
    }
}
