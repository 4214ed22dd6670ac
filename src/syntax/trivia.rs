//! Reading raw text around strings and comments, for the checks that run before pest (nesting)
//! and the formatter, which puts back the comments pest skips.

use std::ops::ControlFlow;

/// Walks `text`, calling `code` with each character outside strings and comments (stopping when
/// it breaks) and `comment` with the byte range of each `//` comment (without its line end).
pub(super) fn walk(
    text: &str,
    mut code: impl FnMut(usize, char) -> ControlFlow<()>,
    mut comment: impl FnMut(usize, usize),
) {
    let mut characters = text.char_indices().peekable();
    while let Some((index, character)) = characters.next() {
        match character {
            '"' => {
                while let Some((_, inside)) = characters.next() {
                    match inside {
                        '\\' => {
                            characters.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            '/' if characters.peek().is_some_and(|(_, next)| *next == '/') => {
                let mut end = text.len();
                for (position, inside) in characters.by_ref() {
                    if inside == '\n' {
                        end = position;
                        break;
                    }
                }
                comment(index, end);
            }
            _ => {
                if code(index, character).is_break() {
                    return;
                }
            }
        }
    }
}

/// Every `//` comment outside strings, as byte ranges.
pub(super) fn comments(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    walk(
        text,
        |_, _| ControlFlow::Continue(()),
        |start, end| found.push((start, end)),
    );
    found
}
