//! Property tests: no input makes Coop panic, the report does not depend on the order of files
//! or declarations, and the JSON report round-trips through serde.

use std::path::PathBuf;

use coop::source::SourceMap;
use coop::values::Date;
use proptest::prelude::*;

/// Runs the whole pipeline on some files, as `coop check` and `coop report` would, returning the
/// JSON report when the model checks.
fn run(files: &[(String, String)], as_of: Date) -> Option<String> {
    let mut sources = SourceMap::new();
    for (name, text) in files {
        sources.add(name.clone(), PathBuf::from(name), text.clone());
    }
    let (model, mut diagnostics) = coop::check_sources(&mut sources);
    let report = model.map(|model| {
        let evaluation = coop::eval::evaluate(&model, as_of);
        let report = coop::report::build(
            &model,
            &evaluation,
            &sources,
            &diagnostics,
            coop::report::DEFAULT_HORIZON_DAYS,
        );
        diagnostics.extend(coop::evaluation_diagnostics(&evaluation));
        let _ = coop::report::text::render(&report);
        coop::report::to_json(&report)
    });
    let _ = coop::diagnostic::render(&diagnostics, &sources, false);
    let _ = coop::diagnostic::render(&diagnostics, &sources, true);
    report
}

fn date(text: &str) -> Date {
    Date::parse_from_str(text, "%Y-%m-%d").expect("a valid date")
}

fn examples() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
            .expect("examples/")
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "coop")
            })
            .map(|path| {
                let name = path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (
                    name,
                    std::fs::read_to_string(&path).expect("readable example"),
                )
            })
            .collect();
    files.sort();
    files
}

/// Splits a model into its top-level declarations, each with the comments just before it.
/// Examples start every declaration at the beginning of a line.
fn declarations(text: &str) -> Vec<String> {
    let mut chunks: Vec<String> = vec![String::new()];
    let mut pending_comments = String::new();
    for line in text.lines() {
        let starts_declaration = ["agency ", "solicitation ", "contract ", "access ", "order "]
            .iter()
            .any(|keyword| line.starts_with(keyword));
        if starts_declaration {
            chunks.push(std::mem::take(&mut pending_comments));
        }
        if line.starts_with("//") || line.trim().is_empty() {
            pending_comments.push_str(line);
            pending_comments.push('\n');
        } else {
            let last = chunks.last_mut().expect("at least one chunk");
            last.push_str(&std::mem::take(&mut pending_comments));
            last.push_str(line);
            last.push('\n');
        }
    }
    chunks
        .into_iter()
        .filter(|chunk| !chunk.trim().is_empty())
        .collect()
}

/// The JSON report without source locations, which legitimately move when text moves, and
/// without the program's name, which comes from the files.
fn without_locations(json: &str) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("location");
                map.remove("related");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    strip(&mut value);
    // The program is named by its file, or by its directory when it has several.
    if let Some(report) = value.as_object_mut() {
        report.remove("program");
    }
    value
}

/// Text pieces that edits insert: keywords, punctuation and literals of the language.
const PIECES: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    "==",
    "\"",
    "//",
    "\n",
    " ",
    "agency",
    "order",
    "contract",
    "piggyback",
    "open_to",
    "not",
    "and",
    "or",
    "kind",
    "line",
    "at",
    "USD 1,000.00",
    "EUR -5",
    "2025-02-30",
    "9999-12-31",
    "0000-01-01",
    "0.25%",
    "999999999999999999999",
    "1 year",
    "4294967295 years",
    "US-WA",
    "per",
    "from",
    "option",
    "exercised",
    "maximum",
    "ceiling",
];

#[derive(Clone, Debug)]
enum Edit {
    Delete { at: usize, length: usize },
    Insert { at: usize, piece: usize },
    DuplicateLine { at: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, length)| Edit::Delete { at, length }),
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Edit::Insert { at, piece }),
        any::<usize>().prop_map(|at| Edit::DuplicateLine { at }),
    ]
}

/// Applies an edit at a character boundary chosen from `at`.
fn apply(text: &mut String, edit: &Edit) {
    let boundary = |at: usize, text: &str| {
        let mut index = at % (text.len() + 1);
        while !text.is_char_boundary(index) {
            index -= 1;
        }
        index
    };
    match edit {
        Edit::Delete { at, length } => {
            let start = boundary(*at, text);
            let end = boundary(start + length, text).max(start);
            text.replace_range(start..end, "");
        }
        Edit::Insert { at, piece } => {
            let index = boundary(*at, text);
            text.insert_str(index, PIECES[*piece]);
        }
        Edit::DuplicateLine { at } => {
            let lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let line = lines[at % lines.len()].to_string();
                let index = boundary(*at, text);
                text.insert_str(index, &format!("\n{line}\n"));
            }
        }
    }
}

/// Expressions of every shape, well formed or not in type: literals, paths, every operator,
/// `in`, `exists`, `distance` and aggregates, nested.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("o.value".to_string()),
        Just("o.date".to_string()),
        Just("o.volume".to_string()),
        Just("o.buyer".to_string()),
        Just("o.buyer.kind".to_string()),
        Just("o.buyer.jurisdiction".to_string()),
        Just("o.via.signed".to_string()),
        Just("o.via.fact.approval.date".to_string()),
        Just("o.contract.maximum".to_string()),
        Just("o.contract.ordered".to_string()),
        Just("o.contract.term.length".to_string()),
        Just("o.basis".to_string()),
        Just("USD 5.00".to_string()),
        Just("EUR 3.00".to_string()),
        Just("USD 0.00".to_string()),
        Just("5 truck".to_string()),
        Just("2025-01-01".to_string()),
        Just("9999-12-31".to_string()),
        Just("4 years".to_string()),
        Just("1 year".to_string()),
        Just("10 mi".to_string()),
        Just("0".to_string()),
        Just("3".to_string()),
        Just("50%".to_string()),
        Just("true".to_string()),
        Just("city".to_string()),
        Just("piggyback".to_string()),
        Just("US-WA".to_string()),
        Just("\"text\"".to_string()),
    ];
    leaf.prop_recursive(4, 32, 3, |inner| {
        let operator = prop_oneof![
            Just("and"),
            Just("or"),
            Just("=="),
            Just("!="),
            Just("<"),
            Just("<="),
            Just(">="),
            Just("+"),
            Just("-"),
            Just("*"),
            Just("/"),
            Just("of"),
        ];
        prop_oneof![
            (inner.clone(), operator, inner.clone())
                .prop_map(|(left, operator, right)| format!("{left} {operator} {right}")),
            inner.clone().prop_map(|operand| format!("not ({operand})")),
            inner.clone().prop_map(|operand| format!("-({operand})")),
            inner
                .clone()
                .prop_map(|operand| format!("({operand}) exists")),
            (inner.clone(), inner.clone())
                .prop_map(|(element, listed)| format!("({element}) in [{listed}, city]")),
            (inner.clone(), inner.clone()).prop_map(|(from, to)| format!("distance({from}, {to})")),
            (inner.clone(), inner.clone()).prop_map(|(value, filter)| {
                format!(
                    "sum(p.value for order p where p.buyer == o.buyer and ({filter}) == ({value}))"
                )
            }),
            inner.prop_map(|filter| format!("count(order p where ({filter}))")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A rule of any shape, added to a shipped example, is checked and run without a panic.
    #[test]
    fn any_rule_never_panics(
        filter in expression(),
        condition in expression(),
        shown in expression(),
        scope in prop_oneof![Just("order o"), Just("contract o"), Just("binding o")],
    ) {
        let (name, text) = examples()
            .into_iter()
            .find(|(name, _)| name == "piggyback-trucks.coop")
            .expect("the example exists");
        let rule = format!(
            "\nrule any \"Any\" {{\n  cite \"test\"\n  for {scope} where {filter}\n  require {condition}\n  else deny \"shown: {{{shown}}}\"\n  oblige o.buyer pay 1% of o.value to pierce_county\n}}\n"
        );
        run(&[(name, format!("{text}{rule}"))], date("2025-12-31"));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        run(&[("arbitrary.coop".to_string(), text)], date("2026-01-01"));
    }

    #[test]
    fn edited_examples_never_panic(example in 0usize..64, edits in prop::collection::vec(edit(), 1..8)) {
        let files = examples();
        let (name, mut text) = files[example % files.len()].clone();
        for edit in &edits {
            apply(&mut text, edit);
        }
        for as_of in ["2020-01-01", "2025-06-30", "2099-12-31"] {
            run(&[(name.clone(), text.clone())], date(as_of));
        }
    }

    #[test]
    fn the_report_ignores_the_order_of_declarations_and_files(
        example in 0usize..64,
        seed in any::<u64>(),
        split in 1usize..4,
    ) {
        let files = examples();
        let (name, text) = files[example % files.len()].clone();
        let as_of = text
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("// as-of:"))
            .map_or_else(|| date("2026-01-01"), |day| date(day.trim()));
        let expected = run(&[(name, text.clone())], as_of).expect("examples check");

        let mut chunks = declarations(&text);
        // A deterministic shuffle from the seed (Fisher-Yates with a small linear generator).
        let mut state = seed | 1;
        for index in (1..chunks.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            chunks.swap(index, (state >> 33) as usize % (index + 1));
        }
        let per_file = chunks.len().div_ceil(split);
        let shuffled: Vec<(String, String)> = chunks
            .chunks(per_file.max(1))
            .enumerate()
            .map(|(index, part)| (format!("part-{index}.coop"), part.concat()))
            .collect();
        let actual = run(&shuffled, as_of).expect("the shuffled model checks");
        prop_assert_eq!(without_locations(&expected), without_locations(&actual));
    }
}

#[test]
fn the_json_report_round_trips() {
    for (name, text) in examples() {
        let json = run(&[(name.clone(), text)], date("2025-12-31")).expect("examples check");
        let report: coop::report::Report =
            serde_json::from_str(&json).expect("the report deserialises");
        assert_eq!(
            coop::report::to_json(&report),
            json,
            "{name} does not round-trip"
        );
    }
}
