//! The `devcontainer.metadata` image label, so that VS Code and the `devcontainer` CLI read
//! envc-built images as Dev Containers images (the spec's "image metadata": a JSON array of
//! metadata objects, merged with a `devcontainer.json` that names the image).
//!
//! It is an image label, so it is part of the image and of its key — and therefore says
//! only what the build side decides: the image's variables (`containerEnv`), that the
//! connecting user is mapped to the host uid (`updateRemoteUserUID`, envc's `host` user
//! mode), and that an init process reaps children (`init`, as `envc run` and the emitted
//! devcontainer.json's `--init` do). Mounts, ports and the user are run settings, which
//! never enter an image: they are in the `devcontainer.json` that `envc emit` writes.

use serde_json::{Map, Value, json};

use crate::spec::model::BuildSpec;

/// The label's name, from the Dev Containers spec.
pub const LABEL: &str = "devcontainer.metadata";

/// The label's value: a one-element array, canonical JSON (sorted keys, no whitespace) so
/// that the same build side always gives the same bytes, and so the same key.
pub fn label(build: &BuildSpec) -> String {
    let mut entry = Map::new();
    if !build.env.is_empty() {
        let env: Map<String, Value> = build
            .env
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), json!(v.as_str())))
            .collect();
        entry.insert("containerEnv".into(), Value::Object(env));
    }
    entry.insert("init".into(), json!(true));
    entry.insert("updateRemoteUserUID".into(), json!(true));
    let doc = Value::Array(vec![Value::Object(entry)]);
    String::from_utf8(crate::content::canonical::to_vec(&doc)).expect("JSON is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_is_a_canonical_array_of_one_object() {
        let mut build = BuildSpec::default();
        assert_eq!(
            label(&build),
            r#"[{"init":true,"updateRemoteUserUID":true}]"#
        );
        build.env.insert(
            crate::spec::model::EnvName::new("LANG").unwrap(),
            crate::spec::model::BuildString::new("C.UTF-8").unwrap(),
        );
        assert_eq!(
            label(&build),
            r#"[{"containerEnv":{"LANG":"C.UTF-8"},"init":true,"updateRemoteUserUID":true}]"#
        );
    }
}
