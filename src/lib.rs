//! Coop: a declarative rules language for cooperative public procurement.
//!
//! The public API follows the pipeline: [`load`] files, [`syntax::parse`] them, [`check::check`]
//! them into a [`model::Model`], [`eval::evaluate`] it as of a date, and render the [`report`].

pub mod check;
pub mod codes;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod eval;
pub mod findings;
pub mod generate;
pub mod literate;
pub mod load;
pub mod lsp;
pub mod model;
pub mod observe;
pub mod ocds;
pub mod output;
pub mod packs;
pub mod parallel;
pub mod report;
pub mod schema;
pub mod source;
pub mod syntax;
pub mod values;

use diagnostic::{Diagnostic, Diagnostics};

use model::Model;
use source::{FileId, SourceMap};

/// Every file of a model, parsed, with the rule packs they use and what reading them found.
pub struct Parsed {
    pub files: Vec<syntax::ast::File>,
    pub packs: Vec<check::PackUse>,
    pub diagnostics: Diagnostics,
    /// Whether every `.coop` file parsed; checking needs all of them.
    pub all_parsed: bool,
}

/// Parses and checks every file of a model, following `use`s to the files they name (loading
/// each file once) and reading the ledgers they name. Every file is parsed even when one has a
/// syntax error, and every declaration of a file but those a syntax error is in; checking needs
/// every file, so it runs only when each gave its syntax tree, and only when every literal could
/// be read (an impossible date would otherwise set off false findings). With a syntax error the
/// model is checked all the same, so that the other declarations' problems are reported too
/// (a reference to a declaration that did not parse is not), but no model is returned. A ledger
/// row that cannot be read is reported and its order left out; the rest of the model is checked.
pub fn check_sources(sources: &mut SourceMap) -> (Option<Model>, Vec<Diagnostic>) {
    check_sources_observed(sources, &observe::Unobserved)
}

/// Parses and checks every file of a model as [`check_sources`] does, telling `observer` how
/// reading and checking go.
pub fn check_sources_observed(
    sources: &mut SourceMap,
    observer: &dyn observe::Observer,
) -> (Option<Model>, Vec<Diagnostic>) {
    // Only checked: an order book's trees are made a share at a time, as its orders are checked.
    let parsed = parse_sources_with(sources, None, syntax::OrderTrees::WhenChecked, observer);
    let Checked {
        model, diagnostics, ..
    } = check_parsed_with(sources, parsed, Keep::Nothing, observer);
    (model, diagnostics)
}

/// A model's files checked: their syntax trees, the model when it has no error, and every
/// diagnostic in a stable order.
pub struct Checked {
    pub files: Vec<syntax::ast::File>,
    pub model: Option<Model>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks the parsed files of a model, as [`check_sources`] does, keeping their syntax trees.
pub fn check_parsed(sources: &SourceMap, parsed: Parsed) -> Checked {
    check_parsed_observed(sources, parsed, &observe::Unobserved)
}

/// Checks the parsed files of a model as [`check_parsed`] does, telling `observer` how checking
/// goes.
pub fn check_parsed_observed(
    sources: &SourceMap,
    parsed: Parsed,
    observer: &dyn observe::Observer,
) -> Checked {
    check_parsed_with(sources, parsed, Keep::Trees, observer)
}

/// Whether a check gives its syntax trees back, or frees each order's as soon as it is checked.
#[derive(Clone, Copy, PartialEq)]
enum Keep {
    Trees,
    Nothing,
}

fn check_parsed_with(
    sources: &SourceMap,
    parsed: Parsed,
    keep: Keep,
    observer: &dyn observe::Observer,
) -> Checked {
    let Parsed {
        files,
        packs,
        mut diagnostics,
        all_parsed,
    } = parsed;
    if !all_parsed || diagnostics.has_errors_outside_ledgers_but(codes::Code::SyntaxError, sources)
    {
        return Checked {
            files,
            model: None,
            diagnostics: diagnostics.into_sorted(),
        };
    }
    let syntax_errors = diagnostics.has_errors_outside_ledgers(sources);
    let (files, model) = if syntax_errors {
        let mut found = Diagnostics::new();
        let trees = check::Trees::Lent(&files);
        check::check_observed(sources, trees, &packs, &mut found, observer);
        diagnostics.extend(not_about_unparsed(found.into_sorted(), &files, sources));
        (files, None)
    } else if keep == Keep::Trees {
        let trees = check::Trees::Lent(&files);
        let model = check::check_observed(sources, trees, &packs, &mut diagnostics, observer);
        (files, model)
    } else {
        let trees = check::Trees::Given(files);
        let model = check::check_observed(sources, trees, &packs, &mut diagnostics, observer);
        (Vec::new(), model)
    };
    Checked {
        files,
        model,
        diagnostics: diagnostics.into_sorted(),
    }
}

/// The findings of checking a model some of whose declarations did not parse, less those that
/// only say so again: a name undefined because its declaration did not parse, or a model found
/// empty when what was written did not parse.
fn not_about_unparsed(
    found: Vec<Diagnostic>,
    files: &[syntax::ast::File],
    sources: &SourceMap,
) -> Vec<Diagnostic> {
    let unparsed: std::collections::HashSet<&str> = files
        .iter()
        .flat_map(|file| &file.unparsed)
        .map(|name| name.value.as_str())
        .collect();
    found
        .into_iter()
        .filter(|diagnostic| match diagnostic.code {
            codes::Code::UndefinedName => !unparsed.contains(sources.text(diagnostic.primary.span)),
            codes::Code::EmptyModel => false,
            _ => true,
        })
        .collect()
}

/// Parses every file of a model, following `use`s, `use rules` and `ledger`s to the files they
/// name, each loaded once.
pub fn parse_sources(sources: &mut SourceMap) -> Parsed {
    parse_sources_with(sources, None, syntax::OrderTrees::Now, &observe::Unobserved)
}

/// Parses every file of a model as [`parse_sources`] does, reusing the syntax tree of each file
/// whose text has not changed since it was last parsed through `cache` (and given back to it):
/// an editor checks a model again after each change to one of its files.
pub fn parse_sources_reusing(sources: &mut SourceMap, cache: &mut ParseCache) -> Parsed {
    parse_sources_with(
        sources,
        Some(cache),
        syntax::OrderTrees::Now,
        &observe::Unobserved,
    )
}

/// The syntax trees of a model's `.coop` files, each kept with the text it was parsed from.
#[derive(Debug, Default)]
pub struct ParseCache {
    files: std::collections::HashMap<std::path::PathBuf, CachedParse>,
}

#[derive(Debug)]
struct CachedParse {
    id: FileId,
    text: std::sync::Arc<String>,
    tree: Option<syntax::ast::File>,
    diagnostics: Vec<Diagnostic>,
}

impl ParseCache {
    /// The file's syntax tree and what parsing it found: the kept ones when the file has the
    /// same text and place in the model as when it was last parsed and its tree was given back
    /// ([`ParseCache::keep`]), else parsed again.
    fn parse(
        &mut self,
        sources: &SourceMap,
        id: FileId,
    ) -> (Option<syntax::ast::File>, Vec<Diagnostic>) {
        let file = sources.file(id);
        if let Some(cached) = self.files.get_mut(&file.path)
            && cached.id == id
            && cached.text == file.text
            && let Some(tree) = cached.tree.take()
        {
            return (Some(tree), cached.diagnostics.clone());
        }
        let (tree, diagnostics) = syntax::parse(sources, id);
        self.files.insert(
            file.path.clone(),
            CachedParse {
                id,
                text: std::sync::Arc::clone(&file.text),
                tree: None,
                diagnostics: diagnostics.clone(),
            },
        );
        (tree, diagnostics)
    }

    /// Takes back the syntax trees of a model's files once they are checked, to lend them to the
    /// next parse of the same texts: moved, never copied, since a tree of ten thousand orders
    /// takes longer to copy than to check.
    pub fn keep(&mut self, files: Vec<syntax::ast::File>, sources: &SourceMap) {
        for tree in files {
            if let Some(cached) = self.files.get_mut(&sources.file(tree.file).path)
                && cached.id == tree.file
            {
                cached.tree = Some(tree);
            }
        }
    }
}

/// Parses as [`parse_sources`] does, through `cache` when given, and otherwise making the trees
/// of order books' orders when `order_trees` says.
fn parse_sources_with(
    sources: &mut SourceMap,
    mut cache: Option<&mut ParseCache>,
    order_trees: syntax::OrderTrees,
    observer: &dyn observe::Observer,
) -> Parsed {
    let mut read = observe::FilesRead::new(observer);
    let mut diagnostics = Diagnostics::new();
    let mut files = Vec::with_capacity(sources.len());
    let mut uses = Vec::new();
    let mut packs = Vec::new();
    let mut ledgers = Vec::new();
    let mut all_parsed = true;
    // The prelude is read for every model, as a rule pack of its own.
    let prelude_pack = packs::prelude();
    let prelude = sources.add_prelude(prelude_pack.file_name(), prelude_pack.text);
    packs.push(check::PackUse {
        pack: prelude,
        name: prelude_pack.name.to_string(),
        settings: Vec::new(),
        as_warnings: false,
        span: source::Span::new(prelude, 0, 0),
    });
    let mut next = 0;
    while next < sources.len() {
        // The files loaded and not read yet are read at once (`read_at_once`), then taken one
        // after another, as if read so: what each names is loaded after them all, and read in
        // the next round. The editor's cache reads each file as it is taken.
        let round = next..sources.len();
        let mut read_now = match cache {
            Some(_) => Vec::new(),
            None => read_at_once(sources, round.clone(), &ledgers, order_trees, &mut read),
        }
        .into_iter();
        let (first_tree, mut counted) = (files.len(), Vec::new());
        for place in round {
            let id = FileId(place as u32);
            next = place + 1;
            let read_before = read_now.next().flatten();
            // A file the one before it in this round named as its ledger is read as a ledger.
            if ledgers.iter().any(|(ledger, _)| *ledger == id) || sources.is_config(id) {
                continue;
            }
            let (file, found) = match (cache.as_deref_mut(), read_before) {
                (Some(cache), _) => cache.parse(sources, id),
                (None, Some(parsed)) => parsed,
                (None, None) => {
                    syntax::parse_keeping(sources, id, order_trees, &observe::Unobserved)
                }
            };
            counted.push(id);
            diagnostics.extend(found);
            let Some(file) = file else {
                all_parsed = false;
                continue;
            };
            for used in &file.uses {
                match load::resolve_file(sources, id, &used.path, load::Naming::Use) {
                    Ok(target) => uses.push((id, target, used.path.span)),
                    Err(diagnostic) => diagnostics.push(*diagnostic),
                }
            }
            for used in &file.rule_packs {
                match load::resolve_rule_pack(sources, id, used) {
                    // `use rules core` names the prelude, which every model follows already.
                    Ok((pack, _)) if sources.is_prelude(pack) && used.settings.is_empty() => {}
                    Ok((pack, name)) => packs.push(check::PackUse {
                        pack,
                        name,
                        settings: used.settings.clone(),
                        as_warnings: used.as_warnings,
                        span: used.span,
                    }),
                    Err(diagnostic) => diagnostics.push(*diagnostic),
                }
            }
            for ledger in &file.ledgers {
                let (options, problems) = syntax::ledger::options(&ledger.settings);
                diagnostics.extend(problems);
                let named = |target: FileId, ledgers: &[(FileId, syntax::ledger::Options)]| {
                    ledgers.iter().any(|(id, _)| *id == target)
                };
                match load::resolve_file(sources, id, &ledger.path, load::Naming::Ledger) {
                    Ok(target) if target.0 as usize >= next && !named(target, &ledgers) => {
                        ledgers.push((target, options));
                    }
                    // The same ledger named again is read once, as it is first named.
                    Ok(target) if named(target, &ledgers) => {}
                    Ok(_) => diagnostics.push(Diagnostic::of(
                        load::LoadProblem::NotALedger {
                            path: &ledger.path.value,
                        },
                        ledger.path.span,
                    )),
                    Err(diagnostic) => diagnostics.push(*diagnostic),
                }
            }
            files.push(file);
        }
        read.files_read(sources, &counted, &files[first_tree..]);
    }
    // Ledgers are read once every .coop file is parsed, so no `.coop` file is taken for one.
    for (id, options) in ledgers {
        let within = read.next_file(sources);
        let (file, found) =
            syntax::read_ledger_observed(sources, id, &options, order_trees, &within);
        read.file_read(sources, id, file.as_ref());
        diagnostics.extend(found);
        files.extend(file);
    }
    diagnostics.extend(load::use_cycles(&uses, sources));
    diagnostics.extend(configured_parameters(sources, &mut packs));
    read.finish();
    Parsed {
        files,
        packs,
        diagnostics,
        all_parsed,
    }
}

/// What reading a file found: its syntax tree, if it could be read, and the problems.
type FileRead = (Option<syntax::ast::File>, Vec<Diagnostic>);

/// Reads the files of `round` that are neither ledgers nor the configuration, and gives what
/// each found at its place in `round`. The largest is read on the caller's thread, its progress
/// told through `read`, and the others meanwhile on a helper, one after another: a model's
/// declarations, which pest reads on one core, are read while its order book is (the reader of
/// an order book uses every core, so the two share them).
fn read_at_once(
    sources: &SourceMap,
    round: std::ops::Range<usize>,
    ledgers: &[(FileId, syntax::ledger::Options)],
    order_trees: syntax::OrderTrees,
    read: &mut observe::FilesRead<'_>,
) -> Vec<Option<FileRead>> {
    let ids: Vec<FileId> = round.map(|place| FileId(place as u32)).collect();
    let wanted: Vec<usize> = (0..ids.len())
        .filter(|&place| {
            let id = ids[place];
            !ledgers.iter().any(|(ledger, _)| *ledger == id) && !sources.is_config(id)
        })
        .collect();
    let mut found: Vec<Option<FileRead>> = ids.iter().map(|_| None).collect();
    let Some(&largest) = wanted
        .iter()
        .max_by_key(|&&place| sources.file(ids[place]).text.len())
    else {
        return found;
    };
    let others: Vec<usize> = wanted
        .into_iter()
        .filter(|&place| place != largest)
        .collect();
    // The others' bytes are counted as read before the largest's, so that the count told
    // never goes back when every file of the round is counted at its end.
    let mut within = read.next_file(sources);
    for &place in &others {
        within.before.bytes += sources.file(ids[place]).text.len();
        within.before.files += usize::from(!sources.is_prelude(ids[place]));
    }
    let read_file = |place: usize, observer: &dyn observe::Observer| {
        syntax::parse_keeping(sources, ids[place], order_trees, observer)
    };
    let read_others = || {
        others
            .iter()
            .map(|&place| (place, read_file(place, &observe::Unobserved)))
            .collect::<Vec<_>>()
    };
    let (read_largest, read_others) = if others.is_empty() || parallel::threads() < 2 {
        (read_file(largest, &within), read_others())
    } else {
        std::thread::scope(|scope| {
            let helper = scope.spawn(read_others);
            let read_largest = read_file(largest, &within);
            let read_others = helper
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (read_largest, read_others)
        })
    };
    found[largest] = Some(read_largest);
    for (place, read_other) in read_others {
        found[place] = Some(read_other);
    }
    found
}

/// Adds the pack parameters of the model's `coop.toml`, if it has one, to each use of their
/// pack: a parameter the `use rules` sets itself keeps its own value. Parameters of a pack the
/// model does not use are reported.
fn configured_parameters(sources: &SourceMap, packs: &mut [check::PackUse]) -> Vec<Diagnostic> {
    let Some((config, _)) = sources.files().find(|(id, _)| sources.is_config(*id)) else {
        return Vec::new();
    };
    let (settings, mut diagnostics) = syntax::config_parameters(sources, config);
    for (pack, pack_span, setting) in settings {
        let mut used = false;
        for pack_use in packs.iter_mut().filter(|pack_use| pack_use.name == pack) {
            used = true;
            let set_by_model = pack_use
                .settings
                .iter()
                .any(|own| own.name.value == setting.name.value);
            if !set_by_model {
                pack_use.settings.push(setting.clone());
            }
        }
        if !used
            && !diagnostics
                .iter()
                .any(|found| found.primary.span == pack_span)
        {
            let names = packs.iter().map(|pack_use| pack_use.name.as_str());
            diagnostics.push(Diagnostic::of(
                config::ConfigProblem::PackNotUsed {
                    pack: &pack,
                    suggestion: check::suggest(&pack, names),
                },
                pack_span,
            ));
        }
    }
    diagnostics
}

/// The findings of an evaluation as diagnostics: every reason an order is denied, and the
/// findings about contracts, in a stable order.
pub fn evaluation_diagnostics(evaluation: &eval::Evaluation) -> Vec<Diagnostic> {
    let mut diagnostics = Diagnostics::new();
    for judgment in &evaluation.judgments {
        diagnostics.extend(judgment.reasons.iter().cloned());
    }
    diagnostics.extend(evaluation.findings.iter().cloned());
    diagnostics.into_sorted()
}

#[cfg(test)]
pub(crate) mod tests {
    /// The `.coop` files of these folders of the project, sorted: what the unit tests that run
    /// over every example and fixture read.
    pub(crate) fn coop_files_in(folders: &[&str]) -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths: Vec<std::path::PathBuf> = folders
            .iter()
            .flat_map(|folder| std::fs::read_dir(root.join(folder)).into_iter().flatten())
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "coop")
            })
            .collect();
        paths.sort();
        paths
    }

    /// Checking that frees each order's syntax tree once checked, and reads an order book's
    /// trees only as its orders are checked (as `coop` does), finds what checking that keeps
    /// the trees (as the language server does) finds, and builds the same model: on every
    /// example and fixture, in error or not, and on generated programs whose order books hold
    /// names declared before or in them, orders in error, and more orders than one checker
    /// checks.
    #[test]
    fn freeing_the_trees_keeps_every_finding() {
        let mut paths = coop_files_in(&["examples", "tests/fixtures/ok", "tests/fixtures/err"]);
        let programs = tempfile::tempdir().expect("a scratch directory");
        paths.extend(generated_programs(programs.path()));
        let mut models = 0;
        for path in &paths {
            let load = || crate::load::load(std::slice::from_ref(path));
            let (Ok(mut freeing), Ok(mut keeping)) = (load(), load()) else {
                continue;
            };
            let (freed_model, freed_findings) = crate::check_sources(&mut freeing);
            let parsed = crate::parse_sources(&mut keeping);
            let kept = crate::check_parsed(&keeping, parsed);
            assert_eq!(
                format!("{freed_findings:?}"),
                format!("{:?}", kept.diagnostics),
                "{}",
                path.display()
            );
            assert_eq!(
                format!("{freed_model:?}"),
                format!("{:?}", kept.model),
                "{}",
                path.display()
            );
            models += usize::from(freed_model.is_some());
            if path.ends_with("large") || path.ends_with("ledger") {
                let count = |code| {
                    freed_findings
                        .iter()
                        .filter(|finding| finding.code == code)
                        .count()
                };
                assert_eq!(
                    count(crate::codes::Code::DuplicateName),
                    2,
                    "{freed_findings:#?}"
                );
                let misspelt = if path.ends_with("large") {
                    count(crate::codes::Code::UndefinedName)
                } else {
                    count(crate::codes::Code::InconsistentLedgerOrder)
                };
                assert!(misspelt >= 1, "{freed_findings:#?}");
            }
        }
        assert!(paths.len() > 100, "only {} files", paths.len());
        assert!(models > 40, "only {models} models");
    }

    /// Two generated programs in folders of `root`: one as generated, and one of more orders
    /// than one checker checks, whose order books hold an order named as an agency declared
    /// after it (which loses its name), an order named again (the second loses), an order whose
    /// buyer is misspelt, and a file of orders among other declarations after them.
    fn generated_programs(root: &std::path::Path) -> Vec<std::path::PathBuf> {
        let write = |folder: &str, file: &str, text: &str| {
            let folder = root.join(folder);
            std::fs::create_dir_all(&folder).expect("a folder");
            std::fs::write(folder.join(file), text).expect("written");
            folder
        };
        let small = crate::generate::generate(
            crate::generate::Settings::for_orders(300, 3),
            crate::generate::OrderFormat::Coop,
        );
        write("small", "model.coop", &small.model);
        let small = write("small", "orders.coop", &small.orders);
        let large = crate::generate::generate(
            crate::generate::Settings::for_orders(70_000, 5),
            crate::generate::OrderFormat::Coop,
        );
        let order = |name: &str, buyer: &str| {
            format!(
                "order {name} {{\n  buyer {buyer}\n  contract con_0001\n  date 2025-01-31\n  line road_salt 10 at USD 79.51\n}}\n\n"
            )
        };
        let first_order = large
            .orders
            .split("\norder ")
            .nth(1)
            .and_then(|order| order.split_whitespace().next())
            .unwrap_or_default();
        let more = [
            order(first_order, "city_00001"),
            order("po_misspelt_buyer", "cty_00001"),
        ]
        .concat();
        write("large", "a-first.coop", &order("city_00002", "city_00003"));
        write("large", "model.coop", &large.model);
        write("large", "orders.coop", &(large.orders + &more));
        let large = write(
            "large",
            "p-more.coop",
            &(order("po_among_others", "city_00004")
                + "agency town_more \"Town\" { kind city jurisdiction US }\n\n"
                + &order("po_after_others", "town_more")),
        );
        let ledger = crate::generate::generate(
            crate::generate::Settings::for_orders(3000, 9),
            crate::generate::OrderFormat::Ledger,
        );
        write("ledger", "model.coop", &ledger.model);
        let ledger = write("ledger", "orders.csv", &broken_ledger(&ledger.orders));
        vec![small, large, ledger]
    }

    /// A generated ledger with rows broken as people break them: a currency misspelt, a
    /// quantity that is no number, a quote that runs over two lines, an order's buyer changed
    /// on its second row, an order id used again further down, and one that names an agency.
    fn broken_ledger(rows: &str) -> String {
        let mut rows: Vec<Vec<String>> = rows
            .lines()
            .map(|row| row.split(',').map(str::to_string).collect())
            .collect();
        let column = |name: &str| rows[0].iter().position(|header| header == name);
        let (Some(order), Some(buyer), Some(item), Some(quantity), Some(currency)) = (
            column("order"),
            column("buyer"),
            column("item"),
            column("quantity"),
            column("currency"),
        ) else {
            panic!("the generated ledger has the columns: {:?}", rows[0]);
        };
        rows[10][currency] = "UDS".to_string();
        rows[20][quantity] = "x".to_string();
        rows[30][item] = "\"road\nsalt\"".to_string();
        let second_row = (2..rows.len())
            .find(|&row| rows[row][order] == rows[row - 1][order])
            .expect("an order of two rows");
        rows[second_row][buyer] = "city_00003".to_string();
        let mut again = rows[40].clone();
        again[order] = rows[5][order].clone();
        rows.push(again);
        let mut named_as_an_agency = rows[50].clone();
        named_as_an_agency[order] = "city_00001".to_string();
        rows.push(named_as_an_agency);
        rows.iter().map(|row| row.join(",") + "\n").collect()
    }
}
