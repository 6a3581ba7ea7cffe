//! `envc lock` with one variant's download unreachable (the HPC user's mirror is down): the
//! other environments are locked, the failure names the variant and the URL, the exit code
//! is non-zero, and the failed variant keeps the entry it had.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::support::{envc, http::FileServer};

/// A loopback port nothing listens on: connecting to it is refused.
fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/toolchain.tar.gz")
}

/// A config pinned by itself but for its downloads (no engine needed), with a variant that
/// downloads one more file.
fn config(tool: &str, toolchain: &str) -> Value {
    json!({
        "name": "partial-lock",
        "base": { "image": format!("envc-test/none@sha256:{}", "ab".repeat(32)) },
        "build": { "files": { "/opt/tool": { "url": tool } } },
        "variants": {
            "cluster": { "build": { "files": { "/opt/toolchain.tar.gz": { "url": toolchain } } } }
        }
    })
}

fn lock(dir: &std::path::Path, config: &Value) -> crate::support::Run {
    std::fs::write(dir.join("envc.json"), config.to_string()).unwrap();
    envc().current_dir(dir).arg("lock").run()
}

fn read_lock(dir: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("envc.lock")).unwrap()).unwrap()
}

/// The pinned SHA-256 of `url` in one lock entry.
fn sha(entry: &Value, url: &str) -> String {
    entry["image"]["downloads"][url]
        .as_str()
        .unwrap_or_else(|| panic!("no `{url}` in {entry}"))
        .to_owned()
}

#[test]
fn an_unreachable_download_fails_only_its_variant() {
    let server = FileServer::start(BTreeMap::from([
        ("/tool-1".to_owned(), b"tool one\n".to_vec()),
        ("/tool-2".to_owned(), b"tool two\n".to_vec()),
        ("/toolchain.tar.gz".to_owned(), b"toolchain\n".to_vec()),
    ]));
    let dir = tempfile::tempdir().unwrap();
    let (tool1, tool2) = (server.url("/tool-1"), server.url("/tool-2"));
    let toolchain = server.url("/toolchain.tar.gz");
    let first = lock(dir.path(), &config(&tool1, &toolchain));
    assert_eq!(first.code(), 0, "{}", first.stderr());
    let before = read_lock(dir.path());
    let cluster_before = before["variants"]["cluster"].clone();
    assert_eq!(
        sha(&cluster_before, &toolchain),
        format!("sha256:{}", envc::plan::Digest::of(b"toolchain\n").hex())
    );

    // The tool moves on; the cluster's mirror is down.
    let down = refused_url();
    let run = lock(dir.path(), &config(&tool2, &down));
    let stderr = run.stderr();
    assert_ne!(run.code(), 0, "{stderr}");
    assert!(stderr.contains("variant `cluster`"), "{stderr}");
    assert!(stderr.contains(&down), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let after = read_lock(dir.path());
    // What could be locked was: the config has the new tool's hash.
    assert_eq!(
        sha(&after["default"], &tool2),
        format!("sha256:{}", envc::plan::Digest::of(b"tool two\n").hex())
    );
    // What failed kept its previous entry, unchanged.
    assert_eq!(after["variants"]["cluster"], cluster_before);
}
