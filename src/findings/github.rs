//! GitHub Actions workflow commands: one `::error` or `::warning` line per finding, which GitHub
//! shows as an annotation on the line of the pull request.

use super::{region, severity_word};
use crate::diagnostic::Diagnostic;
use crate::source::SourceMap;

pub fn to_github(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let place = region(sources, diagnostic.primary.span);
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        // A rule's finding is titled by its rule, and cites its source.
        let title = match &diagnostic.rule {
            Some(rule) => {
                if let Some(citation) = &rule.citation {
                    message.push_str(&format!(
                        "\nrule {}: {citation}{}",
                        rule.id,
                        rule.qualifiers()
                    ));
                }
                format!("{} ({})", diagnostic.code.name(), rule.id)
            }
            None => diagnostic.code.name().to_string(),
        };
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            severity_word(diagnostic.severity()),
            property(&place.file),
            place.start_line,
            place.start_column,
            place.end_line,
            place.end_column,
            property(&title),
            data(&message)
        ));
    }
    out
}

/// Escapes a command's message, as GitHub's toolkit does.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value, where `:` and `,` also separate.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
