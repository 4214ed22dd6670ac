//! One diagnostic type for every phase, the sink that accumulates them, and their rendering
//! through miette.
//!
//! Every diagnostic is made from a problem: each phase names what it finds as a variant of its
//! own enum (`LoadProblem`, `SyntaxProblem`, `NameProblem`, `DeclarationProblem`, `RuleProblem`,
//! `EvalProblem`), and that enum's `Problem::describe` gives the variant its one code, message,
//! label and help. `Diagnostic::of` is the only way to build a `Diagnostic`, so no message can
//! be written apart from its code.

use std::fmt;

use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::{Deserialize, Serialize};

use crate::codes::Code;
use crate::source::{SourceMap, Span};
use crate::values::printable;

/// A finding about the model: what, where, and how to fix it.
///
/// Its fields are read anywhere, but it is built only by `Diagnostic::of`: its severity, always
/// its code's, is private, so no other module can write a `Diagnostic { .. }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    severity: Severity,
    pub message: String,
    /// The place the finding is about, with a short label.
    pub primary: Label,
    /// Other places that explain it: the earlier definition, the clause violated, ...
    pub related: Vec<Label>,
    pub help: Option<String>,
    /// What the text at the primary place was most likely meant to be, when the help suggests
    /// it ("did you mean"): an editor offers it as a fix.
    pub replacement: Option<String>,
    /// The rule that made the finding, for findings of rules.
    pub rule: Option<Box<RuleReference>>,
}

/// A problem one phase found, as a typed value.
///
/// Each phase has an enum of its problems whose variants carry their data; `describe` maps each
/// variant to its one code, message, label and help, in one place, so a message cannot drift
/// from its code and no code is used for a problem it does not name. A `Diagnostic` is made only
/// from a problem (`Diagnostic::of`); what it adds afterwards are places (`with_related`) and the
/// rule that made it (`with_rule`).
pub trait Problem {
    fn describe(self) -> Description;
}

/// What a problem says: its code, its message, the label at its place, and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    code: Code,
    message: String,
    label: String,
    help: Option<String>,
    replacement: Option<String>,
}

/// What a finding says of the rule that made it: which rule, and the source it encodes.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleReference {
    pub id: String,
    pub title: Option<String>,
    pub citation: Option<String>,
    /// The rule pack it comes from, when it comes from one.
    pub pack: Option<String>,
    /// When the version of the rule that judged is in force, if not always: `2015-07-24 to ...`.
    pub in_force: Option<String>,
    /// Whether its pack is used as warnings.
    pub as_warnings: bool,
    /// Where the rule is written.
    pub span: Span,
}

impl RuleReference {
    /// What says which version of the rule judged, and that its pack only warns:
    /// `, in force 2015-07-24 to ...`, `, pack us-wa used as warnings`; empty for most rules.
    pub fn qualifiers(&self) -> String {
        qualifiers(
            self.in_force.as_deref(),
            self.pack.as_deref(),
            self.as_warnings,
        )
    }
}

/// `, in force 2015-07-24 to ..., pack us-wa used as warnings`, each part when it applies.
pub fn qualifiers(in_force: Option<&str>, pack: Option<&str>, as_warnings: bool) -> String {
    let mut text = String::new();
    if let Some(in_force) = in_force {
        text.push_str(&format!(", in force {in_force}"));
    }
    if as_warnings {
        text.push_str(&format!(
            ", pack {} used as warnings",
            pack.unwrap_or("(local)")
        ));
    }
    text
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// A span with a short text saying what is there.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// Text for a finding, with control characters other than line ends shown escaped: a name read
/// from a ledger or a message written in a rule must not move a terminal's cursor or change its
/// colours.
fn safe(text: String) -> String {
    if !text
        .chars()
        .any(|character| character.is_control() && character != '\n')
    {
        return text;
    }
    text.split('\n')
        .map(crate::values::printable)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Collects diagnostics from every phase; phases add to it and never stop at the first.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// How many of the items are errors, kept as they are added so that asking is free.
    errors: usize,
}

impl Description {
    pub fn new(code: Code, message: impl Into<String>, label: impl Into<String>) -> Description {
        Description {
            code,
            message: message.into(),
            label: label.into(),
            help: None,
            replacement: None,
        }
    }

    /// What the text at the problem's place was most likely meant to be; the help says so.
    pub fn replacement(mut self, meant: impl Into<String>) -> Description {
        self.replacement = Some(meant.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Description {
        self.help = Some(help.into());
        self
    }

    /// The replacement, when there is one.
    pub fn replacement_of(self, meant: Option<String>) -> Description {
        match meant {
            Some(meant) => self.replacement(meant),
            None => self,
        }
    }

    /// A "did you mean" help when a close candidate exists.
    pub fn suggestion(self, candidate: Option<&str>) -> Description {
        match candidate {
            Some(candidate) => self
                .help(format!("did you mean `{candidate}`?"))
                .replacement(candidate),
            None => self,
        }
    }

    /// A "did you mean" help when a close candidate exists, and `otherwise` when none does.
    pub fn suggestion_or(
        self,
        candidate: Option<&str>,
        otherwise: impl Into<String>,
    ) -> Description {
        match candidate {
            Some(_) => self.suggestion(candidate),
            None => self.help(otherwise),
        }
    }
}

impl Diagnostic {
    /// The diagnostic for a problem found at `span`, with its code's own severity.
    pub fn of(problem: impl Problem, span: Span) -> Diagnostic {
        let Description {
            code,
            message,
            label,
            help,
            replacement,
        } = problem.describe();
        Diagnostic {
            code,
            severity: code.severity(),
            message: safe(message),
            primary: Label::new(span, label),
            related: Vec::new(),
            help: help.map(safe),
            replacement,
            rule: None,
        }
    }

    pub fn with_rule(mut self, rule: RuleReference) -> Self {
        self.rule = Some(Box::new(rule));
        self
    }

    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Label::new(span, label));
        self
    }

    pub fn severity(&self) -> Severity {
        self.severity
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl Label {
    pub fn new(span: Span, text: impl Into<String>) -> Label {
        Label {
            span,
            text: safe(text.into()),
        }
    }
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.errors += usize::from(diagnostic.is_error());
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        for diagnostic in diagnostics {
            self.push(diagnostic);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// Whether an error was found outside ledgers: a ledger row in error is left out of the model
    /// (and reported), while an error anywhere else stops the model.
    pub fn has_errors_outside_ledgers(&self, sources: &SourceMap) -> bool {
        self.items
            .iter()
            .any(|item| item.is_error() && !sources.is_ledger(item.primary.span.file))
    }

    /// Whether an error of another code than `code` was found outside ledgers.
    pub fn has_errors_outside_ledgers_but(&self, code: Code, sources: &SourceMap) -> bool {
        self.items.iter().any(|item| {
            item.is_error() && item.code != code && !sources.is_ledger(item.primary.span.file)
        })
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn error_count(&self) -> usize {
        self.errors
    }

    /// The diagnostics in a stable order: by file, then position, then code.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|left, right| {
            (left.primary.span, left.code, &left.message).cmp(&(
                right.primary.span,
                right.code,
                &right.message,
            ))
        });
        self.items
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` honours width and alignment, so listings can line severities up.
        formatter.pad(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Renders diagnostics for people, with source excerpts; `color` picks the terminal theme.
///
/// The width is fixed so that output does not depend on the terminal it was made on.
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let handler = || {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false)
            .with_show_related_as_nested(true)
    };
    let render_some = |handler: &mut GraphicalReportHandler, range: std::ops::Range<usize>| {
        let mut output = String::new();
        for diagnostic in &diagnostics[range] {
            let report = MietteReport::new(diagnostic, sources);
            // Writing into a String cannot fail; a formatter error here would be a bug in miette.
            if handler.render_report(&mut output, &report).is_err() {
                output.push_str(&format!(
                    "{}: {}\n",
                    diagnostic.code.name(),
                    diagnostic.message
                ));
            }
        }
        output
    };
    // Thousands of findings (a large program's first check) take a quarter of a second to lay
    // out, on one core while the other waited; each helper renders its share, joined in order.
    let mut output = String::new();
    let Ok(_) = crate::parallel::in_order(
        diagnostics.len(),
        RENDERED_AT_ONCE,
        handler,
        render_some,
        |_, rendered: String| {
            output.push_str(&rendered);
            Ok::<(), std::convert::Infallible>(())
        },
    );
    output
}

/// How many findings a helper renders at a time: enough that handing them over costs little.
const RENDERED_AT_ONCE: usize = 64;

/// A one-line summary such as `2 errors, 1 warning`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .count();
    let warnings = diagnostics.len() - errors;
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// `1 order`, `3 orders`, `2 agencies`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else if let Some(stem) = noun
        .strip_suffix('y')
        .filter(|stem| !stem.ends_with(['a', 'e', 'i', 'o', 'u']))
    {
        format!("{count} {stem}ies")
    } else {
        format!("{count} {noun}s")
    }
}

/// A diagnostic shaped for miette. Related labels near the primary one are drawn in its excerpt;
/// labels in another file, or far away in the same one, become related reports of their own,
/// since one miette report shows one excerpt per source and miette 7 merges distant excerpts of
/// one file into one long block.
#[derive(Debug)]
struct MietteReport {
    code: Option<&'static str>,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    /// `None` when an excerpt would be unreadable (see `excerpt_fits`).
    source: Option<SourceView>,
    labels: Vec<LabeledSpan>,
    elsewhere: Vec<MietteReport>,
}

/// A related label within this many lines of the primary one shares its excerpt.
const NEARBY_LINES: usize = 3;

impl MietteReport {
    fn new(diagnostic: &Diagnostic, sources: &SourceMap) -> MietteReport {
        let primary = diagnostic.primary.span;
        let primary_line = sources.file(primary.file).line_of(primary.start as usize);
        // A diagnostic's texts keep their line breaks for the HTML report; on a terminal every
        // text is one line, so that a message cannot forge lines of its own.
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(printable(&diagnostic.primary.text)),
            primary.range(),
        )];
        let mut elsewhere = Vec::new();
        for label in &diagnostic.related {
            let nearby = label.span.file == primary.file
                && sources
                    .file(label.span.file)
                    .line_of(label.span.start as usize)
                    .abs_diff(primary_line)
                    <= NEARBY_LINES;
            if nearby {
                labels.push(LabeledSpan::new_with_span(
                    Some(printable(&label.text)),
                    label.span.range(),
                ));
            } else {
                let source = source_view(sources, label.span);
                let (message, labels) = match source {
                    Some(_) => (
                        printable(&label.text),
                        vec![LabeledSpan::new_primary_with_span(None, label.span.range())],
                    ),
                    None => (
                        format!(
                            "{} ({})",
                            printable(&label.text),
                            plain_location(sources, label.span)
                        ),
                        Vec::new(),
                    ),
                };
                elsewhere.push(MietteReport {
                    code: None,
                    severity: miette::Severity::Advice,
                    message,
                    help: None,
                    source,
                    labels,
                    elsewhere: Vec::new(),
                });
            }
        }
        labels.sort_by_key(|label| (label.offset(), label.len()));
        let source = source_view(sources, primary);
        let message = match source {
            Some(_) => printable(&diagnostic.message),
            None => {
                // No excerpt: say where, and what the labels would have said.
                labels.clear();
                format!(
                    "{}\n{}: {}",
                    printable(&diagnostic.message),
                    plain_location(sources, primary),
                    printable(&diagnostic.primary.text)
                )
            }
        };
        MietteReport {
            code: Some(diagnostic.code.name()),
            severity: match diagnostic.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            message,
            help: help_with_rule(diagnostic, sources),
            source,
            labels,
            elsewhere,
        }
    }
}

/// The help, followed by the rule that made the finding and the source it cites.
fn help_with_rule(diagnostic: &Diagnostic, sources: &SourceMap) -> Option<String> {
    let help = diagnostic.help.as_deref().map(printable);
    let Some(rule) = &diagnostic.rule else {
        return help;
    };
    let title = rule
        .title
        .as_ref()
        .map_or(String::new(), |title| format!(" \"{}\"", printable(title)));
    let citation = rule.citation.as_ref().map_or(String::new(), |citation| {
        format!(", citing {}", printable(citation))
    });
    let line = format!(
        "rule `{}`{title}{citation}{} ({})",
        rule.id,
        printable(&rule.qualifiers()),
        plain_location(sources, rule.span)
    );
    Some(match help {
        Some(help) => format!("{help}\n{line}"),
        None => line,
    })
}

/// Lines longer than this are not shown in excerpts: miette cannot draw labels past column
/// 65,535, and nobody reads a megabyte of minified text in a terminal.
const MAXIMUM_EXCERPT_LINE: usize = 1_000;

/// Whether the lines around a span are short enough to show.
fn excerpt_fits(sources: &SourceMap, span: Span) -> bool {
    let file = sources.file(span.file);
    let first = file.line_of(span.start as usize).saturating_sub(1);
    let last = (file.line_of(span.end as usize) + 1).min(file.line_count() - 1);
    (first..=last).all(|line| file.line_range(line).len() <= MAXIMUM_EXCERPT_LINE)
}

fn source_view(sources: &SourceMap, span: Span) -> Option<SourceView> {
    let file = sources.file(span.file);
    excerpt_fits(sources, span).then(|| SourceView {
        name: file.name.clone(),
        text: Arc::clone(file.shown_text.as_ref().unwrap_or(&file.text)),
        lines: Arc::clone(&file.lines),
    })
}

/// `file:line:column`, for a diagnostic shown without its excerpt.
fn plain_location(sources: &SourceMap, span: Span) -> String {
    let position = sources.line_column(span);
    format!(
        "{}:{}:{}",
        sources.file(span.file).name,
        position.line,
        position.column
    )
}

/// A file as miette reads it, through our line index: finding an excerpt costs a binary search,
/// not a scan from the start of the file, and columns count characters.
#[derive(Debug)]
struct SourceView {
    name: String,
    text: Arc<String>,
    /// The text's lines; the text shown has its line ends where the file's text has them.
    lines: Arc<crate::source::LineIndex>,
}

impl SourceView {
    fn line_of(&self, offset: usize) -> usize {
        self.lines.line_of(&self.text, offset)
    }

    fn line_start(&self, line: usize) -> usize {
        self.lines.range(&self.text, line).start
    }

    fn line_end(&self, line: usize) -> usize {
        self.lines.range(&self.text, line).end
    }
}

impl SourceCode for SourceView {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let start_line = self.line_of(start);
        let end_line = self.line_of(end.saturating_sub(1).max(start));
        let first_line = start_line.saturating_sub(context_lines_before);
        let last_line = (end_line + context_lines_after).min(self.lines.len() - 1);
        // Without context before, miette expects the data to start at the span itself.
        let (data_start, column) = if context_lines_before == 0 {
            let line_start = self.line_start(start_line);
            (
                start,
                self.text
                    .get(line_start..start)
                    .map_or(0, |before| before.chars().count()),
            )
        } else {
            (self.line_start(first_line), 0)
        };
        let data_end = self.line_end(last_line).max(data_start);
        let data = &self.text.as_bytes()[data_start..data_end];
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            data,
            (data_start, data_end - data_start).into(),
            if context_lines_before == 0 {
                start_line
            } else {
                first_line
            },
            column,
            last_line - first_line + 1,
        )
        .with_language("coop");
        Ok(Box::new(contents))
    }
}

impl fmt::Display for MietteReport {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for MietteReport {}

impl miette::Diagnostic for MietteReport {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .map(|code| Box::new(code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|source| source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.elsewhere.is_empty() {
            return None;
        }
        Some(Box::new(
            self.elsewhere
                .iter()
                .map(|report| report as &dyn miette::Diagnostic),
        ))
    }
}

/// The diagnostics in the order they were added.
impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}
