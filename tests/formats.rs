//! `coop check --format json|jsonl|sarif|github|junit|concise` for CI: each valid in its own terms,
//! SARIF against the SARIF 2.1.0 schema with a rule for every rule of the packs, `--statistics`,
//! `--quiet` and `--deny warnings`.

mod common;

use std::collections::BTreeSet;

use common::{coop, stderr, stdout};

/// Erroneous models of several kinds: checking errors, syntax errors, denied orders, and orders
/// denied by the rules of shipped packs.
const ERRONEOUS: &[&str] = &[
    "tests/fixtures/err/five-mistakes.coop",
    "tests/fixtures/err/denials.coop",
    "tests/fixtures/err/syntax-misspelled-field.coop",
    "examples/us-wa.coop",
    "examples/us-tx.coop",
    "examples/usage-reporting.coop",
    "tests/fixtures/err/rules-outcomes.coop",
];

/// Where the SARIF's links to the documentation lead, in these tests.
const DOCUMENTATION: &str = "https://coop.test/docs";

#[test]
fn sarif_output_validates_against_the_schema() {
    // The published schema's `run.language` pattern ends in `]?$`: a literal `]` to an
    // ECMAScript regex, an error to Rust's. Escaping it keeps the ECMAScript meaning.
    let published = include_str!("data/sarif-schema-2.1.0.json")
        .replace(r#"-[a-zA-Z]{2}]?$"#, r#"-[a-zA-Z]{2}\\]?$"#);
    let schema: serde_json::Value = serde_json::from_str(&published).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for fixture in ERRONEOUS {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_coop"))
            .args([
                "check",
                fixture,
                "--as-of",
                "2026-06-30",
                "--format",
                "sarif",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("COOP_DOCUMENTATION", DOCUMENTATION)
            .output()
            .expect("the coop binary runs");
        assert!(
            output.status.code().is_some_and(|code| code < 2),
            "{fixture}: {}",
            stderr(&output)
        );
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
        let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules");
        for result in results {
            let rule = result["ruleId"].as_str().expect("a rule id");
            let index = result["ruleIndex"].as_u64().expect("a rule index") as usize;
            assert_eq!(rules[index]["id"], rule);
            assert!(
                result["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .is_some()
            );
            // A finding of a rule is filed under the rule, not under `rule-denied`.
            assert_ne!(rule, "rule-denied", "{fixture}");
            assert_ne!(rule, "rule-warning", "{fixture}");
        }
        // Every location is in a file of the model: none in a shipped pack, which has no file.
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(!text.contains("coop:rules"), "{fixture}: {text}");
        for rule in rules {
            let id = rule["id"].as_str().expect("an id");
            let documented = match id.split_once('/') {
                Some((pack, _)) => coop::packs::shipped(pack).is_some(),
                None => coop::codes::Code::from_name(id).is_some(),
            };
            if documented {
                let help = rule["helpUri"].as_str().expect("a help URI");
                assert!(help.starts_with(DOCUMENTATION), "{id}: {help}");
            }
        }
    }
}

#[test]
fn sarif_has_a_rule_for_each_rule_of_the_packs_and_files_findings_under_them() {
    let output = coop(&[
        "check",
        "examples/us-wa.coop",
        "--as-of",
        "2026-06-30",
        "--format",
        "sarif",
    ]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    let ids: BTreeSet<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|rule| rule["id"].as_str())
        .collect();
    for rule in [
        "us-wa/wa_posted_online",
        "us-wa/wa_lead_followed_own_statutes",
        "us-wa/wa_interlocal_agreement",
        "access-missing",
        "rule-denied",
    ] {
        assert!(ids.contains(rule), "no rule {rule} in {ids:?}");
    }
    // One descriptor for each rule of the pack, and no rule described twice.
    let descriptors = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(descriptors, ids.len(), "a rule described twice");
    let pack = coop::packs::shipped("us-wa")
        .and_then(|pack| pack.summary())
        .expect("the us-wa pack");
    assert!(!pack.rules.is_empty());
    for rule in &pack.rules {
        let id = format!("us-wa/{}", rule.id);
        assert!(ids.contains(id.as_str()), "no rule {id} in {ids:?}");
    }
    let filed: BTreeSet<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|result| result["ruleId"].as_str())
        .collect();
    assert!(filed.contains("us-wa/wa_interlocal_agreement"), "{filed:?}");
    // Without a place for the documentation, no link is made up.
    assert!(!String::from_utf8_lossy(&output.stdout).contains("helpUri"));
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_coop"))
        .args(["check", "examples/us-wa.coop", "--format", "sarif"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COOP_DOCUMENTATION", "docs")
        .output()
        .expect("the coop binary runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("not an http or https URL"));
}

#[test]
fn concise_output_is_one_line_per_finding() {
    let output = coop(&[
        "check",
        "examples/us-wa.coop",
        "--as-of",
        "2026-06-30",
        "--format",
        "concise",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output).lines().take(2).collect::<Vec<_>>(),
        [
            "examples/us-wa.coop:166:10: warning[term-ending-soon]: contract `sc_2024_07` ends on 2026-09-30, 92 days after the as-of date: within 180 days",
            "examples/us-wa.coop:404:7: error[us-wa/wa_interlocal_agreement]: a Washington agency needs an interlocal agreement with Spokane County, in force on the order date (2024-08-27), among the instruments it uses"
        ]
    );
    let checked = coop(&["check", "examples/us-wa.coop", "--as-of", "2026-06-30"]);
    let findings =
        stderr(&checked).matches("\n  × ").count() + stderr(&checked).matches("\n  ⚠ ").count();
    assert_eq!(stdout(&output).lines().count(), findings);
    assert!(stderr(&output).contains("checked 2 files"));
}

#[test]
fn statistics_count_findings_per_rule_and_quiet_prints_findings_only() {
    let output = coop(&[
        "check",
        "examples/naspo-valuepoint.coop",
        "--as-of",
        "2026-06-30",
        "--statistics",
        "--quiet",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("1  warning  naspo-valuepoint/naspo_fee_in_price"),
        "{text}"
    );
    assert!(text.contains("1  error    access-not-in-force"), "{text}");
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    let machine = coop(&[
        "check",
        "examples/naspo-valuepoint.coop",
        "--statistics",
        "--format",
        "sarif",
    ]);
    assert_eq!(machine.status.code(), Some(2));
}

#[test]
fn related_places_are_drawn_under_their_finding_without_an_empty_heading() {
    let output = coop(&["check", "tests/fixtures/err/names.coop"]);
    let text = stderr(&output);
    assert!(!text.contains("Advice:"), "{text}");
    assert!(text.contains("╰─▶"), "{text}");
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

/// `check --format jsonl`: the run, a line per finding (those waived last), the counts; every
/// line valid against the published schema, and the same findings and counts as `--format json`.
#[test]
fn jsonl_output_is_a_line_per_finding_as_json_lists_them() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../docs/report-jsonl.schema.json"))
            .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let waivers = ["tests/fixtures/ok/waivers.coop"];
    for fixture in ERRONEOUS.iter().chain(&waivers) {
        let run = |format| {
            coop(&[
                "check",
                fixture,
                "--as-of",
                "2026-06-30",
                "--format",
                format,
            ])
        };
        let (lines, json) = (run("jsonl"), run("json"));
        assert_eq!(lines.status.code(), json.status.code(), "{fixture}");
        let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
        let lines: Vec<serde_json::Value> = stdout(&lines)
            .lines()
            .map(|line| {
                let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
                let errors: Vec<String> = validator
                    .iter_errors(&value)
                    .map(|error| format!("{error} at {}", error.instance_path()))
                    .collect();
                assert!(
                    errors.is_empty(),
                    "{fixture}: {line}\n{}",
                    errors.join("\n")
                );
                value
            })
            .collect();
        let (run, summary) = (&lines[0], &lines[lines.len() - 1]);
        assert_eq!(run["type"], "run", "{fixture}");
        assert_eq!(run["command"], "check");
        assert_eq!(run["files"], json["files"]);
        assert_eq!(summary["type"], "summary", "{fixture}");
        assert_eq!(summary["errors"], json["errors"], "{fixture}");
        assert_eq!(summary["warnings"], json["warnings"], "{fixture}");
        let waived = json["waived"].as_array().cloned().unwrap_or_default();
        assert_eq!(waivers.contains(fixture), !waived.is_empty(), "{fixture}");
        assert_eq!(summary["waived"], waived.len());
        let findings: Vec<serde_json::Value> = lines[1..lines.len() - 1]
            .iter()
            .map(|line| {
                assert_eq!(line["type"], "finding", "{fixture}");
                let mut finding = line.clone();
                finding.as_object_mut().expect("an object").remove("type");
                finding
            })
            .collect();
        let listed: Vec<serde_json::Value> = json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .chain(&waived)
            .cloned()
            .collect();
        assert_eq!(findings, listed, "{fixture}");
    }
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
fn junit_output_has_one_case_per_order_judged_and_per_file() {
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
    // Thirteen orders judged, twelve denied; and the one file, without other findings.
    assert_eq!(report.tests, 14);
    assert_eq!(report.failures, 12);
    let orders = &report.test_suites[0];
    assert_eq!(orders.name.as_str(), "coop check: orders");
    assert!(
        orders
            .test_cases
            .iter()
            .any(|case| case.name.as_str() == "overpriced")
    );
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
