//! What resolving the files a model names can find wrong: a `use`, `use rules` or `ledger` that
//! names no file, a file outside the model, something that is not a file, a pack coop does not
//! ship, a .coop file named as a ledger, files that `use` each other in a cycle, a file too large
//! to read. Each variant says its one code, message, label and help.

use super::Naming;
use crate::codes::Code;
use crate::diagnostic::{Description, Problem};
use crate::source::LARGEST_FILE;

pub enum LoadProblem<'a> {
    /// A named path leads outside the model's directory, by its text or by its links.
    OutsideModel { path: &'a str, root: &'a str },
    /// A named path is a directory.
    Directory { path: &'a str, naming: Naming },
    /// A named path is a FIFO, a socket or a device.
    NotARegularFile { path: &'a str, naming: Naming },
    /// No file at a named path; `suggestion` is a file with a close name next to it.
    NotFound {
        path: &'a str,
        naming: Naming,
        suggestion: Option<&'a str>,
    },
    /// `use rules NAME` names no shipped pack.
    UnknownRulePack {
        name: &'a str,
        suggestion: Option<&'a str>,
    },
    /// A `ledger` names one of the model's .coop files.
    NotALedger { path: &'a str },
    /// Files that `use` each other, in the order of the cycle, the first again at the end.
    Cycle { files: Vec<&'a str> },
    /// A named file is larger than [`crate::source::LARGEST_FILE`].
    TooLarge {
        path: &'a str,
        bytes: u64,
        naming: Naming,
    },
}

impl Problem for LoadProblem<'_> {
    fn describe(self) -> Description {
        match self {
            LoadProblem::OutsideModel { path, root } => Description::new(
                Code::UseOutsideModel,
                format!("`{path}` is outside the model's directory `{root}`"),
                "outside the model",
            )
            .help("a model's files live in one directory and below it; copy the file in, or name the larger directory"),
            LoadProblem::Directory { path, naming } => Description::new(
                Code::UseNotAFile,
                format!("`{path}` is a directory, not a file"),
                "a directory",
            )
            .help(match naming {
                Naming::Use => {
                    "`use` names one .coop file; give `coop` the directory to take every file below it"
                }
                Naming::Ledger => "`ledger` names one CSV file of orders",
            }),
            LoadProblem::NotARegularFile { path, naming } => Description::new(
                Code::UseNotAFile,
                format!("`{path}` is not a regular file"),
                "not a regular file",
            )
            .help(match naming {
                Naming::Use => "a FIFO, a socket or a device is no file of a model; name a .coop file",
                Naming::Ledger => "a FIFO, a socket or a device is no file of a model; name a CSV file of orders",
            }),
            LoadProblem::NotFound {
                path,
                naming,
                suggestion,
            } => Description::new(
                Code::UseNotFound,
                format!("no file `{path}` next to this one"),
                "not found",
            )
            .suggestion_or(suggestion, match naming {
                Naming::Use => "a `use` path is relative to the file that names it, such as `use \"agencies.coop\"`",
                Naming::Ledger => "a `ledger` path is relative to the file that names it, such as `ledger \"orders-2025.csv\"`",
            }),
            LoadProblem::UnknownRulePack { name, suggestion } => Description::new(
                Code::UnknownRulePack,
                format!("coop ships no rule pack `{name}`"),
                "no such pack",
            )
            .suggestion_or(
                suggestion,
                "`coop rules` lists the shipped packs; a pack of your own is used by its path, as in `use rules \"our-rules.coop\"`",
            ),
            LoadProblem::NotALedger { path } => Description::new(
                Code::NotALedger,
                format!("`{path}` is a .coop file of the model, not a ledger"),
                "not a ledger",
            )
            .help("`ledger` names a CSV file of orders; name .coop files with `use`"),
            LoadProblem::Cycle { files } => Description::new(
                Code::UseCycle,
                format!("files use each other in a cycle: {}", files.join(" → ")),
                "the cycle starts here",
            )
            .help("a model's files may share one directory without naming each other; remove one `use` of the cycle"),
            LoadProblem::TooLarge {
                path,
                bytes,
                naming,
            } => Description::new(
                Code::FileTooLarge,
                format!("`{path}` is {bytes} bytes, more than Coop reads in one file"),
                "too large",
            )
            .help(match naming {
                Naming::Use => format!("a file may hold at most 4 GiB ({LARGEST_FILE} bytes); split it into several .coop files, each named by its own `use`"),
                Naming::Ledger => format!("a ledger may hold at most 4 GiB ({LARGEST_FILE} bytes); split it into several CSV files (by year, say), each named by its own `ledger`"),
            }),
        }
    }
}
