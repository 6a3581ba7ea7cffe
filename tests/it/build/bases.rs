//! Base sources besides local images: an image archive pinned by SHA-256, and a registry
//! image pinned by digest that the engine does not have yet (pulled from a loopback registry).

use serde_json::json;
use sha2::{Digest, Sha256};

use super::project::{Project, docker, image_exists, nonce};
use crate::support::{busybox, docker as engine, registry, require};

#[test]
fn an_image_archive_base_is_checked_loaded_and_tagged_by_key() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    // An archive of a name of its own, so that its hash (and the base key) is new and the
    // archive is really loaded in this run.
    let nonce = nonce();
    let named = format!("envc-test/archive-{nonce}:1");
    rt.block_on(engine.tag_image(&busybox::image(&rt, &engine), &named))
        .unwrap();
    let project = Project::new(&json!({}));
    let archive = project.path().join("base.tar");
    docker(&["save", "-o", archive.to_str().unwrap(), &named]);
    rt.block_on(engine.remove_image(&named, false)).unwrap();
    let sha = hex::encode(Sha256::digest(std::fs::read(&archive).unwrap()));
    let config = |sha: &str| {
        json!({
            "name": "archive-test",
            "base": { "archive": { "path": "base.tar", "sha256": sha } },
            "build": { "steps": [{ "run": format!("echo {nonce} > /nonce") }] }
        })
    };
    project.config(&config(&sha));
    let out = project.build(&[]).ok();
    let events = project.last_build();
    assert!(
        events.executed.contains(&0),
        "the archive was loaded: {events:?}"
    );
    assert!(image_exists(&format!("envc/step:{}", events.key(0))));
    let reference = out.lines().next().unwrap();
    assert_eq!(
        docker(&["run", "--rm", reference, "cat", "/nonce"]),
        format!("{nonce}\n")
    );

    let wrong = "0".repeat(64);
    project.config(&config(&wrong));
    let run = project.build(&[]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    // The message names both hashes (miette may wrap it).
    let stderr = run.stderr();
    assert!(stderr.contains(&sha) && stderr.contains(&wrong), "{stderr}");
    // Loading restored the archive's own tag; leave the engine as it was.
    rt.block_on(engine.remove_image(&named, false)).unwrap();
}

#[test]
fn a_base_pinned_by_digest_is_pulled_when_absent() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    if !require("docker-registry (Debian package)", registry::available()) {
        return;
    }
    let base = busybox::image(&rt, &engine);
    let registry = registry::Registry::start();
    let remote = format!("{}/envc-test/build-base:v1", registry.address());
    let digest = rt.block_on(async {
        engine.tag_image(&base, &remote).await.unwrap();
        let digest = engine.push(&remote, None).await.unwrap();
        engine.remove_image(&remote, false).await.unwrap();
        digest
    });
    let pinned = format!("{}/envc-test/build-base@{digest}", registry.address());
    assert!(
        !image_exists(&pinned),
        "the engine does not have it by digest yet"
    );
    let nonce = nonce();
    let project = Project::new(&json!({
        "name": "digest-test",
        "base": { "image": pinned },
        "build": { "steps": [{ "run": format!("echo {nonce} > /nonce") }] }
    }));
    let out = project.build(&[]).ok();
    assert!(image_exists(&pinned), "pulled by digest");
    let reference = out.lines().next().unwrap();
    assert_eq!(
        docker(&["run", "--rm", reference, "cat", "/nonce"]),
        format!("{nonce}\n")
    );
    rt.block_on(engine.remove_image(&pinned, false)).unwrap();
}
