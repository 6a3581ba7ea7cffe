//! Downloads as a build input, end to end against a file server on loopback: `envc lock`
//! pins the SHA-256, `envc build` puts the exact bytes in the image with the step's mode and
//! owner, a wrong pin fails naming the URL and both hashes and leaves nothing in the
//! download cache, and a later build uses the cache without the server.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use envc::plan::Digest;
use serde_json::{Value, json};

use super::project::{Project, nonce};
use crate::support::http::FileServer;
use crate::support::{Run, busybox, docker as engine, envc};

fn busybox_base() -> Option<String> {
    let rt = engine::runtime();
    let engine = engine::engine(&rt)?;
    Some(busybox::image(&rt, &engine))
}

/// Bytes unique to this test run (so keys and cache entries are fresh), not valid UTF-8.
fn tool_bytes() -> Vec<u8> {
    let mut bytes = format!("#!/bin/sh\necho tool {}\n", nonce()).into_bytes();
    bytes.extend([0x00, 0xff, 0xfe, b'\n']);
    bytes
}

fn config(base: &str, url: &str, sha256: Option<&str>) -> Value {
    let mut file = json!({ "url": url, "mode": "0750", "owner": "1000:1000" });
    if let Some(sha256) = sha256 {
        file["sha256"] = json!(sha256);
    }
    json!({
        "name": "download-test",
        "base": { "image": base },
        "build": { "files": { "/opt/bin/tool": file } }
    })
}

/// `envc ARGS` in `project` with its own download cache (`XDG_CACHE_HOME`).
fn envc_in(project: &Project, cache: &Path, args: &[&str]) -> Run {
    envc()
        .current_dir(project.path())
        .env("XDG_CACHE_HOME", cache)
        .env("NO_PROXY", "127.0.0.1")
        .args(args)
        .run()
}

fn build(project: &Project, cache: &Path, args: &[&str]) -> Run {
    let mut all = vec!["build", "--progress", "plain"];
    all.extend(args);
    envc_in(project, cache, &all)
}

/// `docker run --rm IMAGE ARGS`, stdout as bytes.
fn docker_run(image: &str, args: &[&str]) -> Vec<u8> {
    let output = Command::new("docker")
        .args(["run", "--rm", image])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "docker run {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn cached_files(cache: &Path) -> Vec<String> {
    std::fs::read_dir(cache.join("envc/downloads"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_download_is_locked_built_with_its_bytes_and_mode_and_reused_offline() {
    let Some(base) = busybox_base() else { return };
    let bytes = tool_bytes();
    let sha256 = Digest::of(&bytes);
    let mut server = FileServer::start(BTreeMap::from([("/tool".to_owned(), bytes.clone())]));
    let url = server.url("/tool");
    let cache = tempfile::tempdir().unwrap();
    let project = Project::new(&config(&base, &url, None));

    // `envc lock` fetches the URL and records its SHA-256.
    envc_in(&project, cache.path(), &["lock"]).ok();
    let lock: Value =
        serde_json::from_slice(&std::fs::read(project.path().join("envc.lock")).unwrap()).unwrap();
    assert_eq!(
        lock["default"]["image"]["downloads"][&url],
        json!(sha256.to_string()),
        "{lock:#}"
    );
    envc_in(&project, cache.path(), &["lock", "--check"]).ok();
    let fetches_by_lock = server.hits();
    assert_eq!(fetches_by_lock, 1);

    // The build fetches it once into the content-addressed cache and copies the exact bytes.
    let out = build(&project, cache.path(), &[]).ok();
    let reference = out.lines().next().unwrap().to_owned();
    assert_eq!(server.hits(), fetches_by_lock + 1);
    assert_eq!(cached_files(cache.path()), vec![sha256.hex()]);
    assert_eq!(docker_run(&reference, &["cat", "/opt/bin/tool"]), bytes);
    assert_eq!(
        String::from_utf8(docker_run(
            &reference,
            &["stat", "-c", "%a %u:%g", "/opt/bin/tool"]
        ))
        .unwrap(),
        "750 1000:1000\n"
    );

    // Without the server, a build that re-runs every step takes the file from the cache.
    server.stop();
    let again = build(&project, cache.path(), &["--no-cache"]).ok();
    assert_eq!(again, out, "the same image reference and key");
    let events = project.last_build();
    assert!(
        events
            .executed
            .contains(&events.index_of("file /opt/bin/tool")),
        "{events:?}"
    );
    assert_eq!(server.hits(), fetches_by_lock + 1, "no fetch");

    // Writing the hash into the config makes the lock stale until it is locked again.
    project.config(&config(&base, &url, Some(&sha256.hex())));
    let check = envc_in(&project, cache.path(), &["lock", "--check"]);
    assert_eq!(check.code(), 1, "{}", check.stderr());
    assert!(
        check.stderr().contains(&format!("image.downloads.{url}")),
        "{}",
        check.stderr()
    );
}

#[test]
fn a_download_that_is_not_its_sha256_fails_with_the_url_and_both_hashes() {
    let Some(base) = busybox_base() else { return };
    let bytes = tool_bytes();
    let found = Digest::of(&bytes);
    let expected = Digest::of(b"something else");
    let server = FileServer::start(BTreeMap::from([("/tool".to_owned(), bytes)]));
    let url = server.url("/tool");
    let cache = tempfile::tempdir().unwrap();
    let project = Project::new(&config(&base, &url, Some(&expected.hex())));

    let says_both = |run: &Run| {
        let stderr = run.stderr();
        assert_eq!(run.code(), 2, "{stderr}");
        for part in [url.clone(), found.to_string(), expected.to_string()] {
            assert!(stderr.contains(&part), "no `{part}` in:\n{stderr}");
        }
    };
    says_both(&envc_in(&project, cache.path(), &["lock"]));
    assert!(!project.path().join("envc.lock").exists());

    // Built without a lock (allowed), the config's pin is checked while streaming, and the
    // wrong file is not kept.
    says_both(&build(&project, cache.path(), &[]));
    assert!(
        cached_files(cache.path()).is_empty(),
        "{:?}",
        cached_files(cache.path())
    );
    let events = project.last_build();
    assert!(events.failure.is_some(), "{events:?}");
}
