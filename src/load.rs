//! Loading a model from the paths a user gives: files, and directories whose `.coop` files below
//! them all belong to one model.

use std::collections::{HashMap, HashSet};
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
/// order: sorted by path, each file once however many ways it was reached (a directory given
/// twice, a symbolic link), and each directory once (so a link back to a parent is no loop).
///
/// A file that is not UTF-8 is loaded with its bad bytes replaced; parsing then reports where.
pub fn load(paths: &[PathBuf]) -> Result<SourceMap, LoadError> {
    let mut found = Vec::new();
    let mut visited = HashMap::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| LoadError {
            message: format!("cannot read `{}`: {}", display_name(path), describe(&error)),
            help: "check the path; Coop takes .coop files and directories that contain them"
                .to_string(),
        })?;
        if metadata.is_dir() {
            if collect_directory(path, &mut found, &mut visited)? == 0 {
                return Err(LoadError {
                    message: format!("no .coop files in directory `{}`", display_name(path)),
                    help: "a directory is one model made of the .coop files below it; add one, or name a file".to_string(),
                });
            }
        } else if metadata.is_file() {
            found.push(path.clone());
        } else {
            return Err(LoadError {
                message: format!(
                    "`{}` is not a regular file or a directory",
                    display_name(path)
                ),
                help: "name a .coop file, or a directory that contains .coop files".to_string(),
            });
        }
    }
    found.sort();
    let mut seen = HashSet::new();
    found.retain(|path| seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())));
    let mut sources = SourceMap::new();
    for path in found {
        let bytes = std::fs::read(&path).map_err(|error| LoadError {
            message: format!(
                "cannot read `{}`: {}",
                display_name(&path),
                describe(&error)
            ),
            help: "check that the file exists and is readable".to_string(),
        })?;
        sources.add_bytes(display_name(&path), path, bytes);
    }
    Ok(sources)
}

/// Adds the `.coop` files below a directory to `found`, and returns how many there are. Each
/// directory is walked once: `visited` remembers its count (zero while it is being walked, so a
/// link back to a parent adds nothing).
fn collect_directory(
    directory: &Path,
    found: &mut Vec<PathBuf>,
    visited: &mut HashMap<PathBuf, usize>,
) -> Result<usize, LoadError> {
    let canonical = std::fs::canonicalize(directory).map_err(|error| LoadError {
        message: format!(
            "cannot read `{}`: {}",
            display_name(directory),
            describe(&error)
        ),
        help: "check the directory's permissions".to_string(),
    })?;
    if let Some(count) = visited.get(&canonical) {
        return Ok(*count);
    }
    visited.insert(canonical.clone(), 0);
    let mut count = 0;
    let cannot_list = |error: std::io::Error| LoadError {
        message: format!(
            "cannot list `{}`: {}",
            display_name(directory),
            describe(&error)
        ),
        help: "check the directory's permissions".to_string(),
    };
    let entries = std::fs::read_dir(directory).map_err(cannot_list)?;
    for entry in entries {
        let entry = entry.map_err(cannot_list)?;
        let path = entry.path();
        let is_coop = path
            .extension()
            .is_some_and(|extension| extension == "coop");
        // Follows symbolic links; a broken link or a special file (a FIFO, a socket) is skipped
        // unless it claims to be a .coop file.
        match std::fs::metadata(&path) {
            Ok(metadata) if metadata.is_dir() => count += collect_directory(&path, found, visited)?,
            Ok(metadata) if metadata.is_file() && is_coop => {
                found.push(path);
                count += 1;
            }
            Ok(_) if is_coop => {
                return Err(LoadError {
                    message: format!("`{}` is not a regular file", display_name(&path)),
                    help: "remove it, or rename it so that it does not end in .coop".to_string(),
                });
            }
            Err(error) if is_coop => {
                return Err(LoadError {
                    message: format!(
                        "cannot read `{}`: {}",
                        display_name(&path),
                        describe(&error)
                    ),
                    help: "is it a broken symbolic link?".to_string(),
                });
            }
            _ => {}
        }
    }
    visited.insert(canonical, count);
    Ok(count)
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
