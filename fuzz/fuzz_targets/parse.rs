//! Any bytes: reading, parsing and lowering return a tree or diagnostics, and never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut sources = coop::source::SourceMap::new();
    let file = sources.add_bytes("fuzz.coop", "fuzz.coop".into(), data.to_vec());
    let _ = coop::syntax::parse(&sources, file);
});
