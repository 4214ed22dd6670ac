//! A model as a git revision of the current repository holds it, for `coop diff`: the revision's
//! files below the model's directory are written into a temporary directory, laid out as in the
//! repository, and read from there like any model. The repository is read with gix, a git
//! library in Rust: no `git` command is run, and nothing of the repository or its working tree
//! is changed.
//!
//! A revision's files are hostile input like a working tree's. Only regular files are written
//! (never a symbolic link or a submodule), each by a path checked component by component, so no
//! tree entry can write outside the temporary directory.

use std::path::{Component, Path, PathBuf};

use super::LoadError;

/// A revision's files, written out: the temporary directory (removed when this is dropped), and
/// where the repository's root is inside it.
pub struct Checkout {
    /// Kept for its lifetime: dropping it removes the files.
    directory: tempfile::TempDir,
    /// The revision as written, `main`, `HEAD~1`, `v1.2.0`.
    pub revision: String,
    /// The current directory's place in the repository, inside the checkout.
    pub here: PathBuf,
}

impl Checkout {
    /// The repository's root, inside the checkout.
    pub fn root(&self) -> &Path {
        self.directory.path()
    }
}

/// Whether `revision` names a commit of the repository that holds the current directory.
pub fn is_revision(revision: &str) -> bool {
    gix::discover(".").is_ok_and(|repository| repository.rev_parse_single(revision).is_ok())
}

/// Writes the files of `revision` that lie below `below` (paths relative to the current
/// directory; all of the current directory's when empty) into a new temporary directory.
pub fn check_out(revision: &str, below: &[PathBuf]) -> Result<Checkout, LoadError> {
    let problem = |message: String| {
        LoadError {
        message,
        help: "name a commit, branch or tag of the repository that holds the current directory, or a path".to_string(),
    }
    };
    let repository = gix::discover(".").map_err(|error| {
        problem(format!(
            "`{}` is not a path, and the current directory is in no git repository: {}",
            crate::values::printable(revision),
            crate::values::printable(&error.to_string())
        ))
    })?;
    let tree = repository
        .rev_parse_single(revision)
        .map_err(|error| error.to_string())
        .and_then(|id| id.object().map_err(|error| error.to_string()))
        .and_then(|object| object.peel_to_tree().map_err(|error| error.to_string()))
        .map_err(|error| {
            problem(format!(
                "`{}` is neither a path nor a revision of the repository: {}",
                crate::values::printable(revision),
                crate::values::printable(&error)
            ))
        })?;
    // Where the current directory is in the repository, as git's paths write it.
    let here = repository
        .prefix()
        .ok()
        .flatten()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let wanted: Vec<PathBuf> = if below.is_empty() {
        vec![here.clone()]
    } else {
        below
            .iter()
            .map(|path| super::lexically_joined(&here, path))
            .collect()
    };
    if let Some(outside) = wanted
        .iter()
        .find(|path| path.components().any(|part| part == Component::ParentDir))
    {
        return Err(problem(format!(
            "`{}` leads outside the repository",
            super::display_name(outside)
        )));
    }
    let directory = tempfile::Builder::new()
        .prefix("coop-diff-")
        .tempdir()
        .map_err(|error| problem(format!("cannot make a temporary directory: {error}")))?;
    let entries = tree.traverse().breadthfirst.files().map_err(|error| {
        problem(format!(
            "cannot read revision `{}`: {}",
            crate::values::printable(revision),
            crate::values::printable(&error.to_string())
        ))
    })?;
    for entry in entries {
        let kind = entry.mode.kind();
        if !matches!(
            kind,
            gix::object::tree::EntryKind::Blob | gix::object::tree::EntryKind::BlobExecutable
        ) {
            continue;
        }
        let Some(relative) = safe_path(&entry.filepath) else {
            continue;
        };
        if !wanted.iter().any(|path| relative.starts_with(path)) {
            continue;
        }
        let blob = repository.find_blob(entry.oid).map_err(|error| {
            problem(format!(
                "cannot read `{}` in revision `{}`: {}",
                super::display_name(&relative),
                crate::values::printable(revision),
                crate::values::printable(&error.to_string())
            ))
        })?;
        let target = directory.path().join(&relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| problem(format!("cannot write the revision's files: {error}")))?;
        }
        std::fs::write(&target, &blob.data)
            .map_err(|error| problem(format!("cannot write the revision's files: {error}")))?;
    }
    Ok(Checkout {
        directory,
        revision: revision.to_string(),
        here,
    })
}

/// A tree entry's path as a relative path of plain names: `None` for one holding an empty name,
/// `.`, `..`, `.git`, a backslash, a NUL or bytes that are not UTF-8, which no model file has.
fn safe_path(written: &[u8]) -> Option<PathBuf> {
    let text = std::str::from_utf8(written).ok()?;
    let mut path = PathBuf::new();
    for name in text.split('/') {
        let plain = !name.is_empty()
            && name != "."
            && name != ".."
            && !name.eq_ignore_ascii_case(".git")
            && !name.contains(['\\', '\0', ':']);
        if !plain {
            return None;
        }
        path.push(name);
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::safe_path;

    #[test]
    fn only_plain_names_make_a_path() {
        assert!(safe_path(b"models/trucks.coop").is_some());
        for hostile in [
            &b"../escape.coop"[..],
            b"models/../../escape.coop",
            b"/etc/passwd",
            b"models//x.coop",
            b".git/config",
            b"models\\x.coop",
            b"C:/x.coop",
            b"x\0.coop",
            b"\xff.coop",
        ] {
            assert_eq!(safe_path(hostile), None, "{hostile:?}");
        }
    }
}
