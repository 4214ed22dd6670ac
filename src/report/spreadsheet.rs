//! The report as spreadsheets: four tables (orders, bindings, duties, volumes), as CSV files, one
//! table each, or as one Excel workbook, one sheet each. Amounts are numbers and dates are dates
//! (in the workbook, cells of those types), each amount beside its currency or unit, so that a
//! finance office can sum, filter and pivot them.
//!
//! A spreadsheet program runs a CSV field that starts with `=`, `+`, `-` or `@` as a formula,
//! and a model's text (a title, a ledger's order id) is hostile input: such a text is written
//! with a `'` before it, which spreadsheets show as text. A workbook's strings are strings.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::{Amount, Decision, Finding, Report};
use crate::diagnostic::Severity;
use crate::values::{Date, Money};

/// One table: its name (the CSV file's stem, the sheet's name), its columns and its rows, made
/// one at a time as they are written, so that a million orders are never held twice.
pub struct Table<'a> {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Box<dyn Iterator<Item = Vec<Cell>> + 'a>,
}

/// A cell, typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    /// An amount of money, shown with two decimals.
    Money(Decimal),
    /// A quantity or a count.
    Number(Decimal),
    Date(Date),
    Empty,
}

/// The report's four tables, in this order: orders, bindings, duties, volumes.
pub fn tables(report: &Report) -> Vec<Table<'_>> {
    vec![
        orders(report),
        bindings(report),
        duties(report),
        volumes(report),
    ]
}

/// The names of the tables [`tables`] makes, in its order.
pub const TABLES: [&str; 4] = ["orders", "bindings", "duties", "volumes"];

/// A table as CSV (UTF-8, commas, a header row), with every text that a spreadsheet would run as
/// a formula written with a `'` before it.
pub fn write_csv(table: Table<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(table.columns)?;
    for row in table.rows {
        writer.write_record(row.iter().map(csv_field))?;
    }
    writer.flush()
}

/// The report's tables as one Excel workbook, a sheet each: header rows in bold, frozen and
/// filtered, money as numbers shown with two decimals, quantities as numbers, dates as dates.
/// Each sheet is written row by row to a temporary file (rust_xlsxwriter's constant memory mode),
/// so that the memory a workbook takes does not grow with its rows. The workbook is dated the
/// report's as-of date, not the clock, so that the same model gives the same bytes.
pub fn workbook(report: &Report) -> Result<Vec<u8>, WorkbookError> {
    let as_of = crate::values::parse_iso_date(&report.as_of).unwrap_or_default();
    sheets(
        tables(report),
        &as_of,
        &format!("Coop report as of {}", report.as_of),
    )
}

fn sheets(tables: Vec<Table<'_>>, dated: &Date, title: &str) -> Result<Vec<u8>, WorkbookError> {
    use rust_xlsxwriter::{DocProperties, Format, Workbook};
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_creation_datetime(dated),
    );
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format("#,##0.00");
    for table in tables {
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(table.name)?;
        for (column, name) in (0u16..).zip(table.columns) {
            sheet.write_string_with_format(0, column, *name, &bold)?;
            // Wide enough for the header and a date or an amount; rows written cannot be
            // measured again to fit.
            let width = name.len().max(COLUMN_WIDTH);
            sheet.set_column_width(column, u16::try_from(width).unwrap_or(u16::MAX))?;
        }
        let mut rows = 0;
        for row in table.rows {
            rows += 1;
            if rows > SHEET_ROWS {
                return Err(WorkbookError::TooManyRows {
                    table: table.name,
                    rows,
                });
            }
            let at = u32::try_from(rows).unwrap_or(u32::MAX);
            for (column, cell) in (0u16..).zip(&row) {
                match cell {
                    Cell::Text(text) => {
                        sheet.write_string(at, column, text)?;
                    }
                    Cell::Money(amount) => match amount.to_f64() {
                        Some(number) => {
                            sheet.write_number_with_format(at, column, number, &money)?;
                        }
                        None => {
                            sheet.write_string(at, column, amount.to_string())?;
                        }
                    },
                    Cell::Number(quantity) => match quantity.to_f64() {
                        Some(number) => {
                            sheet.write_number(at, column, number)?;
                        }
                        None => {
                            sheet.write_string(at, column, quantity.to_string())?;
                        }
                    },
                    Cell::Date(date) => {
                        sheet.write_datetime_with_format(at, column, date, &day)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        if rows > 0 {
            let last_row = u32::try_from(rows).unwrap_or(u32::MAX);
            let last_column = u16::try_from(table.columns.len() - 1).unwrap_or(u16::MAX);
            sheet.autofilter(0, 0, last_row, last_column)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// The most rows a sheet holds besides its header row (Excel's limit is 1,048,576 in all).
pub const SHEET_ROWS: usize = 1_048_575;

/// Why a workbook could not be made.
#[derive(Debug)]
pub enum WorkbookError {
    /// A table has more rows than a sheet can hold: it has at least `rows`.
    TooManyRows {
        table: &'static str,
        rows: usize,
    },
    Xlsx(rust_xlsxwriter::XlsxError),
}

impl std::fmt::Display for WorkbookError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkbookError::TooManyRows { table, .. } => write!(
                formatter,
                "the {table} table has more than the {SHEET_ROWS} rows a sheet holds"
            ),
            WorkbookError::Xlsx(error) => write!(formatter, "{error}"),
        }
    }
}

impl std::error::Error for WorkbookError {}

impl From<rust_xlsxwriter::XlsxError> for WorkbookError {
    fn from(error: rust_xlsxwriter::XlsxError) -> WorkbookError {
        WorkbookError::Xlsx(error)
    }
}

/// The narrowest a column is, in characters: a date or an amount in the millions fits.
const COLUMN_WIDTH: usize = 12;

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

fn optional_text(value: Option<impl Into<String>>) -> Cell {
    value.map_or(Cell::Empty, text)
}

/// A date the report writes `YYYY-MM-DD`, as a date.
fn date(written: &str) -> Cell {
    crate::values::parse_iso_date(written).map_or_else(|| text(written), Cell::Date)
}

/// An amount of money: its number, and its currency in the next column.
fn money(value: Option<&Money>) -> [Cell; 2] {
    match value {
        Some(money) => [Cell::Money(money.amount), text(money.currency.as_str())],
        None => [Cell::Empty, Cell::Empty],
    }
}

/// Money or a quantity: its number, and its currency or unit in the next column.
fn amount(value: Option<&Amount>) -> [Cell; 2] {
    match value {
        Some(Amount::Money(value)) => money(Some(value)),
        Some(Amount::Quantity { quantity, unit }) => [Cell::Number(*quantity), text(unit)],
        None => [Cell::Empty, Cell::Empty],
    }
}

/// The rules behind an order's findings of one severity, each once, in the order found.
fn rules_of(reasons: &[Finding], severity: Severity) -> Cell {
    let mut rules: Vec<String> = Vec::new();
    for reason in reasons.iter().filter(|reason| reason.severity == severity) {
        let rule = reason.filed_under();
        if !rules.contains(&rule) {
            rules.push(rule);
        }
    }
    text(rules.join(", "))
}

fn orders(report: &Report) -> Table<'_> {
    let rows =
        report.orders.iter().map(|order| {
            let decision = match order.decision {
                Decision::Permitted => "permitted",
                Decision::Denied => "denied",
                Decision::AfterAsOf => "after_as_of",
            };
            let [value, currency] = money(order.value.as_ref());
            vec![
                text(&order.name),
                text(&order.buyer),
                text(&order.contract),
                date(&order.date),
                text(decision),
                optional_text(order.basis.map(|basis| basis.as_str())),
                optional_text(order.legal_basis.as_ref().map(|basis| {
                    crate::findings::qualified_rule_id(basis.pack.as_deref(), &basis.id)
                })),
                optional_text(order.via.clone()),
                value,
                currency,
                rules_of(&order.reasons, Severity::Error),
                rules_of(&order.reasons, Severity::Warning),
                text(&order.location.file),
                Cell::Number(Decimal::from(order.location.line)),
            ]
        });
    Table {
        name: TABLES[0],
        columns: &[
            "order",
            "buyer",
            "contract",
            "date",
            "decision",
            "basis",
            "legal_basis",
            "via",
            "value",
            "currency",
            "denied_by",
            "warnings",
            "file",
            "line",
        ],
        rows: Box::new(rows),
    }
}

fn bindings(report: &Report) -> Table<'_> {
    let rows = report.agencies.iter().flat_map(|agency| {
        agency.bindings.iter().map(move |binding| {
            let [value, currency] = money(binding.ordered_value.as_ref());
            let [commitment, commitment_unit] = amount(binding.commitment.as_ref());
            let [shortfall, shortfall_unit] = amount(binding.shortfall.as_ref());
            let clauses: Vec<String> = binding
                .clauses
                .iter()
                .map(super::ClauseReport::text)
                .collect();
            vec![
                text(&agency.name),
                text(&binding.contract),
                text(binding.basis.as_str()),
                text(binding.via.join(", ")),
                date(&binding.from),
                date(&binding.to),
                text(if binding.ended { "yes" } else { "no" }),
                value,
                currency,
                commitment,
                commitment_unit,
                shortfall,
                shortfall_unit,
                text(clauses.join(", ")),
            ]
        })
    });
    Table {
        name: TABLES[1],
        columns: &[
            "agency",
            "contract",
            "basis",
            "via",
            "from",
            "to",
            "ended",
            "ordered_value",
            "currency",
            "commitment",
            "commitment_unit",
            "shortfall",
            "shortfall_unit",
            "clauses",
        ],
        rows: Box::new(rows),
    }
}

fn duties(report: &Report) -> Table<'_> {
    let of_agencies = report.agencies.iter().flat_map(|agency| {
        // A binding's own duties (admin and access fees, a commitment): no rule's, and in words.
        let of_bindings = agency.bindings.iter().flat_map(move |binding| {
            binding.duties.iter().map(move |duty| {
                vec![
                    text(&agency.name),
                    text(&binding.contract),
                    Cell::Empty,
                    text(duty),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                ]
            })
        });
        let of_rules = agency
            .rule_duties
            .iter()
            .map(move |duty| rule_duty(&agency.name, duty));
        of_bindings.chain(of_rules)
    });
    let of_suppliers = report.contracts.iter().flat_map(|contract| {
        let owner = format!("the supplier of {}", contract.name);
        contract
            .supplier_duties
            .iter()
            .map(move |duty| rule_duty(&owner, duty))
    });
    Table {
        name: TABLES[2],
        columns: &[
            "owed_by", "contract", "rule", "duty", "owed_to", "amount", "currency", "due",
        ],
        rows: Box::new(of_agencies.chain(of_suppliers)),
    }
}

fn rule_duty(owner: &str, duty: &super::DutyReport) -> Vec<Cell> {
    let [amount, currency] = money(duty.amount.as_ref());
    vec![
        text(owner),
        optional_text(duty.contract.clone()),
        text(crate::findings::qualified_rule_id(
            duty.rule.pack.as_deref(),
            &duty.rule.id,
        )),
        text(&duty.text),
        optional_text(duty.to.clone()),
        amount,
        currency,
        duty.due.as_deref().map_or(Cell::Empty, date),
    ]
}

fn volumes(report: &Report) -> Table<'_> {
    let rows = report.contracts.iter().flat_map(|contract| {
        contract.ordered_by.iter().map(move |volume| {
            let [value, currency] = money(Some(&volume.value));
            let [quantity, unit] = match &volume.amount {
                Amount::Quantity { .. } => amount(Some(&volume.amount)),
                // Measured in money, the volume is its value, in the columns beside.
                Amount::Money(_) => [Cell::Empty, Cell::Empty],
            };
            let items: Vec<String> = volume.quantities.iter().map(ToString::to_string).collect();
            vec![
                text(&contract.name),
                text(&volume.agency),
                text(volume.basis.as_str()),
                quantity,
                unit,
                value,
                currency,
                text(items.join(", ")),
            ]
        })
    });
    Table {
        name: TABLES[3],
        columns: &[
            "contract", "agency", "basis", "quantity", "unit", "value", "currency", "items",
        ],
        rows: Box::new(rows),
    }
}

fn csv_field(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) if text.starts_with(['=', '+', '-', '@', '\t', '\r']) => {
            format!("'{text}")
        }
        Cell::Text(text) => text.clone(),
        Cell::Money(amount) => amount.to_string(),
        Cell::Number(number) => number.normalize().to_string(),
        Cell::Date(date) => date.to_string(),
        Cell::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_a_spreadsheet_would_run_is_written_as_text() {
        for formula in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_field(&text(formula)), format!("'{formula}"));
        }
        assert_eq!(csv_field(&text("City of Tacoma")), "City of Tacoma");
        // Numbers are numbers, negative ones too: only text is guarded.
        assert_eq!(csv_field(&Cell::Money(Decimal::new(-150, 2))), "-1.50");
        assert_eq!(csv_field(&Cell::Number(Decimal::new(300, 2))), "3");
    }

    #[test]
    fn a_table_longer_than_a_sheet_makes_no_workbook() {
        let table = Table {
            name: "orders",
            columns: &["order"],
            rows: Box::new(std::iter::repeat_with(Vec::new).take(SHEET_ROWS + 1)),
        };
        assert!(matches!(
            sheets(vec![table], &Date::default(), "too long"),
            Err(WorkbookError::TooManyRows {
                table: "orders",
                ..
            })
        ));
    }
}
