//! Writing files so that nothing is ever lost: a reader sees the old file or the new one, never
//! half of one; and nothing but a regular file that is not an input is ever replaced.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a path cannot take an output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The path is one of the files the output was made from.
    Input { path: PathBuf },
    /// The path is a symbolic link: replacing it would lose the link, writing through it would
    /// write wherever it points.
    SymbolicLink { path: PathBuf },
    /// The path is a directory, a device, a FIFO or a socket, which a file must not replace.
    NotARegularFile { path: PathBuf },
    /// The path, meant to hold several files, is a file, a device, a FIFO or a socket.
    NotADirectory { path: PathBuf },
}

/// Checks that `path` may take an output: it is not one of `inputs` (compared after resolving
/// links and `..`), not a symbolic link, and either absent or a regular file.
pub fn check_target<'a>(
    path: &Path,
    inputs: impl IntoIterator<Item = &'a Path>,
) -> Result<(), Refusal> {
    check_kind(path)?;
    let Some(target) = resolved(path) else {
        return Ok(());
    };
    for input in inputs {
        if std::fs::canonicalize(input).is_ok_and(|input| input == target) {
            return Err(Refusal::Input {
                path: path.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Writes `text` to `path` through a temporary file in the same directory, flushed to disk and
/// then renamed over the target, so that an interrupted write leaves the old file whole.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    write_atomically_with(path, |file| file.write_all(text.as_bytes()))
}

/// Like [`write_atomically`], with the content written by `write` (buffered), so that a large
/// output need not be held in memory whole. A symbolic link or a file that is not regular is
/// never replaced.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let temporary = prepare(path, write)?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// Checks that `directory` may take the files `names`: it is absent or a directory (not a
/// symbolic link), and each file may take an output as [`check_target`] says.
pub fn check_directory_target(
    directory: &Path,
    names: &[&str],
    inputs: &[&Path],
) -> Result<(), Refusal> {
    match std::fs::symlink_metadata(directory) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            return Err(Refusal::SymbolicLink {
                path: directory.to_path_buf(),
            });
        }
        Ok(metadata) if !metadata.is_dir() => {
            return Err(Refusal::NotADirectory {
                path: directory.to_path_buf(),
            });
        }
        _ => {}
    }
    for name in names {
        check_target(&directory.join(name), inputs.iter().copied())?;
    }
    Ok(())
}

/// Writes files into `directory` (made when absent), each named and written by its pair, so that
/// a failure changes none of them: every file is written to a temporary file beside it and
/// flushed to disk, and only when all are written are they renamed over their targets, one by one.
pub fn write_files_atomically<WriteFile>(
    directory: &Path,
    files: impl IntoIterator<Item = (String, WriteFile)>,
) -> std::io::Result<()>
where
    WriteFile: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    std::fs::create_dir_all(directory)?;
    let mut written = Vec::new();
    for (name, write) in files {
        let path = directory.join(name);
        written.push((prepare(&path, write)?, path));
    }
    for (temporary, path) in written {
        temporary.persist(&path).map_err(|error| error.error)?;
    }
    Ok(())
}

/// Writes what is meant for `path` to a temporary file in its directory, flushed to disk and
/// with the permissions the file will have, ready to be renamed over it.
fn prepare(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<tempfile::NamedTempFile> {
    check_kind(path).map_err(|refusal| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, refusal.to_string())
    })?;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")
    })?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".coop-tmp");
    // The temporary file is created with the permissions the replaced file has (or a new file
    // would get), never wider, so that it exposes nothing even if the process is killed before
    // the rename.
    let existing = std::fs::metadata(path)
        .ok()
        .map(|metadata| metadata.permissions());
    if let Some(permissions) = existing.clone().or_else(new_file_permissions) {
        builder.permissions(permissions);
    }
    let temporary = builder.tempfile_in(directory)?;
    let mut file = std::io::BufWriter::new(temporary);
    write(&mut file)?;
    let temporary = file.into_inner().map_err(|error| error.into_error())?;
    temporary.as_file().sync_all()?;
    // The umask may have narrowed the permissions at creation; the replaced file's are restored.
    if let Some(permissions) = existing {
        temporary.as_file().set_permissions(permissions)?;
    }
    Ok(temporary)
}

impl fmt::Display for Refusal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Input { path } => write!(
                formatter,
                "`{}` is a file of the model; coop never writes over its input",
                crate::load::display_name(path)
            ),
            Refusal::SymbolicLink { path } => write!(
                formatter,
                "`{}` is a symbolic link; coop writes only to a regular file",
                crate::load::display_name(path)
            ),
            Refusal::NotARegularFile { path } => write!(
                formatter,
                "`{}` is not a regular file; coop writes only to a regular file",
                crate::load::display_name(path)
            ),
            Refusal::NotADirectory { path } => write!(
                formatter,
                "`{}` is not a directory; coop writes the tables into a directory",
                crate::load::display_name(path)
            ),
        }
    }
}

impl std::error::Error for Refusal {}

/// A symbolic link or a file that is not regular is refused; an absent path is fine.
fn check_kind(path: &Path) -> Result<(), Refusal> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => Err(Refusal::SymbolicLink {
            path: path.to_path_buf(),
        }),
        Ok(metadata) if !metadata.is_file() => Err(Refusal::NotARegularFile {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// The path with links and `..` resolved: the file itself when it exists, else its directory's
/// resolved path joined with its name; `None` when not even the directory exists.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(canonical) = std::fs::canonicalize(path) {
        return Some(canonical);
    }
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    Some(
        std::fs::canonicalize(directory)
            .ok()?
            .join(path.file_name()?),
    )
}

/// The permissions `File::create` gives a new file, before the umask narrows them.
#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o666))
}

/// Elsewhere a new file takes its directory's defaults.
#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// How an output format writes the two characters that keep a line from reading as a CI
/// workflow command, so that the escape changes nothing its reader sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escapes {
    /// Plain text: `\:` and `\[`.
    Text,
    /// HTML and XML: the character references `&#58;` and `&#91;`.
    Markup,
    /// Markdown: its backslash escapes `\:` and `\[`, which render as the characters.
    Markdown,
    /// JSON: `##[` occurs only inside strings, where `\u005b` is `[`; no JSON line starts with `:`.
    Json,
}

/// A writer that keeps every line from being taken for a CI workflow command. GitHub Actions
/// reads any line of a step's output that starts with `::` (after blanks: the runner trims every
/// Unicode white space character, a no-break space or an ideographic space as well as a space
/// or a tab) as a command (`::error`, `::add-mask::`, `::set-output`), and any line holding
/// `##[` as one in its older form; a title, a message or a file name from a pull request could
/// otherwise forge one. The second `:` of a line's leading `::`, and the `[` of `##[`, are
/// written escaped in the format's own way.
pub struct CommandGuard<W: Write> {
    inner: W,
    escapes: Escapes,
    state: GuardState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GuardState {
    /// At the start of a line, or only blanks since.
    LineStart,
    /// Only blanks since the start of a line, then the first bytes of a character that may be
    /// one more (a blank written in two or three bytes, cut by the end of a write).
    PartialBlank {
        bytes: [u8; 2],
        length: u8,
    },
    /// A `:` began the line.
    LeadingColon,
    /// After one `#`, or two or more.
    Hashes(u8),
    Within,
}

impl<W: Write> CommandGuard<W> {
    pub fn new(inner: W, escapes: Escapes) -> CommandGuard<W> {
        CommandGuard {
            inner,
            escapes,
            state: GuardState::LineStart,
        }
    }

    /// The writer it writes to.
    pub fn into_inner(self) -> W {
        self.inner
    }

    fn colon(&self) -> &'static [u8] {
        match self.escapes {
            Escapes::Text | Escapes::Markdown => b"\\:",
            Escapes::Markup => b"&#58;",
            Escapes::Json => b":",
        }
    }

    fn bracket(&self) -> &'static [u8] {
        match self.escapes {
            Escapes::Text | Escapes::Markdown => b"\\[",
            Escapes::Markup => b"&#91;",
            Escapes::Json => b"\\u005b",
        }
    }
}

/// The state after one more byte.
fn next_state(state: GuardState, byte: u8) -> GuardState {
    match (state, byte) {
        // The runner splits lines at `\r` as well as `\n`.
        (_, b'\n' | b'\r') => GuardState::LineStart,
        (GuardState::LineStart, byte) => match blank_prefix(&[byte]) {
            Prefix::Blank(_) => GuardState::LineStart,
            Prefix::Partial => GuardState::PartialBlank {
                bytes: [byte, 0],
                length: 1,
            },
            Prefix::Other if byte == b':' => GuardState::LeadingColon,
            Prefix::Other => next_state(GuardState::Within, byte),
        },
        (GuardState::PartialBlank { bytes, length }, byte) => {
            let length = usize::from(length);
            let mut so_far = [0; 3];
            so_far[..length].copy_from_slice(&bytes[..length]);
            so_far[length] = byte;
            match blank_prefix(&so_far[..=length]) {
                Prefix::Blank(_) => GuardState::LineStart,
                // A blank is at most three bytes: two are the most that can be pending.
                Prefix::Partial => GuardState::PartialBlank {
                    bytes: [so_far[0], so_far[1]],
                    length: 2,
                },
                // Not a blank: the line has begun, with this byte or before it.
                Prefix::Other => next_state(GuardState::Within, byte),
            }
        }
        (GuardState::Hashes(count), b'#') => GuardState::Hashes((count + 1).min(2)),
        (_, b'#') => GuardState::Hashes(1),
        _ => GuardState::Within,
    }
}

impl<W: Write> Write for CommandGuard<W> {
    /// Takes a byte at a time only where the state from the last write decides something (the
    /// start of the buffer, until inside a line), then finds the rare `::` and `##[` by searching
    /// the rest of the buffer whole: a large JSON report has tens of millions of short lines, and
    /// taking them a line at a time took as long as making the report.
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        let mut escapes: Vec<(usize, &'static [u8])> = Vec::new();
        let mut within_from = 0;
        while within_from < buffer.len() && self.state != GuardState::Within {
            if let Some(escape) = self.step(buffer[within_from]) {
                escapes.push((within_from, escape));
            }
            within_from += 1;
        }
        if within_from < buffer.len() {
            self.escape_within(buffer, within_from, &mut escapes);
            self.state = state_after(&buffer[within_from..]);
        }
        if escapes.is_empty() {
            return self.inner.write_all(buffer).map(|()| buffer.len());
        }
        escapes.sort_unstable_by_key(|(at, _)| *at);
        let mut guarded = Vec::with_capacity(buffer.len() + 8 * escapes.len());
        let mut plain_from = 0;
        for (at, escape) in escapes {
            guarded.extend_from_slice(&buffer[plain_from..at]);
            guarded.extend_from_slice(escape);
            plain_from = at + 1;
        }
        guarded.extend_from_slice(&buffer[plain_from..]);
        self.inner.write_all(&guarded).map(|()| buffer.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> CommandGuard<W> {
    /// Takes one byte: what to write in its place when it is escaped.
    fn step(&mut self, byte: u8) -> Option<&'static [u8]> {
        let escape = match (self.state, byte) {
            (GuardState::LeadingColon, b':') => Some(self.colon()),
            (GuardState::Hashes(2), b'[') => Some(self.bracket()),
            _ => None,
        };
        self.state = next_state(self.state, byte);
        escape
    }

    /// The escapes of `buffer` from `from`, where a line's inside begins (no `#` just before):
    /// the second `:` of every `::` that only blanks separate from a line break, and the `[`
    /// of every `##[`. Each byte is searched once, however long the lines: only a line's first
    /// `::` can start it, so each line's blanks are looked at once.
    fn escape_within(&self, buffer: &[u8], from: usize, escapes: &mut Vec<(usize, &'static [u8])>) {
        let within = &buffer[from..];
        // Searched for line breaks up to here; the start of the line last found, until its
        // first `::` is looked at.
        let mut searched = 0;
        let mut line: Option<usize> = None;
        for colons in memchr::memmem::find_iter(within, b"::") {
            if let Some(line_break) = memchr::memrchr2(b'\n', b'\r', &within[searched..colons]) {
                line = Some(searched + line_break + 1);
            }
            searched = colons;
            if let Some(start) = line.take()
                && only_blanks(&within[start..colons])
            {
                escapes.push((from + colons + 1, self.colon()));
            }
        }
        for hashes in memchr::memmem::find_iter(within, b"##[") {
            escapes.push((from + hashes + 2, self.bracket()));
        }
    }
}

/// The state after `bytes`, taken from inside a line: at a line's start when only blanks
/// follow its last line break (perhaps with the first bytes of one more), after its leading
/// `:` when one ends them, after a run of `#` when it ends with one, else inside a line.
fn state_after(bytes: &[u8]) -> GuardState {
    let hashes = bytes.iter().rev().take_while(|byte| **byte == b'#').count();
    if hashes > 0 {
        return GuardState::Hashes(hashes.min(2) as u8);
    }
    let Some(line_break) = memchr::memrchr2(b'\n', b'\r', bytes) else {
        return GuardState::Within;
    };
    // Stepped only until inside the line: through its blanks and at most a `:` or a blank's
    // first bytes after them.
    let mut state = GuardState::LineStart;
    for byte in &bytes[line_break + 1..] {
        state = next_state(state, *byte);
        if state == GuardState::Within {
            break;
        }
    }
    state
}

/// Whether `bytes` are blanks and nothing else.
fn only_blanks(mut bytes: &[u8]) -> bool {
    while let Prefix::Blank(length) = blank_prefix(bytes) {
        bytes = &bytes[length..];
    }
    bytes.is_empty()
}

/// What `bytes` start with: a blank (and its length in bytes), the first bytes of a blank
/// and nothing more, or anything else.
#[derive(Debug, PartialEq)]
enum Prefix {
    Blank(usize),
    Partial,
    Other,
}

fn blank_prefix(bytes: &[u8]) -> Prefix {
    match bytes.first() {
        None => Prefix::Other,
        Some(b' ' | b'\t' | 0x0b | 0x0c) => Prefix::Blank(1),
        Some(byte) if byte.is_ascii() => Prefix::Other,
        Some(_) => {
            let mut encoded = [0; 4];
            for blank in WIDE_BLANKS {
                let blank = blank.encode_utf8(&mut encoded).as_bytes();
                if bytes.starts_with(blank) {
                    return Prefix::Blank(blank.len());
                }
                if blank.starts_with(bytes) {
                    return Prefix::Partial;
                }
            }
            Prefix::Other
        }
    }
}

/// The white space characters outside ASCII, which the runner trims from a line's start as it
/// does spaces and tabs (a test checks that these are all of them).
const WIDE_BLANKS: [char; 19] = [
    '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}',
    '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}', '\u{2009}', '\u{200a}', '\u{2028}', '\u{2029}',
    '\u{202f}', '\u{205f}', '\u{3000}',
];

/// `text` as [`CommandGuard`] writes it.
pub fn guarded(text: &str, escapes: Escapes) -> String {
    let mut guard = CommandGuard::new(Vec::with_capacity(text.len()), escapes);
    // Writing to a vector cannot fail.
    let _ = guard.write_all(text.as_bytes());
    String::from_utf8(guard.into_inner())
        .unwrap_or_else(|_| unreachable!("escapes are ASCII and replace ASCII bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_line_reads_as_a_workflow_command() {
        let text = "ok\n::error::x\n  ::add-mask::y\r::warning::z\na ##[add-mask]w\n: :fine\n";
        assert_eq!(
            guarded(text, Escapes::Text),
            "ok\n:\\:error::x\n  :\\:add-mask::y\r:\\:warning::z\na ##\\[add-mask]w\n: :fine\n"
        );
        assert_eq!(
            guarded("<p>\n::error::x ##[y]</p>", Escapes::Markup),
            "<p>\n:&#58;error::x ##&#91;y]</p>"
        );
        assert_eq!(
            guarded("{\"a\": \"##[add-mask]x\"}", Escapes::Json),
            "{\"a\": \"##\\u005badd-mask]x\"}"
        );
    }

    /// Searching the buffer whole escapes what taking every byte in turn escapes, however the
    /// text is cut into writes: on a text of every kind of stretch, and on two thousand texts
    /// drawn from the bytes that matter.
    #[test]
    fn searching_escapes_what_every_byte_in_turn_escapes() {
        let mut texts =
            vec![b"a ## [x] ##[y]\n  ::z #:: \r::w\t##[\n: ::v ###[u\n\n#\n#[#\n  \t:::".to_vec()];
        // Bytes that matter, with the first bytes of blanks written in two or three bytes
        // (U+00A0, U+0085, U+2028, U+3000) and a form feed.
        let alphabet = b":#[ \t\n\ra\x0c\xc2\xa0\x85\xe2\x80\xa8\xe3";
        let mut seed: u64 = 1;
        for _ in 0..2000 {
            let length = 1 + (seed >> 59) as usize % 24;
            let text = (0..length)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    alphabet[(seed >> 33) as usize % alphabet.len()]
                })
                .collect();
            texts.push(text);
        }
        for text in texts {
            for escapes in [Escapes::Text, Escapes::Markup, Escapes::Json] {
                let mut every_byte = CommandGuard::new(Vec::new(), escapes);
                let mut expected = Vec::new();
                for byte in text.iter().copied() {
                    match every_byte.step(byte) {
                        Some(escape) => expected.extend_from_slice(escape),
                        None => expected.push(byte),
                    }
                }
                for cut in 0..=text.len() {
                    for second_cut in cut..=text.len() {
                        let mut guard = CommandGuard::new(Vec::new(), escapes);
                        for part in [&text[..cut], &text[cut..second_cut], &text[second_cut..]] {
                            guard.write_all(part).expect("a vector takes anything");
                        }
                        assert_eq!(
                            guard.into_inner(),
                            expected,
                            "{:?} cut at {cut} and {second_cut}",
                            String::from_utf8_lossy(&text)
                        );
                    }
                }
            }
        }
    }

    /// A line that starts with a workflow command after white space other than spaces and
    /// tabs is escaped too: the runner trims all of it.
    #[test]
    fn a_command_after_any_white_space_is_escaped() {
        for blank in [
            "\u{a0}",
            "\u{3000}",
            "\u{2028}",
            "\u{85}",
            "\x0c",
            " \u{2009}\t",
        ] {
            let text = format!("a\n{blank}::error::x");
            assert_eq!(
                guarded(&text, Escapes::Text),
                format!("a\n{blank}:\\:error::x"),
                "{blank:?}"
            );
            // Cut inside the blank.
            let mut guard = CommandGuard::new(Vec::new(), Escapes::Text);
            let bytes = text.as_bytes();
            for part in [&bytes[..3], &bytes[3..]] {
                guard.write_all(part).expect("a vector takes anything");
            }
            assert_eq!(
                guard.into_inner(),
                format!("a\n{blank}:\\:error::x").as_bytes()
            );
        }
        // Not white space: the line has begun.
        assert_eq!(guarded("a\n\u{e9}::x", Escapes::Text), "a\n\u{e9}::x");
    }

    /// The blanks written in two or three bytes are every white space character outside ASCII.
    #[test]
    fn wide_blanks_are_every_white_space_outside_ascii() {
        let white_space: Vec<char> = ('\u{80}'..=char::MAX)
            .filter(|c| c.is_whitespace())
            .collect();
        assert_eq!(white_space, WIDE_BLANKS);
    }

    /// A long line, with many `::` or many blanks before them, is searched once: each line's
    /// blanks are looked at for its first `::` only.
    #[test]
    fn long_lines_are_escaped_as_short_ones_are() {
        let colons = format!("x{}\n", "::".repeat(200_000));
        assert_eq!(guarded(&colons, Escapes::Text), colons);
        let blanks = format!("x\n{}a{}", " ".repeat(200_000), "::".repeat(50_000));
        assert_eq!(guarded(&blanks, Escapes::Text), blanks);
        let leading = format!("x\n{}::a{}", " ".repeat(200_000), "::".repeat(50_000));
        assert_eq!(
            guarded(&leading, Escapes::Text),
            format!("x\n{}:\\:a{}", " ".repeat(200_000), "::".repeat(50_000))
        );
    }

    #[test]
    fn escapes_hold_across_writes() {
        let cases: [(&[&str], &[u8]); 2] = [
            (&["a\n:", ":error #", "#", "[x"], b"a\n:\\:error ##\\[x"),
            // Indentation split across writes still leaves the line at its start.
            (
                &["a\n  ", "\t ", " ::error::x\n", "  b ::c"],
                b"a\n  \t  :\\:error::x\n  b ::c",
            ),
        ];
        for (parts, expected) in cases {
            let mut guard = CommandGuard::new(Vec::new(), Escapes::Text);
            for part in parts {
                guard
                    .write_all(part.as_bytes())
                    .expect("a vector takes any write");
            }
            assert_eq!(guard.into_inner(), expected);
        }
    }
}
