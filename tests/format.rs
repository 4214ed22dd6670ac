//! `coop fmt`: every shipped file is already formatted; formatting keeps every token and every
//! comment, is idempotent, and never touches a file that does not parse.

mod common;

use std::path::{Path, PathBuf};

use common::{coop, scratch};
use coop::source::{FileId, SourceMap};

/// Fixtures whose point is text `coop fmt` would change: tabs, and lines longer than a layout
/// allows. Files that do not parse are skipped on their own.
const RAW_INPUT: &[&str] = &[
    "tabs.coop",
    "very-long-line.coop",
    "condition-too-long.coop",
    // Lines that end in a lone carriage return: `fmt` writes them with line feeds.
    "carriage-return-line-ends.coop",
    "lone-carriage-return.coop",
];

fn shipped_files() -> Vec<PathBuf> {
    common::coop_files_below(&["examples", "rules", "tests/fixtures"])
}

fn format(text: &str) -> Result<String, String> {
    let mut sources = SourceMap::new();
    sources.add("test.coop", PathBuf::from("test.coop"), text.to_string());
    coop::syntax::format(&sources, FileId(0)).map_err(|diagnostic| diagnostic.message)
}

/// Every comment, lines ending where Coop ends them (at `\n`, `\r\n` or a lone `\r`).
fn comments(text: &str) -> Vec<String> {
    text.split(['\n', '\r'])
        .filter_map(|line| {
            line.find("//")
                .map(|index| line[index..].trim_end().to_string())
        })
        .collect()
}

#[test]
fn every_shipped_file_is_formatted_idempotently_keeping_its_comments() {
    for path in shipped_files() {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // not UTF-8: `coop fmt` refuses it, as `not-utf8.coop` shows
        };
        let Ok(formatted) = format(&text) else {
            continue; // does not parse: never rewritten
        };
        assert_eq!(
            format(&formatted).as_deref(),
            Ok(formatted.as_str()),
            "{name}: formatting twice changes it"
        );
        assert_eq!(
            comments(&formatted).len(),
            comments(&text).len(),
            "{name}: a comment was lost"
        );
        if !RAW_INPUT.contains(&name.as_str()) {
            assert_eq!(
                formatted,
                text,
                "{name} is not formatted: run `coop fmt {}`",
                path.display()
            );
        }
    }
}

#[test]
fn comments_everywhere_are_kept() {
    let messy = "// a file comment\n\n\
        agency   everett   \"City of Everett\"{// after the brace\n\
        kind city // after a field\n\
        // before a field\n\
        jurisdiction    US-WA\n\
        // before the closing brace\n\
        }\n\
        // between declarations\n\
        solicitation s \"S\" { lead everett method rfp item x \"X\" per unit joint {\n\
        // inside a nested block\n\
        everett commits 1 unit // after a participant\n\
        } }\n\
        contract c { awards s supplier \"Sup\" term 2025-01-01 to 2025-12-31 price x USD 1.00 per unit\n\
        piggyback { open_to kind in [city, // inside a condition\n\
        county] } }\n\
        // at the very end\n";
    let formatted = format(messy).expect("formats");
    for comment in comments(messy) {
        assert!(
            formatted.contains(&comment),
            "lost {comment:?} in:\n{formatted}"
        );
    }
    assert_eq!(
        format(&formatted).as_deref(),
        Ok(formatted.as_str()),
        "not idempotent:\n{formatted}"
    );
    insta::assert_snapshot!(formatted);
}

#[test]
fn fmt_checks_shows_and_rewrites() {
    let directory = scratch("fmt-cli");
    let file = directory.join("model.coop");
    let messy = "agency   everett \"City of Everett\" {  kind city   jurisdiction US-WA }\n";
    std::fs::write(&file, messy).expect("write");
    let path = file.to_str().expect("utf-8 path");

    let check = coop(&["fmt", "--check", path]);
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stdout).contains("would reformat"));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        messy,
        "--check changed the file"
    );

    let diff = coop(&["fmt", "--diff", path]);
    assert!(
        String::from_utf8_lossy(&diff.stdout)
            .contains("+agency everett \"City of Everett\" { kind city jurisdiction US-WA }")
    );
    // A diff that shows a change fails, as `--check` does, so that CI can use either.
    assert_eq!(diff.status.code(), Some(1));

    let write = coop(&["fmt", path]);
    assert_eq!(write.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "agency everett \"City of Everett\" { kind city jurisdiction US-WA }\n"
    );
    assert_eq!(coop(&["fmt", "--check", path]).status.code(), Some(0));
    let unchanged = coop(&["fmt", "--diff", path]);
    assert_eq!(unchanged.status.code(), Some(0));
    assert!(unchanged.stdout.is_empty());
    let leftovers = std::fs::read_dir(&directory).expect("list").count();
    assert_eq!(leftovers, 1, "a temporary file was left behind");
}

#[test]
fn fmt_never_touches_a_file_that_does_not_parse() {
    let directory = scratch("fmt-broken");
    let file = directory.join("broken.coop");
    let broken = "agency everett {\n  kindd city\n}\n";
    std::fs::write(&file, broken).expect("write");
    let output = coop(&["fmt", file.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("syntax-error"));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), broken);
}

#[test]
fn layout_decisions_are_stable() {
    // A one-line declaration too long to stay on one line, right after a short one; comments
    // after more code on the same line; an empty block.
    let long_title = "A title long enough to push this declaration past one hundred columns";
    let text = format!(
        "agency a {{ kind city jurisdiction US-WA }}\nagency b \"{long_title}\" {{ kind city jurisdiction US-WA }}\n\
         solicitation s {{ lead a method rfp item t \"T\" per truck }}\n\
         contract d {{ awards s supplier \"S\" term 2024-01-01 to 2026-01-01 option 1 year // not yet exercised\n\
         piggyback {{ }} }}\n"
    );
    let once = format(&text).expect("formats");
    assert_eq!(
        format(&once).as_deref(),
        Ok(once.as_str()),
        "not idempotent:\n{once}"
    );
    assert!(
        once.contains("  option 1 year  // not yet exercised\n"),
        "{once}"
    );
    assert!(once.contains("  piggyback { }\n"), "{once}");
}

#[cfg(unix)]
#[test]
fn fmt_keeps_a_file_s_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let directory = scratch("fmt-permissions");
    let file = directory.join("model.coop");
    std::fs::write(&file, "agency   a { kind city jurisdiction US-WA }\n").expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    assert_eq!(
        coop(&["fmt", file.to_str().expect("utf-8 path")])
            .status
            .code(),
        Some(0)
    );
    let mode = std::fs::metadata(&file)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o640);
}

/// Inputs the fuzzers found that once broke the formatter; each must now format idempotently.
#[test]
fn fuzz_findings_stay_fixed() {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    for entry in std::fs::read_dir(directory)
        .expect("tests/data/fuzz")
        .filter_map(|entry| entry.ok())
    {
        let bytes = std::fs::read(entry.path()).expect("read");
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        if let Ok(once) = format(&text) {
            assert_eq!(
                format(&once).as_deref(),
                Ok(once.as_str()),
                "{}",
                entry.path().display()
            );
        }
    }
}

/// Runs `coop fmt` with `arguments`, `input` on its standard input.
fn fmt_standard_input(arguments: &[&str], input: &str) -> std::process::Output {
    let mut arguments = arguments.to_vec();
    arguments.insert(0, "fmt");
    common::coop_with_input(Path::new(env!("CARGO_MANIFEST_DIR")), &arguments, input)
}

#[test]
fn fmt_formats_standard_input_onto_standard_output() {
    let messy = "agency everett   \"City of Everett\" {kind city jurisdiction US-WA}\n";
    let formatted = "agency everett \"City of Everett\" { kind city jurisdiction US-WA }\n";
    let output = fmt_standard_input(&["-"], messy);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), formatted);
    let check = fmt_standard_input(&["--check", "-"], messy);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        "would reformat <stdin>\n"
    );
    let diff = fmt_standard_input(&["--diff", "-"], messy);
    assert_eq!(diff.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&diff.stdout).contains(&format!("+{formatted}")));
    let unchanged = fmt_standard_input(&["--check", "-"], formatted);
    assert_eq!(unchanged.status.code(), Some(0));
    assert!(unchanged.stdout.is_empty());
    // Text that does not parse is not passed on: an editor's buffer is never replaced by nothing.
    let broken = fmt_standard_input(&["-"], "agency {\n");
    assert_eq!(broken.status.code(), Some(1));
    assert!(broken.stdout.is_empty());
    assert!(String::from_utf8_lossy(&broken.stderr).contains("syntax-error"));
    // Standard input is formatted alone.
    let mixed = fmt_standard_input(&["-", "examples/us-wa.coop"], messy);
    assert_eq!(mixed.status.code(), Some(2));
}
