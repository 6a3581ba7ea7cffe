//! Dev Containers parity: the `devcontainer.metadata` label of an envc-built image is
//! valid image metadata by the spec's own JSON Schema, and the devcontainer.json that
//! `envc emit` writes reads back through `envc init` to the same run settings.

use std::path::Path;

use serde_json::{Value, json};

use super::{fixture, init, show};
use crate::support::{self, busybox, docker as engine};

/// The properties image metadata may carry (the spec's `docs/specs/image-metadata.md`).
const METADATA_PROPERTIES: &[&str] = &[
    "id",
    "init",
    "privileged",
    "capAdd",
    "securityOpt",
    "entrypoint",
    "mounts",
    "onCreateCommand",
    "updateContentCommand",
    "postCreateCommand",
    "postStartCommand",
    "postAttachCommand",
    "waitFor",
    "customizations",
    "containerUser",
    "remoteUser",
    "userEnvProbe",
    "remoteEnv",
    "containerEnv",
    "overrideCommand",
    "portsAttributes",
    "otherPortsAttributes",
    "forwardPorts",
    "shutdownAction",
    "updateRemoteUserUID",
    "hostRequirements",
];

/// The spec's schema, turned into one for the label: an array of `devContainerCommon`
/// objects holding only metadata properties.
fn label_schema(dir: &Path) -> std::path::PathBuf {
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("devcontainer-spec/devContainer.base.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "definitions": base["definitions"],
        "type": "array",
        "minItems": 1,
        "items": {
            "allOf": [
                { "$ref": "#/definitions/devContainerCommon" },
                { "propertyNames": { "enum": METADATA_PROPERTIES } }
            ]
        }
    });
    let path = dir.join("label.schema.json");
    std::fs::write(&path, serde_json::to_vec(&schema).unwrap()).unwrap();
    path
}

/// `check-jsonschema --schemafile SCHEMA INSTANCE`: passed?
fn validates(schema: &Path, instance: &Value, dir: &Path) -> (bool, String) {
    let tool = crate::spec::check_jsonschema().expect("checked by the caller");
    let file = dir.join(format!("instance-{}.json", support::docker::unique("i")));
    std::fs::write(&file, serde_json::to_vec(instance).unwrap()).unwrap();
    let out = std::process::Command::new(tool)
        .arg("--schemafile")
        .arg(schema)
        .arg(&file)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn devcontainer_metadata_label_is_valid_image_metadata() {
    let Some(_) = crate::spec::check_jsonschema() else {
        support::require("check-jsonschema (PyPI, installed by scripts/setup)", false);
        return;
    };
    let rt = engine::runtime();
    let Some(eng) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &eng);
    let dir = tempfile::tempdir().unwrap();
    let name = engine::unique_name("init-label");
    std::fs::write(
        dir.path().join("envc.json"),
        serde_json::to_vec(&json!({
            "name": name,
            "base": { "image": base },
            "build": { "env": { "LANG": "C.UTF-8", "QUOTE": "a \"b\" ${c}" } }
        }))
        .unwrap(),
    )
    .unwrap();
    let out = support::envc()
        .current_dir(dir.path())
        .args(["build", "-q"])
        .run()
        .ok();
    let reference = out.lines().next().unwrap().to_owned();
    let label = engine::cli(&[
        "inspect",
        "--format",
        "{{ index .Config.Labels \"devcontainer.metadata\" }}",
        &reference,
    ]);
    let metadata: Value = serde_json::from_str(label.trim()).expect("the label is JSON");
    assert_eq!(
        metadata[0]["containerEnv"]["QUOTE"], "a \"b\" ${c}",
        "{metadata}"
    );
    assert_eq!(metadata[0]["updateRemoteUserUID"], true);
    let schema = label_schema(dir.path());
    let (ok, output) = validates(&schema, &metadata, dir.path());
    assert!(
        ok,
        "the label fails the spec's schema:\n{output}\n{metadata}"
    );
    // The check can fail: wrong types and run-only properties are refused.
    for bad in [
        json!([{ "init": "yes" }]),
        json!([{ "image": "x:1" }]),
        json!({}),
    ] {
        let (ok, _) = validates(&schema, &bad, dir.path());
        assert!(!ok, "{bad} should fail the label schema");
    }
    let _ = std::process::Command::new("docker")
        .args(["rmi", "-f", &reference])
        .output();
}

#[test]
fn emitted_devcontainer_json_round_trips_through_init() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("original");
    std::fs::create_dir(&original).unwrap();
    std::fs::write(
        original.join("envc.json"),
        serde_json::to_vec(&json!({
            "name": "round-trip",
            "base": { "image": "debian:bookworm" },
            "build": { "apt": ["git"] },
            "run": {
                "user": { "mode": "root" },
                "project": { "target": "/work" },
                "mounts": [
                    { "source": "{home}/.ssh", "target": "/root/.ssh", "readonly": true },
                    { "source": "{project}/data", "target": "/data" }
                ],
                "volumes": [ { "name": "{project_slug}-cache", "target": "/cache" } ],
                "env": { "A": "1", "WHERE": "{project}/x", "TOKEN": "{env:TOKEN}" },
                "pass_env": [ "TERM" ],
                "proxy": true,
                "network": { "name": "labnet" },
                "ports": [ { "container": 8888 }, { "container": 53, "host": 5353, "protocol": "udp" } ],
                "gpu": "all",
                "devices": [ "/dev/fuse" ],
                "cap_add": [ "SYS_PTRACE" ],
                "cap_drop": [ "NET_RAW" ],
                "shm_size": "2g",
                "x11": true,
                "docker_socket": true,
                "post_start": [ "echo started > /tmp/started" ]
            }
        }))
        .unwrap(),
    )
    .unwrap();
    let emitted = dir.path().join("emitted");
    support::envc()
        .current_dir(&original)
        .args(["emit", "--out"])
        .arg(&emitted)
        .run()
        .ok();
    let copy = dir.path().join("imported");
    std::fs::create_dir_all(copy.join(".devcontainer")).unwrap();
    std::fs::copy(
        emitted.join("devcontainer.json"),
        copy.join(".devcontainer/devcontainer.json"),
    )
    .unwrap();
    let report = init(&copy, &[]);
    assert!(
        !report.contains("not mapped"),
        "everything envc emits reads back:\n{report}"
    );
    let before = show(&original);
    let after = show(&copy);
    for field in [
        "user",
        "project",
        "mounts",
        "volumes",
        "env",
        "pass_env",
        "proxy",
        "network",
        "ports",
        "gpu",
        "devices",
        "cap_add",
        "cap_drop",
        "shm_size",
        "x11",
        "docker_socket",
        "post_start",
    ] {
        assert_eq!(after["run"][field], before["run"][field], "run.{field}");
    }
    // The base is the image envc built for the original.
    let tag = after["base"]["image"].as_str().unwrap();
    assert!(tag.starts_with("envc/round-trip:"), "{tag}");
}
