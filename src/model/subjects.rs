//! What each finding is about: the declaration, or the rule, whose text holds the finding's
//! place. Waivers name findings by it, and baselines and `coop diff` key findings by it, so that
//! a finding keeps its identity when lines move.

use crate::source::Span;

use super::Model;

/// Every declaration and rule of a model, by where its text is.
#[derive(Debug, Default)]
pub struct Subjects<'m> {
    /// Sorted by file, then start; declarations never overlap.
    places: Vec<(Span, &'m str)>,
}

impl<'m> Subjects<'m> {
    pub fn of(model: &'m Model) -> Subjects<'m> {
        let mut places: Vec<(Span, &str)> = model
            .headers()
            .map(|header| (header.span, header.name.value.as_str()))
            .chain(
                model
                    .rules
                    .iter()
                    .map(|rule| (rule.span, rule.id.value.as_str())),
            )
            .collect();
        places.sort_unstable_by_key(|(span, _)| (span.file, span.start, span.end));
        Subjects { places }
    }

    /// The name of the declaration or rule whose text holds `span`, if one does.
    pub fn subject(&self, span: Span) -> Option<&'m str> {
        let after = self
            .places
            .partition_point(|(place, _)| (place.file, place.start) <= (span.file, span.start));
        let (place, name) = self.places.get(after.checked_sub(1)?)?;
        (place.file == span.file && span.end <= place.end).then_some(*name)
    }
}
