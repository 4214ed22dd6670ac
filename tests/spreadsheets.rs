//! Spreadsheets in and out, with the real binary: a ledger as a finance system exports it is read
//! (and one Coop cannot read is reported row by row); `coop report --format csv` and `--format
//! xlsx`: the four tables of that ledger's model read back as CSV snapshots; every example's workbook read back with calamine, cell by cell the same as its CSV
//! tables, with amounts as numbers and dates as dates; and the outputs that are refused.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{coop, scratch, stderr};

const TABLES: [&str; 4] = ["orders", "bindings", "duties", "volumes"];

/// The columns that hold amounts and counts, and those that hold dates, in any table.
const NUMBER_COLUMNS: &[&str] = &[
    "value",
    "ordered_value",
    "amount",
    "quantity",
    "commitment",
    "shortfall",
    "line",
];
const DATE_COLUMNS: &[&str] = &["date", "from", "to", "due"];

/// The ledger in the form a finance system exports it.
const SPREADSHEET_LEDGER: &str = "tests/fixtures/ok/ledger-spreadsheet.coop";

fn report(model: &str, as_of: &str, format: &str, output: &Path) -> std::process::Output {
    let output = output.to_string_lossy();
    coop(&[
        "report", model, "--as-of", as_of, "--format", format, "-o", &output, "-q",
    ])
}

fn as_of(model: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(model);
    common::as_of(&std::fs::read_to_string(path).expect("the model is readable")).to_string()
}

/// The rows of a CSV file, its header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    reader
        .records()
        .map(|record| {
            record
                .expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[test]
fn a_spreadsheet_ledger_reads_and_a_broken_one_is_reported_row_by_row() {
    let checked = coop(&["check", SPREADSHEET_LEDGER, "--as-of", "2025-12-31"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(
        stderr(&checked)
            .contains("ledger-spreadsheet/orders.csv: 4 rows read, 4 counted, 0 not counted"),
        "{}",
        stderr(&checked)
    );
    let tested = coop(&["test", SPREADSHEET_LEDGER]);
    assert_eq!(tested.status.code(), Some(0), "{}", common::stdout(&tested));
    let broken = coop(&[
        "check",
        "tests/fixtures/err/ledger-titles.coop",
        "--as-of",
        "2025-12-31",
        "--format",
        "concise",
    ]);
    assert_eq!(broken.status.code(), Some(1));
    let lines = common::stdout(&broken);
    for expected in [
        "orders.csv:2:15: error[ambiguous-title]: `Springfield` is the title of 2 agencies: `springfield_il`, `springfield_mo`",
        "orders.csv:3:10: error[undefined-name]: no agency named `City of Tacomma`",
        "orders.csv:4:61: error[currency-mismatch]:",
        "orders.csv:5:34: error[invalid-date]:",
    ] {
        assert!(lines.contains(expected), "{expected}\n{lines}");
    }
    let explained = coop(&[
        "check",
        "tests/fixtures/err/ledger-titles.coop",
        "--as-of",
        "2025-12-31",
    ]);
    assert!(stderr(&explained).contains("did you mean `City of Tacoma`?"));
}

#[test]
fn a_spreadsheet_ledger_comes_back_out_as_csv_tables() {
    let directory = scratch("spreadsheets-ledger-csv").join("tables");
    let output = report(SPREADSHEET_LEDGER, "2025-12-31", "csv", &directory);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "the tables go to files only");
    let mut tables = String::new();
    for table in TABLES {
        let text = std::fs::read_to_string(directory.join(format!("{table}.csv")))
            .expect("a file per table");
        tables.push_str(&format!("== {table}.csv\n{text}"));
    }
    // `7/10/2024` and `"$204,750.00"` of the ledger are a date and an amount.
    let orders = csv_rows(&directory.join("orders.csv"));
    assert_eq!(
        orders[0][..5],
        ["order", "buyer", "contract", "date", "decision"]
    );
    assert_eq!(
        orders[1][..5],
        ["PO1001", "tacoma", "pc_24_07", "2024-07-10", "permitted"]
    );
    assert_eq!(orders[1][8..10], ["730950.00", "USD"]);
    // Nothing but the four tables is left in the directory: no temporary file.
    let mut files: Vec<String> = std::fs::read_dir(&directory)
        .expect("the directory")
        .filter_map(|entry| Some(entry.ok()?.file_name().to_string_lossy().into_owned()))
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["bindings.csv", "duties.csv", "orders.csv", "volumes.csv"]
    );
    insta::assert_snapshot!("spreadsheets-ledger-csv", tables);
}

#[test]
fn a_model_with_denials_and_duties_as_csv_tables() {
    let model = "examples/naspo-valuepoint.coop";
    let directory = scratch("spreadsheets-naspo-csv");
    let output = report(model, &as_of(model), "csv", &directory);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mut tables = String::new();
    for table in TABLES {
        let text = std::fs::read_to_string(directory.join(format!("{table}.csv")))
            .expect("a file per table");
        tables.push_str(&format!("== {table}.csv\n{text}"));
    }
    insta::assert_snapshot!("spreadsheets-naspo-valuepoint-csv", tables);
    // The workbook is dated by the report, not the clock: the same model, the same bytes.
    let workbooks: Vec<Vec<u8>> = ["first.xlsx", "second.xlsx"]
        .iter()
        .map(|name| {
            let path = directory.join(name);
            let output = report(model, &as_of(model), "xlsx", &path);
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            std::fs::read(path).expect("the workbook")
        })
        .collect();
    assert_eq!(workbooks[0], workbooks[1]);
}

/// Every example and the spreadsheet ledger: the workbook has a sheet per table, each holding
/// the CSV table's cells, amounts and counts as numbers, dates as dates, text as text.
#[test]
fn every_workbook_round_trips_to_the_csv_tables() {
    let mut models: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"))
            .expect("examples/")
            .filter_map(|entry| Some(entry.ok()?.path()))
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "coop")
            })
            .map(|path| common::relative(&path))
            .collect();
    models.sort();
    models.push(PathBuf::from(SPREADSHEET_LEDGER));
    let root = scratch("spreadsheets-round-trip");
    let mut dates = 0;
    let mut amounts = 0;
    for model in &models {
        let model = model.to_string_lossy().into_owned();
        let date = as_of(&model);
        let name = model.replace('/', "-");
        let directory = root.join(&name);
        let workbook = root.join(format!("{name}.xlsx"));
        for (format, target) in [("csv", &directory), ("xlsx", &workbook)] {
            let output = report(&model, &date, format, target);
            assert_eq!(
                output.status.code(),
                Some(0),
                "{model} {format}: {}",
                stderr(&output)
            );
        }
        let mut workbook: Xlsx<_> = open_workbook(&workbook).expect("the workbook opens");
        assert_eq!(workbook.sheet_names(), TABLES, "{model}");
        for table in TABLES {
            let sheet = workbook.worksheet_range(table).expect("the sheet");
            let rows = csv_rows(&directory.join(format!("{table}.csv")));
            let header = &rows[0];
            // A sheet with no row but its header is just as wide.
            let width = header.len();
            assert_eq!(sheet.height(), rows.len(), "{model} {table}");
            for (row, (cells, fields)) in sheet.rows().zip(&rows).enumerate() {
                for (column, name) in header.iter().enumerate() {
                    let cell = cells.get(column).unwrap_or(&Data::Empty);
                    let field = &fields[column];
                    let at = format!("{model} {table} row {row} column {name}");
                    if row == 0 {
                        assert_eq!(cell, &Data::String(name.clone()), "{at}");
                        continue;
                    }
                    match cell {
                        Data::Empty => assert_eq!(field, "", "{at}"),
                        Data::String(text) => {
                            assert!(
                                !NUMBER_COLUMNS.contains(&name.as_str())
                                    && !DATE_COLUMNS.contains(&name.as_str()),
                                "{at}: text {text:?} where a number or date belongs"
                            );
                            assert_eq!(field.strip_prefix('\'').unwrap_or(field), text, "{at}");
                        }
                        Data::Float(number) => {
                            assert!(NUMBER_COLUMNS.contains(&name.as_str()), "{at}");
                            let written: f64 = field.parse().expect("a number in the CSV");
                            assert!(
                                (number - written).abs() <= written.abs() * 1e-12,
                                "{at}: {number} and {written}"
                            );
                            amounts += 1;
                        }
                        Data::DateTime(date) => {
                            assert!(DATE_COLUMNS.contains(&name.as_str()), "{at}");
                            assert!(date.is_datetime(), "{at}");
                            let day = date.as_datetime().expect("a day").date();
                            assert_eq!(&day.to_string(), field, "{at}");
                            dates += 1;
                        }
                        other => panic!("{at}: unexpected cell {other:?}"),
                    }
                }
                assert!(cells.len() <= width, "{model} {table}");
            }
        }
    }
    assert!(
        dates > 100 && amounts > 100,
        "{dates} dates, {amounts} amounts"
    );
}

#[test]
fn tables_and_workbooks_are_files_and_never_replace_an_input() {
    let root = scratch("spreadsheets-refused");
    // Neither goes to standard output.
    for format in ["csv", "xlsx"] {
        for arguments in [
            vec!["report", SPREADSHEET_LEDGER, "--format", format],
            vec!["report", SPREADSHEET_LEDGER, "--format", format, "-o", "-"],
        ] {
            let output = coop(&arguments);
            assert_eq!(output.status.code(), Some(2), "{arguments:?}");
            assert!(output.stdout.is_empty());
            assert!(
                stderr(&output).contains("not standard output"),
                "{}",
                stderr(&output)
            );
            assert!(
                stderr(&output).contains("help: name the"),
                "{}",
                stderr(&output)
            );
        }
    }
    // The directory of the ledger `orders.csv` would lose it: refused, the ledger untouched.
    let ledger = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ok/ledger-spreadsheet/orders.csv");
    let before = std::fs::read(&ledger).expect("the ledger");
    let output = report(
        SPREADSHEET_LEDGER,
        "2025-12-31",
        "csv",
        Path::new("tests/fixtures/ok/ledger-spreadsheet"),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is a file of the model; coop never writes over its input"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&ledger).expect("the ledger"), before);
    for name in TABLES.iter().filter(|name| **name != "orders") {
        assert!(!ledger.with_file_name(format!("{name}.csv")).exists());
    }
    // A workbook over the model's file is refused too.
    let output = report(
        SPREADSHEET_LEDGER,
        "2025-12-31",
        "xlsx",
        Path::new(SPREADSHEET_LEDGER),
    );
    assert_eq!(output.status.code(), Some(2));
    // The tables need a directory: a file of that name is refused, and so is a link to one.
    let file = root.join("a-file");
    std::fs::write(&file, "kept").expect("a file");
    let output = report(SPREADSHEET_LEDGER, "2025-12-31", "csv", &file);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not a directory"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&file).expect("the file"), "kept");
    #[cfg(unix)]
    {
        let elsewhere = root.join("elsewhere");
        std::fs::create_dir(&elsewhere).expect("a directory");
        let link = root.join("link");
        std::os::unix::fs::symlink(&elsewhere, &link).expect("a link");
        let output = report(SPREADSHEET_LEDGER, "2025-12-31", "csv", &link);
        assert_eq!(output.status.code(), Some(2));
        assert!(
            stderr(&output).contains("symbolic link"),
            "{}",
            stderr(&output)
        );
        assert_eq!(std::fs::read_dir(&elsewhere).expect("it").count(), 0);
    }
}

#[test]
fn tables_are_replaced_whole_and_other_files_kept() {
    let directory = scratch("spreadsheets-replaced");
    std::fs::write(directory.join("orders.csv"), "an old table\n").expect("an old table");
    std::fs::write(directory.join("notes.txt"), "mine\n").expect("another file");
    let output = report(SPREADSHEET_LEDGER, "2025-12-31", "csv", &directory);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let orders = std::fs::read_to_string(directory.join("orders.csv")).expect("orders.csv");
    assert!(orders.starts_with("order,buyer,"), "{orders}");
    assert_eq!(
        std::fs::read_to_string(directory.join("notes.txt")).expect("notes.txt"),
        "mine\n"
    );
    // A model that does not check writes nothing, and leaves the old tables as they were.
    let broken = directory.join("broken.coop");
    std::fs::write(&broken, "agency {").expect("a broken model");
    let output = coop(&[
        "report",
        &broken.to_string_lossy(),
        "--format",
        "csv",
        "-o",
        &directory.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(directory.join("orders.csv")).expect("orders.csv"),
        orders
    );
}
