//! Literate rule packs: a pack read as the page a lawyer reviews. Each rule with the words of the
//! source it encodes (its `quote`s), its plain-language reading (the `///` lines before it) and its
//! logic (the rule as written); the pack's own prose (its `//!` lines) where it stands. Rendered
//! for a terminal (`coop rules PACK`), as Markdown (the pages of `docs/rules/`, generated from the
//! packs) and as one self-contained HTML page.

mod html;
mod markdown;
mod text;

pub use html::render as html;
pub use markdown::render as markdown;
pub use text::render as text;

use crate::source::SourceMap;
use crate::syntax::ast::{self, InForce, RuleField};
use crate::values::Date;

/// A pack as its page shows it, in the order its file is written.
#[derive(Clone, Debug, PartialEq)]
pub struct LiteratePack {
    /// The name `use rules` takes: `us-wa`.
    pub name: String,
    /// `pack "title"`
    pub title: Option<String>,
    /// When the whole pack is in force, if it says.
    pub in_force: Option<InForce>,
    pub parts: Vec<Part>,
}

/// One part of a pack's page.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// `//!` lines: the pack's own prose, in Markdown.
    Prose(String),
    /// `parameter NAME = VALUE`, with its `///` documentation.
    Parameter {
        name: String,
        default: String,
        reading: Option<String>,
    },
    Rule(LiterateRule),
}

/// One rule: what it quotes, how it reads, and what it does.
#[derive(Clone, Debug, PartialEq)]
pub struct LiterateRule {
    pub id: String,
    pub title: Option<String>,
    pub citation: Option<String>,
    pub quotes: Vec<Quote>,
    /// `not quoted because "..."`
    pub unquoted: Option<String>,
    /// The period the rule itself states, if any (its pack's applies too).
    pub in_force: Option<InForce>,
    /// The `///` lines before the rule, in Markdown.
    pub reading: Option<String>,
    /// The rule as written, without its quotations (shown apart), and without the indentation
    /// of its first line.
    pub logic: String,
    /// Whether other versions of the rule (rules of the same id) are in the pack.
    pub versioned: bool,
}

/// The words a rule encodes, where they were read and when.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    pub text: String,
    pub from: String,
    pub read: Date,
}

impl LiteratePack {
    /// Reads a pack's text; `None` when it does not parse (no shipped pack, which a test holds).
    pub fn read(name: &str, text: &str) -> Option<LiteratePack> {
        let mut sources = SourceMap::new();
        let file_name = format!("coop:rules/{name}.coop");
        let file = sources.add(
            file_name.clone(),
            std::path::PathBuf::from(file_name),
            text.to_string(),
        );
        let (tree, _) = crate::syntax::parse(&sources, file);
        let tree = tree?;
        let text = &sources.file(file).text;
        let documentation = crate::syntax::documentation(text);
        // The `///` block that ends right before a declaration, with only blanks between.
        let reading = |start: usize| {
            documentation
                .iter()
                .find(|block| {
                    !block.inner && block.end <= start && text[block.end..start].trim().is_empty()
                })
                .map(|block| block.text.clone())
        };
        let mut parts: Vec<(usize, Part)> = documentation
            .iter()
            .filter(|block| block.inner)
            .map(|block| (block.start, Part::Prose(block.text.clone())))
            .collect();
        for parameter in &tree.parameters {
            parts.push((
                parameter.span.range().start,
                Part::Parameter {
                    name: parameter.name.value.to_string(),
                    default: sources.text(parameter.value.span).to_string(),
                    reading: reading(parameter.span.range().start),
                },
            ));
        }
        for rule in &tree.rules {
            let versioned = tree
                .rules
                .iter()
                .filter(|other| other.name.value == rule.name.value)
                .count()
                > 1;
            parts.push((
                rule.span.range().start,
                Part::Rule(literate_rule(
                    text,
                    rule,
                    reading(rule.span.range().start),
                    versioned,
                )),
            ));
        }
        parts.sort_by_key(|(start, _)| *start);
        Some(LiteratePack {
            name: name.to_string(),
            title: tree.pack.map(|title| title.value),
            in_force: tree.pack_in_force.map(|in_force| in_force.value),
            parts: parts.into_iter().map(|(_, part)| part).collect(),
        })
    }

    /// The pack's rules, in the order written.
    pub fn rules(&self) -> impl Iterator<Item = &LiterateRule> {
        self.parts.iter().filter_map(|part| match part {
            Part::Rule(rule) => Some(rule),
            _ => None,
        })
    }

    /// The pack's parameters: name, default as written, and reading.
    pub fn parameters(&self) -> impl Iterator<Item = (&str, &str, Option<&str>)> {
        self.parts.iter().filter_map(|part| match part {
            Part::Parameter {
                name,
                default,
                reading,
            } => Some((name.as_str(), default.as_str(), reading.as_deref())),
            _ => None,
        })
    }

    /// `us-wa: Washington: interlocal cooperation (RCW 39.34)`
    pub fn heading(&self) -> String {
        match &self.title {
            Some(title) => format!("{}: {title}", self.name),
            None => self.name.clone(),
        }
    }
}

impl LiterateRule {
    /// The anchor of the rule's section: its id, and for one of several versions, the day the
    /// version comes into force.
    pub fn anchor(&self) -> String {
        match (self.versioned, self.in_force.and_then(|period| period.from)) {
            (true, Some(from)) => format!("{}-from-{from}", self.id),
            _ => self.id.clone(),
        }
    }
}

/// What a pack says of every use, on every page: the packs are readings, not advice.
pub const NOT_LEGAL_ADVICE: &str = "Not legal advice. This pack encodes one reading of the sources it quotes so that Coop models can be checked against it; it does not replace them, or counsel. Check each quotation against the current text of its source before relying on it.";

fn literate_rule(
    text: &str,
    rule: &ast::Rule,
    reading: Option<String>,
    versioned: bool,
) -> LiterateRule {
    let mut citation = None;
    let mut quotes = Vec::new();
    let mut unquoted = None;
    let mut in_force = None;
    // The quotations are shown apart from the logic: their lines are left out of it.
    let mut left_out = Vec::new();
    for field in &rule.fields {
        match &field.value {
            RuleField::Cite(cited) => citation = Some(cited.value.clone()),
            RuleField::Quote(quotation) => {
                quotes.push(Quote {
                    text: quotation.text.value.clone(),
                    from: quotation.from.value.clone(),
                    read: quotation.read.value,
                });
                left_out.push(field.span);
            }
            RuleField::Unquoted(reason) => {
                unquoted = Some(reason.value.clone());
                left_out.push(field.span);
            }
            RuleField::InForce(period) => in_force = Some(period.value),
            _ => {}
        }
    }
    let mut logic = String::new();
    let whole = rule.span.range();
    let mut at = whole.start;
    for span in left_out {
        let span = span.range();
        // From the start of the field's line through the end of its last line.
        let line_start = text[..span.start].rfind('\n').map_or(0, |index| index + 1);
        let line_end = text[span.end..]
            .find('\n')
            .map_or(text.len(), |index| span.end + index + 1);
        let (line_start, line_end) = if text[line_start..span.start].trim().is_empty() {
            (line_start, line_end)
        } else {
            (span.start, span.end)
        };
        if line_start >= at {
            logic.push_str(&text[at..line_start]);
            at = line_end.min(whole.end);
        }
    }
    logic.push_str(&text[at..whole.end]);
    LiterateRule {
        id: rule.name.value.to_string(),
        title: rule.title.as_ref().map(|title| title.value.clone()),
        citation,
        quotes,
        unquoted,
        in_force,
        reading,
        logic,
        versioned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACK: &str = r#"//! The pack's prose.
//!
//! Second paragraph.
pack "Test pack"

/// The limit's reading.
parameter limit = USD 5.00

/// How the rule reads.
rule t_limit "Orders stay small" {
  cite "Test Act 1(a)"
  quote "An order shall not exceed"
      "five dollars."
      from "https://example.org/test-act" read 2026-12-06
  for order o
  require o.value <= limit
  else deny "too much"
}

//! Closing prose.
"#;

    #[test]
    fn a_pack_reads_as_prose_parameters_and_rules_in_order() {
        let pack = LiteratePack::read("test", PACK).expect("the pack parses");
        assert_eq!(pack.title.as_deref(), Some("Test pack"));
        assert!(
            matches!(&pack.parts[0], Part::Prose(prose) if prose == "The pack's prose.\n\nSecond paragraph.")
        );
        assert_eq!(
            pack.parameters().collect::<Vec<_>>(),
            vec![("limit", "USD 5.00", Some("The limit's reading."))]
        );
        let rule = pack.rules().next().expect("one rule");
        assert_eq!(rule.reading.as_deref(), Some("How the rule reads."));
        assert_eq!(
            rule.quotes[0].text,
            "An order shall not exceed five dollars."
        );
        assert_eq!(rule.quotes[0].from, "https://example.org/test-act");
        assert_eq!(
            rule.logic,
            "rule t_limit \"Orders stay small\" {\n  cite \"Test Act 1(a)\"\n  for order o\n  require o.value <= limit\n  else deny \"too much\"\n}"
        );
        assert!(matches!(pack.parts.last(), Some(Part::Prose(prose)) if prose == "Closing prose."));
    }
}
