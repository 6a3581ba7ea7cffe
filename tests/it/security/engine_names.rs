//! Names the engine refuses, or accepts and cannot handle afterwards (issue 15, item 11):
//! a network `a/../b` was created and could not be removed by name. `envc check` parses
//! every name by the engine's rules; `envc up` refuses before it asks the engine for anything.

use serde_json::json;

use crate::build::project::Project;
use crate::support::{docker as engine, envc};

fn config(run: serde_json::Value, services: serde_json::Value) -> serde_json::Value {
    json!({
        "name": "names",
        "base": { "image": "debian:bookworm" },
        "run": run,
        "services": services,
    })
}

#[test]
fn names_are_checked_by_the_engine_rules_before_anything_is_created() {
    let rt = engine::runtime();
    let have_engine = engine::engine(&rt).is_some();
    let network = format!("{}/../b", engine::unique_name("net"));
    for (run, services, fragment) in [
        (
            json!({ "network": { "name": network, "create": true } }),
            json!({}),
            "is not a valid network name",
        ),
        (
            json!({ "volumes": [{ "name": "../../etc", "target": "/v" }] }),
            json!({}),
            "is not a valid volume name",
        ),
        (
            json!({ "container_name": "x;rm" }),
            json!({}),
            "is not a valid container name",
        ),
        (
            json!({}),
            json!({ "db.evil": { "image": "postgres:16" } }),
            "is not a valid service name",
        ),
        (
            json!({}),
            json!({ "db": { "image": "a/../b:1" } }),
            "is not a valid image reference",
        ),
    ] {
        let project = Project::new(&config(run, services));
        let check = envc().current_dir(project.path()).arg("check").run();
        assert_eq!(check.code(), 2, "{}", check.stderr());
        assert!(check.stderr().contains(fragment), "{}", check.stderr());
        assert!(check.stderr().contains("envc.json:"), "{}", check.stderr());
        let up = envc()
            .current_dir(project.path())
            .args(["up", "--no-build"])
            .run();
        assert_eq!(up.code(), 2, "{}", up.stderr());
    }
    if have_engine {
        let out = std::process::Command::new("docker")
            .args(["network", "inspect", &network])
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "the engine has a network `{network}`"
        );
    }
}

#[test]
fn environment_and_variant_names_follow_the_reference_grammar() {
    for (name, variant) in [
        ("a..b", "ok"),
        ("app-", "ok"),
        ("app", "GPU"),
        ("app", "a__-b"),
    ] {
        let project = Project::new(&json!({
            "name": name,
            "base": { "image": "debian:bookworm" },
            "variants": { variant: {} },
        }));
        let check = envc().current_dir(project.path()).arg("check").run();
        assert_eq!(check.code(), 2, "{name}/{variant}: {}", check.stderr());
        assert!(
            check.stderr().contains("is not a valid name"),
            "{}",
            check.stderr()
        );
    }
}
