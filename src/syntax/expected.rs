//! What the grammar allows at a place in a file, for an editor's completion: the keywords that
//! may be typed there, and whether a name, a rule's id, a pack's name or a code goes there.

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};

use super::parser::{CoopParser, Rule, describe};

/// One thing the grammar allows at a place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expected {
    /// A keyword, as typed: `kind`, `jurisdiction`, `}` is not one.
    Keyword(&'static str),
    /// The name of a declaration, an item, a variable, a parameter.
    Name,
    /// A rule's id (or a code, which names a prelude rule).
    RuleId,
    /// A diagnostic code.
    Code,
    /// A shipped rule pack's name.
    PackName,
}

/// What may be written at `offset` of a file's text, where the word being typed (if any) starts
/// at `offset`. Read from the top-level declaration the offset is in, so its cost is that
/// declaration's length; empty when the text before the offset does not parse up to it.
pub fn expected_at(text: &str, offset: usize) -> Vec<Expected> {
    let offset = offset.min(text.len());
    let Some(prefix) = text.get(..offset) else {
        return Vec::new();
    };
    let start = super::recover::declaration_starts(prefix)
        .last()
        .copied()
        .unwrap_or(0);
    // A character no rule matches marks the place: every rule tried there is what may follow.
    let probe = format!("{}\u{1}", &prefix[start..]);
    let Err(error) = CoopParser::parse(Rule::file, &probe) else {
        return Vec::new();
    };
    let position = match error.location {
        InputLocation::Pos(position) => position,
        InputLocation::Span((start, _)) => start,
    };
    if position + 1 != probe.len() {
        return Vec::new();
    }
    let ErrorVariant::ParsingError { positives, .. } = error.variant else {
        return Vec::new();
    };
    let mut expected: Vec<Expected> = positives.into_iter().flat_map(expectations).collect();
    expected.sort_unstable();
    expected.dedup();
    expected
}

/// What a rule the parser tried stands for.
fn expectations(rule: Rule) -> Vec<Expected> {
    match rule {
        Rule::identifier | Rule::participant | Rule::path | Rule::identifier_list => {
            vec![Expected::Name]
        }
        Rule::rule_id | Rule::rule_list => vec![Expected::RuleId],
        Rule::code | Rule::code_list => vec![Expected::Code],
        Rule::pack_name => vec![Expected::PackName],
        // An expression not yet begun: what may begin one.
        Rule::expression => [
            "not",
            "sum",
            "count",
            "any",
            "all",
            "member_of",
            "true",
            "false",
        ]
        .into_iter()
        .map(Expected::Keyword)
        .chain([Expected::Name])
        .collect(),
        _ => {
            let description = describe(rule);
            // Descriptions name keywords between backticks, and examples after "such as".
            if description.contains("such as") {
                return Vec::new();
            }
            description
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|word| {
                    !word.is_empty()
                        && word
                            .chars()
                            .all(|character| character.is_ascii_lowercase() || character == '_')
                })
                .map(Expected::Keyword)
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Expected, expected_at};

    #[test]
    fn fields_of_the_block_the_place_is_in() {
        let text = "agency everett \"Everett\" {\n  kind city\n  \n}\n";
        let expected = expected_at(text, text.find("\n  \n").expect("the blank line") + 3);
        for field in ["jurisdiction", "location", "member_of", "fact"] {
            assert!(expected.contains(&Expected::Keyword(field)), "{expected:?}");
        }
        assert!(
            !expected.contains(&Expected::Keyword("buyer")),
            "{expected:?}"
        );
    }

    #[test]
    fn a_name_after_a_field_that_takes_one() {
        let text = "order o {\n  buyer ";
        assert_eq!(expected_at(text, text.len()), vec![Expected::Name]);
        let text = "use rules ";
        assert!(expected_at(text, text.len()).contains(&Expected::PackName));
    }

    #[test]
    fn an_expression_not_yet_begun() {
        let text = "rule r {\n  for order o\n  require ";
        let expected = expected_at(text, text.len());
        for keyword in ["not", "sum", "count"] {
            assert!(
                expected.contains(&Expected::Keyword(keyword)),
                "{expected:?}"
            );
        }
        assert!(expected.contains(&Expected::Name), "{expected:?}");
    }

    #[test]
    fn declarations_at_the_top() {
        let text = "agency a \"A\" { kind city jurisdiction US-WA }\n";
        let expected = expected_at(text, text.len());
        for keyword in ["agency", "contract", "order", "rule", "use", "test"] {
            assert!(
                expected.contains(&Expected::Keyword(keyword)),
                "{expected:?}"
            );
        }
    }
}
