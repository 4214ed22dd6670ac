//! Any bytes as a CSV ledger of orders, under a fixed model that names its buyers, contract and
//! items: read, check and evaluate without a panic, every row counted or reported.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The model of the ledger fixture; its `ledger` line is not followed here, the fuzzed bytes
/// are the ledger.
const MODEL: &str = include_str!("../../tests/fixtures/ok/ledger.coop");

fuzz_target!(|data: &[u8]| {
    let mut sources = coop::source::SourceMap::new();
    let model = sources.add("model.coop", "model.coop".into(), MODEL.to_string());
    let ledger = sources.add_bytes("orders.csv", "orders.csv".into(), data.to_vec());
    let mut diagnostics = coop::diagnostic::Diagnostics::new();
    let (model_tree, found) = coop::syntax::parse(&sources, model);
    diagnostics.extend(found);
    let (ledger_tree, found) = coop::syntax::read_ledger(&mut sources, ledger, &Default::default());
    diagnostics.extend(found);
    let files: Vec<_> = model_tree.into_iter().chain(ledger_tree).collect();
    if let Some(model) = coop::check::check(&sources, &files, &[], &mut diagnostics) {
        let as_of = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).expect("a date");
        let evaluation = coop::eval::evaluate(&model, as_of);
        let counts = coop::report::ledger_counts(&sources, &model);
        assert!(counts.iter().all(|count| count.counted + count.not_counted == count.rows));
        let _ = coop::evaluation_diagnostics(&evaluation);
    }
});
