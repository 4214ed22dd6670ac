//! Ledgers: the rows of a CSV file of orders to `order` declarations, with spans into the file.
//!
//! The `csv` crate reads the records, one at a time into one reused record, so a file of a
//! million rows is never held twice. One row is one order line; consecutive rows with the same
//! order id are the lines of one order. A row that cannot be read is reported, and the order it
//! belongs to is left out: never a line silently dropped from an order that is then counted.
//!
//! Columns are found by their names in the header row, in any order, and other columns are
//! passed over, so a spreadsheet's export reads as it is: the `ledger` declaration may name the
//! header of each column (`columns { order = "PO Number" }`), the delimiter, the date format and
//! the currency, and prices may carry a currency symbol or code and thousands separators.

use rust_decimal::Decimal;
use smallvec::SmallVec;

use std::ops::ControlFlow;

use super::OrderTrees;
use super::ast::{Block, Declaration, LedgerSetting, Line, Name, OrderField, UnreadOrder};
use super::lower::{calendar_date, decimal};
use super::problems::SyntaxProblem;
use crate::diagnostic::Diagnostic;
use crate::observe::ReadSoFar;
use crate::source::{FileId, Span, Spanned};
use crate::values::{Date, Money};

/// The columns of a ledger, as its header row names them unless its `columns` say otherwise.
pub const COLUMNS: [&str; 9] = [
    "order",
    "buyer",
    "contract",
    "date",
    "via",
    "item",
    "quantity",
    "currency",
    "unit_price",
];

/// The columns a ledger may leave out: `via` (no instrument), and `currency` when the ledger
/// gives one, or each price carries its code.
const OPTIONAL: [&str; 2] = ["via", "currency"];

/// Where each column is in a ledger's rows, as its header row says.
struct Layout {
    /// The field of each of [`COLUMNS`]; `None` for an optional column the ledger does not have.
    fields: [Option<usize>; COLUMNS.len()],
    /// How many fields the header has: every row has as many.
    width: usize,
}

/// How to read one ledger: the settings of its `ledger` declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    delimiter: u8,
    /// strftime's notation, such as `%m/%d/%Y`; `YYYY-MM-DD` without one.
    date_format: Option<String>,
    /// The currency of prices that do not say theirs.
    currency: Option<Name>,
    /// The header naming each of [`COLUMNS`], where the ledger's `columns` name one.
    headers: [Option<Spanned<String>>; COLUMNS.len()],
}

impl Default for Options {
    fn default() -> Options {
        Options {
            delimiter: b',',
            date_format: None,
            currency: None,
            headers: Default::default(),
        }
    }
}

/// The options a `ledger` declaration's settings give, and what is wrong with them.
pub fn options(settings: &[Spanned<LedgerSetting>]) -> (Options, Vec<Diagnostic>) {
    let mut options = Options::default();
    let mut diagnostics = Vec::new();
    let mut given: Vec<&'static str> = Vec::new();
    for setting in settings {
        let name = match &setting.value {
            LedgerSetting::Delimiter(_) => "delimiter",
            LedgerSetting::DateFormat(_) => "date_format",
            LedgerSetting::Currency(_) => "currency",
            LedgerSetting::Columns(_) => "columns",
        };
        if given.contains(&name) {
            diagnostics.push(Diagnostic::of(
                SyntaxProblem::DuplicateLedgerSetting { setting: name },
                setting.span,
            ));
            continue;
        }
        given.push(name);
        match &setting.value {
            LedgerSetting::Delimiter(written) => {
                let value = written.value.replace("\\t", "\t");
                match value.as_bytes() {
                    [byte] if !matches!(byte, b'"' | b'\n' | b'\r') && byte.is_ascii() => {
                        options.delimiter = *byte;
                    }
                    _ => diagnostics.push(Diagnostic::of(
                        SyntaxProblem::InvalidLedgerSetting {
                            what: "delimiter",
                            why: format!("`{}` is not one character", written.value),
                        },
                        written.span,
                    )),
                }
            }
            LedgerSetting::DateFormat(written) => match date_format_problem(&written.value) {
                None => options.date_format = Some(written.value.clone()),
                Some(why) => diagnostics.push(Diagnostic::of(
                    SyntaxProblem::InvalidLedgerSetting {
                        what: "date format",
                        why,
                    },
                    written.span,
                )),
            },
            LedgerSetting::Currency(code) => options.currency = Some(code.clone()),
            LedgerSetting::Columns(columns) => {
                for (column, header) in columns {
                    let Some(index) = COLUMNS.iter().position(|name| *name == column.value) else {
                        diagnostics.push(Diagnostic::of(
                            SyntaxProblem::UnknownLedgerColumn {
                                column: &column.value,
                                suggestion: crate::check::suggest(&column.value, COLUMNS),
                            },
                            column.span,
                        ));
                        continue;
                    };
                    if options.headers[index].is_some() {
                        diagnostics.push(Diagnostic::of(
                            SyntaxProblem::DuplicateLedgerSetting {
                                setting: &column.value,
                            },
                            column.span.to(header.span),
                        ));
                        continue;
                    }
                    options.headers[index] = Some(header.clone());
                }
            }
        }
    }
    (options, diagnostics)
}

/// Why a date format cannot read dates: it is not strftime's notation, or it lacks a year, a
/// month or a day.
fn date_format_problem(format: &str) -> Option<String> {
    let items: Vec<chrono::format::Item<'_>> = chrono::format::StrftimeItems::new(format).collect();
    if items
        .iter()
        .any(|item| matches!(item, chrono::format::Item::Error))
    {
        return Some(format!("`{format}` is not in strftime's notation"));
    }
    // A date read with it must be one whole day: 2024-07-10 written the format's way reads back.
    let day = Date::from_ymd_opt(2024, 7, 10)?;
    let written = day.format(format).to_string();
    match Date::parse_from_str(&written, format) {
        Ok(read) if read == day => None,
        _ => Some(format!(
            "`{format}` does not give a year, a month and a day"
        )),
    }
}

/// What reading a ledger found: its orders as declarations (or, read by name only, as
/// [`UnreadOrder`]s), every problem, and how many rows it has (the header not counted).
#[derive(Default)]
pub struct Ledger {
    pub orders: Vec<Declaration>,
    pub unread_orders: Vec<UnreadOrder>,
    pub diagnostics: Vec<Diagnostic>,
    pub rows: usize,
}

/// Reads a ledger's text; `file` is its id, for spans.
pub fn read(file: FileId, text: &str, options: &Options) -> Ledger {
    read_observed(
        file,
        text,
        options,
        OrderTrees::Now,
        &crate::observe::Unobserved,
    )
}

/// Reads a ledger's text as [`read`] does, making its orders' trees when `order_trees` says, and
/// telling `observer` how many orders it has read.
pub fn read_observed(
    file: FileId,
    text: &str,
    options: &Options,
    order_trees: OrderTrees,
    observer: &dyn crate::observe::Observer,
) -> Ledger {
    let threads = crate::parallel::threads();
    if threads > 1
        && text.len() >= PARALLEL_FROM
        && let Some(ledger) = read_in_parts(file, text, options, order_trees, observer, threads)
    {
        return ledger;
    }
    read_whole(file, text, options, order_trees, observer)
}

/// Below this size a ledger is read on one core: a thread costs more than it saves.
const PARALLEL_FROM: usize = 1 << 20;

/// Reads a ledger from its first row to its last on the caller's thread.
fn read_whole(
    file: FileId,
    text: &str,
    options: &Options,
    order_trees: OrderTrees,
    observer: &dyn crate::observe::Observer,
) -> Ledger {
    let mut ledger = Ledger::default();
    let mut rows = Rows::new(options, order_trees);
    let mut layout: Option<Layout> = None;
    let mut header_read = false;
    let body_start = byte_order_mark(text);
    let read = read_records(
        file,
        text,
        body_start..text.len(),
        options,
        |record, row| {
            if !header_read {
                header_read = true;
                layout = header(record, &row, options, &mut ledger.diagnostics);
                return ControlFlow::Continue(());
            }
            ledger.rows += 1;
            if ledger.rows.is_multiple_of(crate::observe::EVERY) {
                let read = crate::observe::Count {
                    orders: ledger.orders.len() + ledger.unread_orders.len(),
                    bytes: row.start,
                    files: 0,
                };
                observer.advanced(crate::observe::Phase::Reading, read, read);
            }
            if let Some(layout) = &layout {
                rows.read(record, &row, layout, &mut ledger);
            }
            ControlFlow::Continue(())
        },
    );
    if let Err(diagnostic) = read {
        ledger.diagnostics.push(*diagnostic);
    }
    rows.finish(&mut ledger);
    // A list grown order by order may hold room for twice as many, 150 MB at a million.
    ledger.orders.shrink_to_fit();
    ledger.unread_orders.shrink_to_fit();
    if !header_read {
        ledger.diagnostics.push(Diagnostic::of(
            SyntaxProblem::EmptyLedger,
            Span::new(file, 0, 0),
        ));
    }
    ledger
}

/// Reads a ledger in `threads` parts at once, each from a line that starts a row to the next
/// part's, and puts what each found together in order: the same orders, problems and count of
/// rows as [`read_whole`] finds, or `None` when that cannot be sure, and the ledger is read
/// whole. A part starts where no quote is open (an even number of quotes before it) and where
/// the row before it is of another order, so that no order's rows are split; and what the parts
/// read confirms it: none may have read a field over lines (a quote open across a cut reads so),
/// none may have met a row the `csv` crate cannot read (reading whole stops there), and the
/// last row of a part and the first of the next must be of different orders.
fn read_in_parts(
    file: FileId,
    text: &str,
    options: &Options,
    order_trees: OrderTrees,
    observer: &dyn crate::observe::Observer,
    threads: usize,
) -> Option<Ledger> {
    let mut header_diagnostics = Vec::new();
    let (layout, header_end) = read_header(file, text, options, &mut header_diagnostics)?;
    let cuts = row_cuts(text, header_end, &layout, options, threads);
    if cuts.is_empty() {
        return None;
    }
    let read_so_far = ReadSoFar::new(observer);
    // The first part starts after the header row, read above.
    let starts = std::iter::once(header_end).chain(cuts.iter().copied());
    let ends = cuts.iter().copied().chain(std::iter::once(text.len()));
    let ranges: Vec<std::ops::Range<usize>> =
        starts.zip(ends).map(|(start, end)| start..end).collect();
    let read_so_far = &read_so_far;
    let layout = &layout;
    let parts: Vec<Option<Part>> = std::thread::scope(|scope| {
        let readers: Vec<_> = ranges
            .into_iter()
            .map(|range| {
                scope.spawn(move || {
                    read_part(file, text, range, options, layout, order_trees, read_so_far)
                })
            })
            .collect();
        readers
            .into_iter()
            .map(|reader| {
                reader
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let parts: Vec<Part> = parts.into_iter().collect::<Option<_>>()?;
    let split_an_order = parts.windows(2).any(|pair| {
        let before = &pair[0].rows.last_order;
        !before.is_empty() && pair[1].rows.first_order.as_deref() == Some(before.as_str())
    });
    if split_an_order {
        return None;
    }
    let mut ledger = Ledger {
        orders: Vec::with_capacity(parts.iter().map(|part| part.ledger.orders.len()).sum()),
        unread_orders: Vec::with_capacity(
            parts
                .iter()
                .map(|part| part.ledger.unread_orders.len())
                .sum(),
        ),
        diagnostics: header_diagnostics,
        rows: 0,
    };
    for part in parts {
        ledger.orders.extend(part.ledger.orders);
        ledger.unread_orders.extend(part.ledger.unread_orders);
        ledger.diagnostics.extend(part.ledger.diagnostics);
        ledger.rows += part.ledger.rows;
    }
    Some(ledger)
}

/// What one part of a ledger read: its orders, problems and rows, and its first and last rows'
/// orders.
struct Part<'o> {
    ledger: Ledger,
    rows: Rows<'o>,
}

/// Reads the rows of `text[range]`, or `None` when what it read says the ledger must be read
/// whole ([`read_in_parts`]).
fn read_part<'o>(
    file: FileId,
    text: &str,
    range: std::ops::Range<usize>,
    options: &'o Options,
    layout: &Layout,
    order_trees: OrderTrees,
    read_so_far: &ReadSoFar<'_>,
) -> Option<Part<'o>> {
    let mut ledger = Ledger::default();
    let mut rows = Rows::new(options, order_trees);
    let (mut orders_told, mut bytes_told) = (0, range.start);
    read_records(file, text, range, options, |record, row| {
        ledger.rows += 1;
        if ledger.rows.is_multiple_of(crate::observe::EVERY) {
            let orders = ledger.orders.len() + ledger.unread_orders.len();
            read_so_far.add(orders - orders_told, row.start - bytes_told);
            (orders_told, bytes_told) = (orders, row.start);
        }
        rows.read(record, &row, layout, &mut ledger);
        ControlFlow::Continue(())
    })
    .ok()?;
    rows.finish(&mut ledger);
    if rows.lines_in_a_field {
        return None;
    }
    ledger.orders.shrink_to_fit();
    ledger.unread_orders.shrink_to_fit();
    Some(Part { ledger, rows })
}

/// Where the parts after the first start: about `parts` equal parts of the rows after the header
/// (which ends at `header_end`), each at the start of a line, with no quote open before it (an
/// even number of quotes), and whose row is of another order than the row before. Fewer cuts
/// when no such line is found in a part.
fn row_cuts(
    text: &str,
    header_end: usize,
    layout: &Layout,
    options: &Options,
    parts: usize,
) -> Vec<usize> {
    let bytes = text.as_bytes();
    let size = text.len().saturating_sub(header_end) / parts.max(1);
    let mut cuts = Vec::new();
    // Without an order column every row stands alone, and is read whole as the rest is.
    let Some(order_column) = layout.fields[0] else {
        return cuts;
    };
    let (mut counted_to, mut quotes) = (0, 0);
    for part in 1..parts {
        let target = header_end + part * size;
        let Some(mut cut) = memchr::memchr(b'\n', &bytes[target..]).map(|at| target + at + 1)
        else {
            break;
        };
        let limit = (target + size).min(text.len());
        let mut lines_tried = 0;
        let found = loop {
            if cut >= limit
                || lines_tried == LINES_TRIED
                || cuts.last().is_some_and(|last| cut <= *last)
            {
                break None;
            }
            lines_tried += 1;
            quotes += memchr::memchr_iter(b'"', &bytes[counted_to..cut]).count();
            counted_to = cut;
            let next_line =
                memchr::memchr(b'\n', &bytes[cut..]).map_or(text.len(), |at| cut + at + 1);
            if quotes % 2 == 0 && starts_another_order(text, cut, order_column, options) {
                break Some(cut);
            }
            cut = next_line;
        };
        match found {
            Some(cut) => cuts.push(cut),
            None => break,
        }
    }
    cuts
}

/// How many lines [`row_cuts`] tries for a cut before it gives up (an order of thousands of
/// rows, a quote open for as long): each is read by a reader of its own.
const LINES_TRIED: usize = 1_000;

/// Whether the row on the line starting at `cut` is of another order (its field `order_column`)
/// than the row on the line before it (a line of only a row each, as the cuts are where no quote is open): both order
/// ids read as the reader reads them, trimmed. An empty id joins no order.
fn starts_another_order(text: &str, cut: usize, order_column: usize, options: &Options) -> bool {
    let before = text[..cut.saturating_sub(1)]
        .rfind('\n')
        .map_or(0, |at| at + 1);
    let line_end = text[cut..].find('\n').map_or(text.len(), |at| cut + at);
    let order_of = |line: &str| -> Option<String> {
        let mut reader = records_of(line, options);
        let mut record = csv::StringRecord::new();
        match reader.read_record(&mut record) {
            Ok(true) => Some(
                record
                    .get(order_column)
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            ),
            _ => None,
        }
    };
    match (order_of(&text[before..cut]), order_of(&text[cut..line_end])) {
        (Some(before), Some(after)) => after.is_empty() || before != after,
        _ => false,
    }
}

/// The trees of the orders from the one whose rows start at `start` to the one whose rows end
/// at `end`, of a ledger read by name only ([`OrderTrees::WhenChecked`]): those rows read again
/// as they were read the first time, after the header row for where their columns are.
pub fn read_again(
    file: FileId,
    text: &str,
    options: &Options,
    start: usize,
    end: usize,
) -> Option<Vec<Block<OrderField>>> {
    let (layout, _) = read_header(file, text, options, &mut Vec::new())?;
    let mut ledger = Ledger::default();
    let mut rows = Rows::new(options, OrderTrees::Now);
    let read = read_records(file, text, start..end, options, |record, row| {
        rows.read(record, &row, &layout, &mut ledger);
        ControlFlow::Continue(())
    });
    read.ok()?;
    rows.finish(&mut ledger);
    Some(
        ledger
            .orders
            .into_iter()
            .filter_map(Declaration::into_order)
            .collect(),
    )
}

/// The columns of a ledger's header row and where that row ends, or `None` when it cannot be
/// read or lacks a column (reported into `diagnostics`).
fn read_header(
    file: FileId,
    text: &str,
    options: &Options,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(Layout, usize)> {
    let mut found = None;
    let body = byte_order_mark(text)..text.len();
    let read = read_records(file, text, body, options, |record, row| {
        found = header(record, &row, options, diagnostics).map(|layout| (layout, row.end));
        ControlFlow::Break(())
    });
    found.filter(|_| read.is_ok())
}

/// Where a ledger's text starts after its byte-order mark, if it has one.
fn byte_order_mark(text: &str) -> usize {
    if text.starts_with('\u{FEFF}') {
        '\u{FEFF}'.len_utf8()
    } else {
        0
    }
}

/// Reads the records of `text[within]` one at a time, into one reused record, giving each to
/// `each` with where it and its fields are in `text`, until `each` breaks off. The `csv` crate
/// stops at what it cannot read (a byte sequence that is not UTF-8 is caught before): that is
/// the error, placed where it is.
fn read_records(
    file: FileId,
    text: &str,
    within: std::ops::Range<usize>,
    options: &Options,
    mut each: impl FnMut(&csv::StringRecord, RawRow) -> ControlFlow<()>,
) -> Result<(), Box<Diagnostic>> {
    let Some(body) = text.get(within.clone()) else {
        return Ok(());
    };
    let mut reader = records_of(body, options);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(error) => {
                let offset = error
                    .position()
                    .map_or(body.len(), |position| position.byte() as usize);
                let at = within.start + offset;
                return Err(Box::new(Diagnostic::of(
                    SyntaxProblem::UnreadableLedgerRow { error: &error },
                    Span::new(file, at, at),
                )));
            }
        }
        let mut start = within.start
            + record
                .position()
                .map_or(0, |position| position.byte() as usize);
        // The crate gives the position before the blank lines it skipped; the row starts after.
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let row = RawRow::new(file, text, start, record.len(), options.delimiter);
        if each(&record, row).is_break() {
            return Ok(());
        }
    }
}

/// The `csv` crate's reader of `text`'s records as a ledger's are read: the header row as a
/// record like the others, rows of any width (a short or long row is reported, not refused
/// by the crate), the ledger's delimiter.
fn records_of<'t>(text: &'t str, options: &Options) -> csv::Reader<&'t [u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(options.delimiter)
        .from_reader(text.as_bytes())
}

/// The rows of a ledger after its header, read into orders: consecutive rows with the same
/// order id are one order's lines.
struct Rows<'o> {
    options: &'o Options,
    /// The order whose rows are being read.
    current: Option<PendingOrder>,
    order_trees: OrderTrees,
    /// The order ids of the first row read and of the last (one reused buffer), and whether a
    /// field ran over lines: what tells whether a ledger read in parts reads as it does whole.
    first_order: Option<String>,
    last_order: String,
    lines_in_a_field: bool,
}

impl<'o> Rows<'o> {
    fn new(options: &'o Options, order_trees: OrderTrees) -> Rows<'o> {
        Rows {
            options,
            current: None,
            order_trees,
            first_order: None,
            last_order: String::new(),
            lines_in_a_field: false,
        }
    }

    /// Reads one row into the order it belongs to, finishing the order before it.
    fn read(
        &mut self,
        record: &csv::StringRecord,
        row: &RawRow,
        layout: &Layout,
        ledger: &mut Ledger,
    ) {
        // On the stack for a ledger of up to 16 columns: a row's fields are read and dropped,
        // and a small allocation made and freed for every row of millions kept mimalloc
        // giving a page back and faulting it in again (3M rows read again: a million
        // `madvise` calls, checking 5 s to 25 s).
        let fields: SmallVec<[&str; 16]> = record.iter().map(str::trim).collect();
        let order_id = layout.fields[0]
            .and_then(|index| fields.get(index))
            .copied()
            .unwrap_or("");
        if self.first_order.is_none() {
            self.first_order = Some(order_id.to_owned());
        }
        self.last_order.clear();
        self.last_order.push_str(order_id);
        let same_order = self
            .current
            .as_ref()
            .is_some_and(|pending| !order_id.is_empty() && pending.name.value == order_id);
        if !same_order && let Some(finished) = self.current.take() {
            self.keep(finished, ledger);
        }
        // A quote not closed on its line reads the lines after it into one field (the fields
        // are looked at before trimming, which would hide a line end just before the closing
        // quote): they are rows too, read and not counted, and the quote is the error.
        if let Some(index) = record.iter().position(|field| field.contains('\n')) {
            // Read to the end of the file, the field ends with the file's last line end, which
            // starts no line.
            let field = record.get(index).unwrap_or_default();
            let field = if row.unclosed_quote {
                field.trim_end_matches(['\n', '\r'])
            } else {
                field
            };
            self.lines_in_a_field = true;
            let swallowed = field.matches('\n').count();
            ledger.rows += swallowed;
            let at = row.fields.get(index).map_or(row.start, |(start, _)| *start);
            ledger.diagnostics.push(Diagnostic::of(
                SyntaxProblem::QuoteSpansLines {
                    lines: swallowed,
                    closed: !row.unclosed_quote,
                },
                Span::new(row.file, at, at + 1),
            ));
            match &mut self.current {
                Some(pending) => pending.rejected = true,
                None if order_id.is_empty() => {}
                None => self.current = Some(PendingOrder::rejected(order_id, row)),
            }
            return;
        }
        match read_row(&fields, row, layout, self.options) {
            Ok(parsed) => match &mut self.current {
                Some(pending) => pending.add(parsed, row, &mut ledger.diagnostics),
                None => self.current = Some(PendingOrder::new(parsed, row)),
            },
            Err(diagnostic) => {
                ledger.diagnostics.push(*diagnostic);
                match &mut self.current {
                    Some(pending) => pending.rejected = true,
                    // A row without a readable order id belongs to no order: it stands alone.
                    None if order_id.is_empty() => {}
                    None => {
                        self.current = Some(PendingOrder::rejected(order_id, row));
                    }
                }
            }
        }
    }

    /// Finishes the last order, once every row is read.
    fn finish(&mut self, ledger: &mut Ledger) {
        if let Some(finished) = self.current.take() {
            self.keep(finished, ledger);
        }
    }

    /// Keeps a finished order, whole or by name, unless a row of it could not be read.
    fn keep(&self, finished: PendingOrder, ledger: &mut Ledger) {
        let Some(order) = finished.finish() else {
            return;
        };
        match self.order_trees {
            OrderTrees::Now => ledger.orders.push(Declaration::Order(order)),
            OrderTrees::WhenChecked => ledger.unread_orders.push(UnreadOrder {
                name: order.name,
                span: order.span,
            }),
        }
    }
}

/// Where a row and its fields are in the file. The crate gives each record's start; the fields'
/// places are found by walking the raw text, skipping quoted fields whole.
struct RawRow {
    file: FileId,
    start: usize,
    end: usize,
    /// On the stack, as a row's fields are (see `Rows::read`).
    fields: SmallVec<[(usize, usize); 16]>,
    /// Whether a quote in the row runs to the end of the file.
    unclosed_quote: bool,
}

impl RawRow {
    fn new(file: FileId, text: &str, start: usize, count: usize, delimiter: u8) -> RawRow {
        let bytes = text.as_bytes();
        let mut fields = SmallVec::with_capacity(count);
        let mut at = start;
        let mut unclosed_quote = false;
        for index in 0..count {
            let field_start = at;
            if bytes.get(at) == Some(&b'"') {
                at += 1;
                unclosed_quote = true;
                while at < bytes.len() {
                    if bytes[at] == b'"' {
                        if bytes.get(at + 1) == Some(&b'"') {
                            at += 2;
                            continue;
                        }
                        at += 1;
                        unclosed_quote = false;
                        break;
                    }
                    at += 1;
                }
            }
            while at < bytes.len() && !matches!(bytes[at], b'\n' | b'\r') && bytes[at] != delimiter
            {
                at += 1;
            }
            fields.push((field_start, at));
            if index + 1 < count && bytes.get(at) == Some(&delimiter) {
                at += 1;
            }
        }
        RawRow {
            file,
            start,
            end: at.max(start),
            fields,
            unclosed_quote,
        }
    }

    fn span(&self) -> Span {
        Span::new(self.file, self.start, self.end)
    }

    fn field(&self, index: usize) -> Span {
        let (start, end) = self
            .fields
            .get(index)
            .copied()
            .unwrap_or((self.end, self.end));
        Span::new(self.file, start, end)
    }
}

/// Finds each column in the header row by its name (or the header the ledger's `columns` name
/// for it), in any order, ignoring case and surrounding spaces; other columns are passed over.
/// A column missing is reported, and no row is read.
fn header(
    record: &csv::StringRecord,
    row: &RawRow,
    options: &Options,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Layout> {
    let names: Vec<String> = record
        .iter()
        .map(|name| name.trim().to_lowercase())
        .collect();
    let mut layout = Layout {
        fields: [None; COLUMNS.len()],
        width: names.len(),
    };
    let mut complete = true;
    for (index, column) in COLUMNS.iter().enumerate() {
        let mapped = options.headers[index].as_ref();
        let wanted = mapped.map_or(*column, |header| header.value.as_str());
        let found = names
            .iter()
            .position(|name| *name == wanted.trim().to_lowercase());
        layout.fields[index] = found;
        let optional = OPTIONAL.contains(column) && (*column != "currency" || mapped.is_none());
        if found.is_some() || optional {
            continue;
        }
        complete = false;
        let written: Vec<&str> = record.iter().map(str::trim).collect();
        let mut diagnostic = Diagnostic::of(
            SyntaxProblem::MissingLedgerColumn {
                column,
                header: wanted,
                mapped: mapped.is_some(),
                suggestion: crate::check::suggest(wanted, written.iter().copied()),
            },
            row.span(),
        );
        if let Some(header) = mapped {
            diagnostic = diagnostic.with_related(header.span, "named here");
        }
        diagnostics.push(diagnostic);
    }
    complete.then_some(layout)
}

/// One row read: the order it belongs to and one of its lines.
struct Row {
    name: Name,
    buyer: Name,
    contract: Name,
    date: Spanned<Date>,
    via: Option<Name>,
    line: Line,
}

fn read_row(
    fields: &[&str],
    row: &RawRow,
    layout: &Layout,
    options: &Options,
) -> Result<Row, Box<Diagnostic>> {
    if fields.len() != layout.width {
        return Err(Box::new(Diagnostic::of(
            SyntaxProblem::WrongFieldCount {
                fields: fields.len(),
                expected: layout.width,
            },
            row.span(),
        )));
    }
    // A column the ledger does not have reads as empty.
    let raw = |column: usize| -> (&str, Span) {
        match layout.fields[column] {
            Some(index) => (fields[index], row.field(index)),
            None => ("", row.span()),
        }
    };
    let field = |column: usize| -> Result<(&str, Span), Box<Diagnostic>> {
        let (value, span) = raw(column);
        if value.is_empty() {
            return Err(Box::new(Diagnostic::of(
                SyntaxProblem::EmptyLedgerField {
                    column: COLUMNS[column],
                },
                span,
            )));
        }
        Ok((value, span))
    };
    let name = |column: usize| field(column).map(|(value, span)| Spanned::new(value.into(), span));
    let order = name(0)?;
    let buyer = name(1)?;
    let contract = name(2)?;
    let date = read_date(field(3)?, options.date_format.as_deref())?;
    let via = if raw(4).0.is_empty() {
        None
    } else {
        Some(name(4)?)
    };
    let item = name(5)?;
    let quantity = read_number(field(6)?)?;
    let currency = match raw(7) {
        ("", _) => options.currency.clone(),
        (code, span) => Some(Spanned::new(code.into(), span)),
    };
    let (currency, price) = read_price(field(8)?, currency)?;
    let line = Line {
        item,
        quantity,
        unit: None,
        unit_price: Spanned::new(
            Money::new(currency.value.as_str(), price.value),
            currency.span.to(price.span),
        ),
        list_price: None,
    };
    Ok(Row {
        name: order,
        buyer,
        contract,
        date,
        via,
        line,
    })
}

/// Currency symbols written before or after an amount, and codes written so.
fn split_currency(written: &str) -> (Option<&str>, &str) {
    let is_amount =
        |character: char| character.is_ascii_digit() || matches!(character, '-' | '.' | ',');
    let code = |text: &str| text.len() == 3 && text.bytes().all(|byte| byte.is_ascii_uppercase());
    if let Some((before, after)) = written.split_once(char::is_whitespace) {
        if code(before) {
            return (Some(before), after.trim());
        }
        if let Some((amount, last)) = written.rsplit_once(char::is_whitespace)
            && code(last)
        {
            return (Some(last), amount.trim());
        }
    }
    let start = written.find(is_amount).unwrap_or(written.len());
    let end = written.rfind(is_amount).map_or(start, |end| end + 1);
    let symbol = [&written[..start], &written[end.max(start)..]]
        .into_iter()
        .map(str::trim)
        .find(|part| !part.is_empty());
    match symbol {
        Some(symbol) => (Some(symbol), written[start..end.max(start)].trim()),
        None => (None, written),
    }
}

/// A unit price, with its currency: the row's (its column's, else the ledger's), or the code the
/// price is written with. A symbol (`$204,750.00`) must be the currency's; a code must agree.
fn read_price(
    (written, span): (&str, Span),
    currency: Option<Name>,
) -> Result<(Name, Spanned<Decimal>), Box<Diagnostic>> {
    let (marked, amount) = split_currency(written);
    let price = read_number((amount, span))?;
    let is_code =
        |text: &str| text.len() == 3 && text.bytes().all(|byte| byte.is_ascii_uppercase());
    let currency = match (marked, currency) {
        (None, Some(currency)) => currency,
        (None, None) => {
            return Err(Box::new(Diagnostic::of(
                SyntaxProblem::LedgerNoCurrency { symbol: None },
                span,
            )));
        }
        (Some(code), None) if is_code(code) => Spanned::new(code.into(), span),
        (Some(symbol), None) => {
            return Err(Box::new(Diagnostic::of(
                SyntaxProblem::LedgerNoCurrency {
                    symbol: Some(symbol),
                },
                span,
            )));
        }
        (Some(marked), Some(currency)) => {
            let agrees = if is_code(marked) {
                marked == currency.value
            } else {
                iso_currency::Currency::from_code(&currency.value)
                    .is_some_and(|known| known.symbol().symbol == marked)
            };
            if !agrees {
                return Err(Box::new(Diagnostic::of(
                    SyntaxProblem::LedgerWrongSymbol {
                        symbol: marked,
                        currency: &currency.value,
                    },
                    span,
                )));
            }
            currency
        }
    };
    Ok((currency, price))
}

fn read_date(
    (written, span): (&str, Span),
    format: Option<&str>,
) -> Result<Spanned<Date>, Box<Diagnostic>> {
    if let Some(format) = format {
        return Date::parse_from_str(written, format)
            .map(|date| Spanned::new(date, span))
            .map_err(|_| {
                Box::new(Diagnostic::of(
                    SyntaxProblem::LedgerDateFormat { written, format },
                    span,
                ))
            });
    }
    let shaped = written.len() == 10
        && written
            .char_indices()
            .all(|(index, character)| match index {
                4 | 7 => character == '-',
                _ => character.is_ascii_digit(),
            });
    if !shaped {
        return Err(Box::new(Diagnostic::of(
            SyntaxProblem::LedgerDateShape { written },
            span,
        )));
    }
    calendar_date(written, span).map(|date| Spanned::new(date, span))
}

/// A number as the language writes one: digits, thousands separators in groups of three, a
/// decimal point; a sign only before a number the checker then rejects as negative.
fn read_number((text, span): (&str, Span)) -> Result<Spanned<Decimal>, Box<Diagnostic>> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let mut groups = integer.split(',');
    let first_ok = groups
        .next()
        .is_some_and(|first| !first.is_empty() && first.bytes().all(|byte| byte.is_ascii_digit()));
    let groups_ok =
        groups.all(|group| group.len() == 3 && group.bytes().all(|b| b.is_ascii_digit()));
    let fraction_ok = fraction.is_none_or(|digits| {
        !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
    });
    if !(first_ok && groups_ok && fraction_ok) {
        return Err(Box::new(Diagnostic::of(
            SyntaxProblem::LedgerNotANumber { written: text },
            span,
        )));
    }
    decimal(text, span).map(|value| Spanned::new(value, span))
}

/// The rows of one order read so far.
struct PendingOrder {
    name: Name,
    buyer: Option<Name>,
    contract: Option<Name>,
    date: Option<Spanned<Date>>,
    via: Option<Name>,
    lines: Vec<Spanned<OrderField>>,
    start: usize,
    end: usize,
    file: FileId,
    /// A row of the order could not be read: the whole order is left out.
    rejected: bool,
}

impl PendingOrder {
    fn new(row: Row, raw: &RawRow) -> PendingOrder {
        PendingOrder {
            name: row.name,
            buyer: Some(row.buyer),
            contract: Some(row.contract),
            date: Some(row.date),
            via: row.via,
            lines: vec![Spanned::new(
                OrderField::Line(Box::new(row.line)),
                raw.span(),
            )],
            start: raw.start,
            end: raw.end,
            file: raw.file,
            rejected: false,
        }
    }

    fn rejected(name: &str, raw: &RawRow) -> PendingOrder {
        PendingOrder {
            name: Spanned::new(name.into(), raw.field(0)),
            buyer: None,
            contract: None,
            date: None,
            via: None,
            lines: Vec::new(),
            start: raw.start,
            end: raw.end,
            file: raw.file,
            rejected: true,
        }
    }

    /// Adds a further row of the order; it must agree with the first on everything but the line.
    fn add(&mut self, row: Row, raw: &RawRow, diagnostics: &mut Vec<Diagnostic>) {
        self.end = raw.end;
        if self.rejected {
            return;
        }
        let same = |first: &Option<Name>, this: Option<&Name>| {
            first.as_ref().map(|first| &first.value) == this.map(|this| &this.value)
        };
        let disagreement = if !same(&self.buyer, Some(&row.buyer)) {
            Some((
                "buyer",
                self.buyer.as_ref().map(|first| first.span),
                row.buyer.span,
            ))
        } else if !same(&self.contract, Some(&row.contract)) {
            Some((
                "contract",
                self.contract.as_ref().map(|first| first.span),
                row.contract.span,
            ))
        } else if self.date.map(|first| first.value) != Some(row.date.value) {
            Some(("date", self.date.map(|first| first.span), row.date.span))
        } else if !same(&self.via, row.via.as_ref()) {
            Some((
                "via",
                self.via.as_ref().map(|first| first.span),
                raw.field(4),
            ))
        } else {
            None
        };
        match disagreement {
            Some((column, first, this)) => {
                self.rejected = true;
                diagnostics.push(self.inconsistent(column, first, this));
            }
            None => self.lines.push(Spanned::new(
                OrderField::Line(Box::new(row.line)),
                raw.span(),
            )),
        }
    }

    fn inconsistent(&self, column: &'static str, first: Option<Span>, this: Span) -> Diagnostic {
        let mut diagnostic = Diagnostic::of(
            SyntaxProblem::InconsistentLedgerOrder {
                order: &self.name.value,
                column,
            },
            this,
        );
        if let Some(first) = first {
            diagnostic = diagnostic.with_related(first, "the order's first row");
        }
        diagnostic
    }

    /// The order's tree, unless a row of it could not be read.
    fn finish(self) -> Option<Block<OrderField>> {
        if self.rejected {
            return None;
        }
        let (Some(buyer), Some(contract), Some(date)) = (self.buyer, self.contract, self.date)
        else {
            return None;
        };
        let mut fields = Vec::with_capacity(self.lines.len() + 3 + usize::from(self.via.is_some()));
        let (buyer_span, contract_span) = (buyer.span, contract.span);
        fields.push(Spanned::new(OrderField::Buyer(buyer), buyer_span));
        fields.push(Spanned::new(OrderField::Contract(contract), contract_span));
        fields.push(Spanned::new(OrderField::Date(date), date.span));
        if let Some(via) = self.via {
            let span = via.span;
            fields.push(Spanned::new(OrderField::Via(vec![via]), span));
        }
        fields.extend(self.lines);
        Some(Block {
            name: self.name,
            title: None,
            fields,
            facts: Vec::new(),
            span: Span::new(self.file, self.start, self.end),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a reading found, in one string, to compare two readings whole.
    fn found(ledger: &Ledger) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{}",
            ledger.orders, ledger.unread_orders, ledger.diagnostics, ledger.rows
        )
    }

    /// A ledger read in parts reads as it does whole, whatever the number of parts, or is not
    /// read in parts: a generated one, and the same with an order of many rows across every
    /// place a cut could fall, quotes (a field with the delimiter, a quote over lines, a quote
    /// inside a field that is not quoted), a row in error, blank lines and CRLF line ends.
    #[test]
    fn reads_a_ledger_in_parts_as_whole() {
        let program = crate::generate::generate(
            crate::generate::Settings::for_orders(3000, 4),
            crate::generate::OrderFormat::Ledger,
        );
        let rows: Vec<String> = program.orders.lines().map(str::to_string).collect();
        let edited = |edit: &dyn Fn(&mut Vec<String>)| {
            let mut rows = rows.clone();
            edit(&mut rows);
            format!("{}\n", rows.join("\n"))
        };
        let middle = rows.len() / 2;
        let one_order_of_many_rows = |rows: &mut Vec<String>| {
            let first_id = rows[1].split(',').next().unwrap_or_default().to_string();
            for row in rows.iter_mut().skip(1) {
                let (_, rest) = row.split_once(',').unwrap_or_default();
                *row = format!("{first_id},{rest}");
            }
        };
        let ledgers = [
            edited(&|_| {}),
            edited(&one_order_of_many_rows),
            edited(&|rows| rows[middle] = rows[middle].replacen(",USD,", ",\"US,D\",", 1)),
            edited(&|rows| {
                for row in rows.iter_mut().skip(middle - 50).take(100) {
                    *row = row.replacen(",USD,", ",\"US\nD\",", 1);
                }
            }),
            edited(&|rows| {
                rows[middle - 200] = rows[middle - 200].replacen(",USD,", ",US\"D,", 1);
                rows[middle] = rows[middle].replacen(",USD,", ",\"USD\n\",", 1);
            }),
            edited(&|rows| rows[middle + 3] = rows[middle + 3].replacen(",USD,", ",USD,x", 1)),
            edited(&|rows| {
                for row in rows.iter_mut().step_by(97) {
                    row.push('\n');
                }
            }),
            edited(&|rows| {
                for row in rows.iter_mut() {
                    row.push('\r');
                }
            }),
        ];
        assert!(ledgers.iter().skip(1).all(|text| *text != ledgers[0]));
        let options = Options::default();
        let file = FileId(0);
        for (number, text) in ledgers.iter().enumerate() {
            for trees in [OrderTrees::Now, OrderTrees::WhenChecked] {
                let whole = read_whole(file, text, &options, trees, &crate::observe::Unobserved);
                for parts in [2, 3, 7] {
                    let in_parts = read_in_parts(
                        file,
                        text,
                        &options,
                        trees,
                        &crate::observe::Unobserved,
                        parts,
                    );
                    if let Some(in_parts) = in_parts {
                        assert_eq!(
                            found(&in_parts),
                            found(&whole),
                            "ledger {number}, {parts} parts"
                        );
                    } else {
                        // Only a ledger read whole for a reason is read whole: the generated one,
                        // and the one with a row in error, are read in parts.
                        assert!(
                            ![0, 2, 5, 6, 7].contains(&number),
                            "ledger {number}, {parts} parts"
                        );
                    }
                }
            }
        }
    }

    /// A ledger read by name only gives each order's name and place as a whole reading gives
    /// them, and any run of its orders read again gives their trees, spans and all; rows in
    /// error between them (a quote over two lines, a bad number) are passed over as before.
    #[test]
    fn reads_orders_again_as_when_first_read() {
        let program = crate::generate::generate(
            crate::generate::Settings::for_orders(300, 4),
            crate::generate::OrderFormat::Ledger,
        );
        let mut rows: Vec<String> = program.orders.lines().map(str::to_string).collect();
        rows[7] = rows[7].replacen(",road_salt,", ",\"road\nsalt\",", 1);
        rows[9] = rows[9].replacen(",USD,", ",USD,x", 1);
        let text = format!("\u{FEFF}{}\n", rows.join("\n"));
        let options = Options::default();
        let file = FileId(0);
        let whole = read(file, &text, &options);
        let trees: Vec<Block<OrderField>> = whole
            .orders
            .into_iter()
            .filter_map(Declaration::into_order)
            .collect();
        let by_name = read_observed(
            file,
            &text,
            &options,
            OrderTrees::WhenChecked,
            &crate::observe::Unobserved,
        );
        assert!(by_name.orders.is_empty());
        assert_eq!(
            format!("{:?}", by_name.diagnostics),
            format!("{:?}", whole.diagnostics)
        );
        assert!(!whole.diagnostics.is_empty());
        let written: Vec<(&str, Span)> = trees
            .iter()
            .map(|tree| (tree.name.value.as_str(), tree.span))
            .collect();
        let unread: Vec<(&str, Span)> = by_name
            .unread_orders
            .iter()
            .map(|order| (order.name.value.as_str(), order.span))
            .collect();
        assert_eq!(unread, written);
        let last = trees.len() - 1;
        for (first, last) in [(0, 0), (0, last), (3, 3), (3, 40), (last, last)] {
            let again = read_again(
                file,
                &text,
                &options,
                trees[first].span.start as usize,
                trees[last].span.end as usize,
            )
            .expect("orders read once are read again");
            assert_eq!(format!("{again:?}"), format!("{:?}", &trees[first..=last]));
        }
    }
}
