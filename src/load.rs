//! Loading a model from the paths a user gives: files, and directories whose `.coop` files below
//! them all belong to one model.

mod problems;
pub mod revision;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::source::Spanned;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{RulePackSource, RulePackUse};

pub(crate) use problems::LoadProblem;

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
/// Below a directory, hidden files and directories and what its `.gitignore` and `.ignore`
/// files leave out are passed over; a file named is read whatever its name.
///
/// The model is its directory: a symbolic link below a directory is followed only when it leads
/// to a place inside the model's directory; one that leads outside is refused, so that a file
/// added to a model can never make Coop read (and print) a file of the machine it runs on.
/// Files named on the command line are the user's own choice and are read wherever they are.
///
/// A file that is not UTF-8 is loaded with its bad bytes replaced; parsing then reports where.
pub fn load(paths: &[PathBuf]) -> Result<SourceMap, LoadError> {
    load_excluding(paths, &Exclusions::default())
}

/// Files and directories a directory walk leaves out, besides hidden and ignored ones: the
/// `exclude` patterns of `coop.toml`, as in a `.gitignore`, relative to its directory.
#[derive(Clone, Debug, Default)]
pub struct Exclusions {
    matcher: Option<ignore::gitignore::Gitignore>,
}

impl Exclusions {
    /// The patterns, relative to `directory`; a pattern that is not one is the error.
    pub fn new(directory: &Path, patterns: &[String]) -> Result<Exclusions, String> {
        if patterns.is_empty() {
            return Ok(Exclusions::default());
        }
        let mut builder = ignore::gitignore::GitignoreBuilder::new(directory);
        for pattern in patterns {
            builder
                .add_line(None, pattern)
                .map_err(|error| crate::values::printable(&error.to_string()))?;
        }
        let matcher = builder
            .build()
            .map_err(|error| crate::values::printable(&error.to_string()))?;
        Ok(Exclusions {
            matcher: Some(matcher),
        })
    }

    /// Whether the file or directory that really is at `canonical` is left out.
    fn excludes(&self, canonical: &Path, is_directory: bool) -> bool {
        self.matcher.as_ref().is_some_and(|matcher| {
            canonical.starts_with(matcher.path())
                && matcher
                    .matched_path_or_any_parents(canonical, is_directory)
                    .is_ignore()
        })
    }
}

/// [`load`], leaving out what `exclusions` names below the directories given.
pub fn load_excluding(paths: &[PathBuf], exclusions: &Exclusions) -> Result<SourceMap, LoadError> {
    load_with(paths, exclusions, |path| std::fs::read(path))
}

/// Loads as [`load_excluding`] does, reading each `.coop` file found through `read`, given where
/// the file really is (links and `..` resolved): an editor gives the text of the files it has open.
pub fn load_with(
    paths: &[PathBuf],
    exclusions: &Exclusions,
    mut read: impl FnMut(&Path) -> std::io::Result<Vec<u8>>,
) -> Result<SourceMap, LoadError> {
    let mut sources = SourceMap::new();
    let mut found = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| LoadError {
            message: format!("cannot read `{}`: {}", display_name(path), describe(&error)),
            help: "check the path; Coop takes .coop files and directories that contain them"
                .to_string(),
        })?;
        if !metadata.is_dir() && !metadata.is_file() {
            return Err(LoadError {
                message: format!(
                    "`{}` is not a regular file or a directory",
                    display_name(path)
                ),
                help: "name a .coop file, or a directory that contains .coop files".to_string(),
            });
        }
    }
    set_root(&mut sources, paths);
    let root = sources.root.clone().unwrap_or_default();
    let mut walked = HashSet::new();
    for path in paths {
        if path.is_dir() {
            let before = found.len();
            let canonical = canonical(path)?;
            // The same directory given twice is read once.
            if walked.contains(&canonical) {
                continue;
            }
            walk_directory(path, canonical, &root, exclusions, &mut walked, &mut found)?;
            if found.len() == before {
                return Err(LoadError {
                    message: format!("no .coop files in directory `{}`", display_name(path)),
                    help: "a directory is one model made of the .coop files below it; add one, or name a file".to_string(),
                });
            }
        } else {
            found.push(Found {
                path: path.clone(),
                canonical: canonical(path)?,
                through_link: false,
            });
        }
    }
    // One file reached several ways is read once, by its own path rather than a link's when
    // it was reached both ways (so that `fmt` writes to the file, not through a link).
    found.sort_by(|left, right| {
        (&left.canonical, left.through_link, &left.path).cmp(&(
            &right.canonical,
            right.through_link,
            &right.path,
        ))
    });
    found.dedup_by(|later, first| later.canonical == first.canonical);
    found.sort_by(|left, right| left.path.cmp(&right.path));
    for file in found {
        if let Some(size) = too_large(&file.canonical) {
            return Err(LoadError {
                message: format!(
                    "`{}` is {size} bytes, more than Coop reads in one file",
                    display_name(&file.path)
                ),
                help: format!(
                    "a file may hold at most 4 GiB ({} bytes); split it into several .coop files",
                    crate::source::LARGEST_FILE
                ),
            });
        }
        let bytes = read(&file.canonical).map_err(|error| LoadError {
            message: format!(
                "cannot read `{}`: {}",
                display_name(&file.path),
                describe(&error)
            ),
            help: "check that the file exists and is readable".to_string(),
        })?;
        sources.add_file(display_name(&file.path), file.path, file.canonical, bytes);
    }
    Ok(sources)
}

/// How messages name a model read from standard input (`coop check -`, `coop fmt -`).
pub const STANDARD_INPUT: &str = "<stdin>";

/// A model of one file read from standard input. Its `use`s and `ledger`s are relative to the
/// current directory, which is the model's directory: a file on standard input is the user's
/// own text, placed where they run Coop.
pub fn standard_input(bytes: Vec<u8>) -> SourceMap {
    text_in(
        Path::new("."),
        STANDARD_INPUT,
        PathBuf::from(STANDARD_INPUT),
        bytes,
    )
}

/// A model of one file that is not on disk (yet), at `path`, in its directory: an editor's new
/// file before it is saved.
pub fn unsaved(path: &Path, bytes: Vec<u8>) -> SourceMap {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    text_in(directory, display_name(path), path.to_path_buf(), bytes)
}

/// A model of one text, named `name` at `path`, whose directory is `directory`.
fn text_in(directory: &Path, name: impl Into<String>, path: PathBuf, bytes: Vec<u8>) -> SourceMap {
    let mut sources = SourceMap::new();
    set_root(&mut sources, &[directory.to_path_buf()]);
    sources.add_bytes(name, path, bytes);
    sources
}

/// A `.coop` file found for the model: the path it was found at, where it really is, and
/// whether a symbolic link led to it.
struct Found {
    path: PathBuf,
    canonical: PathBuf,
    through_link: bool,
}

/// The model's directory: the deepest directory holding every path given (links and `..`
/// resolved), so that the order of the paths never matters; `None` when no path exists.
pub fn model_root(paths: &[PathBuf]) -> Option<PathBuf> {
    let directories: Vec<PathBuf> = paths
        .iter()
        .filter_map(|path| {
            let directory = if path.is_dir() {
                Some(path.as_path())
            } else {
                path.parent()
            };
            let directory = match directory {
                Some(directory) if !directory.as_os_str().is_empty() => directory,
                _ => Path::new("."),
            };
            std::fs::canonicalize(directory).ok()
        })
        .collect();
    let mut root = directories.first()?.clone();
    while !directories
        .iter()
        .all(|directory| directory.starts_with(&root))
        && root.pop()
    {}
    Some(root)
}

/// Records the model's directory in the source map, and how messages name it.
fn set_root(sources: &mut SourceMap, paths: &[PathBuf]) {
    let Some(root) = model_root(paths) else {
        return;
    };
    let here = std::env::current_dir().ok();
    sources.root_name = match here
        .as_deref()
        .and_then(|here| root.strip_prefix(here).ok())
    {
        Some(relative) if relative.as_os_str().is_empty() => ".".to_string(),
        Some(relative) => display_name(relative),
        None => display_name(&root),
    };
    sources.root = Some(root);
}

/// Where a path really is, links and `..` resolved.
fn canonical(path: &Path) -> Result<PathBuf, LoadError> {
    std::fs::canonicalize(path).map_err(|error| LoadError {
        message: format!("cannot read `{}`: {}", display_name(path), describe(&error)),
        help: "check the path and its permissions".to_string(),
    })
}

/// Adds the `.coop` files below `directory` (which really is at `canonical`) to `found`. The
/// walk itself follows no link, so it is linear in the size of the tree however deep; each
/// symbolic link met is resolved on its own: refused when it leads outside `root`, otherwise
/// read (a file) or walked (a directory not walked before).
fn walk_directory(
    directory: &Path,
    canonical: PathBuf,
    root: &Path,
    exclusions: &Exclusions,
    walked: &mut HashSet<PathBuf>,
    found: &mut Vec<Found>,
) -> Result<(), LoadError> {
    let mut pending = vec![(directory.to_path_buf(), canonical, false)];
    while let Some((directory, canonical, through_link)) = pending.pop() {
        if !walked.insert(canonical.clone()) {
            continue;
        }
        // As ripgrep walks: hidden files and directories are passed over, and so is what a
        // `.gitignore` or `.ignore` file in the model's directories leaves out. Ignore files
        // above the directory, the user's global ones and `.git/info/exclude` are not read: no
        // file outside the model's directory is.
        let walk = ignore::WalkBuilder::new(&directory)
            .standard_filters(false)
            .hidden(true)
            .git_ignore(true)
            .ignore(true)
            .parents(false)
            .git_global(false)
            .git_exclude(false)
            .require_git(false)
            .follow_links(false)
            .filter_entry({
                let exclusions = exclusions.clone();
                let directory = directory.clone();
                let canonical = canonical.clone();
                move |entry| {
                    let relative = entry
                        .path()
                        .strip_prefix(&directory)
                        .unwrap_or(entry.path());
                    let is_directory = entry.file_type().is_some_and(|kind| kind.is_dir());
                    !exclusions.excludes(&canonical.join(relative), is_directory)
                }
            })
            .build();
        for entry in walk {
            let entry = entry.map_err(|error| walk_error(&directory, &error))?;
            let path = entry.path();
            let is_coop = path
                .extension()
                .is_some_and(|extension| extension == "coop");
            let Some(file_type) = entry.file_type() else {
                continue;
            };
            let relative = path.strip_prefix(&directory).unwrap_or(path);
            if file_type.is_symlink() {
                let Ok(target) = std::fs::canonicalize(path) else {
                    if is_coop {
                        return Err(LoadError {
                            message: format!(
                                "cannot read `{}`: it is a symbolic link that leads nowhere",
                                display_name(path)
                            ),
                            help: "remove the broken link, or make it point to a file of the model"
                                .to_string(),
                        });
                    }
                    continue;
                };
                let is_directory = target.is_dir();
                if !is_coop && !is_directory {
                    continue;
                }
                if !target.starts_with(root) {
                    return Err(LoadError {
                        message: format!(
                            "`{}` is a symbolic link to a place outside the model's directory",
                            display_name(path)
                        ),
                        help: "coop reads only the files inside a model's directory; copy the file in, or name the directory it points into".to_string(),
                    });
                }
                if is_directory {
                    pending.push((path.to_path_buf(), target, true));
                } else {
                    check_regular(path, &target)?;
                    found.push(Found {
                        path: path.to_path_buf(),
                        canonical: target,
                        through_link: true,
                    });
                }
            } else if is_coop && !file_type.is_dir() {
                check_regular(path, path)?;
                found.push(Found {
                    path: path.to_path_buf(),
                    canonical: canonical.join(relative),
                    through_link,
                });
            }
        }
    }
    Ok(())
}

/// A `.coop` file below a directory must be a regular file: a FIFO or a socket would block the
/// read, and a device is no model.
fn check_regular(path: &Path, target: &Path) -> Result<(), LoadError> {
    match std::fs::metadata(target) {
        Ok(metadata) if metadata.is_file() => Ok(()),
        Ok(_) => Err(LoadError {
            message: format!("`{}` is not a regular file", display_name(path)),
            help: "remove it, or rename it so that it does not end in .coop".to_string(),
        }),
        Err(error) => Err(LoadError {
            message: format!("cannot read `{}`: {}", display_name(path), describe(&error)),
            help: "check the file's permissions".to_string(),
        }),
    }
}

fn walk_error(directory: &Path, error: &ignore::Error) -> LoadError {
    let io_error = error.io_error();
    LoadError {
        message: match io_error {
            Some(io_error) => format!(
                "cannot list `{}`: {}",
                display_name(directory),
                describe(io_error)
            ),
            None => format!(
                "cannot list `{}`: {}",
                display_name(directory),
                crate::values::printable(&error.to_string())
            ),
        },
        help: "check the directory's permissions".to_string(),
    }
}

/// How a file names another: `use` for declarations, `ledger` for a CSV ledger of orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naming {
    Use,
    Ledger,
}

impl Naming {
    /// The extension of the files it names, for suggestions.
    fn extension(self) -> &'static str {
        match self {
            Naming::Use => ".coop",
            Naming::Ledger => ".csv",
        }
    }
}

/// Resolves a path that the file `from` names with `use` or `ledger` to a file of the model,
/// loading it when it is new. The path is relative to the naming file and must stay within the
/// model's root.
pub fn resolve_file(
    sources: &mut SourceMap,
    from: FileId,
    used: &Spanned<String>,
    naming: Naming,
) -> Result<FileId, Box<Diagnostic>> {
    let using = sources.file(from).path.clone();
    let directory = using
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let target = directory.join(&used.value);
    // Outside the root by its path alone, whether or not the file exists; then, once it exists,
    // outside by where its links lead.
    let lexical = std::fs::canonicalize(directory)
        .map(|directory| lexically_joined(&directory, Path::new(&used.value)));
    let canonical = std::fs::canonicalize(&target).ok();
    let outside = |path: &Path| {
        sources
            .root
            .as_ref()
            .is_some_and(|root| !path.starts_with(root))
    };
    if lexical.as_deref().is_ok_and(outside) || canonical.as_deref().is_some_and(outside) {
        return Err(Box::new(Diagnostic::of(
            LoadProblem::OutsideModel {
                path: &used.value,
                root: &sources.root_name,
            },
            used.span,
        )));
    }
    let canonical = canonical.ok_or_else(|| Box::new(not_found(&target, used, naming)))?;
    if let Some(id) = sources.find(&canonical) {
        return Ok(id);
    }
    if canonical.is_dir() {
        return Err(Box::new(Diagnostic::of(
            LoadProblem::Directory {
                path: &used.value,
                naming,
            },
            used.span,
        )));
    }
    if !canonical.is_file() {
        return Err(Box::new(Diagnostic::of(
            LoadProblem::NotARegularFile {
                path: &used.value,
                naming,
            },
            used.span,
        )));
    }
    if let Some(size) = too_large(&canonical) {
        return Err(Box::new(Diagnostic::of(
            LoadProblem::TooLarge {
                path: &used.value,
                bytes: size,
                naming,
            },
            used.span,
        )));
    }
    let bytes =
        std::fs::read(&canonical).map_err(|_| Box::new(not_found(&target, used, naming)))?;
    Ok(sources.add_file(display_name(&target), target, canonical, bytes))
}

/// The size of the file at `canonical` when it is more than Coop reads in one file
/// ([`crate::source::LARGEST_FILE`]), found without reading it.
fn too_large(canonical: &Path) -> Option<u64> {
    std::fs::metadata(canonical)
        .ok()
        .map(|metadata| metadata.len())
        .filter(|size| *size > crate::source::LARGEST_FILE)
}

/// Resolves a `use rules` to the pack's file and name: a shipped pack is added to the sources
/// from the text compiled into coop (once), a local one is found like a `use`d file.
pub fn resolve_rule_pack(
    sources: &mut SourceMap,
    from: FileId,
    used: &RulePackUse,
) -> Result<(FileId, String), Box<Diagnostic>> {
    match &used.source {
        RulePackSource::Local(path) => {
            let file = resolve_file(sources, from, path, Naming::Use)?;
            let name = Path::new(&path.value).file_stem().map_or_else(
                || path.value.clone(),
                |stem| stem.to_string_lossy().into_owned(),
            );
            Ok((file, name))
        }
        RulePackSource::Shipped(name) => {
            let Some(pack) = crate::packs::shipped(&name.value) else {
                let names = crate::packs::SHIPPED.iter().map(|pack| pack.name);
                return Err(Box::new(Diagnostic::of(
                    LoadProblem::UnknownRulePack {
                        name: &name.value,
                        suggestion: crate::check::suggest(&name.value, names),
                    },
                    name.span,
                )));
            };
            // A shipped pack has no file on disk: it is found again by its name, so that every
            // `use rules` of it reads the one copy.
            let path = PathBuf::from(pack.file_name());
            let loaded = sources
                .files()
                .find(|(_, file)| file.path == path)
                .map(|(id, _)| id);
            let file = match loaded {
                Some(file) => file,
                None => sources.add(pack.file_name(), path, pack.text.to_string()),
            };
            sources.note_use(file, used.span);
            Ok((file, pack.name.to_string()))
        }
    }
}

/// `base` joined with `path`, with `.` and `..` resolved by the path's text alone.
pub fn lexically_joined(base: &Path, path: &Path) -> PathBuf {
    let mut joined = base.to_path_buf();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                joined.pop();
            }
            std::path::Component::CurDir => {}
            other => joined.push(other.as_os_str()),
        }
    }
    joined
}

/// The file a `use` names is missing: suggest a `.coop` file with a close name in the directory
/// it points into, written as the `use` would write it.
fn not_found(target: &Path, used: &Spanned<String>, naming: Naming) -> Diagnostic {
    let written_directory = match used.value.rsplit_once('/') {
        Some((directory, _)) => format!("{directory}/"),
        None => String::new(),
    };
    let siblings: Vec<String> = target
        .parent()
        .and_then(|directory| std::fs::read_dir(directory).ok())
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(naming.extension()))
                .map(|name| format!("{written_directory}{name}"))
                .collect()
        })
        .unwrap_or_default();
    Diagnostic::of(
        LoadProblem::NotFound {
            path: &used.value,
            naming,
            suggestion: crate::check::suggest(&used.value, siblings.iter().map(String::as_str)),
        },
        used.span,
    )
}

/// A diagnostic for each group of files that `use` each other in a cycle (each strongly
/// connected group of the `use` graph), shown through the shortest cycle from its first file.
/// Linear in the number of files and `use`s.
pub fn use_cycles(edges: &[(FileId, FileId, Span)], sources: &SourceMap) -> Vec<Diagnostic> {
    let mut graph = petgraph::graphmap::DiGraphMap::<FileId, ()>::new();
    for (from, to, _) in edges {
        graph.add_edge(*from, *to, ());
    }
    // The `use`s leaving each file, in the order they were written.
    let mut leaving: std::collections::HashMap<FileId, Vec<usize>> = Default::default();
    for (index, (from, _, _)) in edges.iter().enumerate() {
        leaving.entry(*from).or_default().push(index);
    }
    let mut groups = petgraph::algo::tarjan_scc(&graph);
    for group in &mut groups {
        group.sort();
    }
    groups.sort();
    let mut diagnostics = Vec::new();
    for group in groups {
        let cyclic = group.len() > 1 || graph.contains_edge(group[0], group[0]);
        if !cyclic {
            continue;
        }
        let members: HashSet<FileId> = group.iter().copied().collect();
        if let Some(path) = shortest_cycle(group[0], &members, edges, &leaving) {
            diagnostics.push(cycle_diagnostic(&path, edges, sources));
        }
    }
    diagnostics
}

/// The `use`s (as indexes into `edges`) of a shortest cycle from `start` back to it, staying
/// among `members`: a breadth-first search, each file visited once.
fn shortest_cycle(
    start: FileId,
    members: &HashSet<FileId>,
    edges: &[(FileId, FileId, Span)],
    leaving: &std::collections::HashMap<FileId, Vec<usize>>,
) -> Option<Vec<usize>> {
    let mut reached_by: std::collections::HashMap<FileId, usize> = Default::default();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(file) = queue.pop_front() {
        for &index in leaving.get(&file).into_iter().flatten() {
            let to = edges[index].1;
            if !members.contains(&to) {
                continue;
            }
            if to == start {
                let mut path = vec![index];
                let mut at = file;
                while at != start {
                    let previous = reached_by[&at];
                    path.push(previous);
                    at = edges[previous].0;
                }
                path.reverse();
                return Some(path);
            }
            if let std::collections::hash_map::Entry::Vacant(entry) = reached_by.entry(to) {
                entry.insert(index);
                queue.push_back(to);
            }
        }
    }
    None
}

fn cycle_diagnostic(
    path: &[usize],
    edges: &[(FileId, FileId, Span)],
    sources: &SourceMap,
) -> Diagnostic {
    let files: Vec<&str> = path
        .iter()
        .map(|edge| sources.file(edges[*edge].0).name.as_str())
        .chain(std::iter::once(
            sources.file(edges[path[0]].0).name.as_str(),
        ))
        .collect();
    let first = edges[path[0]].2;
    let mut diagnostic = Diagnostic::of(LoadProblem::Cycle { files }, first);
    for edge in &path[1..] {
        diagnostic = diagnostic.with_related(edges[*edge].2, "and continues here");
    }
    diagnostic
}

/// A path as messages show it: with `/` separators, so that messages read the same on every
/// system, and with control characters escaped, since a file's name is written by whoever
/// added the file.
pub fn display_name(path: &Path) -> String {
    crate::values::printable(&path.to_string_lossy().replace('\\', "/"))
}

fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}
