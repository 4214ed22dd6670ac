//! Any bytes: `coop fmt` never panics, and what it produces it leaves as it is (idempotent).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut sources = coop::source::SourceMap::new();
    let file = sources.add_bytes("fuzz.coop", "fuzz.coop".into(), data.to_vec());
    if let Ok(formatted) = coop::syntax::format(&sources, file) {
        let mut again = coop::source::SourceMap::new();
        let second = again.add("fuzz.coop", "fuzz.coop".into(), formatted.clone());
        match coop::syntax::format(&again, second) {
            Ok(twice) => assert_eq!(twice, formatted, "formatting twice changed the text"),
            Err(problem) => panic!("formatted text does not format again: {}", problem.message),
        }
    }
});
