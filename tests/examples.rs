//! Every shipped example is a snapshot test of its report, as text and as JSON, at the as-of
//! date its first line names. Examples must check without errors.

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
        insta::assert_snapshot!(json);
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
