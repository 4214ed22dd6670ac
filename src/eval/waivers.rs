//! Waivers as of a date: which findings a waiver of the model sets aside, and which waivers have
//! expired. A waiver decides nothing: a denied order stays denied, and its findings stay in the
//! evaluation; `coop check` and the reports set waived findings apart.

use super::problems::EvalProblem;
use crate::diagnostic::Diagnostic;
use crate::model::subjects::Subjects;
use crate::model::{Model, WaivedFinding, Waiver};
use crate::values::Date;

/// The waivers of a model in force as of a date, and what each finding is about.
pub struct Waivers<'m> {
    model: &'m Model,
    as_of: Date,
    subjects: Subjects<'m>,
}

impl<'m> Waivers<'m> {
    pub fn new(model: &'m Model, as_of: Date) -> Waivers<'m> {
        Waivers {
            model,
            as_of,
            // Where each of a million declarations is, only when a waiver may need it.
            subjects: if model.waivers.is_empty() {
                Subjects::default()
            } else {
                Subjects::of(model)
            },
        }
    }

    /// The waiver in force that sets `finding` aside, by its index in `Model::waivers`: one that
    /// names its code or rule, about the declaration (or rule) that holds its place. An expired
    /// waiver sets nothing aside, and nothing waives that a waiver expired.
    pub fn waiving(&self, finding: &Diagnostic) -> Option<usize> {
        if self.model.waivers.is_empty() || finding.code == crate::codes::Code::WaiverExpired {
            return None;
        }
        let subject = self.subjects.subject(finding.primary.span)?;
        self.model.waivers.iter().position(|waiver| {
            waiver.on.value == subject && in_force(waiver, self.as_of) && names(waiver, finding)
        })
    }

    /// Splits findings into those in force and those a waiver sets aside (each with its waiver).
    pub fn split(&self, findings: Vec<Diagnostic>) -> (Vec<Diagnostic>, Vec<(Diagnostic, usize)>) {
        let mut kept = Vec::with_capacity(findings.len());
        let mut waived = Vec::new();
        for finding in findings {
            match self.waiving(&finding) {
                Some(waiver) => waived.push((finding, waiver)),
                None => kept.push(finding),
            }
        }
        (kept, waived)
    }
}

/// A warning for each waiver whose last day is before `as_of`.
pub fn expired(model: &Model, as_of: Date) -> Vec<Diagnostic> {
    model
        .waivers
        .iter()
        .filter_map(|waiver| {
            let until = waiver.until.filter(|until| *until < as_of)?;
            Some(Diagnostic::of(
                EvalProblem::WaiverExpired {
                    finding: &waiver.written.value,
                    on: &waiver.on.value,
                    until,
                    by: &waiver.by,
                },
                waiver.written.span,
            ))
        })
        .collect()
}

/// Whether a waiver holds on a date: up to and including its `until`.
pub fn in_force(waiver: &Waiver, as_of: Date) -> bool {
    waiver.until.is_none_or(|until| as_of <= until)
}

/// Whether a waiver names the code or the rule of a finding.
fn names(waiver: &Waiver, finding: &Diagnostic) -> bool {
    match &waiver.finding {
        WaivedFinding::Code(code) => *code == finding.code,
        WaivedFinding::Rule { pack, id } => finding.rule.as_ref().is_some_and(|rule| {
            rule.id == *id && (pack.is_none() || rule.pack.as_deref() == pack.as_deref())
        }),
    }
}
