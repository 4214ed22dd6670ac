//! What checking finds wrong, as typed problems: one enum for the namespace, one for building
//! the model's declarations and tests, one for rules and rule packs. Each variant says its one
//! code, message, label and help.

mod declarations;
mod names;
mod rules;

pub(super) use declarations::DeclarationProblem;
pub(super) use names::NameProblem;
pub(super) use rules::RuleProblem;
