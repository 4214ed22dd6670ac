//! What reading a file can find wrong: text that is not UTF-8 or hides characters, brackets
//! nested too deep, text that does not follow the grammar, values that parse but cannot be
//! (`2025-02-30`, a number too large), a file `coop fmt` cannot lay out, and a ledger row that
//! cannot be read as an order line. Each variant says its one code, message, label and help.

use rust_decimal::Decimal;

use super::ledger::COLUMNS;
use super::limits::{MAXIMUM_CONDITION_SIZE, MAXIMUM_NESTING};
use super::lower::{MAXIMUM_EXPRESSION_DEPTH, MOST_COORDINATE_DIGITS};
use crate::codes::Code;
use crate::diagnostic::{Description, Problem, plural};

pub enum SyntaxProblem<'a> {
    /// A file that is not UTF-8, named as messages show it.
    InvalidEncoding { file: &'a str },
    /// A character that editors show as a line break and Coop does not read as one; `unlisted`
    /// counts the further hidden characters of the file not reported one by one.
    InvisibleLineBreak { character: char, unlisted: usize },
    /// A control that reorders how bidirectional text is shown.
    BidirectionalOverride { character: char, unlisted: usize },
    /// A bracket that opens past the nesting limit.
    BracketsTooDeep,
    /// The text does not follow the grammar: the word or symbol `found` (empty at the end of
    /// the file) where one of `expected` (as messages name them, sorted) should be;
    /// `after_digit` when it follows a digit.
    Unexpected {
        found: &'a str,
        expected: Vec<&'static str>,
        after_digit: bool,
    },
    /// A block whose `{` no `}` closes: `opened_by` says what opened it (`agency \`everett\``,
    /// `` `piggyback` block``); `before_next` when a declaration follows, else the file ends.
    UnclosedBlock {
        opened_by: &'a str,
        before_next: bool,
    },
    /// An amount of money written number first: `198500 USD`.
    MoneyNumberFirst { amount: &'a str, currency: &'a str },
    /// A character Coop's grammar uses nowhere (`$`, `;`, `#`, `~`).
    StrayCharacter { character: char },
    /// `expect finding` not followed by one rule id or code and `on`: `found` where it went wrong.
    FindingWithoutRule { found: &'a str },
    /// A `{` in a message that no `}` closes.
    UnclosedMessageValue,
    /// The braces of a message hold no expression.
    NotAMessageValue { written: &'a str },
    /// A pack parameter's value in `coop.toml` that is not a Coop expression.
    NotASettingValue { name: &'a str, written: &'a str },
    /// An expression longer than the condition-size limit.
    ExpressionTooLong,
    /// An expression with more operators nested than the depth limit.
    ExpressionTooDeep,
    /// A number before a duration unit that is not a whole number.
    DurationNotWhole { count: Decimal, unit: &'a str },
    /// A duration's count that is no whole number a duration can hold.
    DurationCountInvalid { written: &'a str },
    /// A coordinate with more significant digits than a float holds; `value` as read.
    CoordinateTooPrecise {
        written: &'a str,
        significant: usize,
        value: f64,
    },
    /// A number larger than any amount Coop accepts.
    NumberTooLarge { written: &'a str },
    /// A number with more digits than a decimal holds.
    NumberTooPrecise { written: &'a str },
    /// A date of the right shape that is not on the calendar.
    NotOnCalendar { written: &'a str },
    /// `coop fmt` could not lay a file out without changing its tokens or comments.
    FormatterFailed,
    /// The CSV reader stopped at a row it cannot read.
    UnreadableLedgerRow { error: &'a csv::Error },
    /// A quoted field of a ledger runs over `lines` further lines; `closed` when its quote is
    /// closed at all.
    QuoteSpansLines { lines: usize, closed: bool },
    /// A ledger with no rows at all.
    EmptyLedger,
    /// A ledger's header row with no column for `column`, named `header` (the column's own name,
    /// or what the ledger's `columns` map it to); `suggestion` is a close header.
    MissingLedgerColumn {
        column: &'static str,
        header: &'a str,
        mapped: bool,
        suggestion: Option<&'a str>,
    },
    /// A ledger row with `fields` fields, where its header has `expected`.
    WrongFieldCount { fields: usize, expected: usize },
    /// A ledger's price without a currency: no currency column, no `currency` setting, no code in
    /// the price; `symbol` when it has a symbol, which several currencies share.
    LedgerNoCurrency { symbol: Option<&'a str> },
    /// A price's currency symbol that is not the symbol of its currency.
    LedgerWrongSymbol { symbol: &'a str, currency: &'a str },
    /// A ledger's date not written as its `date_format` says.
    LedgerDateFormat { written: &'a str, format: &'a str },
    /// A `ledger`'s setting that cannot be used: `what` it is and `why`.
    InvalidLedgerSetting { what: &'static str, why: String },
    /// A `columns` entry that names none of Coop's columns.
    UnknownLedgerColumn {
        column: &'a str,
        suggestion: Option<&'static str>,
    },
    /// A `ledger`'s setting or column given twice.
    DuplicateLedgerSetting { setting: &'a str },
    /// A ledger row's column, other than `via`, left empty.
    EmptyLedgerField { column: &'static str },
    /// A ledger's date not written YYYY-MM-DD.
    LedgerDateShape { written: &'a str },
    /// A ledger's number not written as the language writes numbers.
    LedgerNotANumber { written: &'a str },
    /// Rows of one order in a ledger that disagree on `column`.
    InconsistentLedgerOrder {
        order: &'a str,
        column: &'static str,
    },
}

impl Problem for SyntaxProblem<'_> {
    fn describe(self) -> Description {
        match self {
            SyntaxProblem::InvalidEncoding { file } => Description::new(
                Code::InvalidEncoding,
                format!("`{file}` is not UTF-8 text"),
                "not UTF-8 (shown as �)",
            )
            .help("save the file as UTF-8; Coop reads no other encoding"),
            SyntaxProblem::InvisibleLineBreak { character, unlisted } => Description::new(
                Code::InvisibleLineBreak,
                format!(
                    "a {} ({}): editors and terminals may show a new line here, but Coop reads none",
                    super::hidden::character_name(character),
                    code_point(character)
                ),
                "a hidden line break",
            )
            .help(and_unlisted(
                "delete it; end a line with a line feed (or a carriage return and line feed)",
                unlisted,
            )),
            SyntaxProblem::BidirectionalOverride { character, unlisted } => Description::new(
                Code::BidirectionalOverride,
                format!(
                    "a {} ({}): it changes the order in which the text around it is shown, so what a reviewer reads is not what Coop checks",
                    super::hidden::character_name(character),
                    code_point(character)
                ),
                "a direction control",
            )
            .help(and_unlisted(
                "delete it; right-to-left text needs no direction controls in a model",
                unlisted,
            )),
            SyntaxProblem::BracketsTooDeep => Description::new(
                Code::NestingTooDeep,
                format!("brackets nest more than {MAXIMUM_NESTING} deep"),
                "too deep",
            )
            .help("is a closing bracket missing? otherwise, write the condition with fewer parentheses"),
            SyntaxProblem::Unexpected {
                found,
                expected,
                after_digit,
            } => unexpected(found, &expected, after_digit),
            SyntaxProblem::UnclosedBlock {
                opened_by,
                before_next,
            } => Description::new(
                Code::SyntaxError,
                format!("the block of {opened_by} is never closed"),
                "this `{` has no matching `}`",
            )
            .help(if before_next {
                "add a `}` where the block ends, before the next declaration"
            } else {
                "add a `}` where the block ends; the file ends inside it"
            }),
            SyntaxProblem::MoneyNumberFirst { amount, currency } => {
                let written = format!("{currency} {}", money_digits(amount));
                Description::new(
                    Code::SyntaxError,
                    format!("money is written currency first: `{written}`"),
                    "the amount before its currency",
                )
                .help(format!(
                    "write `{written}`: the currency code, a space, then the amount"
                ))
                .replacement(written)
            }
            SyntaxProblem::StrayCharacter { character } => Description::new(
                Code::SyntaxError,
                format!("`{character}` is not part of Coop's syntax"),
                "not expected here",
            )
            .help(match character {
                '#' => "remove it; a comment starts with `//`",
                ';' => "remove it: fields need no `;` between them",
                '\'' => "remove it; text is written between double quotes: `\"...\"`",
                _ => "remove it",
            }),
            SyntaxProblem::FindingWithoutRule { found } => Description::new(
                Code::SyntaxError,
                if found.is_empty() {
                    "`expect finding` takes a rule's id or a code, then `on` and a name".to_string()
                } else {
                    format!(
                        "`expect finding` takes one rule's id or code, then `on` and a name; found `{found}`"
                    )
                },
                "expected a rule's id or a code, then `on`",
            )
            .help("write `expect finding RULE on NAME`: RULE is one word, a rule's id or a code such as `commitment-shortfall` (`coop explain` lists the codes), without quotes"),
            SyntaxProblem::UnclosedMessageValue => Description::new(
                Code::SyntaxError,
                "a `{` in this message opens a value that is never closed",
                "opened here",
            )
            .help("close the value with `}`, or write `{{` for a brace"),
            SyntaxProblem::NotAMessageValue { written } => Description::new(
                Code::SyntaxError,
                format!("`{{{written}}}` is not a value this message can show"),
                "not an expression",
            )
            .help("braces in a message hold an expression such as `{o.value}`; write `{{` for a brace"),
            SyntaxProblem::NotASettingValue { name, written } => Description::new(
                Code::InvalidSetting,
                format!("`{written}` is not a value Coop can read, for parameter `{name}`"),
                "not a value",
            )
            .help("write the value as a .coop file would, such as \"50 mi\", \"USD 25,000.00\" or \"true\""),
            SyntaxProblem::ExpressionTooLong => Description::new(
                Code::NestingTooDeep,
                format!("this expression is longer than {MAXIMUM_CONDITION_SIZE} words and symbols"),
                "too long",
            )
            .help("a condition this long is hard to read and to check: split a rule into several, and write `open_to` with `kind in [...]` and `jurisdiction in [...]` lists"),
            SyntaxProblem::ExpressionTooDeep => Description::new(
                Code::NestingTooDeep,
                format!("this expression nests more than {MAXIMUM_EXPRESSION_DEPTH} operators deep"),
                "too deep",
            )
            .help("split the condition into several `require`s or rules, or use `in [...]` for lists of values"),
            SyntaxProblem::DurationNotWhole { count, unit } => Description::new(
                Code::InvalidNumber,
                format!("`{count}` is not a whole number of {unit}"),
                "expected a whole number",
            )
            .help("write a duration as a whole number and a unit, such as `4 years` or `45 days`"),
            SyntaxProblem::DurationCountInvalid { written } => Description::new(
                Code::InvalidNumber,
                format!("`{written}` is not a whole number of days, weeks, months or years"),
                "expected a whole number",
            )
            .help("write a duration as a whole number and a unit, such as `1 year` or `90 days`"),
            SyntaxProblem::CoordinateTooPrecise {
                written,
                significant,
                value,
            } => Description::new(
                Code::InvalidNumber,
                format!(
                    "`{written}` has {significant} significant digits; a coordinate holds at most {MOST_COORDINATE_DIGITS}"
                ),
                "too precise",
            )
            .help(format!(
                "six decimals of a degree are a tenth of a metre: write `{value:.6}`"
            )),
            SyntaxProblem::NumberTooLarge { written } => Description::new(
                Code::InvalidNumber,
                format!("`{written}` is larger than Coop accepts"),
                "too large",
            )
            .help("amounts and quantities may be at most 1,000,000,000,000,000 (a quadrillion)"),
            SyntaxProblem::NumberTooPrecise { written } => Description::new(
                Code::InvalidNumber,
                format!("`{written}` cannot be represented exactly"),
                "too many digits",
            )
            .help("numbers hold at most 28 significant digits; write a smaller amount"),
            SyntaxProblem::NotOnCalendar { written } => Description::new(
                Code::InvalidDate,
                format!("`{written}` is not a date on the calendar"),
                "no such day",
            )
            .help("dates are written YYYY-MM-DD with a real month (01-12) and day of that month"),
            SyntaxProblem::FormatterFailed => Description::new(
                Code::FormatterFailed,
                "coop fmt could not lay this file out without changing it",
                "left as it is",
            )
            .help("this is a bug in coop fmt; please report it with the file"),
            SyntaxProblem::UnreadableLedgerRow { error } => Description::new(
                Code::MalformedLedgerRow,
                format!("this row cannot be read as CSV: {error}"),
                "unreadable",
            )
            .help("save the ledger as CSV with commas between fields and quotes around fields that hold commas"),
            SyntaxProblem::QuoteSpansLines { lines, closed } => {
                let lines = if lines == 1 {
                    "line was".to_string()
                } else {
                    format!("{lines} lines were")
                };
                Description::new(
                    Code::MalformedLedgerRow,
                    if closed {
                        format!(
                            "a quote opened in this row is closed only on a later line: the next {lines} read into one field"
                        )
                    } else {
                        format!(
                            "a quote opened in this row is never closed: the next {lines} read into one field"
                        )
                    },
                    "opened here",
                )
                .help("close the quote on the same line, or remove it: a field of a ledger never spans lines")
            }
            SyntaxProblem::EmptyLedger => Description::new(
                Code::MalformedLedgerRow,
                "the ledger is empty: it has no header row",
                "no header",
            )
            .help(format!(
                "a ledger starts with a header row naming its columns: `{}`",
                COLUMNS.join(",")
            )),
            SyntaxProblem::MissingLedgerColumn {
                column,
                header,
                mapped,
                suggestion,
            } => {
                let message = if mapped {
                    format!("the ledger has no column `{header}`, which its `columns` name for `{column}`")
                } else {
                    format!("the ledger has no `{column}` column")
                };
                Description::new(Code::MalformedLedgerRow, message, "the header row")
                    .suggestion_or(
                        suggestion,
                        format!(
                            "add the column, or name the header that holds it in the ledger's settings: `ledger \"...\" {{ columns {{ {column} = \"...\" }} }}`; no row is read until the header has every column"
                        ),
                    )
            }
            SyntaxProblem::WrongFieldCount { fields, expected } => Description::new(
                Code::MalformedLedgerRow,
                format!("this row has {fields} fields; the header row has {expected}"),
                plural(fields, "field"),
            )
            .help("quote a field that holds the delimiter, and give every column, even an empty `via`"),
            SyntaxProblem::LedgerNoCurrency { symbol } => Description::new(
                Code::MalformedLedgerRow,
                match symbol {
                    Some(symbol) => format!("this price's currency is not known: `{symbol}` stands for several"),
                    None => "this price has no currency".to_string(),
                },
                "no currency",
            )
            .help("add a `currency` column, write the code in the price (`USD 204,750.00`), or give the ledger one: `ledger \"...\" { currency USD }`"),
            SyntaxProblem::LedgerWrongSymbol { symbol, currency } => Description::new(
                Code::CurrencyMismatch,
                format!("`{symbol}` is not the symbol of {currency}, this row's currency"),
                format!("not {currency}"),
            )
            .help("write the price in the row's currency; Coop never converts currencies"),
            SyntaxProblem::LedgerDateFormat { written, format } => Description::new(
                Code::InvalidDate,
                format!("`{written}` is not a date written as `{format}`"),
                "not a date",
            )
            .help("write every date of the ledger in its `date_format`, or change the format to the one the spreadsheet writes"),
            SyntaxProblem::InvalidLedgerSetting { what, why } => Description::new(
                Code::InvalidLedgerSetting,
                format!("this ledger's {what} cannot be used: {why}"),
                format!("not a {what}"),
            )
            .help(match what {
                "delimiter" => "a delimiter is one character other than a quote or a line break, such as `delimiter \";\"` or `delimiter \"\\t\"`",
                _ => "a date format is written in strftime's notation with a year, a month and a day, such as `date_format \"%m/%d/%Y\"` or `date_format \"%d.%m.%Y\"`",
            }),
            SyntaxProblem::UnknownLedgerColumn { column, suggestion } => Description::new(
                Code::UnknownValue,
                format!("`{column}` is not one of a ledger's columns"),
                "unknown column",
            )
            .suggestion_or(suggestion, format!("the columns are: {}", COLUMNS.join(", "))),
            SyntaxProblem::DuplicateLedgerSetting { setting } => Description::new(
                Code::DuplicateField,
                format!("`{setting}` is given twice for this ledger"),
                "given again here",
            )
            .help(format!("keep one `{setting}`")),
            SyntaxProblem::EmptyLedgerField { column } => Description::new(
                Code::MalformedLedgerRow,
                format!("the `{column}` column of this row is empty"),
                "empty",
            )
            .help("every column needs a value but `via`, and `currency` when the ledger sets one"),
            SyntaxProblem::LedgerDateShape { written } => Description::new(
                Code::InvalidDate,
                format!("`{written}` is not a date written YYYY-MM-DD"),
                "not a date",
            )
            .help("write dates as in .coop files, such as 2025-06-15; set the spreadsheet's date column to ISO 8601"),
            SyntaxProblem::LedgerNotANumber { written } => Description::new(
                Code::InvalidNumber,
                format!("`{written}` is not a number"),
                "not a number",
            )
            .help("write numbers as in .coop files: digits, a point for decimals, commas only between groups of three digits (`1,250.50`)"),
            SyntaxProblem::InconsistentLedgerOrder { order, column } => Description::new(
                Code::InconsistentLedgerOrder,
                format!("rows of order `{order}` disagree on its `{column}`"),
                "differs from the order's first row",
            )
            .help("consecutive rows with one order id are the lines of one order: give them the same buyer, contract, date and via, or give the rows different order ids"),
        }
    }
}

/// An amount as money is written: groups of three digits, and at least two decimals
/// (`198500` is `198,500.00`).
fn money_digits(amount: &str) -> String {
    let (sign, digits) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount),
    };
    let (whole, decimals) = digits.split_once('.').unwrap_or((digits, ""));
    let whole: Vec<char> = whole.chars().filter(char::is_ascii_digit).collect();
    let mut grouped = String::new();
    for (index, digit) in whole.iter().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(*digit);
    }
    format!("{sign}{grouped}.{decimals:0<2}")
}

/// `U+202E`, as messages name a character.
fn code_point(character: char) -> String {
    format!("U+{:04X}", u32::from(character))
}

/// A hidden character's help, saying how many more the file has when some are not listed.
fn and_unlisted(help: &str, unlisted: usize) -> String {
    if unlisted > 0 {
        format!("{help}; {unlisted} more such characters in this file are not listed")
    } else {
        help.to_string()
    }
}

/// A syntax error: what was expected, named as a person would type it, what was found, and a
/// "did you mean" when the found word is close to an expected keyword.
fn unexpected(found: &str, expected: &[&str], after_digit: bool) -> Description {
    let control = found.chars().any(|character| character.is_control());
    let found_text = if found.is_empty() {
        "the end of the file".to_string()
    } else if control {
        format!("the character {}", found.escape_unicode())
    } else {
        quoted(found)
    };
    let message = if expected.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", one_of(expected))
    };
    let label = if found.is_empty() {
        "the file ends here".to_string()
    } else if control {
        "unexpected character".to_string()
    } else {
        format!("unexpected {found_text}")
    };
    let keywords: Vec<&str> = expected
        .iter()
        .filter_map(|name| {
            name.strip_prefix('`')
                .and_then(|name| name.strip_suffix('`'))
        })
        .collect();
    // Only a word is suggested a keyword: a symbol's nearest keyword is another symbol.
    let word = found.chars().any(char::is_alphanumeric);
    let suggestion = crate::check::suggest(found, keywords.iter().copied()).filter(|_| word);
    let help = match suggestion {
        _ if found == "\"" => "a string ends on the line it starts, with `\"`; inside it, write `\\\"` for a quote, `\\\\` for a backslash and `\\n` for a new line".to_string(),
        _ if found == "," && after_digit => "thousands separators come in groups of three digits, as in `1,250`; decimals take a point, as in `12.50`".to_string(),
        Some(keyword) if keyword != found => format!("did you mean `{keyword}`?"),
        _ if found.is_empty() => "a declaration is not finished: is a closing `}` missing?".to_string(),
        _ if expected.contains(&"`}`") && is_declaration_keyword(found) => {
            format!("is a closing `}}` missing before this `{found}`?")
        }
        _ => "see docs/language.md for the fields each declaration takes, or run `coop explain syntax-error`"
            .to_string(),
    };
    let description = Description::new(Code::SyntaxError, message, label).help(help);
    match suggestion {
        Some(keyword) if keyword != found => description.replacement(keyword),
        _ => description,
    }
}

/// A found word as a message quotes it: whole when short, else its start and its length, so
/// that a megabyte-long token is not printed (twice) in full.
fn quoted(found: &str) -> String {
    const SHOWN: usize = 40;
    match found.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!(
            "`{}…` ({} characters)",
            &found[..cut],
            found.chars().count()
        ),
        None => format!("`{found}`"),
    }
}

fn is_declaration_keyword(word: &str) -> bool {
    matches!(
        word,
        "agency" | "solicitation" | "contract" | "access" | "order"
    )
}

/// "a, b or c"
fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [only] => (*only).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}
