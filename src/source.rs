//! Source files, byte spans into them, and values that carry their span.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Identifies one file of a model inside its [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// The largest file Coop reads, in bytes (4 GiB less one): a place in a file is a 32-bit offset
/// (`Span`), which keeps the spans of millions of orders small. A larger file is refused before
/// it is read (`file-too-large`), never read with wrong places.
pub const LARGEST_FILE: u64 = u32::MAX as u64;

/// A byte range in one source file. Small and `Copy`, so every node can carry one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

/// A value with the span it was written at.
///
/// Equality ignores the span, so that trees built by hand in tests compare with parsed ones.
#[derive(Clone, Copy, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<Text: std::ops::Deref<Target = str>> Spanned<Text> {
    /// The text, borrowed, with its span.
    pub fn as_str(&self) -> Spanned<&str> {
        Spanned::new(&self.value, self.span)
    }
}

impl Spanned<compact_str::CompactString> {
    /// A name of the syntax tree (kept inline there, as most names are short) as the model
    /// keeps it.
    pub fn to_owned_string(&self) -> Spanned<String> {
        Spanned::new(self.value.to_string(), self.span)
    }
}

/// One file of a model: the name it is shown under, its text, and where its lines start.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or as found below a directory they gave), for messages.
    pub name: String,
    pub path: PathBuf,
    /// Shared, so that rendering a diagnostic never copies the file.
    pub text: Arc<String>,
    /// Where its lines start. Lines end at `\n` (so also at `\r\n`), as miette counts them, so
    /// that locations in messages and in excerpts agree; a lone `\r` was made a `\n` when the
    /// file was added.
    pub lines: Arc<LineIndex>,
    /// Whether the file had line ends that are a lone `\r`: its text holds `\n` there instead,
    /// so `fmt` rewrites it even when the text is laid out already.
    pub had_lone_carriage_returns: bool,
    /// The text as excerpts show it, when that differs from the text: each control character
    /// (but tabs and line ends), line separator and direction control replaced by a visible
    /// mark of the same length, so that quoting a file can neither drive a terminal (an escape
    /// sequence, a bell) nor reorder what it shows.
    pub shown_text: Option<Arc<String>>,
    /// The number of characters before every [`CHECKPOINT_BYTES`]th byte, made when a column
    /// is first asked for; empty for ASCII text, where bytes are characters.
    character_checkpoints: std::sync::OnceLock<Vec<u32>>,
    /// Where the first byte that was not UTF-8 was (now U+FFFD), if the file had one.
    pub invalid_encoding_at: Option<usize>,
    pub kind: FileKind,
}

/// What a file holds: declarations, or the rows of a ledger of orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Coop,
    /// A CSV ledger named by `ledger`, with the number of rows read from it (the header not
    /// counted), once it is read.
    Ledger {
        rows: usize,
    },
    /// The model's `coop.toml`: not parsed as Coop, but the values of its pack parameters are
    /// read from it, and findings about them point into it.
    Config,
}

/// All files of one model; a [`FileId`] indexes into it.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// Each file read from disk, by where it really is (links and `..` resolved), so that a
    /// file reached again is found without asking the file system.
    by_canonical_path: HashMap<PathBuf, FileId>,
    /// The directory `use` paths must stay within: the directory given, or the first file's
    /// (resolved, for comparing paths).
    pub root: Option<PathBuf>,
    /// That directory as the user gave it, for messages.
    pub root_name: String,
    /// The prelude's file, once it is added: read for every model, and part of Coop rather than
    /// of the model, so counts and per-file outputs leave it out.
    prelude: Option<FileId>,
    /// Where the model first uses each rule pack (its `use rules`), so that a finding about a
    /// shipped pack, which has no file to show, can be placed in the model.
    first_uses: HashMap<FileId, Span>,
}

impl SourceFile {
    /// The zero-based line holding a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.lines.line_of(&self.text, offset)
    }

    /// The bytes of a zero-based line, with its line end (empty past the last line).
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        self.lines.range(&self.text, line)
    }

    /// How many lines it has: one more than its line ends.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// One-based line and column of a byte offset; columns count characters, and a byte-order
    /// mark at the start of the file is not one. Constant time in the length of the line, so
    /// that thousands of findings on one long line cost no more than on separate lines.
    pub fn line_column(&self, offset: usize) -> LineColumn {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset);
        let start = self.line_range(line).start;
        let mut column = self.characters_before(offset) - self.characters_before(start);
        if start == 0 && offset > 0 && self.text.starts_with('\u{FEFF}') {
            column -= 1;
        }
        LineColumn {
            line: line + 1,
            column: column + 1,
        }
    }

    /// How many characters start before a byte offset: counted from the nearest checkpoint
    /// (every [`CHECKPOINT_BYTES`] bytes, made once for a file that is not ASCII).
    fn characters_before(&self, offset: usize) -> usize {
        let bytes = self.text.as_bytes();
        let checkpoints = self.character_checkpoints.get_or_init(|| {
            // In ASCII text a byte is a character, and no checkpoint is needed.
            if self.text.is_ascii() {
                return Vec::new();
            }
            let mut counted = 0u32;
            std::iter::once(0)
                .chain(bytes.chunks(CHECKPOINT_BYTES).map(|chunk| {
                    counted += character_starts(chunk) as u32;
                    counted
                }))
                .collect()
        });
        if checkpoints.is_empty() {
            return offset;
        }
        let checkpoint = offset / CHECKPOINT_BYTES;
        checkpoints[checkpoint] as usize
            + character_starts(&bytes[checkpoint * CHECKPOINT_BYTES..offset])
    }
}

/// Characters are counted from a checkpoint this many bytes apart.
const CHECKPOINT_BYTES: usize = 4096;

/// How many characters start in a run of UTF-8 bytes: the bytes that do not continue one.
fn character_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|byte| (**byte & 0xC0) != 0x80).count()
}

/// The one definition of a line end: `\n`, `\r\n`, or a `\r` alone. A lone `\r` becomes `\n`
/// (the same length, so every offset stays where it was), so that the parser, comments,
/// positions, excerpts and `fmt` all see the lines that an editor or a terminal shows: a comment
/// ends at a lone `\r`, as it appears to.
fn with_lone_carriage_returns_as_line_feeds(text: String) -> (String, bool) {
    let bytes = text.as_bytes();
    if !memchr::memchr_iter(b'\r', bytes).any(|index| bytes.get(index + 1) != Some(&b'\n')) {
        return (text, false);
    }
    let mut bytes = text.into_bytes();
    for index in 0..bytes.len() {
        if bytes[index] == b'\r' && bytes.get(index + 1) != Some(&b'\n') {
            bytes[index] = b'\n';
        }
    }
    // Only one ASCII byte was replaced by another, so the text is still UTF-8.
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|_| unreachable!("replacing `\\r` by `\\n` keeps UTF-8 valid"));
    (text, true)
}

/// The text with every character a terminal would act on, or a reader would not see, replaced
/// by a mark of the same length in bytes (`?`, `¿` or `�`), so that spans stay valid; `None`
/// when there is none.
fn shown_text(text: &str) -> Option<String> {
    // Such characters are ASCII controls, or start with 0xC2 (C1 controls) or 0xE2 (separators
    // and direction controls) in UTF-8; most files have none.
    let suspect = |byte: u8| {
        (byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r'))
            || matches!(byte, 0x7F | 0xC2 | 0xE2)
    };
    if !any_byte(text.as_bytes(), suspect) {
        return None;
    }
    let hidden = |character: char| {
        (character.is_control() && !matches!(character, '\t' | '\n' | '\r'))
            || matches!(character, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(hidden) {
        return None;
    }
    Some(
        text.chars()
            .map(|character| match character {
                _ if !hidden(character) => character,
                _ => match character.len_utf8() {
                    1 => '?',
                    2 => '¿',
                    _ => '\u{FFFD}',
                },
            })
            .collect(),
    )
}

/// Where the lines of a text start, for finding the line of an offset and the offset of a
/// line. The text is not kept: each question is asked with it.
///
/// Only every [`LINES_PER_MARK`]th line's start is kept, and the lines between are found by
/// scanning from it: an order book of a million orders has seven and a half million lines,
/// whose starts would take 60 MB, while a scan of a few dozen short lines costs far less than
/// the message or excerpt that asks.
#[derive(Debug)]
pub struct LineIndex {
    /// The start of line 0, of line `LINES_PER_MARK`, of line `2 * LINES_PER_MARK`, ...
    marks: Box<[usize]>,
    lines: usize,
}

/// How many lines apart the starts a [`LineIndex`] keeps are.
const LINES_PER_MARK: usize = 64;

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut marks = vec![0];
        let mut lines = 1;
        for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
            if lines % LINES_PER_MARK == 0 {
                marks.push(end + 1);
            }
            lines += 1;
        }
        LineIndex {
            marks: marks.into(),
            lines,
        }
    }

    /// How many lines the text has: one more than its line ends.
    pub fn len(&self) -> usize {
        self.lines
    }

    /// Never: a text, even an empty one, has a line.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The zero-based line holding a byte offset of `text`; past its end, the last line.
    pub fn line_of(&self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        let mark = self
            .marks
            .partition_point(|start| *start <= offset)
            .saturating_sub(1);
        let from = self.marks[mark].min(offset);
        mark * LINES_PER_MARK + memchr::memchr_iter(b'\n', &text.as_bytes()[from..offset]).count()
    }

    /// Where a zero-based line of `text` starts, or `None` past its last line.
    pub fn start(&self, text: &str, line: usize) -> Option<usize> {
        if line >= self.lines {
            return None;
        }
        let mark = *self.marks.get(line / LINES_PER_MARK)?;
        match line % LINES_PER_MARK {
            0 => Some(mark),
            within => memchr::memchr_iter(b'\n', text.as_bytes().get(mark..)?)
                .nth(within - 1)
                .map(|end| mark + end + 1),
        }
    }

    /// The bytes of a zero-based line of `text`, with its line end; empty, at the text's end,
    /// past its last line.
    pub fn range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let Some(start) = self.start(text, line) else {
            return text.len()..text.len();
        };
        let end = memchr::memchr(b'\n', &text.as_bytes()[start..])
            .map_or(text.len(), |end| start + end + 1);
        start..end
    }
}

/// Whether any byte passes the test. Blocks of bytes are tested whole, without stopping inside
/// one, so that the compiler tests many bytes at once: every file is scanned so on loading,
/// and an order book can be a hundred megabytes.
pub fn any_byte(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    let mut blocks = bytes.chunks_exact(64);
    blocks
        .by_ref()
        .any(|block| block.iter().fold(false, |found, byte| found | test(*byte)))
        || blocks.remainder().iter().any(|byte| test(*byte))
}

/// A one-based line and column, for locations shown to people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both; both must be in the same file.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T: fmt::Display> fmt::Display for Spanned<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(formatter)
    }
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, path: PathBuf, text: String) -> FileId {
        self.push(name.into(), path, text, None)
    }

    /// Marks a file as a ledger, and how many rows were read from it.
    pub fn set_ledger(&mut self, id: FileId, rows: usize) {
        self.files[id.0 as usize].kind = FileKind::Ledger { rows };
    }

    pub fn is_ledger(&self, id: FileId) -> bool {
        matches!(self.file(id).kind, FileKind::Ledger { .. })
    }

    /// Adds the model's `coop.toml`, whose pack parameters parsing reads.
    pub fn add_config(&mut self, name: impl Into<String>, path: PathBuf, text: String) -> FileId {
        let id = self.add(name, path, text);
        self.files[id.0 as usize].kind = FileKind::Config;
        id
    }

    /// Names each file anew, as `rename` says (keeping a name it returns `None` for): a model
    /// checked out of a git revision into a temporary directory is shown by the revision.
    pub fn rename_files(&mut self, rename: impl Fn(&str) -> Option<String>) {
        for file in &mut self.files {
            if let Some(name) = rename(&file.name) {
                file.name = name;
            }
        }
    }

    pub fn is_config(&self, id: FileId) -> bool {
        self.file(id).kind == FileKind::Config
    }

    /// Adds a file from its bytes; bytes that are not UTF-8 become U+FFFD, and the first one's
    /// place is remembered so that parsing can report it.
    pub fn add_bytes(&mut self, name: impl Into<String>, path: PathBuf, bytes: Vec<u8>) -> FileId {
        match String::from_utf8(bytes) {
            Ok(text) => self.push(name.into(), path, text, None),
            Err(error) => {
                let valid = error.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                self.push(name.into(), path, text, Some(valid))
            }
        }
    }

    /// Adds a file read from disk, with where it really is, so that [`SourceMap::find`] finds it.
    pub fn add_file(
        &mut self,
        name: impl Into<String>,
        path: PathBuf,
        canonical: PathBuf,
        bytes: Vec<u8>,
    ) -> FileId {
        let id = self.add_bytes(name, path, bytes);
        self.by_canonical_path.insert(canonical, id);
        id
    }

    fn push(
        &mut self,
        name: String,
        path: PathBuf,
        text: String,
        invalid_encoding_at: Option<usize>,
    ) -> FileId {
        let (text, had_lone_carriage_returns) = with_lone_carriage_returns_as_line_feeds(text);
        let lines = LineIndex::new(&text).into();
        let shown_text = shown_text(&text).map(Into::into);
        self.files.push(SourceFile {
            name,
            path,
            text: text.into(),
            lines,
            had_lone_carriage_returns,
            shown_text,
            character_checkpoints: std::sync::OnceLock::new(),
            invalid_encoding_at,
            kind: FileKind::Coop,
        });
        FileId((self.files.len() - 1) as u32)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (FileId(index as u32), file))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Adds the prelude's text, once; later calls return the same file.
    pub fn add_prelude(&mut self, name: String, text: &str) -> FileId {
        if let Some(prelude) = self.prelude {
            return prelude;
        }
        let id = self.add(name.clone(), PathBuf::from(name), text.to_string());
        self.prelude = Some(id);
        id
    }

    pub fn is_prelude(&self, id: FileId) -> bool {
        self.prelude == Some(id)
    }

    /// Records that the model uses the rule pack `pack` at `span`, unless it used it before.
    pub fn note_use(&mut self, pack: FileId, span: Span) {
        self.first_uses.entry(pack).or_insert(span);
    }

    /// Where the model first uses the rule pack in `pack`.
    pub fn first_use(&self, pack: FileId) -> Option<Span> {
        self.first_uses.get(&pack).copied()
    }

    /// The files of the model: every file read but the prelude and `coop.toml`.
    pub fn model_files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files()
            .filter(|(id, file)| !self.is_prelude(*id) && file.kind != FileKind::Config)
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The file already read from disk that really is at `canonical` (links and `..` resolved).
    pub fn find(&self, canonical: &Path) -> Option<FileId> {
        self.by_canonical_path.get(canonical).copied()
    }

    /// The text a span covers.
    pub fn text(&self, span: Span) -> &str {
        &self.file(span.file).text[span.range()]
    }

    /// Where a span starts, as one-based line and column (columns count characters).
    pub fn line_column(&self, span: Span) -> LineColumn {
        let file = self.file(span.file);
        file.line_column(span.start as usize)
    }

    /// `file:line` for a span, as shown in reports.
    pub fn location(&self, span: Span) -> String {
        let position = self.line_column(span);
        format!("{}:{}", self.file(span.file).name, position.line)
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;
    use proptest::prelude::*;

    /// Every line start, as a full index would keep them.
    fn every_line_start(text: &str) -> Vec<usize> {
        std::iter::once(0)
            .chain(text.match_indices('\n').map(|(index, _)| index + 1))
            .collect()
    }

    proptest! {
        /// The sampled index finds the line of every offset, and the start and range of every
        /// line, as a full index does, across many marks and past the end.
        #[test]
        fn lines_are_found_as_a_full_index_finds_them(
            lines in proptest::collection::vec("[a-z €]{0,5}", 0..300),
            ends_with_line_end in any::<bool>(),
        ) {
            let mut text = lines.join("\n");
            if ends_with_line_end {
                text.push('\n');
            }
            let index = LineIndex::new(&text);
            let starts = every_line_start(&text);
            prop_assert_eq!(index.len(), starts.len());
            for offset in 0..=text.len() + 2 {
                let line = starts.partition_point(|start| *start <= offset) - 1;
                prop_assert_eq!(index.line_of(&text, offset), line);
            }
            for (line, start) in starts.iter().enumerate() {
                let end = starts.get(line + 1).copied().unwrap_or(text.len());
                prop_assert_eq!(index.start(&text, line), Some(*start));
                prop_assert_eq!(index.range(&text, line), *start..end);
            }
            prop_assert_eq!(index.start(&text, starts.len()), None);
            prop_assert_eq!(index.range(&text, starts.len()), text.len()..text.len());
        }
    }
}
