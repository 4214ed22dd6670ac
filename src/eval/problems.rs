//! What evaluation finds that is not an order's own rule passing: an order no basis permits, a
//! rule's finding, a rule that could not be decided, two rules ordering terms both ways, a usage
//! report late or missing. Each variant says its one code, message, label and help.

use crate::codes::Code;
use crate::diagnostic::{Description, Problem};
use crate::model::rules::{Outcome, Rule};
use crate::values::Date;

pub enum EvalProblem<'a> {
    /// No legal basis applies to the order at all.
    NoBasis { order: &'a str },
    /// A legal basis that applies does not hold; `reasons` are its conditions that fail.
    BasisNotMet {
        basis: &'a Rule,
        reasons: Vec<&'a str>,
        /// Whether other bases were tried too.
        alternatives: bool,
    },
    /// A rule's `require` (or `deny`, `warn`) found against its subject; the message and help
    /// are the rule's own, as written.
    RuleFinding {
        rule: &'a Rule,
        outcome: Outcome,
        about_order: bool,
        message: String,
        help: Option<String>,
    },
    /// A rule of a pack used as warnings would deny: a `require ... else deny` that fails, or a
    /// legal basis of it not met. `message` says what it found, as the denial would.
    WouldDeny {
        rule: &'a Rule,
        about_order: bool,
        message: String,
        help: Option<String>,
    },
    /// A rule's condition could not be computed for a subject.
    RuleUndecided { rule: &'a Rule, why: &'a str },
    /// Two rules order the terms of one binding both ways.
    PrecedenceConflict {
        decided: &'a str,
        overruled: &'a str,
        agency: &'a str,
        contract: &'a str,
    },
    /// More usage reports are late or missing than are listed one by one.
    UsageReportsOverdue {
        contract: &'a str,
        first_start: Date,
        last_end: Date,
        more: usize,
    },
    /// A usage report filed after it was due.
    UsageReportLate {
        contract: &'a str,
        start: Date,
        end: Date,
        due: Date,
        filed: Date,
    },
    /// A usage report due and not filed.
    UsageReportMissing {
        contract: &'a str,
        start: Date,
        end: Date,
        due: Date,
    },
    /// A waiver whose last day has passed: the findings it waived count again.
    WaiverExpired {
        finding: &'a str,
        on: &'a str,
        until: Date,
        by: &'a str,
    },
}

impl Problem for EvalProblem<'_> {
    fn describe(self) -> Description {
        match self {
            EvalProblem::WaiverExpired {
                finding,
                on,
                until,
                by,
            } => Description::new(
                Code::WaiverExpired,
                format!(
                    "the waiver of `{finding}` on `{on}`, accepted by {by}, expired on {until}: its findings count again"
                ),
                "expired",
            )
            .help("fix what the finding is about, or renew the waiver with a later `until` and the reason it still holds"),
            EvalProblem::NoBasis { order } => Description::new(
                Code::NoBasis,
                format!("no legal basis applies to order `{order}`: nothing permits it"),
                "no basis",
            )
            .help("the prelude's bases (`own-solicitation`, `piggyback`) permit orders by default; a rule that replaces or waives them must permit the orders it covers with `permit when ...`"),
            EvalProblem::BasisNotMet {
                basis,
                reasons,
                alternatives,
            } => Description::new(
                Code::BasisNotMet,
                format!(
                    "not permitted under {}: {}",
                    basis.title.as_deref().unwrap_or(&basis.id.value),
                    reasons.join("; ")
                ),
                format!("no basis holds; tried `{}`", basis.id.value),
            )
            .help(if alternatives {
                "an order is lawful when one legal basis holds: meet the conditions of one of the bases tried"
            } else {
                "an order is lawful when a legal basis holds: meet its conditions"
            }),
            EvalProblem::RuleFinding {
                rule,
                outcome,
                about_order,
                message,
                help,
            } => {
                let description = Description::new(
                    rule.finding_code(outcome),
                    message,
                    finding_label(rule, outcome, about_order),
                );
                match help {
                    Some(help) => description.help(help),
                    None => description,
                }
            }
            EvalProblem::WouldDeny {
                rule,
                about_order,
                message,
                help,
            } => {
                let pack = rule.pack.as_deref().unwrap_or("the pack");
                let what = if about_order { "this order" } else { "this" };
                let advice = format!(
                    "pack `{pack}` is used `as warnings`, so rule `{}` only warns; without `as warnings` it denies {what}",
                    rule.id.value
                );
                Description::new(
                    Code::WouldDeny,
                    format!("would deny (pack `{pack}`, used as warnings): {message}"),
                    match &rule.citation {
                        Some(citation) => {
                            format!("rule `{}` ({citation}) would deny", rule.id.value)
                        }
                        None => format!("rule `{}` would deny", rule.id.value),
                    },
                )
                .help(match help {
                    Some(help) => format!("{help}; {advice}"),
                    None => advice,
                })
            }
            EvalProblem::RuleUndecided { rule, why } => Description::new(
                Code::RuleUndecided,
                format!("rule `{}` could not be decided: {why}", rule.id.value),
                "not judged by this rule",
            )
            .help("the rule neither denies nor passes what it cannot compute: write its limits (or set its pack's parameters) in the contract's currency and units, keep divisors from being zero, or narrow its `where` to what it is meant for"),
            EvalProblem::PrecedenceConflict {
                decided,
                overruled,
                agency,
                contract,
            } => Description::new(
                Code::PrecedenceConflict,
                format!(
                    "rules `{decided}` and `{overruled}` order the terms of {agency}'s binding to `{contract}` both ways; `{decided}` decides, as the first by id"
                ),
                "terms ordered twice",
            )
            .help(format!(
                "say which rule stands: the one that should decide replaces the other (`replaces {overruled}` in `{decided}`, or `replaces {decided}` in `{overruled}`), or one rule's `where` narrows to its bindings"
            )),
            EvalProblem::UsageReportsOverdue {
                contract,
                first_start,
                last_end,
                more,
            } => Description::new(
                Code::UsageReportMissing,
                format!(
                    "usage reports for {first_start} to {last_end} under `{contract}`: {more} more late or missing"
                ),
                "reports due under this contract",
            )
            .help("`coop report` lists every period with its due date and status"),
            // Messages start with the period, so that findings sort in date order.
            EvalProblem::UsageReportLate {
                contract,
                start,
                end,
                due,
                filed,
            } => Description::new(
                Code::UsageReportMissing,
                format!(
                    "usage report for {start} to {end} under `{contract}` filed late: on {filed}, after it was due on {due}"
                ),
                "report due under this contract",
            )
            .help("file each report within the delay after its period ends; a period with no sales still needs its report"),
            EvalProblem::UsageReportMissing {
                contract,
                start,
                end,
                due,
            } => Description::new(
                Code::UsageReportMissing,
                format!(
                    "usage report for {start} to {end} under `{contract}` missing: it was due on {due}"
                ),
                "report due under this contract",
            )
            .help(format!(
                "record the report in the contract with `usage_report {end} filed YYYY-MM-DD`; a period with no sales still needs its report"
            )),
        }
    }
}

/// The primary label of a rule's finding: an order is denied or warned about; anything else
/// fails the rule.
fn finding_label(rule: &Rule, outcome: Outcome, about_order: bool) -> String {
    let verb = match (outcome, about_order) {
        (Outcome::Deny, true) => "denied by",
        (Outcome::Deny, false) => "fails",
        (Outcome::Warn, _) => "warned by",
    };
    // The prelude's rules are cited in the help; their labels stay short.
    match &rule.citation {
        Some(citation) if !rule.is_prelude() => {
            format!("{verb} rule `{}` ({citation})", rule.id.value)
        }
        _ => format!("{verb} rule `{}`", rule.id.value),
    }
}
