//! The command line's conventions, with the real binary: `.` as the default path, ignored and
//! hidden files passed over in a directory, colour from `--color`, `NO_COLOR`, `FORCE_COLOR` and
//! `TERM`, shell completions and manual pages.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{coop_in, scratch, stderr, stdout};

fn minimal() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ok/minimal.coop"
    ))
    .expect("fixture")
}

/// Runs coop in `directory` with exactly these colour variables set (and no others).
fn coop_with_environment(
    directory: &Path,
    arguments: &[&str],
    variables: &[(&str, &str)],
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_coop"));
    command
        .args(arguments)
        .current_dir(directory)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("TERM");
    for (name, value) in variables {
        command.env(name, value);
    }
    command.output().expect("the coop binary runs")
}

#[test]
fn check_test_and_report_read_the_current_directory_by_default() {
    let directory = scratch("default-path");
    std::fs::write(directory.join("model.coop"), minimal()).expect("write");
    for command in [
        &["check", "--as-of", "2026-01-01"][..],
        &["test", "--as-of", "2026-01-01"],
        &["report", "--as-of", "2026-01-01"],
    ] {
        let output = coop_in(&directory, command);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{command:?}: {}",
            stderr(&output)
        );
    }
    let report = coop_in(&directory, &["report", "--as-of", "2026-01-01"]);
    assert!(
        stdout(&report).contains("City of Olympia"),
        "{}",
        stdout(&report)
    );
}

#[test]
fn ignored_and_hidden_files_are_not_part_of_the_model() {
    let directory = scratch("ignored-files");
    std::fs::write(directory.join("model.coop"), minimal()).expect("write");
    // Each of these would be a duplicate of every name in model.coop.
    std::fs::create_dir_all(directory.join("drafts")).expect("mkdir");
    std::fs::write(directory.join("drafts/copy.coop"), minimal()).expect("write");
    std::fs::write(directory.join("scratch.coop"), minimal()).expect("write");
    std::fs::create_dir_all(directory.join(".history")).expect("mkdir");
    std::fs::write(directory.join(".history/model.coop"), minimal()).expect("write");
    std::fs::write(directory.join(".backup.coop"), minimal()).expect("write");
    std::fs::write(directory.join(".gitignore"), "drafts/\n").expect("write");
    std::fs::write(directory.join(".ignore"), "scratch.coop\n").expect("write");
    let output = coop_in(&directory, &["check", ".", "--as-of", "2026-01-01"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("checked 1 file"),
        "{}",
        stderr(&output)
    );
    // A file named on the command line is read whatever its name.
    let named = coop_in(
        &directory,
        &[
            "check",
            "model.coop",
            "drafts/copy.coop",
            "--as-of",
            "2026-01-01",
        ],
    );
    assert_eq!(named.status.code(), Some(1));
    assert!(stderr(&named).contains("duplicate-name"));
}

#[test]
fn colour_follows_the_flag_then_no_color_then_force_color_then_the_terminal() {
    let directory = scratch("colour");
    std::fs::write(
        directory.join("model.coop"),
        "agency a \"A\" { kind citty jurisdiction US-WA }\n",
    )
    .expect("write");
    let escape = |output: &Output| stderr(output).contains('\u{1b}');
    let check = ["check", "model.coop"];
    // Standard error is a pipe here: no colour unless forced.
    assert!(!escape(&coop_with_environment(&directory, &check, &[])));
    assert!(escape(&coop_with_environment(
        &directory,
        &check,
        &[("FORCE_COLOR", "1")]
    )));
    assert!(!escape(&coop_with_environment(
        &directory,
        &check,
        &[("FORCE_COLOR", "0")]
    )));
    assert!(!escape(&coop_with_environment(
        &directory,
        &check,
        &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]
    )));
    assert!(!escape(&coop_with_environment(
        &directory,
        &["check", "model.coop", "--color", "never"],
        &[("FORCE_COLOR", "1")]
    )));
    assert!(escape(&coop_with_environment(
        &directory,
        &["check", "model.coop", "--color", "always"],
        &[("NO_COLOR", "1"), ("TERM", "dumb")]
    )));
}

#[test]
fn completions_and_manual_pages_describe_every_command() {
    let directory = scratch("completions");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = coop_in(&directory, &["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = stdout(&output);
        for command in ["check", "report", "fmt", "man", "completions"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
    }
    let unknown = coop_in(&directory, &["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));

    let page = stdout(&coop_in(&directory, &["man"]));
    assert!(page.starts_with(".ie"), "{page}");
    assert!(page.contains(".TH coop 1"), "{page}");
    assert!(page.contains("report"), "{page}");
    let check = stdout(&coop_in(&directory, &["man", "check"]));
    assert!(check.contains(".TH coop-check 1"), "{check}");
    assert!(check.contains("statistics"), "{check}");
    let misspelled = coop_in(&directory, &["man", "chek"]);
    assert_eq!(misspelled.status.code(), Some(2));
    assert!(stderr(&misspelled).contains("did you mean `check`?"));
}
