//! The tree-sitter grammar (`editors/tree-sitter-coop`), through its committed `src/parser.c`:
//! its corpus tests, its highlighting query, and every shipped `.coop` file parsed with no
//! `ERROR` node and highlighted. The same checks as `tree-sitter test`, without the CLI.

mod common;

use std::path::Path;

use tree_sitter::{Language, Parser, Query, QueryCursor, StreamingIterator as _};

fn language() -> Language {
    tree_sitter_coop::LANGUAGE.into()
}

fn parse(text: &str) -> tree_sitter::Tree {
    let mut parser = Parser::new();
    parser.set_language(&language()).expect("the grammar loads");
    parser.parse(text, None).expect("a tree")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// An S-expression with its whitespace made single spaces, for comparing.
fn normalised(expression: &str) -> String {
    expression
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( ", "(")
        .replace(" )", ")")
}

#[test]
fn corpus() {
    let corpus = root().join("editors/tree-sitter-coop/test/corpus");
    let mut cases = 0;
    for entry in std::fs::read_dir(&corpus).expect("the corpus") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a corpus file");
        // `===\nname\n===\ninput\n---\nexpected`, repeated: split at the `===` lines, the parts
        // alternate between a name and a case.
        let parts: Vec<&str> = text
            .trim_start_matches("==================\n")
            .split("\n==================\n")
            .collect();
        for pair in parts.chunks(2) {
            let [name, case] = pair else {
                panic!("{}: a name without its case", path.display());
            };
            let (input, expected) = case
                .split_once("\n---\n")
                .unwrap_or_else(|| panic!("{}: {name} has no `---`", path.display()));
            let tree = parse(input.trim_start_matches('\n'));
            assert_eq!(
                normalised(&tree.root_node().to_sexp()),
                normalised(expected.trim()),
                "{}: {name}",
                path.display()
            );
            cases += 1;
        }
    }
    assert!(cases >= 5, "the corpus has {cases} cases");
}

/// Every shipped example and rule pack, and every valid fixture, parses with no error and gets
/// highlighted: each keyword, name and literal it holds is captured by the query.
#[test]
fn every_shipped_file_parses_and_is_highlighted() {
    let query = Query::new(&language(), tree_sitter_coop::HIGHLIGHTS_QUERY)
        .expect("the highlighting query fits the grammar");
    // Every `.coop` file of the repository but the fixtures written to be wrong and the fuzzer's
    // findings (which hold NUL bytes, the end of input to a tree-sitter lexer).
    let files = common::coop_files_below(&["examples", "rules", "tests/fixtures/ok"]);
    assert!(files.len() > 30, "{} files", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("a shipped file");
        let tree = parse(&text);
        let root_node = tree.root_node();
        if root_node.has_error() {
            let mut cursor = root_node.walk();
            let mut first_error = None;
            let mut stack = vec![root_node];
            while let Some(node) = stack.pop() {
                if node.is_error() || node.is_missing() {
                    first_error = Some(node);
                    break;
                }
                stack.extend(node.children(&mut cursor));
            }
            let place = first_error.map(|node| node.start_position());
            panic!("{} does not parse: an error at {place:?}", path.display());
        }
        let mut cursor = QueryCursor::new();
        let mut captures = cursor.captures(&query, root_node, text.as_bytes());
        let mut keywords = 0;
        let mut names = 0;
        while let Some((found, index)) = captures.next() {
            let capture = found.captures()[*index];
            match query.capture_names()[capture.index as usize] {
                "keyword" => keywords += 1,
                "type" | "function" | "variable.other.member" | "variable" | "constant" => {
                    names += 1
                }
                _ => {}
            }
        }
        let declares = text
            .lines()
            .any(|line| !line.trim().is_empty() && !line.trim_start().starts_with("//"));
        if declares {
            assert!(
                keywords > 0 && names > 0,
                "{} is not highlighted",
                path.display()
            );
        }
    }
}

/// The TextMate grammar and the tree-sitter grammar know every keyword of the language.
#[test]
fn both_grammars_know_every_keyword() {
    let pest = std::fs::read_to_string(root().join("grammar/coop.pest")).expect("the grammar");
    let keywords: Vec<&str> = pest
        .lines()
        .filter(|line| line.starts_with("kw_"))
        .filter_map(|line| line.split('"').nth(1))
        .collect();
    assert!(keywords.len() > 100, "{} keywords", keywords.len());
    let textmate =
        std::fs::read_to_string(root().join("editors/vscode/syntaxes/coop.tmLanguage.json"))
            .expect("the TextMate grammar");
    let _: serde_json::Value = serde_json::from_str(&textmate).expect("JSON");
    let tree_sitter = std::fs::read_to_string(root().join("editors/tree-sitter-coop/grammar.js"))
        .expect("the tree-sitter grammar");
    for keyword in keywords {
        assert!(
            textmate.contains(&format!("|{keyword}|"))
                || textmate.contains(&format!("(?:{keyword}|"))
                || textmate.contains(&format!("|{keyword})")),
            "the TextMate grammar does not know `{keyword}`"
        );
        assert!(
            tree_sitter.contains(&format!("'{keyword}'")),
            "the tree-sitter grammar does not know `{keyword}`"
        );
    }
}

/// The highlighting query names its captures in helix's scopes, since docs/editors.md has helix
/// load it as it is: the first part of each capture is a scope that helix's themes style.
#[test]
fn the_highlights_are_in_helix_scopes() {
    const HELIX_SCOPES: &[&str] = &[
        "attribute",
        "type",
        "constructor",
        "constant",
        "string",
        "comment",
        "variable",
        "label",
        "punctuation",
        "keyword",
        "operator",
        "function",
        "tag",
        "namespace",
        "special",
    ];
    let query = Query::new(&language(), tree_sitter_coop::HIGHLIGHTS_QUERY)
        .expect("the highlighting query fits the grammar");
    for name in query.capture_names() {
        let scope = name.split('.').next().unwrap_or(name);
        assert!(
            HELIX_SCOPES.contains(&scope),
            "`@{name}` is not a helix scope"
        );
    }
}
