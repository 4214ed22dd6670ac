//! JUnit XML: one test case per file of the model, failed when the file has an error, so that CI
//! dashboards that read test results show which files need attention.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{region, severity_word};
use crate::diagnostic::Diagnostic;
use crate::source::SourceMap;
use crate::values::printable;

pub fn to_junit(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut suite = TestSuite::new("coop check");
    for (id, file) in sources.model_files() {
        let found: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.primary.span.file == id)
            .collect();
        let errors: Vec<&&Diagnostic> = found
            .iter()
            .filter(|diagnostic| diagnostic.is_error())
            .collect();
        let mut status = if errors.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut failure = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let first = errors[0];
            failure.set_message(format!(
                "{} ({} in all): {}",
                first.code.name(),
                crate::diagnostic::plural(errors.len(), "error"),
                printable(&first.message)
            ));
            failure
        };
        let described: Vec<String> =
            found
                .iter()
                .map(|diagnostic| {
                    let place = region(sources, diagnostic.primary.span);
                    let rule = diagnostic.rule.as_ref().map_or(String::new(), |rule| {
                        match &rule.citation {
                            Some(citation) => format!(
                                " (rule {}, {}{})",
                                rule.id,
                                printable(citation),
                                printable(&rule.qualifiers())
                            ),
                            None => format!(" (rule {}{})", rule.id, printable(&rule.qualifiers())),
                        }
                    });
                    format!(
                        "{}:{}:{}: {} [{}] {}{rule}",
                        place.file,
                        place.start_line,
                        place.start_column,
                        severity_word(diagnostic.severity()),
                        diagnostic.code.name(),
                        printable(&diagnostic.message)
                    )
                })
                .collect();
        // A failure's text lists every finding; a passing file's warnings go to its output.
        status.set_description(described.join("\n"));
        let mut case = TestCase::new(file.name.clone(), status);
        case.set_classname("coop.check");
        if errors.is_empty() && !described.is_empty() {
            case.set_system_out(described.join("\n"));
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("coop");
    report.add_test_suite(suite);
    match report.to_string() {
        Ok(xml) => xml,
        Err(error) => unreachable!("a JUnit report of plain strings always serialises: {error}"),
    }
}
