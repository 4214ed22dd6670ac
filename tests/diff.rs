//! `coop diff`, with the real binary: each folder of `tests/fixtures/diff/` holds a model before
//! (`base/`) and after (`head/`) a change, judged at the date of the base's first line; the diff
//! is a snapshot in every format. Adding a case is adding a folder. Then the same change read
//! from git revisions, `--fail-on`, and a diff too long for one pull-request comment.

mod common;

use std::path::{Path, PathBuf};

use common::{coop_in, git, scratch, stderr, stdout};

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures/diff exists")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.join("base").is_dir() && path.join("head").is_dir())
        .collect();
    cases.sort();
    cases
}

/// The as-of date a case's base model names on its first line.
fn as_of(case: &Path) -> String {
    let text = std::fs::read_to_string(case.join("base/model.coop")).expect("base/model.coop");
    common::as_of(&text).to_string()
}

#[test]
fn every_case_reads_right_in_every_format() {
    let cases = cases();
    assert!(cases.len() >= 3, "{cases:?}");
    for case in cases {
        let name = case
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let date = as_of(&case);
        for format in ["text", "json", "markdown"] {
            let output = coop_in(
                &case,
                &["diff", "base", "head", "--as-of", &date, "--format", format],
            );
            assert_eq!(
                output.status.code(),
                Some(0),
                "{name} {format}: {}",
                stderr(&output)
            );
            insta::assert_snapshot!(format!("diff-{name}-{format}"), stdout(&output));
        }
        // Every case denies an order it did not: --fail-on says so with the exit code.
        let failing = coop_in(
            &case,
            &[
                "diff",
                "base",
                "head",
                "--as-of",
                &date,
                "--fail-on",
                "newly-denied",
            ],
        );
        assert_eq!(failing.status.code(), Some(1), "{name}");
        assert!(stderr(&failing).contains("coop diff fails on: newly-denied"));
        // The other way round, the orders are newly permitted, which fails nothing.
        let reversed = coop_in(
            &case,
            &[
                "diff",
                "head",
                "base",
                "--as-of",
                &date,
                "--fail-on",
                "newly-denied,new-errors",
            ],
        );
        assert_eq!(
            reversed.status.code(),
            Some(0),
            "{name}: {}",
            stderr(&reversed)
        );
        assert!(
            stdout(&reversed).contains("Orders newly permitted (1)"),
            "{name}"
        );
        // A version compared with itself means the same.
        let same = coop_in(
            &case,
            &[
                "diff",
                "base",
                "base",
                "--as-of",
                &date,
                "--fail-on",
                "any-change",
            ],
        );
        assert_eq!(same.status.code(), Some(0), "{name}");
        assert!(stdout(&same).contains("No change: the two versions read the same."));
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
    std::fs::copy(from, to).expect("copy");
}

#[test]
fn revisions_are_read_from_the_repository_without_touching_the_working_tree() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/term-shortened");
    let repository = scratch("diff-repository");
    git(&repository, &["init", "--quiet"]);
    let model = repository.join("models/salt.coop");
    copy(&case.join("base/model.coop"), &model);
    std::fs::write(repository.join("README.md"), "not part of the model\n").expect("write");
    git(&repository, &["add", "."]);
    git(&repository, &["commit", "--quiet", "-m", "the contract"]);
    copy(&case.join("head/model.coop"), &model);
    git(
        &repository,
        &["commit", "--quiet", "-am", "the supplier gave notice"],
    );
    // The working tree goes on: an uncommitted third version.
    let uncommitted = std::fs::read_to_string(case.join("head/model.coop"))
        .expect("read")
        .replace(
            "term 2024-04-01 to 2025-06-30",
            "term 2024-04-01 to 2026-03-31",
        );
    std::fs::write(&model, &uncommitted).expect("write");

    let revisions = coop_in(
        &repository,
        &[
            "diff",
            "HEAD~1",
            "HEAD",
            "--as-of",
            "2025-12-31",
            "--",
            "models",
        ],
    );
    assert_eq!(revisions.status.code(), Some(0), "{}", stderr(&revisions));
    let text = stdout(&revisions);
    assert!(text.contains("coop diff: HEAD~1 → HEAD"), "{text}");
    assert!(text.contains("Orders newly denied (1)"), "{text}");
    // Files are named by the revision, not by a temporary directory.
    assert!(text.contains("[HEAD:models/salt.coop:"), "{text}");
    assert!(!text.contains("coop-diff-"), "{text}");
    // A revision against the working tree (a path): the uncommitted change lengthens the term.
    let working = coop_in(
        &repository,
        &["diff", "HEAD", "models", "--as-of", "2025-12-31"],
    );
    assert_eq!(working.status.code(), Some(0), "{}", stderr(&working));
    assert!(
        stdout(&working).contains("Orders newly permitted (1)"),
        "{}",
        stdout(&working)
    );
    // From inside the model's folder, its paths are relative to it, as git's are.
    let inside = coop_in(
        &repository.join("models"),
        &["diff", "main~1", "main", "--as-of", "2025-12-31"],
    );
    assert_eq!(inside.status.code(), Some(0), "{}", stderr(&inside));
    assert!(stdout(&inside).contains("Orders newly denied (1)"));
    // Nothing was written to the repository or the working tree.
    assert_eq!(std::fs::read_to_string(&model).expect("read"), uncommitted);

    let unknown = coop_in(&repository, &["diff", "no-such-branch", "HEAD"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("`no-such-branch` is neither a path nor a revision"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn a_version_that_does_not_check_is_no_diff() {
    let directory = scratch("diff-broken");
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/rule-tightened");
    copy(
        &case.join("base/model.coop"),
        &directory.join("base/model.coop"),
    );
    std::fs::create_dir_all(directory.join("head")).expect("mkdir");
    std::fs::write(
        directory.join("head/model.coop"),
        "agency a { kind citty }\n",
    )
    .expect("write");
    let output = coop_in(&directory, &["diff", "base", "head"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no diff: head has"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn a_long_diff_is_summarised_to_fit_a_comment() {
    let directory = scratch("diff-long");
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/rule-tightened");
    let base = std::fs::read_to_string(case.join("base/model.coop")).expect("read");
    let mut orders = String::new();
    for index in 0..3_000 {
        orders.push_str(&format!(
            "order tacoma_{index:04} \"Tacoma order {index} with a long title to fill the comment\" {{ buyer tacoma contract pc_24_07 date 2024-08-01 via tacoma_ila line dump_truck 2 truck at USD 204,750.00 }}\n"
        ));
    }
    std::fs::create_dir_all(directory.join("base")).expect("mkdir");
    std::fs::create_dir_all(directory.join("head")).expect("mkdir");
    std::fs::write(directory.join("base/model.coop"), format!("{base}{orders}")).expect("write");
    let head = base.replace("USD 700,000.00", "USD 400,000.00");
    std::fs::write(directory.join("head/model.coop"), format!("{head}{orders}")).expect("write");
    let output = coop_in(
        &directory,
        &[
            "diff",
            "base",
            "head",
            "--as-of",
            "2025-12-31",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let comment = stdout(&output);
    assert!(
        comment.chars().count() <= 65_536,
        "{} characters",
        comment.chars().count()
    );
    assert!(
        comment.contains("### Orders newly denied (3001)"),
        "{comment}"
    );
    assert!(comment.contains("not shown, to fit._"), "{comment}");
    assert!(comment.contains("Orders: 3001 newly denied"), "{comment}");
}

#[test]
fn a_diff_goes_to_a_file_but_never_over_an_input() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/rule-tightened");
    let directory = scratch("diff-output");
    for side in ["base", "head"] {
        copy(
            &case.join(side).join("model.coop"),
            &directory.join(side).join("model.coop"),
        );
    }
    let written = coop_in(
        &directory,
        &[
            "diff",
            "base",
            "head",
            "--as-of",
            "2025-12-31",
            "--format",
            "json",
            "-o",
            "diff.json",
        ],
    );
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(directory.join("diff.json")).expect("diff.json"),
    )
    .expect("JSON");
    assert_eq!(json["orders"][0]["kind"], "newly_denied");
    let over_input = coop_in(
        &directory,
        &["diff", "base", "head", "-o", "head/model.coop"],
    );
    assert_eq!(over_input.status.code(), Some(2));
    assert!(stderr(&over_input).contains("coop never writes over its input"));
}
