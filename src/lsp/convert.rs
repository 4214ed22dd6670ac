//! Between Coop's places (byte offsets into a file) and the protocol's (a line and a column
//! counted in the client's encoding), paths and URIs, and Coop's diagnostics and the protocol's.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range,
    Uri,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{LineIndex, SourceMap, Span};

/// How the client counts columns: UTF-16 code units (the protocol's default) or bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// The position of a byte offset in a text whose lines are `lines`.
pub fn position(text: &str, lines: &LineIndex, offset: usize, encoding: Encoding) -> Position {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let line = lines.line_of(text, offset);
    let before = &text[lines.range(text, line).start..offset];
    let column = match encoding {
        Encoding::Utf8 => before.len(),
        Encoding::Utf16 => before.encode_utf16().count(),
    };
    Position::new(line as u32, column as u32)
}

/// The byte offset of a position in a text whose lines are `lines`; a position past the end of
/// its line is the line's end, and one past the last line the text's end.
pub fn offset(text: &str, lines: &LineIndex, position: Position, encoding: Encoding) -> usize {
    let range = lines.range(text, position.line as usize);
    let start = range.start;
    let line = &text[range];
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let wanted = position.character as usize;
    let mut counted = 0;
    for (index, character) in line.char_indices() {
        if counted >= wanted {
            return start + index;
        }
        counted += match encoding {
            Encoding::Utf8 => character.len_utf8(),
            Encoding::Utf16 => character.len_utf16(),
        };
    }
    start + line.len()
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The range a span covers in its file of the source map.
pub fn range(sources: &SourceMap, span: Span, encoding: Encoding) -> Range {
    let file = sources.file(span.file);
    Range::new(
        position(&file.text, &file.lines, span.start as usize, encoding),
        position(&file.text, &file.lines, span.end as usize, encoding),
    )
}

/// The path a `file:` URI names.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// The `file:` URI of a path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    Uri::from_str(url.as_str()).ok()
}

/// The protocol's diagnostic for one of Coop's: its code, severity, range, message (with the
/// help after it, since the protocol has no place for one), and the related places that have a
/// file to show (`location_of` finds it).
pub fn diagnostic(
    diagnostic: &Diagnostic,
    sources: &SourceMap,
    encoding: Encoding,
    location_of: &dyn Fn(Span) -> Option<Location>,
) -> lsp_types::Diagnostic {
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let mut related: Vec<DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: location_of(label.span)?,
                message: label.text.clone(),
            })
        })
        .collect();
    if let Some(rule) = &diagnostic.rule
        && let Some(location) = location_of(rule.span)
    {
        let citation = rule
            .citation
            .as_ref()
            .map_or(String::new(), |citation| format!(", citing {citation}"));
        related.push(DiagnosticRelatedInformation {
            location,
            message: format!("rule `{}`{citation}", rule.id),
        });
    }
    lsp_types::Diagnostic {
        range: range(sources, diagnostic.primary.span, encoding),
        severity: Some(match diagnostic.severity() {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.name().to_string())),
        source: Some("coop".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::{Encoding, offset, position};
    use crate::source::LineIndex;
    use lsp_types::Position;

    #[test]
    fn columns_count_in_the_clients_encoding() {
        let text = "a\n€é x\n";
        let lines = LineIndex::new(text);
        let x = text.find('x').expect("an x");
        assert_eq!(
            position(text, &lines, x, Encoding::Utf16),
            Position::new(1, 3)
        );
        assert_eq!(
            position(text, &lines, x, Encoding::Utf8),
            Position::new(1, 6)
        );
        assert_eq!(
            offset(text, &lines, Position::new(1, 3), Encoding::Utf16),
            x
        );
        assert_eq!(offset(text, &lines, Position::new(1, 6), Encoding::Utf8), x);
        // Past the end of a line is its end; past the last line, the text's.
        assert_eq!(
            offset(text, &lines, Position::new(0, 9), Encoding::Utf16),
            1
        );
        assert_eq!(
            offset(text, &lines, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
    }
}
