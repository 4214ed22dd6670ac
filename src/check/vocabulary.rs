//! The model's vocabulary: the agency kinds and roles its files (and its packs) add to the
//! built-in ones, each with what it means, and the jurisdiction groups, whose members change
//! over time. Checked once, then read by the declarations (an agency's `kind`) and by the rules
//! (`o.buyer.kind == town`, `o.lead.jurisdiction in [EU]`).

use ahash::AHashMap;
use ustr::Ustr;

use super::problems::DeclarationProblem;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Definition, Group};
use crate::schema::Enumeration;
use crate::syntax::ast;
use crate::values::Date;

/// The open sets' declared values and the jurisdiction groups, as checking reads them.
#[derive(Debug, Default)]
pub struct Vocabulary {
    definitions: Vec<Definition>,
    groups: Vec<Group>,
    /// Each group's index in `groups`, by name.
    group_index: AHashMap<String, usize>,
}

impl Vocabulary {
    /// Reads every file's definitions and groups, reporting duplicates, unknown members, dates
    /// out of order and groups that hold themselves.
    pub(super) fn build(files: &[ast::File], diagnostics: &mut Diagnostics) -> Vocabulary {
        let mut vocabulary = Vocabulary::default();
        for definition in files.iter().flat_map(|file| &file.definitions) {
            vocabulary.define(definition, diagnostics);
        }
        vocabulary
            .definitions
            .sort_by(|left, right| left.name.value.cmp(&right.name.value));
        let written: Vec<&ast::Group> = files.iter().flat_map(|file| &file.groups).collect();
        let mut kept: Vec<&ast::Group> = Vec::new();
        for group in written {
            match kept
                .iter()
                .find(|earlier| earlier.name.value == group.name.value)
            {
                Some(first) => diagnostics.push(
                    Diagnostic::of(
                        DeclarationProblem::DuplicateGroup {
                            group: &group.name.value,
                        },
                        group.name.span,
                    )
                    .with_related(first.name.span, "first declared here"),
                ),
                None => kept.push(group),
            }
        }
        kept.sort_by(|left, right| left.name.value.cmp(&right.name.value));
        let names: Vec<&str> = kept.iter().map(|group| group.name.value.as_str()).collect();
        for group in &kept {
            for member in &group.members {
                if let (Some(from), Some(until)) = (member.from, member.until)
                    && until.value < from.value
                {
                    diagnostics.push(
                        Diagnostic::of(
                            DeclarationProblem::LeavesBeforeJoining {
                                member: &member.name.value,
                                group: &group.name.value,
                                from: from.value,
                                until: until.value,
                            },
                            until.span,
                        )
                        .with_related(from.span, "joins here"),
                    );
                }
                let is_code = is_jurisdiction_code(&member.name.value);
                if !is_code && !names.contains(&member.name.value.as_str()) {
                    diagnostics.push(Diagnostic::of(
                        DeclarationProblem::UnknownGroupMember {
                            member: &member.name.value,
                            group: &group.name.value,
                            suggestion: super::suggest(&member.name.value, names.iter().copied()),
                        },
                        member.name.span,
                    ));
                }
            }
        }
        for (index, group) in kept.iter().enumerate() {
            let mut stack = Vec::new();
            let intervals = match flatten(&kept, index, &mut stack) {
                Ok(intervals) => intervals,
                Err(()) => {
                    diagnostics.push(Diagnostic::of(
                        DeclarationProblem::GroupHoldsItself {
                            group: &group.name.value,
                        },
                        group.name.span,
                    ));
                    Vec::new()
                }
            };
            vocabulary
                .group_index
                .insert(group.name.value.to_string(), index);
            vocabulary.groups.push(Group {
                name: group.name.to_owned_string(),
                title: group.title.as_ref().map(|title| title.value.clone()),
                members: timeline(&intervals),
            });
        }
        vocabulary
    }

    fn define(&mut self, definition: &ast::Definition, diagnostics: &mut Diagnostics) {
        let set = definition.set.value;
        let name = &definition.name;
        let built_in = set.values().contains(&name.value.as_str());
        let earlier = self
            .definitions
            .iter()
            .find(|earlier| earlier.set == set && earlier.name.value == name.value);
        if built_in || earlier.is_some() {
            let mut diagnostic = Diagnostic::of(
                DeclarationProblem::DuplicateDefinition {
                    name: &name.value,
                    set,
                    built_in,
                },
                name.span,
            );
            if let Some(earlier) = earlier {
                diagnostic = diagnostic.with_related(earlier.name.span, "first declared here");
            }
            diagnostics.push(diagnostic);
            return;
        }
        self.definitions.push(Definition {
            set,
            name: name.to_owned_string(),
            meaning: definition.meaning.value.clone(),
        });
    }

    /// Every spelling of a set: the built-in ones, then the model's own.
    pub fn values(&self, set: Enumeration) -> Vec<&'static str> {
        let mut values = set.values();
        values.extend(
            self.definitions
                .iter()
                .filter(|definition| definition.set == set)
                .map(|definition| Ustr::from(&definition.name.value).as_str()),
        );
        values
    }

    /// The spelling of a value of a set, built in or declared; `None` when it is neither.
    pub fn value(&self, set: Enumeration, name: &str) -> Option<&'static str> {
        if let Some(built_in) = set.values().into_iter().find(|value| *value == name) {
            return Some(built_in);
        }
        self.definitions
            .iter()
            .any(|definition| definition.set == set && definition.name.value == name)
            .then(|| Ustr::from(name).as_str())
    }

    /// The group of a name, by its index among the groups.
    pub fn group(&self, name: &str) -> Option<usize> {
        self.group_index.get(name).copied()
    }

    /// The groups' names, for "did you mean".
    pub fn group_names(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().map(|group| group.name.value.as_str())
    }

    /// The definitions and the groups, for the checked model.
    pub(super) fn into_parts(self) -> (Vec<Definition>, Vec<Group>) {
        (self.definitions, self.groups)
    }
}

/// A jurisdiction's membership: its code, its first day (none: always) and its last (none:
/// still).
type Interval = (String, Option<Date>, Option<Date>);

/// Whether a group member is written as a jurisdiction code (`AT`, `US-WA`), not a group's name.
fn is_jurisdiction_code(name: &str) -> bool {
    let mut parts = name.splitn(2, '-');
    let country = parts.next().unwrap_or_default();
    country.len() == 2
        && country.bytes().all(|byte| byte.is_ascii_uppercase())
        && parts
            .next()
            .is_none_or(|part| (1..=3).contains(&part.len()))
}

/// The memberships of a group, its nested groups' intersected with the dates they belong; `Err`
/// when the group holds itself. A member that names a group is the group, even when its name
/// reads like a code (`EU`).
fn flatten(
    groups: &[&ast::Group],
    index: usize,
    stack: &mut Vec<usize>,
) -> Result<Vec<Interval>, ()> {
    if stack.contains(&index) {
        return Err(());
    }
    stack.push(index);
    let mut intervals = Vec::new();
    for member in &groups[index].members {
        let from = member.from.map(|date| date.value);
        let until = member.until.map(|date| date.value);
        match groups
            .iter()
            .position(|group| group.name.value == member.name.value)
        {
            Some(nested) => {
                for (code, inner_from, inner_until) in flatten(groups, nested, stack)? {
                    let start = later(from, inner_from);
                    let end = earlier(until, inner_until);
                    if let (Some(start), Some(end)) = (start, end)
                        && end < start
                    {
                        continue;
                    }
                    intervals.push((code, start, end));
                }
            }
            None if is_jurisdiction_code(&member.name.value) => {
                intervals.push((member.name.value.to_string(), from, until));
            }
            // An unknown member is reported; it belongs to nothing.
            None => {}
        }
    }
    stack.pop();
    Ok(intervals)
}

fn later(left: Option<Date>, right: Option<Date>) -> Option<Date> {
    match (left, right) {
        (Some(left), Some(right)) => Some(left.max(right)),
        (one, other) => one.or(other),
    }
}

fn earlier(left: Option<Date>, right: Option<Date>) -> Option<Date> {
    match (left, right) {
        (Some(left), Some(right)) => Some(left.min(right)),
        (one, other) => one.or(other),
    }
}

/// The members of a group from each date its membership changes on.
fn timeline(intervals: &[Interval]) -> Vec<(Date, Ustr)> {
    let mut changes: Vec<Date> = intervals
        .iter()
        .flat_map(|(_, from, until)| {
            [
                Some(from.unwrap_or(Date::MIN)),
                until.and_then(|until| until.succ_opt()),
            ]
        })
        .flatten()
        .collect();
    changes.sort_unstable();
    changes.dedup();
    let mut members: Vec<(Date, Ustr)> = Vec::new();
    for date in changes {
        let mut codes: Vec<&str> = intervals
            .iter()
            .filter(|(_, from, until)| {
                from.is_none_or(|from| from <= date) && until.is_none_or(|until| date <= until)
            })
            .map(|(code, _, _)| code.as_str())
            .collect();
        codes.sort_unstable();
        codes.dedup();
        let joined = Ustr::from(&codes.join(","));
        if members.last().is_none_or(|(_, last)| *last != joined) {
            members.push((date, joined));
        }
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn members_change_on_their_dates() {
        let intervals = vec![
            ("AT".to_string(), Some(date("1995-01-01")), None),
            (
                "GB".to_string(),
                Some(date("1973-01-01")),
                Some(date("2020-01-31")),
            ),
            ("FR".to_string(), None, None),
        ];
        let group = Group {
            name: crate::source::Spanned::new(
                "EU".to_string(),
                crate::source::Span::new(crate::source::FileId(0), 0, 0),
            ),
            title: None,
            members: timeline(&intervals),
        };
        assert_eq!(group.members_on(date("1970-01-01")).as_str(), "FR");
        assert_eq!(group.members_on(date("2000-01-01")).as_str(), "AT,FR,GB");
        assert_eq!(group.members_on(date("2020-01-31")).as_str(), "AT,FR,GB");
        assert_eq!(group.members_on(date("2020-02-01")).as_str(), "AT,FR");
    }

    #[test]
    fn codes_are_told_from_group_names() {
        assert!(is_jurisdiction_code("US-WA"));
        assert!(is_jurisdiction_code("EU"));
        assert!(!is_jurisdiction_code("EEA"));
        assert!(!is_jurisdiction_code("nordic"));
    }
}
