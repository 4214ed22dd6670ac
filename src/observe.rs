//! How far a run has got: the pipeline tells an [`Observer`] how many orders each phase has
//! read, checked or judged, so that the command line can show a long run's progress. A phase
//! tells it when it begins, every [`EVERY`] orders, and when it ends; never once per order, so
//! that being observed costs a long loop one comparison an order.

use crate::source::{FileId, SourceMap};
use crate::syntax::ast;

/// The phases of a run that go through every order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Parsing the model's `.coop` files and reading its CSV ledgers.
    Reading,
    /// Checking the declarations into a model.
    Checking,
    /// Judging the model's orders as of a date.
    Judging,
}

/// How much of a phase is done, or is to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    /// Orders read, checked or judged.
    pub orders: usize,
    /// Bytes of the model's files read (reading only).
    pub bytes: usize,
    /// Files of the model read (reading only).
    pub files: usize,
}

/// Told how a run goes, phase by phase. The phases of one run come in order, each from one
/// thread at a time; an observer may be shared with the thread that shows it.
pub trait Observer: Sync {
    /// `phase` has done `done` of `total`, the whole as far as known so far: the total of
    /// reading grows as `use` and `ledger` name more files, and is in bytes; checking and
    /// judging know their orders from the start. The first call of a phase begins it.
    fn advanced(&self, phase: Phase, done: Count, total: Count);
    /// `phase` is over, having done `done`.
    fn finished(&self, phase: Phase, done: Count);
}

/// How many orders a long loop goes through between telling its observer.
pub const EVERY: usize = 4096;

/// Observes nothing: what the pipeline's functions without an observer pass on.
pub struct Unobserved;

impl Observer for Unobserved {
    fn advanced(&self, _: Phase, _: Count, _: Count) {}
    fn finished(&self, _: Phase, _: Count) {}
}

/// An observer of one file of several: what a reader counts within its file, told as a part of
/// the run, after the files read `before` it.
pub struct WithinFile<'o> {
    pub observer: &'o dyn Observer,
    pub before: Count,
    pub total: Count,
}

impl Observer for WithinFile<'_> {
    fn advanced(&self, phase: Phase, done: Count, _: Count) {
        let done = Count {
            orders: self.before.orders + done.orders,
            bytes: self.before.bytes + done.bytes,
            files: self.before.files + done.files,
        };
        self.observer.advanced(phase, done, self.total);
    }

    /// The file's end is told by whoever reads the files, once for all of them.
    fn finished(&self, _: Phase, _: Count) {}
}

/// What the parts of one file, read on several threads at once, have read together, told to an
/// observer as they go.
pub struct ReadSoFar<'o> {
    observer: &'o dyn Observer,
    orders: std::sync::atomic::AtomicUsize,
    bytes: std::sync::atomic::AtomicUsize,
}

impl<'o> ReadSoFar<'o> {
    pub fn new(observer: &'o dyn Observer) -> ReadSoFar<'o> {
        ReadSoFar {
            observer,
            orders: std::sync::atomic::AtomicUsize::new(0),
            bytes: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Adds what one part has read since it last told, and tells the observer the whole.
    pub fn add(&self, orders: usize, bytes: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        let read = Count {
            orders: self.orders.fetch_add(orders, Relaxed) + orders,
            bytes: self.bytes.fetch_add(bytes, Relaxed) + bytes,
            files: 0,
        };
        self.observer.advanced(Phase::Reading, read, read);
    }
}

/// The reading of a model's files, one after another, told to an observer as a whole: bytes of
/// every file read, files of the model and orders in them.
pub struct FilesRead<'o> {
    observer: &'o dyn Observer,
    done: Count,
    total: Count,
    /// How many files of the source map are in `total`: files are added as they are named.
    known: usize,
}

impl<'o> FilesRead<'o> {
    pub fn new(observer: &'o dyn Observer) -> FilesRead<'o> {
        FilesRead {
            observer,
            done: Count::default(),
            total: Count::default(),
            known: 0,
        }
    }

    /// The observer to give the reader of the next file: what it counts within the file is told
    /// as part of the whole.
    pub fn next_file(&mut self, sources: &SourceMap) -> WithinFile<'o> {
        self.add_new_files(sources);
        WithinFile {
            observer: self.observer,
            before: self.done,
            total: self.total,
        }
    }

    /// Counts the file `id` as read, with the syntax tree read from it, if any.
    pub fn file_read(&mut self, sources: &SourceMap, id: FileId, tree: Option<&ast::File>) {
        self.files_read(sources, &[id], tree.map_or(&[], std::slice::from_ref));
    }

    /// Counts the files `ids` as read at once, `trees` being the syntax trees read from those
    /// that could be, and tells the observer once.
    pub fn files_read(&mut self, sources: &SourceMap, ids: &[FileId], trees: &[ast::File]) {
        for &id in ids {
            self.done.bytes += sources.file(id).text.len();
            self.done.files += usize::from(!sources.is_prelude(id));
        }
        self.done.orders += orders_in(trees);
        self.add_new_files(sources);
        self.observer
            .advanced(Phase::Reading, self.done, self.total);
    }

    /// Tells the observer that reading is over.
    pub fn finish(self) {
        self.observer.finished(Phase::Reading, self.done);
    }

    fn add_new_files(&mut self, sources: &SourceMap) {
        while self.known < sources.len() {
            let id = FileId(self.known as u32);
            if !sources.is_config(id) {
                self.total.bytes += sources.file(id).text.len();
            }
            self.known += 1;
        }
    }
}

/// How many orders the syntax trees of a model hold, those read by name only among them.
pub fn orders_in(files: &[ast::File]) -> usize {
    files
        .iter()
        .map(|file| {
            file.unread_orders.len()
                + file
                    .declarations
                    .iter()
                    .filter(|declaration| declaration.as_order().is_some())
                    .count()
        })
        .sum()
}
