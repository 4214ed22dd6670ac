//! A fast reader for the commonest large file: one of nothing but plain `order` blocks, as a
//! program's order book is. It reads such a file straight into the syntax tree, several times
//! faster than pest, and gives up (returning `None`) at the first thing it does not know, so that
//! pest reads the file instead: a title, a comment inside a block, `requests`, a fact, a number or
//! a date that is not valid, anything at all. It never reports an error; pest does that.
//!
//! What it returns is exactly what pest and the lowering return for the same text; a test
//! compares the two on generated order books and on edited ones.

use rust_decimal::Decimal;

use super::ast::*;

use crate::observe::{EVERY, Observer, ReadSoFar};
use crate::source::{FileId, Span, Spanned};
use crate::values::Money;

/// The syntax tree of a file of plain orders, or `None` when the file is anything else.
///
/// A large file is cut at lines that start an order and its parts are read on every core at
/// once. A cut is always sound: a part must read to its very end, so a cut that fell inside a
/// block (or anywhere the reader would not have ended a declaration) fails that part, and the
/// whole file goes to pest as any file the reader does not know.
pub(super) fn read(file: FileId, text: &str, observer: &dyn Observer) -> Option<File> {
    let cuts = cuts(text, crate::parallel::threads(), PARALLEL_FROM);
    let fields = Fields::Kept;
    let declarations = read_in_parts(file, text, cuts, observer, fields, Declaration::Order)?;
    Some(File {
        declarations,
        ..File::empty(file)
    })
}

/// The orders of a file of plain orders by their names and places only, or `None` when the
/// file is anything else: read as [`read`] reads it, each order's tree dropped as soon as it is
/// read, so that the trees of a whole order book are never held at once. [`read_again`] reads
/// the trees when they are wanted.
pub(super) fn read_names(
    file: FileId,
    text: &str,
    observer: &dyn Observer,
) -> Option<Vec<UnreadOrder>> {
    let cuts = cuts(text, crate::parallel::threads(), PARALLEL_FROM);
    read_in_parts(file, text, cuts, observer, Fields::Dropped, |order| {
        UnreadOrder {
            name: order.name,
            span: order.span,
        }
    })
}

/// The trees of the orders from the one that starts at `start` to the one that ends at `end`,
/// of a file [`read_names`] read: the same trees [`read`] makes of them, since the reader reads
/// each order the same wherever it starts.
pub(super) fn read_again(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
) -> Option<Vec<Block<OrderField>>> {
    let nobody = ReadSoFar::new(&crate::observe::Unobserved);
    if start > end {
        return None;
    }
    read_part(
        file,
        text.get(..end)?,
        start,
        &nobody,
        Fields::Kept,
        |order| order,
    )
}

/// Whether an order's fields are kept in its tree, or only read (to know the order is one the
/// reader knows) when only its name and place are wanted.
#[derive(Clone, Copy)]
enum Fields {
    Kept,
    Dropped,
}

/// Below this size a file is read on one core: a thread costs more than it saves.
const PARALLEL_FROM: usize = 1 << 20;

/// Reads the parts of a file that `cuts` delimit, each on its own thread, telling `observer`
/// how many orders and bytes all of them have read; `keep` makes what is kept of each order.
fn read_in_parts<Kept: Send>(
    file: FileId,
    text: &str,
    cuts: Vec<usize>,
    observer: &dyn Observer,
    fields: Fields,
    keep: fn(Block<OrderField>) -> Kept,
) -> Option<Vec<Kept>> {
    let read_so_far = ReadSoFar::new(observer);
    let read_so_far = &read_so_far;
    if cuts.len() <= 2 {
        return read_part(file, text, 0, read_so_far, fields, keep);
    }
    let read: Vec<Option<Vec<Kept>>> = std::thread::scope(|scope| {
        let readers: Vec<_> = cuts
            .windows(2)
            .map(|part| {
                let part_text = &text[..part[1]];
                scope.spawn(move || read_part(file, part_text, part[0], read_so_far, fields, keep))
            })
            .collect();
        readers
            .into_iter()
            .map(|reader| reader.join().ok().flatten())
            .collect()
    });
    let parts: Vec<Vec<Kept>> = read.into_iter().collect::<Option<_>>()?;
    // Sized once: the tree of a million orders is kept for the whole run.
    let mut kept = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        kept.extend(part);
    }
    Some(kept)
}

/// Where the parts of a file start, and its end: about equal parts, each starting on a line
/// that starts with `order `; one part for a file shorter than `parallel_from`.
fn cuts(text: &str, parts: usize, parallel_from: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    if text.len() >= parallel_from {
        for part in 1..parts {
            let from = (text.len() / parts * part).max(*cuts.last().unwrap_or(&0));
            if let Some(found) = text[from..].find("\norder ") {
                cuts.push(from + found + 1);
            }
        }
    }
    cuts.push(text.len());
    cuts.dedup();
    cuts
}

/// The orders of `text[start..]`, which must be orders to its very end, each as `keep` makes it.
fn read_part<Kept>(
    file: FileId,
    text: &str,
    start: usize,
    read_so_far: &ReadSoFar<'_>,
    fields: Fields,
    keep: fn(Block<OrderField>) -> Kept,
) -> Option<Vec<Kept>> {
    let mut reader = Reader {
        file,
        text,
        bytes: text.as_bytes(),
        at: start,
        fields: Vec::new(),
    };
    let mut told_at = start;
    let mut kept = Vec::new();
    loop {
        reader.skip_trivia();
        if reader.at == reader.bytes.len() {
            break;
        }
        kept.push(keep(reader.order(fields)?));
        if kept.len().is_multiple_of(EVERY) {
            read_so_far.add(EVERY, reader.at - told_at);
            told_at = reader.at;
        }
    }
    Some(kept)
}

/// The bytes a word may hold: ASCII letters, digits and `_`.
const IN_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < table.len() {
        let character = byte as u8;
        table[byte] = character.is_ascii_alphanumeric() || character == b'_';
        byte += 1;
    }
    table
};

struct Reader<'t> {
    file: FileId,
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    /// The fields of the order being read.
    fields: Vec<Spanned<OrderField>>,
}

impl<'t> Reader<'t> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// `order NAME { FIELD* }`, its fields read and, when `fields` says, kept.
    fn order(&mut self, fields: Fields) -> Option<Block<OrderField>> {
        let start = self.at;
        self.keyword("order")?;
        self.skip_blanks();
        let name = self.identifier()?;
        self.skip_blanks();
        self.punctuation(b'{')?;
        self.fields.clear();
        loop {
            self.skip_blanks();
            if self.bytes.get(self.at) == Some(&b'}') {
                self.at += 1;
                break;
            }
            let field = self.field()?;
            self.fields.push(field);
        }
        Some(Block {
            name,
            title: None,
            // Exactly as long as it is: a list grown field by field would hold room for eight
            // fields where five are written, some 190 bytes an order.
            fields: match fields {
                Fields::Kept => self.fields.drain(..).collect(),
                Fields::Dropped => Vec::new(),
            },
            facts: Vec::new(),
            span: self.span(start, self.at),
        })
    }

    fn field(&mut self) -> Option<Spanned<OrderField>> {
        let start = self.at;
        let word = self.word()?;
        self.skip_blanks();
        let field = match word {
            "buyer" => OrderField::Buyer(self.identifier()?),
            "contract" => OrderField::Contract(self.identifier()?),
            // One instrument; a list (`via a, b`) is read by pest.
            "via" => OrderField::Via(vec![self.identifier()?]),
            "date" => OrderField::Date(self.date()?),
            "line" => {
                let item = self.identifier()?;
                self.skip_blanks();
                let quantity = self.number()?;
                self.skip_blanks();
                let unit = match self.peek_word()? {
                    "at" => None,
                    _ => {
                        let unit = self.identifier()?;
                        self.skip_blanks();
                        Some(Box::new(unit))
                    }
                };
                self.keyword("at")?;
                self.skip_blanks();
                let unit_price = self.money()?;
                OrderField::Line(Box::new(Line {
                    item,
                    quantity,
                    unit,
                    unit_price,
                    list_price: None,
                }))
            }
            _ => return None,
        };
        Some(Spanned::new(field, self.span(start, self.at)))
    }

    /// Spaces, tabs and line ends; a comment here is not handled.
    fn skip_blanks(&mut self) {
        while let Some(byte) = self.bytes.get(self.at) {
            match byte {
                b' ' | b'\t' | b'\r' | b'\n' => self.at += 1,
                _ => break,
            }
        }
    }

    /// Blanks and whole-line comments between declarations.
    fn skip_trivia(&mut self) {
        loop {
            self.skip_blanks();
            if self.bytes[self.at..].starts_with(b"//") {
                while self.at < self.bytes.len() && self.bytes[self.at] != b'\n' {
                    self.at += 1;
                }
            } else {
                return;
            }
        }
    }

    fn punctuation(&mut self, expected: u8) -> Option<()> {
        (self.bytes.get(self.at) == Some(&expected)).then(|| self.at += 1)
    }

    /// A word: letters, digits and `_`, not starting with a digit.
    fn word(&mut self) -> Option<&'t str> {
        let start = self.at;
        let rest = self.bytes.get(start..)?;
        match rest.first() {
            Some(byte) if byte.is_ascii_alphabetic() || *byte == b'_' => {}
            _ => return None,
        }
        // A table, not three ranges and `_` for each byte: words are most of what a million
        // orders hold, and each is read twice (for the names, then to be checked).
        let length = rest
            .iter()
            .position(|byte| !IN_WORD[usize::from(*byte)])
            .unwrap_or(rest.len());
        self.at = start + length;
        let text: &'t str = self.text;
        text.get(start..self.at)
    }

    fn peek_word(&mut self) -> Option<&'t str> {
        let start = self.at;
        self.word()?;
        let end = self.at;
        self.at = start;
        let text: &'t str = self.text;
        Some(&text[start..end])
    }

    fn keyword(&mut self, keyword: &str) -> Option<()> {
        (self.word()? == keyword).then_some(())
    }

    fn identifier(&mut self) -> Option<Name> {
        let start = self.at;
        let word = self.word()?;
        // A keyword here is read by pest, which knows what each one means where.
        if KEYWORDS.contains(&word) {
            return None;
        }
        Some(Spanned::new(word.into(), self.span(start, self.at)))
    }

    /// `2025-06-15`, on the calendar.
    fn date(&mut self) -> Option<Spanned<crate::values::Date>> {
        let start = self.at;
        let shape = b"dddd-dd-dd";
        let written = self.bytes.get(start..start + shape.len())?;
        let matches = written
            .iter()
            .zip(shape)
            .all(|(byte, expected)| match expected {
                b'd' => byte.is_ascii_digit(),
                _ => byte == expected,
            });
        if !matches
            || self
                .bytes
                .get(start + shape.len())
                .is_some_and(u8::is_ascii_digit)
        {
            return None;
        }
        self.at = start + shape.len();
        let span = self.span(start, self.at);
        let date = super::lower::calendar_date(&self.text[start..self.at], span).ok()?;
        Some(Spanned::new(date, span))
    }

    /// A plain number: digits, thousands in groups of three, decimals; no sign.
    fn number(&mut self) -> Option<Spanned<Decimal>> {
        let start = self.at;
        let digits = |reader: &mut Self| {
            let from = reader.at;
            while reader.bytes.get(reader.at).is_some_and(u8::is_ascii_digit) {
                reader.at += 1;
            }
            reader.at - from
        };
        if digits(self) == 0 {
            return None;
        }
        while self.bytes.get(self.at) == Some(&b',') {
            self.at += 1;
            if digits(self) != 3 {
                return None;
            }
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return None;
            }
        }
        if self
            .bytes
            .get(self.at)
            .is_some_and(|byte| byte.is_ascii_alphabetic() || *byte == b'_' || *byte == b',')
        {
            return None;
        }
        let span = self.span(start, self.at);
        let value = super::lower::decimal(&self.text[start..self.at], span).ok()?;
        Some(Spanned::new(value, span))
    }

    /// `USD 198,500.00`: a currency code, spaces, a number.
    fn money(&mut self) -> Option<Spanned<Money>> {
        let start = self.at;
        let code = self.bytes.get(start..start + 3)?;
        if !code.iter().all(u8::is_ascii_uppercase) {
            return None;
        }
        self.at += 3;
        if self
            .bytes
            .get(self.at)
            .is_some_and(|byte| byte.is_ascii_alphanumeric() || *byte == b'_')
        {
            return None;
        }
        let text: &'t str = self.text;
        let currency = &text[start..self.at];
        if self.bytes.get(self.at) != Some(&b' ') {
            return None;
        }
        while self.bytes.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
        let amount = self.number()?;
        Some(Spanned::new(
            Money::new(currency, amount.value),
            self.span(start, amount.span.end as usize),
        ))
    }
}

/// The words the grammar treats as keywords where an order's names stand.
const KEYWORDS: &[&str] = &["at"];

#[cfg(test)]
mod tests {
    use super::*;

    /// What the fast reader makes of the text, observed by no one.
    fn read(file: FileId, text: &str) -> Option<File> {
        super::read(file, text, &crate::observe::Unobserved)
    }

    /// What the fast reader makes of the text in the parts `cuts` delimit, trees kept.
    fn in_parts(text: &str, cuts: Vec<usize>) -> Option<Vec<Declaration>> {
        let nobody = &crate::observe::Unobserved;
        read_in_parts(
            FileId(0),
            text,
            cuts,
            nobody,
            Fields::Kept,
            Declaration::Order,
        )
    }

    /// What pest and the lowering make of the text.
    fn by_pest(text: &str) -> Option<File> {
        let pair = super::super::parser::parse_file(FileId(0), text).ok()?;
        let (tree, diagnostics) = super::super::lower::lower_file(FileId(0), pair);
        diagnostics.is_empty().then_some(tree)
    }

    /// A generated program's order book of 400 orders.
    fn generated_order_book() -> String {
        let settings = crate::generate::Settings {
            agencies: 30,
            contracts: 5,
            orders: 400,
            seed: 7,
        };
        crate::generate::generate(settings, crate::generate::OrderFormat::Coop).orders
    }

    #[test]
    fn reads_order_books_as_pest_does() {
        let text = generated_order_book();
        let fast = read(FileId(0), &text).expect("an order book is read fast");
        assert_eq!(Some(fast), by_pest(&text));
    }

    #[test]
    fn reads_orders_again_as_when_first_read() {
        let text = generated_order_book();
        let whole = read(FileId(0), &text).expect("an order book is read fast");
        let trees: Vec<&Block<OrderField>> = whole
            .declarations
            .iter()
            .filter_map(Declaration::as_order)
            .collect();
        let names = read_names(FileId(0), &text, &crate::observe::Unobserved)
            .expect("an order book is read by name");
        let written: Vec<(&str, Span)> = trees
            .iter()
            .map(|tree| (tree.name.value.as_str(), tree.span))
            .collect();
        let unread: Vec<(&str, Span)> = names
            .iter()
            .map(|order| (order.name.value.as_str(), order.span))
            .collect();
        assert_eq!(unread, written);
        // Any run of orders, read again from the first's start to the last's end.
        for (first, last) in [(0, 0), (0, 399), (17, 17), (17, 230), (399, 399)] {
            let again = read_again(
                FileId(0),
                &text,
                names[first].span.start as usize,
                names[last].span.end as usize,
            )
            .expect("orders read once are read again");
            // Spans too, which equality of spanned values leaves out.
            let again: Vec<&Block<OrderField>> = again.iter().collect();
            assert_eq!(format!("{again:?}"), format!("{:?}", &trees[first..=last]));
        }
    }

    #[test]
    fn reads_an_order_book_in_parts_as_in_one() {
        let text = generated_order_book();
        let whole = in_parts(&text, cuts(&text, 1, 0));
        assert!(whole.is_some());
        for parts in [2, 3, 7, 64] {
            let cuts = cuts(&text, parts, 0);
            assert!(
                cuts.len() > 2,
                "the book is cut into {parts} parts: {cuts:?}"
            );
            assert_eq!(in_parts(&text, cuts), whole);
        }
    }

    #[test]
    fn a_part_the_reader_does_not_know_sends_the_whole_file_to_pest() {
        let order = |name: &str, title: &str| {
            format!(
                "order {name}{title} {{\n  buyer city_1\n  contract con_1\n  date 2025-01-31\n  line salt 12 ton at USD 1,091.50\n}}\n\n"
            )
        };
        let text = [
            order("o1", ""),
            order("o2", ""),
            order("o3", " \"Titled\""),
            order("o4", ""),
        ]
        .concat();
        let cuts = cuts(&text, 4, 0);
        assert!(cuts.len() > 3, "cut into parts: {cuts:?}");
        assert_eq!(in_parts(&text, cuts), None);
        // A cut inside a block (here: before a line of it) fails the part that ends there.
        let inside = text.find("  contract").map(|at| vec![0, at, text.len()]);
        assert_eq!(in_parts(&text, inside.unwrap_or_default()), None);
    }

    #[test]
    fn gives_up_or_agrees_on_edited_order_books() {
        let base = "// orders\n\norder o1 {\n  buyer city_1\n  contract con_1\n  date 2025-01-31\n  via ila_1\n  line salt 12 ton at USD 1,091.50\n  line laptop 3 at EUR 9.5\n}\n";
        let edits: &[(&str, &str)] = &[
            ("order o1 {", "order o1 \"Title\" {"),
            ("2025-01-31", "2025-02-30"),
            ("1,091.50", "1,09.50"),
            ("12 ton", "-12 ton"),
            ("12 ton", "12ton"),
            ("USD 1,091.50", "usd 1,091.50"),
            ("USD 1,091.50", "USD\n1,091.50"),
            ("  via ila_1\n", "  via ila_1 // the agreement\n"),
            ("  via ila_1\n", "  requests warranty\n"),
            ("line laptop", "line at"),
            ("}\n", ""),
            ("buyer city_1", "buyer  city_1"),
            ("\n", "\r\n"),
            ("// orders", "\u{feff}// orders"),
        ];
        for (from, to) in edits {
            let text = base.replacen(from, to, 1);
            if let Some(fast) = read(FileId(0), &text) {
                assert_eq!(Some(fast), by_pest(&text), "{text}");
            }
        }
        assert_eq!(read(FileId(0), base), by_pest(base));
    }

    proptest::proptest! {
        /// Any edit of an order book: the fast reader gives up, or reads what pest reads.
        #[test]
        fn agrees_with_pest_or_gives_up(
            edits in proptest::collection::vec(
                (0usize..2_000, 0usize..3, proptest::sample::select(vec![
                    " ", "\n", "-", ",", ".", "0", "9", "a", "_", "{", "}", "\"", "/", "USD", "at", "line",
                ])),
                1..6,
            )
        ) {
            let mut text = "order a1 {\n  buyer b_1\n  contract c_1\n  date 2025-03-04\n  line x 10 at USD 1,000.25\n  line y 2 ton at EUR 3\n}\n\norder a2 { buyer b_2 contract c_2 date 2024-12-31 via i_1 line x 1 at USD 0.5 }\n".to_string();
            for (position, kind, piece) in edits {
                let at = position % (text.len() + 1);
                let at = (0..=at).rev().find(|index| text.is_char_boundary(*index)).unwrap_or(0);
                match kind {
                    0 => text.insert_str(at, piece),
                    1 => {
                        let end = (at + 1..=text.len()).find(|index| text.is_char_boundary(*index)).unwrap_or(text.len());
                        text.replace_range(at..end, "");
                    }
                    _ => {
                        let end = (at + piece.len()).min(text.len());
                        let end = (end..=text.len()).find(|index| text.is_char_boundary(*index)).unwrap_or(text.len());
                        text.replace_range(at..end, piece);
                    }
                }
            }
            if let Some(fast) = read(FileId(0), &text) {
                proptest::prop_assert_eq!(Some(fast), by_pest(&text), "{}", text);
            }
        }
    }
}
