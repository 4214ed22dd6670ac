//! End-to-end tests of the `coop` binary: exit codes, output formats, and bad input.

mod common;

use std::process::Command;

use common::{coop, coop_in, scratch, stderr, stdout};

#[test]
fn a_clean_model_exits_zero() {
    let output = coop(&[
        "check",
        "tests/fixtures/ok/minimal.coop",
        "--as-of",
        "2026-01-01",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("checked 1 file: 0 errors, 0 warnings"));
}

#[test]
fn errors_exit_one_and_every_mistake_is_reported() {
    let output = coop(&["check", "tests/fixtures/err/five-mistakes.coop"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    for code in [
        "undefined-name",
        "wrong-kind",
        "currency-mismatch",
        "term-ends-before-start",
        "missing-field",
    ] {
        assert!(text.contains(code), "missing {code} in:\n{text}");
    }
    assert!(text.contains("5 errors"), "{text}");
    assert!(!text.contains('\u{1b}'), "NO_COLOR output has escape codes");
}

#[test]
fn denied_orders_fail_check_but_not_report() {
    let check = coop(&[
        "check",
        "tests/fixtures/err/denials.coop",
        "--as-of",
        "2026-06-30",
    ]);
    assert_eq!(check.status.code(), Some(1));
    let report = coop(&[
        "report",
        "tests/fixtures/err/denials.coop",
        "--as-of",
        "2026-06-30",
    ]);
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    assert!(stdout(&report).contains("denied"));
}

#[test]
fn report_json_is_valid_json() {
    let output = coop(&[
        "report",
        "tests/fixtures/err/denials.coop",
        "--as-of",
        "2026-06-30",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(value["as_of"], "2026-06-30");
    assert_eq!(value["summary"]["denied"], 12);
}

/// JSON Lines: the same bytes on standard output and in a file, every line one JSON object
/// without a raw control character, a line per order and per finding of the JSON report between
/// the run and the summary.
#[test]
fn report_jsonl_is_a_line_per_order_and_finding() {
    let run = |format: &str| {
        let output = coop(&[&REPORT_OF_DENIALS[..], &[format]].concat());
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        output.stdout
    };
    let lines = run("jsonl");
    let file = scratch("report-jsonl").join("report.jsonl");
    let file_name = file.to_string_lossy().into_owned();
    let written = coop(&[&REPORT_OF_DENIALS[..], &["jsonl", "-o", &file_name]].concat());
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert_eq!(std::fs::read(&file).expect("the file is written"), lines);
    let report: serde_json::Value = serde_json::from_slice(&run("json")).expect("JSON");
    let text = String::from_utf8(lines).expect("UTF-8");
    let kinds: Vec<String> = text
        .lines()
        .map(|line| {
            assert!(!line.chars().any(char::is_control), "{line}");
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            value["type"].as_str().expect("a type").to_string()
        })
        .collect();
    let count = |key: &str| report[key].as_array().map_or(0, Vec::len);
    assert_eq!(kinds.len(), 2 + count("orders") + count("findings"));
    assert_eq!(kinds.first().map(String::as_str), Some("run"));
    assert_eq!(kinds.last().map(String::as_str), Some("summary"));
    assert_eq!(
        kinds.iter().filter(|kind| *kind == "order").count(),
        count("orders")
    );
}

#[test]
fn report_of_a_broken_model_exits_one_without_a_report() {
    let output = coop(&["report", "tests/fixtures/err/names.coop"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    assert!(stderr(&output).contains("no report"));
}

#[test]
fn garbage_is_a_syntax_error() {
    let output = coop(&["check", "tests/fixtures/err/syntax-garbage.coop"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("syntax-error"));
}

#[test]
fn an_empty_file_is_a_warning() {
    let directory = scratch("empty-file");
    let file = directory.join("empty.coop");
    std::fs::write(&file, "").expect("write");
    let output = coop(&["check", file.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("empty-model"));
}

#[test]
fn a_missing_path_exits_two() {
    let output = coop(&["check", "no/such/model.coop"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read `no/such/model.coop`: no such file or directory")
    );
}

#[test]
fn a_directory_without_coop_files_exits_two() {
    let directory = scratch("no-coop-files");
    std::fs::write(directory.join("notes.txt"), "not a model").expect("write");
    let output = coop(&["check", directory.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no .coop files"));
}

#[test]
fn a_directory_is_one_model() {
    let directory = scratch("split-model");
    let minimal = std::fs::read_to_string("tests/fixtures/ok/minimal.coop").expect("fixture");
    let (agency, rest) = minimal.split_at(minimal.find("solicitation").expect("a solicitation"));
    std::fs::write(directory.join("agencies.coop"), agency).expect("write");
    std::fs::create_dir_all(directory.join("contracts")).expect("mkdir");
    std::fs::write(directory.join("contracts/laptops.coop"), rest).expect("write");
    let output = coop(&[
        "check",
        directory.to_str().expect("utf-8 path"),
        "--as-of",
        "2026-01-01",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("checked 2 files"));
}

#[test]
fn a_bad_date_or_flag_is_a_usage_error() {
    assert_eq!(
        coop(&[
            "report",
            "tests/fixtures/ok/minimal.coop",
            "--as-of",
            "2026-13-01"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        coop(&[
            "report",
            "tests/fixtures/ok/minimal.coop",
            "--format",
            "yaml"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        coop(&["check", "--deny", "everything"]).status.code(),
        Some(2)
    );
}

#[test]
fn explain_lists_every_code_and_explains_one() {
    let listing = coop(&["explain"]);
    assert_eq!(listing.status.code(), Some(0));
    let text = stdout(&listing);
    assert_eq!(text.lines().count(), coop::codes::Code::ALL.len());
    for (line, code) in text.lines().zip(coop::codes::Code::ALL) {
        assert!(line.starts_with(code.name()), "{line}");
    }
    let one = coop(&["explain", "access-not-in-force"]);
    assert_eq!(one.status.code(), Some(0));
    assert!(stdout(&one).starts_with("# access-not-in-force"));
    let unknown = coop(&["explain", "acess-not-in-force"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("did you mean `access-not-in-force`?"));
}

/// `coop report` of a model with denied orders, up to the format's name.
const REPORT_OF_DENIALS: [&str; 5] = [
    "report",
    "tests/fixtures/err/denials.coop",
    "--as-of",
    "2026-06-30",
    "--format",
];

#[test]
fn identical_input_gives_identical_output() {
    for format in ["json", "jsonl"] {
        let arguments = [&REPORT_OF_DENIALS[..], &[format]].concat();
        assert_eq!(coop(&arguments).stdout, coop(&arguments).stdout, "{format}");
    }
}

#[test]
fn a_file_reached_twice_is_read_once() {
    let directory = scratch("reached-twice");
    std::fs::copy(
        "tests/fixtures/ok/minimal.coop",
        directory.join("minimal.coop"),
    )
    .expect("copy");
    let path = directory.to_str().expect("utf-8 path");
    let file = directory.join("minimal.coop");
    let output = coop(&[
        "check",
        path,
        path,
        file.to_str().expect("utf-8 path"),
        "--as-of",
        "2026-01-01",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("checked 1 file: 0 errors"),
        "{}",
        stderr(&output)
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_neither_loop_nor_duplicate() {
    let directory = scratch("symlinks");
    std::fs::copy(
        "tests/fixtures/ok/minimal.coop",
        directory.join("minimal.coop"),
    )
    .expect("copy");
    std::os::unix::fs::symlink(&directory, directory.join("loop")).expect("symlink to a parent");
    std::os::unix::fs::symlink(directory.join("minimal.coop"), directory.join("alias.coop"))
        .expect("symlink to a file");
    let output = coop(&[
        "check",
        directory.to_str().expect("utf-8 path"),
        "--as-of",
        "2026-01-01",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("checked 1 file: 0 errors"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn orders_after_the_as_of_date_are_mentioned() {
    let output = coop(&[
        "check",
        "tests/fixtures/ok/minimal.coop",
        "--as-of",
        "2025-01-15",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("1 order dated after 2025-01-15 was not judged"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn as_of_dates_are_read_like_dates_in_files() {
    for bad in ["2025-1-1", "+10000-01-01", " 2025-01-01", "2025-02-30"] {
        let output = coop(&["check", "tests/fixtures/ok/minimal.coop", "--as-of", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad} was accepted");
    }
    let output = coop(&[
        "check",
        "tests/fixtures/ok/minimal.coop",
        "--as-of",
        "2025-02-30",
    ]);
    assert!(
        stderr(&output).contains("not a day on the calendar"),
        "{}",
        stderr(&output)
    );
}

/// The head of a model that large tests add orders to.
const LARGE_MODEL_HEAD: &str = "\
agency lead \"Lead County\" { kind county jurisdiction US-WA }
agency buyer \"Buyer City\" { kind city jurisdiction US-WA }
solicitation bid \"Bid\" { lead lead method competitive_bid cooperative_use stated item part \"Part\" per unit }
contract deal \"Deal\" { awards bid supplier \"Supplier\" term 2024-01-01 to 2030-12-31 price part USD 10.00 per unit piggyback { } }
";

#[test]
fn a_large_file_is_read_whole() {
    let directory = scratch("large-file");
    let mut text = LARGE_MODEL_HEAD.to_string();
    for index in 0..20_000 {
        text.push_str(&format!("order o{index} {{ buyer buyer contract deal date 2025-01-01 line part 1 unit at USD 10.00 }}\n"));
    }
    let file = directory.join("large.coop");
    std::fs::write(&file, text).expect("write");
    let output = coop(&[
        "report",
        file.to_str().expect("utf-8 path"),
        "--as-of",
        "2026-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(value["summary"]["permitted"], 20_000);
}

#[test]
fn thousands_of_files_form_one_model() {
    let directory = scratch("many-files");
    std::fs::write(directory.join("head.coop"), LARGE_MODEL_HEAD).expect("write");
    for index in 0..2_000 {
        let order = format!(
            "order o{index} {{ buyer buyer contract deal date 2025-01-01 line part 1 unit at USD 10.00 }}\n"
        );
        std::fs::write(directory.join(format!("order-{index:04}.coop")), order).expect("write");
    }
    let output = coop(&[
        "check",
        directory.to_str().expect("utf-8 path"),
        "--as-of",
        "2026-01-01",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("checked 2001 files: 0 errors, 0 warnings"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn html_and_markdown_reports_and_output_files() {
    let html = coop(&[
        "report",
        "examples/piggyback-trucks.coop",
        "--as-of",
        "2025-12-31",
        "--format",
        "html",
    ]);
    assert_eq!(html.status.code(), Some(0));
    let page = stdout(&html);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(
        !page.contains("http://") && !page.contains("https://") && !page.contains(" src="),
        "the page must be self-contained"
    );
    // One script, its own, which the page's policy allows by its hash and nothing else.
    assert_eq!(page.matches("<script").count(), 1);
    assert!(page.contains("script-src 'sha256-") && page.contains("default-src 'none'"));
    assert!(page.contains("<h1>piggyback-trucks</h1>"));
    let markdown = coop(&[
        "report",
        "examples/piggyback-trucks.coop",
        "--as-of",
        "2025-12-31",
        "--format",
        "markdown",
    ]);
    assert_eq!(markdown.status.code(), Some(0));
    assert!(
        stdout(&markdown).starts_with("# piggyback-trucks: binding obligations as of 2025-12-31")
    );

    let directory = scratch("output-file");
    let target = directory.join("report.html");
    std::fs::write(&target, "an older report").expect("write");
    let written = coop(&[
        "report",
        "examples/piggyback-trucks.coop",
        "--as-of",
        "2025-12-31",
        "--format",
        "html",
        "-o",
        target.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert!(stdout(&written).is_empty());
    assert_eq!(std::fs::read_to_string(&target).expect("read"), page);
    let leftovers: Vec<_> = std::fs::read_dir(&directory)
        .expect("list")
        .filter_map(|entry| entry.ok())
        .collect();
    assert_eq!(leftovers.len(), 1, "a temporary file was left behind");
}

#[test]
fn a_broken_model_never_touches_the_output_file() {
    let directory = scratch("output-untouched");
    let target = directory.join("report.html");
    std::fs::write(&target, "the last good report").expect("write");
    let output = coop(&[
        "report",
        "tests/fixtures/err/names.coop",
        "-o",
        target.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "the last good report"
    );
}

#[test]
fn an_unwritable_output_is_an_io_error() {
    let output = coop(&[
        "report",
        "tests/fixtures/ok/minimal.coop",
        "-o",
        "no/such/directory/report.html",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot write `no/such/directory/report.html`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_large_markdown_report_is_summarised_to_fit_a_comment() {
    let directory = scratch("large-markdown");
    let mut text = LARGE_MODEL_HEAD.to_string();
    for index in 0..3_000 {
        // Priced above the contract: every order is denied, with a reason to list.
        text.push_str(&format!("order o{index} {{ buyer buyer contract deal date 2025-01-01 line part 1 unit at USD 11.00 }}\n"));
    }
    let file = directory.join("large.coop");
    std::fs::write(&file, text).expect("write");
    let output = coop(&[
        "report",
        file.to_str().expect("utf-8 path"),
        "--as-of",
        "2026-01-01",
        "--format",
        "markdown",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let markdown = stdout(&output);
    assert!(
        markdown.chars().count() <= 60_000,
        "{} characters",
        markdown.chars().count()
    );
    assert!(
        markdown.contains("3000 denied"),
        "the summary keeps the full counts"
    );
    assert!(
        markdown.contains("denied orders not shown, to fit"),
        "{}",
        &markdown[markdown.len() - 500..]
    );
}

#[test]
fn why_explains_orders_and_bindings() {
    let denied = coop(&[
        "why",
        "examples/piggyback-trucks.coop",
        "lkw_feb_2025",
        "--as-of",
        "2025-12-31",
    ]);
    assert_eq!(denied.status.code(), Some(0), "{}", stderr(&denied));
    let text = stdout(&denied);
    assert!(text.starts_with("order lkw_feb_2025: denied"), "{text}");
    assert!(
        text.contains(
            "✗ rule access-not-in-force: access instrument `lakewood_ila` is not in force"
        ),
        "{text}"
    );
    assert!(
        text.contains("[access-not-in-force, examples/piggyback-trucks.coop:108]"),
        "{text}"
    );
    assert!(
        text.contains(
            "✓ rule order-outside-term: The order is dated within the contract's term, and runs within it: holds"
        ),
        "{text}"
    );
    assert!(
        text.contains("✓ basis piggyback: A non-party buys under the contract's piggyback clause"),
        "{text}"
    );

    let bound = coop(&[
        "why",
        "examples/piggyback-trucks.coop",
        "tacoma",
        "pc_24_07",
        "--as-of",
        "2025-12-31",
    ]);
    assert!(
        stdout(&bound)
            .starts_with("tacoma is bound to pc_24_07 by piggyback, 2024-07-10 to 2027-03-31"),
        "{}",
        stdout(&bound)
    );

    let json = coop(&[
        "why",
        "examples/piggyback-trucks.coop",
        "fife",
        "pc_24_07",
        "--as-of",
        "2025-12-31",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    assert_eq!(value["bound"], false);
    assert_eq!(value["orders"][0]["codes"][0], "access-not-for-order");

    let unknown = coop(&["why", "examples/piggyback-trucks.coop", "tac_204"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("did you mean `tac_2024`?"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn a_closed_output_stream_is_not_a_crash() {
    // As in `coop check ... 2>&1 | head -1`: the reader goes away before Coop has written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_coop"))
        .args([
            "check",
            "tests/fixtures/err/denials.coop",
            "--as-of",
            "2026-06-30",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the coop binary runs");
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().expect("coop exits");
    assert_eq!(
        status.code(),
        Some(1),
        "a closed pipe must not turn into a panic (101)"
    );
}

/// A test may name an order whose ledger rows are in error: the order is left out of the
/// model, and the test says so rather than that it was dated too late.
#[test]
fn coop_test_says_an_order_of_ledger_rows_in_error_was_left_out() {
    let directory = scratch("test-names-a-rejected-order");
    std::fs::create_dir_all(directory.join("ledger-broken-rows")).expect("folder");
    std::fs::copy(
        "tests/fixtures/err/ledger-broken-rows/orders.csv",
        directory.join("ledger-broken-rows/orders.csv"),
    )
    .expect("copy the ledger");
    let mut model =
        std::fs::read_to_string("tests/fixtures/err/ledger-broken-rows.coop").expect("fixture");
    model.push_str(
        "\ntest \"a misspelt buyer\" as of 2025-12-31 {\n  expect order misspelled_buyer permitted\n}\n",
    );
    let file = directory.join("model.coop");
    std::fs::write(&file, model).expect("write");
    let tested = coop(&["test", file.to_str().expect("utf-8 path")]);
    assert_eq!(tested.status.code(), Some(1), "{}", stderr(&tested));
    let text = stdout(&tested);
    assert!(
        text.contains("actual: not judged: left out of the model, as its ledger rows have errors"),
        "{text}"
    );
}

#[test]
fn coop_test_runs_the_model_tests() {
    let passing = coop(&["test", "examples/piggyback-trucks.coop"]);
    assert_eq!(passing.status.code(), Some(0), "{}", stderr(&passing));
    assert!(
        stdout(&passing).contains("3 tests: 3 passed, 0 failed"),
        "{}",
        stdout(&passing)
    );

    let directory = scratch("failing-test");
    let mut model = std::fs::read_to_string("examples/piggyback-trucks.coop").expect("example");
    model.push_str(
        "\ntest \"a wrong belief\" as of 2025-12-31 {\n  expect order lkw_feb_2025 permitted\n}\n",
    );
    let file = directory.join("model.coop");
    std::fs::write(&file, model).expect("write");
    let path = file.to_str().expect("utf-8 path");
    let failing = coop(&["test", path, "--filter", "wrong"]);
    assert_eq!(failing.status.code(), Some(1));
    let text = stdout(&failing);
    assert!(
        text.contains("test \"a wrong belief\" (as of 2025-12-31) ... FAILED"),
        "{text}"
    );
    assert!(
        text.contains("expected: order lkw_feb_2025 permitted"),
        "{text}"
    );
    assert!(
        text.contains("actual: denied with access-not-in-force"),
        "{text}"
    );
    assert!(
        text.contains(
            "because: access-not-in-force: access instrument `lakewood_ila` is not in force"
        ),
        "{text}"
    );
    assert!(text.contains("1 test: 0 passed, 1 failed"), "{text}");

    let junit = coop(&["test", path, "--format", "junit"]);
    let report =
        quick_junit::Report::deserialize_from_str(&stdout(&junit)).expect("valid JUnit XML");
    assert_eq!((report.tests, report.failures), (4, 1));
    let json = coop(&["test", path, "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    assert_eq!(
        (value["passed"].as_u64(), value["failed"].as_u64()),
        (Some(3), Some(1))
    );
}

#[test]
fn a_model_split_over_files_checks_tests_and_formats_as_one() {
    let directory = scratch("split-everything");
    std::fs::write(
        directory.join("agencies.coop"),
        "agency olympia \"City of Olympia\" { kind city jurisdiction US-WA }\n",
    )
    .expect("write");
    std::fs::write(
        directory.join("contracts.coop"),
        "solicitation itb \"Laptops\" { lead olympia method competitive_bid item laptop \"Laptop\" per unit }\n\n\
         contract laptops \"Laptops\" {\n  awards itb\n  supplier \"PC Depot\"\n  term 2025-01-01 to 2025-12-31\n  price laptop USD 1,099.00 per unit\n}\n\n\
         order olympia_laptops {\n  buyer olympia\n  contract laptops\n  date 2025-02-01\n  line laptop 25 unit at USD 1,049.00\n}\n\n\
         test \"the lead buys under its own contract\" as of 2026-01-01 {\n  expect order olympia_laptops permitted\n  expect agency olympia bound to laptops as lead\n}\n",
    )
    .expect("write");
    let path = directory.to_str().expect("utf-8 path");
    let check = coop(&["check", path, "--as-of", "2026-01-01"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let test = coop(&["test", path]);
    assert_eq!(test.status.code(), Some(0), "{}", stdout(&test));
    let format = coop(&["fmt", "--check", path]);
    assert_eq!(format.status.code(), Some(0), "{}", stdout(&format));

    // A name declared in two files: both places are shown.
    std::fs::write(
        directory.join("again.coop"),
        "agency olympia \"Olympia again\" { kind city jurisdiction US-WA }\n",
    )
    .expect("write");
    let duplicate = coop(&["check", path, "--as-of", "2026-01-01"]);
    assert_eq!(duplicate.status.code(), Some(1));
    let text = stderr(&duplicate);
    assert!(text.contains("duplicate-name"), "{text}");
    assert!(
        text.contains("agencies.coop") && text.contains("again.coop"),
        "{text}"
    );
}

#[test]
fn ledger_rows_are_counted_in_the_json_of_check_and_report() {
    let path = "tests/fixtures/err/ledger-open-quote.coop";
    let check = coop(&["check", path, "--as-of", "2025-12-31", "--format", "json"]);
    let report = coop(&["report", path, "--as-of", "2025-12-31", "--format", "json"]);
    let mut outputs = vec![check.stdout, report.stdout];
    // JSON Lines carry them on their last line, the summary.
    for command in ["check", "report"] {
        let output = coop(&[command, path, "--as-of", "2025-12-31", "--format", "jsonl"]);
        let lines = stdout(&output);
        let summary = lines.lines().last().unwrap_or_default();
        assert!(summary.starts_with(r#"{"type":"summary""#), "{lines}");
        outputs.push(summary.as_bytes().to_vec());
    }
    for output in outputs {
        let json: serde_json::Value = serde_json::from_slice(&output).expect("the output is JSON");
        let ledger = &json["ledgers"][0];
        assert_eq!(ledger["rows"], 4, "{json}");
        assert_eq!(ledger["counted"], 1);
        assert_eq!(ledger["not_counted"], 3);
    }
}

#[test]
fn rules_lists_every_shipped_pack_and_prints_one() {
    let listing = coop(&["rules"]);
    assert_eq!(listing.status.code(), Some(0));
    for pack in coop::packs::SHIPPED {
        assert!(
            stdout(&listing).contains(pack.name),
            "{} is not listed",
            pack.name
        );
    }
    assert!(stdout(&listing).contains("RCW 39.34.030(5)(b)"));
    let source = coop(&["rules", "us-va", "--format", "coop"]);
    assert_eq!(
        stdout(&source),
        coop::packs::shipped("us-va").expect("shipped").text
    );
    // Rule by rule: what it quotes, how it reads, what it does.
    let literate = stdout(&coop(&["rules", "us-va"]));
    for part in [
        "rule va_on_behalf_of_others",
        "  cites Va. Code",
        "  logic:",
    ] {
        assert!(literate.contains(part), "no `{part}` in:\n{literate}");
    }
    let unknown = coop(&["rules", "us-vaa"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("did you mean `us-va`?"));
}

#[test]
fn rules_writes_a_pack_page_and_reads_a_local_pack() {
    let directory = scratch("rules-page");
    let page = directory.join("us-wa.html");
    let written = coop(&[
        "rules",
        "us-wa",
        "--format",
        "html",
        "-o",
        &page.to_string_lossy(),
    ]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let html = std::fs::read_to_string(&page).expect("the page is written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Not legal advice."));
    assert!(!html.contains("<script"));
    // A local pack is read from its file, and its page never replaces it.
    let pack = directory.join("ours.coop");
    std::fs::write(
        &pack,
        "//! Our <b>own</b> rules.\npack \"Ours\"\n\n/// Reads [plainly](javascript:alert(1)).\nrule ours \"Ours\" {\n  cite \"Manual 1\"\n  for order o\n  require o.value <= USD 5.00\n  else warn \"big\"\n}\n",
    )
    .expect("write the pack");
    let local = coop(&["rules", &pack.to_string_lossy(), "--format", "html"]);
    assert_eq!(local.status.code(), Some(0), "{}", stderr(&local));
    let html = stdout(&local);
    assert!(html.contains("&lt;b&gt;own&lt;/b&gt;"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    let over = coop(&[
        "rules",
        &pack.to_string_lossy(),
        "-o",
        &pack.to_string_lossy(),
    ]);
    assert_eq!(over.status.code(), Some(2));
}

#[test]
fn generate_never_writes_over_a_program() {
    let directory = scratch("generate-twice");
    let target = directory.to_string_lossy().into_owned();
    let first = coop(&["generate", "-o", &target, "--orders", "50"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let model = std::fs::read_to_string(directory.join("model.coop")).expect("written");
    let second = coop(&["generate", "-o", &target, "--orders", "60", "--ledger"]);
    assert_eq!(second.status.code(), Some(2));
    assert!(stderr(&second).contains("exists"), "{}", stderr(&second));
    assert_eq!(
        std::fs::read_to_string(directory.join("model.coop")).expect("kept"),
        model
    );
    assert!(!directory.join("orders.csv").exists());
}

/// A large order book is read, and a large model's orders checked, on several threads: what
/// comes out is the same bytes as on one. 140,000 orders make three parts for the checkers and
/// a file large enough to be read in parts.
#[test]
fn several_threads_check_a_large_model_as_one_does() {
    let directory = scratch("threads");
    let target = directory.to_string_lossy().into_owned();
    let generated = coop(&["generate", "-o", &target, "--orders", "140000"]);
    assert_eq!(generated.status.code(), Some(0), "{}", stderr(&generated));
    let check = |threads| {
        let arguments = ["check", &target, "--as-of", "2026-12-31"];
        coop_on_threads(
            &[&arguments[..], &["--format", "concise"]].concat(),
            threads,
        )
    };
    let one = check("1");
    let several = check("3");
    // The generated program has orders denied on purpose.
    assert_eq!(one.status.code(), Some(1), "{}", stderr(&one));
    assert!(stdout(&one).lines().count() > 100, "{}", stdout(&one));
    assert_eq!(stdout(&several), stdout(&one));
    // The summary; a run past ten seconds (a loaded machine) adds lines of progress with times.
    let summary = |output| stderr(output).lines().last().map(str::to_string);
    assert_eq!(summary(&several), summary(&one));
    assert_eq!(several.status.code(), one.status.code());
}

/// Runs the real `coop` binary, without colour, on this many threads.
fn coop_on_threads(arguments: &[&str], threads: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_coop"))
        .args(arguments)
        .env("NO_COLOR", "1")
        .env(coop::parallel::THREADS_VARIABLE, threads)
        .output()
        .expect("the coop binary runs")
}

/// Orders are judged ahead of their turn on several threads, and taken in turn on one, and the
/// JSON reports' orders are rendered on several threads and written in turn: each report (every
/// judgment, duty and rule tally) is the same bytes as when one thread does everything. 20,000
/// orders make batches large enough to be shared between threads.
#[test]
fn several_threads_judge_a_large_model_as_one_does() {
    let directory = scratch("threads-judge");
    let target = directory.to_string_lossy().into_owned();
    let generated = coop(&["generate", "-o", &target, "--orders", "20000"]);
    assert_eq!(generated.status.code(), Some(0), "{}", stderr(&generated));
    for format in ["json", "jsonl"] {
        let report = |threads| {
            let arguments = ["report", &target, "--as-of", "2026-12-31", "-o", "-"];
            coop_on_threads(&[&arguments[..], &["--format", format]].concat(), threads)
        };
        let one = report("1");
        let several = report("3");
        assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
        let judgments = stdout(&one).matches("\"decision\"").count();
        assert_eq!(judgments, 20_000, "every order is in the {format} report");
        assert!(
            stdout(&one).contains("\"denied\""),
            "some orders are denied"
        );
        assert!(
            stdout(&several) == stdout(&one),
            "the {format} reports differ"
        );
        assert_eq!(several.status.code(), one.status.code());
    }
}

#[test]
fn import_ocds_writes_a_new_file_and_replaces_one_only_when_asked() {
    let directory = scratch("import-ocds");
    let package = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ocds/single-buyer-tender.json");
    let package = package.to_string_lossy();
    let arguments = [
        "import",
        "ocds",
        &package,
        "--kind",
        "city",
        "-o",
        "model.coop",
    ];
    let first = coop_in(&directory, &arguments);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let written = std::fs::read_to_string(directory.join("model.coop")).expect("written");
    assert!(written.contains("contract salt_2025_1 \"Road salt 2025-2027\""));
    assert!(stderr(&first).contains("not mapped: "));
    assert!(stderr(&first).contains("/releases/0/tender/documents (an array)"));
    // Never over a user's file unless asked.
    std::fs::write(directory.join("model.coop"), "// mine\n").expect("written");
    let refused = coop_in(&directory, &arguments);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("give `--force` to replace it"));
    let kept = std::fs::read_to_string(directory.join("model.coop")).expect("kept");
    assert_eq!(kept, "// mine\n");
    let forced = coop_in(&directory, &[&arguments[..], &["--force"]].concat());
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    let replaced = std::fs::read_to_string(directory.join("model.coop")).expect("replaced");
    assert_eq!(replaced, written);
    // The model it wrote is reported as OCDS again.
    let report = coop_in(
        &directory,
        &[
            "report",
            "model.coop",
            "--as-of",
            "2026-01-01",
            "--format",
            "ocds",
        ],
    );
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    let package: serde_json::Value =
        serde_json::from_str(&stdout(&report)).expect("the report is JSON");
    assert_eq!(package["releases"][0]["ocid"], "ocds-b5fd17-salt-2025");
}

#[test]
fn import_ocds_without_an_agency_kind_says_how_to_give_one() {
    let output = coop(&[
        "import",
        "ocds",
        "tests/fixtures/ocds/single-buyer-tender.json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("party `GB-GOV-LEEDS` states no agency kind"),
        "{message}"
    );
    assert!(message.contains("--kind KIND"), "{message}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn fmt_and_check_read_standard_input() {
    let messy = "agency olympia \"City of Olympia\" {\nkind   city\n     jurisdiction US-WA // the state\n}\n";
    let formatted = common::coop_with_input(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &["fmt", "-"],
        messy,
    );
    assert_eq!(formatted.status.code(), Some(0), "{}", stderr(&formatted));
    assert_eq!(
        stdout(&formatted),
        "agency olympia \"City of Olympia\" {\n  kind city\n  jurisdiction US-WA  // the state\n}\n"
    );

    // Text that does not parse is reported, and nothing is written for the editor to keep.
    let broken = common::coop_with_input(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &["fmt", "-"],
        "agency olympia {\n  kind city;\n}\n",
    );
    assert_eq!(broken.status.code(), Some(1));
    assert_eq!(stdout(&broken), "");
    assert!(
        stderr(&broken).contains("<stdin>:2:12"),
        "{}",
        stderr(&broken)
    );

    let clean = common::coop_with_input(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &["check", "-", "--as-of", "2026-01-01"],
        messy,
    );
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert!(stderr(&clean).contains("checked 1 file: 0 errors, 0 warnings"));

    // Standard input's `use`s are relative to the current directory, the model's.
    let using = common::coop_with_input(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &["check", "-", "--as-of", "2026-01-01", "--format", "json"],
        "use \"tests/fixtures/ok/minimal.coop\"\nagency tumwater \"Tumwater\" { kind city jurisdiction US-WA }\n",
    );
    assert_eq!(using.status.code(), Some(0), "{}", stderr(&using));
    let mistaken = common::coop_with_input(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &["check", "-"],
        "agency olympia { kind citty }\n",
    );
    assert_eq!(mistaken.status.code(), Some(1));
    assert!(
        stderr(&mistaken).contains("<stdin>:1:"),
        "{}",
        stderr(&mistaken)
    );
}

#[test]
fn a_syntax_error_in_one_file_hides_nothing_of_the_others() {
    let directory = scratch("syntax-error-in-one-file");
    std::fs::write(
        directory.join("agencies.coop"),
        "agency olympia \"City of Olympia\" {\n  kind city\n  jurisdiction US-WA\n\nagency tumwater \"City of Tumwater\" { kind citty jurisdiction US-WA }\n",
    )
    .expect("write");
    std::fs::write(
        directory.join("contracts.coop"),
        "solicitation itb \"Laptops\" { lead olympia method competitive_bid item laptop \"Laptop\" per unit }\n\
         contract laptops \"Laptops\" { awards itbb supplier \"PC Depot\" term 2025-01-01 to 2025-12-31 price laptop USD 1,099.00 per unit }\n",
    )
    .expect("write");
    let output = coop(&["check", directory.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    // The block left open, the next declaration's mistake in the same file, and the other file's.
    assert!(
        text.contains("the block of agency `olympia` is never closed"),
        "{text}"
    );
    assert!(text.contains("`citty` is not an agency kind"), "{text}");
    assert!(text.contains("no solicitation named `itbb`"), "{text}");
    // `olympia` did not parse: the solicitation's `lead olympia` is not reported again.
    assert!(!text.contains("named `olympia`"), "{text}");
    assert!(
        text.contains("checked 2 files: 3 errors, 0 warnings"),
        "{text}"
    );
}

/// A generated program of `orders` orders (a CSV ledger when `ledger`), in a fresh directory.
fn generated_program(name: &str, orders: usize, ledger: bool) -> std::path::PathBuf {
    let directory = scratch(name).join("program");
    let target = directory.to_str().expect("utf-8 path");
    let orders = orders.to_string();
    let mut arguments = vec!["generate", "-o", target, "--orders", &orders];
    if ledger {
        arguments.push("--ledger");
    }
    let output = coop(&arguments);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    directory
}

/// The progress lines of a run's standard error (`read ...`, `checked N orders ...`,
/// `judged ...`), each without its time, after checking that the time is a number of seconds.
fn progress_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| {
            line.starts_with("read ")
                || line.starts_with("judged ")
                || (line.starts_with("checked ") && line.contains(" orders in "))
        })
        .map(|line| {
            let (counted, took) = line.rsplit_once(" in ").expect("a time");
            let seconds = took.strip_suffix(" s").expect("seconds");
            assert!(seconds.parse::<f64>().is_ok(), "{line}");
            assert_eq!(
                seconds
                    .split_once('.')
                    .map(|(_, hundredths)| hundredths.len()),
                Some(2),
                "{line}"
            );
            counted.to_string()
        })
        .collect()
}

/// How many files `coop check` said it checked.
fn files_checked(text: &str) -> usize {
    let (_, after) = text.rsplit_once("checked ").expect("a summary");
    let (count, _) = after.split_once(" file").expect("a count of files");
    count.parse().expect("a number")
}

/// The progress lines, without their times, of a run over 5,000 orders in `files` files.
fn phases_of_5_000_orders(files: usize) -> Vec<String> {
    vec![
        format!("read 5,000 orders from {files} files"),
        "checked 5,000 orders".to_string(),
        "judged 5,000 orders".to_string(),
    ]
}

#[test]
fn progress_without_a_terminal_is_one_plain_line_per_phase() {
    let program = generated_program("progress-lines", 5_000, false);
    let path = program.to_str().expect("utf-8 path");
    let output = coop(&["check", "--progress", "--as-of", "2030-12-31", path]);
    let text = stderr(&output);
    assert_eq!(
        progress_lines(&text),
        phases_of_5_000_orders(files_checked(&text)),
        "{text}"
    );
    // Plain text that no CI system reads as a command.
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(!text.lines().any(|line| line.starts_with("::")), "{text}");
    // The same run without `--progress` is quick and says nothing of its progress.
    let quiet = coop(&["check", "--as-of", "2030-12-31", path]);
    assert_eq!(progress_lines(&stderr(&quiet)), Vec::<String>::new());
    assert_eq!(
        stderr(&quiet),
        text.lines()
            .filter(|line| progress_lines(line).is_empty())
            .map(|line| format!("{line}\n"))
            .collect::<String>()
    );
}

#[test]
fn progress_lines_count_ledgers_reports_and_both_sides_of_a_diff() {
    let program = generated_program("progress-ledger", 5_000, true);
    let path = program.to_str().expect("utf-8 path");
    let report = coop(&["report", "--progress", "--as-of", "2030-12-31", path]);
    let text = stderr(&report);
    let files = coop(&["check", "--as-of", "2030-12-31", path]);
    let phases = phases_of_5_000_orders(files_checked(&stderr(&files)));
    assert_eq!(progress_lines(&text), phases, "{text}");
    let diff = coop(&["diff", "--progress", "--as-of", "2030-12-31", path, path]);
    let text = stderr(&diff);
    assert_eq!(
        progress_lines(&text),
        [phases.clone(), phases].concat(),
        "{text}"
    );
}

#[test]
fn quiet_runs_show_no_progress_even_when_asked() {
    let output = coop(&[
        "check",
        "-q",
        "--progress",
        "tests/fixtures/ok/minimal.coop",
        "--as-of",
        "2026-01-01",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

/// Runs `coop` in a pseudo-terminal, as a person at a terminal does, and gives all it wrote.
fn coop_on_a_terminal(arguments: &[&str]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_coop"));
    command
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env_remove("CI");
    let mut session =
        rexpect::session::spawn_command(command, Some(120_000)).expect("a pseudo-terminal");
    // rexpect gives each byte read as a character of its own.
    let bytes: Vec<u8> = session
        .exp_eof()
        .expect("coop ends")
        .chars()
        .map(|byte| u8::try_from(byte).expect("a byte"))
        .collect();
    String::from_utf8(bytes).expect("UTF-8")
}

#[test]
fn the_progress_bar_counts_each_phase_on_a_terminal_and_is_cleared() {
    let program = generated_program("progress-bar", 5_000, false);
    let path = program.to_str().expect("utf-8 path");
    let shown = coop_on_a_terminal(&["check", "--progress", "--as-of", "2030-12-31", path]);
    // Each phase's last count is drawn, whatever else was drawn before it.
    assert!(shown.contains(" read, 5,000 orders, "), "{shown}");
    assert!(shown.contains(" 5,000/5,000 orders checked, "), "{shown}");
    assert!(shown.contains(" 5,000/5,000 orders judged, "), "{shown}");
    // The bar's line is cleared (`ESC [2K`) before the findings, which are as without it.
    let (_, after) = shown.rsplit_once("\u{1b}[2K").expect("the bar cleared");
    let plain = coop(&["check", "--as-of", "2030-12-31", path]);
    let written = format!("{}{}", stdout(&plain), stderr(&plain));
    assert_eq!(after.replace("\r\n", "\n"), written);
    // A quick run without `--progress` draws no bar.
    let quick = coop_on_a_terminal(&[
        "check",
        "tests/fixtures/ok/minimal.coop",
        "--as-of",
        "2026-01-01",
    ]);
    assert!(!quick.contains('\u{1b}'), "{quick}");
    assert!(
        quick.contains("checked 1 file: 0 errors, 0 warnings"),
        "{quick}"
    );
    // Nor does `-q`, even when asked for progress.
    let quiet = coop_on_a_terminal(&["check", "-q", "--progress", path, "--as-of", "2030-12-31"]);
    assert!(!quiet.contains(" orders checked, "), "{quiet}");
    assert!(!quiet.contains("\u{1b}[2K"), "{quiet}");
}
