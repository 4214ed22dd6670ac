//! OCDS in and out. Every package in `tests/fixtures/ocds/` is a snapshot test: what the import
//! notes, the model it writes and what checking it finds, and the release package `coop report
//! --format ocds` writes of it, which must validate against the OCDS 1.1 release package schema
//! with the extensions applied, and import again to the same model. A package named
//! `malformed-*` must stop the import with an error, whose text is the snapshot. A `NAME.args`
//! file beside a package gives the command line's `--kind` and `--jurisdiction`.

mod common;

use std::path::Path;

use coop::ocds::{Input, Options};
use serde_json::Value;

/// Every fixture is imported as of this date.
const AS_OF: &str = "2026-01-01";

#[test]
fn ocds_fixtures_import_check_export_and_round_trip() {
    let validator = validator();
    insta::glob!("fixtures/ocds/*.json", |path| {
        let name = common::relative(path).display().to_string();
        let malformed = name.contains("/malformed-");
        let text = std::fs::read_to_string(path).expect("the fixture reads");
        let imported = match coop::ocds::import(
            &[Input {
                name: name.clone(),
                text,
            }],
            &options(path),
        ) {
            Ok(imported) => imported,
            Err(error) => {
                assert!(malformed, "{name} does not import: {error}");
                insta::assert_snapshot!(format!("{error}\n"));
                return;
            }
        };
        assert!(!malformed, "{name} is named malformed but imports");
        let (checked, export) = check_and_export(&imported.text);
        assert_valid(&validator, &export, &name);
        let again = coop::ocds::import(
            &[Input {
                name: "export.json".to_string(),
                text: export.to_string(),
            }],
            &Options::default(),
        )
        .unwrap_or_else(|error| panic!("the export of {name} does not import: {error}"));
        assert_eq!(
            again.text, imported.text,
            "the export of {name} imports as another model"
        );
        let notes: String = imported
            .notes
            .iter()
            .map(|note| format!("{note}\n"))
            .collect();
        let export = serde_json::to_string_pretty(&export).expect("the export serialises");
        insta::assert_snapshot!(format!(
            "== notes\n{notes}== model\n{}== check\n{checked}== export\n{export}\n",
            imported.text
        ));
    });
}

/// The export of every shipped example validates, and imports as a model that checks.
#[test]
fn every_examples_export_validates_and_imports() {
    let validator = validator();
    insta::glob!("../examples", "*.coop", |path| {
        let report = common::report_of(path);
        let analysis = common::analyse(path);
        let model = analysis.model.as_ref().expect("the example checks");
        let export = coop::ocds::export(model, &report, &analysis.sources);
        let name = common::relative(path).display().to_string();
        assert_valid(&validator, &export, &name);
        let imported = coop::ocds::import(
            &[Input {
                name: "export.json".to_string(),
                text: export.to_string(),
            }],
            &Options::default(),
        )
        .unwrap_or_else(|error| panic!("the export of {name} does not import: {error}"));
        // Panics, naming the model, when it does not check.
        check_and_export(&imported.text);
    });
}

/// The command line's defaults for a fixture, from its `.args` file.
fn options(path: &Path) -> Options {
    let arguments = std::fs::read_to_string(path.with_extension("args")).unwrap_or_default();
    let words: Vec<&str> = arguments.split_whitespace().collect();
    let value_of = |flag: &str| {
        words
            .iter()
            .position(|word| *word == flag)
            .and_then(|index| words.get(index + 1))
            .map(|value| value.to_string())
    };
    Options {
        kind: value_of("--kind"),
        jurisdiction: value_of("--jurisdiction"),
    }
}

/// What checking the model's text finds, and its release package as of [`AS_OF`].
fn check_and_export(text: &str) -> (String, Value) {
    let mut sources = coop::source::SourceMap::new();
    sources.add(
        "imported.coop",
        std::path::PathBuf::from("imported.coop"),
        text.to_string(),
    );
    let (model, diagnostics) = coop::check_sources(&mut sources);
    let rendered = coop::diagnostic::render(&diagnostics, &sources, false);
    let checked = format!("{rendered}{}\n", coop::diagnostic::summary(&diagnostics));
    let Some(model) = model else {
        panic!("the imported model does not check:\n{checked}\n{text}");
    };
    let as_of = coop::values::Date::parse_from_str(AS_OF, "%Y-%m-%d").expect("a date");
    let evaluation = coop::eval::evaluate(&model, as_of);
    let report = coop::report::build(
        &model,
        &evaluation,
        &sources,
        &diagnostics,
        coop::report::DEFAULT_HORIZON_DAYS,
    );
    (checked, coop::ocds::export(&model, &report, &sources))
}

/// The standard's release package schema, whose releases are the release schema with the
/// vendored extensions applied as JSON Merge Patches (ocds/README.md), in the order a package
/// lists them.
fn validator() -> jsonschema::Validator {
    let read = |path: &str| -> Value {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
            .unwrap_or_else(|error| panic!("{path}: {error}"));
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path}: {error}"))
    };
    let mut release = read("ocds/schema/release-schema.json");
    for extension in [
        "ocds/extensions/lots",
        "ocds/extensions/techniques",
        "ocds/extensions/contract_buyer",
        "ocds/coop-extension",
    ] {
        json_patch::merge(
            &mut release,
            &read(&format!("{extension}/release-schema.json")),
        );
    }
    let package = read("ocds/schema/release-package-schema.json");
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(ReleaseSchema(release))
        .build(&package)
        .expect("the package schema compiles")
}

/// Resolves the package schema's reference to the release schema to the patched one, and
/// nothing else: no network.
struct ReleaseSchema(Value);

const RELEASE_SCHEMA_URI: &str =
    "https://standard.open-contracting.org/schema/1__1__5/release-schema.json";

impl jsonschema::Retrieve for ReleaseSchema {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.as_str() == RELEASE_SCHEMA_URI {
            Ok(self.0.clone())
        } else {
            Err(format!("no schema at {uri} is vendored").into())
        }
    }
}

fn assert_valid(validator: &jsonschema::Validator, package: &Value, name: &str) {
    let errors: Vec<String> = validator
        .iter_errors(package)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the export of {name} does not validate:\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_validator_refuses_a_package_that_breaks_the_schema() {
    let validator = validator();
    let broken = serde_json::json!({
        "uri": "urn:x", "version": "1.1", "publishedDate": "2026-01-01T00:00:00Z",
        "publisher": {"name": "x"},
        "releases": [{"ocid": "o", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"],
            "initiationType": "tender", "tender": {"id": "t", "coop": {"method": "not a name"}}}]
    });
    assert!(!validator.is_valid(&broken));
}
