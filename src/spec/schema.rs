//! The JSON Schema for `envc.json` files (draft 2020-12, or draft-07 for editors and
//! catalogs that read no newer draft), generated from the typed model so that the two cannot
//! drift apart: field docs become descriptions (and `markdownDescription`, which VS Code
//! renders), `deny_unknown_fields` becomes `additionalProperties: false`.

use schemars::generate::SchemaSettings;
use schemars::{Schema, json_schema};

use super::model::Spec;

/// The schema's `$id` (draft 2020-12); stable, so catalogs and `$schema` can name it.
pub const SCHEMA_ID: &str = "https://envc.dev/schema/envc.schema.json";

/// The draft-07 rendering's `$id`.
pub const SCHEMA_ID_DRAFT7: &str = "https://envc.dev/schema/envc.draft-07.schema.json";

/// Which JSON Schema draft to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Draft {
    Draft7,
    Draft2020_12,
}

/// The schema for config files, as JSON (draft 2020-12).
pub fn config_schema() -> serde_json::Value {
    config_schema_for(Draft::Draft2020_12)
}

/// The schema for config files in `draft`.
pub fn config_schema_for(draft: Draft) -> serde_json::Value {
    let (settings, id, defs_key) = match draft {
        Draft::Draft7 => (SchemaSettings::draft07(), SCHEMA_ID_DRAFT7, "definitions"),
        Draft::Draft2020_12 => (SchemaSettings::draft2020_12(), SCHEMA_ID, "$defs"),
    };
    let generator = settings.for_deserialize().into_generator();
    let mut schema = generator.into_root_schema_for::<Spec>();
    let variant = partial_spec_schema(&schema);
    add_config_file_keys(&mut schema);
    schema.insert("$id".into(), id.into());
    let mut value = schema.to_value();
    if let Some(defs) = value.get_mut(defs_key).and_then(|d| d.as_object_mut()) {
        defs.insert("Variant".into(), variant);
    }
    let defs = value.get(defs_key).cloned().unwrap_or_default();
    describe_every_field(&mut value, &defs, None);
    value
}

/// Give every property a `description` (its type's, the branch's, or one naming it), and
/// every description a `markdownDescription` twin: editors show one or the other.
fn describe_every_field(
    node: &mut serde_json::Value,
    defs: &serde_json::Value,
    inherited: Option<&str>,
) {
    use serde_json::Value;
    let Value::Object(map) = node else {
        if let Value::Array(items) = node {
            for item in items {
                describe_every_field(item, defs, inherited);
            }
        }
        return;
    };
    let own = map
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (name, prop) in props.iter_mut() {
            let Value::Object(p) = prop else { continue };
            if p.contains_key("description") {
                continue;
            }
            let from_ref = p
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .and_then(|n| defs.get(n))
                .and_then(|d| d.get("description"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let text = from_ref
                .or_else(|| own.clone().or(inherited.map(str::to_string)))
                .map(|d| format!("`{name}`: {d}"))
                .unwrap_or_else(|| format!("The `{name}` field."));
            p.insert("description".into(), text.into());
        }
    }
    let inherit = own.as_deref().or(inherited);
    let inherit = inherit.map(str::to_string);
    for (key, child) in map.iter_mut() {
        // (`description` is also a property name: only the text is skipped.)
        if !((key == "description" || key == "markdownDescription") && child.is_string()) {
            describe_every_field(child, defs, inherit.as_deref());
        }
    }
    if let Some(description) = map.get("description").cloned()
        && !map.contains_key("markdownDescription")
    {
        map.insert("markdownDescription".into(), description);
    }
}

/// A variant's schema: the spec's own properties (minus `variants`), none required, nothing else.
fn partial_spec_schema(spec: &Schema) -> serde_json::Value {
    let mut properties = spec
        .get("properties")
        .and_then(|p| p.as_object())
        .cloned()
        .unwrap_or_default();
    properties.remove("variants");
    serde_json::json!({
        "description": "A partial spec applied on top of the config: any field of the spec, none required.",
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
    })
}

/// Keys a config file may have that the resolved spec does not: `$schema` (for editors) and
/// `imports` (consumed by the module loader before the spec is typed).
fn add_config_file_keys(schema: &mut Schema) {
    if let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
        props.insert(
            "$schema".into(),
            json_schema!({
                "description": "The schema this file follows (for editors); ignored by envc.",
                "type": "string"
            })
            .to_value(),
        );
        props.insert(
            "imports".into(),
            json_schema!({
                "description": "Modules merged before this file: project files relative to this file (`./gpu.nix`, `./base.json`) or built-in modules (`<envc/python-uv>`).",
                "type": "array",
                "items": { "type": "string" }
            })
            .to_value(),
        );
    }
}

/// Schema transform for a variant, replaced by [`partial_spec_schema`] once the whole spec's
/// schema exists (a type cannot see its parent's schema while it is generated).
pub fn partial_spec(schema: &mut Schema) {
    *schema = json_schema!({ "type": "object" });
}
