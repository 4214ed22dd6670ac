//! The files an editor has open, and the models they belong to, each checked again after every
//! change: only the files whose text changed are parsed again (`ParseCache`), the others' syntax
//! trees are reused.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use lsp_types::{Location, TextDocumentContentChangeEvent};

use super::convert::{self, Encoding};
use super::index::Index;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap, Span};
use crate::values::Date;

/// What a file's model is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelScope {
    /// Every `.coop` file below the file's directory, as `coop check DIRECTORY` reads them.
    Directory,
    /// The file alone (and the files it `use`s), as `coop check FILE` reads it.
    File,
}

/// How the server checks models, from the client's initialization options.
#[derive(Clone, Debug)]
pub struct Settings {
    pub scope: ModelScope,
    /// The date orders are judged as of; today when absent.
    pub as_of: Option<Date>,
    pub encoding: Encoding,
}

/// A file the editor has open: its text as the editor has it.
#[derive(Debug)]
pub struct Document {
    pub text: String,
    pub lines: crate::source::LineIndex,
}

/// One model's checking: its files, every diagnostic and the index of its names. (The syntax
/// trees go back to the parse cache, to be reused by the next checking.)
pub struct Analysis {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    pub index: Index,
}

#[derive(Default)]
struct ModelState {
    cache: crate::ParseCache,
    analysis: Option<Analysis>,
    /// The files diagnostics were last published for, so that a file's are cleared when it
    /// has none any more.
    published: HashSet<PathBuf>,
}

pub struct Workspace {
    pub settings: Settings,
    documents: HashMap<PathBuf, Document>,
    models: HashMap<PathBuf, ModelState>,
}

impl Workspace {
    pub fn new(settings: Settings) -> Workspace {
        Workspace {
            settings,
            documents: HashMap::new(),
            models: HashMap::new(),
        }
    }

    pub fn open(&mut self, path: &Path, text: String) {
        self.documents.insert(canonical(path), document(text));
    }

    /// Applies an editor's changes to an open file: whole texts, or ranges replaced.
    pub fn change(&mut self, path: &Path, changes: Vec<TextDocumentContentChangeEvent>) {
        let encoding = self.settings.encoding;
        let Some(document) = self.documents.get_mut(&canonical(path)) else {
            return;
        };
        for change in changes {
            match change.range {
                None => *document = self::document(change.text),
                Some(range) => {
                    let start =
                        convert::offset(&document.text, &document.lines, range.start, encoding);
                    let end = convert::offset(&document.text, &document.lines, range.end, encoding)
                        .max(start);
                    let mut text = std::mem::take(&mut document.text);
                    text.replace_range(start..end, &change.text);
                    *document = self::document(text);
                }
            }
        }
    }

    pub fn close(&mut self, path: &Path) {
        self.documents.remove(&canonical(path));
    }

    pub fn document(&self, path: &Path) -> Option<&Document> {
        self.documents.get(&canonical(path))
    }

    /// The directory (or the file) whose model a file belongs to.
    pub fn model_of(&self, path: &Path) -> PathBuf {
        let path = canonical(path);
        match self.settings.scope {
            ModelScope::File => path,
            ModelScope::Directory => path.parent().map_or(path.clone(), Path::to_path_buf),
        }
    }

    /// Checks the model a file belongs to again, and gives the diagnostics of each of its files
    /// to publish (an empty list for a file whose diagnostics are gone); `Err` when the model
    /// cannot be read at all, with why.
    pub fn analyse(
        &mut self,
        path: &Path,
    ) -> Result<Vec<(PathBuf, Vec<lsp_types::Diagnostic>)>, String> {
        let root = self.model_of(path);
        let opened = canonical(path);
        let documents = &self.documents;
        let read = |file: &Path| match documents.get(file) {
            Some(document) => Ok(document.text.clone().into_bytes()),
            None => std::fs::read(file),
        };
        let loaded = crate::load::load_with(
            std::slice::from_ref(&root),
            &crate::load::Exclusions::default(),
            read,
        );
        let mut sources = match loaded {
            Ok(sources) => sources,
            // A new file not yet saved, alone in its directory, is a model of its own.
            Err(_) if documents.contains_key(&opened) && !opened.exists() => {
                let text = documents[&opened].text.clone().into_bytes();
                crate::load::unsaved(&opened, text)
            }
            Err(error) => return Err(error.message),
        };
        if sources.find(&opened).is_none()
            && !sources.files().any(|(_, file)| file.path == opened)
            && let Some(document) = documents.get(&opened)
        {
            sources.add_file(
                crate::load::display_name(&opened),
                opened.clone(),
                opened.clone(),
                document.text.clone().into_bytes(),
            );
        }
        let state = self.models.entry(root).or_default();
        let parsed = crate::parse_sources_reusing(&mut sources, &mut state.cache);
        let checked = crate::check_parsed(&sources, parsed);
        let mut diagnostics = checked.diagnostics;
        if let Some(model) = &checked.model {
            let as_of = self
                .settings
                .as_of
                .unwrap_or_else(|| chrono::Local::now().date_naive());
            let evaluation = crate::eval::evaluate(model, as_of);
            diagnostics.extend(crate::evaluation_diagnostics(&evaluation));
        }
        let index = Index::build(&sources, &checked.files);
        state.cache.keep(checked.files, &sources);
        let analysis = Analysis {
            sources,
            diagnostics,
            index,
        };
        let encoding = self.settings.encoding;
        let mut by_file: HashMap<PathBuf, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for (id, file) in analysis.sources.model_files() {
            if super::shipped::is_shipped(&file.path) {
                continue;
            }
            by_file.entry(disk_path(&analysis.sources, id)).or_default();
        }
        for diagnostic in &analysis.diagnostics {
            let file = diagnostic.primary.span.file;
            if super::shipped::is_shipped(&analysis.sources.file(file).path) {
                continue;
            }
            let location_of = |span: Span| location(&analysis.sources, span, encoding);
            by_file
                .entry(disk_path(&analysis.sources, file))
                .or_default()
                .push(convert::diagnostic(
                    diagnostic,
                    &analysis.sources,
                    encoding,
                    &location_of,
                ));
        }
        let mut published: Vec<(PathBuf, Vec<lsp_types::Diagnostic>)> = state
            .published
            .iter()
            .filter(|path| !by_file.contains_key(*path))
            .map(|path| (path.clone(), Vec::new()))
            .collect();
        state.published = by_file.keys().cloned().collect();
        published.extend(by_file);
        published.sort_by(|left, right| left.0.cmp(&right.0));
        state.analysis = Some(analysis);
        Ok(published)
    }

    /// The last checking of the model a file belongs to, with the file's id in it.
    pub fn analysis(&self, path: &Path) -> Option<(&Analysis, FileId)> {
        let analysis = self.models.get(&self.model_of(path))?.analysis.as_ref()?;
        let wanted = canonical(path);
        let id = analysis
            .sources
            .model_files()
            .find(|(id, _)| disk_path(&analysis.sources, *id) == wanted)
            .map(|(id, _)| id)?;
        Some((analysis, id))
    }
}

fn document(text: String) -> Document {
    Document {
        lines: crate::source::LineIndex::new(&text),
        text,
    }
}

/// Where a path really is, when it exists; as given otherwise.
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The file on disk a file of the model is: where it really is, or, for a shipped pack, the
/// copy of its text written for editors to open.
pub fn disk_path(sources: &SourceMap, id: FileId) -> PathBuf {
    let path = &sources.file(id).path;
    if super::shipped::is_shipped(path) {
        return super::shipped::on_disk(path).unwrap_or_else(|| path.clone());
    }
    canonical(path)
}

/// The protocol's location of a span, when its file can be shown.
pub fn location(sources: &SourceMap, span: Span, encoding: Encoding) -> Option<Location> {
    let path = disk_path(sources, span.file);
    let uri = convert::uri_of(&path)?;
    Some(Location::new(uri, convert::range(sources, span, encoding)))
}
