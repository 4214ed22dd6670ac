//! Running a model's tests: each expectation judged against the evaluation as of the test's date.

use std::collections::BTreeMap;

use crate::codes::Code;
use crate::model::{DutyKind, Expectation, ExpectedBasis, InstrumentId, Model, Test};
use crate::source::Span;
use crate::values::Date;

use super::rules::BoundClause;
use super::volumes::amount_of;
use super::{Basis, Evaluation, evaluate};

/// What one test found.
#[derive(Clone, Debug)]
pub struct TestOutcome {
    pub name: String,
    pub as_of: Date,
    pub expectations: Vec<ExpectationOutcome>,
    pub place: Span,
}

/// One expectation, and what the model actually says.
#[derive(Clone, Debug)]
pub struct ExpectationOutcome {
    /// The expectation, in words.
    pub expected: String,
    pub passed: bool,
    /// What is actually the case, in words.
    pub actual: String,
    /// The reasons behind the actual outcome: for an order, every finding with its code.
    pub because: Vec<String>,
    pub place: Span,
}

impl TestOutcome {
    pub fn passed(&self) -> bool {
        self.expectations
            .iter()
            .all(|expectation| expectation.passed)
    }
}

/// Runs the tests whose names contain `filter` (all when it is empty); a test without its own
/// date is judged as of `as_of`. Evaluations are shared between tests of the same date.
pub fn run_tests(model: &Model, as_of: Date, filter: &str) -> Vec<TestOutcome> {
    let mut evaluations: BTreeMap<Date, Evaluation> = BTreeMap::new();
    model
        .tests
        .iter()
        .filter(|test| test.name.value.contains(filter))
        .map(|test| {
            let date = test.as_of.unwrap_or(as_of);
            let evaluation = evaluations
                .entry(date)
                .or_insert_with(|| evaluate(model, date));
            run_test(model, evaluation, test)
        })
        .collect()
}

fn run_test(model: &Model, evaluation: &Evaluation, test: &Test) -> TestOutcome {
    TestOutcome {
        name: test.name.value.clone(),
        as_of: evaluation.as_of,
        expectations: test
            .expectations
            .iter()
            .map(|expectation| {
                let mut outcome = judge(model, evaluation, &expectation.value);
                outcome.place = expectation.span;
                outcome
            })
            .collect(),
        place: test.name.span,
    }
}

fn judge(model: &Model, evaluation: &Evaluation, expectation: &Expectation) -> ExpectationOutcome {
    let outcome =
        |expected: String, passed: bool, actual: String, because: Vec<String>| ExpectationOutcome {
            expected,
            passed,
            actual,
            because,
            place: Span::new(crate::source::FileId(0), 0, 0),
        };
    match expectation {
        Expectation::OrderPermitted { order: name, .. }
        | Expectation::OrderDenied { order: name, .. } => {
            let (wanted, wanted_rules): (&[Code], &[_]) = match expectation {
                Expectation::OrderDenied { codes, rules, .. } => (codes, rules),
                _ => (&[], &[]),
            };
            let mut expected = match expectation {
                Expectation::OrderPermitted { under: None, .. } => {
                    format!("order {} permitted", name.value)
                }
                Expectation::OrderPermitted {
                    under: Some(basis), ..
                } => format!("order {} permitted under {}", name.value, basis.value),
                _ if wanted.is_empty() => format!("order {} denied", name.value),
                _ => {
                    let codes: Vec<&str> = wanted.iter().map(|code| code.name()).collect();
                    format!("order {} denied with {}", name.value, codes.join(", "))
                }
            };
            if !wanted_rules.is_empty() {
                let rules: Vec<&str> = wanted_rules
                    .iter()
                    .map(|rule| rule.value.as_str())
                    .collect();
                expected.push_str(&format!(" by {}", rules.join(", ")));
            }
            let index = model
                .orders
                .iter()
                .position(|order| order.header.name.value == name.value);
            // Checking found the name, so an order not in the model is one whose ledger rows
            // are in error: it was left out, and its errors reported.
            let Some(index) = index else {
                return outcome(
                    expected,
                    false,
                    "not judged: left out of the model, as its ledger rows have errors".to_string(),
                    Vec::new(),
                );
            };
            let judgment = evaluation
                .judgments
                .iter()
                .find(|judgment| judgment.order.0 == index);
            let Some(judgment) = judgment else {
                return outcome(
                    expected,
                    false,
                    format!("not judged: dated after {}", evaluation.as_of),
                    Vec::new(),
                );
            };
            let because: Vec<String> = judgment
                .reasons
                .iter()
                .map(|reason| format!("{}: {}", reason.code.name(), reason.message))
                .collect();
            let found: Vec<Code> = judgment.reasons.iter().map(|reason| reason.code).collect();
            let denying_rules: Vec<&str> = judgment
                .reasons
                .iter()
                .filter(|reason| reason.is_error())
                .filter_map(|reason| reason.rule.as_ref().map(|rule| rule.id.as_str()))
                .collect();
            let (passed, actual) = match expectation {
                Expectation::OrderPermitted { under, .. } => {
                    let basis = judgment
                        .legal_basis
                        .map(|basis| model.rules[basis].id.value.as_str());
                    let under_it = under
                        .as_ref()
                        .is_none_or(|wanted| basis == Some(wanted.value.as_str()));
                    let mut actual = verdict(judgment.is_permitted(), &found, &denying_rules);
                    if let (true, Some(basis)) = (judgment.is_permitted(), basis) {
                        actual.push_str(&format!(" under {basis}"));
                    }
                    (judgment.is_permitted() && under_it, actual)
                }
                _ => {
                    let all_found = wanted.iter().all(|code| found.contains(code))
                        && wanted_rules
                            .iter()
                            .all(|rule| denying_rules.contains(&rule.value.as_str()));
                    (
                        !judgment.is_permitted() && all_found,
                        verdict(judgment.is_permitted(), &found, &denying_rules),
                    )
                }
            };
            outcome(expected, passed, actual, because)
        }
        Expectation::Bound {
            agency,
            contract,
            basis,
        } => {
            let agency_name = &model.agency(*agency).header.name.value;
            let contract_name = &model.contract(*contract).header.name.value;
            let expected = match basis {
                Some(basis) => format!(
                    "agency {agency_name} bound to {contract_name} {}",
                    basis_words(*basis)
                ),
                None => format!("agency {agency_name} bound to {contract_name}"),
            };
            let binding = evaluation
                .bindings
                .iter()
                .find(|binding| binding.agency == *agency && binding.contract == *contract);
            match binding {
                Some(binding) => {
                    let passed = basis.is_none_or(|basis| matches(basis, binding.basis));
                    let actual = format!(
                        "bound {}, {} to {}",
                        basis_words(expected_of(binding.basis)),
                        binding.from,
                        binding.to
                    );
                    outcome(expected, passed, actual, Vec::new())
                }
                None => outcome(
                    expected,
                    false,
                    "not bound".to_string(),
                    orders_of(model, evaluation, *agency, *contract),
                ),
            }
        }
        Expectation::NotBound { agency, contract } => {
            let agency_name = &model.agency(*agency).header.name.value;
            let contract_name = &model.contract(*contract).header.name.value;
            let expected = format!("agency {agency_name} not bound to {contract_name}");
            let binding = evaluation
                .bindings
                .iter()
                .find(|binding| binding.agency == *agency && binding.contract == *contract);
            match binding {
                Some(binding) => outcome(
                    expected,
                    false,
                    format!(
                        "bound {}, {} to {}",
                        basis_words(expected_of(binding.basis)),
                        binding.from,
                        binding.to
                    ),
                    orders_of(model, evaluation, *agency, *contract),
                ),
                None => outcome(expected, true, "not bound".to_string(), Vec::new()),
            }
        }
        Expectation::Finding { rule, on, present } => {
            let expected = format!(
                "{}finding {} on {}",
                if *present { "" } else { "no " },
                rule.value,
                on.value
            );
            let place = declaration_span(model, &on.value);
            let found: Vec<String> = evaluation
                .judgments
                .iter()
                .flat_map(|judgment| &judgment.reasons)
                .chain(&evaluation.findings)
                .filter(|finding| {
                    Some(finding.primary.span) == place
                        && finding
                            .rule
                            .as_ref()
                            .is_some_and(|found| found.id == rule.value)
                })
                .map(|finding| format!("{}: {}", finding.code.name(), finding.message))
                .collect();
            let actual = if found.is_empty() {
                format!("rule {} found nothing on {}", rule.value, on.value)
            } else {
                format!("rule {} found {}", rule.value, found.len())
            };
            outcome(expected, found.is_empty() != *present, actual, found)
        }
        Expectation::Responsible {
            agency,
            contract,
            extent,
            under,
        } => {
            let agency_name = &model.agency(*agency).header.name.value;
            let contract_name = &model.contract(*contract).header.name.value;
            let claim = extent.as_written();
            let under_text = under
                .as_ref()
                .map_or(String::new(), |rule| format!(" under {}", rule.value));
            let expected = format!("agency {agency_name} {claim} on {contract_name}{under_text}");
            let stated: Vec<(crate::model::rules::Extent, &str)> = evaluation
                .bindings
                .iter()
                .zip(&evaluation.binding_terms)
                .filter(|(binding, _)| binding.agency == *agency && binding.contract == *contract)
                .flat_map(|(_, terms)| &terms.responsibilities)
                .map(|responsibility| {
                    (
                        responsibility.extent,
                        model.rules[responsibility.rule].id.value.as_str(),
                    )
                })
                .collect();
            let passed = stated.iter().any(|(stated_extent, rule)| {
                stated_extent == extent && under.as_ref().is_none_or(|under| under.value == *rule)
            });
            let actual = if stated.is_empty() {
                "no responsibility stated (not bound, or no rule applies)".to_string()
            } else {
                let listed: Vec<String> = stated
                    .iter()
                    .map(|(extent, rule)| format!("{} under {rule}", extent.as_written()))
                    .collect();
                format!("responsibilities stated: {}", listed.join(", "))
            };
            outcome(expected, passed, actual, Vec::new())
        }
        Expectation::BoundByClause {
            agency,
            contract,
            clause,
            source,
        } => {
            let agency_name = &model.agency(*agency).header.name.value;
            let contract_name = &model.contract(*contract).header.name.value;
            let source_name = |source: Option<InstrumentId>| match source {
                None => "contract".to_string(),
                Some(id) => model.instrument(id).header.owned_name(),
            };
            let expected = format!(
                "agency {agency_name} bound by clause {} of {} on {contract_name}",
                clause.value,
                source_name(*source)
            );
            let bound = evaluation
                .bindings
                .iter()
                .zip(&evaluation.binding_terms)
                .find(|(binding, _)| binding.agency == *agency && binding.contract == *contract);
            let Some((binding, terms)) = bound else {
                return outcome(expected, false, "not bound".to_string(), Vec::new());
            };
            let clauses = terms.clauses(model, binding);
            let named: Vec<&BoundClause> = clauses
                .iter()
                .filter(|bound| bound.name == clause.value)
                .collect();
            let passed = named
                .iter()
                .any(|bound| bound.stated_by.instrument() == *source);
            let actual = if named.is_empty() {
                format!("no clause {} binds it", clause.value)
            } else {
                let listed: Vec<String> = named
                    .iter()
                    .map(|bound| match bound.precedence_rule {
                        Some(rule) => {
                            let over: Vec<String> = bound
                                .prevails_over
                                .iter()
                                .map(|source| format!("the {}'s", source_name(source.instrument())))
                                .collect();
                            format!(
                                "of {}, over {} by {}",
                                source_name(bound.stated_by.instrument()),
                                over.join(" and "),
                                model.rules[rule].id.value
                            )
                        }
                        None => format!("of {}", source_name(bound.stated_by.instrument())),
                    })
                    .collect();
                format!("clause {} {}", clause.value, listed.join(", and "))
            };
            outcome(expected, passed, actual, Vec::new())
        }
        Expectation::OwesUnderRule {
            agency,
            rule,
            contract,
        } => {
            let agency_name = &model.agency(*agency).header.name.value;
            let contract_name = &model.contract(*contract).header.name.value;
            let expected = format!(
                "agency {agency_name} owes {} on {contract_name}",
                rule.value
            );
            let owed: Vec<String> = evaluation
                .duties
                .iter()
                .filter(|duty| {
                    duty.party == crate::eval::rules::Party::Agency(*agency)
                        && duty.contract == Some(*contract)
                })
                .map(|duty| model.rules[duty.rule].id.value.clone())
                .collect();
            let passed = owed.contains(&rule.value);
            let actual = if owed.is_empty() {
                "owes nothing under rules".to_string()
            } else {
                format!("owes under {}", owed.join(", "))
            };
            outcome(expected, passed, actual, Vec::new())
        }
        Expectation::Owes {
            agency,
            duty,
            contract,
        } => {
            let agency_name = &model.agency(*agency).header.name.value;
            let declared = model.contract(*contract);
            let expected = format!(
                "agency {agency_name} owes {} on {}",
                duty.as_str(),
                declared.header.name.value
            );
            let binding = evaluation
                .bindings
                .iter()
                .find(|binding| binding.agency == *agency && binding.contract == *contract);
            let Some(binding) = binding else {
                return outcome(
                    expected,
                    false,
                    "not bound, so owes nothing".to_string(),
                    Vec::new(),
                );
            };
            let owes = match duty {
                DutyKind::AdminFee => {
                    binding.basis == Basis::Piggyback
                        && declared
                            .piggyback
                            .as_ref()
                            .is_some_and(|clause| clause.admin_fee.is_some())
                }
                DutyKind::Fee => binding
                    .instruments
                    .iter()
                    .any(|instrument| !model.instrument(*instrument).fees.is_empty()),
                DutyKind::Commitment => binding.commitment.is_some(),
            };
            let actual = if owes {
                format!("owes {}", duty.as_str())
            } else {
                format!("owes no {}", duty.as_str())
            };
            outcome(expected, owes, actual, Vec::new())
        }
        Expectation::Ordered { contract, amount } => {
            let declared = model.contract(*contract);
            let solicitation = model.solicitation(declared.solicitation);
            let describe = |value| super::volumes::describe_like(value, amount, solicitation);
            let expected = format!(
                "contract {} ordered {}",
                declared.header.name.value,
                describe(amount_of(amount))
            );
            let ordered = evaluation
                .contract_use(*contract)
                .total
                .measured_like(amount, solicitation);
            outcome(
                expected,
                ordered == amount_of(amount),
                format!("ordered {}", describe(ordered)),
                Vec::new(),
            )
        }
    }
}

/// Where a declaration's name is written, which is where findings about it point.
fn declaration_span(model: &Model, name: &str) -> Option<crate::source::Span> {
    model
        .headers()
        .map(|header| &header.name)
        .find(|declared| declared.value == name)
        .map(|declared| declared.span)
}

fn verdict(permitted: bool, codes: &[Code], rules: &[&str]) -> String {
    if permitted {
        "permitted".to_string()
    } else {
        let mut names: Vec<&str> = codes.iter().map(|code| code.name()).collect();
        names.dedup();
        if rules.is_empty() {
            format!("denied with {}", names.join(", "))
        } else {
            format!("denied with {} by {}", names.join(", "), rules.join(", "))
        }
    }
}

/// The agency's orders under the contract and their decisions, to explain a binding's absence.
fn orders_of(
    model: &Model,
    evaluation: &Evaluation,
    agency: crate::model::AgencyId,
    contract: crate::model::ContractId,
) -> Vec<String> {
    evaluation
        .judgments
        .iter()
        .filter_map(|judgment| {
            let order = &model.orders[judgment.order.0];
            (order.buyer.value == agency && order.contract.value == contract).then(|| {
                let codes: Vec<Code> = judgment.reasons.iter().map(|reason| reason.code).collect();
                format!(
                    "order {}: {}",
                    order.header.name.value,
                    verdict(judgment.is_permitted(), &codes, &[])
                )
            })
        })
        .collect()
}

fn matches(expected: ExpectedBasis, actual: Basis) -> bool {
    expected == expected_of(actual)
}

fn expected_of(basis: Basis) -> ExpectedBasis {
    match basis {
        Basis::Lead => ExpectedBasis::Lead,
        Basis::JointParticipant => ExpectedBasis::JointParticipant,
        Basis::Piggyback => ExpectedBasis::Piggyback,
    }
}

fn basis_words(basis: ExpectedBasis) -> &'static str {
    match basis {
        ExpectedBasis::Lead => "as lead",
        ExpectedBasis::JointParticipant => "as joint participant",
        ExpectedBasis::Piggyback => "by piggyback",
    }
}
