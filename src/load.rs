//! Loading a model from the paths a user gives: files, and directories whose `.coop` files below
//! them all belong to one model.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::source::SourceMap;

/// A problem reading the model's files: a usage or I/O problem, not a finding about the model.
#[derive(Debug, PartialEq, Eq)]
pub struct LoadError {
    pub message: String,
    pub help: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}\n  help: {}", self.message, self.help)
    }
}

impl std::error::Error for LoadError {}

/// Reads every file named, and every `.coop` file below every directory named, in a stable
/// order (sorted by path, each file once).
pub fn load(paths: &[PathBuf]) -> Result<SourceMap, LoadError> {
    let mut found = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| LoadError {
            message: format!("cannot read `{}`: {}", path.display(), describe(&error)),
            help:
                "check the path; `coop check` takes .coop files and directories that contain them"
                    .to_string(),
        })?;
        if metadata.is_dir() {
            let before = found.len();
            collect_directory(path, &mut found, 0)?;
            if found.len() == before {
                return Err(LoadError {
                    message: format!("no .coop files in directory `{}`", path.display()),
                    help: "a directory is one model made of the .coop files below it; add one, or name a file".to_string(),
                });
            }
        } else {
            found.push(path.clone());
        }
    }
    found.sort();
    found.dedup();
    let mut sources = SourceMap::new();
    for path in found {
        let bytes = std::fs::read(&path).map_err(|error| LoadError {
            message: format!("cannot read `{}`: {}", path.display(), describe(&error)),
            help: "check that the file exists and is readable".to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|error| LoadError {
            message: format!(
                "`{}` is not UTF-8 text (invalid byte at offset {})",
                path.display(),
                error.utf8_error().valid_up_to()
            ),
            help: "save the file as UTF-8".to_string(),
        })?;
        sources.add(display_name(&path), path, text);
    }
    Ok(sources)
}

/// Directories nest at most this deep, which also stops a symbolic link loop.
const MAXIMUM_DEPTH: usize = 64;

fn collect_directory(
    directory: &Path,
    found: &mut Vec<PathBuf>,
    depth: usize,
) -> Result<(), LoadError> {
    if depth > MAXIMUM_DEPTH {
        return Err(LoadError {
            message: format!(
                "directories nest more than {MAXIMUM_DEPTH} deep at `{}`",
                directory.display()
            ),
            help: "is there a symbolic link that loops back to a parent directory?".to_string(),
        });
    }
    let entries = std::fs::read_dir(directory).map_err(|error| LoadError {
        message: format!(
            "cannot list `{}`: {}",
            directory.display(),
            describe(&error)
        ),
        help: "check the directory's permissions".to_string(),
    })?;
    for entry in entries {
        let entry = entry.map_err(|error| LoadError {
            message: format!(
                "cannot list `{}`: {}",
                directory.display(),
                describe(&error)
            ),
            help: "check the directory's permissions".to_string(),
        })?;
        let path = entry.path();
        if path.is_dir() {
            collect_directory(&path, found, depth + 1)?;
        } else if path
            .extension()
            .is_some_and(|extension| extension == "coop")
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Paths are shown with `/` separators so that messages read the same on every system.
fn display_name(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}
