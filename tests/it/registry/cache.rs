//! The registry as the second level of the step cache: push by key, a wiped engine builds
//! nothing, only the deepest step is pulled, and a changed last step pulls the one before.

use super::{Project, base, indexes, prefix};
use crate::support::registry;

#[test]
fn a_wiped_engine_pulls_the_deepest_step_and_builds_nothing() {
    let Some(base) = base() else { return };
    let registry = registry::shared();
    let cache = prefix(registry);
    let project = Project::new(&base);
    project.build(&[]);
    let keys = project.keys();

    let pushed = project.run(&["push", "--cache-registry", &cache]).ok();
    let bare = super::bare(&cache);
    // Every step but the image base, by its full key, and the finished image by name.
    for key in &keys[1..] {
        assert!(
            pushed.contains(&format!("{bare}/step:{key} sha256:")),
            "{pushed}"
        );
    }
    let last = keys.last().unwrap();
    assert!(
        pushed.contains(&format!("{bare}/{}:{last} sha256:", project.name)),
        "{pushed}"
    );
    // A second push sends nothing: the manifests are the same bytes.
    let again = project.run(&["push", "--cache-registry", &cache]);
    assert!(
        again.stderr().contains("already there"),
        "{}",
        again.stderr()
    );
    assert_eq!(again.ok(), pushed);

    project.wipe();
    let out = project
        .envc(&["build", "--progress", "plain"])
        .env("ENVC_CACHE_REGISTRY", &cache)
        .run();
    let stdout = out.ok();
    let events = project.last_build();
    assert!(indexes(&events, "step_end", None).is_empty(), "{events:?}");
    assert_eq!(
        indexes(&events, "cache_hit", Some("registry")),
        (0..keys.len() as u64).collect::<Vec<_>>()
    );
    let pulls: Vec<_> = events
        .iter()
        .filter(|e| e["event"] == "registry_pull")
        .collect();
    assert_eq!(
        pulls.len(),
        1,
        "only the deepest step is pulled: {events:?}"
    );
    assert_eq!(pulls[0]["key"], last.as_str());
    let stderr = out.stderr();
    assert!(stderr.contains(": registry"), "{stderr}");
    assert!(stderr.contains("files match sha256:"), "{stderr}");
    let image = stdout.lines().next().unwrap();
    assert_eq!(
        crate::support::docker::cli(&["run", "--rm", image, "cat", "/one", "/one.link", "/two"]),
        format!("hello {0}\nhello {0}\ntwo\n", project.name)
    );

    // A second build finds everything in the engine.
    project.build(&["--cache-registry", &cache]);
    let events = project.last_build();
    assert_eq!(
        indexes(&events, "cache_hit", Some("local")).len(),
        keys.len()
    );
}

#[test]
fn a_changed_last_step_pulls_the_step_before_it_and_builds_only_the_rest() {
    let Some(base) = base() else { return };
    let registry = registry::shared();
    let cache = prefix(registry);
    let project = Project::new(&base);
    project.build(&["--push", "--cache-registry", &cache]);
    let before = project.keys();

    // Same steps, another env: only the last (config) step changes.
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(project.path().join("envc.json")).unwrap())
            .unwrap();
    config["build"]["env"]["GREETING"] = "changed".into();
    project.config(&config);
    let after = project.keys();
    assert_eq!(before[..4], after[..4]);
    assert_ne!(before[4], after[4]);
    project.wipe();
    let old = format!("envc/{}:{}", project.name, &before[4][..12]);
    let _ = std::process::Command::new("docker")
        .args(["rmi", &old])
        .output();
    for key in &before {
        let _ = std::process::Command::new("docker")
            .args(["rmi", &format!("envc/step:{key}")])
            .output();
    }

    project.build(&["--cache-registry", &cache]);
    let events = project.last_build();
    let pulls: Vec<_> = events
        .iter()
        .filter(|e| e["event"] == "registry_pull")
        .collect();
    assert_eq!(pulls.len(), 1, "{events:?}");
    assert_eq!(pulls[0]["index"], 3);
    assert_eq!(indexes(&events, "step_end", Some("built")), [4]);
    assert_eq!(
        indexes(&events, "cache_hit", Some("registry")),
        [0, 1, 2, 3]
    );
    let probe = events
        .iter()
        .find(|e| e["event"] == "registry_probe")
        .unwrap();
    assert_eq!(
        (probe["probed"].as_u64(), probe["found"].as_u64()),
        (Some(4), Some(3))
    );
}
