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
                format!(
                    "declare it with `{} {name} {{ ... }}`, or check the spelling",
                    expected.keyword()
                ),
            ),
        }
    }
}
