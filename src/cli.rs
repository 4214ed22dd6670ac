//! Subcommands, their flags, and exit codes. A thin layer over the library's pipeline.
//!
//! Exit codes: 0 no errors, 1 errors found in the model, 2 a usage or I/O problem.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use coop::codes::Code;
use coop::diagnostic::{self, Diagnostic};
use coop::load::STANDARD_INPUT;
use coop::output::{CommandGuard, Escapes, guarded};
use coop::values::Date;

use crate::allocator::Tuned;
use crate::progress::Progress;

#[derive(Parser, Debug)]
#[command(name = "coop", version, about = "Check and evaluate cooperative procurement models", long_about = None)]
pub struct Arguments {
    #[command(subcommand)]
    command: Command,
    /// When to colour diagnostics: `auto` colours a terminal unless NO_COLOR is set or TERM is
    /// `dumb`, and any stream when FORCE_COLOR is set.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,
    /// Print findings and errors only: no summary, counts, notes or progress.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a model and judge its orders; print every finding.
    Check {
        /// `.coop` files, or directories whose `.coop` files form one model; the current
        /// directory by default; `-` alone reads one file from standard input.
        paths: Vec<PathBuf>,
        /// Judge orders as of this date (YYYY-MM-DD); today by default.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        /// How to print findings: for people, or for CI and code-scanning tools (default: text,
        /// or `[check] format` of coop.toml).
        #[arg(long, value_enum)]
        format: Option<CheckFormat>,
        /// `--deny warnings` makes warnings fail the check too.
        #[arg(long, value_enum)]
        deny: Option<Deny>,
        /// Print how many findings each rule made, on standard output, instead of the findings.
        #[arg(long)]
        statistics: bool,
        /// Fail only on findings this baseline file does not hold (`-` reads standard input).
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Record the findings in this file (`-` is standard output) as the baseline, and pass.
        #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
        write_baseline: Option<PathBuf>,
        /// Show progress from the start: a bar on a terminal; elsewhere, as in CI, a line per
        /// phase (read, checked, judged) with its count and time, on standard error.
        #[arg(long)]
        progress: bool,
    },
    /// List the rule packs shipped with coop, with their rules and citations; or show one pack,
    /// rule by rule: the text each quotes, its plain-language reading and its logic.
    Rules {
        /// A shipped pack's name, such as `us-wa`, or the path of a local pack file.
        pack: Option<String>,
        /// How to show the pack: for a terminal, as a Markdown or HTML page for review, or its
        /// source text.
        #[arg(long, value_enum, default_value_t = PackFormat::Text)]
        format: PackFormat,
        /// Write the page to this file (replaced atomically) instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the binding-obligation report of a model.
    Report {
        /// `.coop` files, or directories whose `.coop` files form one model; the current
        /// directory by default.
        paths: Vec<PathBuf>,
        /// The report's date (YYYY-MM-DD); orders after it are not counted. Today by default.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        /// The report's format (default: text, or `[report] format` of coop.toml).
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Contracts ending within this many days of the as-of date are listed first (default:
        /// 365, or `[report] horizon_days` of coop.toml).
        #[arg(long)]
        horizon_days: Option<u32>,
        /// Write the report to this file (replaced atomically) instead of standard output; `-`
        /// is standard output. Never an input of the model, a symbolic link or a device. For
        /// `--format csv`, the directory to write the tables into; for `xlsx`, required.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Show progress from the start: a bar on a terminal; elsewhere, as in CI, a line per
        /// phase (read, checked, judged) with its count and time, on standard error.
        #[arg(long)]
        progress: bool,
    },
    /// Lay `.coop` files out in Coop's one canonical layout, keeping every comment.
    Fmt {
        /// Files, or directories whose `.coop` files to format; the current directory by default.
        /// `-` formats standard input onto standard output.
        paths: Vec<PathBuf>,
        /// Change nothing; list the files that would change, and fail if any would.
        #[arg(long)]
        check: bool,
        /// Change nothing; print what would change, as a unified diff.
        #[arg(long)]
        diff: bool,
    },
    /// Run the tests written in the model's files (`test "name" { expect ... }`).
    Test {
        /// `.coop` files, or directories whose `.coop` files form one model; the current
        /// directory by default.
        paths: Vec<PathBuf>,
        /// Judge tests without their own date as of this date (YYYY-MM-DD); today by default.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        /// Run only the tests whose names contain this text.
        #[arg(long, default_value = "")]
        filter: String,
        /// The results' format (default: text, or `[test] format` of coop.toml).
        #[arg(long, value_enum)]
        format: Option<TestFormat>,
    },
    /// Show why an order was decided as it was, or why an agency is (not) bound to a contract.
    Why {
        /// A `.coop` file, or a directory whose `.coop` files form one model.
        path: PathBuf,
        /// An order's name; or an agency's name followed by a contract's.
        #[arg(required = true, num_args = 1..=2)]
        names: Vec<String>,
        /// Judge as of this date (YYYY-MM-DD); today by default.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        #[arg(long, value_enum, default_value_t = WhyFormat::Text)]
        format: WhyFormat,
    },
    /// Write a synthetic model of a cooperative program, for benchmarks and trials at scale.
    Generate {
        /// The directory to write `model.coop` and `orders.coop` (or `orders.csv`) into.
        #[arg(short, long, value_name = "DIRECTORY")]
        output: PathBuf,
        /// How many orders; agencies and contracts scale with it unless given.
        #[arg(long, default_value_t = 1_000)]
        orders: usize,
        #[arg(long)]
        agencies: Option<usize>,
        #[arg(long)]
        contracts: Option<usize>,
        /// The same seed always gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write the orders as a CSV ledger (`orders.csv`) instead of `order` declarations.
        #[arg(long)]
        ledger: bool,
    },
    /// Import procurement data published in another format as a model.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Serve an editor: a language server (LSP) on standard input and output.
    Lsp,
    /// Explain a diagnostic code; without a code, list every code.
    Explain {
        /// A code such as `access-not-in-force`.
        code: Option<String>,
    },
    /// Show what a change to a model changes: decisions, bindings, duties, volumes, findings.
    Diff {
        /// The version before: a path, or a git revision of the repository here (`main`,
        /// `HEAD~1`, a tag).
        base: String,
        /// The version after: a path (`.` is the working tree), or a git revision (`HEAD`).
        head: String,
        /// The model's paths, relative to each side (the current directory, for a revision);
        /// after `--`.
        #[arg(last = true)]
        paths: Vec<PathBuf>,
        /// Judge both versions as of this date (YYYY-MM-DD); the head's coop.toml, or today,
        /// by default.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        /// text, json, or markdown for a pull-request comment (default: text, or `[diff]
        /// format` of coop.toml).
        #[arg(long, value_enum)]
        format: Option<DiffFormat>,
        /// Exit 1 when the diff holds this (several may be given, separated by commas).
        #[arg(long, value_enum, value_delimiter = ',')]
        fail_on: Vec<FailOn>,
        /// Write the diff to this file (replaced atomically) instead of standard output; `-` is
        /// standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Show progress from the start: a bar on a terminal; elsewhere, as in CI, a line per
        /// phase (read, checked, judged) with its count and time, on standard error.
        #[arg(long)]
        progress: bool,
    },
    /// Print a script that completes coop's commands and flags in a shell.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print coop's manual page (roff), or a command's: `coop man > coop.1`,
    /// `coop man check > coop-check.1`.
    Man {
        /// A command, such as `check`, for its own page.
        command: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum ImportSource {
    /// OCDS release packages and record packages (JSON), as one model: each process's releases
    /// merged, parties as agencies, tenders as solicitations, awards as contracts, call-offs as
    /// orders. Every field not mapped is listed on standard error.
    Ocds {
        /// OCDS JSON files: release packages or record packages.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the model to this file (atomically) instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace the output file when it exists.
        #[arg(long)]
        force: bool,
        /// The kind of agency for parties that state none (OCDS has no such field): `city`,
        /// `county`, `state`, ...
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// The jurisdiction for parties whose identifier's scheme names no country: `US-WA`, `DK`.
        #[arg(long, value_name = "CODE")]
        jurisdiction: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
    /// JSON Lines: the run, then one object per order decision and per finding, then the counts.
    Jsonl,
    /// One self-contained page with charts.
    Html,
    /// For a pull-request comment or a wiki page.
    Markdown,
    /// An OCDS 1.1 release package, with Coop's extension (docs/ocds.md).
    Ocds,
    /// Four tables (orders, bindings, duties, volumes), a CSV file each, into the directory `-o`
    /// names.
    Csv,
    /// One Excel workbook, a sheet a table, into the file `-o` names.
    Xlsx,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum PackFormat {
    /// Rule by rule, for a terminal.
    Text,
    /// A page for a wiki or the docs (the pages of docs/rules/ are these).
    Markdown,
    /// One self-contained page for review.
    Html,
    /// The pack's source text.
    Coop,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// Diagnostics with source excerpts, on standard error.
    Text,
    /// Counts and findings as JSON, on standard output.
    Json,
    /// JSON Lines, on standard output: the run, one object per finding, then the counts.
    Jsonl,
    /// SARIF 2.1.0 for code scanning, on standard output.
    Sarif,
    /// GitHub Actions annotations, on standard output.
    Github,
    /// JUnit XML, one test case per order judged and per file, on standard output.
    Junit,
    /// One line per finding, `file:line:col: severity[rule]: message`, on standard output.
    Concise,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Text,
    Json,
    /// A pull-request comment, summarised to fit GitHub's limit.
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// An order denied in the head that was not denied in the base.
    NewlyDenied,
    /// An order newly denied, or a new finding that is an error.
    NewErrors,
    /// An order newly denied, or any new finding, errors and warnings.
    NewFindings,
    /// Any change in decisions, bindings, duties, volumes, findings or the model's text.
    AnyChange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum TestFormat {
    Text,
    Json,
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum WhyFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Deny {
    /// Warnings fail the check, as errors do.
    Warnings,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// Exit code: the model has no errors.
const SUCCESS: u8 = 0;
/// Exit code: the model has errors (syntax, checking, or denied orders for `check`), or
/// warnings under `--deny warnings`.
const ERRORS_FOUND: u8 = 1;
/// Exit code: a usage or I/O problem; nothing was checked.
const USAGE_OR_IO: u8 = 2;

/// Whether `--quiet` was given: notes, counts and summaries are not printed.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Starts showing a run's progress, as `--progress` (`asked`) and `--quiet` say; the allocator
/// is tuned to the phases as they go.
fn progress(asked: bool) -> Tuned<Progress> {
    Tuned::new(Progress::start(
        QUIET.load(std::sync::atomic::Ordering::Relaxed),
        asked,
    ))
}

pub fn run(arguments: Arguments) -> ExitCode {
    QUIET.store(arguments.quiet, std::sync::atomic::Ordering::Relaxed);
    let color = match arguments.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => color_by_environment(),
    };
    let code = match arguments.command {
        Command::Check {
            paths,
            as_of,
            format,
            deny,
            statistics,
            baseline,
            write_baseline,
            progress,
        } => match Setup::read(paths, color) {
            Ok(setup) => {
                let options = CheckOptions {
                    as_of: as_of.or(setup.as_of()),
                    format: setup.format("check", format).unwrap_or(CheckFormat::Text),
                    deny,
                    statistics,
                    // A baseline written now is not compared with.
                    baseline: baseline.or_else(|| {
                        let configured = setup.config.as_ref()?.baseline.as_deref()?;
                        write_baseline.is_none().then(|| from_here(configured))
                    }),
                    write_baseline,
                    progress,
                };
                check(&setup, options, color)
            }
            Err(code) => code,
        },
        Command::Report {
            paths,
            as_of,
            format,
            horizon_days,
            output,
            progress,
        } => match Setup::read(paths, color) {
            Ok(setup) => report(
                &setup,
                as_of.or(setup.as_of()),
                setup.format("report", format).unwrap_or(Format::Text),
                horizon_days
                    .or(setup.config.as_ref().and_then(|config| config.horizon_days))
                    .unwrap_or(coop::report::DEFAULT_HORIZON_DAYS),
                output.as_deref(),
                progress,
                color,
            ),
            Err(code) => code,
        },
        Command::Fmt { paths, check, diff } => {
            if paths.iter().any(|path| is_dash(path)) {
                if paths.len() == 1 {
                    format_standard_input(check, diff, color)
                } else {
                    usage_error(
                        "`-` (standard input) is formatted alone, not with files\n  help: run `coop fmt -` and `coop fmt FILES` apart",
                    )
                }
            } else {
                match Setup::read(paths, color) {
                    Ok(setup) => format_files(&setup, check, diff, color),
                    Err(code) => code,
                }
            }
        }
        Command::Test {
            paths,
            as_of,
            filter,
            format,
        } => match Setup::read(paths, color) {
            Ok(setup) => run_tests(
                &setup,
                as_of.or(setup.as_of()),
                &filter,
                setup.format("test", format).unwrap_or(TestFormat::Text),
                color,
            ),
            Err(code) => code,
        },
        Command::Why {
            path,
            names,
            as_of,
            format,
        } => match Setup::read(vec![path], color) {
            Ok(setup) => why(&setup, &names, as_of.or(setup.as_of()), format, color),
            Err(code) => code,
        },
        Command::Generate {
            output,
            orders,
            agencies,
            contracts,
            seed,
            ledger,
        } => {
            let sized = coop::generate::Settings::for_orders(orders, seed);
            let settings = coop::generate::Settings {
                agencies: agencies.unwrap_or(sized.agencies),
                contracts: contracts.unwrap_or(sized.contracts),
                ..sized
            };
            let format = if ledger {
                coop::generate::OrderFormat::Ledger
            } else {
                coop::generate::OrderFormat::Coop
            };
            generate(&output, settings, format)
        }
        Command::Import {
            source:
                ImportSource::Ocds {
                    files,
                    output,
                    force,
                    kind,
                    jurisdiction,
                },
        } => import_ocds(
            &files,
            output.as_deref(),
            force,
            coop::ocds::Options { kind, jurisdiction },
            color,
        ),
        Command::Explain { code } => explain(code.as_deref()),
        Command::Rules {
            pack,
            format,
            output,
        } => rules(pack.as_deref(), format, output.as_deref()),
        Command::Diff {
            base,
            head,
            paths,
            as_of,
            format,
            fail_on,
            output,
            progress,
        } => diff(
            &base,
            &head,
            &paths,
            DiffOptions {
                as_of,
                format,
                fail_on,
                output,
                progress,
            },
            color,
        ),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Arguments::command(), "coop", &mut script);
            write_stdout(&String::from_utf8_lossy(&script))
        }
        Command::Man { command } => manual_page(command.as_deref()),
        Command::Lsp => match coop::lsp::run_stdio() {
            Ok(()) => SUCCESS,
            Err(error) => usage_error(&format!("the language server stopped: {error}")),
        },
    };
    ExitCode::from(code)
}

/// What `coop check` was asked for, beyond the paths.
struct CheckOptions {
    as_of: Option<Date>,
    format: CheckFormat,
    deny: Option<Deny>,
    statistics: bool,
    baseline: Option<PathBuf>,
    write_baseline: Option<PathBuf>,
    /// `--progress`: show progress from the start.
    progress: bool,
}

fn check(setup: &Setup, options: CheckOptions, color: bool) -> u8 {
    let CheckOptions {
        as_of,
        format,
        deny,
        statistics,
        ..
    } = options;
    if statistics && !matches!(format, CheckFormat::Text | CheckFormat::Concise) {
        return usage_error(
            "--statistics counts findings instead of printing them; it goes with --format text or concise",
        );
    }
    let documentation = match documentation() {
        Ok(documentation) => documentation,
        Err(code) => return code,
    };
    // A baseline that cannot be read is refused before any work.
    let baseline = match options.baseline.as_deref().map(read_baseline).transpose() {
        Ok(baseline) => baseline,
        Err(code) => return code,
    };
    let progress = progress(options.progress);
    let loaded = match standard_input_named(&setup.paths) {
        Some(read) => read.map(coop::load::standard_input),
        None => setup.load(),
    };
    let mut sources = match loaded {
        Ok(sources) => sources,
        Err(code) => return code,
    };
    if let Some(path) = options
        .write_baseline
        .as_deref()
        .filter(|path| !is_dash(path))
    {
        let inputs = sources.files().map(|(_, file)| file.path.as_path());
        if let Err(refusal) = coop::output::check_target(path, inputs) {
            drop(progress);
            return usage_error(&format!(
                "{refusal}\n  help: name a new file with `--write-baseline`, or `-` for standard output"
            ));
        }
    }
    let (model, mut diagnostics) = coop::check_sources_observed(&mut sources, &progress);
    let as_of = as_of.unwrap_or_else(today);
    let mut evaluation = None;
    if let Some(model) = &model {
        let evaluated = coop::eval::evaluate_observed(model, as_of, &progress);
        diagnostics.extend(coop::evaluation_diagnostics(&evaluated));
        evaluation = Some(evaluated);
    }
    // The bar is cleared before anything else is written to the terminal.
    drop(progress);
    // Findings a waiver of the model accepts are set apart; then those a baseline holds. Both
    // need the checked model, which says what each finding is about.
    let mut waived = Vec::new();
    let mut known = 0;
    let mut fixed = Vec::new();
    if let Some(model) = &model {
        let (kept, set_aside) =
            coop::eval::waivers::Waivers::new(model, as_of).split(std::mem::take(&mut diagnostics));
        diagnostics = kept;
        waived = set_aside;
        // Where each of a million declarations is, only when a baseline needs it.
        let subjects = || coop::model::subjects::Subjects::of(model);
        if let Some(path) = &options.write_baseline {
            let recorded =
                coop::findings::baseline::Baseline::record(&diagnostics, &subjects(), &sources);
            return write_baseline(path, &recorded, diagnostics.len());
        }
        if let Some(baseline) = &baseline {
            let compared =
                baseline.compare(std::mem::take(&mut diagnostics), &subjects(), &sources);
            diagnostics = compared.new;
            known = compared.known;
            fixed = compared.fixed;
        }
    } else if options.write_baseline.is_some() {
        print_diagnostics(&diagnostics, &sources, color);
        write_stderr(&format!(
            "no baseline written: the model has {}\n  help: a baseline records the findings of a model that checks; fix these first\n",
            diagnostic::summary(&diagnostics)
        ));
        return ERRORS_FOUND;
    }
    let waived: Vec<coop::findings::Waived<'_>> = waived
        .iter()
        .filter_map(|(finding, index)| {
            let waiver = model.as_ref()?.waivers.get(*index)?;
            Some(coop::findings::Waived { finding, waiver })
        })
        .collect();
    // The GitHub format's own lines are workflow commands, their data escaped by the format.
    let escapes = match format {
        CheckFormat::Text | CheckFormat::Concise => Some(Escapes::Text),
        CheckFormat::Json | CheckFormat::Jsonl | CheckFormat::Sarif => Some(Escapes::Json),
        CheckFormat::Github => None,
        CheckFormat::Junit => Some(Escapes::Markup),
    };
    let rules = model.as_ref().map_or(&[][..], |model| &model.rules[..]);
    let machine_output = match format {
        _ if statistics => Some(coop::findings::statistics(&diagnostics)),
        CheckFormat::Text => None,
        CheckFormat::Concise => Some(coop::findings::to_concise(&diagnostics, &sources)),
        CheckFormat::Json | CheckFormat::Jsonl => {
            let waived = waived_findings(model.as_ref(), &sources, as_of, &waived);
            let ledgers = model
                .as_ref()
                .map(|model| coop::report::ledger_counts(&sources, model))
                .unwrap_or_default();
            Some(match format {
                CheckFormat::Jsonl => coop::findings::to_jsonl(
                    &coop::report::jsonl::check_run(&sources, as_of),
                    &diagnostics,
                    &waived,
                    &sources,
                    &ledgers,
                ),
                _ => coop::findings::to_json(&diagnostics, &waived, &sources, &ledgers),
            })
        }
        CheckFormat::Sarif => Some(coop::findings::to_sarif(
            &diagnostics,
            &waived,
            &sources,
            rules,
            documentation.as_deref(),
        )),
        CheckFormat::Github => Some(coop::findings::to_github(&diagnostics, &sources)),
        CheckFormat::Junit => {
            let judged: Vec<coop::model::OrderId> = evaluation
                .iter()
                .flat_map(|evaluation| &evaluation.judgments)
                .map(|judgment| judgment.order)
                .collect();
            Some(coop::findings::to_junit(
                &diagnostics,
                model.as_ref(),
                &judged,
                &sources,
            ))
        }
    };
    match machine_output {
        Some(output) => {
            if write_stdout_as(&output, escapes) != SUCCESS {
                return USAGE_OR_IO;
            }
        }
        None => print_diagnostics(&diagnostics, &sources, color),
    }
    note(&coop::findings::waived_text(&waived, &sources));
    let files = diagnostic::plural(sources.model_files().count(), "file");
    note(&format!(
        "checked {files}: {}\n",
        diagnostic::summary(&diagnostics)
    ));
    if !waived.is_empty() {
        note(&format!(
            "note: {} set aside by the model's waivers\n",
            diagnostic::plural(waived.len(), "finding")
        ));
    }
    if let Some(path) = &options.baseline {
        note(&baseline_summary(path, known, &fixed));
    }
    if let Some(model) = &model {
        note(&ledger_counts(&sources, model));
    }
    let later_orders = evaluation
        .as_ref()
        .map_or(0, |evaluation| evaluation.later_orders.len());
    if later_orders > 0 {
        let (orders, verb) = match later_orders {
            1 => ("1 order".to_string(), "was"),
            count => (format!("{count} orders"), "were"),
        };
        note(&format!(
            "note: {orders} dated after {as_of} {verb} not judged; give a later --as-of to judge them\n"
        ));
    }
    let warnings_fail = deny == Some(Deny::Warnings) && !diagnostics.is_empty();
    let code = if warnings_fail || diagnostics.iter().any(Diagnostic::is_error) {
        ERRORS_FOUND
    } else {
        SUCCESS
    };
    // The process ends here; freeing a million orders one by one would only delay it.
    std::mem::forget((model, evaluation, sources, diagnostics));
    code
}

/// The findings the model's waivers set aside, in the report's shape, each with its waiver.
fn waived_findings(
    model: Option<&coop::model::Model>,
    sources: &coop::source::SourceMap,
    as_of: Date,
    waived: &[coop::findings::Waived<'_>],
) -> Vec<coop::report::Finding> {
    let Some(model) = model else {
        return Vec::new();
    };
    let waivers = coop::eval::waivers::Waivers::new(model, as_of);
    waived
        .iter()
        .map(|waived| coop::report::waived_finding(sources, model, &waivers, waived.finding))
        .collect()
}

/// `-`, which stands for standard input or output.
fn is_dash(path: &std::path::Path) -> bool {
    path == std::path::Path::new("-")
}

/// Reads a baseline file, or standard input for `-`.
fn read_baseline(path: &std::path::Path) -> Result<coop::findings::baseline::Baseline, u8> {
    let text = if is_dash(path) {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map(|_| text)
            .map_err(|error| {
                usage_error(&format!(
                    "cannot read the baseline from standard input: {error}"
                ))
            })?
    } else {
        std::fs::read_to_string(path).map_err(|error| {
            usage_error(&format!(
                "cannot read the baseline `{}`: {error}\n  help: write one with `coop check --write-baseline {}`",
                coop::load::display_name(path),
                coop::load::display_name(path)
            ))
        })?
    };
    coop::findings::baseline::Baseline::parse(&text).map_err(|why| {
        usage_error(&format!(
            "`{}` is not a Coop baseline: {why}\n  help: write one with `coop check --write-baseline FILE`",
            coop::load::display_name(path)
        ))
    })
}

/// Writes a baseline to its file (atomically) or to standard output.
fn write_baseline(
    path: &std::path::Path,
    baseline: &coop::findings::baseline::Baseline,
    findings: usize,
) -> u8 {
    let json = baseline.to_json();
    if is_dash(path) {
        return write_stdout_as(&json, Some(Escapes::Json));
    }
    match coop::output::write_atomically(path, &guarded(&json, Escapes::Json)) {
        Ok(()) => {
            note(&format!(
                "recorded {} in the baseline {}\n",
                diagnostic::plural(findings, "finding"),
                coop::load::display_name(path)
            ));
            SUCCESS
        }
        Err(error) => usage_error(&format!(
            "cannot write `{}`: {error}",
            coop::load::display_name(path)
        )),
    }
}

/// What a baseline held back, and which of its findings are gone.
fn baseline_summary(
    path: &std::path::Path,
    known: usize,
    fixed: &[coop::findings::baseline::Entry],
) -> String {
    let mut text = format!(
        "note: {} held by the baseline {} not shown\n",
        diagnostic::plural(known, "finding"),
        coop::load::display_name(path)
    );
    let gone: usize = fixed.iter().map(|entry| entry.count).sum();
    if gone > 0 {
        text.push_str(&format!(
            "note: {} of the baseline no longer found; record the baseline again with --write-baseline to keep them from coming back unnoticed\n",
            diagnostic::plural(gone, "finding")
        ));
    }
    text
}

/// What `coop diff` was asked for, beyond its sides.
struct DiffOptions {
    as_of: Option<Date>,
    format: Option<DiffFormat>,
    fail_on: Vec<FailOn>,
    output: Option<PathBuf>,
    /// `--progress`: show progress from the start.
    progress: bool,
}

/// One side of `coop diff`: a path's model, or a revision's, checked out into a temporary
/// directory that lives as long as this.
struct DiffSide {
    label: String,
    setup: Setup,
    checkout: Option<coop::load::revision::Checkout>,
}

fn diff_side(argument: &str, paths: &[PathBuf], color: bool) -> Result<DiffSide, u8> {
    let given = std::path::Path::new(argument);
    let (home, checkout) = if given.exists() {
        (given.to_path_buf(), None)
    } else {
        let checkout = coop::load::revision::check_out(argument, paths)
            .map_err(|error| usage_error(&error.to_string()))?;
        (checkout.root().join(&checkout.here), Some(checkout))
    };
    let setup = if paths.is_empty() && home.is_dir() {
        Setup::read_from(Vec::new(), &home, color)?
    } else if paths.is_empty() {
        Setup::read(vec![home], color)?
    } else {
        Setup::read(paths.iter().map(|path| home.join(path)).collect(), color)?
    };
    Ok(DiffSide {
        label: argument.to_string(),
        setup,
        checkout,
    })
}

/// A side checked and judged; its errors printed when it does not check.
fn judged_side(
    side: &DiffSide,
    as_of: Date,
    color: bool,
    progress: &dyn coop::observe::Observer,
) -> Result<coop::diff::Side, u8> {
    let mut sources = side.setup.load()?;
    if let Some(checkout) = &side.checkout {
        // Files are shown by the revision and their path in the repository, not the
        // temporary directory they were read from.
        let root = format!("{}/", coop::load::display_name(checkout.root()));
        sources.rename_files(|name| {
            name.strip_prefix(&root)
                .map(|relative| format!("{}:{relative}", checkout.revision))
        });
    }
    let (model, checking) = coop::check_sources_observed(&mut sources, progress);
    let Some(model) = model else {
        print_diagnostics(&checking, &sources, color);
        write_stderr(&format!(
            "no diff: {} has {}\n",
            coop::values::printable(&side.label),
            diagnostic::summary(&checking)
        ));
        return Err(ERRORS_FOUND);
    };
    let evaluation = coop::eval::evaluate_observed(&model, as_of, progress);
    let horizon = side
        .setup
        .config
        .as_ref()
        .and_then(|config| config.horizon_days)
        .unwrap_or(coop::report::DEFAULT_HORIZON_DAYS);
    Ok(coop::diff::Side::of(
        side.label.clone(),
        &model,
        &evaluation,
        &sources,
        &checking,
        horizon,
    ))
}

fn diff(base: &str, head: &str, paths: &[PathBuf], options: DiffOptions, color: bool) -> u8 {
    let progress = progress(options.progress);
    let (base_side, head_side) =
        match (diff_side(base, paths, color), diff_side(head, paths, color)) {
            (Ok(base), Ok(head)) => (base, head),
            (Err(code), _) | (_, Err(code)) => return code,
        };
    // Refused before any work: an output must never replace an input, a link or a device.
    if let Some(path) = options.output.as_deref().filter(|path| !is_dash(path)) {
        let inputs: Vec<PathBuf> = [&base_side, &head_side]
            .iter()
            .filter_map(|side| side.setup.load_files().ok())
            .flat_map(|sources| {
                sources
                    .files()
                    .map(|(_, file)| file.path.clone())
                    .collect::<Vec<_>>()
            })
            .collect();
        if let Err(refusal) = coop::output::check_target(path, inputs.iter().map(PathBuf::as_path))
        {
            return usage_error(&format!(
                "{refusal}\n  help: name a new file with `-o`, or write to standard output with `-o -`"
            ));
        }
    }
    let as_of = options
        .as_of
        .or(head_side.setup.as_of())
        .or(base_side.setup.as_of())
        .unwrap_or_else(today);
    let (before, after) = match (
        judged_side(&base_side, as_of, color, &progress),
        judged_side(&head_side, as_of, color, &progress),
    ) {
        (Ok(before), Ok(after)) => (before, after),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let compared = coop::diff::compare(&before, &after);
    drop(progress);
    let format = options
        .format
        .or_else(|| head_side.setup.format("diff", None))
        .unwrap_or(DiffFormat::Text);
    let (text, escapes) = match format {
        DiffFormat::Text => (coop::diff::text(&compared), Escapes::Text),
        DiffFormat::Json => (compared.to_json(), Escapes::Json),
        DiffFormat::Markdown => (coop::diff::markdown(&compared), Escapes::Markdown),
    };
    let written = write_output(options.output.as_deref(), escapes, |out| {
        out.write_all(text.as_bytes())
    });
    if written != SUCCESS {
        return written;
    }
    let failing: Vec<FailOn> = options
        .fail_on
        .iter()
        .copied()
        .filter(|fail_on| {
            compared.fails(match fail_on {
                FailOn::NewlyDenied => coop::diff::FailOn::NewlyDenied,
                FailOn::NewErrors => coop::diff::FailOn::NewErrors,
                FailOn::NewFindings => coop::diff::FailOn::NewFindings,
                FailOn::AnyChange => coop::diff::FailOn::AnyChange,
            })
        })
        .collect();
    if failing.is_empty() {
        SUCCESS
    } else {
        let names: Vec<String> = failing
            .iter()
            .filter_map(|fail_on| Some(fail_on.to_possible_value()?.get_name().to_string()))
            .collect();
        note(&format!("coop diff fails on: {}\n", names.join(", ")));
        ERRORS_FOUND
    }
}

/// Whether `--color auto` colours: never when `NO_COLOR` is set (not empty), which wins over
/// everything; always when `FORCE_COLOR` is set (not empty, `0` or `false`), as in CI logs that
/// show colour; otherwise when standard error is a terminal that is not `TERM=dumb`.
fn color_by_environment() -> bool {
    let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    if set("NO_COLOR").is_some() {
        return false;
    }
    if let Some(force) = set("FORCE_COLOR") {
        return force != "0" && force != "false";
    }
    std::io::stderr().is_terminal() && set("TERM").is_none_or(|term| term != "dumb")
}

/// Where Coop's `docs/` folder is published, for code scanning's links to each rule's page:
/// `COOP_DOCUMENTATION` when set (a fork's or a mirror's), else the repository coop was built
/// from, at its version; unknown when neither is.
fn documentation() -> Result<Option<String>, u8> {
    match std::env::var("COOP_DOCUMENTATION") {
        Ok(url) if url.is_empty() => Ok(None),
        Ok(url) if url.starts_with("https://") || url.starts_with("http://") => {
            Ok(Some(url.trim_end_matches('/').to_string()))
        }
        Ok(url) => Err(usage_error(&format!(
            "COOP_DOCUMENTATION is `{}`, not an http or https URL\n  help: set it to where Coop's docs/ folder is published, such as the repository's `.../blob/v1.0.0/docs`",
            coop::values::printable(&url)
        ))),
        Err(_) => {
            let repository = env!("CARGO_PKG_REPOSITORY");
            Ok((!repository.is_empty())
                .then(|| format!("{repository}/blob/v{}/docs", env!("CARGO_PKG_VERSION"))))
        }
    }
}

/// Why `path` may not take the report in `format`, if it may not: a file or, for tables, a
/// directory that is a link, a device or one of `inputs`.
fn refused_target(
    path: &std::path::Path,
    format: Format,
    inputs: &[&std::path::Path],
) -> Result<(), String> {
    match format {
        Format::Csv => {
            let files = csv_files();
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            coop::output::check_directory_target(path, &files, inputs).map_err(|refusal| {
                format!("{refusal}\n  help: name a directory for the tables with `-o`, apart from the model's files")
            })
        }
        _ => coop::output::check_target(path, inputs.iter().copied()).map_err(|refusal| {
            format!("{refusal}\n  help: name a new file with `-o`, or write to standard output with `-o -`")
        }),
    }
}

fn report(
    setup: &Setup,
    as_of: Option<Date>,
    format: Format,
    horizon_days: u32,
    output: Option<&std::path::Path>,
    progress: bool,
    color: bool,
) -> u8 {
    let target = output.filter(|path| !is_dash(path));
    // Tables and a workbook are files, never standard output: four tables are not one stream,
    // and a workbook is binary, which no terminal or CI log should receive.
    match (format, target) {
        (Format::Csv, None) => {
            return usage_error(&format!(
                "`--format csv` writes {} files ({}), not standard output\n  help: name the directory to write them into with `-o DIRECTORY`",
                coop::report::spreadsheet::TABLES.len(),
                csv_files().join(", ")
            ));
        }
        (Format::Xlsx, None) => {
            return usage_error(
                "`--format xlsx` writes a workbook, which is binary, not standard output\n  help: name the file to write it to with `-o FILE`, such as `-o report.xlsx`",
            );
        }
        _ => {}
    }
    // Refused before any work: an output must never replace a link, a device or a directory.
    if let Some(path) = target
        && let Err(message) = refused_target(path, format, &[])
    {
        return usage_error(&message);
    }
    let progress = self::progress(progress);
    let (sources, model, warnings) = match checked_model(setup, color, "no report", &progress) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    // Refused again now that the model's files are known: an output must never replace one.
    if let Some(path) = target {
        let inputs: Vec<&std::path::Path> = sources
            .files()
            .map(|(_, file)| file.path.as_path())
            .collect();
        if let Err(message) = refused_target(path, format, &inputs) {
            drop(progress);
            return usage_error(&message);
        }
    }
    let evaluation = coop::eval::evaluate_observed(&model, as_of.unwrap_or_else(today), &progress);
    let written = match format {
        // JSON Lines, and JSON's orders, are made from the model and the evaluation as they
        // are written: a large program's orders are never held as report data at once.
        Format::Jsonl | Format::Json => {
            drop(progress);
            print_diagnostics(&warnings, &sources, color);
            note(&ledger_counts(&sources, &model));
            write_output(output, Escapes::Json, |out| match format {
                Format::Jsonl => {
                    coop::report::jsonl::write(&model, &evaluation, &sources, &warnings, out)
                }
                _ => coop::report::write_json_of(
                    &model,
                    &evaluation,
                    &sources,
                    &warnings,
                    horizon_days,
                    out,
                ),
            })
        }
        _ => {
            let report =
                coop::report::build(&model, &evaluation, &sources, &warnings, horizon_days);
            drop(progress);
            print_diagnostics(&warnings, &sources, color);
            note(&ledger_counts(&sources, &model));
            let written = write_report(format, output, &model, &report, &sources);
            // Left to the end of the process, as the model is below.
            std::mem::forget(report);
            written
        }
    };
    // Ledger rows that could not be counted are errors: the report is written without them, and
    // the exit code says that it is incomplete.
    let code = match written {
        SUCCESS if warnings.iter().any(Diagnostic::is_error) => ERRORS_FOUND,
        code => code,
    };
    // The process ends here; freeing a million orders one by one would only delay it.
    std::mem::forget((model, evaluation, sources, warnings));
    code
}

/// Writes the report data in a format made from it (all but JSON and JSON Lines), to `output`.
fn write_report(
    format: Format,
    output: Option<&std::path::Path>,
    model: &coop::model::Model,
    report: &coop::report::Report,
    sources: &coop::source::SourceMap,
) -> u8 {
    match (format, output.filter(|path| !is_dash(path))) {
        (Format::Text, _) => write_output(output, Escapes::Text, |out| {
            out.write_all(coop::report::text::render(report).as_bytes())
        }),
        (Format::Html, _) => write_output(output, Escapes::Markup, |out| {
            out.write_all(coop::report::html::render(report).as_bytes())
        }),
        (Format::Markdown, _) => write_output(output, Escapes::Markdown, |out| {
            out.write_all(coop::report::markdown::render(report).as_bytes())
        }),
        (Format::Ocds, _) => write_output(output, Escapes::Json, |out| {
            let package = coop::ocds::export(model, report, sources);
            serde_json::to_writer_pretty(&mut *out, &package)
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
        }),
        (Format::Csv, Some(directory)) => write_tables(directory, report),
        (Format::Xlsx, Some(path)) => write_workbook(path, report),
        // Refused before the model was read; JSON and JSON Lines are written by `report` itself.
        (Format::Csv | Format::Xlsx, None) | (Format::Json | Format::Jsonl, _) => USAGE_OR_IO,
    }
}

/// The files `--format csv` writes, a table each.
fn csv_files() -> Vec<String> {
    coop::report::spreadsheet::TABLES
        .iter()
        .map(|table| format!("{table}.csv"))
        .collect()
}

/// Writes the report's tables as CSV files into `directory`, all or none.
fn write_tables(directory: &std::path::Path, report: &coop::report::Report) -> u8 {
    let files = coop::report::spreadsheet::tables(report)
        .into_iter()
        .map(|table| {
            (format!("{}.csv", table.name), |out: &mut dyn Write| {
                coop::report::spreadsheet::write_csv(table, out)
            })
        });
    match coop::output::write_files_atomically(directory, files) {
        Ok(()) => SUCCESS,
        Err(error) => usage_error(&format!(
            "cannot write the tables into `{}`: {error}",
            coop::load::display_name(directory)
        )),
    }
}

/// Writes the report's tables as one workbook to `path`, replaced atomically.
fn write_workbook(path: &std::path::Path, report: &coop::report::Report) -> u8 {
    let workbook = match coop::report::spreadsheet::workbook(report) {
        Ok(workbook) => workbook,
        Err(error @ coop::report::spreadsheet::WorkbookError::TooManyRows { .. }) => {
            return usage_error(&format!(
                "cannot make the workbook: {error}\n  help: write the tables as CSV files, which hold any number of rows, with `--format csv -o DIRECTORY`"
            ));
        }
        Err(error) => return usage_error(&format!("cannot make the workbook: {error}")),
    };
    match coop::output::write_atomically_with(path, |out| out.write_all(&workbook)) {
        Ok(()) => SUCCESS,
        Err(error) => usage_error(&format!(
            "cannot write `{}`: {error}",
            coop::load::display_name(path)
        )),
    }
}

/// `coop fmt -`: formats standard input onto standard output, as editors and pre-commit hooks
/// call a formatter; with `--check` or `--diff`, prints only what would change, and fails if
/// anything would. Text that does not parse is not passed on: nothing is printed but its error.
fn format_standard_input(check: bool, diff: bool, color: bool) -> u8 {
    let bytes = match read_standard_input() {
        Ok(bytes) => bytes,
        Err(code) => return code,
    };
    let mut sources = coop::source::SourceMap::new();
    let id = sources.add_bytes(STANDARD_INPUT, PathBuf::from("-"), bytes);
    let formatted = match coop::syntax::format(&sources, id) {
        Ok(formatted) => formatted,
        Err(diagnostic) => {
            print_diagnostics(&[*diagnostic], &sources, color);
            write_stderr(&format!("not formatted: {STANDARD_INPUT}\n"));
            return ERRORS_FOUND;
        }
    };
    let file = sources.file(id);
    let changes = formatted != *file.text || file.had_lone_carriage_returns;
    let written = if diff {
        let patch = similar::TextDiff::from_lines(&*file.text, &formatted)
            .unified_diff()
            .header(STANDARD_INPUT, STANDARD_INPUT)
            .to_string();
        write_stdout(&patch)
    } else if check {
        write_stdout(&if changes {
            format!("would reformat {STANDARD_INPUT}\n")
        } else {
            String::new()
        })
    } else {
        write_stdout(&formatted)
    };
    match written {
        SUCCESS if (check || diff) && changes => ERRORS_FOUND,
        code => code,
    }
}

fn format_files(setup: &Setup, check: bool, diff: bool, color: bool) -> u8 {
    let sources = match setup.load_files() {
        Ok(sources) => sources,
        Err(code) => return code,
    };
    let mut failed = false;
    let mut would_change = Vec::new();
    for (id, file) in sources.files() {
        let formatted = match coop::syntax::format(&sources, id) {
            Ok(formatted) => formatted,
            Err(diagnostic) => {
                print_diagnostics(&[*diagnostic], &sources, color);
                write_stderr(&format!("not formatted: {}\n", file.name));
                failed = true;
                continue;
            }
        };
        // A file whose lines end in a lone `\r` was read with `\n` there; it changes.
        if formatted == *file.text && !file.had_lone_carriage_returns {
            continue;
        }
        would_change.push(file.name.clone());
        if diff {
            let patch = similar::TextDiff::from_lines(&*file.text, &formatted)
                .unified_diff()
                .header(&file.name, &file.name)
                .to_string();
            if write_stdout(&patch) != SUCCESS {
                return USAGE_OR_IO;
            }
        } else if check {
            if write_stdout(&format!("would reformat {}\n", file.name)) != SUCCESS {
                return USAGE_OR_IO;
            }
        } else if let Err(refusal) = coop::output::check_target(&file.path, []) {
            write_stderr(&format!(
                "error: not formatted: {refusal}\n  help: format the file it stands for by its own path\n"
            ));
            failed = true;
        } else if let Err(error) = coop::output::write_atomically(&file.path, &formatted) {
            return usage_error(&format!("cannot write `{}`: {error}", file.name));
        } else {
            note(&format!("formatted {}\n", file.name));
        }
    }
    // `--check` and `--diff` both ask whether anything would change, and answer with the code.
    if failed || ((check || diff) && !would_change.is_empty()) {
        ERRORS_FOUND
    } else {
        SUCCESS
    }
}

/// When the paths are `-` alone, standard input's bytes (or the exit code of failing to read
/// them); `None` for any other paths.
fn standard_input_named(paths: &[PathBuf]) -> Option<Result<Vec<u8>, u8>> {
    if paths != [PathBuf::from("-")] {
        return None;
    }
    Some(read_standard_input())
}

/// Standard input's bytes, or the exit code of failing to read them: more than a file may hold
/// ([`coop::source::LARGEST_FILE`]) is refused as a larger file is.
fn read_standard_input() -> Result<Vec<u8>, u8> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(coop::source::LARGEST_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| usage_error(&format!("cannot read standard input: {error}")))?;
    if bytes.len() as u64 > coop::source::LARGEST_FILE {
        return Err(usage_error(&format!(
            "standard input is more than 4 GiB ({} bytes), more than Coop reads in one file\n  help: split the model into files and give coop their directory",
            coop::source::LARGEST_FILE
        )));
    }
    Ok(bytes)
}

fn run_tests(
    setup: &Setup,
    as_of: Option<Date>,
    filter: &str,
    format: TestFormat,
    color: bool,
) -> u8 {
    let (sources, model, _) =
        match checked_model(setup, color, "no tests run", &coop::observe::Unobserved) {
            Ok(checked) => checked,
            Err(code) => return code,
        };
    let outcomes = coop::eval::expectations::run_tests(&model, as_of.unwrap_or_else(today), filter);
    if outcomes.is_empty() {
        if filter.is_empty() {
            note("the model has no tests\n");
        } else {
            // A filter that matches nothing is most likely mistyped: a CI job must not pass on it.
            write_stderr(&format!("no test's name contains `{filter}`\n"));
            return ERRORS_FOUND;
        }
    }
    let results = coop::report::test_results::results(&outcomes, &sources);
    let output = match format {
        TestFormat::Text => coop::report::test_results::text(&results),
        TestFormat::Json => coop::report::test_results::json(&results),
        TestFormat::Junit => coop::report::test_results::junit(&results),
    };
    let escapes = match format {
        TestFormat::Text => Escapes::Text,
        TestFormat::Json => Escapes::Json,
        TestFormat::Junit => Escapes::Markup,
    };
    match write_stdout_as(&output, Some(escapes)) {
        SUCCESS if results.failed > 0 => ERRORS_FOUND,
        code => code,
    }
}

fn why(setup: &Setup, names: &[String], as_of: Option<Date>, format: WhyFormat, color: bool) -> u8 {
    let (sources, model, _) = match checked_model(
        setup,
        color,
        "nothing to explain",
        &coop::observe::Unobserved,
    ) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let evaluation = coop::eval::evaluate_explained(&model, as_of.unwrap_or_else(today));
    let text = match names {
        [order] => {
            let Some(explanation) = coop::report::why::order(&model, &evaluation, &sources, order)
            else {
                let names = model
                    .orders
                    .iter()
                    .map(|order| order.header.name.value.as_str());
                return unknown_name("order", order, names);
            };
            match format {
                WhyFormat::Text => coop::report::why::order_text(&explanation),
                WhyFormat::Json => to_json(&explanation),
            }
        }
        [agency, contract] => {
            let Some(agency_id) = model
                .agencies
                .iter()
                .position(|declared| declared.header.name.value == *agency)
            else {
                let names = model
                    .agencies
                    .iter()
                    .map(|agency| agency.header.name.value.as_str());
                return unknown_name("agency", agency, names);
            };
            let Some(contract_id) = model
                .contracts
                .iter()
                .position(|declared| declared.header.name.value == *contract)
            else {
                let names = model
                    .contracts
                    .iter()
                    .map(|contract| contract.header.name.value.as_str());
                return unknown_name("contract", contract, names);
            };
            let explanation = coop::report::why::binding(
                &model,
                &evaluation,
                &sources,
                coop::model::AgencyId(agency_id),
                coop::model::ContractId(contract_id),
            );
            match format {
                WhyFormat::Text => coop::report::why::binding_text(&explanation),
                WhyFormat::Json => to_json(&explanation),
            }
        }
        _ => return usage_error("name an order, or an agency and a contract"),
    };
    let escapes = match format {
        WhyFormat::Text => Escapes::Text,
        WhyFormat::Json => Escapes::Json,
    };
    write_stdout_as(&text, Some(escapes))
}

fn unknown_name<'a>(kind: &str, name: &str, candidates: impl Iterator<Item = &'a str>) -> u8 {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let help = match coop::check::suggest(name, candidates) {
        Some(candidate) => format!(
            "did you mean `{candidate}`? `coop why` takes an order, or an agency and a contract"
        ),
        None => format!(
            "name {article} {kind} the model declares; `coop why` takes an order, or an agency and a contract"
        ),
    };
    usage_error(&format!(
        "the model has no {kind} `{}`\n  help: {help}",
        coop::values::printable(name)
    ))
}

fn to_json(value: &impl serde::Serialize) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(json) => json + "\n",
        Err(error) => unreachable!("explanations are plain data and always serialise: {error}"),
    }
}

/// `coop rules`: the shipped packs, each with its parameters and its rules' citations; or one
/// pack, shipped or local, as the page its format makes.
fn rules(pack: Option<&str>, format: PackFormat, output: Option<&std::path::Path>) -> u8 {
    let Some(name) = pack else {
        let mut listing = String::new();
        for pack in coop::packs::SHIPPED {
            let Some(summary) = pack.summary() else {
                continue;
            };
            listing.push_str(&format!(
                "{}  {}\n",
                summary.name,
                summary.title.as_deref().unwrap_or("")
            ));
            for (parameter, default) in &summary.parameters {
                listing.push_str(&format!("  parameter {parameter} = {default}\n"));
            }
            for rule in &summary.rules {
                listing.push_str(&format!(
                    "  {:<32} {}\n",
                    rule.id,
                    rule.citation.as_deref().unwrap_or("(no citation)")
                ));
            }
            listing.push('\n');
        }
        listing.push_str("Use a pack with `use rules NAME` in a model file; `coop rules NAME` shows it, rule by rule.\nThe packs are not legal advice.\n");
        return write_stdout(&listing);
    };
    let (name, text, file) = match pack_text(name) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let literate = || {
        coop::literate::LiteratePack::read(&name, &text).ok_or_else(|| {
            usage_error(&format!(
                "`{}` is not a rule pack Coop can read\n  help: `coop check` a model that uses it to see what is wrong",
                coop::values::printable(&name)
            ))
        })
    };
    let page = match format {
        PackFormat::Coop => Ok(text.clone()),
        PackFormat::Text => literate().map(|pack| coop::literate::text(&pack)),
        PackFormat::Markdown => literate().map(|pack| coop::literate::markdown(&pack)),
        PackFormat::Html => literate().map(|pack| coop::literate::html(&pack)),
    };
    let page = match page {
        Ok(page) => page,
        Err(code) => return code,
    };
    let escapes = match format {
        PackFormat::Text | PackFormat::Coop => Escapes::Text,
        PackFormat::Markdown => Escapes::Markdown,
        PackFormat::Html => Escapes::Markup,
    };
    match output.filter(|path| *path != std::path::Path::new("-")) {
        Some(path) => {
            if let Err(refusal) = coop::output::check_target(path, file.as_deref()) {
                return usage_error(&format!(
                    "{refusal}\n  help: name a new file with `-o`, or write to standard output with `-o -`"
                ));
            }
            match coop::output::write_atomically(path, &guarded(&page, escapes)) {
                Ok(()) => SUCCESS,
                Err(error) => usage_error(&format!(
                    "cannot write `{}`: {error}",
                    coop::load::display_name(path)
                )),
            }
        }
        None => write_stdout_as(&page, Some(escapes)),
    }
}

/// A pack's name and text, and its file when it has one: a shipped pack by its name, or a local
/// pack file by its path (a name ending in `.coop`, or holding a `/`).
fn pack_text(name: &str) -> Result<(String, String, Option<PathBuf>), u8> {
    if name.ends_with(".coop") || name.contains('/') || name.contains('\\') {
        let path = std::path::Path::new(name);
        return match std::fs::read_to_string(path) {
            Ok(text) => Ok((
                path.file_stem().map_or_else(
                    || name.to_string(),
                    |stem| stem.to_string_lossy().into_owned(),
                ),
                text,
                Some(path.to_path_buf()),
            )),
            Err(error) => Err(usage_error(&format!(
                "cannot read `{}`: {error}",
                coop::load::display_name(path)
            ))),
        };
    }
    match coop::packs::shipped(name) {
        Some(pack) => Ok((pack.name.to_string(), pack.text.to_string(), None)),
        None => {
            let names = coop::packs::SHIPPED.iter().map(|pack| pack.name);
            let help = match coop::check::suggest(name, names) {
                Some(candidate) => format!("did you mean `{candidate}`?"),
                None => "run `coop rules` to list the shipped packs, or name a local pack's `.coop` file".to_string(),
            };
            Err(usage_error(&format!(
                "coop ships no rule pack `{}`\n  help: {help}",
                coop::values::printable(name)
            )))
        }
    }
}

fn generate(
    directory: &std::path::Path,
    settings: coop::generate::Settings,
    format: coop::generate::OrderFormat,
) -> u8 {
    // A program is written into a directory of its own: never over a user's files, and never
    // beside the other format's orders, which the directory's model would then read too.
    let existing = ["model.coop", "orders.coop", "orders.csv"]
        .into_iter()
        .map(|name| directory.join(name))
        .find(|path| path.exists());
    if let Some(path) = existing {
        return usage_error(&format!(
            "`{}` exists; coop generate writes into a new or empty directory\n  help: give another directory with `-o`, or remove the old program first",
            path.display()
        ));
    }
    if let Err(error) = std::fs::create_dir_all(directory) {
        return usage_error(&format!("cannot create `{}`: {error}", directory.display()));
    }
    let generated = coop::generate::generate(settings, format);
    let files = [
        ("model.coop", &generated.model),
        (coop::generate::orders_file_name(format), &generated.orders),
    ];
    for (name, text) in files {
        let path = directory.join(name);
        if let Err(error) = coop::output::write_atomically(&path, text) {
            return usage_error(&format!("cannot write `{}`: {error}", path.display()));
        }
    }
    note(&format!(
        "wrote {} agencies, {} contracts and {} orders to {}; judge them with --as-of {}\n",
        settings.agencies,
        settings.contracts,
        settings.orders,
        directory.display(),
        coop::generate::AS_OF
    ));
    SUCCESS
}

fn explain(code: Option<&str>) -> u8 {
    match code {
        None => {
            let mut listing = String::new();
            for code in Code::ALL {
                listing.push_str(&format!(
                    "{:<28} {:<8} {}\n",
                    code.name(),
                    code.severity(),
                    code.summary()
                ));
            }
            write_stdout(&listing)
        }
        Some(name) => match Code::from_name(name) {
            Some(code) => write_stdout(code.explanation()),
            None => {
                let names = Code::ALL.iter().map(|code| code.name());
                let help = match coop::check::suggest(name, names) {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None => "run `coop explain` to list every code".to_string(),
                };
                usage_error(&format!(
                    "no diagnostic code `{}`\n  help: {help}",
                    coop::values::printable(name)
                ))
            }
        },
    }
}

/// `coop import ocds`: the files read, imported, laid out and checked; the model written to the
/// output (never over an existing file unless `--force`, never over an input), and every field
/// not mapped listed.
fn import_ocds(
    files: &[PathBuf],
    output: Option<&std::path::Path>,
    force: bool,
    options: coop::ocds::Options,
    color: bool,
) -> u8 {
    let output = output.filter(|path| *path != std::path::Path::new("-"));
    if let Some(path) = output {
        if let Err(refusal) = coop::output::check_target(path, files.iter().map(PathBuf::as_path)) {
            return usage_error(&format!(
                "{refusal}\n  help: name a new file with `-o`, or write to standard output"
            ));
        }
        if path.exists() && !force {
            return usage_error(&format!(
                "`{}` exists; coop import does not replace a file unless asked\n  help: give `--force` to replace it, or name a new file with `-o`",
                coop::load::display_name(path)
            ));
        }
    }
    let mut inputs = Vec::with_capacity(files.len());
    for path in files {
        match std::fs::read_to_string(path) {
            Ok(text) => inputs.push(coop::ocds::Input {
                name: coop::load::display_name(path),
                text,
            }),
            Err(error) => {
                return usage_error(&format!(
                    "cannot read `{}`: {error}",
                    coop::load::display_name(path)
                ));
            }
        }
    }
    let imported = match coop::ocds::import(&inputs, &options) {
        Ok(imported) => imported,
        Err(error) => {
            write_stderr(&format!("error: {error}\n"));
            return ERRORS_FOUND;
        }
    };
    // The model is checked as the file it will be.
    let name = output.map_or_else(|| "imported.coop".to_string(), coop::load::display_name);
    let mut sources = coop::source::SourceMap::new();
    let path = output.map_or_else(
        || PathBuf::from("imported.coop"),
        std::path::Path::to_path_buf,
    );
    sources.add(name.clone(), path, imported.text.clone());
    let (_, diagnostics) = coop::check_sources(&mut sources);
    for note in &imported.notes {
        write_stderr(&format!("{note}\n"));
    }
    let written = match output {
        Some(path) => match coop::output::write_atomically(path, &imported.text) {
            Ok(()) => SUCCESS,
            Err(error) => usage_error(&format!("cannot write `{name}`: {error}")),
        },
        None => write_stdout_as(&imported.text, Some(Escapes::Text)),
    };
    print_diagnostics(&diagnostics, &sources, color);
    let not_mapped = imported
        .notes
        .iter()
        .filter(|note| matches!(note.kind, coop::ocds::NoteKind::NotMapped { .. }))
        .count();
    let left_out = imported
        .notes
        .iter()
        .filter(|note| note.kind.is_loss())
        .count();
    write_stderr(&format!(
        "imported {} into {name}: {} not mapped, {} left out; checked: {}\n",
        diagnostic::plural(inputs.len(), "file"),
        diagnostic::plural(not_mapped, "field"),
        left_out,
        diagnostic::summary(&diagnostics)
    ));
    match written {
        SUCCESS if left_out > 0 || diagnostics.iter().any(Diagnostic::is_error) => ERRORS_FOUND,
        code => code,
    }
}

/// `coop man`: the manual page of coop, or of one of its commands (`coop-check(1)`), made from
/// the same definitions as `--help`, so it always describes the binary that prints it.
fn manual_page(command: Option<&str>) -> u8 {
    let coop = Arguments::command();
    let page = match command {
        None => coop,
        Some(name) => match coop.find_subcommand(name) {
            Some(subcommand) => subcommand
                .clone()
                .display_name(format!("coop-{name}"))
                .bin_name(format!("coop {name}"))
                .version(env!("CARGO_PKG_VERSION")),
            None => {
                let names: Vec<String> = coop
                    .get_subcommands()
                    .map(|subcommand| subcommand.get_name().to_string())
                    .collect();
                let help = match coop::check::suggest(name, names.iter().map(String::as_str)) {
                    Some(candidate) => format!("did you mean `{candidate}`?"),
                    None => format!("name one of: {}", names.join(", ")),
                };
                return usage_error(&format!(
                    "coop has no command `{}`\n  help: {help}",
                    coop::values::printable(name)
                ));
            }
        },
    };
    let mut roff = Vec::new();
    match clap_mangen::Man::new(page).render(&mut roff) {
        Ok(()) => write_stdout(&String::from_utf8_lossy(&roff)),
        Err(error) => usage_error(&format!("cannot write the manual page: {error}")),
    }
}

/// The model a command reads: the paths given (else those of its `coop.toml`, else the current
/// directory), and its `coop.toml`, when it has one.
struct Setup {
    paths: Vec<PathBuf>,
    config: Option<coop::config::Config>,
}

impl Setup {
    /// Finds and reads the model's `coop.toml`; a problem in it is printed, and the exit code
    /// returned.
    fn read(paths: Vec<PathBuf>, color: bool) -> Result<Setup, u8> {
        Setup::read_from(paths, std::path::Path::new("."), color)
    }

    /// As [`Setup::read`], for a model whose home (its directory when no path is given) is
    /// `home`: a side of `coop diff`.
    fn read_from(paths: Vec<PathBuf>, home: &std::path::Path, color: bool) -> Result<Setup, u8> {
        let config = match coop::config::find(&paths, home) {
            Some(path) => {
                let shown_as = coop::load::display_name(&from_here(&path));
                let commands = config_commands();
                match coop::config::read(
                    &path,
                    &shown_as,
                    &coop::config::Commands { formats: &commands },
                ) {
                    Ok(config) => Some(config),
                    Err(unread) => {
                        let coop::config::Unread {
                            sources,
                            diagnostics,
                        } = *unread;
                        print_diagnostics(&diagnostics, &sources, color);
                        write_stderr(&format!(
                            "nothing done: {shown_as} has {}\n",
                            diagnostic::summary(&diagnostics)
                        ));
                        return Err(USAGE_OR_IO);
                    }
                }
            }
            None => None,
        };
        let paths = match (paths.is_empty(), &config) {
            (false, _) => paths,
            (true, Some(config)) if !config.paths.is_empty() => {
                config.paths.iter().map(|path| from_here(path)).collect()
            }
            (true, _) => vec![home.to_path_buf()],
        };
        Ok(Setup { paths, config })
    }

    fn as_of(&self) -> Option<Date> {
        self.config.as_ref()?.as_of
    }

    /// The format given, else the one `coop.toml` sets for `command`.
    fn format<F: ValueEnum>(&self, command: &str, given: Option<F>) -> Option<F> {
        given.or_else(|| {
            let name = self.config.as_ref()?.formats.get(command)?;
            F::from_str(name, false).ok()
        })
    }

    /// The model's files, without `coop.toml`: what `fmt` formats.
    fn load_files(&self) -> Result<coop::source::SourceMap, u8> {
        let exclusions = match &self.config {
            Some(config) => coop::load::Exclusions::new(&config.directory, &config.exclude)
                .map_err(|why| {
                    usage_error(&format!("cannot leave out what coop.toml excludes: {why}"))
                })?,
            None => coop::load::Exclusions::default(),
        };
        coop::load::load_excluding(&self.paths, &exclusions)
            .map_err(|error| usage_error(&error.to_string()))
    }

    /// The model's files, and its `coop.toml`, whose pack parameters checking reads.
    fn load(&self) -> Result<coop::source::SourceMap, u8> {
        let mut sources = self.load_files()?;
        if let Some(config) = &self.config {
            sources.add_config(
                config.shown_as.clone(),
                config.path.clone(),
                config.text.clone(),
            );
        }
        Ok(sources)
    }
}

/// A path of `coop.toml` (resolved against its directory) as a path given on the command line
/// would be: relative to where coop runs, when it is below it.
fn from_here(path: &std::path::Path) -> PathBuf {
    let here = std::env::current_dir().unwrap_or_default();
    match path.strip_prefix(&here) {
        Ok(relative) if relative.as_os_str().is_empty() => PathBuf::from("."),
        Ok(relative) => relative.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

/// The commands `coop.toml` sets formats of, each with its formats.
fn config_commands() -> Vec<(&'static str, Vec<String>)> {
    fn names<F: ValueEnum>() -> Vec<String> {
        F::value_variants()
            .iter()
            .filter_map(|variant| Some(variant.to_possible_value()?.get_name().to_string()))
            .collect()
    }
    vec![
        ("check", names::<CheckFormat>()),
        ("report", names::<Format>()),
        ("test", names::<TestFormat>()),
        ("diff", names::<DiffFormat>()),
    ]
}

/// Loads and checks the model a command needs, with the warnings found; when it cannot, says why
/// (`refusal` says what the command did not do) and gives the exit code.
fn checked_model(
    setup: &Setup,
    color: bool,
    refusal: &str,
    observer: &dyn coop::observe::Observer,
) -> Result<(coop::source::SourceMap, coop::model::Model, Vec<Diagnostic>), u8> {
    let mut sources = setup.load()?;
    let (model, diagnostics) = coop::check_sources_observed(&mut sources, observer);
    match model {
        Some(model) => Ok((sources, model, diagnostics)),
        None => {
            print_diagnostics(&diagnostics, &sources, color);
            write_stderr(&format!(
                "{refusal}: the model has {}\n",
                diagnostic::summary(&diagnostics)
            ));
            Err(ERRORS_FOUND)
        }
    }
}

/// For each ledger, how many rows it has and how many were counted, so that no row is lost
/// without a word: a row not counted is one reported above, or a row of an order that has one.
fn ledger_counts(sources: &coop::source::SourceMap, model: &coop::model::Model) -> String {
    coop::report::ledger_counts(sources, model)
        .iter()
        .map(|ledger| {
            format!(
                "ledger {}: {} read, {} counted, {} not counted\n",
                ledger.file,
                diagnostic::plural(ledger.rows, "row"),
                ledger.counted,
                ledger.not_counted
            )
        })
        .collect()
}

fn print_diagnostics(diagnostics: &[Diagnostic], sources: &coop::source::SourceMap, color: bool) {
    if !diagnostics.is_empty() {
        write_stderr(&diagnostic::render(diagnostics, sources, color));
    }
}

/// Writes text to stdout; a closed pipe (`coop report | head`) is not an error worth a message.
fn write_stdout(text: &str) -> u8 {
    write_stdout_as(text, Some(Escapes::Text))
}

/// Writes to stdout with the escapes of its format, so that no line reads as a CI command
/// (none for the GitHub format, whose lines are commands on purpose, their data escaped).
fn write_stdout_as(text: &str, escapes: Option<Escapes>) -> u8 {
    let text = match escapes {
        Some(escapes) => std::borrow::Cow::Owned(guarded(text, escapes)),
        None => std::borrow::Cow::Borrowed(text),
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => SUCCESS,
        Err(error) => usage_error(&format!("cannot write the output: {error}")),
    }
}

/// Writes an output with `render` to the file `output` (replaced atomically), or to standard
/// output when there is none or it is `-`, guarded with the format's escapes.
fn write_output(
    output: Option<&std::path::Path>,
    escapes: Escapes,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> u8 {
    // The guard reads what is written in blocks, not a token at a time as serde writes.
    match output.filter(|path| !is_dash(path)) {
        Some(path) => match coop::output::write_atomically_with(path, |out| {
            let mut out =
                std::io::BufWriter::with_capacity(1 << 16, CommandGuard::new(out, escapes));
            render(&mut out).and_then(|()| out.flush())
        }) {
            Ok(()) => SUCCESS,
            Err(error) => usage_error(&format!(
                "cannot write `{}`: {error}",
                coop::load::display_name(path)
            )),
        },
        None => {
            let mut stdout = std::io::BufWriter::with_capacity(
                1 << 16,
                CommandGuard::new(std::io::BufWriter::new(std::io::stdout().lock()), escapes),
            );
            match render(&mut stdout).and_then(|()| stdout.flush()) {
                Ok(()) => SUCCESS,
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => SUCCESS,
                Err(error) => usage_error(&format!("cannot write the output: {error}")),
            }
        }
    }
}

/// Writes to stderr, guarded as text; when stderr is closed (`coop check 2>&1 | head -1`) there
/// is nobody to tell.
fn write_stderr(text: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(guarded(text, Escapes::Text).as_bytes());
}

/// Writes a note, a count or a summary to stderr, unless `--quiet` asks for findings only.
fn note(text: &str) {
    if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
        write_stderr(text);
    }
}

fn usage_error(message: &str) -> u8 {
    write_stderr(&format!("error: {message}\n"));
    USAGE_OR_IO
}

/// Reads `--as-of` exactly as dates in files are read: `YYYY-MM-DD`, a real day.
fn parse_date(text: &str) -> Result<Date, String> {
    coop::values::parse_iso_date(text).ok_or_else(|| {
        if coop::values::is_date_shaped(text) {
            format!("`{text}` is not a day on the calendar")
        } else {
            format!("`{text}` is not a date; write it as YYYY-MM-DD, e.g. 2026-01-01")
        }
    })
}

fn today() -> Date {
    chrono::Local::now().date_naive()
}
