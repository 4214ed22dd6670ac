//! The composite GitHub Action (`action.yml`): its steps (`scripts/github-action.sh`) run with the
//! real binary as a runner would run them, on a repository whose pull request denies an order: the
//! job fails with annotations, writes SARIF, puts the diff in the job's summary, and passes with a
//! baseline; its inputs never run as commands.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{git, scratch, stderr, stdout};

/// The case whose head denies an order its base permitted.
const CASE: &str = "tests/fixtures/diff/term-shortened";

/// Runs the action's script in `directory`, with `coop` on the PATH and `inputs` as the runner
/// passes them: `COOP_*` environment variables.
fn run_action(directory: &Path, inputs: &[(&str, &str)]) -> Output {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_coop"));
    let mut path = binary.parent().expect("a directory").as_os_str().to_owned();
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    let mut command = Command::new("bash");
    command
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/github-action.sh"))
        .current_dir(directory)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("GITHUB_STEP_SUMMARY", directory.join("summary.md"));
    for (name, value) in inputs {
        command.env(name, value);
    }
    command.output().expect("bash runs the action's script")
}

/// A repository whose last commit holds the base model, and whose working tree the head.
fn pull_request(name: &str) -> PathBuf {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join(CASE);
    let repository = scratch(name);
    git(&repository, &["init", "--quiet"]);
    std::fs::create_dir(repository.join("models")).expect("mkdir");
    let model = repository.join("models/salt.coop");
    std::fs::copy(case.join("base/model.coop"), &model).expect("copy");
    git(&repository, &["add", "."]);
    git(&repository, &["commit", "--quiet", "-m", "the contract"]);
    std::fs::copy(case.join("head/model.coop"), &model).expect("copy");
    repository
}

fn as_of() -> String {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(CASE)
        .join("base/model.coop");
    common::as_of(&std::fs::read_to_string(base).expect("the base model")).to_string()
}

#[test]
fn a_pull_request_that_denies_an_order_fails_with_annotations_sarif_and_a_diff() {
    let repository = pull_request("action-pull-request");
    let date = as_of();
    let inputs = [
        ("COOP_PATHS", "models/"),
        ("COOP_AS_OF", date.as_str()),
        ("COOP_SARIF", "coop.sarif"),
        ("COOP_DIFF_BASE", "HEAD"),
    ];
    let output = run_action(&repository, &inputs);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let annotations = stdout(&output);
    assert!(
        annotations.starts_with("::error file=models/salt.coop,line="),
        "{annotations}"
    );
    assert!(annotations.contains("order-outside-term"), "{annotations}");
    let sarif: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repository.join("coop.sarif")).expect("the SARIF file"),
    )
    .expect("SARIF is JSON");
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "order-outside-term"
    );
    let summary = std::fs::read_to_string(repository.join("summary.md")).expect("the summary");
    assert!(summary.contains("renton_2025"), "{summary}");
    assert!(summary.contains("order-outside-term"), "{summary}");

    // The denial accepted into a baseline: the same job passes, and fails on none but new ones.
    let recorded = Command::new(env!("CARGO_BIN_EXE_coop"))
        .args(["check", "models/", "--as-of", &date])
        .args(["--write-baseline", "coop-baseline.json"])
        .current_dir(&repository)
        .output()
        .expect("coop runs");
    assert_eq!(recorded.status.code(), Some(0), "{}", stderr(&recorded));
    let mut with_baseline = inputs.to_vec();
    with_baseline.push(("COOP_BASELINE", "coop-baseline.json"));
    let passing = run_action(&repository, &with_baseline);
    assert_eq!(passing.status.code(), Some(0), "{}", stderr(&passing));
    assert!(stdout(&passing).is_empty(), "{}", stdout(&passing));
    // And warnings fail it when asked, which this model has none of.
    with_baseline.push(("COOP_DENY_WARNINGS", "true"));
    assert_eq!(
        run_action(&repository, &with_baseline).status.code(),
        Some(0)
    );
    with_baseline.pop();
    with_baseline.push(("COOP_DENY_WARNINGS", "yes"));
    let refused = run_action(&repository, &with_baseline);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("not true or false"));
}

#[test]
fn inputs_never_run_as_commands() {
    let repository = pull_request("action-injection");
    let date = as_of();
    for (name, value) in [
        (
            "COOP_PATHS",
            "models/ $(touch injected) `touch injected` ;touch injected",
        ),
        ("COOP_DIFF_BASE", "$(touch injected)"),
        ("COOP_BASELINE", "x\"; touch injected; echo \""),
        ("COOP_SARIF", "$(touch injected)"),
    ] {
        let output = run_action(&repository, &[("COOP_AS_OF", &date), (name, value)]);
        assert!(
            output.status.code().is_some_and(|code| code > 0),
            "{name}: {}",
            stderr(&output)
        );
        assert!(
            !repository.join("injected").exists(),
            "{name} ran a command"
        );
    }
}

/// Every input of `action.yml` reaches the script as a `COOP_*` variable, and no `run:` holds an
/// expression, which the runner would splice into the script's text.
#[test]
fn the_action_passes_every_input_through_the_environment() {
    let action = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
        .expect("action.yml");
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/github-action.sh"),
    )
    .expect("the script");
    let inputs: Vec<&str> = action
        .split("\ninputs:\n")
        .nth(1)
        .and_then(|rest| rest.split("\nruns:\n").next())
        .expect("an inputs section")
        .lines()
        .filter_map(|line| line.strip_prefix("  ")?.strip_suffix(':'))
        .filter(|name| !name.starts_with(' '))
        .collect();
    assert!(inputs.len() >= 6, "{inputs:?}");
    for input in inputs {
        let variable = format!("COOP_{}", input.replace('-', "_").to_uppercase());
        assert!(
            action.contains(&format!("{variable}: ${{{{ inputs.{input} }}}}")),
            "{input} is not passed as {variable}"
        );
        assert!(
            script.contains(&variable),
            "the script never reads {variable}"
        );
    }
    let mut in_run = false;
    for line in action.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("run:") {
            in_run = true;
        } else if trimmed.starts_with("- name:") || trimmed.starts_with("env:") {
            in_run = false;
        }
        if in_run {
            assert!(!line.contains("${{"), "an expression in a run: {line}");
        }
    }
}
