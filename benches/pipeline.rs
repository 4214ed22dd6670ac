//! Benchmarks of each phase of the pipeline and of the whole, on generated programs of 1k, 10k,
//! 100k and 1M orders (`coop generate`'s models, seed 1). Run with `cargo bench`; see
//! docs/performance.md for the numbers and the method.

use std::path::PathBuf;
use std::sync::OnceLock;

use coop::generate::{OrderFormat, Settings};
use coop::source::{FileId, SourceMap};
use coop::values::Date;

const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// The allocator the `coop` command uses (src/main.rs), so that what is measured is what the
/// command does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
    // The generated programs (some 150 MB at 1M orders) go with the run.
    if let Some(scratch) = SCRATCH.get() {
        let _ = std::fs::remove_dir_all(scratch.path());
    }
}

/// The run's scratch directory, made when a benchmark first needs a generated program, and
/// removed by `main`: a static is never dropped, so `TempDir` would not remove it (nor does
/// anything when a benchmark panics).
static SCRATCH: OnceLock<tempfile::TempDir> = OnceLock::new();

fn as_of() -> Date {
    Date::parse_from_str(coop::generate::AS_OF, "%Y-%m-%d").expect("the generator's date")
}

/// The generated model of `orders` orders, written once per run into the run's scratch
/// directory.
fn model_directory(orders: usize, format: OrderFormat) -> PathBuf {
    static WRITTEN: OnceLock<std::sync::Mutex<Vec<(usize, OrderFormat)>>> = OnceLock::new();
    let suffix = match format {
        OrderFormat::Coop => "coop",
        OrderFormat::Ledger => "ledger",
    };
    let scratch = SCRATCH.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("coop-bench-")
            .tempdir()
            .expect("a scratch directory")
    });
    let directory = scratch.path().join(format!("{orders}-{suffix}"));
    let written = WRITTEN.get_or_init(Default::default);
    let mut written = written.lock().expect("not poisoned");
    if !written.contains(&(orders, format)) {
        let generated = coop::generate::generate(Settings::for_orders(orders, 1), format);
        std::fs::create_dir_all(&directory).expect("a scratch directory");
        std::fs::write(directory.join("model.coop"), generated.model).expect("written");
        std::fs::write(
            directory.join(coop::generate::orders_file_name(format)),
            generated.orders,
        )
        .expect("written");
        written.push((orders, format));
    }
    directory
}

fn loaded(orders: usize, format: OrderFormat) -> SourceMap {
    coop::load::load(&[model_directory(orders, format)]).expect("the model loads")
}

fn checked(orders: usize) -> (SourceMap, coop::model::Model) {
    let mut sources = loaded(orders, OrderFormat::Coop);
    let (model, _) = coop::check_sources(&mut sources);
    (sources, model.expect("generated models check"))
}

/// Parsing every `.coop` file of the model (pest, then lowering to the syntax tree).
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn parse(bencher: divan::Bencher, orders: usize) {
    let sources = loaded(orders, OrderFormat::Coop);
    bencher.bench_local(|| {
        for index in 0..sources.len() {
            divan::black_box(coop::syntax::parse(&sources, FileId(index as u32)));
        }
    });
}

/// Reading a CSV ledger's rows into order declarations.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn read_ledger(bencher: divan::Bencher, orders: usize) {
    let directory = model_directory(orders, OrderFormat::Ledger);
    let text = std::fs::read_to_string(directory.join("orders.csv")).expect("the ledger");
    bencher.bench_local(|| {
        divan::black_box(coop::syntax::ledger::read(
            FileId(0),
            &text,
            &Default::default(),
        ))
    });
}

/// Checking the parsed files into a model.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn check(bencher: divan::Bencher, orders: usize) {
    let mut sources = loaded(orders, OrderFormat::Coop);
    let parsed = coop::parse_sources(&mut sources);
    bencher.bench_local(|| {
        let mut diagnostics = coop::diagnostic::Diagnostics::new();
        divan::black_box(coop::check::check(
            &sources,
            &parsed.files,
            &parsed.packs,
            &mut diagnostics,
        ))
    });
}

/// Judging every order and working out the bindings.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn evaluate(bencher: divan::Bencher, orders: usize) {
    let (_, model) = checked(orders);
    bencher.bench_local(|| divan::black_box(coop::eval::evaluate(&model, as_of())));
}

/// Building the report and writing it as JSON (to nowhere), its orders made as they are written,
/// as `coop report --format json` does.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn render_json(bencher: divan::Bencher, orders: usize) {
    let (sources, model) = checked(orders);
    let evaluation = coop::eval::evaluate(&model, as_of());
    bencher.bench_local(|| {
        coop::report::write_json_of(
            &model,
            &evaluation,
            &sources,
            &[],
            365,
            &mut std::io::sink(),
        )
        .expect("a sink takes anything");
    });
}

/// What `coop report --format json` does, from the files on disk: load, parse, check,
/// evaluate, build and write the report.
fn end_to_end(format: OrderFormat, orders: usize) {
    let mut sources = loaded(orders, format);
    let (model, diagnostics) = coop::check_sources(&mut sources);
    let model = model.expect("generated models check");
    let evaluation = coop::eval::evaluate(&model, as_of());
    coop::report::write_json_of(
        &model,
        &evaluation,
        &sources,
        &diagnostics,
        365,
        &mut std::io::sink(),
    )
    .expect("a sink takes anything");
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn end_to_end_coop(bencher: divan::Bencher, orders: usize) {
    model_directory(orders, OrderFormat::Coop);
    bencher.bench_local(|| end_to_end(OrderFormat::Coop, orders));
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn end_to_end_ledger(bencher: divan::Bencher, orders: usize) {
    model_directory(orders, OrderFormat::Ledger);
    bencher.bench_local(|| end_to_end(OrderFormat::Ledger, orders));
}
