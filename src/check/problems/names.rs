//! The namespace's problems: a name declared twice, a reference to a name of the wrong kind, a
//! reference to no declaration.

use crate::codes::Code;
use crate::diagnostic::{Description, Problem};
use crate::schema::Entity;

pub enum NameProblem<'a> {
    /// A declaration whose name an earlier declaration took.
    Duplicate { name: &'a str },
    /// A reference, in `role` (such as "`buyer`"), to a declaration of another kind than
    /// `expected`; `candidates` are the names of the expected kind, sorted.
    WrongKind {
        role: &'a str,
        name: &'a str,
        expected: Entity,
        found: Entity,
        candidates: Vec<&'a str>,
    },
    /// A reference to no declaration; `suggestion` is a close name of the expected kind.
    Undefined {
        name: &'a str,
        expected: Entity,
        suggestion: Option<&'a str>,
    },
    /// A ledger's buyer written as a title that several agencies have; `candidates` are their
    /// names, each with its title.
    AmbiguousTitle {
        title: &'a str,
        candidates: Vec<String>,
    },
}

impl Problem for NameProblem<'_> {
    fn describe(self) -> Description {
        match self {
            NameProblem::Duplicate { name } => Description::new(
                Code::DuplicateName,
                format!("`{name}` is declared more than once"),
                "declared again here",
            )
            .help("every agency, solicitation, contract, access instrument and order needs its own name; rename one of them"),
            NameProblem::WrongKind {
                role,
                name,
                expected,
                found,
                candidates,
            } => {
                let description = Description::new(
                    Code::WrongKind,
                    format!(
                        "{role} must name {}, but `{name}` is {}",
                        expected.article(),
                        found.article()
                    ),
                    format!("{} here", found.article()),
                );
                let suggestion = crate::check::suggest(name, candidates.iter().copied());
                match candidates.as_slice() {
                    _ if suggestion.is_some() => description.suggestion(suggestion),
                    [] => description.help(format!("the model declares no {}", expected.keyword())),
                    few if few.len() <= 5 => {
                        description.help(format!("name one of: {}", few.join(", ")))
                    }
                    many => description.help(format!(
                        "name one of: {}, ... ({} in all)",
                        many[..5].join(", "),
                        many.len()
                    )),
                }
            }
            NameProblem::Undefined {
                name,
                expected,
                suggestion,
            } => Description::new(
                Code::UndefinedName,
                format!("no {} named `{name}`", expected.keyword()),
                format!("not declared as {}", expected.article()),
            )
            .suggestion_or(
                suggestion,
                if is_identifier(name) {
                    format!(
                        "declare it with `{} {name} {{ ... }}`, or check the spelling",
                        expected.keyword()
                    )
                } else {
                    // A ledger's cell, such as a title: no declaration can be named so.
                    format!(
                        "write the name of {} declared in the model, or declare one with this title: `{} {} \"{name}\" {{ ... }}`",
                        expected.article(),
                        expected.keyword(),
                        identifier_from(name)
                    )
                },
            ),
            NameProblem::AmbiguousTitle { title, candidates } => Description::new(
                Code::AmbiguousTitle,
                format!(
                    "`{title}` is the title of {} agencies: {}",
                    candidates.len(),
                    candidates.join(", ")
                ),
                "which agency?",
            )
            .help("write the agency's name instead of its title, or give the agencies titles that tell them apart"),
        }
    }
}

/// Whether a name is written as names are declared: a letter or `_`, then letters, digits and
/// `_`.
fn is_identifier(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && characters.all(|character| character.is_ascii_alphanumeric() || character == '_')
}

/// A name for a declaration titled `title`: `City of Tacoma` gives `city_of_tacoma`.
fn identifier_from(title: &str) -> String {
    let words: Vec<String> = title
        .split(|character: char| !character.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    match words.join("_") {
        name if name.starts_with(|first: char| first.is_ascii_alphabetic()) => name,
        name => format!("_{name}"),
    }
}
