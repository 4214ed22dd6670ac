//! Baselines: the findings a model had when CI adopted Coop, so that `coop check --baseline`
//! fails only on new ones. Findings are keyed by what they are, not where: the rule they are
//! filed under and the declaration they are about (`us-wa/wa_interlocal_agreement` on
//! `lkw_2025`), so that editing a file above a finding, or moving a declaration to another file,
//! changes nothing. A finding about no declaration is keyed by its file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rule_id;
use crate::diagnostic::Diagnostic;
use crate::model::subjects::Subjects;
use crate::source::SourceMap;

/// The version of the baseline format this coop writes and reads.
const VERSION: u32 = 1;

/// A baseline file: how many findings of each key the model had.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub coop_baseline: u32,
    pub findings: Vec<Entry>,
}

/// Findings of one rule about one declaration (or, about none, in one file).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The rule the findings are filed under: a code, or `PACK/RULE`.
    pub rule: String,
    /// The declaration or rule they are about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    /// The file they are in, when they are about no declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// How many there were.
    pub count: usize,
}

/// What a baseline makes of a check's findings.
pub struct Compared {
    /// Findings the baseline does not hold: those a check fails on.
    pub new: Vec<Diagnostic>,
    /// How many findings the baseline holds.
    pub known: usize,
    /// Entries of the baseline no longer found, in part or whole: fixed findings, with how many
    /// of each are gone.
    pub fixed: Vec<Entry>,
}

impl Baseline {
    /// Records the findings of a check.
    pub fn record(
        diagnostics: &[Diagnostic],
        subjects: &Subjects<'_>,
        sources: &SourceMap,
    ) -> Baseline {
        let mut counts: BTreeMap<(String, Option<String>, Option<String>), usize> = BTreeMap::new();
        for diagnostic in diagnostics {
            *counts
                .entry(key(diagnostic, subjects, sources))
                .or_default() += 1;
        }
        Baseline {
            coop_baseline: VERSION,
            findings: counts
                .into_iter()
                .map(|((rule, on, file), count)| Entry {
                    rule,
                    on,
                    file,
                    count,
                })
                .collect(),
        }
    }

    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = serde_json::from_str(text)
            .map_err(|error| crate::values::printable(&error.to_string()))?;
        if baseline.coop_baseline != VERSION {
            return Err(format!(
                "it is a baseline of version {}, and this coop reads version {VERSION}",
                baseline.coop_baseline
            ));
        }
        Ok(baseline)
    }

    /// The baseline as a file holds it: pretty JSON, keys sorted, ending with a newline.
    pub fn to_json(&self) -> String {
        match serde_json::to_string_pretty(self) {
            Ok(json) => json + "\n",
            Err(error) => unreachable!("a baseline is plain data and always serialises: {error}"),
        }
    }

    /// Sets aside the findings the baseline holds: of each key, as many as it counts (the first
    /// ones in order); the rest are new.
    pub fn compare(
        &self,
        diagnostics: Vec<Diagnostic>,
        subjects: &Subjects<'_>,
        sources: &SourceMap,
    ) -> Compared {
        let mut left: BTreeMap<(String, Option<String>, Option<String>), usize> = self
            .findings
            .iter()
            .map(|entry| {
                (
                    (entry.rule.clone(), entry.on.clone(), entry.file.clone()),
                    entry.count,
                )
            })
            .collect();
        let mut new = Vec::new();
        let mut known = 0;
        for diagnostic in diagnostics {
            match left.get_mut(&key(&diagnostic, subjects, sources)) {
                Some(count) if *count > 0 => {
                    *count -= 1;
                    known += 1;
                }
                _ => new.push(diagnostic),
            }
        }
        let fixed = left
            .into_iter()
            .filter(|(_, count)| *count > 0)
            .map(|((rule, on, file), count)| Entry {
                rule,
                on,
                file,
                count,
            })
            .collect();
        Compared { new, known, fixed }
    }
}

/// A finding's key: its rule, and the declaration it is about or else its file.
fn key(
    diagnostic: &Diagnostic,
    subjects: &Subjects<'_>,
    sources: &SourceMap,
) -> (String, Option<String>, Option<String>) {
    let on = subjects
        .subject(diagnostic.primary.span)
        .map(str::to_string);
    let file = match on {
        Some(_) => None,
        None => Some(sources.file(diagnostic.primary.span.file).name.clone()),
    };
    (rule_id(diagnostic).into_owned(), on, file)
}
