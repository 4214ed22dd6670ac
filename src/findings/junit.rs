//! JUnit XML, as test dashboards read it: one test case per order judged, failed when a finding
//! about it is an error (the order is denied); and one per file of the model for the findings
//! about anything else, failed when one is an error. A model's own tests are
//! `coop test --format junit`, one case each.

use std::collections::HashMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{region, rule_id, severity_word};
use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::model::subjects::Subjects;
use crate::source::SourceMap;
use crate::values::printable;

/// `judged` are the orders judged (none when the model did not check), in the order to list
/// them; each finding goes to the case of the order it is about, or of its file.
pub fn to_junit(
    diagnostics: &[Diagnostic],
    model: Option<&Model>,
    judged: &[crate::model::OrderId],
    sources: &SourceMap,
) -> String {
    let mut about_order: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
    let mut others: Vec<&Diagnostic> = Vec::new();
    let mut report = Report::new("coop");
    if let Some(model) = model {
        let subjects = Subjects::of(model);
        for order in judged {
            about_order.insert(&model.orders[order.0].header.name.value, Vec::new());
        }
        for diagnostic in diagnostics {
            match subjects
                .subject(diagnostic.primary.span)
                .and_then(|subject| about_order.get_mut(subject))
            {
                Some(found) => found.push(diagnostic),
                None => others.push(diagnostic),
            }
        }
        let mut suite = TestSuite::new("coop check: orders");
        for order in judged {
            let header = &model.orders[order.0].header;
            let place = region(sources, header.span);
            let found = about_order
                .get(header.name.value.as_str())
                .map_or(&[][..], Vec::as_slice);
            let mut case = case(printable(&header.name.value), found, sources, "denied");
            case.set_classname(format!("coop.orders.{}", place.file));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    } else {
        others.extend(diagnostics);
    }
    let mut suite = TestSuite::new("coop check: files");
    for (id, file) in sources.model_files() {
        let found: Vec<&Diagnostic> = others
            .iter()
            .copied()
            .filter(|diagnostic| diagnostic.primary.span.file == id)
            .collect();
        let mut case = case(file.name.clone(), &found, sources, "error");
        case.set_classname("coop.files");
        suite.add_test_case(case);
    }
    report.add_test_suite(suite);
    match report.to_string() {
        Ok(xml) => xml,
        Err(error) => unreachable!("a JUnit report of plain strings always serialises: {error}"),
    }
}

/// A case named `name`, failed when one of its findings is an error, the failure's message
/// saying `failing` and the first error; every finding listed, in the failure's text or, when
/// none is an error, in the case's output.
fn case(name: String, found: &[&Diagnostic], sources: &SourceMap, failing: &str) -> TestCase {
    let errors: Vec<&&Diagnostic> = found
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .collect();
    let mut status = match errors.first() {
        None => TestCaseStatus::success(),
        Some(first) => {
            let mut failure = TestCaseStatus::non_success(NonSuccessKind::Failure);
            failure.set_message(format!(
                "{failing}: {} ({} in all): {}",
                rule_id(first),
                crate::diagnostic::plural(errors.len(), "error"),
                printable(&first.message)
            ));
            failure
        }
    };
    let described: Vec<String> = found
        .iter()
        .map(|diagnostic| {
            let place = region(sources, diagnostic.primary.span);
            let citation = diagnostic
                .rule
                .as_ref()
                .and_then(|rule| rule.citation.as_ref())
                .map_or(String::new(), |citation| {
                    let qualifiers = diagnostic.rule.as_ref().map(|rule| rule.qualifiers());
                    format!(
                        " (citing {}{})",
                        printable(citation),
                        printable(&qualifiers.unwrap_or_default())
                    )
                });
            format!(
                "{}:{}:{}: {}[{}]: {}{citation}",
                place.file,
                place.start_line,
                place.start_column,
                severity_word(diagnostic.severity()),
                rule_id(diagnostic),
                printable(&diagnostic.message)
            )
        })
        .collect();
    status.set_description(described.join("\n"));
    let passed = errors.is_empty();
    let mut case = TestCase::new(name, status);
    if passed && !described.is_empty() {
        case.set_system_out(described.join("\n"));
    }
    case
}
