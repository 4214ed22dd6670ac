//! The documentation's examples are tested: every ```coop block in `docs/language.md` and in the
//! rule packs' pages parses, and every block that is a whole model with tests (one that declares
//! agencies) checks without errors and passes its tests.

mod common;

use std::path::{Path, PathBuf};

use coop::source::SourceMap;

/// Every ```coop block of a Markdown file, with the line it starts on.
fn coop_blocks(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).expect("the page is readable");
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, line) in text.lines().enumerate() {
        match &mut current {
            None if line.trim_start() == "```coop" => current = Some((index + 2, String::new())),
            None => {}
            Some(_) if line.trim_start() == "```" => blocks.extend(current.take()),
            Some((_, block)) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

fn pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut pages = vec![root.join("language.md")];
    if let Ok(entries) = std::fs::read_dir(root.join("rules")) {
        let mut rules: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
            .collect();
        rules.sort();
        pages.extend(rules);
    }
    pages
}

#[test]
fn every_documented_example_parses() {
    let mut failures = Vec::new();
    for page in pages() {
        for (line, block) in coop_blocks(&page) {
            let mut sources = SourceMap::new();
            let file = sources.add("example.coop", PathBuf::from("example.coop"), block);
            let (tree, diagnostics) = coop::syntax::parse(&sources, file);
            if tree.is_none() || !diagnostics.is_empty() {
                let messages: Vec<String> = diagnostics
                    .iter()
                    .map(|diagnostic| diagnostic.message.clone())
                    .collect();
                failures.push(format!(
                    "{}:{line}: {}",
                    page.display(),
                    messages.join("; ")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "examples that do not parse:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_documented_model_with_tests_passes_them() {
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("documented-models");
    std::fs::create_dir_all(&directory).expect("scratch directory");
    let mut models = 0;
    for page in pages() {
        for (line, block) in coop_blocks(&page) {
            // A whole model declares its agencies; a block of tests alone is a fragment.
            let whole_model = block.contains("test \"") && block.contains("\nagency ");
            if !whole_model {
                continue;
            }
            models += 1;
            let path = directory.join(format!(
                "{}-{line}.coop",
                page.file_stem()
                    .and_then(|stem| stem.to_str())
                    .unwrap_or("page")
            ));
            std::fs::write(&path, &block).expect("write the example");
            let analysis = common::analyse(&path);
            let errors: Vec<String> = analysis
                .check_diagnostics
                .iter()
                .filter(|diagnostic| diagnostic.is_error())
                .map(|diagnostic| diagnostic.message.clone())
                .collect();
            assert!(errors.is_empty(), "{}:{line}: {errors:?}", page.display());
            let model = analysis.model.expect("the model checks");
            for outcome in coop::eval::expectations::run_tests(&model, analysis.as_of, "") {
                if let Some(failed) = outcome.expectations.iter().find(|e| !e.passed) {
                    panic!(
                        "{}:{line}: test \"{}\": expected {}, but {}",
                        page.display(),
                        outcome.name,
                        failed.expected,
                        failed.actual
                    );
                }
            }
        }
    }
    assert!(
        models > 0,
        "the language reference has a worked example with tests"
    );
}

/// The language reference's table of fields is the schema's: every record, every field, its type
/// and meaning, in the schema's order. The test prints the table it expects.
#[test]
fn the_field_table_is_the_schema() {
    let mut expected = String::from("| of | field | type | what it is |\n|---|---|---|---|\n");
    for record in coop::schema::Record::all() {
        for (index, spec) in record.fields().iter().enumerate() {
            let of = if index == 0 { record.noun() } else { "" };
            expected.push_str(&format!(
                "| {of} | `{}` | {} | {} |\n",
                spec.name,
                spec.ty.describe(),
                spec.doc
            ));
        }
    }
    let reference =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/language.md"))
            .expect("the language reference is readable");
    assert!(
        reference.contains(&expected),
        "docs/language.md's table of fields differs from the schema (src/schema.rs); it should read:\n\n{expected}"
    );
}
