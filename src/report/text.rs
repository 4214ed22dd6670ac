//! The report as text for people, in the shape of the language sketch: agencies and their
//! bindings, then orders with every reason, then contracts and their volumes.

use std::fmt::Write as _;

use super::*;
use crate::diagnostic::plural;
use crate::eval::Basis;
use crate::values::printable;

/// Renders the whole report. Plain text, no colour, no terminal-dependent width.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    header(&mut out, report);
    for agency in &report.agencies {
        agency_section(&mut out, agency);
    }
    orders_section(&mut out, &report.orders);
    if !report.frameworks.is_empty() {
        frameworks_section(&mut out, &report.frameworks);
    }
    contracts_section(&mut out, &report.contracts, report.horizon_days);
    if !report.findings.is_empty() {
        out.push_str("\nFindings\n");
        for finding in &report.findings {
            reason(&mut out, finding, "  ");
        }
    }
    if !report.waivers.is_empty() {
        out.push_str("\nWaivers (findings known and accepted)\n");
        for waiver in &report.waivers {
            let _ = writeln!(out, "  {}", printable(&waiver.text()));
            let _ = writeln!(out, "    because {}", printable(&waiver.because));
            let _ = writeln!(
                out,
                "    [{}:{}]",
                waiver.location.file, waiver.location.line
            );
        }
    }
    if !report.rules.is_empty() {
        out.push_str("\nRules followed\n");
        // The prelude's rules are every model's; they are listed when something set them aside.
        let prelude = crate::model::rules::PRELUDE;
        let from_prelude = |rule: &&super::RuleReport| rule.rule.pack.as_deref() == Some(prelude);
        let prelude_rules = report.rules.iter().filter(from_prelude).count();
        if prelude_rules > 0 {
            let _ = writeln!(
                out,
                "  the prelude [{prelude}]: {} of the core semantics, which every model follows (`coop rules {prelude}`)",
                plural(prelude_rules, "rule")
            );
        }
        for rule in report
            .rules
            .iter()
            .filter(|rule| !from_prelude(rule) || !rule.set_aside_by.is_empty())
        {
            let pack = rule
                .rule
                .pack
                .as_ref()
                .map_or(String::new(), |pack| format!(" [{pack}]"));
            let citation = rule
                .rule
                .citation
                .as_ref()
                .map_or(String::new(), |citation| {
                    format!(" ({})", printable(citation))
                });
            // A version of a rule says when it is in force; a pack used as warnings says so.
            let qualifiers = crate::diagnostic::qualifiers(
                rule.rule.in_force.as_deref(),
                rule.rule.pack.as_deref(),
                rule.rule.as_warnings,
            );
            let _ = writeln!(
                out,
                "  {}{pack}{citation}{}",
                rule.rule.id,
                printable(&qualifiers)
            );
            let things = match rule.scope.as_str() {
                "agency" => "agencies",
                "access" => "access instruments",
                "order" => "orders",
                "line" => "order lines",
                "contract" => "contracts",
                "solicitation" => "solicitations",
                _ => "bindings",
            };
            let undecided = if rule.undecided > 0 {
                format!(", undecided {}", rule.undecided)
            } else {
                String::new()
            };
            let permitted = rule.permitted.map_or(String::new(), |permitted| {
                format!(", permitted {permitted}")
            });
            let _ = writeln!(
                out,
                "    applied to {} of {} {things}, failed {}{undecided}{permitted}",
                rule.applied, rule.considered, rule.failed
            );
            for by in &rule.set_aside_by {
                let because = by.because.as_ref().map_or(String::new(), |reason| {
                    format!(" because \"{}\"", printable(reason))
                });
                let _ = writeln!(
                    out,
                    "    {} by {}{because}; set aside for {} {things} in all",
                    by.how, by.rule, rule.set_aside
                );
            }
        }
    }
    out
}

fn header(out: &mut String, report: &Report) {
    let summary = &report.summary;
    let mut orders = format!(
        "{} judged ({} denied)",
        plural(summary.orders, "order"),
        summary.denied
    );
    if summary.after_as_of > 0 {
        orders.push_str(&format!(
            ", {} after the as-of date not counted",
            summary.after_as_of
        ));
    }
    let _ = writeln!(
        out,
        "Binding obligations as of {}: {}, {}, {orders}",
        report.as_of,
        plural(summary.agencies, "agency"),
        plural(summary.contracts, "contract"),
    );
}

fn agency_section(out: &mut String, agency: &AgencyReport) {
    let kinds = if agency.kinds.is_empty() {
        agency.kind.clone()
    } else {
        agency.kinds.join(" and ")
    };
    let roles = if agency.roles.is_empty() {
        String::new()
    } else {
        format!(", {}", agency.roles.join(", "))
    };
    let kind = format!("{kinds} in {}{roles}", agency.jurisdiction);
    match &agency.title {
        Some(title) => {
            let _ = writeln!(out, "\n{} ({}, {kind})", printable(title), agency.name);
        }
        None => {
            let _ = writeln!(out, "\n{} ({kind})", agency.name);
        }
    }
    if agency.bindings.is_empty() {
        out.push_str("  not bound to any contract\n");
    }
    for binding in &agency.bindings {
        let title = binding
            .contract_title
            .as_ref()
            .map(|title| format!(" \"{}\"", printable(title)))
            .unwrap_or_default();
        let via = if binding.via.is_empty() {
            String::new()
        } else {
            format!(" via {}", binding.via.join(", "))
        };
        let basis = match binding.basis {
            Basis::Lead => "as lead".to_string(),
            Basis::JointParticipant => "as joint participant".to_string(),
            Basis::Piggyback => "by piggyback".to_string(),
        };
        let _ = writeln!(
            out,
            "  bound to {}{title} ({}) {basis}{via}",
            binding.contract,
            printable(&binding.suppliers.join(", "))
        );
        let mut notes = Vec::new();
        if binding.extended_by_options {
            notes.push("term with exercised options");
        }
        if binding.ended {
            notes.push("ended");
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        };
        let _ = writeln!(out, "    {} to {}{notes}", binding.from, binding.to);
        let terms = if binding.clauses.is_empty() {
            "none".to_string()
        } else {
            let clauses: Vec<String> = binding.clauses.iter().map(ClauseReport::text).collect();
            clauses.join(", ")
        };
        let prices: Vec<String> = binding.prices.iter().map(price).collect();
        let prices = if prices.is_empty() {
            "none".to_string()
        } else {
            prices.join(", ")
        };
        let _ = writeln!(out, "    terms: {terms}; prices: {prices}");
        let ordered: Vec<String> = binding.ordered.iter().map(ToString::to_string).collect();
        let value = binding
            .ordered_value
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        if ordered.is_empty() {
            let _ = writeln!(out, "    ordered nothing yet");
        } else {
            let _ = writeln!(out, "    ordered {}, {value}", ordered.join(", "));
        }
        if let Some(commitment) = &binding.commitment {
            let shortfall = match &binding.shortfall {
                Some(shortfall) => format!("; short by {shortfall}"),
                None => "; met".to_string(),
            };
            let _ = writeln!(out, "    committed {commitment}{shortfall}");
        }
        for duty in &binding.duties {
            let _ = writeln!(out, "    duty: {}", printable(&duty.to_string()));
        }
        for responsibility in &binding.responsibilities {
            let _ = writeln!(out, "    {}", printable(&responsibility.cited()));
        }
    }
    if !agency.rule_duties.is_empty() {
        out.push_str(
            "  duties under rules
",
        );
        for duty in &agency.rule_duties {
            rule_duty(out, duty, "    ");
        }
    }
}

/// A duty a rule adds, then the rule and its source.
fn rule_duty(out: &mut String, duty: &DutyReport, indent: &str) {
    let _ = writeln!(out, "{indent}{}", printable(&duty.text));
    if let Some(earlier) = &duty.earlier_usage_reports {
        let _ = writeln!(
            out,
            "{indent}  {} from {} to {}: counted above, not listed",
            plural(earlier.count, "earlier period"),
            earlier.from,
            earlier.to
        );
    }
    for period in &duty.usage_reports {
        let filed = period
            .filed
            .as_ref()
            .map_or(String::new(), |filed| format!(", filed {filed}"));
        let _ = writeln!(
            out,
            "{indent}  {} to {}: due {}{filed} ({})",
            period.from, period.to, period.due, period.status
        );
    }
    rule_line(out, &duty.rule, &format!("{indent}  "));
}

/// `rule wa_posted_online "title" (RCW 39.34.030(5)(b)), rules/us-wa.coop:7`
fn rule_line(out: &mut String, rule: &RuleFinding, indent: &str) {
    let _ = writeln!(
        out,
        "{indent}{}, {}:{}",
        printable(&rule.describe()),
        rule.location.file,
        rule.location.line
    );
}

fn price(price: &PriceReport) -> String {
    match &price.from {
        Some(from) => format!(
            "{} from {} {} {} per {}",
            price.item,
            crate::values::format_quantity(*from),
            price.unit,
            price.unit_price,
            price.unit
        ),
        None => format!("{} {} per {}", price.item, price.unit_price, price.unit),
    }
}

fn orders_section(out: &mut String, orders: &[OrderReport]) {
    out.push_str("\nOrders\n");
    if orders.is_empty() {
        out.push_str("  none\n");
    }
    let width = orders
        .iter()
        .map(|order| order.name.len())
        .max()
        .unwrap_or(0);
    for order in orders {
        let decision = match order.decision {
            Decision::Permitted => "permitted",
            Decision::Denied => "denied",
            Decision::AfterAsOf => "later",
        };
        let basis = order
            .basis
            .map(|basis| format!(" ({})", basis.as_str()))
            .unwrap_or_default();
        let value = order
            .value
            .as_ref()
            .map(|value| format!(", {value}"))
            .unwrap_or_default();
        let under =
            order
                .legal_basis
                .as_ref()
                .map_or(String::new(), |basis| match &basis.in_force {
                    // The version of the basis that permitted it, when the basis has versions.
                    Some(in_force) => format!(", under {} (in force {in_force})", basis.id),
                    None => format!(", under {}", basis.id),
                });
        let value = match &order.period {
            Some(period) => format!("{value}, blanket {} to {}", period.from, period.to),
            None => value,
        };
        let _ = writeln!(
            out,
            "  {decision:<9}  {}  {:<width$}  {} on {}{basis}{value}{under}",
            order.date, order.name, order.buyer, order.contract
        );
        for finding in &order.reasons {
            reason(out, finding, "    ");
        }
    }
}

fn reason(out: &mut String, finding: &Finding, indent: &str) {
    let severity = match finding.severity {
        crate::diagnostic::Severity::Error => "",
        crate::diagnostic::Severity::Warning => "warning: ",
    };
    let _ = writeln!(out, "{indent}{severity}{}", printable(&finding.message));
    let _ = writeln!(
        out,
        "{indent}  [{}, {}:{}]",
        finding.code.name(),
        finding.location.file,
        finding.location.line
    );
    if let Some(rule) = &finding.rule {
        rule_line(out, rule, &format!("{indent}  "));
    }
    if let Some(waived) = &finding.waived {
        let _ = writeln!(out, "{indent}  {}", printable(&waived.text()));
    }
}

/// Each framework as a whole, per lot and per supplier contract.
fn frameworks_section(out: &mut String, frameworks: &[FrameworkReport]) {
    out.push_str("\nFrameworks\n");
    for framework in frameworks {
        let title = framework
            .title
            .as_ref()
            .map(|title| format!(" \"{}\"", printable(title)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}{title}: led by {}, awarded as {}",
            framework.solicitation,
            framework.lead,
            plural(framework.contracts.len(), "contract")
        );
        let _ = writeln!(
            out,
            "    {}",
            volumes(
                framework.estimate.as_ref(),
                framework.maximum.as_ref(),
                &framework.ordered,
                &framework.ordered_value,
                framework.share_of_maximum.as_ref(),
            )
        );
        if !framework.buyers.is_empty() || framework.buyers_where.is_some() {
            let mut identified = Vec::new();
            if !framework.buyers.is_empty() {
                identified.push(framework.buyers.join(", "));
            }
            if let Some(condition) = &framework.buyers_where {
                identified.push(format!("those where {}", printable(condition)));
            }
            let _ = writeln!(out, "    buyers identified: {}", identified.join("; and "));
        }
        for lot in &framework.lots {
            let title = lot
                .title
                .as_ref()
                .map(|title| format!(" \"{}\"", printable(title)))
                .unwrap_or_default();
            let contracts = if lot.contracts.is_empty() {
                "no contract".to_string()
            } else {
                lot.contracts.join(", ")
            };
            let _ = writeln!(
                out,
                "    lot {}{title} ({contracts}): {}",
                lot.name,
                volumes(
                    lot.estimate.as_ref(),
                    lot.maximum.as_ref(),
                    &lot.ordered,
                    &lot.ordered_value,
                    lot.share_of_maximum.as_ref(),
                )
            );
        }
        for contract in &framework.contracts {
            let lot = contract
                .lot
                .as_ref()
                .map_or(String::new(), |lot| format!(", lot {lot}"));
            let competitions = match contract.mini_competitions {
                0 => String::new(),
                count => format!(", {} after a mini-competition", count),
            };
            let _ = writeln!(
                out,
                "    contract {} ({}{lot}): ordered {} in {}{competitions}",
                contract.name,
                printable(&contract.suppliers.join(", ")),
                if contract.ordered == Amount::Money(contract.ordered_value) {
                    contract.ordered_value.to_string()
                } else {
                    format!("{}, {}", contract.ordered, contract.ordered_value)
                },
                plural(contract.orders_permitted, "order")
            );
        }
    }
}

/// `estimate X; maximum Y; ordered Z (12% of maximum)`, with the value when it is not the measure.
fn volumes(
    estimate: Option<&Amount>,
    maximum: Option<&Amount>,
    ordered: &Amount,
    value: &Money,
    share: Option<&String>,
) -> String {
    let mut parts = Vec::new();
    if let Some(estimate) = estimate {
        parts.push(format!("estimate {estimate}"));
    }
    if let Some(maximum) = maximum {
        parts.push(format!("maximum {maximum}"));
    }
    let share = share.map_or(String::new(), |share| format!(" ({share} of maximum)"));
    if *ordered == Amount::Money(*value) {
        parts.push(format!("ordered {ordered}{share}"));
    } else {
        parts.push(format!("ordered {ordered}{share}, {value}"));
    }
    parts.join("; ")
}

fn contracts_section(out: &mut String, contracts: &[ContractReport], horizon_days: u32) {
    let _ = writeln!(
        out,
        "\nContracts (those ending within {} first)",
        plural(horizon_days as usize, "day")
    );
    if contracts.is_empty() {
        out.push_str("  none\n");
    }
    for contract in contracts {
        let title = contract
            .title
            .as_ref()
            .map(|title| format!(" \"{}\"", printable(title)))
            .unwrap_or_default();
        let kind = if contract.joint {
            "joint solicitation"
        } else {
            "solicitation"
        };
        let lot = contract
            .lot
            .as_ref()
            .map_or(String::new(), |lot| format!(" (lot {lot})"));
        let _ = writeln!(
            out,
            "  {}{title}: {kind} {}{lot} led by {}, awarded {}",
            contract.name, contract.solicitation, contract.lead, contract.awarded
        );
        let mut term = format!("    term {} to {}", contract.term_start, contract.term_end);
        if contract.end_with_options != contract.term_end {
            term.push_str(&format!(
                ", to {} with exercised options",
                contract.end_with_options
            ));
        }
        if !contract.options.is_empty() {
            let options: Vec<String> = contract
                .options
                .iter()
                .map(
                    |option| match (&option.exercised, &option.exercised_later) {
                        (Some(date), _) => format!("{} exercised {date}", option.length),
                        (None, Some(date)) => {
                            format!("{} exercised {date}, after the as-of date", option.length)
                        }
                        (None, None) => format!("{} not exercised", option.length),
                    },
                )
                .collect();
            term.push_str(&format!("; options: {}", options.join(", ")));
        }
        let _ = writeln!(out, "{term}");
        if let Some(base) = &contract.base_quantity {
            let options: Vec<String> = contract
                .quantity_options
                .iter()
                .map(|option| {
                    let assigned = option
                        .assigned_to
                        .as_ref()
                        .map_or(String::new(), |agency| format!(", assigned to {agency}"));
                    match (&option.exercised, &option.exercised_later) {
                        (Some(date), _) => {
                            format!("{} exercised {date}{assigned}", option.quantity)
                        }
                        (None, Some(date)) => format!(
                            "{} exercised {date}, after the as-of date{assigned}",
                            option.quantity
                        ),
                        (None, None) => format!("{} not exercised{assigned}", option.quantity),
                    }
                })
                .collect();
            let options = if options.is_empty() {
                String::new()
            } else {
                format!("; quantity options: {}", options.join(", "))
            };
            let _ = writeln!(out, "    base quantity {base}{options}");
        }
        for discount in &contract.discounts {
            let name = discount
                .name
                .as_ref()
                .map_or(String::new(), |name| format!(" (\"{}\")", printable(name)));
            let _ = writeln!(
                out,
                "    catalogue pricing: {} off the list of {}{name}",
                discount.rate, discount.list
            );
        }
        let mut volumes = Vec::new();
        if let Some(estimate) = &contract.estimate {
            volumes.push(format!("estimate {estimate}"));
        }
        if let Some(maximum) = &contract.maximum {
            volumes.push(format!("maximum {maximum}"));
        }
        if let Some(committed) = &contract.committed {
            let left_out = match contract.commitments_not_counted {
                0 => String::new(),
                count => format!(
                    " (not counting {} in other measures)",
                    plural(count, "commitment")
                ),
            };
            volumes.push(format!("committed {committed}{left_out}"));
        }
        let share = contract
            .share_of_maximum
            .as_ref()
            .map(|share| format!(" ({share} of maximum)"))
            .unwrap_or_default();
        volumes.push(format!("ordered {}{share}", contract.ordered));
        let _ = writeln!(out, "    {}", volumes.join("; "));
        let _ = writeln!(
            out,
            "    ordered in all: {}",
            bought_text(&contract.ordered_quantities, &contract.ordered_value)
        );
        let _ = writeln!(
            out,
            "    orders: {} permitted, {} denied",
            contract.orders_permitted, contract.orders_denied
        );
        for volume in &contract.ordered_by {
            let _ = writeln!(
                out,
                "    ordered by {} ({}): {}",
                volume.agency,
                volume.basis.as_str(),
                bought_text(&volume.quantities, &volume.value)
            );
        }
        if contract.piggyback_open {
            let mut piggyback = vec!["open to piggyback use".to_string()];
            if let (Some(ceiling), Some(used)) = (&contract.ceiling, &contract.piggyback_ordered) {
                piggyback.push(format!("ceiling {ceiling}, used {used}"));
            }
            if let Some(fees) = &contract.admin_fees_due {
                piggyback.push(format!("admin fees due {fees}"));
            }
            let _ = writeln!(out, "    {}", piggyback.join("; "));
        } else {
            out.push_str("    closed to piggyback use\n");
        }
        for duty in &contract.supplier_duties {
            rule_duty(out, duty, "    ");
        }
        negotiating_position(out, &contract.negotiating_position, horizon_days);
    }
}

/// The retrospective view: what the contract's use is worth when the lead solicits again.
fn negotiating_position(out: &mut String, position: &NegotiatingPosition, horizon_days: u32) {
    let ending = if position.ends_within_horizon {
        format!(" (ends within {})", plural(horizon_days as usize, "day"))
    } else {
        String::new()
    };
    let _ = writeln!(out, "    negotiating position{ending}");
    let mut volumes = Vec::new();
    if let Some(committed) = &position.committed {
        volumes.push(format!("committed {committed}"));
    }
    volumes.push(format!(
        "parties bought {}",
        bought_text(
            &position.parties_bought.quantities,
            &position.parties_bought.value
        )
    ));
    volumes.push(format!(
        "piggyback users bought {}",
        bought_text(
            &position.piggyback_bought.quantities,
            &position.piggyback_bought.value
        )
    ));
    let _ = writeln!(out, "      {}", volumes.join("; "));
    if let Some(share) = &position.use_of_estimate {
        let _ = writeln!(
            out,
            "      use of the estimate the supplier priced for: {share}"
        );
    }
    for tier in &position.tiers {
        let _ = writeln!(
            out,
            "      {} bought together: {}, {}",
            tier.item,
            tier.quantity,
            tier.describe()
        );
    }
    let agencies = if position.agencies.is_empty() {
        "no agency yet".to_string()
    } else {
        position.agencies.join(", ")
    };
    let _ = writeln!(
        out,
        "      a follow-up joint solicitation could commit to {}, with {agencies}",
        bought_text(
            &position.total_bought.quantities,
            &position.total_bought.value
        )
    );
}
