//! Any bytes as up to four files of one directory (`f0.coop` to `f3.coop`, split at NUL bytes)
//! that may `use` each other and themselves: loading, resolving the `use` graph (cycles, missing
//! files, paths out of the directory) and checking never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(directory) = tempfile::tempdir() else {
        return;
    };
    for (index, text) in data.split(|byte| *byte == 0).take(4).enumerate() {
        if std::fs::write(directory.path().join(format!("f{index}.coop")), text).is_err() {
            return;
        }
    }
    let Ok(mut sources) = coop::load::load(&[directory.path().to_path_buf()]) else {
        return;
    };
    let (model, diagnostics) = coop::check_sources(&mut sources);
    let _ = coop::diagnostic::render(&diagnostics, &sources, false);
    if let Some(model) = model {
        let as_of = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).expect("a date");
        let _ = coop::eval::evaluate(&model, as_of);
    }
});
