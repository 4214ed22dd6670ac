//! The rule packs shipped inside Coop, as files an editor can open: go to definition on
//! `use rules us-wa`, or on a rule of the prelude, needs a file to show. Each pack's text is
//! written once into Coop's cache directory, under the version that ships it, and read only.

use std::path::{Path, PathBuf};

/// Whether a source map's path is a shipped pack's (`coop:rules/us-wa.coop`).
pub fn is_shipped(path: &Path) -> bool {
    path.to_str().is_some_and(|path| path.starts_with("coop:"))
}

/// The copy on disk of a shipped pack's text, written when missing or different; `None` when no
/// cache directory can be found or written.
pub fn on_disk(path: &Path) -> Option<PathBuf> {
    let name = path
        .to_str()?
        .strip_prefix("coop:rules/")?
        .strip_suffix(".coop")?;
    let pack = crate::packs::shipped(name)?;
    let directory = directory()?;
    let file = directory.join(format!("{name}.coop"));
    // Each pack is compared with its copy once a run, not at every diagnostic that cites it.
    static CHECKED: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut checked = CHECKED.lock().ok()?;
    if !checked.contains(&pack.name) {
        if std::fs::read_to_string(&file).ok().as_deref() != Some(pack.text) {
            std::fs::create_dir_all(&directory).ok()?;
            crate::output::write_atomically(&file, pack.text).ok()?;
        }
        checked.push(pack.name);
    }
    Some(file)
}

/// Whether a path lies in the directory of the shipped packs' copies: such a file is shown, not
/// checked as a model of its own.
pub fn is_copy(path: &Path) -> bool {
    directory().is_some_and(|directory| path.starts_with(directory))
}

/// `$XDG_CACHE_HOME/coop/rules-VERSION`, or `~/.cache/coop/rules-VERSION`.
fn directory() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|value| !value.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        })?;
    Some(
        cache
            .join("coop")
            .join(format!("rules-{}", env!("CARGO_PKG_VERSION"))),
    )
}
