//! The JSON Schema (draft 2020-12) for `envc.json` files, generated from the typed model so
//! that the two cannot drift apart: field docs become descriptions, `deny_unknown_fields`
//! becomes `additionalProperties: false`.

use schemars::generate::SchemaSettings;
use schemars::{Schema, json_schema};

use super::model::Spec;

/// The schema's `$id`.
pub const SCHEMA_ID: &str = "https://envc.dev/schema/envc.schema.json";

/// The schema for config files, as JSON.
pub fn config_schema() -> serde_json::Value {
    let generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    let mut schema = generator.into_root_schema_for::<Spec>();
    let variant = partial_spec_schema(&schema);
    add_config_file_keys(&mut schema);
    schema.insert("$id".into(), SCHEMA_ID.into());
    let mut value = schema.to_value();
    if let Some(defs) = value.get_mut("$defs").and_then(|d| d.as_object_mut()) {
        defs.insert("Variant".into(), variant);
    }
    value
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
