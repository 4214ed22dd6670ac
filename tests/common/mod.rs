//! Helpers shared by the test files: loading a fixture the way the CLI does, with a path
//! relative to the crate root so that snapshots do not depend on where the checkout lives.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use coop::diagnostic::Diagnostic;
use coop::model::Model;
use coop::source::SourceMap;
use coop::values::Date;

/// The `.coop` files below some folders of the crate (given relative to its root), sorted.
pub fn coop_files_below(folders: &[&str]) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut folders: Vec<PathBuf> = folders.iter().map(|folder| root.join(folder)).collect();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)
            .expect("a folder")
            .filter_map(|entry| entry.ok())
        {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "coop")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The as-of date a fixture asks for in a `// as-of: YYYY-MM-DD` first line, else 2026-01-01.
pub fn as_of(text: &str) -> Date {
    text.lines()
        .next()
        .and_then(|line| line.strip_prefix("// as-of:"))
        .and_then(|date| Date::parse_from_str(date.trim(), "%Y-%m-%d").ok())
        .unwrap_or_else(|| Date::from_ymd_opt(2026, 1, 1).expect("a valid date"))
}

/// The codes a fixture says it produces, in a `// expect: code, code` line.
pub fn expected_codes(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("// expect:"))
        .flat_map(|codes| codes.split(','))
        .map(|code| code.trim().to_string())
        .filter(|code| !code.is_empty())
        .collect()
}

pub fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_path_buf()
}

/// Everything the CLI's `check` would find in a file: checking and evaluation diagnostics.
pub struct Analysis {
    pub sources: SourceMap,
    pub model: Option<Model>,
    /// What checking found.
    pub check_diagnostics: Vec<Diagnostic>,
    /// What checking and evaluation found, but what the model's waivers set aside.
    pub diagnostics: Vec<Diagnostic>,
    /// The findings the model's waivers set aside, as `coop check` lists them.
    pub waived: String,
    pub as_of: Date,
}

pub fn analyse(path: &Path) -> Analysis {
    let mut sources = coop::load::load(&[relative(path)]).expect("fixture loads");
    let as_of = as_of(&sources.file(coop::source::FileId(0)).text);
    let (model, check_diagnostics) = coop::check_sources(&mut sources);
    let mut diagnostics = check_diagnostics.clone();
    let mut waived = String::new();
    if let Some(model) = &model {
        let evaluation = coop::eval::evaluate(model, as_of);
        diagnostics.extend(coop::evaluation_diagnostics(&evaluation));
        let (kept, set_aside) = coop::eval::waivers::Waivers::new(model, as_of).split(diagnostics);
        diagnostics = kept;
        let set_aside: Vec<coop::findings::Waived<'_>> = set_aside
            .iter()
            .map(|(finding, index)| coop::findings::Waived {
                finding,
                waiver: &model.waivers[*index],
            })
            .collect();
        waived = coop::findings::waived_text(&set_aside, &sources);
    }
    Analysis {
        sources,
        model,
        check_diagnostics,
        diagnostics,
        waived,
        as_of,
    }
}

pub fn render(analysis: &Analysis) -> String {
    let rendered = coop::diagnostic::render(&analysis.diagnostics, &analysis.sources, false);
    format!(
        "{rendered}{}{}\n",
        analysis.waived,
        coop::diagnostic::summary(&analysis.diagnostics)
    )
}

/// Runs the real `coop` binary from the crate root, without colour.
pub fn coop(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coop"))
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the coop binary runs")
}

/// Runs the real `coop` binary in `directory`, without colour, with `input` on its standard input.
pub fn coop_with_input(directory: &Path, arguments: &[&str], input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_coop"))
        .args(arguments)
        .current_dir(directory)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the coop binary runs");
    let written = child
        .stdin
        .take()
        .expect("a pipe")
        .write_all(input.as_bytes());
    // A run refused before it reads its input (a usage error) may have closed the pipe already.
    if let Err(error) = written
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        panic!("write the input: {error}");
    }
    child.wait_with_output().expect("coop ends")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fresh directory under the target directory, removed first if a previous run left it.
pub fn scratch(name: &str) -> PathBuf {
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).expect("scratch directory");
    directory
}

/// The report of a shipped example at its own as-of date; the example must check.
pub fn report_of(path: &Path) -> coop::report::Report {
    let analysis = analyse(path);
    let model = analysis.model.as_ref().unwrap_or_else(|| {
        panic!(
            "{} does not check:\n{}",
            path.display(),
            coop::diagnostic::render(&analysis.diagnostics, &analysis.sources, false)
        )
    });
    let evaluation = coop::eval::evaluate(model, analysis.as_of);
    coop::report::build(
        model,
        &evaluation,
        &analysis.sources,
        &analysis.check_diagnostics,
        coop::report::DEFAULT_HORIZON_DAYS,
    )
}

/// The JSON report written with its orders made as they are written has the same bytes as the
/// report built whole, at the analysis's own as-of date.
pub fn assert_json_written_as_built(analysis: &Analysis) {
    let Some(model) = &analysis.model else {
        return;
    };
    let evaluation = coop::eval::evaluate(model, analysis.as_of);
    let built = coop::report::to_json(&coop::report::build(
        model,
        &evaluation,
        &analysis.sources,
        &analysis.check_diagnostics,
        coop::report::DEFAULT_HORIZON_DAYS,
    ));
    let mut written = Vec::new();
    coop::report::write_json_of(
        model,
        &evaluation,
        &analysis.sources,
        &analysis.check_diagnostics,
        coop::report::DEFAULT_HORIZON_DAYS,
        &mut written,
    )
    .expect("a vector takes anything");
    assert_eq!(String::from_utf8(written).expect("UTF-8"), built);
}

/// The JSON Lines report of a shipped example at its own as-of date; the example must check.
pub fn jsonl_of(path: &Path) -> String {
    let analysis = analyse(path);
    let model = analysis.model.as_ref().expect("examples check");
    let evaluation = coop::eval::evaluate(model, analysis.as_of);
    coop::report::jsonl::to_string(
        model,
        &evaluation,
        &analysis.sources,
        &analysis.check_diagnostics,
    )
}

/// Runs the real `coop` binary in `directory`, without colour.
pub fn coop_in(directory: &Path, arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coop"))
        .args(arguments)
        .current_dir(directory)
        .env("NO_COLOR", "1")
        .output()
        .expect("the coop binary runs")
}

/// Every test the analysed model holds passes; a failure names the file, the test and each
/// expectation that failed.
pub fn assert_tests_pass(path: &Path, analysis: &Analysis) {
    let Some(model) = &analysis.model else {
        return;
    };
    for outcome in coop::eval::expectations::run_tests(model, analysis.as_of, "") {
        let failed: Vec<String> = outcome
            .expectations
            .iter()
            .filter(|expectation| !expectation.passed)
            .map(|expectation| {
                format!(
                    "expected {}, but {}",
                    expectation.expected, expectation.actual
                )
            })
            .collect();
        assert!(
            failed.is_empty(),
            "{}: test \"{}\" failed:\n{}",
            path.display(),
            outcome.name,
            failed.join("\n")
        );
    }
}

/// Runs git in `directory` as a test's committer, whatever the machine's git configuration.
pub fn git(directory: &Path, arguments: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=Coop Test",
            "-c",
            "user.email=coop@test.invalid",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(arguments)
        .current_dir(directory)
        .status()
        .expect("git runs: the test makes a repository with it");
    assert!(status.success(), "git {arguments:?} failed");
}
