//! How long `coop lsp` takes to answer a change: a generated program of 10k orders (`coop
//! generate`, seed 1) open in the editor, one file changed, the model checked again and every
//! file's diagnostics made ready to publish. Run with `cargo bench --bench lsp`; see
//! docs/performance.md for the numbers.

use std::path::{Path, PathBuf};

use coop::generate::{OrderFormat, Settings};
use coop::lsp::convert::Encoding;
use coop::lsp::workspace::{self, ModelScope, Workspace};
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// The allocator the `coop` command uses (src/main.rs), so that what is measured is what the
/// command does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
    // The generated programs go with the run.
    if let Some(scratch) = SCRATCH.get() {
        let _ = std::fs::remove_dir_all(scratch.path());
    }
}

/// The run's scratch directory, made when a benchmark first needs a generated program, and
/// removed by `main`: a static is never dropped, so `TempDir` would not remove it (nor does
/// anything when a benchmark panics).
static SCRATCH: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();

const ORDERS: [usize; 2] = [10_000, 100_000];

/// The generated program, written once per run into the run's scratch directory (never one
/// left by an earlier run, which an older generator may have written).
fn program(orders: usize) -> PathBuf {
    let scratch = SCRATCH.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("coop-bench-lsp-")
            .tempdir()
            .expect("a scratch directory")
    });
    let directory = scratch.path().join(orders.to_string());
    if !directory.join("orders.coop").exists() {
        let generated =
            coop::generate::generate(Settings::for_orders(orders, 1), OrderFormat::Coop);
        std::fs::create_dir_all(&directory).expect("a scratch directory");
        std::fs::write(directory.join("model.coop"), generated.model).expect("written");
        std::fs::write(directory.join("orders.coop"), generated.orders).expect("written");
    }
    directory
}

/// A workspace with both files of the program open and checked once.
fn opened(directory: &Path) -> Workspace {
    let mut workspace = Workspace::new(workspace::Settings {
        scope: ModelScope::Directory,
        as_of: Some(
            coop::values::Date::parse_from_str(coop::generate::AS_OF, "%Y-%m-%d")
                .expect("the generator's date"),
        ),
        encoding: Encoding::Utf16,
    });
    for name in ["model.coop", "orders.coop"] {
        let path = directory.join(name);
        let text = std::fs::read_to_string(&path).expect("the file");
        workspace.open(&path, text);
    }
    workspace
        .analyse(&directory.join("model.coop"))
        .expect("the program checks");
    workspace
}

/// Typing one character at the start of a file's line and taking it back, alternately, so that
/// every change is a new text.
fn keystroke(iteration: usize, line: u32) -> TextDocumentContentChangeEvent {
    let start = Position::new(line, 0);
    if iteration.is_multiple_of(2) {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(start, start)),
            range_length: None,
            text: " ".to_string(),
        }
    } else {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(start, Position::new(line, 1))),
            range_length: None,
            text: String::new(),
        }
    }
}

/// A change to the small file of declarations: it is parsed again, the orders' tree reused.
#[divan::bench(args = ORDERS, sample_count = 10, sample_size = 1)]
fn change_declarations(bencher: divan::Bencher, orders: usize) {
    answer_changes(bencher, orders, "model.coop");
}

/// A change to the file of orders: that file is parsed again, the declarations' tree reused.
#[divan::bench(args = ORDERS, sample_count = 10, sample_size = 1)]
fn change_orders(bencher: divan::Bencher, orders: usize) {
    answer_changes(bencher, orders, "orders.coop");
}

/// Times a keystroke in one file of the program, and the diagnostics of every file after it.
fn answer_changes(bencher: divan::Bencher, orders: usize, file: &str) {
    let directory = program(orders);
    let mut workspace = opened(&directory);
    let path = directory.join(file);
    let mut iteration = 0;
    bencher.bench_local(|| {
        workspace.change(&path, vec![keystroke(iteration, 0)]);
        iteration += 1;
        divan::black_box(workspace.analyse(&path).expect("checked"));
    });
}
