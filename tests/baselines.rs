//! Adopting Coop in CI on a model with a past: `coop check --baseline` fails only on findings
//! the baseline does not hold, keyed by rule and declaration (not by line), and `waive` entries
//! set accepted findings aside, listed in every output.

mod common;

use common::{coop, coop_in, coop_with_input, scratch, stderr, stdout};

/// A county contract and two orders: Lakewood's is denied (its interlocal agreement was not yet
/// in force), which happened and cannot be undone.
const MODEL: &str = r#"agency pierce_county "Pierce County" { kind county jurisdiction US-WA }
agency lakewood "City of Lakewood" { kind city jurisdiction US-WA }
agency tacoma "City of Tacoma" { kind city jurisdiction US-WA }

solicitation itb_24_07 "Dump trucks" {
  lead pierce_county
  method competitive_bid
  cooperative_use stated
  item dump_truck "Class 8 dump truck" per truck
}

contract pc_24_07 "Dump trucks" {
  awards itb_24_07
  supplier "Puget Sound Truck Centers"
  term 2024-04-01 to 2027-03-31
  price dump_truck USD 204,750.00 per truck
  piggyback {
    open_to kind in [city, county] and jurisdiction in [US-WA]
    requires interlocal_agreement
  }
}

access lakewood_ila "Lakewood interlocal agreement" {
  kind interlocal_agreement
  agency lakewood
  with pierce_county
  signed 2025-02-10
  effective 2025-03-01
}

order lkw_feb_2025 "Lakewood, first attempt" {
  buyer lakewood
  contract pc_24_07
  date 2025-02-20
  via lakewood_ila
  line dump_truck 1 truck at USD 204,750.00
}
"#;

/// A new order of Tacoma's, with no instrument at all: a new finding.
const NEW_ORDER: &str = r#"
order tac_2025 "Tacoma" {
  buyer tacoma
  contract pc_24_07
  date 2025-05-01
  line dump_truck 1 truck at USD 204,750.00
}
"#;

fn check_with(directory: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut arguments = vec!["check", "model.coop", "--as-of", "2025-12-31"];
    arguments.extend_from_slice(extra);
    coop_in(directory, &arguments)
}

#[test]
fn a_model_with_a_past_denial_passes_with_its_baseline_and_fails_on_a_new_one() {
    let directory = scratch("baseline-adoption");
    std::fs::write(directory.join("model.coop"), MODEL).expect("write");
    assert_eq!(check_with(&directory, &[]).status.code(), Some(1));

    let written = check_with(&directory, &["--write-baseline", "coop-baseline.json"]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert!(stderr(&written).contains("recorded 1 finding in the baseline coop-baseline.json"));
    let baseline = std::fs::read_to_string(directory.join("coop-baseline.json")).expect("read");
    let json: serde_json::Value = serde_json::from_str(&baseline).expect("a baseline is JSON");
    assert_eq!(json["coop_baseline"], 1);
    assert_eq!(
        json["findings"],
        serde_json::json!([{ "rule": "access-not-in-force", "on": "lkw_feb_2025", "count": 1 }])
    );

    let passing = check_with(&directory, &["--baseline", "coop-baseline.json"]);
    assert_eq!(passing.status.code(), Some(0), "{}", stderr(&passing));
    assert!(
        stderr(&passing).contains("1 finding held by the baseline coop-baseline.json not shown"),
        "{}",
        stderr(&passing)
    );

    // Lines move: the finding is the same, keyed by its rule and its order.
    let moved = format!("// Orders of the county's truck contract.\n\n\n{MODEL}");
    std::fs::write(directory.join("model.coop"), &moved).expect("write");
    assert_eq!(
        check_with(&directory, &["--baseline", "coop-baseline.json"])
            .status
            .code(),
        Some(0)
    );

    // A new denial fails, and is the only finding shown.
    std::fs::write(directory.join("model.coop"), format!("{moved}{NEW_ORDER}")).expect("write");
    let failing = check_with(
        &directory,
        &["--baseline", "coop-baseline.json", "--format", "concise"],
    );
    assert_eq!(failing.status.code(), Some(1));
    let lines: Vec<String> = stdout(&failing).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("error[access-missing]"), "{lines:?}");

    // The past denial fixed (the order removed): the baseline says so.
    std::fs::write(
        directory.join("model.coop"),
        MODEL
            .replace("order lkw_feb_2025", "order lkw_mar_2025")
            .replace("2025-02-20", "2025-03-20"),
    )
    .expect("write");
    let fixed = check_with(&directory, &["--baseline", "coop-baseline.json"]);
    assert_eq!(fixed.status.code(), Some(0));
    assert!(
        stderr(&fixed).contains("1 finding of the baseline no longer found"),
        "{}",
        stderr(&fixed)
    );
}

#[test]
fn a_baseline_goes_to_standard_output_and_comes_from_standard_input() {
    let directory = scratch("baseline-streams");
    std::fs::write(directory.join("model.coop"), MODEL).expect("write");
    let written = check_with(&directory, &["--write-baseline", "-"]);
    assert_eq!(written.status.code(), Some(0));
    let baseline = stdout(&written);
    assert!(baseline.contains("\"access-not-in-force\""), "{baseline}");

    let output = coop_with_input(
        &directory,
        &[
            "check",
            "model.coop",
            "--as-of",
            "2025-12-31",
            "--baseline",
            "-",
        ],
        &baseline,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_baseline_is_never_written_over_an_input_nor_read_when_it_is_not_one() {
    let directory = scratch("baseline-refusals");
    std::fs::write(directory.join("model.coop"), MODEL).expect("write");
    let over_input = check_with(&directory, &["--write-baseline", "model.coop"]);
    assert_eq!(over_input.status.code(), Some(2));
    assert!(stderr(&over_input).contains("coop never writes over its input"));
    assert_eq!(
        std::fs::read_to_string(directory.join("model.coop")).expect("read"),
        MODEL
    );

    std::fs::write(directory.join("not-a-baseline.json"), "{\"findings\": 3}").expect("write");
    let unreadable = check_with(&directory, &["--baseline", "not-a-baseline.json"]);
    assert_eq!(unreadable.status.code(), Some(2));
    assert!(
        stderr(&unreadable).contains("is not a Coop baseline"),
        "{}",
        stderr(&unreadable)
    );
    let missing = check_with(&directory, &["--baseline", "nowhere.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("--write-baseline nowhere.json"));

    // A model that does not check has no findings to record.
    std::fs::write(directory.join("model.coop"), "agency a { kind citty }").expect("write");
    let broken = check_with(&directory, &["--write-baseline", "coop-baseline.json"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(!directory.join("coop-baseline.json").exists());
}

#[test]
fn waived_findings_do_not_fail_the_check_and_every_output_lists_them() {
    let fixture = "tests/fixtures/ok/waivers.coop";
    let text = coop(&["check", fixture, "--as-of", "2026-12-31"]);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    assert!(
        stderr(&text)
            .contains("waived: tests/fixtures/ok/waivers.coop:38:3: error[price-above-contract]")
    );
    assert!(stderr(&text).contains("1 finding set aside by the model's waivers"));
    assert!(stderr(&text).contains("waiver-expired"));

    // Before the waiver, the same model fails.
    let before = coop(&[
        "check",
        fixture,
        "--as-of",
        "2025-12-31",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&before.stdout).expect("JSON");
    assert_eq!(json["waived"].as_array().map(Vec::len), Some(2));
    assert!(
        json["waived"]
            .as_array()
            .expect("waived")
            .iter()
            .any(|finding| finding["waived"]["by"] == "J. Smith, purchasing manager")
    );

    let sarif = coop(&[
        "check",
        fixture,
        "--as-of",
        "2026-12-31",
        "--format",
        "sarif",
    ]);
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("SARIF is JSON");
    let suppressed: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|result| result.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert!(
        suppressed[0]["suppressions"][0]["justification"]
            .as_str()
            .is_some_and(|why| why.contains("resolution 25-31"))
    );

    for format in ["text", "markdown", "html", "json"] {
        let report = coop(&[
            "report",
            fixture,
            "--as-of",
            "2026-12-31",
            "--format",
            format,
        ]);
        assert_eq!(report.status.code(), Some(0), "{format}");
        let out = stdout(&report);
        assert!(
            out.contains("resolution 25-31"),
            "{format}: no waiver in\n{out}"
        );
        assert!(out.contains("J. Smith, purchasing manager"), "{format}");
    }
    let report = coop(&[
        "report",
        fixture,
        "--as-of",
        "2026-12-31",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).expect("JSON");
    assert_eq!(json["waivers"][0]["waived"], 1);
    assert_eq!(json["waivers"][1]["expired"], true);
    // A waiver decides nothing: the order stays denied.
    let fife = json["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .find(|order| order["name"] == "fife_2025")
        .expect("fife_2025");
    assert_eq!(fife["decision"], "denied");
    assert!(fife["reasons"][0]["waived"]["because"].is_string());
}
