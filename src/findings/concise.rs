//! Findings in short: one line each, `file:line:col: severity[rule]: message`, the form compilers
//! print short (rustc's and cargo's `--message-format short`, GitHub's problem matchers), for
//! grep, editors' quickfix lists and logs; and `--statistics`, a count per rule.

use std::collections::BTreeMap;

use super::{region, rule_id, severity_word};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;
use crate::values::printable;

/// One line per finding. The bracket holds the rule the finding is filed under: its code, or
/// for a finding of a pack's or the model's rule, the rule (`error[us-wa/wa_posted_online]`).
pub fn to_concise(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let place = region(sources, diagnostic.primary.span);
        out.push_str(&format!(
            "{}:{}:{}: {}[{}]: {}\n",
            place.file,
            place.start_line,
            place.start_column,
            severity_word(diagnostic.severity()),
            rule_id(diagnostic),
            printable(&diagnostic.message)
        ));
    }
    out
}

/// How many findings each rule made, most first: the count, the severity, the rule and what it
/// is about (a code's summary, a rule's title).
pub fn statistics(diagnostics: &[Diagnostic]) -> String {
    let mut counts: BTreeMap<(Severity, String), (usize, String)> = BTreeMap::new();
    for diagnostic in diagnostics {
        let about = match (&diagnostic.rule, rule_id(diagnostic)) {
            (Some(rule), id) if id != diagnostic.code.name() => {
                rule.title.clone().unwrap_or_else(|| rule.id.clone())
            }
            _ => diagnostic.code.summary().to_string(),
        };
        counts
            .entry((diagnostic.severity(), rule_id(diagnostic).into_owned()))
            .or_insert((0, about))
            .0 += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    // Most first; then errors before warnings, then by rule, so the order never varies.
    rows.sort_by(
        |((left_severity, left_rule), (left, _)), ((right_severity, right_rule), (right, _))| {
            right
                .cmp(left)
                .then(left_severity.cmp(right_severity))
                .then(left_rule.cmp(right_rule))
        },
    );
    let count_width = rows
        .iter()
        .map(|(_, (count, _))| count.to_string().len())
        .max()
        .unwrap_or(1);
    let rule_width = rows
        .iter()
        .map(|((_, rule), _)| rule.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|((severity, rule), (count, about))| {
            format!(
                "{count:>count_width$}  {severity:<7}  {:<rule_width$}  {}\n",
                printable(rule),
                printable(about)
            )
        })
        .collect()
}
