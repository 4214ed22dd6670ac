//! What each finding is about: the declaration, or the rule, whose text holds the finding's
//! place. Waivers name findings by it, and baselines and `coop diff` key findings by it, so that
//! a finding keeps its identity when lines move.

use crate::source::Span;

use super::Model;

/// Every declaration and rule of a model, by where its text is.
#[derive(Debug, Default)]
pub struct Subjects {
    /// Sorted by file, then start; declarations never overlap.
    places: Vec<(Span, String)>,
}

impl Subjects {
    pub fn of(model: &Model) -> Subjects {
        let mut places: Vec<(Span, String)> = model
            .headers()
            .map(|header| (header.span, header.name.value.clone()))
            .chain(
                model
                    .rules
                    .iter()
                    .map(|rule| (rule.span, rule.id.value.clone())),
            )
            .collect();
        places.sort_unstable_by_key(|(span, _)| (span.file, span.start, span.end));
        Subjects { places }
    }

    /// The name of the declaration or rule whose text holds `span`, if one does.
    pub fn subject(&self, span: Span) -> Option<&str> {
        let after = self
            .places
            .partition_point(|(place, _)| (place.file, place.start) <= (span.file, span.start));
        let (place, name) = self.places.get(after.checked_sub(1)?)?;
        (place.file == span.file && span.end <= place.end).then_some(name.as_str())
    }
}
