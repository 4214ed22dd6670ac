//! The rule packs shipped inside coop: each parses, cites a source for every rule, has its page
//! and its example, and its example shows every rule both passing and failing. A pack used from a
//! local file decides exactly as the shipped one.

mod common;

use std::path::{Path, PathBuf};

use coop::model::rules::PRELUDE;
use coop::packs::SHIPPED;
use coop::report::Report;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> PathBuf {
    root().join("examples").join(format!("{name}.coop"))
}

#[test]
fn every_pack_parses_and_cites_its_sources() {
    for pack in SHIPPED {
        let summary = pack
            .summary()
            .unwrap_or_else(|| panic!("rules/{}.coop does not parse", pack.name));
        assert!(
            summary.title.is_some(),
            "{} has no `pack \"title\"`",
            pack.name
        );
        assert!(!summary.rules.is_empty(), "{} has no rules", pack.name);
        for rule in &summary.rules {
            assert!(
                rule.title.is_some(),
                "{}: rule {} has no title",
                pack.name,
                rule.id
            );
            assert!(
                rule.citation.is_some(),
                "{}: rule {} cites nothing",
                pack.name,
                rule.id
            );
        }
    }
}

#[test]
fn every_pack_has_its_page_and_its_example() {
    for pack in SHIPPED {
        let page = root().join("docs/rules").join(format!("{}.md", pack.name));
        let text = std::fs::read_to_string(&page)
            .unwrap_or_else(|_| panic!("{} has no page {}", pack.name, page.display()));
        assert!(
            text.to_lowercase().contains("not legal advice"),
            "{} does not say that the pack is not legal advice",
            page.display()
        );
        let example = std::fs::read_to_string(example(pack.name))
            .unwrap_or_else(|_| panic!("{} has no example examples/{0}.coop", pack.name));
        // The prelude is read for every model, so its example names it nowhere.
        assert!(
            pack.name == PRELUDE || example.contains(&format!("use rules {}", pack.name)),
            "examples/{}.coop does not use its pack",
            pack.name
        );
    }
}

/// Each rule of each pack applies in its example at least once without failing, and fails at
/// least once (a rule that only obliges "fails" where it does not apply).
#[test]
fn every_pack_example_shows_each_rule_passing_and_failing() {
    let mut missing = Vec::new();
    for pack in SHIPPED {
        let report = common::report_of(&example(pack.name));
        let summary = pack.summary().expect("the pack parses");
        for rule in &summary.rules {
            // Versions of a rule share its id: each is told apart by where it is written.
            let Some(tally) = report
                .rules
                .iter()
                .find(|found| found.rule.id == rule.id && found.rule.location.line == rule.line)
            else {
                missing.push(format!("{}: {} is not followed", pack.name, rule.id));
                continue;
            };
            let passes = tally.applied > tally.failed;
            let fails = tally.failed > 0 || (!rule.requires && tally.considered > tally.applied);
            if !passes || !fails {
                missing.push(format!(
                    "{}: {} (line {}) applied to {} of {}, failed {}",
                    pack.name, rule.id, rule.line, tally.applied, tally.considered, tally.failed
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "rules their example does not show both passing and failing:\n{}",
        missing.join("\n")
    );
}

/// What a report decides, without where the rules are written: the same for a shipped pack and
/// for the same pack in a local file.
fn decisions(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    for order in &report.orders {
        lines.push(format!("order {} {:?}", order.name, order.decision));
        for reason in &order.reasons {
            let rule = reason.rule.as_ref().map(|rule| rule.id.as_str());
            lines.push(format!(
                "  {} {:?} {}",
                reason.code.name(),
                rule,
                reason.message
            ));
        }
    }
    for agency in &report.agencies {
        for duty in &agency.rule_duties {
            lines.push(format!(
                "duty {} {} {}",
                agency.name, duty.rule.id, duty.text
            ));
        }
    }
    for contract in &report.contracts {
        for duty in &contract.supplier_duties {
            lines.push(format!(
                "duty {} {} {}",
                contract.name, duty.rule.id, duty.text
            ));
        }
    }
    for finding in &report.findings {
        lines.push(format!(
            "finding {} {}",
            finding.code.name(),
            finding.message
        ));
    }
    for rule in &report.rules {
        lines.push(format!(
            "rule {} {} {} {}",
            rule.rule.id, rule.considered, rule.applied, rule.failed
        ));
    }
    lines
}

#[test]
fn a_local_pack_decides_as_the_shipped_one() {
    // A local copy of the prelude would declare its rules a second time: it is no pack to use.
    for pack in SHIPPED.iter().filter(|pack| pack.name != PRELUDE) {
        let shipped = common::report_of(&example(pack.name));
        let directory = common::scratch(&format!("local-pack-{}", pack.name));
        std::fs::write(directory.join(format!("{}.coop", pack.name)), pack.text)
            .expect("write the pack");
        let text = std::fs::read_to_string(example(pack.name)).expect("the example reads");
        let local_text = text.replace(
            &format!("use rules {}", pack.name),
            &format!("use rules \"{}.coop\"", pack.name),
        );
        let local_example = directory.join("example.coop");
        std::fs::write(&local_example, local_text).expect("write the example");
        let local = common::report_of(&local_example);
        assert_eq!(
            decisions(&shipped),
            decisions(&local),
            "{}: the local pack decides differently",
            pack.name
        );
    }
}

/// The prelude encodes Coop's own definition of what a model means: each of its rules quotes the
/// sentence of `docs/language.md` that states it, word for word (line breaks and bold aside).
#[test]
fn the_prelude_quotes_the_language_reference() {
    let normal = |text: &str| {
        text.replace("**", "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let reference = normal(
        &std::fs::read_to_string(root().join("docs/language.md")).expect("the reference reads"),
    );
    let prelude = coop::packs::prelude();
    let pack = coop::literate::LiteratePack::read(prelude.name, prelude.text).expect("it parses");
    let mut missing = Vec::new();
    for rule in pack.rules() {
        assert!(
            !rule.quotes.is_empty(),
            "prelude rule {} quotes nothing",
            rule.id
        );
        for quote in &rule.quotes {
            assert!(
                quote.from.starts_with("docs/language.md"),
                "{}: {}",
                rule.id,
                quote.from
            );
            if !reference.contains(&normal(&quote.text)) {
                missing.push(format!("{}: {}", rule.id, quote.text));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "prelude quotations not in docs/language.md:\n{}",
        missing.join("\n")
    );
}
