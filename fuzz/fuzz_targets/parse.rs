//! Any text: parsing and lowering return a tree or diagnostics, and never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = coop::source::SourceMap::new();
    let file = sources.add("fuzz.coop", "fuzz.coop".into(), text.to_string());
    let _ = coop::syntax::parse(&sources, file);
});
