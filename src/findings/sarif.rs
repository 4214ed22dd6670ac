//! SARIF 2.1.0, the format code-scanning tools read: one run of the `coop` tool, a rule for every
//! code Coop has (its summary, its long explanation and its default level), and a result for
//! every finding with its place and the related places.

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};

use super::region;
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn to_sarif(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let rules: Vec<ReportingDescriptor> = Code::ALL.iter().map(|code| rule(*code)).collect();
    let results: Vec<SarifResult> = diagnostics
        .iter()
        .map(|diagnostic| result(diagnostic, sources))
        .collect();
    let driver = ToolComponent::builder()
        .name("coop")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
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

fn rule(code: Code) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(code.name())
        .name(rule_name(code))
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
        .build()
}

/// SARIF rule names are PascalCase identifiers: `access-not-in-force` is `AccessNotInForce`.
fn rule_name(code: Code) -> String {
    code.name()
        .split('-')
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

fn result(diagnostic: &Diagnostic, sources: &SourceMap) -> SarifResult {
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    // A finding of a policy rule names the rule and the source it encodes, in words and as data.
    let mut properties = std::collections::BTreeMap::new();
    if let Some(rule) = &diagnostic.rule {
        text.push_str(&format!("\nrule: {}", rule.id));
        if let Some(citation) = &rule.citation {
            text.push_str(&format!(", citing {citation}"));
        }
        text.push_str(&rule.qualifiers());
        let place = region(sources, rule.span);
        properties.insert(
            "coopRule".to_string(),
            serde_json::json!({
                "id": rule.id,
                "title": rule.title,
                "citation": rule.citation,
                "pack": rule.pack,
                "inForce": rule.in_force,
                "asWarnings": rule.as_warnings,
                "file": place.file,
                "line": place.start_line,
            }),
        );
    }
    let related: Vec<Location> = diagnostic
        .related
        .iter()
        .map(|label| location(sources, label.span, Some(&label.text)))
        .collect();
    let level = match diagnostic.severity() {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
    };
    let index = Code::ALL
        .iter()
        .position(|code| *code == diagnostic.code)
        .unwrap_or(0);
    let builder = SarifResult::builder()
        .rule_id(diagnostic.code.name())
        .rule_index(index as i64)
        .level(level)
        .message(Message::builder().text(text).build())
        .properties(
            serde_sarif::sarif::PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        )
        .locations(vec![location(
            sources,
            diagnostic.primary.span,
            Some(&diagnostic.primary.text),
        )]);
    if related.is_empty() {
        builder.build()
    } else {
        builder.related_locations(related).build()
    }
}

fn location(sources: &SourceMap, span: Span, label: Option<&str>) -> Location {
    let place = region(sources, span);
    let region = serde_sarif::sarif::Region::builder()
        .start_line(place.start_line as i64)
        .start_column(place.start_column as i64)
        .end_line(place.end_line as i64)
        .end_column(place.end_column as i64)
        .build();
    let physical = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(place.file).build())
        .region(region)
        .build();
    let location = Location::builder().physical_location(physical);
    match label {
        Some(text) => location
            .message(Message::builder().text(text).build())
            .build(),
        None => location.build(),
    }
}
