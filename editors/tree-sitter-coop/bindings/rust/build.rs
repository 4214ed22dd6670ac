//! Compiles the parser tree-sitter generated from grammar.js (`src/parser.c`, committed).

fn main() {
    let source = std::path::Path::new("src");
    cc::Build::new()
        .include(source)
        .file(source.join("parser.c"))
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-unused-but-set-variable")
        .compile("tree-sitter-coop");
    println!("cargo:rerun-if-changed=src/parser.c");
}
