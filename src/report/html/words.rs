//! How the page writes what it names: titles before ids, ids that wrap only after an underscore,
//! amounts and dates that never wrap, and Coop's messages with their `quoted names` as code.
//! Every piece of text from the model passes through maud's escaping here or in the templates.

use std::collections::HashMap;

use maud::{Markup, html};

use super::super::{AgencyReport, Amount, ContractReport};
use crate::values::{Date, Money};

/// The agencies and contracts of a report by name, for their titles.
pub(super) struct Names<'r> {
    agencies: HashMap<&'r str, &'r AgencyReport>,
    contracts: HashMap<&'r str, &'r ContractReport>,
}

impl<'r> Names<'r> {
    pub(super) fn of(report: &'r super::Report) -> Names<'r> {
        Names {
            agencies: report
                .agencies
                .iter()
                .map(|agency| (agency.name.as_str(), agency))
                .collect(),
            contracts: report
                .contracts
                .iter()
                .map(|contract| (contract.name.as_str(), contract))
                .collect(),
        }
    }

    /// How people call an agency: its title, else its id.
    pub(super) fn agency(&self, name: &str) -> Markup {
        named(
            self.agencies
                .get(name)
                .and_then(|agency| agency.title.as_deref()),
            name,
        )
    }

    /// How people call a contract: its title, else its id.
    pub(super) fn contract(&self, name: &str) -> Markup {
        named(
            self.contracts
                .get(name)
                .and_then(|contract| contract.title.as_deref()),
            name,
        )
    }

    /// The agency's title as plain text, for descriptions of charts.
    pub(super) fn agency_text(&self, name: &str) -> String {
        self.agencies
            .get(name)
            .and_then(|agency| agency.title.as_deref())
            .unwrap_or(name)
            .to_string()
    }
}

/// A title, else the id it stands for.
pub(super) fn named(title: Option<&str>, name: &str) -> Markup {
    match title {
        Some(title) if !title.trim().is_empty() => html! { (title) },
        _ => id(name),
    }
}

/// A title with its id under it, for a reader who needs both (the table of orders).
pub(super) fn titled(title: Option<&str>, name: &str) -> Markup {
    match title {
        Some(title) if !title.trim().is_empty() => html! {
            (title) small.id { (id(name)) }
        },
        _ => html! { span.id { (id(name)) } },
    }
}

/// An id that may wrap only after its underscores: `mc_24_0318` as `mc_<wbr>24_<wbr>0318`.
pub(super) fn id(name: &str) -> Markup {
    html! {
        @for (index, piece) in name.split_inclusive('_').enumerate() {
            @if index > 0 { wbr; }
            (piece)
        }
    }
}

/// An amount, never wrapped.
pub(super) fn amount(amount: &Amount) -> Markup {
    html! { span.amount { (amount.to_string()) } }
}

/// Money, never wrapped.
pub(super) fn money(money: &Money) -> Markup {
    html! { span.amount { (money.to_string()) } }
}

/// An ISO date as a `<time>`, never wrapped.
pub(super) fn date(text: &str) -> Markup {
    html! { time datetime=(text) { (text) } }
}

/// A date as people read it in a sentence: `31 December 2025`.
pub(super) fn long_date(date: Date) -> String {
    date.format("%-d %B %Y").to_string()
}

/// A message of Coop's, with its `quoted names` as code (wrapping only after an underscore) and
/// an amount's currency kept with its number.
pub(super) fn message(text: &str) -> Markup {
    let shown = keep_amounts_together(text);
    let pieces: Vec<&str> = shown.split('`').collect();
    // An odd count of backticks leaves the text as written.
    let balanced = pieces.len() % 2 == 1;
    html! {
        @if balanced {
            @for (index, piece) in pieces.iter().enumerate() {
                @if index % 2 == 1 { code { (id(piece)) } } @else { (piece) }
            }
        } @else {
            (shown)
        }
    }
}

/// `USD 1,000.00` with a no-break space, so that a line never ends between currency and number;
/// and `33(5)(a)` with a word joiner between `)(`, where a browser may otherwise end a line.
fn keep_amounts_together(text: &str) -> String {
    let characters: Vec<char> = text.chars().collect();
    let mut kept = String::with_capacity(text.len());
    for (index, character) in characters.iter().enumerate() {
        let after_code = index >= 3
            && characters[index - 3..index]
                .iter()
                .all(char::is_ascii_uppercase)
            && (index == 3 || !characters[index - 4].is_alphanumeric());
        let before_number = characters.get(index + 1).is_some_and(char::is_ascii_digit);
        if *character == ' ' && after_code && before_number {
            kept.push('\u{a0}');
        } else if *character == '(' && index > 0 && characters[index - 1] == ')' {
            kept.push('\u{2060}');
            kept.push('(');
        } else {
            kept.push(*character);
        }
    }
    kept
}

/// `1 order`, `2 orders`.
pub(super) fn count(count: usize, noun: &str) -> String {
    crate::diagnostic::plural(count, noun)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_wrap_only_after_underscores() {
        assert_eq!(id("mc_24_0318").into_string(), "mc_<wbr>24_<wbr>0318");
        assert_eq!(id("<b>").into_string(), "&lt;b&gt;");
    }

    #[test]
    fn messages_quote_names_as_code_and_keep_amounts_whole() {
        assert_eq!(
            message("order `a_b` costs USD 5.00 <now>").into_string(),
            "order <code>a_<wbr>b</code> costs USD\u{a0}5.00 &lt;now&gt;"
        );
        assert_eq!(message("one ` left").into_string(), "one ` left");
        assert_eq!(message("BUSD 5").into_string(), "BUSD 5");
        assert_eq!(
            message("Art. 33(5)(a)").into_string(),
            "Art. 33(5)\u{2060}(a)"
        );
    }
}
