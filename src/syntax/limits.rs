//! Limits that keep a hostile or mistaken file from exhausting the stack: the parser, the
//! lowering and the checker all recurse into brackets and conditions.

use std::ops::ControlFlow;

use crate::source::{FileId, Span};

/// Brackets of any kind may nest this deep; real models nest three or four deep.
pub(super) const MAXIMUM_NESTING: usize = 64;

/// A condition may be at most this many words and symbols long, nested parts included, which
/// bounds how deep its tree can be.
pub(super) const MAXIMUM_CONDITION_SIZE: usize = 1024;

/// Finds the first bracket that opens past the nesting limit, skipping strings and comments,
/// before pest (which recurses into each bracket) sees the text.
pub(super) fn nesting_too_deep(file: FileId, text: &str) -> Option<Span> {
    let mut depth = 0usize;
    let mut too_deep = None;
    super::trivia::walk(
        text,
        |index, character| {
            match character {
                '(' | '[' | '{' => {
                    depth += 1;
                    if depth > MAXIMUM_NESTING {
                        too_deep = Some(index);
                        return ControlFlow::Break(());
                    }
                }
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            ControlFlow::Continue(())
        },
        |_, _| {},
    );
    too_deep.map(|index| Span::new(file, index, index + 1))
}
