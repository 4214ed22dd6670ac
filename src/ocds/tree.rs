//! JSON values that remember where they were read (file and JSON pointer) and whether the import
//! used them, so that every field it could not map is reported where it stands in its file.

use std::cell::Cell;

use serde_json::{Number, Value};

/// Where a value stands: a file given to the import, and a JSON pointer into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file's index among the files given.
    pub file: usize,
    /// An RFC 6901 JSON pointer: `/releases/0/tender/items/1`.
    pub pointer: String,
}

/// A JSON value with its origin and a mark for having been used.
#[derive(Debug)]
pub struct Node {
    pub shape: Shape,
    pub origin: Origin,
    used: Cell<bool>,
}

#[derive(Debug)]
pub enum Shape {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Node>),
    /// Fields in the order written; a field written twice keeps its last value, as JSON parsers do.
    Object(Vec<(String, Node)>),
}

impl Origin {
    /// The pointer one step further: a field name or an array index, escaped as RFC 6901 says.
    pub fn child(&self, step: &str) -> Origin {
        let escaped = step.replace('~', "~0").replace('/', "~1");
        Origin {
            file: self.file,
            pointer: format!("{}/{escaped}", self.pointer),
        }
    }
}

impl Node {
    pub fn new(shape: Shape, origin: Origin) -> Node {
        Node {
            shape,
            origin,
            used: Cell::new(false),
        }
    }

    /// A parsed JSON value, every part given its pointer below `origin`.
    pub fn from_value(value: Value, origin: Origin) -> Node {
        let shape = match value {
            Value::Null => Shape::Null,
            Value::Bool(boolean) => Shape::Bool(boolean),
            Value::Number(number) => Shape::Number(number),
            Value::String(text) => Shape::String(text),
            Value::Array(values) => Shape::Array(
                values
                    .into_iter()
                    .enumerate()
                    .map(|(index, value)| Node::from_value(value, origin.child(&index.to_string())))
                    .collect(),
            ),
            Value::Object(fields) => Shape::Object(
                fields
                    .into_iter()
                    .map(|(name, value)| {
                        let child = origin.child(&name);
                        (name, Node::from_value(value, child))
                    })
                    .collect(),
            ),
        };
        Node::new(shape, origin)
    }

    /// The field of an object, marked used (with the object); `None` when absent or null.
    pub fn get(&self, name: &str) -> Option<&Node> {
        let Shape::Object(fields) = &self.shape else {
            return None;
        };
        let (_, node) = fields.iter().rev().find(|(field, _)| field == name)?;
        self.used.set(true);
        node.used.set(true);
        match node.shape {
            Shape::Null => None,
            _ => Some(node),
        }
    }

    /// A field's text, marked used; `None` when absent, null or not a string.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name)?.as_str()
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.shape {
            Shape::String(text) => {
                self.used.set(true);
                Some(text)
            }
            _ => None,
        }
    }

    /// The items of an array (none when this is not one), the array marked used.
    pub fn items(&self) -> &[Node] {
        match &self.shape {
            Shape::Array(items) => {
                self.used.set(true);
                items
            }
            _ => &[],
        }
    }

    /// The items of a field that is an array; none when absent.
    pub fn list(&self, name: &str) -> &[Node] {
        self.get(name).map_or(&[], Node::items)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.shape {
            Shape::Bool(boolean) => {
                self.used.set(true);
                Some(boolean)
            }
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match &self.shape {
            Shape::Number(number) => {
                self.used.set(true);
                Some(number)
            }
            _ => None,
        }
    }

    /// A field, read without marking anything used: for finding things, not mapping them.
    pub fn peek(&self, name: &str) -> Option<&Node> {
        let Shape::Object(fields) = &self.shape else {
            return None;
        };
        let (_, node) = fields.iter().rev().find(|(field, _)| field == name)?;
        match node.shape {
            Shape::Null => None,
            _ => Some(node),
        }
    }

    /// The items of a field that is an array, read without marking anything used.
    pub fn peek_list(&self, name: &str) -> &[Node] {
        self.peek(name).map_or(&[], Node::items_unmarked)
    }

    pub fn items_unmarked(&self) -> &[Node] {
        match &self.shape {
            Shape::Array(items) => items,
            _ => &[],
        }
    }

    pub fn str_unmarked(&self) -> Option<&str> {
        match &self.shape {
            Shape::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn str_field_unmarked(&self, name: &str) -> Option<&str> {
        self.peek(name).and_then(Node::str_unmarked)
    }

    /// Marks this value and everything in it used: what the import maps whole, or reads only to
    /// recognise and drop on purpose (such as the merge's own metadata).
    pub fn use_all(&self) {
        self.used.set(true);
        match &self.shape {
            Shape::Array(items) => items.iter().for_each(Node::use_all),
            Shape::Object(fields) => fields.iter().for_each(|(_, node)| node.use_all()),
            _ => {}
        }
    }

    /// What kind of JSON value this is, as messages name it.
    pub fn kind(&self) -> &'static str {
        match self.shape {
            Shape::Null => "null",
            Shape::Bool(_) => "a boolean",
            Shape::Number(_) => "a number",
            Shape::String(_) => "a string",
            Shape::Array(_) => "an array",
            Shape::Object(_) => "an object",
        }
    }

    /// The values the import did not use, outermost first: a field never read is one entry,
    /// however much it holds. Nulls say nothing and are not listed.
    pub fn unused(&self) -> Vec<&Node> {
        let mut found = Vec::new();
        self.collect_unused(&mut found);
        found
    }

    fn collect_unused<'n>(&'n self, found: &mut Vec<&'n Node>) {
        if matches!(self.shape, Shape::Null) {
            return;
        }
        if !self.used.get() {
            found.push(self);
            return;
        }
        match &self.shape {
            Shape::Array(items) => items.iter().for_each(|item| item.collect_unused(found)),
            Shape::Object(fields) => fields
                .iter()
                .for_each(|(_, node)| node.collect_unused(found)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(value: Value) -> Node {
        Node::from_value(
            value,
            Origin {
                file: 0,
                pointer: String::new(),
            },
        )
    }

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        let tree = node(serde_json::json!({"a/b": {"c~d": [1]}}));
        let inner = tree.get("a/b").and_then(|node| node.get("c~d"));
        let first = inner.map(|node| node.items()[0].origin.pointer.clone());
        assert_eq!(first.as_deref(), Some("/a~1b/c~0d/0"));
    }

    #[test]
    fn unused_lists_the_outermost_field_not_read() {
        let tree = node(
            serde_json::json!({"tender": {"title": "x", "documents": [{"id": "1"}]}, "gone": null}),
        );
        let _ = tree.get("tender").and_then(|tender| tender.text("title"));
        let unused: Vec<&str> = tree
            .unused()
            .iter()
            .map(|node| node.origin.pointer.as_str())
            .collect();
        assert_eq!(unused, ["/tender/documents"]);
    }
}
