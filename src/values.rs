//! The plain values of the domain, shared by the syntax tree, the checked model and the report.

use std::fmt;

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ustr::Ustr;

/// The largest amount or quantity a model may state, and the largest value of one order line:
/// a quadrillion. Totals of any realistic number of lines then stay far inside a decimal's range.
pub const LARGEST_AMOUNT: i64 = 1_000_000_000_000_000;

/// A calendar date; never a string, never a time of day.
pub type Date = NaiveDate;

/// A date written as in `.coop` files, `YYYY-MM-DD` exactly, that is a day on the calendar.
pub fn parse_iso_date(text: &str) -> Option<Date> {
    if !is_date_shaped(text) {
        return None;
    }
    Date::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Whether a text is written `YYYY-MM-DD`, a day on the calendar or not.
pub fn is_date_shaped(text: &str) -> bool {
    text.len() == 10
        && text.char_indices().all(|(index, character)| match index {
            4 | 7 => character == '-',
            _ => character.is_ascii_digit(),
        })
}

/// An amount of money in one ISO 4217 currency. Decimal, never float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub currency: Currency,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

/// A length of time, as written (`1 year`, `30 days`), added to dates by the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Duration {
    pub count: u32,
    pub unit: DurationUnit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    Day,
    Week,
    Month,
    Year,
}

/// A currency as written: an ISO 4217 code or, until the checker refuses it (`unknown-value`),
/// any other text a file or a ledger holds. Interned, so that money is copied and compared as a
/// pointer and a number, never as a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(Ustr);

impl Currency {
    pub fn parse(code: &str) -> Currency {
        Currency(Ustr::from(code))
    }

    /// The code as written: `USD`.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether the code is one of ISO 4217's.
    pub fn is_iso(&self) -> bool {
        iso_currency::Currency::from_code(self.as_str()).is_some()
    }
}

impl From<&str> for Currency {
    fn from(code: &str) -> Currency {
        Currency::parse(code)
    }
}

impl From<String> for Currency {
    fn from(code: String) -> Currency {
        Currency::parse(&code)
    }
}

impl From<&Currency> for Currency {
    fn from(currency: &Currency) -> Currency {
        *currency
    }
}

impl std::ops::Deref for Currency {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Ok(Currency::parse(&code))
    }
}

impl Money {
    pub fn new(currency: impl Into<Currency>, amount: Decimal) -> Money {
        Money {
            currency: currency.into(),
            amount,
        }
    }

    /// An amount as reports state it: rounded to the cent, always with two decimals.
    pub fn in_cents(currency: impl Into<Currency>, amount: Decimal) -> Money {
        let mut amount = amount.round_dp(2);
        amount.rescale(2);
        Money::new(currency, amount)
    }
}

impl fmt::Display for Money {
    /// `USD 198,500.00`: thousands separators and at least two decimals, as people write money.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut amount = self.amount;
        if amount.scale() < 2 {
            amount.rescale(2);
        }
        write!(
            formatter,
            "{} {}",
            self.currency,
            group_thousands(&amount.to_string())
        )
    }
}

impl Duration {
    /// The date this long after `date`, or `None` past the calendar's end.
    ///
    /// Months and years follow the calendar: a year after 2024-02-29 is 2025-02-28.
    pub fn after(self, date: Date) -> Option<Date> {
        match self.unit {
            DurationUnit::Day => date.checked_add_days(Days::new(self.count.into())),
            DurationUnit::Week => date.checked_add_days(Days::new(u64::from(self.count) * 7)),
            DurationUnit::Month => date.checked_add_months(Months::new(self.count)),
            DurationUnit::Year => date.checked_add_months(Months::new(self.count.checked_mul(12)?)),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            DurationUnit::Day => "day",
            DurationUnit::Week => "week",
            DurationUnit::Month => "month",
            DurationUnit::Year => "year",
        };
        let plural = if self.count == 1 { "" } else { "s" };
        write!(formatter, "{} {unit}{plural}", self.count)
    }
}

/// Text from a model made safe to print on one terminal line: control characters (a new line, an
/// escape sequence) are shown escaped, so a title cannot forge a report line or recolour a
/// terminal.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_control() {
                character.escape_default().collect()
            } else {
                character.to_string()
            }
        })
        .collect()
}

/// Writes a decimal quantity as people read it: `1,250` or `2.5`, never `2.50000`.
pub fn format_quantity(quantity: Decimal) -> String {
    group_thousands(&quantity.normalize().to_string())
}

/// Writes a percentage with at most two decimals: `15%`, `0.25%`, `33.33%`.
pub fn format_percentage(percentage: Decimal) -> String {
    format!("{}%", percentage.round_dp(2).normalize())
}

/// Inserts thousands separators into the integer part of a plain decimal string.
fn group_thousands(plain: &str) -> String {
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain),
    };
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let mut grouped = String::with_capacity(integer.len() + integer.len() / 3);
    for (index, digit) in integer.chars().enumerate() {
        if index > 0 && (integer.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_is_written_with_separators_and_cents() {
        let money = Money::new("USD", Decimal::from_str("198500").unwrap());
        assert_eq!(money.to_string(), "USD 198,500.00");
        let money = Money::new("EUR", Decimal::from_str("-1234567.5").unwrap());
        assert_eq!(money.to_string(), "EUR -1,234,567.50");
    }

    #[test]
    fn quantities_drop_trailing_zeros() {
        assert_eq!(format_quantity(Decimal::from_str("2.50").unwrap()), "2.5");
        assert_eq!(format_quantity(Decimal::from_str("1000").unwrap()), "1,000");
    }

    #[test]
    fn years_follow_the_calendar() {
        let leap_day = Date::from_ymd_opt(2024, 2, 29).unwrap();
        let year = Duration {
            count: 1,
            unit: DurationUnit::Year,
        };
        assert_eq!(year.after(leap_day), Date::from_ymd_opt(2025, 2, 28));
    }
}
