//! Every fixture is a snapshot test: `ok/` files must produce no error (and pass their own tests),
//! `err/` files at least one, and each must produce the codes its `// expect:` line names. Adding
//! a case is adding a file.

mod common;

use std::collections::BTreeSet;

use coop::codes::Code;

#[test]
fn ok_fixtures_have_no_errors() {
    insta::glob!("fixtures/ok/*.coop", |path| {
        let analysis = common::analyse(path);
        let errors: Vec<&str> = analysis
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.is_error())
            .map(|diagnostic| diagnostic.code.name())
            .collect();
        assert!(
            errors.is_empty(),
            "{} has errors: {errors:?}",
            path.display()
        );
        assert_expected_codes(path, &analysis);
        // A fixture's own tests say what it means; each must pass.
        common::assert_tests_pass(path, &analysis);
        common::assert_json_written_as_built(&analysis);
        insta::assert_snapshot!(common::render(&analysis));
    });
}

#[test]
fn err_fixtures_have_errors() {
    insta::glob!("fixtures/err/*.coop", |path| {
        let analysis = common::analyse(path);
        assert!(
            analysis
                .diagnostics
                .iter()
                .any(|diagnostic| diagnostic.is_error()),
            "{} has no error",
            path.display()
        );
        assert_expected_codes(path, &analysis);
        insta::assert_snapshot!(common::render(&analysis));
    });
}

fn assert_expected_codes(path: &std::path::Path, analysis: &common::Analysis) {
    let text = &analysis.sources.file(coop::source::FileId(0)).text;
    let found: BTreeSet<&str> = analysis
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.code.name())
        .collect();
    for expected in common::expected_codes(text) {
        assert!(
            found.contains(expected.as_str()),
            "{} expects `{expected}` but produced {found:?}",
            path.display()
        );
    }
}

/// Every code has its long explanation, every explanation belongs to a code, and some fixture
/// or example produces every code.
#[test]
fn every_code_is_documented_and_produced() {
    let documents: BTreeSet<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes"))
            .expect("docs/codes exists")
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| {
                entry
                    .file_name()
                    .to_str()?
                    .strip_suffix(".md")
                    .map(str::to_string)
            })
            .collect();
    let codes: BTreeSet<String> = Code::ALL
        .iter()
        .map(|code| code.name().to_string())
        .collect();
    assert_eq!(
        documents, codes,
        "docs/codes/*.md and the code registry differ"
    );
    for code in Code::ALL {
        let explanation = code.explanation();
        assert!(
            explanation.starts_with(&format!("# {}", code.name())),
            "docs/codes/{}.md must start with `# {}`",
            code.name(),
            code.name()
        );
    }

    let mut produced = BTreeSet::new();
    for pattern in ["tests/fixtures/*/*.coop", "examples/*.coop"] {
        let directory = pattern
            .rsplit_once('/')
            .map_or(".", |(directory, _)| directory);
        for path in files_matching(directory) {
            let analysis = common::analyse(&path);
            produced.extend(
                analysis
                    .diagnostics
                    .iter()
                    .map(|diagnostic| diagnostic.code),
            );
        }
    }
    // The settings cases' codes: tests/config.rs checks that each case produces what it expects.
    let settings = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config");
    for case in std::fs::read_dir(settings).expect("tests/fixtures/config exists") {
        let Ok(case) = case else { continue };
        let Ok(text) = std::fs::read_to_string(case.path().join("coop.toml")) else {
            continue;
        };
        produced.extend(
            common::expected_codes(&text.replace("# expect:", "// expect:"))
                .iter()
                .filter_map(|name| Code::from_name(name)),
        );
    }
    // `formatter-failed` is a bug of `coop fmt` that no input is known to cause; a file over
    // 4 GiB (`file-too-large`) is no fixture: `tests/hostile.rs` makes one, sparse.
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|code| {
            !produced.contains(code) && ![Code::FormatterFailed, Code::FileTooLarge].contains(code)
        })
        .map(|code| code.name())
        .collect();
    assert!(
        missing.is_empty(),
        "no fixture or example produces: {missing:?}"
    );
}

/// `.coop` files under a folder pattern such as `tests/fixtures/*`.
fn files_matching(directory: &str) -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let folders: Vec<std::path::PathBuf> = match directory.strip_suffix("/*") {
        Some(parent) => std::fs::read_dir(root.join(parent))
            .map(|entries| {
                entries
                    .filter_map(|entry| entry.ok())
                    .map(|entry| entry.path())
                    .collect()
            })
            .unwrap_or_default(),
        None => vec![root.join(directory)],
    };
    let mut files: Vec<std::path::PathBuf> = folders
        .iter()
        .filter_map(|folder| std::fs::read_dir(folder).ok())
        .flat_map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.path())
        })
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "coop")
        })
        .collect();
    files.sort();
    files
}

/// The example in each code's explanation produces that code, so `coop explain` never shows an
/// example that has drifted from the language.
#[test]
fn every_explanation_example_produces_its_code() {
    let directory = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("explanation-examples");
    std::fs::create_dir_all(&directory).expect("scratch directory");
    let mut failures = Vec::new();
    // These are shown by fixtures instead: a page can only show valid UTF-8 (`not-utf8.coop`),
    // shows an invisible character invisibly (`invisible-line-break-*.coop`,
    // `bidirectional-override.coop`), and shows one file (`use-cycle.coop`,
    // `not-a-rule-pack.coop`); a ledger's rows are not .coop text (`ledger-broken-rows.coop`,
    // `ledger-titles.coop`),
    // nor are a coop.toml's settings (`tests/fixtures/config/`).
    let shown_by_fixture_only = [
        Code::InvalidEncoding,
        Code::InvisibleLineBreak,
        Code::BidirectionalOverride,
        Code::UseCycle,
        Code::NotARulePack,
        Code::MalformedLedgerRow,
        Code::InconsistentLedgerOrder,
        Code::AmbiguousTitle,
        // A coop.toml is not .coop text (tests/fixtures/config/).
        Code::UnknownSetting,
        Code::InvalidSetting,
    ];
    // A bug of `coop fmt` that no input is known to cause has no example (its page says so); a
    // file over 4 GiB is made, sparse, by `tests/hostile.rs`, not written out on a page.
    let shown_by_no_input = [Code::FormatterFailed, Code::FileTooLarge];
    for code in Code::ALL
        .iter()
        .filter(|code| !shown_by_fixture_only.contains(code) && !shown_by_no_input.contains(code))
    {
        let explanation = code.explanation();
        let example = explanation
            .split("## Example")
            .nth(1)
            .and_then(|section| section.split("```coop\n").nth(1))
            .and_then(|block| block.split("```").next())
            .unwrap_or_else(|| panic!("docs/codes/{}.md has no ```coop example", code.name()));
        let path = directory.join(format!("{}.coop", code.name()));
        // Judged far in the future, so that every order in the example is judged, unless the
        // example names its date in a first `// as-of:` line (a warning about what lies ahead).
        let text = if example.starts_with("// as-of:") {
            example.to_string()
        } else {
            format!("// as-of: 2099-12-31\n{example}")
        };
        std::fs::write(&path, text).expect("write the example");
        let analysis = common::analyse(&path);
        if !analysis
            .diagnostics
            .iter()
            .any(|diagnostic| diagnostic.code == *code)
        {
            let found: Vec<&str> = analysis
                .diagnostics
                .iter()
                .map(|diagnostic| diagnostic.code.name())
                .collect();
            failures.push(format!("{}: produced {found:?}", code.name()));
        }
    }
    assert!(
        failures.is_empty(),
        "examples that do not produce their code:\n{}",
        failures.join("\n")
    );
}
