//! The results of `coop test`, for people (expected against actual, with the reasons), as JSON,
//! and as JUnit XML for CI dashboards.

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report as JUnitReport, TestCase, TestCaseStatus, TestSuite};
use serde::Serialize;

use super::{Location, build::location};
use crate::diagnostic::plural;
use crate::eval::expectations::TestOutcome;
use crate::source::SourceMap;
use crate::values::printable;

/// Every test's result, as data.
#[derive(Clone, Debug, Serialize)]
pub struct TestResults {
    pub passed: usize,
    pub failed: usize,
    pub tests: Vec<TestResult>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TestResult {
    pub name: String,
    pub as_of: String,
    pub passed: bool,
    pub location: Location,
    pub expectations: Vec<ExpectationResult>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExpectationResult {
    pub expected: String,
    pub passed: bool,
    pub actual: String,
    pub because: Vec<String>,
    pub location: Location,
}

pub fn results(outcomes: &[TestOutcome], sources: &SourceMap) -> TestResults {
    let tests: Vec<TestResult> = outcomes
        .iter()
        .map(|outcome| TestResult {
            name: outcome.name.clone(),
            as_of: outcome.as_of.to_string(),
            passed: outcome.passed(),
            location: location(sources, outcome.place),
            expectations: outcome
                .expectations
                .iter()
                .map(|expectation| ExpectationResult {
                    expected: expectation.expected.clone(),
                    passed: expectation.passed,
                    actual: expectation.actual.clone(),
                    because: expectation.because.clone(),
                    location: location(sources, expectation.place),
                })
                .collect(),
        })
        .collect();
    let passed = tests.iter().filter(|test| test.passed).count();
    TestResults {
        passed,
        failed: tests.len() - passed,
        tests,
    }
}

/// One line a test; a failed one shows each expectation that failed: expected, actual, why.
pub fn text(results: &TestResults) -> String {
    let mut out = String::new();
    for test in &results.tests {
        let verdict = if test.passed { "ok" } else { "FAILED" };
        let _ = writeln!(
            out,
            "test \"{}\" (as of {}) ... {verdict}",
            printable(&test.name),
            test.as_of
        );
        for expectation in test
            .expectations
            .iter()
            .filter(|expectation| !expectation.passed)
        {
            let _ = writeln!(
                out,
                "  expected: {}\n    actual: {}\n     where: {}:{}",
                printable(&expectation.expected),
                printable(&expectation.actual),
                expectation.location.file,
                expectation.location.line
            );
            for reason in &expectation.because {
                let _ = writeln!(out, "   because: {}", printable(reason));
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{}: {} passed, {} failed",
        plural(results.tests.len(), "test"),
        results.passed,
        results.failed
    );
    out
}

pub fn json(results: &TestResults) -> String {
    match serde_json::to_string_pretty(results) {
        Ok(json) => json + "\n",
        Err(error) => unreachable!("test results are plain data and always serialise: {error}"),
    }
}

/// One JUnit test case a test; a failure's text holds every failed expectation.
pub fn junit(results: &TestResults) -> String {
    let mut suite = TestSuite::new("coop test");
    for test in &results.tests {
        let mut status = if test.passed {
            TestCaseStatus::success()
        } else {
            TestCaseStatus::non_success(NonSuccessKind::Failure)
        };
        let failures: Vec<String> = test
            .expectations
            .iter()
            .filter(|expectation| !expectation.passed)
            .map(|expectation| {
                let mut text = format!(
                    "expected {}; actually {} ({}:{})",
                    printable(&expectation.expected),
                    printable(&expectation.actual),
                    expectation.location.file,
                    expectation.location.line
                );
                for reason in &expectation.because {
                    text.push_str("\n  because ");
                    text.push_str(&printable(reason));
                }
                text
            })
            .collect();
        if let Some(first) = failures.first() {
            status.set_message(first.lines().next().unwrap_or_default().to_string());
            status.set_description(failures.join("\n"));
        }
        let mut case = TestCase::new(printable(&test.name), status);
        case.set_classname(test.location.file.clone());
        suite.add_test_case(case);
    }
    let mut report = JUnitReport::new("coop");
    report.add_test_suite(suite);
    match report.to_string() {
        Ok(xml) => xml,
        Err(error) => unreachable!("a JUnit report of plain strings always serialises: {error}"),
    }
}
