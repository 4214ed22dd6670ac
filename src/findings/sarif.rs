//! SARIF 2.1.0, the format code-scanning tools read: one run of the `coop` tool, a rule for every
//! code Coop has and for every rule of the model and its packs (its title, citation, help and
//! documentation), and a result for every finding, filed under the rule that made it.
//!
//! Every physical location is in a file of the model. A shipped pack (and the prelude) has no
//! file to show: a place in one is given as a logical location, the rule that holds it
//! (`us-wa/wa_interlocal_agreement`), so that code scanning never points into a file that does
//! not exist; a finding whose own place is in a shipped pack is placed where the model uses the
//! pack.

use std::collections::{BTreeMap, HashMap};

use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Suppression, Tool, ToolComponent,
};

use super::{qualified_rule_id, region, rule_id};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::rules::{Outcome, Rule, RuleOutcome};
use crate::source::{SourceMap, Span};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `diagnostics` are the findings, `waived` those a waiver of the model sets aside (results
/// suppressed in source, with the waiver's reason); `rules` the rules of the model and its
/// packs, when it checked; `documentation` where Coop's `docs/` folder is published, for each
/// rule's `helpUri`.
pub fn to_sarif(
    diagnostics: &[Diagnostic],
    waived: &[super::Waived<'_>],
    sources: &SourceMap,
    rules: &[Rule],
    documentation: Option<&str>,
) -> String {
    let mut descriptors: Vec<ReportingDescriptor> = Code::ALL
        .iter()
        .map(|code| code_descriptor(*code, documentation))
        .collect();
    // The versions of a rule in force at different times share its id, and SARIF describes each
    // id once: the first version written describes them all.
    let mut described = std::collections::HashSet::new();
    descriptors.extend(
        rules
            .iter()
            .filter(|rule| !rule.is_prelude())
            .map(|rule| rule_descriptor(rule, sources, documentation))
            .filter(|descriptor| described.insert(descriptor.id.clone())),
    );
    let index: HashMap<String, usize> = descriptors
        .iter()
        .enumerate()
        .map(|(index, descriptor)| (descriptor.id.clone(), index))
        .collect();
    let places = Places { sources, rules };
    let mut results: Vec<SarifResult> = diagnostics
        .iter()
        .map(|diagnostic| result(diagnostic, &places, &index))
        .collect();
    results.extend(waived.iter().map(|waived| {
        let mut result = result(waived.finding, &places, &index);
        let until = waived
            .waiver
            .until
            .map_or(String::new(), |until| format!(", until {until}"));
        result.suppressions = Some(vec![
            Suppression::builder()
                .kind(serde_json::json!("inSource"))
                .status(serde_json::json!("accepted"))
                .justification(format!(
                    "{} (accepted by {}{until})",
                    waived.waiver.because, waived.waiver.by
                ))
                .location(places.location(waived.waiver.span, "the waiver"))
                .build(),
        ]);
        result
    }));
    let driver = ToolComponent::builder()
        .name("coop")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(descriptors);
    let driver = match documentation {
        Some(documentation) => driver.information_uri(documentation).build(),
        None => driver.build(),
    };
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    match serde_json::to_string_pretty(&sarif) {
        Ok(json) => json + "\n",
        Err(error) => unreachable!("SARIF is plain data and always serialises: {error}"),
    }
}

fn code_descriptor(code: Code, documentation: Option<&str>) -> ReportingDescriptor {
    let descriptor = ReportingDescriptor::builder()
        .id(code.name())
        .name(rule_name(code.name()))
        .short_description(
            MultiformatMessageString::builder()
                .text(code.summary())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(code.summary())
                .markdown(code.explanation())
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(format!(
                    "Run `coop explain {}` for what it means and how to fix it.",
                    code.name()
                ))
                .markdown(code.explanation())
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::json!(level_name(code.severity())))
                .build(),
        )
        .properties(tags(&["coop-code"]));
    match documentation {
        Some(documentation) => descriptor
            .help_uri(format!("{documentation}/codes/{}.md", code.name()))
            .build(),
        None => descriptor.build(),
    }
}

/// A rule of the model or a pack: its title, the source it cites, and where it is documented
/// (a shipped pack's page; the model's own rules are documented where they are written).
fn rule_descriptor(
    rule: &Rule,
    sources: &SourceMap,
    documentation: Option<&str>,
) -> ReportingDescriptor {
    let id = qualified_rule_id(rule.pack.as_deref(), &rule.id.value);
    let title = rule.title.clone().unwrap_or_else(|| rule.id.value.clone());
    let cited = match &rule.citation {
        Some(citation) => format!("{title} ({citation})"),
        None => title.clone(),
    };
    let shipped = rule
        .pack
        .as_deref()
        .filter(|_| crate::packs::is_shipped_file(&sources.file(rule.span.file).path));
    let (help, help_uri) = match shipped {
        Some(pack) => (
            format!(
                "A rule of the shipped pack `{pack}`; `coop rules {pack}` prints it. The packs are readings of the law for checking models, not legal advice."
            ),
            documentation.map(|documentation| format!("{documentation}/rules/{pack}.md")),
        ),
        None => (
            format!(
                "A rule of the model, written at {}.",
                sources.location(rule.id.span)
            ),
            None,
        ),
    };
    let denies = rule.outcomes.iter().any(|outcome| {
        matches!(
            outcome,
            RuleOutcome::Require {
                outcome: Outcome::Deny,
                ..
            }
        )
    });
    let level = if denies { "error" } else { "warning" };
    let mut tag_names = vec!["coop-rule"];
    if let Some(pack) = &rule.pack {
        tag_names.push(pack);
    }
    let mut properties = tags(&tag_names);
    if let Some(citation) = &rule.citation {
        properties
            .additional_properties
            .insert("citation".to_string(), serde_json::json!(citation));
    }
    let descriptor = ReportingDescriptor::builder()
        .id(id.clone())
        .name(rule_name(&rule.id.value))
        .short_description(MultiformatMessageString::builder().text(title).build())
        .full_description(MultiformatMessageString::builder().text(cited).build())
        .help(MultiformatMessageString::builder().text(help).build())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::json!(level))
                .build(),
        )
        .properties(properties);
    match help_uri {
        Some(uri) => descriptor.help_uri(uri).build(),
        None => descriptor.build(),
    }
}

fn tags(names: &[&str]) -> PropertyBag {
    PropertyBag::builder()
        .tags(
            names
                .iter()
                .map(|name| name.to_string())
                .collect::<Vec<_>>(),
        )
        .build()
}

/// SARIF rule names are PascalCase identifiers: `access-not-in-force` is `AccessNotInForce`,
/// `wa_posted_online` is `WaPostedOnline`.
fn rule_name(id: &str) -> String {
    id.split(['-', '_'])
        .map(|word| {
            let mut characters = word.chars();
            match characters.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + characters.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// What places in the sources are: a place in a file of the model, or in a rule of a shipped
/// pack, which has no file to show.
struct Places<'a> {
    sources: &'a SourceMap,
    rules: &'a [Rule],
}

impl Places<'_> {
    fn is_shipped(&self, span: Span) -> bool {
        crate::packs::is_shipped_file(&self.sources.file(span.file).path)
    }

    /// The rule written around a place in a shipped pack, as a logical location; the pack itself
    /// when no rule of the model holds the place.
    fn logical(&self, span: Span) -> LogicalLocation {
        let rule = self.rules.iter().find(|rule| {
            rule.span.file == span.file
                && rule.span.start <= span.start
                && span.end <= rule.span.end
        });
        match rule {
            Some(rule) => LogicalLocation::builder()
                .name(rule.id.value.clone())
                .fully_qualified_name(qualified_rule_id(rule.pack.as_deref(), &rule.id.value))
                .kind("member")
                .build(),
            None => LogicalLocation::builder()
                .fully_qualified_name(self.sources.file(span.file).name.clone())
                .kind("module")
                .build(),
        }
    }

    fn location(&self, span: Span, label: &str) -> Location {
        let message = Message::builder().text(label).build();
        if self.is_shipped(span) {
            return Location::builder()
                .logical_locations(vec![self.logical(span)])
                .message(message)
                .build();
        }
        let place = region(self.sources, span);
        let region = serde_sarif::sarif::Region::builder()
            .start_line(place.start_line as i64)
            .start_column(place.start_column as i64)
            .end_line(place.end_line as i64)
            .end_column(place.end_column as i64)
            .build();
        let physical = PhysicalLocation::builder()
            .artifact_location(ArtifactLocation::builder().uri(uri(&place.file)).build())
            .region(region)
            .build();
        Location::builder()
            .physical_location(physical)
            .message(message)
            .build()
    }
}

/// A relative URI reference for a file's name: its path with `/` separators, each segment
/// percent-encoded where a URI needs it.
fn uri(file: &str) -> String {
    file.split('/')
        .map(|segment| {
            segment
                .bytes()
                .map(|byte| match byte {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                        (byte as char).to_string()
                    }
                    _ => format!("%{byte:02X}"),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn result(
    diagnostic: &Diagnostic,
    places: &Places<'_>,
    index: &HashMap<String, usize>,
) -> SarifResult {
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    // A finding of a policy rule names the rule and the source it encodes, in words and as data.
    let mut properties = BTreeMap::new();
    let mut related: Vec<Location> = Vec::new();
    if let Some(rule) = &diagnostic.rule {
        let id = qualified_rule_id(rule.pack.as_deref(), &rule.id);
        text.push_str(&format!("\nrule: {id}"));
        if let Some(citation) = &rule.citation {
            text.push_str(&format!(", citing {citation}"));
        }
        text.push_str(&rule.qualifiers());
        let mut described = serde_json::json!({
            "id": rule.id,
            "title": rule.title,
            "citation": rule.citation,
            "pack": rule.pack,
            "inForce": rule.in_force,
            "asWarnings": rule.as_warnings,
        });
        if !places.is_shipped(rule.span) {
            let place = region(places.sources, rule.span);
            described["file"] = serde_json::json!(place.file);
            described["line"] = serde_json::json!(place.start_line);
        }
        properties.insert("coopRule".to_string(), described);
        let title = rule.title.as_deref().unwrap_or(&rule.id);
        related.push(places.location(rule.span, &format!("rule `{id}`: {title}")));
    }
    // Places in a shipped pack become the rule that holds them, so two labels may become one
    // location; SARIF wants each once.
    for label in &diagnostic.related {
        let location = places.location(label.span, &label.text);
        let same_place = |other: &Location| {
            other.physical_location == location.physical_location
                && other.logical_locations == location.logical_locations
        };
        if places.is_shipped(label.span) && related.iter().any(same_place) {
            continue;
        }
        if !related.contains(&location) {
            related.push(location);
        }
    }
    let level = match diagnostic.severity() {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
    };
    let id = rule_id(diagnostic);
    // Every id a finding is filed under has its descriptor: a code, or a rule of the model.
    let rule_index = index.get(id.as_ref()).copied().unwrap_or(0);
    let primary = primary_location(diagnostic, places);
    SarifResult::builder()
        .rule_id(id.into_owned())
        .rule_index(rule_index as i64)
        .level(level)
        .message(Message::builder().text(text).build())
        .properties(
            PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        )
        .locations(vec![primary])
        .related_locations(related)
        .build()
}

/// The place a finding is about, in a file of the model. A finding whose own place is in a
/// shipped pack (a pack's rule that can never apply, given the parameters the model set) is
/// placed where the model uses the pack, the rule named as its logical location.
fn primary_location(diagnostic: &Diagnostic, places: &Places<'_>) -> Location {
    let span = diagnostic.primary.span;
    if !places.is_shipped(span) {
        return places.location(span, &diagnostic.primary.text);
    }
    match places.sources.first_use(span.file) {
        Some(used) => {
            let mut location = places.location(used, &diagnostic.primary.text);
            location.logical_locations = Some(vec![places.logical(span)]);
            location
        }
        // The prelude is used by every model, on no line of it.
        None => Location::builder()
            .logical_locations(vec![places.logical(span)])
            .message(
                Message::builder()
                    .text(diagnostic.primary.text.as_str())
                    .build(),
            )
            .build(),
    }
}
