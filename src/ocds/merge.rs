//! The OCDS merge routine (docs/schema/merging.md of the standard): releases of one contracting
//! process, in date order, merged into its compiled release. The rules come from the release
//! schema with the extensions Coop reads applied: fields with `omitWhenMerged` are dropped, arrays
//! with `wholeListMerge` (or of values that are not objects, or of objects without an `id`) are
//! replaced whole, and other arrays of objects are merged object by object on their `id`.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde_json::Value;

use super::tree::{Node, Shape};

/// The compiled release of releases already in date order: each merged into the one before.
pub fn compile(releases: Vec<Node>) -> Option<Node> {
    let rules = rules();
    let mut compiled = None;
    let mut path = Vec::new();
    for release in releases {
        compiled = merge(compiled, release, &mut path, rules);
    }
    compiled
}

/// What the schema says of how to merge a field, by its path of field names.
struct Rules {
    omitted: HashSet<Vec<String>>,
    whole_list: HashSet<Vec<String>>,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let schema = super::release_schema();
        let mut rules = Rules {
            omitted: HashSet::new(),
            whole_list: HashSet::new(),
        };
        if let Some(properties) = schema.get("properties") {
            collect(schema, properties, &mut Vec::new(), &mut rules);
        }
        rules
    })
}

/// The schema nests at most this deep; the guard keeps a recursive definition from looping.
const DEEPEST: usize = 16;

fn collect(schema: &Value, properties: &Value, path: &mut Vec<String>, rules: &mut Rules) {
    let Some(properties) = properties.as_object() else {
        return;
    };
    if path.len() > DEEPEST {
        return;
    }
    for (name, field) in properties {
        let field = resolve(schema, field);
        path.push(name.clone());
        let items = field.get("items").map(|items| resolve(schema, items));
        if field.get("omitWhenMerged") == Some(&Value::Bool(true)) {
            rules.omitted.insert(path.clone());
        } else if types(field).contains(&"array") && whole_list(field, items) {
            rules.whole_list.insert(path.clone());
        } else {
            if let Some(nested) = field.get("properties") {
                collect(schema, nested, path, rules);
            }
            if let Some(nested) = items.and_then(|items| items.get("properties")) {
                collect(schema, nested, path, rules);
            }
        }
        path.pop();
    }
}

/// Whether an array field is merged whole, as "Whole list merge" says.
fn whole_list(field: &Value, items: Option<&Value>) -> bool {
    if field.get("wholeListMerge") == Some(&Value::Bool(true)) {
        return true;
    }
    let Some(items) = items else {
        return false;
    };
    let item_types = types(items);
    if items.get("type").is_some() && item_types.iter().any(|ty| *ty != "object") {
        return true;
    }
    item_types.contains(&"object")
        && items
            .get("properties")
            .is_some_and(|properties| properties.get("id").is_none())
}

/// A schema, its local `$ref` followed.
fn resolve<'s>(schema: &'s Value, field: &'s Value) -> &'s Value {
    let mut field = field;
    for _ in 0..DEEPEST {
        let Some(reference) = field.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match reference
            .strip_prefix('#')
            .and_then(|pointer| schema.pointer(pointer))
        {
            Some(target) => field = target,
            None => break,
        }
    }
    field
}

fn types(field: &Value) -> Vec<&str> {
    match field.get("type") {
        Some(Value::String(ty)) => vec![ty.as_str()],
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Merges `input` into `output` at `path`; `None` is a field removed (an input of null).
fn merge(output: Option<Node>, input: Node, path: &mut Vec<String>, rules: &Rules) -> Option<Node> {
    let origin = input.origin.clone();
    match input.shape {
        Shape::Null => None,
        Shape::Object(fields) => {
            let mut merged = match output {
                Some(Node {
                    shape: Shape::Object(fields),
                    ..
                }) => fields,
                _ => Vec::new(),
            };
            for (name, value) in fields {
                path.push(name);
                if !rules.omitted.contains(path.as_slice()) {
                    let name = path.last().cloned().unwrap_or_default();
                    let index = merged.iter().position(|(field, _)| *field == name);
                    let previous = index.map(|index| merged.remove(index).1);
                    if let Some(node) = merge(previous, value, path, rules) {
                        // A field keeps its place among the others.
                        let at = index.unwrap_or(merged.len());
                        merged.insert(at, (name, node));
                    }
                }
                path.pop();
            }
            Some(Node::new(Shape::Object(merged), origin))
        }
        Shape::Array(items)
            if !rules.whole_list.contains(path.as_slice())
                && items
                    .iter()
                    .all(|item| matches!(item.shape, Shape::Object(_))) =>
        {
            let mut merged = match output {
                Some(Node {
                    shape: Shape::Array(items),
                    ..
                }) if items
                    .iter()
                    .all(|item| matches!(item.shape, Shape::Object(_))) =>
                {
                    items
                }
                _ => Vec::new(),
            };
            for item in items {
                let same = identifier(&item).and_then(|id| {
                    merged
                        .iter()
                        .position(|other| identifier(other).as_ref() == Some(&id))
                });
                match same {
                    Some(index) => {
                        let previous = merged.remove(index);
                        if let Some(node) = merge(Some(previous), item, path, rules) {
                            merged.insert(index, node);
                        }
                    }
                    None => merged.extend(merge(None, item, path, rules)),
                }
            }
            Some(Node::new(Shape::Array(merged), origin))
        }
        shape => Some(Node::new(shape, origin)),
    }
}

/// An object's `id`, a string or a number (told apart), when it has one.
fn identifier(node: &Node) -> Option<String> {
    let Shape::Object(fields) = &node.shape else {
        return None;
    };
    let (_, id) = fields.iter().rev().find(|(name, _)| name == "id")?;
    match &id.shape {
        Shape::String(text) => Some(format!("\"{text}")),
        Shape::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::Origin;
    use super::*;

    fn release(value: Value, index: usize) -> Node {
        Node::from_value(
            value,
            Origin {
                file: 0,
                pointer: format!("/releases/{index}"),
            },
        )
    }

    fn to_value(node: &Node) -> Value {
        match &node.shape {
            Shape::Null => Value::Null,
            Shape::Bool(boolean) => Value::Bool(*boolean),
            Shape::Number(number) => Value::Number(number.clone()),
            Shape::String(text) => Value::String(text.clone()),
            Shape::Array(items) => Value::Array(items.iter().map(to_value).collect()),
            Shape::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(name, node)| (name.clone(), to_value(node)))
                    .collect(),
            ),
        }
    }

    /// The standard's own worked example of merging (docs/examples/merging/updates).
    #[test]
    fn the_standards_example_merges_as_documented() {
        let releases = vec![
            release(
                serde_json::json!({"ocid": "A", "id": "1", "date": "2016-01-01", "tag": ["tender"],
                    "tender": {"id": "T", "value": {"amount": 1000, "currency": "USD"},
                    "items": [{"id": "i1", "description": "one", "additionalClassifications": [{"id": "x"}, {"id": "y"}]}]}}),
                0,
            ),
            release(
                serde_json::json!({"ocid": "A", "id": "2", "date": "2016-02-05", "tag": ["tenderAmendment"],
                    "tender": {"value": {"amount": 2000}, "description": "more",
                    "items": [{"id": "i1", "additionalClassifications": [{"id": "z"}]}, {"id": "i2"}]}}),
                1,
            ),
            release(
                serde_json::json!({"ocid": "A", "id": "3", "date": "2016-03-01", "tag": ["award"],
                    "awards": [{"id": "a1", "status": "active"}], "tender": {"description": null}}),
                2,
            ),
        ];
        let compiled = compile(releases).map(|node| to_value(&node));
        assert_eq!(
            compiled,
            Some(serde_json::json!({"ocid": "A",
                "tender": {"id": "T", "value": {"amount": 2000, "currency": "USD"},
                    "items": [{"id": "i1", "description": "one", "additionalClassifications": [{"id": "z"}]}, {"id": "i2"}]},
                "awards": [{"id": "a1", "status": "active"}]}))
        );
    }

    #[test]
    fn merged_values_keep_the_pointer_of_the_release_they_came_from() {
        let releases = vec![
            release(
                serde_json::json!({"ocid": "A", "tender": {"id": "T", "title": "old"}}),
                0,
            ),
            release(
                serde_json::json!({"ocid": "A", "tender": {"title": "new"}}),
                1,
            ),
        ];
        let compiled = compile(releases);
        let tender = compiled.as_ref().and_then(|node| node.get("tender"));
        let pointers = tender.map(|tender| {
            (
                tender.get("id").map(|id| id.origin.pointer.clone()),
                tender
                    .get("title")
                    .map(|title| title.origin.pointer.clone()),
            )
        });
        assert_eq!(
            pointers,
            Some((
                Some("/releases/0/tender/id".to_string()),
                Some("/releases/1/tender/title".to_string())
            ))
        );
    }
}
