//! What importing OCDS finds: an error that stops the import (a file that is not an OCDS package),
//! and notes about parts of a package that the model does not hold, each with its file and JSON
//! pointer.

use std::fmt;

/// A problem that stops the import: nothing is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The file, as it was named.
    pub file: String,
    /// Where in the file; `None` for the file as a whole.
    pub pointer: Option<String>,
    pub problem: ImportProblem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportProblem {
    /// The file is not JSON.
    NotJson {
        line: usize,
        column: usize,
        reason: String,
    },
    /// The JSON is neither a release package nor a record package.
    NotAPackage,
    /// A release or a record that is not a JSON object.
    NotAnObject {
        what: &'static str,
        found: &'static str,
    },
    /// A field every release or record must have, absent or not text.
    MissingText { field: &'static str },
    /// A record whose releases are only linked, without a compiled release to read instead.
    LinkedReleasesOnly,
    /// An agency's kind or jurisdiction, which OCDS does not state and the command did not give.
    AgencyUnstated { party: String, what: AgencyFact },
    /// A value given on the command line for agencies that is not one Coop knows.
    BadDefault { what: AgencyFact, value: String },
}

/// What an agency must state that OCDS has no field for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgencyFact {
    Kind,
    Jurisdiction,
}

/// Something of a package that the model does not hold, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub file: String,
    pub pointer: String,
    pub kind: NoteKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// A field Coop has no place for; `found` says what kind of JSON value it is.
    NotMapped {
        found: &'static str,
        reason: Option<String>,
    },
    /// A value written as the nearest Coop has, the OCDS value kept in a fact for the export.
    Approximated { ocds: String, coop: String },
    /// Text holding characters a Coop file cannot hold, each replaced by U+FFFD.
    TextChanged,
    /// A solicitation, contract or order that could not be written, and everything that needs
    /// it with it: the model is incomplete.
    LeftOut {
        what: String,
        reason: String,
        help: String,
    },
}

impl NoteKind {
    /// Whether the model lacks something the package holds that decides orders: the import then
    /// fails (exit code 1), as a ledger with rows not counted does.
    pub fn is_loss(&self) -> bool {
        matches!(self, NoteKind::LeftOut { .. })
    }
}

impl fmt::Display for AgencyFact {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            AgencyFact::Kind => "kind",
            AgencyFact::Jurisdiction => "jurisdiction",
        })
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match &self.pointer {
            Some(pointer) if !pointer.is_empty() => format!("{}: {pointer}", self.file),
            _ => self.file.clone(),
        };
        let (message, help) = match &self.problem {
            ImportProblem::NotJson {
                line,
                column,
                reason,
            } => (
                format!("{}:{line}:{column}: not JSON: {reason}", self.file),
                "give an OCDS release package or record package, as JSON".to_string(),
            ),
            ImportProblem::NotAPackage => (
                format!("{place}: not an OCDS package: it has neither `releases` nor `records`"),
                "give a release package (`{\"releases\": [...]}`) or a record package (`{\"records\": [...]}`)".to_string(),
            ),
            ImportProblem::NotAnObject { what, found } => (
                format!("{place}: {what} is {found}, not an object"),
                format!("each {what} of a package is a JSON object"),
            ),
            ImportProblem::MissingText { field } => (
                format!("{place}: no `{field}` text"),
                match *field {
                    "date" => "every release states its `date` (ISO 8601), which orders it among the releases of its process".to_string(),
                    _ => format!("every release and record states its `{field}` as text"),
                },
            ),
            ImportProblem::LinkedReleasesOnly => (
                format!("{place}: the record's releases are only linked, and it has no `compiledRelease`"),
                "coop reads no network: give the releases themselves, or a record with its compiled release".to_string(),
            ),
            ImportProblem::AgencyUnstated { party, what } => (
                format!("{place}: party `{party}` states no agency {what}, which Coop needs and OCDS does not say"),
                match what {
                    AgencyFact::Kind => "give one with `--kind KIND` for the parties that state none (`coop import ocds --help` lists the kinds), or state it in the party's `coop.kind` (docs/ocds.md)".to_string(),
                    AgencyFact::Jurisdiction => "give one with `--jurisdiction CODE` (such as `US-WA` or `DK`) for the parties that state none, or state it in the party's `coop.jurisdiction`, or give the party an `identifier.scheme` from org-id.guide, which starts with its country (docs/ocds.md)".to_string(),
                },
            ),
            ImportProblem::BadDefault { what, value } => (
                format!("`{value}` is not an agency {what} Coop knows"),
                match what {
                    AgencyFact::Kind => "name one of the kinds docs/language.md lists under `agency`".to_string(),
                    AgencyFact::Jurisdiction => "write a country (`DK`) or a country and a subdivision (`US-WA`)".to_string(),
                },
            ),
        };
        write!(formatter, "{message}\n  help: {help}")
    }
}

impl std::error::Error for ImportError {}

impl fmt::Display for Note {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = format!("{}: {}", self.file, self.pointer);
        match &self.kind {
            NoteKind::NotMapped { found, reason } => {
                write!(formatter, "not mapped: {place} ({found}")?;
                if let Some(reason) = reason {
                    write!(formatter, "; {reason}")?;
                }
                write!(formatter, ")")
            }
            NoteKind::Approximated { ocds, coop } => write!(
                formatter,
                "approximated: {place}: `{ocds}` is written as `{coop}`, and kept in a fact for the export"
            ),
            NoteKind::TextChanged => write!(
                formatter,
                "changed: {place}: characters a .coop file cannot hold (controls, hidden line breaks, bidirectional overrides) are written as U+FFFD"
            ),
            NoteKind::LeftOut { what, reason, help } => {
                write!(
                    formatter,
                    "left out: {place}: {what}: {reason}\n  help: {help}"
                )
            }
        }
    }
}
