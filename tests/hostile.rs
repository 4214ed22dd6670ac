//! Hostile input, end to end through the real binary: what a pull request can put in a model
//! directory must never overwrite an input, hide code, lead Coop outside the model, or make an
//! output run as a CI command.

mod common;

use std::path::{Path, PathBuf};

use common::{coop, scratch, stderr, stdout};

fn minimal() -> String {
    std::fs::read_to_string("tests/fixtures/ok/minimal.coop").expect("the minimal fixture")
}

fn text(path: &Path) -> String {
    path.to_str().expect("a UTF-8 path").to_string()
}

// ---------------------------------------------------------------------------------------------
// 1. Outputs never destroy inputs.

#[test]
fn report_never_writes_over_an_input() {
    let directory = scratch("output-over-input");
    let model = directory.join("m.coop");
    std::fs::write(&model, minimal()).expect("write the model");
    std::fs::create_dir_all(directory.join("ro")).expect("a subdirectory");
    let roundabout = directory.join("ro").join("..").join("m.coop");
    for target in [model.clone(), roundabout] {
        let output = coop(&["report", &text(&model), "-o", &text(&target)]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("is a file of the model; coop never writes over its input"),
            "{}",
            stderr(&output)
        );
        assert_eq!(
            std::fs::read_to_string(&model).expect("the model"),
            minimal()
        );
    }
}

#[test]
fn report_never_writes_over_a_ledger() {
    let directory = scratch("output-over-ledger");
    copy_tree(
        Path::new("tests/fixtures/ok/ledger"),
        &directory.join("ledger"),
    );
    std::fs::copy(
        "tests/fixtures/ok/ledger.coop",
        directory.join("ledger.coop"),
    )
    .expect("copy");
    let ledger = std::fs::read_dir(directory.join("ledger"))
        .expect("the ledger directory")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|extension| extension == "csv"))
        .expect("a CSV ledger");
    let before = std::fs::read(&ledger).expect("the ledger");
    let output = coop(&[
        "report",
        &text(&directory.join("ledger.coop")),
        "-o",
        &text(&ledger),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(std::fs::read(&ledger).expect("the ledger"), before);
}

#[cfg(unix)]
#[test]
fn report_never_replaces_a_link_or_a_device() {
    let directory = scratch("output-not-regular");
    let model = directory.join("m.coop");
    std::fs::write(&model, minimal()).expect("write the model");
    let elsewhere = directory.join("elsewhere.txt");
    std::fs::write(&elsewhere, "kept").expect("write a file");
    let link = directory.join("link.txt");
    std::os::unix::fs::symlink(&elsewhere, &link).expect("a link");
    for (target, says) in [
        (link.clone(), "is a symbolic link"),
        (PathBuf::from("/dev/null"), "is not a regular file"),
        (directory.clone(), "is not a regular file"),
    ] {
        let output = coop(&["report", &text(&model), "-o", &text(&target)]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains(says), "{}", stderr(&output));
    }
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("the link")
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&elsewhere).expect("kept"), "kept");
    // Refused before any work: the model, here one that does not exist, is not even read.
    let absent = text(&directory.join("absent.coop"));
    let output = coop(&["report", &absent, "-o", "/dev/null"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is not a regular file"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_dash_is_standard_output() {
    let directory = scratch("output-dash");
    let model = directory.join("m.coop");
    std::fs::write(&model, minimal()).expect("write the model");
    let output = common::coop_in(
        &directory,
        &["report", "m.coop", "-o", "-", "--as-of", "2025-12-31"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("Binding obligations as of 2025-12-31"));
    assert!(
        !directory.join("-").exists(),
        "`-o -` wrote a file named `-`"
    );
}

#[cfg(unix)]
#[test]
fn fmt_keeps_a_files_permissions_and_never_replaces_a_link() {
    use std::os::unix::fs::PermissionsExt;
    let directory = scratch("fmt-permissions");
    let model = directory.join("m.coop");
    std::fs::write(&model, minimal().replace("  kind city", "kind    city")).expect("write");
    std::fs::set_permissions(&model, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let output = coop(&["fmt", &text(&model)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mode = std::fs::metadata(&model)
        .expect("the model")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    assert_eq!(
        std::fs::read_to_string(&model).expect("the model"),
        minimal()
    );

    let unformatted = directory.join("unformatted.coop");
    std::fs::write(
        &unformatted,
        minimal().replace("  kind city", "kind    city"),
    )
    .expect("write");
    let link = directory.join("link.coop");
    std::os::unix::fs::symlink(&unformatted, &link).expect("a link");
    let output = coop(&["fmt", &text(&link)]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is a symbolic link"),
        "{}",
        stderr(&output)
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("the link")
            .file_type()
            .is_symlink()
    );
    let leftovers: Vec<String> = std::fs::read_dir(&directory)
        .expect("the directory")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".coop-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

// ---------------------------------------------------------------------------------------------
// 2. Code cannot hide inside a comment (the fixtures show each character; this is the CI gate).

#[test]
fn a_carriage_return_ends_a_comment_and_fmt_shows_the_line() {
    let directory = scratch("lone-carriage-return");
    let model = directory.join("m.coop");
    let hidden = minimal().replace(
        "order olympia_laptops {",
        "// reviewed\rorder sneaky { buyer olympia contract laptops date 2025-03-01 line laptop 1 unit at USD 9,999.00 }\norder olympia_laptops {",
    );
    std::fs::write(&model, &hidden).expect("write");
    let output = coop(&["check", &text(&model), "--as-of", "2025-12-31"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("price-above-contract"),
        "{}",
        stderr(&output)
    );
    let check = coop(&["fmt", "--check", &text(&model)]);
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    let output = coop(&["fmt", &text(&model)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let formatted = std::fs::read_to_string(&model).expect("the model");
    assert!(!formatted.contains('\r'));
    assert!(
        formatted.contains("// reviewed\norder sneaky {"),
        "{formatted}"
    );
}

#[test]
fn hidden_line_breaks_and_direction_controls_fail_check_and_fmt() {
    let directory = scratch("hidden-characters");
    for (name, character) in [
        ("line-separator", '\u{2028}'),
        ("paragraph-separator", '\u{2029}'),
        ("next-line", '\u{0085}'),
        ("vertical-tab", '\u{000B}'),
        ("form-feed", '\u{000C}'),
        ("right-to-left-override", '\u{202E}'),
        ("isolate", '\u{2066}'),
    ] {
        let model = directory.join(format!("{name}.coop"));
        let text_with = minimal().replace(
            "// a lower price is allowed",
            &format!("// reviewed{character}order sneaky {{ }}"),
        );
        std::fs::write(&model, &text_with).expect("write");
        let output = coop(&["check", &text(&model)]);
        assert_eq!(output.status.code(), Some(1), "{name}: {}", stderr(&output));
        let code = if matches!(character, '\u{202E}' | '\u{2066}') {
            "bidirectional-override"
        } else {
            "invisible-line-break"
        };
        assert!(
            stderr(&output).contains(code),
            "{name}: {}",
            stderr(&output)
        );
        assert!(
            !stderr(&output).contains(character),
            "{name}: the excerpt shows the character itself"
        );
        let output = coop(&["fmt", &text(&model)]);
        assert_eq!(output.status.code(), Some(1), "{name}: {}", stderr(&output));
        assert_eq!(std::fs::read_to_string(&model).expect("kept"), text_with);
    }
}

// ---------------------------------------------------------------------------------------------
// 3. The model is its directory.

#[cfg(unix)]
#[test]
fn links_out_of_the_model_directory_are_refused_and_never_printed() {
    let directory = scratch("links-out");
    let secret = directory.join("secret.txt");
    std::fs::write(&secret, "TOKEN=hunter2\n").expect("write a secret");
    let model = directory.join("model");
    std::fs::create_dir_all(model.join("sub")).expect("the model directory");
    std::fs::write(model.join("m.coop"), minimal()).expect("write the model");
    std::os::unix::fs::symlink(&secret, model.join("sub").join("notes.coop")).expect("a link");
    for command in [
        vec!["check", text(&model).leak()],
        vec!["report", text(&model).leak()],
        vec!["fmt", text(&model).leak()],
    ] {
        let output = coop(&command);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("is a symbolic link to a place outside the model's directory"),
            "{}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("hunter2") && !stdout(&output).contains("hunter2"));
    }
    assert_eq!(
        std::fs::read_to_string(&secret).expect("kept"),
        "TOKEN=hunter2\n"
    );

    // A linked directory outside the model is refused the same way, and fmt writes nothing.
    std::fs::remove_file(model.join("sub").join("notes.coop")).expect("remove the link");
    let outside = directory.join("outside");
    std::fs::create_dir_all(&outside).expect("a directory outside");
    let unformatted = minimal().replace("  kind city", "kind    city");
    std::fs::write(outside.join("other.coop"), &unformatted).expect("write");
    std::os::unix::fs::symlink(&outside, model.join("linked")).expect("a directory link");
    let output = coop(&["fmt", &text(&model)]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(outside.join("other.coop")).expect("kept"),
        unformatted
    );
}

#[cfg(unix)]
#[test]
fn a_socket_named_by_use_or_ledger_is_refused_with_help_for_what_was_named() {
    let directory = scratch("socket");
    let _socket = std::os::unix::net::UnixListener::bind(directory.join("orders.csv"))
        .expect("a socket in the model's directory");
    named_file_is_refused(
        &directory,
        &["use-not-a-file"],
        [
            ("use \"orders.csv\"", "name a .coop file"),
            ("ledger \"orders.csv\"", "name a CSV file of orders"),
        ],
    );
}

/// Names `orders.csv` in `directory` by each case's `use` or `ledger` line, above a minimal
/// model, and checks that `coop check` fails saying each of `said` and the case's help.
fn named_file_is_refused(directory: &Path, said: &[&str], cases: [(&str, &str); 2]) {
    let model = directory.join("m.coop");
    for (line, help) in cases {
        std::fs::write(&model, format!("{line}\n{}", minimal())).expect("write the model");
        let output = coop(&["check", &text(&model)]);
        let printed = format!("{}{}", stdout(&output), stderr(&output));
        assert_eq!(output.status.code(), Some(1), "{printed}");
        assert!(
            said.iter().all(|part| printed.contains(part)) && printed.contains(help),
            "{line}: {printed}"
        );
    }
    std::fs::remove_file(&model).expect("remove the model");
}

/// A file larger than a place in a file can count (4 GiB) is refused by its size, before it is
/// read: named by `ledger` or `use` (`file-too-large`, with help for what was named), or found
/// in the model's directory. The files are sparse, so the test writes almost nothing.
#[test]
fn a_file_over_four_gibibytes_is_refused_before_it_is_read() {
    let directory = scratch("too-large");
    let large = directory.join("orders.csv");
    std::fs::File::create(&large)
        .and_then(|file| file.set_len(::coop::source::LARGEST_FILE + 1))
        .expect("a sparse file of 4 GiB");
    named_file_is_refused(
        &directory,
        &["file-too-large", "4294967296 bytes"],
        [
            ("ledger \"orders.csv\"", "split it into several CSV files"),
            ("use \"orders.csv\"", "split it into several .coop files"),
        ],
    );
    std::fs::rename(&large, directory.join("orders.coop")).expect("rename");
    std::fs::write(directory.join("m.coop"), minimal()).expect("write the model");
    let output = coop(&["check", &text(&directory)]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .contains("orders.coop` is 4294967296 bytes, more than Coop reads in one file"),
        "{}",
        stderr(&output)
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Outputs cannot inject CI commands or terminal escapes.

#[test]
fn no_output_line_reads_as_a_workflow_command_or_holds_a_terminal_escape() {
    let directory = scratch("injection");
    let model = directory.join("model");
    std::fs::create_dir_all(&model).expect("the model directory");
    let hostile =
        r#"agency olympia "City\n::error::title ##[add-mask]t" { kind city jurisdiction US-WA }
agency tumwater "::warning::plain" { kind city jurisdiction US-WA }
solicitation itb "L" { lead olympia method competitive_bid item laptop "Laptop" per unit }
contract laptops "::error::c" {
  awards itb
  supplier "PC\n::add-mask::x"
  term 2025-01-01 to 2025-12-31
  price laptop USD 1,099.00 per unit
  clause warranty "\n::set-output name=a::b"
}
order o1 { buyer olympia contract laptops date 2025-02-01 line laptop 25 unit at USD 1,049.00 }
order o2 { buyer tumwater contract laptops date 2025-02-01 line laptop 1 unit at USD 1,049.00 }
rule r "t\n::error::rt" {
  cite "c\n::error::cite ##[add-mask]c"
  for order o
  require o.value < USD 1.00
  else deny "msg\n::error::x ESC BEL {o.buyer.title}"
}
test "name\n::error::test ESC" { expect order o1 permitted }
"#
        .replace("ESC", "\u{1b}[31m")
        .replace("BEL", "\u{7}");
    std::fs::write(model.join("m.coop"), &hostile).expect("write the model");
    // A file whose own name carries a line break and a command.
    std::fs::write(model.join("n\n::error::file.coop"), "// nothing\n").expect("write");
    let path = text(&model);
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for format in ["text", "json", "jsonl", "sarif", "github", "junit"] {
        runs.push(vec!["check", &path, "--format", format]);
    }
    for format in ["text", "json", "jsonl", "html", "markdown"] {
        runs.push(vec!["report", &path, "--format", format]);
    }
    for format in ["text", "json", "junit"] {
        runs.push(vec!["test", &path, "--format", format]);
    }
    runs.push(vec!["why", &path, "o1"]);
    runs.push(vec!["why", &path, "olympia", "laptops"]);
    for mut arguments in runs {
        arguments.extend(["--as-of", "2025-12-31"]);
        let output = coop(&arguments);
        let github = arguments.contains(&"github");
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            let written = String::from_utf8_lossy(bytes);
            assert!(
                !written.contains(['\u{1b}', '\u{7}']),
                "{arguments:?} {stream} holds a terminal control:\n{written}"
            );
            for line in written.split(['\n', '\r']) {
                let line = line.trim_start();
                // The runner takes a line that starts with `::` for a command, and reads no
                // further command in it; an annotation's data has its line breaks escaped.
                let own_annotation = github
                    && stream == "stdout"
                    && (line.starts_with("::error file=") || line.starts_with("::warning file="));
                assert!(
                    !line.starts_with("::") || own_annotation,
                    "{arguments:?} {stream} has a line that reads as a workflow command: {line}"
                );
                assert!(
                    own_annotation || !line.contains("##["),
                    "{arguments:?} {stream} holds `##[`, an older form of command: {line}"
                );
            }
        }
    }
}

/// Copies a directory's files (one level) into a new directory.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("the copy's directory");
    for entry in std::fs::read_dir(from)
        .expect("the directory")
        .filter_map(Result::ok)
    {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Text from the model never becomes markup or script in the HTML report.

#[test]
fn the_html_report_shows_markup_in_the_model_as_text() {
    let directory = scratch("html-injection");
    let model = directory.join("model");
    std::fs::create_dir_all(&model).expect("the model directory");
    let hostile = r#"agency olympia "<script>alert(1)</script>" { kind city jurisdiction US-WA }
agency tumwater "\" onmouseover=\"alert(2)" { kind city jurisdiction US-WA }
solicitation itb "</title><img src=x onerror=alert(3)>" { lead olympia method competitive_bid cooperative_use stated item laptop "<svg onload=alert(4)>" per unit }
contract laptops "<style>body{display:none}</style>" {
  awards itb
  supplier "<iframe src=javascript:alert(5)>"
  term 2025-01-01 to 2026-12-31
  price laptop USD 1,099.00 per unit
  clause warranty "<a href=javascript:alert(6)>x</a>"
  piggyback { }
}
order o1 "<details open ontoggle=alert(7)>" { buyer tumwater contract laptops date 2025-02-01 line laptop 25 unit at USD 1,049.00 }
rule r "<form action=x>" {
  cite "<base href=http://example.invalid/>"
  for order o
  require o.value < USD 1.00
  else deny "{o.buyer.title} <script>alert(8)</script>" help "<img src=y>"
}
"#;
    // The program is named after its file.
    std::fs::write(model.join("<i>program.coop"), hostile).expect("write the model");
    let output = coop(&[
        "report",
        &text(&model),
        "--format",
        "html",
        "--as-of",
        "2025-12-31",
    ]);
    let page = stdout(&output);
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", stderr(&output));
    // The page's own script, and nothing the model wrote, is markup.
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    for markup in [
        "<img",
        "<svg onload",
        "<iframe",
        "<style>body",
        "<a href=javascript",
        "<details open",
        "<form",
        "<base",
        "</title><img",
        "<i>program",
    ] {
        assert!(
            !page.contains(markup),
            "the page holds `{markup}` as markup"
        );
    }
    assert!(
        !page.contains("\" onmouseover=\""),
        "an attribute broke out of its quotes"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}
