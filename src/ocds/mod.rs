//! OCDS in and out: the interchange stage beside the report.
//!
//! `coop import ocds` reads release and record packages of the Open Contracting Data Standard
//! (1.1), merges each contracting process's releases as the standard says, and writes a model's
//! text, which then goes through the normal parse and check like any `.coop` file. `coop report
//! --format ocds` renders a checked model and its report as a release package, with Coop's own
//! extension (`ocds/coop-extension/`) for what OCDS has no field for. docs/ocds.md has the
//! mapping both ways.

mod export;
mod import;
mod merge;
mod names;
mod package;
mod problems;
mod tree;

use std::sync::OnceLock;

use serde_json::Value;

pub use export::{EXTENSIONS, export};
pub use import::{Imported, Options, import};
pub use package::Input;
pub use problems::{AgencyFact, ImportError, ImportProblem, Note, NoteKind};

/// The OCDS 1.1 release schema, vendored from the standard (ocds/README.md says from where).
pub const RELEASE_SCHEMA: &str = include_str!("../../ocds/schema/release-schema.json");

/// The release schema of each extension Coop reads and writes, in the order they are applied.
pub const EXTENSION_SCHEMAS: [(&str, &str); 4] = [
    (
        "lots",
        include_str!("../../ocds/extensions/lots/release-schema.json"),
    ),
    (
        "techniques",
        include_str!("../../ocds/extensions/techniques/release-schema.json"),
    ),
    (
        "contract_buyer",
        include_str!("../../ocds/extensions/contract_buyer/release-schema.json"),
    ),
    (
        "coop",
        include_str!("../../ocds/coop-extension/release-schema.json"),
    ),
];

/// The release schema with every extension applied, as the standard's extension mechanism says:
/// each extension's `release-schema.json` is a JSON Merge Patch (RFC 7386) of the schema.
pub fn release_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut schema: Value = parse_vendored(RELEASE_SCHEMA);
        for (_, patch) in EXTENSION_SCHEMAS {
            json_patch::merge(&mut schema, &parse_vendored(patch));
        }
        schema
    })
}

fn parse_vendored(text: &str) -> Value {
    match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            unreachable!("the vendored schemas are JSON (a unit test reads each): {error}")
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_vendored_schemas_are_json_and_patch_the_release_schema() {
        for (name, text) in super::EXTENSION_SCHEMAS {
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_ok(),
                "{name}'s release schema is JSON"
            );
        }
        let schema = super::release_schema();
        assert!(
            schema
                .pointer("/definitions/Tender/properties/lots")
                .is_some()
        );
        assert!(
            schema
                .pointer("/definitions/Tender/properties/techniques")
                .is_some()
        );
        assert!(
            schema
                .pointer("/definitions/Contract/properties/buyer")
                .is_some()
        );
        assert!(schema.pointer("/properties/coop").is_some());
    }
}
