//! `coop check --format json|sarif|github|junit` for CI: each valid in its own terms, SARIF
//! against the SARIF 2.1.0 schema, and `--deny warnings`.

mod common;

use common::coop;

/// Erroneous fixtures of several kinds: checking errors, syntax errors, denied orders.
const ERRONEOUS: &[&str] = &[
    "tests/fixtures/err/five-mistakes.coop",
    "tests/fixtures/err/denials.coop",
    "tests/fixtures/err/syntax-misspelled-field.coop",
];

#[test]
fn sarif_output_validates_against_the_schema() {
    // The published schema's `run.language` pattern ends in `]?$`: a literal `]` to an
    // ECMAScript regex, an error to Rust's. Escaping it keeps the ECMAScript meaning.
    let published = include_str!("data/sarif-schema-2.1.0.json")
        .replace(r#"-[a-zA-Z]{2}]?$"#, r#"-[a-zA-Z]{2}\\]?$"#);
    let schema: serde_json::Value = serde_json::from_str(&published).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for fixture in ERRONEOUS {
        let output = coop(&[
            "check",
            fixture,
            "--as-of",
            "2026-06-30",
            "--format",
            "sarif",
        ]);
        assert_eq!(output.status.code(), Some(1), "{fixture}");
        let sarif: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|error| format!("{error} at {}", error.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{fixture}: SARIF is not valid:\n{}",
            errors.join("\n")
        );
        let results = sarif["runs"][0]["results"].as_array().expect("results");
        assert!(!results.is_empty(), "{fixture}: no results");
        for result in results {
            let rule = result["ruleId"].as_str().expect("a rule id");
            let index = result["ruleIndex"].as_u64().expect("a rule index") as usize;
            assert_eq!(
                sarif["runs"][0]["tool"]["driver"]["rules"][index]["id"],
                rule
            );
            assert!(
                result["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .is_some()
            );
        }
    }
}

#[test]
fn json_output_counts_and_lists_every_finding() {
    let output = coop(&[
        "check",
        "tests/fixtures/err/five-mistakes.coop",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(json["errors"], 5);
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(5));
    assert_eq!(json["findings"][0]["code"], "undefined-name");
}

#[test]
fn github_output_is_one_annotation_per_finding() {
    let output = coop(&[
        "check",
        "tests/fixtures/err/five-mistakes.coop",
        "--format",
        "github",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    for line in lines {
        assert!(
            line.starts_with("::error file=tests/fixtures/err/five-mistakes.coop,line="),
            "{line}"
        );
        assert!(line.contains(",title="), "{line}");
    }
}

#[test]
fn junit_output_parses_with_one_case_per_file() {
    let output = coop(&[
        "check",
        "tests/fixtures/err/denials.coop",
        "--as-of",
        "2026-06-30",
        "--format",
        "junit",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let xml = String::from_utf8_lossy(&output.stdout);
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("valid JUnit XML");
    assert_eq!(report.tests, 1);
    assert_eq!(report.failures, 1);
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let fixture = "tests/fixtures/ok/unpriced-item.coop";
    assert_eq!(
        coop(&["check", fixture, "--as-of", "2026-01-01"])
            .status
            .code(),
        Some(0)
    );
    let denied = coop(&[
        "check",
        fixture,
        "--as-of",
        "2026-01-01",
        "--deny",
        "warnings",
    ]);
    assert_eq!(denied.status.code(), Some(1));
    let clean = coop(&[
        "check",
        "tests/fixtures/ok/minimal.coop",
        "--as-of",
        "2026-01-01",
        "--deny",
        "warnings",
    ]);
    assert_eq!(clean.status.code(), Some(0));
}
