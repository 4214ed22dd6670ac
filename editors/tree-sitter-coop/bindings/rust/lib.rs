//! Coop's tree-sitter grammar, for Rust: `tree_sitter_coop::LANGUAGE` and its highlighting query.

use tree_sitter_language::LanguageFn;

unsafe extern "C" {
    fn tree_sitter_coop() -> *const ();
}

/// The grammar, for `tree_sitter::Parser::set_language(&LANGUAGE.into())`.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_coop) };

/// The highlighting query (`queries/highlights.scm`).
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");
