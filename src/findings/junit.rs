//! JUnit XML, as test dashboards read it: one test case per order judged, failed when the order
//! is denied; and one per file of the model for the findings about anything else, failed when
//! the file has an error. A model's own tests are `coop test --format junit`, one case each.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{region, rule_id, severity_word};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceMap, Span};
use crate::values::printable;

/// An order judged, with every finding about it: its reasons when denied, its warnings.
pub struct JudgedOrder<'a> {
    pub name: &'a str,
    /// Where the order is declared.
    pub span: Span,
    pub findings: Vec<&'a Diagnostic>,
}

/// `orders` are the orders judged, each with its findings; `others` are the findings about
/// anything but one order (checking, contracts, bindings), filed under the file they are in.
pub fn to_junit(orders: &[JudgedOrder<'_>], others: &[&Diagnostic], sources: &SourceMap) -> String {
    let mut report = Report::new("coop");
    if !orders.is_empty() {
        let mut suite = TestSuite::new("coop check: orders");
        for order in orders {
            let place = region(sources, order.span);
            let mut case = case(printable(order.name), &order.findings, sources, "denied");
            case.set_classname(format!("coop.orders.{}", place.file));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
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
                    format!(" (citing {})", printable(citation))
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
