//! `coop.toml`, with the real binary: each folder of `tests/fixtures/config/` is a model with its
//! settings, checked from inside it, and its output is a snapshot; a case's `# expect:` lines
//! name the codes it must produce. Adding a case is adding a folder.

mod common;

use std::path::{Path, PathBuf};

use common::{coop_in, stderr, stdout};

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures/config exists")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.join("coop.toml").is_file())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_settings_case_checks_as_its_snapshot_says() {
    let cases = cases();
    assert!(cases.len() >= 4, "{cases:?}");
    for case in cases {
        let name = case
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let output = coop_in(&case, &["check"]);
        let text = format!(
            "exit code: {:?}\n--- standard output\n{}--- standard error\n{}",
            output.status.code(),
            stdout(&output),
            stderr(&output)
        );
        let settings = std::fs::read_to_string(case.join("coop.toml")).expect("coop.toml");
        for expected in common::expected_codes(&settings.replace("# expect:", "// expect:")) {
            assert!(
                text.contains(&format!("{expected}\n")) || text.contains(&format!("[{expected}]")),
                "{name} expects `{expected}`:\n{text}"
            );
        }
        insta::assert_snapshot!(format!("config-{name}"), text);
    }
}

#[test]
fn settings_give_paths_exclusions_date_baseline_format_and_pack_parameters() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/settings");
    // With its settings: the baseline holds Roanoke's order, Harrisonburg's is within the
    // program's 100 miles, the drafts are left out, and the format is concise.
    let checked = coop_in(&case, &["check"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(
        stderr(&checked).contains("checked 2 files"),
        "{}",
        stderr(&checked)
    );
    // A flag wins over a setting.
    let flagged = coop_in(
        &case,
        &["check", "--format", "json", "--as-of", "2025-04-30"],
    );
    let json: serde_json::Value = serde_json::from_slice(&flagged.stdout).expect("JSON");
    assert_eq!(json["errors"], 0);
    assert_eq!(flagged.status.code(), Some(0));
    // The report takes its horizon from the settings.
    let report = coop_in(&case, &["report", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).expect("JSON");
    assert_eq!(json["horizon_days"], 180);
    assert_eq!(json["as_of"], "2025-12-31");
    // The models folder alone has no settings: the pack's 75 miles deny Harrisonburg too.
    let unset = coop_in(&case, &["check", "models", "--as-of", "2025-12-31"]);
    assert_eq!(unset.status.code(), Some(1));
    assert!(
        stderr(&unset).contains("hbg_roof_2025"),
        "{}",
        stderr(&unset)
    );
}

#[test]
fn settings_never_lead_outside_the_model_directory() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/invalid-values");
    let output = coop_in(&case, &["check"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("`paths` names `../../ok`, outside the directory of coop.toml"),
        "{text}"
    );
    assert!(
        text.contains("`baseline` names `/etc/coop-baseline.json`"),
        "{text}"
    );
    // Nothing of the model was read.
    assert!(!text.contains("checked"), "{text}");
}
