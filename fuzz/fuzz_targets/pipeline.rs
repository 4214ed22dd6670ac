//! Any text: parse, check, evaluate, build the report and render it in every format, and render
//! the diagnostics in every format, without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut sources = coop::source::SourceMap::new();
    sources.add_bytes("fuzz.coop", "fuzz.coop".into(), data.to_vec());
    let (model, check_findings) = coop::check_sources(&mut sources);
    let mut diagnostics = check_findings.clone();
    if let Some(model) = &model {
        for as_of in ["2000-01-01", "2025-06-30", "2099-12-31"] {
            let as_of = chrono::NaiveDate::parse_from_str(as_of, "%Y-%m-%d").expect("a date");
            let evaluation = coop::eval::evaluate(model, as_of);
            diagnostics.extend(coop::evaluation_diagnostics(&evaluation));
            let report = coop::report::build(
                model,
                &evaluation,
                &sources,
                &check_findings,
                coop::report::DEFAULT_HORIZON_DAYS,
            );
            let _ = coop::report::text::render(&report);
            let _ = coop::report::to_json(&report);
            let _ = coop::report::html::render(&report);
            let _ = coop::report::markdown::render(&report);
        }
    }
    let _ = coop::diagnostic::render(&diagnostics, &sources, false);
    let _ = coop::findings::to_json(&diagnostics, &[], &sources, &[]);
    let _ = coop::findings::to_sarif(&diagnostics, &[], &sources, &[], None);
    let _ = coop::findings::to_github(&diagnostics, &sources);
    let _ = coop::findings::to_junit(&diagnostics, None, &[], &sources);
});
