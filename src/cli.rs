//! Subcommands, their flags, and exit codes. A thin layer over the library's pipeline.
//!
//! Exit codes: 0 no errors, 1 errors found in the model, 2 a usage or I/O problem.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use coop::codes::Code;
use coop::diagnostic::{self, Diagnostic};
use coop::output::{CommandGuard, Escapes, guarded};
use coop::values::Date;

use crate::progress::Progress;

#[derive(Parser, Debug)]
#[command(name = "coop", version, about = "Check and evaluate cooperative procurement models", long_about = None)]
pub struct Arguments {
    #[command(subcommand)]
    command: Command,
    /// When to colour diagnostics: `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a model and judge its orders; print every finding.
    Check {
        /// `.coop` files, or directories whose `.coop` files form one model; `-` alone reads one
        /// file from standard input.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Judge orders as of this date (YYYY-MM-DD); today by default.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        /// How to print findings: for people, or for CI and code-scanning tools.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// `--deny warnings` makes warnings fail the check too.
        #[arg(long, value_enum)]
        deny: Option<Deny>,
    },
    /// List the rule packs shipped with coop, with their rules and citations; or print one pack.
    Rules {
        /// A pack's name, such as `us-wa`, to print its text.
        pack: Option<String>,
    },
    /// Print the binding-obligation report of a model.
    Report {
        /// `.coop` files, or directories whose `.coop` files form one model.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The report's date (YYYY-MM-DD); orders after it are not counted. Today by default.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Contracts ending within this many days of the as-of date are listed first.
        #[arg(long, default_value_t = coop::report::DEFAULT_HORIZON_DAYS)]
        horizon_days: u32,
        /// Write the report to this file (replaced atomically) instead of standard output; `-`
        /// is standard output. Never an input of the model, a symbolic link or a device.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Lay `.coop` files out in Coop's one canonical layout, keeping every comment.
    Fmt {
        /// Files, or directories whose `.coop` files to format; the current directory by default.
        /// `-` alone formats standard input to standard output.
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
        /// `.coop` files, or directories whose `.coop` files form one model.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Judge tests without their own date as of this date (YYYY-MM-DD); today by default.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        /// Run only the tests whose names contain this text.
        #[arg(long, default_value = "")]
        filter: String,
        #[arg(long, value_enum, default_value_t = TestFormat::Text)]
        format: TestFormat,
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
    /// Serve an editor: a language server (LSP) on standard input and output.
    Lsp,
    /// Explain a diagnostic code; without a code, list every code.
    Explain {
        /// A code such as `access-not-in-force`.
        code: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
    /// One self-contained page with charts.
    Html,
    /// For a pull-request comment or a wiki page.
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// Diagnostics with source excerpts, on standard error.
    Text,
    /// Counts and findings as JSON, on standard output.
    Json,
    /// SARIF 2.1.0 for code scanning, on standard output.
    Sarif,
    /// GitHub Actions annotations, on standard output.
    Github,
    /// JUnit XML, one test case per file, on standard output.
    Junit,
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

pub fn run(arguments: Arguments) -> ExitCode {
    let color = match arguments.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        }
    };
    let code = match arguments.command {
        Command::Check {
            paths,
            as_of,
            format,
            deny,
        } => check(&paths, as_of, format, deny, color),
        Command::Report {
            paths,
            as_of,
            format,
            horizon_days,
            output,
        } => report(
            &paths,
            as_of,
            format,
            horizon_days,
            output.as_deref(),
            color,
        ),
        Command::Fmt { paths, check, diff } => format_files(&paths, check, diff, color),
        Command::Test {
            paths,
            as_of,
            filter,
            format,
        } => run_tests(&paths, as_of, &filter, format, color),
        Command::Why {
            path,
            names,
            as_of,
            format,
        } => why(&path, &names, as_of, format, color),
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
        Command::Explain { code } => explain(code.as_deref()),
        Command::Lsp => match coop::lsp::run_stdio() {
            Ok(()) => SUCCESS,
            Err(error) => usage_error(&format!("the language server stopped: {error}")),
        },
        Command::Rules { pack } => rules(pack.as_deref()),
    };
    ExitCode::from(code)
}

fn check(
    paths: &[PathBuf],
    as_of: Option<Date>,
    format: CheckFormat,
    deny: Option<Deny>,
    color: bool,
) -> u8 {
    let progress = Progress::start();
    progress.phase("reading the model");
    let loaded = match standard_input_named(paths) {
        Some(read) => read.map(coop::load::standard_input),
        None => coop::load::load(paths).map_err(|error| usage_error(&error.to_string())),
    };
    let mut sources = match loaded {
        Ok(sources) => sources,
        Err(code) => return code,
    };
    progress.phase(format!(
        "parsing and checking {}",
        diagnostic::plural(sources.model_files().count(), "file")
    ));
    let (model, mut diagnostics) = coop::check_sources(&mut sources);
    let as_of = as_of.unwrap_or_else(today);
    let mut later_orders = 0;
    if let Some(model) = &model {
        progress.phase(format!(
            "judging {}",
            diagnostic::plural(model.orders.len(), "order")
        ));
        let evaluation = coop::eval::evaluate(model, as_of);
        diagnostics.extend(coop::evaluation_diagnostics(&evaluation));
        later_orders = evaluation.later_orders.len();
    }
    // The spinner's line is cleared before anything else is written to the terminal.
    drop(progress);
    // The GitHub format's own lines are workflow commands, their data escaped by the format.
    let escapes = match format {
        CheckFormat::Text => Some(Escapes::Text),
        CheckFormat::Json | CheckFormat::Sarif => Some(Escapes::Json),
        CheckFormat::Github => None,
        CheckFormat::Junit => Some(Escapes::Markup),
    };
    let machine_output = match format {
        CheckFormat::Text => None,
        CheckFormat::Json => Some(coop::findings::to_json(
            &diagnostics,
            &sources,
            &model
                .as_ref()
                .map(|model| coop::report::ledger_counts(&sources, model))
                .unwrap_or_default(),
        )),
        CheckFormat::Sarif => Some(coop::findings::to_sarif(&diagnostics, &sources)),
        CheckFormat::Github => Some(coop::findings::to_github(&diagnostics, &sources)),
        CheckFormat::Junit => Some(coop::findings::to_junit(&diagnostics, &sources)),
    };
    match machine_output {
        Some(output) => {
            if write_stdout_as(&output, escapes) != SUCCESS {
                return USAGE_OR_IO;
            }
        }
        None => print_diagnostics(&diagnostics, &sources, color),
    }
    let files = diagnostic::plural(sources.model_files().count(), "file");
    write_stderr(&format!(
        "checked {files}: {}\n",
        diagnostic::summary(&diagnostics)
    ));
    if let Some(model) = &model {
        write_stderr(&ledger_counts(&sources, model));
    }
    if later_orders > 0 {
        let (orders, verb) = match later_orders {
            1 => ("1 order".to_string(), "was"),
            count => (format!("{count} orders"), "were"),
        };
        write_stderr(&format!(
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
    std::mem::forget((model, sources, diagnostics));
    code
}

fn report(
    paths: &[PathBuf],
    as_of: Option<Date>,
    format: Format,
    horizon_days: u32,
    output: Option<&std::path::Path>,
    color: bool,
) -> u8 {
    let progress = Progress::start();
    progress.phase("reading and checking the model");
    let (sources, model, warnings) = match checked_model(paths, color, "no report") {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    // Refused before any work: an output must never replace an input, a link or a device.
    if let Some(path) = output.filter(|path| *path != std::path::Path::new("-")) {
        let inputs = sources.files().map(|(_, file)| file.path.as_path());
        if let Err(refusal) = coop::output::check_target(path, inputs) {
            drop(progress);
            return usage_error(&format!(
                "{refusal}\n  help: name a new file with `-o`, or write to standard output with `-o -`"
            ));
        }
    }
    progress.phase(format!(
        "judging {}",
        diagnostic::plural(model.orders.len(), "order")
    ));
    let evaluation = coop::eval::evaluate(&model, as_of.unwrap_or_else(today));
    progress.phase("writing the report");
    let report = coop::report::build(&model, &evaluation, &sources, &warnings, horizon_days);
    drop(progress);
    print_diagnostics(&warnings, &sources, color);
    write_stderr(&ledger_counts(&sources, &model));
    let escapes = match format {
        Format::Text => Escapes::Text,
        Format::Json => Escapes::Json,
        Format::Html => Escapes::Markup,
        Format::Markdown => Escapes::Markdown,
    };
    let render = |out: &mut dyn Write| match format {
        // Streamed: the JSON of a large model is the largest thing Coop writes.
        Format::Json => coop::report::write_json(&report, out),
        Format::Text => out.write_all(coop::report::text::render(&report).as_bytes()),
        Format::Html => out.write_all(coop::report::html::render(&report).as_bytes()),
        Format::Markdown => out.write_all(coop::report::markdown::render(&report).as_bytes()),
    };
    let written = match output.filter(|path| *path != std::path::Path::new("-")) {
        Some(path) => match coop::output::write_atomically_with(path, |out| {
            render(&mut CommandGuard::new(out, escapes))
        }) {
            Ok(()) => SUCCESS,
            Err(error) => usage_error(&format!(
                "cannot write `{}`: {error}",
                coop::load::display_name(path)
            )),
        },
        None => {
            let mut stdout =
                CommandGuard::new(std::io::BufWriter::new(std::io::stdout().lock()), escapes);
            match render(&mut stdout).and_then(|()| stdout.flush()) {
                Ok(()) => SUCCESS,
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => SUCCESS,
                Err(error) => usage_error(&format!("cannot write the output: {error}")),
            }
        }
    };
    // Ledger rows that could not be counted are errors: the report is written without them, and
    // the exit code says that it is incomplete.
    let code = match written {
        SUCCESS if warnings.iter().any(Diagnostic::is_error) => ERRORS_FOUND,
        code => code,
    };
    // The process ends here; freeing a million orders one by one would only delay it.
    std::mem::forget((model, evaluation, report, sources, warnings));
    code
}

fn format_files(paths: &[PathBuf], check: bool, diff: bool, color: bool) -> u8 {
    if let Some(read) = standard_input_named(paths) {
        return match read {
            Ok(bytes) => format_standard_input(bytes, color),
            Err(code) => code,
        };
    }
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let sources = match coop::load::load(&paths) {
        Ok(sources) => sources,
        Err(error) => return usage_error(&error.to_string()),
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
            write_stderr(&format!("formatted {}\n", file.name));
        }
    }
    let changing = (check || diff) && !would_change.is_empty();
    if failed || (check && changing) {
        ERRORS_FOUND
    } else {
        SUCCESS
    }
}

/// `coop fmt -`: standard input laid out on standard output, for an editor's format-on-save.
/// Text that cannot be formatted is reported on standard error and nothing is written, so that
/// an editor keeps its buffer as it was.
fn format_standard_input(bytes: Vec<u8>, color: bool) -> u8 {
    let sources = coop::load::standard_input(bytes);
    let file = coop::source::FileId(0);
    match coop::syntax::format(&sources, file) {
        Ok(formatted) => write_stdout_as(&formatted, None),
        Err(diagnostic) => {
            print_diagnostics(&[*diagnostic], &sources, color);
            write_stderr(&format!("not formatted: {}\n", coop::load::STANDARD_INPUT));
            ERRORS_FOUND
        }
    }
}

/// When the paths are `-` alone, standard input's bytes (or the exit code of failing to read
/// them); `None` for any other paths.
fn standard_input_named(paths: &[PathBuf]) -> Option<Result<Vec<u8>, u8>> {
    if paths != [PathBuf::from("-")] {
        return None;
    }
    let mut bytes = Vec::new();
    Some(
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
            .map(|_| bytes)
            .map_err(|error| usage_error(&format!("cannot read standard input: {error}"))),
    )
}

fn run_tests(
    paths: &[PathBuf],
    as_of: Option<Date>,
    filter: &str,
    format: TestFormat,
    color: bool,
) -> u8 {
    let (sources, model, _) = match checked_model(paths, color, "no tests run") {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let outcomes = coop::eval::expectations::run_tests(&model, as_of.unwrap_or_else(today), filter);
    if outcomes.is_empty() {
        if filter.is_empty() {
            write_stderr("the model has no tests\n");
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

fn why(
    path: &std::path::Path,
    names: &[String],
    as_of: Option<Date>,
    format: WhyFormat,
    color: bool,
) -> u8 {
    let (sources, model, _) =
        match checked_model(&[path.to_path_buf()], color, "nothing to explain") {
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
/// pack's text.
fn rules(pack: Option<&str>) -> u8 {
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
        listing.push_str("Use a pack with `use rules NAME` in a model file; `coop rules NAME` prints it.\nThe packs are not legal advice.\n");
        return write_stdout(&listing);
    };
    match coop::packs::shipped(name) {
        Some(pack) => write_stdout(pack.text),
        None => {
            let names = coop::packs::SHIPPED.iter().map(|pack| pack.name);
            let help = match coop::check::suggest(name, names) {
                Some(candidate) => format!("did you mean `{candidate}`?"),
                None => "run `coop rules` to list the shipped packs".to_string(),
            };
            usage_error(&format!(
                "coop ships no rule pack `{}`\n  help: {help}",
                coop::values::printable(name)
            ))
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
    write_stderr(&format!(
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

/// Loads and checks the model a command needs, with the warnings found; when it cannot, says why
/// (`refusal` says what the command did not do) and gives the exit code.
fn checked_model(
    paths: &[PathBuf],
    color: bool,
    refusal: &str,
) -> Result<(coop::source::SourceMap, coop::model::Model, Vec<Diagnostic>), u8> {
    let mut sources = coop::load::load(paths).map_err(|error| usage_error(&error.to_string()))?;
    let (model, diagnostics) = coop::check_sources(&mut sources);
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

/// Writes to stderr, guarded as text; when stderr is closed (`coop check 2>&1 | head -1`) there
/// is nobody to tell.
fn write_stderr(text: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(guarded(text, Escapes::Text).as_bytes());
}

fn usage_error(message: &str) -> u8 {
    write_stderr(&format!("error: {message}\n"));
    USAGE_OR_IO
}

/// Reads `--as-of` exactly as dates in files are read: `YYYY-MM-DD`, a real day.
fn parse_date(text: &str) -> Result<Date, String> {
    let shaped = text.len() == 10
        && text.char_indices().all(|(index, character)| match index {
            4 | 7 => character == '-',
            _ => character.is_ascii_digit(),
        });
    if !shaped {
        return Err(format!(
            "`{text}` is not a date; write it as YYYY-MM-DD, e.g. 2026-01-01"
        ));
    }
    Date::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a day on the calendar"))
}

fn today() -> Date {
    chrono::Local::now().date_naive()
}
