//! Every shipped example is a snapshot test of its report, as text and as JSON, at the as-of
//! date its first line names. Examples must check without errors.

mod common;

#[test]
fn examples_report() {
    insta::glob!("../examples", "*.coop", |path| {
        let analysis = common::analyse(path);
        let model = analysis.model.as_ref().unwrap_or_else(|| {
            panic!(
                "{} does not check:\n{}",
                path.display(),
                coop::diagnostic::render(&analysis.diagnostics, &analysis.sources, false)
            )
        });
        let evaluation = coop::eval::evaluate(model, analysis.as_of);
        let report = coop::report::build(model, &evaluation, &analysis.sources);
        insta::assert_snapshot!("text", coop::report::text::render(&report));
        let json = coop::report::to_json(&report);
        let value: serde_json::Value = serde_json::from_str(&json).expect("the report is valid JSON");
        for key in ["as_of", "summary", "agencies", "orders", "contracts", "findings"] {
            assert!(value.get(key).is_some(), "the JSON report lacks `{key}`");
        }
        insta::assert_snapshot!("json", json);
    });
}
