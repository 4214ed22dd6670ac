//! OCDS identifiers as Coop names, and Coop text written safely.
//!
//! An identifier that is already a Coop name (`lot_1`, `Award7`) is the name. Any other is made
//! one: lowercased, every run of characters a name cannot hold turned into one `_`, prefixed by
//! what it names when it would start with a digit (`1` is `award_1`, `CL-MP-3015` is
//! `cl_mp_3015`); a name already taken gets `_2`, `_3`, ... The mapping is reversible through the
//! declaration's `fact ocds_id "..."`, which records the identifier whenever the name differs
//! from it (docs/ocds.md, Identifiers).

use std::collections::HashSet;

/// The names given so far, so that each is given once.
#[derive(Default)]
pub struct Names {
    taken: HashSet<String>,
}

impl Names {
    /// A new name for `identifier`, of a thing called `what` (`award`, `item`, ...).
    pub fn allocate(&mut self, identifier: &str, what: &str) -> String {
        let base = name_for(identifier, what);
        let mut name = base.clone();
        let mut counter = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}_{counter}");
            counter += 1;
        }
        name
    }
}

/// The name an identifier would get if nothing else had it.
pub fn name_for(identifier: &str, what: &str) -> String {
    if is_name(identifier) {
        return identifier.to_string();
    }
    let mut slug = String::with_capacity(identifier.len());
    for character in identifier.chars() {
        if character.is_ascii_alphanumeric() {
            slug.push(character.to_ascii_lowercase());
        } else if !slug.ends_with('_') {
            slug.push('_');
        }
    }
    let slug = slug.trim_matches('_');
    match slug.chars().next() {
        None => what.to_string(),
        Some(first) if first.is_ascii_digit() => format!("{what}_{slug}"),
        Some(_) => slug.to_string(),
    }
}

/// Whether `text` is a Coop name: letters, digits and `_`, not starting with a digit.
pub fn is_name(text: &str) -> bool {
    let mut characters = text.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && characters.all(|character| character.is_ascii_alphanumeric() || character == '_')
}

/// Whether `text` is a jurisdiction code as Coop writes one: `DK`, `US-WA`.
pub fn is_jurisdiction(text: &str) -> bool {
    let (country, subdivision) = match text.split_once('-') {
        Some((country, subdivision)) => (country, Some(subdivision)),
        None => (text, None),
    };
    country.len() == 2
        && country
            .chars()
            .all(|character| character.is_ascii_uppercase())
        && subdivision.is_none_or(|subdivision| {
            (1..=3).contains(&subdivision.len())
                && subdivision
                    .chars()
                    .all(|character| character.is_ascii_alphanumeric())
        })
}

/// A Coop string literal holding `text`, and whether characters a Coop file cannot hold had to
/// be replaced (controls other than tab and line ends, and the characters `coop` refuses as
/// hidden: see docs/language.md, Lexical elements). Line ends become `\n`.
pub fn quoted(text: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len() + 2);
    let mut replaced = false;
    out.push('"');
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                // `\r\n` and a lone `\r` are both one line end.
                if characters.peek() == Some(&'\n') {
                    characters.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            _ if character.is_control() || is_hidden(character) => {
                out.push('\u{FFFD}');
                replaced = true;
            }
            _ => out.push(character),
        }
    }
    out.push('"');
    (out, replaced)
}

/// Characters an editor shows as a line break that Coop does not read as one, and the controls
/// that reorder bidirectional text: a `.coop` file holding one is refused.
fn is_hidden(character: char) -> bool {
    matches!(
        character,
        '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_become_names() {
        assert_eq!(name_for("lot_1", "lot"), "lot_1");
        assert_eq!(name_for("CL-MP-3015", "agency"), "cl_mp_3015");
        assert_eq!(name_for("1", "award"), "award_1");
        assert_eq!(
            name_for("ocds-70d2nz-2239", "solicitation"),
            "ocds_70d2nz_2239"
        );
        assert_eq!(name_for("--", "item"), "item");
        assert_eq!(name_for("Bücher", "item"), "b_cher");
    }

    #[test]
    fn a_name_taken_gets_a_number() {
        let mut names = Names::default();
        assert_eq!(names.allocate("1", "award"), "award_1");
        assert_eq!(names.allocate("1", "award"), "award_1_2");
        assert_eq!(names.allocate("award_1_2", "award"), "award_1_2_2");
    }

    #[test]
    fn text_is_quoted_with_escapes_and_hidden_characters_replaced() {
        assert_eq!(
            quoted("a \"b\"\\c"),
            ("\"a \\\"b\\\"\\\\c\"".to_string(), false)
        );
        assert_eq!(
            quoted("one\r\ntwo\rthree"),
            ("\"one\\ntwo\\nthree\"".to_string(), false)
        );
        assert_eq!(
            quoted("x\u{202E}y\u{7}"),
            ("\"x\u{FFFD}y\u{FFFD}\"".to_string(), true)
        );
    }

    #[test]
    fn jurisdictions_have_coops_shape() {
        assert!(is_jurisdiction("US-WA"));
        assert!(is_jurisdiction("DK"));
        assert!(!is_jurisdiction("usa"));
        assert!(!is_jurisdiction("US-WASH"));
    }
}
