//! Characters that make a file read differently from how it is shown: line breaks that editors
//! and terminals show but Coop's grammar does not read (so code could hide in a comment), and the
//! controls that reorder bidirectional text (the "Trojan Source" class, CVE-2021-42574). Either
//! lets a reviewer approve one text while Coop checks another, so a file holding one is refused.

use super::problems::SyntaxProblem;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// At most this many hidden characters are reported a file; the last report counts the rest.
const MOST_REPORTED: usize = 10;

/// Every hidden character of a file, as diagnostics (the first few, the rest counted).
pub(super) fn hidden_characters(file: FileId, text: &str) -> Vec<Diagnostic> {
    // Every hidden character starts with one of these bytes in UTF-8; most files have none of
    // them, and are passed over at the speed of a byte scan.
    if !crate::source::any_byte(text.as_bytes(), |byte| {
        matches!(byte, 0x0B | 0x0C | 0xC2 | 0xE2)
    }) {
        return Vec::new();
    }
    let found: Vec<(usize, char, Hidden)> = text
        .char_indices()
        .filter_map(|(offset, character)| {
            classify(character).map(|hidden| (offset, character, hidden))
        })
        .collect();
    let unreported = found.len().saturating_sub(MOST_REPORTED);
    let reported = found.len().min(MOST_REPORTED);
    found
        .into_iter()
        .take(MOST_REPORTED)
        .enumerate()
        .map(|(index, (offset, character, hidden))| {
            let span = Span::new(file, offset, offset + character.len_utf8());
            // The last one reported counts the rest.
            let unlisted = if index + 1 == reported { unreported } else { 0 };
            let problem = match hidden {
                Hidden::LineBreak => SyntaxProblem::InvisibleLineBreak {
                    character,
                    unlisted,
                },
                Hidden::Bidirectional => SyntaxProblem::BidirectionalOverride {
                    character,
                    unlisted,
                },
            };
            Diagnostic::of(problem, span)
        })
        .collect()
}

#[derive(Clone, Copy)]
enum Hidden {
    LineBreak,
    Bidirectional,
}

fn classify(character: char) -> Option<Hidden> {
    match character {
        '\u{000B}' | '\u{000C}' | '\u{0085}' | '\u{2028}' | '\u{2029}' => Some(Hidden::LineBreak),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some(Hidden::Bidirectional),
        _ => None,
    }
}

/// How messages name a hidden character.
pub(super) fn character_name(character: char) -> &'static str {
    match character {
        '\u{000B}' => "vertical tab",
        '\u{000C}' => "form feed",
        '\u{0085}' => "next-line character",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{202A}' => "left-to-right embedding",
        '\u{202B}' => "right-to-left embedding",
        '\u{202C}' => "pop directional formatting",
        '\u{202D}' => "left-to-right override",
        '\u{202E}' => "right-to-left override",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        _ => "hidden character",
    }
}
