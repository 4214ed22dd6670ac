//! Checking `waive` entries: the rule or code each names exists, the declaration it is about is
//! declared, and it says why and who accepted it.

use super::names::Namespace;
use super::problems::DeclarationProblem;
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::rules::Rule;
use crate::model::{WaivedFinding, Waiver};
use crate::syntax::ast::{self, WaiverField};

/// The model's waivers; one with a problem is reported and left out.
pub(super) fn check(
    files: &[ast::File],
    rules: &[Rule],
    namespace: &Namespace,
    diagnostics: &mut Diagnostics,
) -> Vec<Waiver> {
    files
        .iter()
        .flat_map(|file| &file.waivers)
        .filter_map(|waiver| checked(waiver, rules, namespace, diagnostics))
        .collect()
}

fn checked(
    waiver: &ast::Waiver,
    rules: &[Rule],
    namespace: &Namespace,
    diagnostics: &mut Diagnostics,
) -> Option<Waiver> {
    let finding = waived_finding(&waiver.finding, rules, diagnostics);
    let declared = namespace.lookup(&waiver.on.value).is_some()
        || rules.iter().any(|rule| rule.id.value == waiver.on.value);
    if !declared {
        let names: Vec<&str> = namespace
            .all_names()
            .chain(rules.iter().map(|rule| rule.id.value.as_str()))
            .collect();
        diagnostics.push(Diagnostic::of(
            DeclarationProblem::NothingNamed {
                name: &waiver.on.value,
                suggestion: super::suggest(&waiver.on.value, names),
            },
            waiver.on.span,
        ));
    }
    let mut because = None;
    let mut by = None;
    let mut until = None;
    for field in &waiver.fields {
        let (name, repeated) = match &field.value {
            WaiverField::Because(reason) => {
                ("because", because.replace(reason.value.clone()).is_some())
            }
            WaiverField::By(who) => ("by", by.replace(who.value.clone()).is_some()),
            WaiverField::Until(date) => ("until", until.replace(date.value).is_some()),
        };
        if repeated {
            diagnostics.push(Diagnostic::of(
                DeclarationProblem::DuplicateField {
                    field: name,
                    keyword: "waive",
                    declaration: &waiver.finding.value,
                },
                field.span,
            ));
        }
    }
    let missing = |field: &'static str, example: &'static str| {
        Diagnostic::of(
            DeclarationProblem::MissingField {
                field,
                example,
                keyword: "waive",
                declaration: &waiver.finding.value,
            },
            waiver.finding.span,
        )
    };
    if because.is_none() {
        diagnostics.push(missing(
            "because",
            "because \"ratified by the council, resolution 25-31\"",
        ));
    }
    if by.is_none() {
        diagnostics.push(missing("by", "by \"J. Smith, purchasing manager\""));
    }
    if !declared {
        return None;
    }
    Some(Waiver {
        finding: finding?,
        written: waiver.finding.to_owned_string(),
        on: waiver.on.to_owned_string(),
        because: because?,
        by: by?,
        until,
        span: waiver.span,
    })
}

/// A code, a rule's id, or `PACK/RULE`: what the waiver sets aside.
fn waived_finding(
    written: &ast::Name,
    rules: &[Rule],
    diagnostics: &mut Diagnostics,
) -> Option<WaivedFinding> {
    if let Some(code) = Code::from_name(&written.value) {
        return Some(WaivedFinding::Code(code));
    }
    let (pack, id) = match written.value.split_once('/') {
        Some((pack, id)) => (Some(pack), id),
        None => (None, written.value.as_str()),
    };
    let known = rules
        .iter()
        .any(|rule| rule.id.value == id && (pack.is_none() || rule.pack.as_deref() == pack));
    if known {
        return Some(WaivedFinding::Rule {
            pack: pack.map(str::to_string),
            id: id.to_string(),
        });
    }
    let candidates: Vec<String> = rules
        .iter()
        .flat_map(|rule| {
            let qualified = rule
                .pack
                .as_ref()
                .map(|pack| format!("{pack}/{}", rule.id.value));
            std::iter::once(rule.id.value.clone()).chain(qualified)
        })
        .chain(Code::ALL.iter().map(|code| code.name().to_string()))
        .collect();
    diagnostics.push(Diagnostic::of(
        DeclarationProblem::UnknownWaived {
            finding: &written.value,
            suggestion: super::suggest(&written.value, candidates.iter().map(String::as_str)),
        },
        written.span,
    ));
    None
}
