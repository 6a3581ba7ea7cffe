//! A registry that lies, breaks or refuses: each is a clear error or a fall-back to
//! building, never a wrong cache hit.

use serde_json::Value;

use super::{Project, bare, base, indexes, ok, prefix, tool};
use crate::support::registry::{FaultyProxy, Registry};
use crate::support::{registry, require};

/// Build and push a project, then forget it locally.
fn pushed(base: &str, cache: &str) -> (Project, Vec<String>) {
    let project = Project::new(base);
    project.build(&["--push", "--cache-registry", cache]);
    let keys = project.keys();
    project.wipe();
    (project, keys)
}

fn refusals(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == "registry_refused")
        .map(|e| e["reason"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_manifest_for_another_key_is_refused_and_the_step_before_it_is_used() {
    let Some(base) = base() else { return };
    let Some(crane) = tool("crane") else {
        require("crane (scripts/setup)", false);
        return;
    };
    let registry = registry::shared();
    let cache = prefix(registry);
    let (project, keys) = pushed(&base, &cache);
    let (other, other_keys) = pushed(&base, &cache);
    drop(other);
    // The registry's `step:<last key>` now holds another environment's last step.
    let repo = format!("{}/step", bare(&cache));
    ok(
        &crane,
        &[
            "copy",
            "--insecure",
            &format!("{repo}:{}", other_keys[4]),
            &format!("{repo}:{}", keys[4]),
        ],
    );
    let out = project.run(&["build", "--progress", "plain", "--cache-registry", &cache]);
    out.ok();
    let events = project.last_build();
    let reasons = refusals(&events);
    assert_eq!(reasons.len(), 1, "{events:?}");
    assert!(reasons[0].contains("is for the key"), "{reasons:?}");
    assert!(
        out.stderr().contains("warning: refused"),
        "{}",
        out.stderr()
    );
    assert_eq!(indexes(&events, "step_end", Some("built")), [4]);
    assert_eq!(
        events
            .iter()
            .find(|e| e["event"] == "registry_pull")
            .unwrap()["index"],
        3
    );
}

#[test]
fn a_corrupted_blob_and_files_that_do_not_match_their_digest_are_refused() {
    let Some(base) = base() else { return };
    let (Some(crane), Some(oras)) = (tool("crane"), tool("oras")) else {
        require("crane and oras (scripts/setup)", false);
        return;
    };
    // Its own registry: the test edits its storage.
    let registry = Registry::start();
    let cache = prefix(&registry);
    let (project, keys) = pushed(&base, &cache);
    let repo = format!("{}/step", bare(&cache));
    let manifest = |key: &str| -> Value {
        serde_json::from_str(&ok(
            &crane,
            &["manifest", "--insecure", &format!("{repo}:{key}")],
        ))
        .unwrap()
    };
    // The layer `run two` added (steps 4 and 5 hold it): one byte flipped.
    let layers = |key: &str| -> Vec<String> {
        manifest(key)["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["digest"].as_str().unwrap().to_owned())
            .collect()
    };
    let below = layers(&keys[2]);
    let layer = layers(&keys[3])
        .into_iter()
        .find(|l| !below.contains(l))
        .expect("`run two` adds a layer");
    let blob = registry.blob_path(&layer);
    let mut bytes = std::fs::read(&blob).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&blob, bytes).unwrap();
    // Step 3 (`run one`) claims a rootfs digest its files do not have.
    let mut lying = manifest(&keys[2]);
    lying["annotations"]["dev.envc.rootfs"] = format!("sha256:{}", "0".repeat(64)).into();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("manifest.json");
    std::fs::write(&file, serde_json::to_vec(&lying).unwrap()).unwrap();
    ok(
        &oras,
        &[
            "manifest",
            "push",
            "--plain-http",
            "--media-type",
            "application/vnd.oci.image.manifest.v1+json",
            &format!("{repo}:{}", keys[2]),
            &file.display().to_string(),
        ],
    );

    project
        .run(&["build", "--progress", "plain", "--cache-registry", &cache])
        .ok();
    let events = project.last_build();
    let reasons = refusals(&events);
    assert_eq!(reasons.len(), 3, "{events:?}");
    assert!(
        reasons[0].contains("does not match its digest"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].contains("does not match its digest"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].contains("do not match its rootfs digest"),
        "{reasons:?}"
    );
    // Step 2 was fine: pulled, and the steps after it built.
    assert_eq!(
        events
            .iter()
            .find(|e| e["event"] == "registry_pull")
            .unwrap()["index"],
        1
    );
    assert_eq!(indexes(&events, "step_end", Some("built")), [2, 3, 4]);
    // `verify --registry` names every bad entry.
    let verify = project.run(&["verify", "--registry", "--cache-registry", &cache]);
    assert_eq!(verify.code(), 1, "{}", verify.stdout());
    for step in ["3/5", "4/5", "5/5"] {
        assert!(
            verify
                .stdout()
                .contains(&format!("FAIL  registry: step {step}")),
            "{}",
            verify.stdout()
        );
    }
    assert!(
        verify.stdout().contains("pass  registry: step 2/5"),
        "{}",
        verify.stdout()
    );
}

#[test]
fn a_registry_that_wants_a_login_is_a_clear_error_and_builds_go_on_without_it() {
    let Some(base) = base() else { return };
    let password = "s3cret-Pass:word";
    let registry = Registry::start_with_auth("envc", password);
    let cache = prefix(&registry);
    let project = Project::new(&base);
    project.build(&[]);
    let empty = tempfile::tempdir().unwrap();

    let refused = project
        .envc(&["push", "--cache-registry", &cache])
        .env("DOCKER_CONFIG", empty.path())
        .run();
    assert_eq!(refused.code(), 3, "{}", refused.stderr());
    assert!(refused.stderr().contains("401"), "{}", refused.stderr());
    assert!(
        refused.stderr().contains("docker login"),
        "{}",
        refused.stderr()
    );

    let config = tempfile::tempdir().unwrap();
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("envc:{password}"));
    std::fs::write(
        config.path().join("config.json"),
        format!(
            r#"{{"auths": {{"{}": {{"auth": "{auth}"}}}}}}"#,
            registry.address()
        ),
    )
    .unwrap();
    let pushed = project
        .envc(&["push", "--cache-registry", &cache])
        .env("DOCKER_CONFIG", config.path())
        .run();
    let stdout = pushed.ok();
    for text in [stdout.as_str(), &pushed.stderr()] {
        assert!(!text.contains(password) && !text.contains(&auth), "{text}");
    }

    // Without credentials a build says why it cannot use the registry, and builds.
    project.wipe();
    let built = project
        .envc(&["build", "--progress", "plain", "--cache-registry", &cache])
        .env("DOCKER_CONFIG", empty.path())
        .run();
    built.ok();
    assert!(
        built
            .stderr()
            .contains("cannot be used, building without it"),
        "{}",
        built.stderr()
    );
    assert!(!built.stderr().contains(password));
    let events = project.last_build();
    assert!(events.iter().any(|e| e["event"] == "registry_unavailable"));
    assert_eq!(indexes(&events, "step_end", Some("built")), [1, 2, 3, 4]);

    // With them, a wiped engine pulls.
    project.wipe();
    project
        .envc(&["build", "--progress", "plain", "--cache-registry", &cache])
        .env("DOCKER_CONFIG", config.path())
        .run()
        .ok();
    assert!(indexes(&project.last_build(), "step_end", None).is_empty());
}

#[test]
fn a_push_cut_off_half_way_leaves_only_complete_entries() {
    let Some(base) = base() else { return };
    let registry = Registry::start();
    // The connection drops at the third manifest upload.
    let proxy = FaultyProxy::start(registry.port(), "PUT |/manifests/", 3);
    let path = format!("cut{}", std::process::id());
    let through = format!("http://{}/{path}", proxy.address());
    let direct = format!("http://{}/{path}", registry.address());
    let project = Project::new(&base);
    project.build(&[]);
    let keys = project.keys();
    let cut = project.run(&["push", "--cache-registry", &through]);
    assert!(proxy.was_cut());
    assert_eq!(cut.code(), 3, "{}{}", cut.stdout(), cut.stderr());
    assert!(cut.stderr().contains("registry"), "{}", cut.stderr());

    // What the registry holds: the first steps, complete; nothing for the rest.
    let verify = project.run(&["verify", "--registry", "--cache-registry", &direct]);
    let report = verify.stdout();
    assert!(report.contains("pass  registry: step 2/5"), "{report}");
    assert!(
        report.contains(&format!("absent: `{}/step:{}`", bare(&direct), keys[4])),
        "{report}"
    );
    assert!(!report.contains("FAIL  registry"), "{report}");

    // A fresh engine uses what is complete and builds the rest.
    project.wipe();
    project
        .run(&["build", "--progress", "plain", "--cache-registry", &direct])
        .ok();
    let events = project.last_build();
    assert!(refusals(&events).is_empty(), "{events:?}");
    let pulled = events
        .iter()
        .find(|e| e["event"] == "registry_pull")
        .unwrap()["index"]
        .as_u64()
        .unwrap();
    assert_eq!(
        indexes(&events, "step_end", Some("built")),
        ((pulled + 1)..5).collect::<Vec<_>>()
    );
}
