//! Reading the config's JSON Schema by attribute path: the fields a set may have, the values
//! a field may take, and each one's doc, type and default.
//!
//! The schema is generated from the typed spec model (`envc schema`), so completion and hover
//! say exactly what `envc check` accepts — in `envc.json` and in `envc.nix` alike, whose
//! evaluated value has the same shape.

use serde_json::Value;

/// The schema, and lookups in it.
pub struct SchemaNav {
    root: Value,
}

/// One field or value offered to the user.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub doc: Option<String>,
    pub type_text: String,
    pub default: Option<Value>,
}

impl SchemaNav {
    pub fn new(root: Value) -> Self {
        SchemaNav { root }
    }

    /// The subschema at `path` (`[]` for a list element), following `$ref`s and unions.
    pub fn at(&self, path: &[String]) -> Option<&Value> {
        let mut node = self.resolve(&self.root);
        for segment in path {
            node = self.child(node, segment)?;
        }
        Some(node)
    }

    fn resolve<'a>(&'a self, mut node: &'a Value) -> &'a Value {
        for _ in 0..32 {
            match node.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix("#/$defs/") {
                    Some(name) => match self.root.get("$defs").and_then(|d| d.get(name)) {
                        Some(target) => node = target,
                        None => return node,
                    },
                    None if r == "#" => node = &self.root,
                    None => return node,
                },
                None => return node,
            }
        }
        node
    }

    /// The node and every branch of its unions, resolved.
    fn branches<'a>(&'a self, node: &'a Value) -> Vec<&'a Value> {
        let mut out = Vec::new();
        let mut todo = vec![self.resolve(node)];
        while let Some(n) = todo.pop() {
            if out.len() > 64 {
                break;
            }
            out.push(n);
            for key in ["anyOf", "oneOf", "allOf"] {
                if let Some(list) = n.get(key).and_then(Value::as_array) {
                    todo.extend(list.iter().rev().map(|b| self.resolve(b)));
                }
            }
        }
        out
    }

    fn child<'a>(&'a self, node: &'a Value, segment: &str) -> Option<&'a Value> {
        let branches = self.branches(node);
        if segment == "[]" {
            return branches
                .iter()
                .find_map(|b| b.get("items"))
                .map(|n| self.resolve(n));
        }
        if let Some(found) = branches
            .iter()
            .find_map(|b| b.get("properties").and_then(|p| p.get(segment)))
        {
            return Some(self.resolve(found));
        }
        // A map (`services.NAME`, `variants.NAME`): every key has the same schema.
        branches
            .iter()
            .find_map(|b| b.get("additionalProperties").filter(|a| a.is_object()))
            .map(|n| self.resolve(n))
    }

    /// The fields the set at `path` may have.
    pub fn fields(&self, path: &[String]) -> Vec<Entry> {
        let Some(node) = self.at(path) else {
            return Vec::new();
        };
        let mut out: Vec<Entry> = Vec::new();
        for branch in self.branches(node) {
            let Some(props) = branch.get("properties").and_then(Value::as_object) else {
                continue;
            };
            for (name, schema) in props {
                if out.iter().any(|e| &e.name == name) {
                    continue;
                }
                out.push(self.entry(name, schema));
            }
        }
        out
    }

    /// The values the field at `path` may take, when they are a closed set.
    pub fn values(&self, path: &[String]) -> Vec<Entry> {
        let Some(node) = self.at(path) else {
            return Vec::new();
        };
        let mut out: Vec<Entry> = Vec::new();
        for branch in self.branches(node) {
            let doc = description(branch);
            let mut add = |v: &Value| {
                let name = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if !out.iter().any(|e| e.name == name) {
                    out.push(Entry {
                        name,
                        doc: doc.clone(),
                        type_text: type_of(v),
                        default: None,
                    });
                }
            };
            if let Some(list) = branch.get("enum").and_then(Value::as_array) {
                list.iter().for_each(&mut add);
            }
            if let Some(c) = branch.get("const") {
                add(c);
            }
            if branch.get("type").and_then(Value::as_str) == Some("boolean") {
                add(&Value::Bool(true));
                add(&Value::Bool(false));
            }
        }
        out
    }

    /// A field's doc, type and default.
    pub fn entry(&self, name: &str, schema: &Value) -> Entry {
        let resolved = self.resolve(schema);
        let doc = description(schema).or_else(|| description(resolved));
        let default = schema
            .get("default")
            .or_else(|| resolved.get("default"))
            .cloned();
        Entry {
            name: name.to_string(),
            doc,
            type_text: self.type_text(schema, 0),
            default,
        }
    }

    /// A short type for humans: `string`, `list of string`, `one of "host", "fixed"`, `User`.
    pub fn type_text(&self, schema: &Value, depth: usize) -> String {
        if depth > 4 {
            return "…".into();
        }
        if let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        {
            let target = self.resolve(schema);
            if target.get("properties").is_some() {
                return format!("{name} (attribute set)");
            }
            return self.type_text(target, depth + 1);
        }
        if let Some(list) = schema.get("enum").and_then(Value::as_array) {
            let names: Vec<String> = list.iter().map(Value::to_string).collect();
            return format!("one of {}", names.join(", "));
        }
        if let Some(c) = schema.get("const") {
            return c.to_string();
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(list) = schema.get(key).and_then(Value::as_array) {
                let parts: Vec<String> = list
                    .iter()
                    .map(|b| self.type_text(b, depth + 1))
                    .filter(|t| t != "null")
                    .collect();
                return parts.join(" | ");
            }
        }
        match schema.get("type") {
            Some(Value::String(t)) if t == "array" => match schema.get("items") {
                Some(items) => format!("list of {}", self.type_text(items, depth + 1)),
                None => "list".into(),
            },
            Some(Value::String(t)) if t == "object" => match schema.get("additionalProperties") {
                Some(v) if v.is_object() => {
                    format!("attribute set of {}", self.type_text(v, depth + 1))
                }
                _ => "attribute set".into(),
            },
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect::<Vec<_>>()
                .join(" | "),
            _ => "any".into(),
        }
    }
}

fn description(schema: &Value) -> Option<String> {
    schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn type_of(v: &Value) -> String {
    match v {
        Value::String(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        _ => "value",
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nav() -> SchemaNav {
        SchemaNav::new(crate::spec::schema::config_schema())
    }

    fn path(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fields_at_any_depth() {
        let nav = nav();
        let top: Vec<String> = nav.fields(&[]).into_iter().map(|e| e.name).collect();
        assert!(top.contains(&"build".to_string()), "{top:?}");
        let build: Vec<String> = nav
            .fields(&path(&["build"]))
            .into_iter()
            .map(|e| e.name)
            .collect();
        for f in ["apt", "pip", "files", "steps"] {
            assert!(build.contains(&f.to_string()), "{f} not in {build:?}");
        }
        let user = nav.fields(&path(&["run", "user"]));
        let mode = user
            .iter()
            .find(|e| e.name == "mode")
            .expect("run.user.mode");
        assert!(mode.doc.is_some(), "{mode:?}");
    }

    #[test]
    fn enum_values() {
        let values: Vec<String> = nav()
            .values(&path(&["run", "user", "mode"]))
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert!(values.contains(&"host".to_string()), "{values:?}");
    }
}
