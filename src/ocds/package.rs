//! OCDS files to contracting processes: release packages and record packages read, their
//! releases grouped by `ocid` and merged, in date order, into one compiled release each.

use std::collections::BTreeMap;

use serde_json::Value;

use super::merge;
use super::problems::{ImportError, ImportProblem, Note, NoteKind};
use super::tree::{Node, Origin, Shape};

/// A file given to the import: how it was named, and its text.
pub struct Input {
    pub name: String,
    pub text: String,
}

/// One contracting process: its `ocid` and its compiled release.
pub struct Process {
    pub ocid: String,
    pub release: Node,
}

/// The package metadata, which describes the file and not a process: read and set aside.
const PACKAGE_METADATA: [&str; 8] = [
    "uri",
    "version",
    "extensions",
    "publisher",
    "publishedDate",
    "license",
    "publicationPolicy",
    "packages",
];

/// Every process of the files, by `ocid`; fields of a package Coop does not know are noted.
pub fn read(inputs: &[Input], notes: &mut Vec<Note>) -> Result<Vec<Process>, ImportError> {
    let mut releases: BTreeMap<String, Vec<(String, usize, Node)>> = BTreeMap::new();
    let mut compiled: BTreeMap<String, Node> = BTreeMap::new();
    for (index, input) in inputs.iter().enumerate() {
        let error = |pointer: &str, problem| ImportError {
            file: input.name.clone(),
            pointer: Some(pointer.to_string()),
            problem,
        };
        let value: Value = serde_json::from_str(&input.text).map_err(|error| ImportError {
            file: input.name.clone(),
            pointer: None,
            problem: ImportProblem::NotJson {
                line: error.line(),
                column: error.column(),
                reason: reason_of(&error),
            },
        })?;
        let root = Origin {
            file: index,
            pointer: String::new(),
        };
        let Shape::Object(fields) = Node::from_value(value, root).shape else {
            return Err(error("", ImportProblem::NotAPackage));
        };
        let mut found_package = false;
        for (name, node) in fields {
            match name.as_str() {
                "releases" => {
                    found_package = true;
                    for release in list(node, "a release", input)? {
                        let (ocid, date) = identity(&release, input, true)?;
                        releases
                            .entry(ocid)
                            .or_default()
                            .push((date, index, release));
                    }
                }
                "records" => {
                    found_package = true;
                    for record in list(node, "a record", input)? {
                        read_record(record, input, index, &mut releases, &mut compiled, notes)?;
                    }
                }
                _ if PACKAGE_METADATA.contains(&name.as_str()) => {}
                _ => notes.push(not_mapped(input, &node)),
            }
        }
        if !found_package {
            return Err(error("", ImportProblem::NotAPackage));
        }
    }
    let mut processes = Vec::new();
    for (ocid, mut versions) in releases {
        // Releases in date order; releases of the same date in the order the files gave them.
        versions.sort_by(|(date, file, _), (other_date, other_file, _)| {
            (date, file).cmp(&(other_date, other_file))
        });
        let mut merged: Vec<Node> = compiled.remove(&ocid).into_iter().collect();
        merged.extend(versions.into_iter().map(|(_, _, release)| release));
        if let Some(release) = merge::compile(merged) {
            processes.push(Process { ocid, release });
        }
    }
    // A compiled release alone is merged too, so that its own `id`, `date` and `tag` are
    // discarded as the merge discards them.
    for (ocid, release) in compiled {
        if let Some(release) = merge::compile(vec![release]) {
            processes.push(Process { ocid, release });
        }
    }
    processes.sort_by(|one, other| one.ocid.cmp(&other.ocid));
    Ok(processes)
}

/// A record: its embedded releases, else its compiled release.
fn read_record(
    record: Node,
    input: &Input,
    file: usize,
    releases: &mut BTreeMap<String, Vec<(String, usize, Node)>>,
    compiled: &mut BTreeMap<String, Node>,
    notes: &mut Vec<Note>,
) -> Result<(), ImportError> {
    let (ocid, _) = identity(&record, input, false)?;
    let pointer = record.origin.pointer.clone();
    let Shape::Object(fields) = record.shape else {
        return Ok(());
    };
    let mut embedded = Vec::new();
    let mut compiled_release = None;
    let mut linked = false;
    for (name, node) in fields {
        match name.as_str() {
            "releases" => {
                for release in list(node, "a release", input)? {
                    if is_linked(&release) {
                        linked = true;
                    } else {
                        let (_, date) = identity(&release, input, true)?;
                        embedded.push((date, file, release));
                    }
                }
            }
            "compiledRelease" => compiled_release = Some(node),
            // Read only for its `ocid`; a versioned release says nothing the releases do not.
            "ocid" | "versionedRelease" => {}
            _ => notes.push(not_mapped(input, &node)),
        }
    }
    match compiled_release {
        // The publisher's own merge of releases that are not all here.
        Some(release) if linked || embedded.is_empty() => {
            compiled.insert(ocid, release);
        }
        _ if embedded.is_empty() => {
            return Err(ImportError {
                file: input.name.clone(),
                pointer: Some(pointer),
                problem: ImportProblem::LinkedReleasesOnly,
            });
        }
        _ => releases.entry(ocid).or_default().extend(embedded),
    }
    Ok(())
}

/// A release that only links to where it is published: `url`, `date` and `tag`, nothing else.
fn is_linked(release: &Node) -> bool {
    match &release.shape {
        Shape::Object(fields) => {
            fields.iter().any(|(name, _)| name == "url")
                && fields
                    .iter()
                    .all(|(name, _)| matches!(name.as_str(), "url" | "date" | "tag"))
        }
        _ => false,
    }
}

/// The objects of a package's `releases` or `records`.
fn list(node: Node, what: &'static str, input: &Input) -> Result<Vec<Node>, ImportError> {
    let origin = node.origin.clone();
    let Shape::Array(items) = node.shape else {
        return Err(ImportError {
            file: input.name.clone(),
            pointer: Some(origin.pointer),
            problem: ImportProblem::NotAnObject {
                what: "the list of releases or records",
                found: "not an array",
            },
        });
    };
    for item in &items {
        if !matches!(item.shape, Shape::Object(_)) {
            return Err(ImportError {
                file: input.name.clone(),
                pointer: Some(item.origin.pointer.clone()),
                problem: ImportProblem::NotAnObject {
                    what,
                    found: item.kind(),
                },
            });
        }
    }
    Ok(items)
}

/// A release's or a record's `ocid`, and a release's `date` (which orders the releases).
fn identity(node: &Node, input: &Input, dated: bool) -> Result<(String, String), ImportError> {
    let missing = |field: &'static str| ImportError {
        file: input.name.clone(),
        pointer: Some(node.origin.child(field).pointer),
        problem: ImportProblem::MissingText { field },
    };
    let ocid = peek_text(node, "ocid").ok_or_else(|| missing("ocid"))?;
    let date = if dated {
        peek_text(node, "date").ok_or_else(|| missing("date"))?
    } else {
        String::new()
    };
    Ok((ocid, date))
}

/// A field's text, read without marking it used.
fn peek_text(node: &Node, name: &str) -> Option<String> {
    let Shape::Object(fields) = &node.shape else {
        return None;
    };
    fields
        .iter()
        .rev()
        .find(|(field, _)| field == name)
        .and_then(|(_, value)| match &value.shape {
            Shape::String(text) => Some(text.clone()),
            _ => None,
        })
}

fn not_mapped(input: &Input, node: &Node) -> Note {
    Note {
        file: input.name.clone(),
        pointer: node.origin.pointer.clone(),
        kind: NoteKind::NotMapped {
            found: node.kind(),
            reason: None,
        },
    }
}

/// serde_json's message without the position it also gives as numbers.
fn reason_of(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(end) => text[..end].to_string(),
        None => text,
    }
}
