//! Every shipped example is a snapshot test of its report, as text, as JSON, as JSON Lines and as
//! Markdown, at the as-of date its first line names. Examples must check without errors.

mod common;

#[test]
fn examples_text_report() {
    insta::glob!("../examples", "*.coop", |path| {
        insta::assert_snapshot!(coop::report::text::render(&common::report_of(path)));
    });
}

#[test]
fn examples_json_report() {
    insta::glob!("../examples", "*.coop", |path| {
        let json = coop::report::to_json(&common::report_of(path));
        let value: serde_json::Value =
            serde_json::from_str(&json).expect("the report is valid JSON");
        for key in [
            "as_of",
            "summary",
            "agencies",
            "orders",
            "contracts",
            "findings",
        ] {
            assert!(value.get(key).is_some(), "the JSON report lacks `{key}`");
        }
        common::assert_json_written_as_built(&common::analyse(path));
        insta::assert_snapshot!(json);
    });
}

/// JSON Lines: every line a JSON object valid against the published schema, in the documented
/// order (the run, the orders, the findings, the summary), each order line the JSON report's
/// entry for the order and each finding line one of its findings, the summary's counts theirs.
#[test]
fn examples_jsonl_report() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../docs/report-jsonl.schema.json"))
            .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    insta::glob!("../examples", "*.coop", |path| {
        let jsonl = common::jsonl_of(path);
        let report: serde_json::Value =
            serde_json::from_str(&coop::report::to_json(&common::report_of(path)))
                .expect("the report is JSON");
        let mut lines: Vec<serde_json::Value> = Vec::new();
        for line in jsonl.lines() {
            let value: serde_json::Value = serde_json::from_str(line).expect("a line is JSON");
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|error| format!("{error} at {}", error.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{line}\n{}", errors.join("\n"));
            lines.push(value);
        }
        assert!(jsonl.ends_with('\n'));
        let kinds: Vec<&str> = lines
            .iter()
            .map(|line| line["type"].as_str().expect("a type"))
            .collect();
        let orders = report["orders"].as_array().expect("orders");
        let findings = report["findings"].as_array().expect("findings");
        let mut expected = vec!["run"];
        expected.extend(std::iter::repeat_n("order", orders.len()));
        expected.extend(std::iter::repeat_n("finding", findings.len()));
        expected.push("summary");
        assert_eq!(kinds, expected);
        let without_type = |line: &serde_json::Value| {
            let mut line = line.clone();
            line.as_object_mut().expect("an object").remove("type");
            line
        };
        let written: Vec<serde_json::Value> =
            lines[1..lines.len() - 1].iter().map(without_type).collect();
        let reported: Vec<serde_json::Value> = orders.iter().chain(findings).cloned().collect();
        assert_eq!(written, reported);
        assert_eq!(lines[0]["as_of"], report["as_of"]);
        assert_eq!(lines[0]["program"], report["program"]);
        let summary = lines.last().expect("a summary");
        for (key, count) in report["summary"].as_object().expect("a summary") {
            assert_eq!(&summary[key], count, "{key}");
        }
        assert_eq!(summary["findings"], findings.len());
        insta::assert_snapshot!(jsonl);
    });
}

#[test]
fn examples_markdown_report() {
    insta::glob!("../examples", "*.coop", |path| {
        let markdown = coop::report::markdown::render(&common::report_of(path));
        assert!(markdown.chars().count() <= coop::report::markdown::MAXIMUM_LENGTH);
        insta::assert_snapshot!(markdown);
    });
}

/// The tests written in each example pass: the examples document the law, and their tests keep
/// the documentation honest.
#[test]
fn examples_tests_pass() {
    insta::glob!("../examples", "*.coop", |path| {
        let analysis = common::analyse(path);
        let model = analysis.model.as_ref().expect("examples check");
        assert!(!model.tests.is_empty(), "{} has no tests", path.display());
        common::assert_tests_pass(path, &analysis);
    });
}
