//! `coop.toml`, a model's settings at its root: the paths that make up the model and those to
//! leave out, the as-of date, the baseline, each command's format, the report's horizon, and
//! the parameters of the rule packs the model uses. Every key is known: one that is not (a typo)
//! is reported with a "did you mean", never ignored.
//!
//! The file is part of the model's directory like its `.coop` files: every path it names must
//! stay inside that directory, so a `coop.toml` added in a pull request cannot make Coop read a
//! file of the machine it runs on.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::codes::Code;
use crate::diagnostic::{Description, Diagnostic, Problem};
use crate::source::{FileId, SourceMap, Span};
use crate::values::Date;

/// The name of the settings file, at the model's root.
pub const FILE_NAME: &str = "coop.toml";

/// The settings a `coop.toml` gives. Paths are resolved against the file's directory.
#[derive(Debug, Default)]
pub struct Config {
    /// The paths that make up the model when a command is given none.
    pub paths: Vec<PathBuf>,
    /// Patterns, as in a `.gitignore`, of files and directories the directory walk leaves out.
    pub exclude: Vec<String>,
    pub as_of: Option<Date>,
    /// The baseline `coop check` compares with when not given `--baseline`.
    pub baseline: Option<PathBuf>,
    /// Each command's output format, by command (`check`, `report`, `test`, `diff`).
    pub formats: BTreeMap<String, String>,
    pub horizon_days: Option<u32>,
    /// The directory the file is in, which its paths are relative to.
    pub directory: PathBuf,
    /// The file, as read and as messages name it: parsing the model reads its pack parameters.
    pub path: PathBuf,
    pub shown_as: String,
    pub text: String,
}

/// The commands that take settings, each with the output formats it has.
pub struct Commands<'a> {
    pub formats: &'a [(&'a str, Vec<String>)],
}

/// A pack parameter a `coop.toml` sets: `[packs.us-va] distance_limit = "50 mi"`. The value is
/// a Coop expression; its place is in the file, for the model's checking to report on.
#[derive(Clone, Debug)]
pub struct PackParameter {
    pub pack: String,
    pub pack_span: Range<usize>,
    pub name: String,
    pub name_span: Range<usize>,
    /// The expression as written, and where it is in the file.
    pub value: String,
    pub value_span: Range<usize>,
}

/// What can be wrong in a `coop.toml`.
pub enum ConfigProblem<'a> {
    /// The file is not TOML.
    NotToml { message: &'a str },
    /// A key the table it is in does not have.
    UnknownKey {
        key: &'a str,
        table: &'a str,
        known: &'a [&'a str],
    },
    /// A value of another kind than its key takes.
    WrongType {
        key: &'a str,
        expected: &'a str,
        found: &'a str,
    },
    /// `as_of` that is not a day on the calendar written `YYYY-MM-DD`.
    NotADate { written: &'a str },
    /// A format the command does not have.
    UnknownFormat {
        command: &'a str,
        format: &'a str,
        formats: &'a [String],
    },
    /// A path that leads outside the file's directory.
    OutsideModel { key: &'a str, path: &'a str },
    /// An `exclude` pattern that is not one.
    NotAPattern { pattern: &'a str, why: &'a str },
    /// A pack parameter's value written so that its text is not what Coop reads (escapes,
    /// several lines).
    ParameterNotPlain { name: &'a str },
    /// Parameters for a pack the model does not use; `suggestion` is a pack it uses.
    PackNotUsed {
        pack: &'a str,
        suggestion: Option<&'a str>,
    },
}

impl Problem for ConfigProblem<'_> {
    fn describe(self) -> Description {
        match self {
            ConfigProblem::NotToml { message } => Description::new(
                Code::InvalidSetting,
                format!("coop.toml is not valid TOML: {message}"),
                "here",
            )
            .help("write settings as `key = value` lines under `[table]` headers; see docs/config.md"),
            ConfigProblem::UnknownKey { key, table, known } => Description::new(
                Code::UnknownSetting,
                format!("{table} has no setting `{key}`"),
                "unknown setting",
            )
            .suggestion_or(
                crate::check::suggest(key, known.iter().copied()),
                format!("the settings of {table} are: {}", known.join(", ")),
            ),
            ConfigProblem::WrongType {
                key,
                expected,
                found,
            } => Description::new(
                Code::InvalidSetting,
                format!("`{key}` takes {expected}, not {found}"),
                format!("{found} here"),
            )
            .help(format!("write `{key}` as {expected}; see docs/config.md")),
            ConfigProblem::NotADate { written } => Description::new(
                Code::InvalidSetting,
                format!("`as_of` is `{written}`, not a date"),
                "not a date",
            )
            .help("write the date as in .coop files, `as_of = 2025-12-31`"),
            ConfigProblem::UnknownFormat {
                command,
                format,
                formats,
            } => Description::new(
                Code::InvalidSetting,
                format!("`coop {command}` has no format `{format}`"),
                "unknown format",
            )
            .suggestion_or(
                crate::check::suggest(format, formats.iter().map(String::as_str)),
                format!("use one of: {}", formats.join(", ")),
            ),
            ConfigProblem::OutsideModel { key, path } => Description::new(
                Code::InvalidSetting,
                format!("`{key}` names `{path}`, outside the directory of coop.toml"),
                "outside the model's directory",
            )
            .help("coop reads only files inside the model's directory; name a path below the directory of coop.toml"),
            ConfigProblem::NotAPattern { pattern, why } => Description::new(
                Code::InvalidSetting,
                format!("`{pattern}` is not a pattern of paths: {why}"),
                "not a pattern",
            )
            .help("write `exclude` patterns as in a .gitignore: `drafts/`, `*.old.coop`"),
            ConfigProblem::ParameterNotPlain { name } => Description::new(
                Code::InvalidSetting,
                format!("parameter `{name}` is written with escapes or over several lines"),
                "not plain",
            )
            .help("write the value as a .coop file would, on one line in plain quotes: `distance_limit = \"50 mi\"`"),
            ConfigProblem::PackNotUsed { pack, suggestion } => Description::new(
                Code::UnknownSetting,
                format!("coop.toml sets parameters of rule pack `{pack}`, which the model does not use"),
                "not used by the model",
            )
            .suggestion_or(
                suggestion,
                format!("use the pack with `use rules {pack}` in a file of the model, or remove the table"),
            ),
        }
    }
}

/// Why a `coop.toml` could not be read: its problems, in a source map holding the file.
pub struct Unread {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

/// The settings file of a model whose paths are `paths` (`home`'s when none are given, the
/// current directory for a command): `coop.toml` in the model's directory, if there is one.
pub fn find(paths: &[PathBuf], home: &Path) -> Option<PathBuf> {
    let directory = if paths.is_empty() {
        std::fs::canonicalize(home).ok()?
    } else {
        crate::load::model_root(paths)?
    };
    let path = directory.join(FILE_NAME);
    path.is_file().then_some(path)
}

/// Reads a `coop.toml`: its settings, or every problem it has. `shown_as` is the file's name in
/// messages.
pub fn read(path: &Path, shown_as: &str, commands: &Commands<'_>) -> Result<Config, Box<Unread>> {
    let mut sources = SourceMap::new();
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            let file = sources.add(shown_as, path.to_path_buf(), String::new());
            let diagnostics = vec![Diagnostic::of(
                ConfigProblem::NotToml {
                    message: &format!("it cannot be read: {error}"),
                },
                Span::new(file, 0, 0),
            )];
            return Err(Box::new(Unread {
                sources,
                diagnostics,
            }));
        }
    };
    let file = sources.add_bytes(shown_as, path.to_path_buf(), text);
    let directory = path
        .parent()
        .and_then(|parent| {
            std::fs::canonicalize(if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            })
            .ok()
        })
        .unwrap_or_default();
    let text = sources.file(file).text.clone();
    let mut reader = Reader {
        file,
        text: &text,
        directory,
        commands,
        config: Config::default(),
        diagnostics: Vec::new(),
    };
    match DeTable::parse(&text) {
        Ok(table) => reader.top(table.get_ref()),
        Err(error) => {
            let span = error.span().unwrap_or(0..0);
            reader.diagnostics.push(Diagnostic::of(
                ConfigProblem::NotToml {
                    message: &crate::values::printable(error.message()),
                },
                Span::new(file, span.start, span.end),
            ));
        }
    }
    reader
        .diagnostics
        .sort_by_key(|diagnostic| diagnostic.primary.span);
    if reader.diagnostics.is_empty() {
        Ok(Config {
            directory: reader.directory,
            path: path.to_path_buf(),
            shown_as: shown_as.to_string(),
            text: text.to_string(),
            ..reader.config
        })
    } else {
        Err(Box::new(Unread {
            sources,
            diagnostics: reader.diagnostics,
        }))
    }
}

/// The pack parameters a `coop.toml` sets, read again from its text once the model is parsed
/// (the file was read whole before, and reported if it had problems).
pub fn pack_parameters(text: &str) -> Vec<PackParameter> {
    let Ok(table) = DeTable::parse(text) else {
        return Vec::new();
    };
    let Some(packs) = table
        .get_ref()
        .get("packs")
        .and_then(|packs| packs.get_ref().as_table())
    else {
        return Vec::new();
    };
    packs
        .iter()
        .filter_map(|(pack, settings)| Some((pack, settings.get_ref().as_table()?)))
        .flat_map(|(pack, settings)| {
            settings
                .iter()
                .filter_map(|(name, value)| parameter(text, pack, name, value).ok())
        })
        .collect()
}

/// Why a pack parameter's value cannot be read as Coop text.
enum Unreadable {
    /// A table, an array or a date.
    WrongType,
    /// A string with escapes, or over several lines: its text in the file is not its value.
    NotPlain,
}

/// A pack parameter from its entry in `[packs.NAME]`: a string holding a Coop value, or a
/// number or boolean written as Coop writes one.
fn parameter(
    text: &str,
    pack: &Spanned<std::borrow::Cow<'_, str>>,
    name: &Spanned<std::borrow::Cow<'_, str>>,
    value: &Spanned<DeValue<'_>>,
) -> Result<PackParameter, Unreadable> {
    let span = value.span();
    let (value, value_span) = match value.get_ref() {
        DeValue::String(written) => {
            // The text between the quotes, when it is what the string holds.
            let inner = span.start + 1..span.end.saturating_sub(1);
            match text.get(inner.clone()) {
                Some(raw) if raw == written.as_ref() && !raw.contains('\n') => {
                    (raw.to_string(), inner)
                }
                _ => return Err(Unreadable::NotPlain),
            }
        }
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) => {
            (text[span.clone()].to_string(), span)
        }
        _ => return Err(Unreadable::WrongType),
    };
    Ok(PackParameter {
        pack: pack.get_ref().to_string(),
        pack_span: pack.span(),
        name: name.get_ref().to_string(),
        name_span: name.span(),
        value,
        value_span,
    })
}

/// The keys of each table.
const TOP: &[&str] = &[
    "paths", "exclude", "as_of", "baseline", "check", "report", "test", "diff", "packs",
];
const REPORT: &[&str] = &["format", "horizon_days"];
const COMMAND: &[&str] = &["format"];

struct Reader<'a> {
    file: FileId,
    text: &'a str,
    directory: PathBuf,
    commands: &'a Commands<'a>,
    config: Config,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range.start, range.end)
    }

    fn report(&mut self, problem: ConfigProblem<'_>, range: Range<usize>) {
        let span = self.span(range);
        self.diagnostics.push(Diagnostic::of(problem, span));
    }

    fn top(&mut self, table: &DeTable<'_>) {
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "paths" => {
                    for path in self.strings("paths", value) {
                        if let Some(path) = self.inside("paths", &path) {
                            self.config.paths.push(path);
                        }
                    }
                }
                "exclude" => {
                    for pattern in self.strings("exclude", value) {
                        match crate::load::Exclusions::new(
                            &self.directory,
                            std::slice::from_ref(pattern.get_ref()),
                        ) {
                            Ok(_) => self.config.exclude.push(pattern.into_inner()),
                            Err(why) => self.report(
                                ConfigProblem::NotAPattern {
                                    pattern: pattern.get_ref(),
                                    why: &why,
                                },
                                pattern.span(),
                            ),
                        }
                    }
                }
                "as_of" => self.config.as_of = self.date(value),
                "baseline" => {
                    if let Some(path) = self.string("baseline", value) {
                        self.config.baseline = self.inside("baseline", &path);
                    }
                }
                "packs" => self.packs(value),
                command @ ("check" | "report" | "test" | "diff") => self.command(command, value),
                other => self.unknown(other, "coop.toml", TOP, key.span()),
            }
        }
    }

    fn unknown(&mut self, key: &str, table: &str, known: &[&str], span: Range<usize>) {
        self.report(ConfigProblem::UnknownKey { key, table, known }, span);
    }

    fn wrong(&mut self, key: &str, expected: &str, value: &Spanned<DeValue<'_>>) {
        let kind = value.get_ref().type_str();
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let found = &format!("{article} {kind}");
        self.report(
            ConfigProblem::WrongType {
                key,
                expected,
                found,
            },
            value.span(),
        );
    }

    fn string(&mut self, key: &str, value: &Spanned<DeValue<'_>>) -> Option<Spanned<String>> {
        match value.get_ref() {
            DeValue::String(text) => Some(Spanned::new(value.span(), text.to_string())),
            _ => {
                self.wrong(key, "a string", value);
                None
            }
        }
    }

    fn strings(&mut self, key: &str, value: &Spanned<DeValue<'_>>) -> Vec<Spanned<String>> {
        match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| self.string(key, item))
                .collect(),
            _ => {
                self.wrong(key, "a list of strings, such as [\"contracts\"]", value);
                Vec::new()
            }
        }
    }

    fn date(&mut self, value: &Spanned<DeValue<'_>>) -> Option<Date> {
        let written = match value.get_ref() {
            DeValue::Datetime(datetime) => datetime.to_string(),
            DeValue::String(text) => text.to_string(),
            _ => {
                self.wrong("as_of", "a date, such as 2025-12-31", value);
                return None;
            }
        };
        let date = crate::values::parse_iso_date(&written);
        if date.is_none() {
            self.report(ConfigProblem::NotADate { written: &written }, value.span());
        }
        date
    }

    /// A path of the file, resolved against its directory, which it must stay inside.
    fn inside(&mut self, key: &str, path: &Spanned<String>) -> Option<PathBuf> {
        let joined = crate::load::lexically_joined(&self.directory, Path::new(path.get_ref()));
        let resolved = std::fs::canonicalize(&joined).unwrap_or_else(|_| joined.clone());
        if !joined.starts_with(&self.directory) || !resolved.starts_with(&self.directory) {
            self.report(
                ConfigProblem::OutsideModel {
                    key,
                    path: path.get_ref(),
                },
                path.span(),
            );
            return None;
        }
        Some(joined)
    }

    fn command(&mut self, command: &str, value: &Spanned<DeValue<'_>>) {
        let Some(table) = value.get_ref().as_table() else {
            self.wrong(command, "a table, such as [check]", value);
            return;
        };
        let known = if command == "report" { REPORT } else { COMMAND };
        let table_name = format!("[{command}]");
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "format" => {
                    let Some(format) = self.string("format", value) else {
                        continue;
                    };
                    let formats = self
                        .commands
                        .formats
                        .iter()
                        .find(|(name, _)| *name == command)
                        .map_or(&[][..], |(_, formats)| formats.as_slice());
                    if formats.iter().any(|known| known == format.get_ref()) {
                        self.config
                            .formats
                            .insert(command.to_string(), format.into_inner());
                    } else {
                        self.report(
                            ConfigProblem::UnknownFormat {
                                command,
                                format: format.get_ref(),
                                formats,
                            },
                            format.span(),
                        );
                    }
                }
                "horizon_days" if command == "report" => match value.get_ref() {
                    DeValue::Integer(number) => match number.as_str().parse::<u32>() {
                        Ok(days) if number.radix() == 10 => self.config.horizon_days = Some(days),
                        _ => self.wrong("horizon_days", "a number of days, such as 365", value),
                    },
                    _ => self.wrong("horizon_days", "a number of days, such as 365", value),
                },
                other => self.unknown(other, &table_name, known, key.span()),
            }
        }
    }

    fn packs(&mut self, value: &Spanned<DeValue<'_>>) {
        let Some(packs) = value.get_ref().as_table() else {
            self.wrong(
                "packs",
                "tables of parameters, such as [packs.us-va]",
                value,
            );
            return;
        };
        for (pack, settings) in packs {
            let Some(settings) = settings.get_ref().as_table() else {
                self.wrong(pack.get_ref(), "a table of parameters", settings);
                continue;
            };
            for (name, value) in settings {
                match parameter(self.text, pack, name, value) {
                    Ok(_) => {}
                    Err(Unreadable::WrongType) => self.wrong(
                        name.get_ref(),
                        "a Coop value in quotes, such as \"50 mi\" or \"USD 25,000.00\"",
                        value,
                    ),
                    Err(Unreadable::NotPlain) => self.report(
                        ConfigProblem::ParameterNotPlain {
                            name: name.get_ref(),
                        },
                        value.span(),
                    ),
                }
            }
        }
    }
}
