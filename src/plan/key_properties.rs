//! Key properties, as DESIGN.md and the plan issue state them: the same config and lock give
//! the same keys in another checkout, with other mtimes, as another user; each build-side
//! change changes the key of the step that reads it and of every later step only; run-side
//! changes never change a key.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use serde_json::{Value, json};

use super::key::Key;
use super::planner::plan;
use super::tree::ProjectFiles;
use crate::lock::file::{BasePin, ImagePins, LockEntry, config_digest, lock_inputs};
use crate::spec::Spec;

fn config() -> Value {
    json!({
        "name": "demo",
        "base": {"image": "debian:bookworm"},
        "build": {
            "apt": ["curl"],
            "files": {
                "/opt/app": {"source": "app"},
                "/etc/demo.conf": {"source": "demo.conf", "mode": "0600"}
            },
            "steps": [{"run": "make -C /opt/app", "env": {"CC": "gcc"}}],
            "env": {"LANG": "C.UTF-8"}
        },
        "run": {"env": {"A": "1"}, "ports": [{"container": 8080}]}
    })
}

fn project(dir: &Path) {
    fs::create_dir_all(dir.join("app/src")).unwrap();
    fs::write(dir.join("app/Makefile"), "all:\n\ttrue\n").unwrap();
    fs::write(dir.join("app/src/main.c"), "int main(){return 0;}\n").unwrap();
    fs::write(dir.join("demo.conf"), "x=1\n").unwrap();
    symlink("Makefile", dir.join("app/GNUmakefile")).unwrap();
    for (p, m) in [("app", 0o755), ("app/src", 0o755)] {
        fs::set_permissions(dir.join(p), fs::Permissions::from_mode(m)).unwrap();
    }
    for p in ["app/Makefile", "app/src/main.c", "demo.conf"] {
        fs::set_permissions(dir.join(p), fs::Permissions::from_mode(0o644)).unwrap();
    }
}

fn lock_for(spec: &Spec, digest_byte: u8, curl: &str) -> LockEntry {
    let inputs = lock_inputs(spec);
    LockEntry {
        config: config_digest(&inputs),
        inputs,
        pins: None,
        image: ImagePins {
            base: Some(BasePin::Image {
                reference: "debian:bookworm".into(),
                digest: crate::content::Digest([digest_byte; 32]),
                local: false,
            }),
            apt: [("curl".to_owned(), curl.to_owned())].into(),
            ..ImagePins::default()
        },
        services: Default::default(),
    }
}

fn keys_with(dir: &Path, config: &Value, lock: Option<(u8, &str)>) -> Vec<Key> {
    let spec: Spec = serde_json::from_value(config.clone()).unwrap();
    let lock = lock.map(|(d, v)| lock_for(&spec, d, v));
    let mut files = ProjectFiles::open(dir).unwrap();
    let plan = plan(&spec, lock.as_ref(), &mut files, None).unwrap();
    plan.steps.iter().map(|s| s.key).collect()
}

fn keys(dir: &Path, config: &Value) -> Vec<Key> {
    keys_with(dir, config, Some((1, "8.0")))
}

/// The index of the first differing key; asserts that every later key differs too.
fn first_change(a: &[Key], b: &[Key]) -> usize {
    assert_eq!(a.len(), b.len(), "same number of steps");
    let first = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .expect("some key changed");
    for i in first..a.len() {
        assert_ne!(a[i], b[i], "step {i} after the change keeps its key");
    }
    first
}

/// Steps: 0 base, 1 apt, 2 file /etc/demo.conf, 3 file /opt/app, 4 run, 5 config.
const APT: usize = 1;
const CONF_FILE: usize = 2;
const APP_DIR: usize = 3;
const RUN: usize = 4;
const CONFIG: usize = 5;

#[test]
fn same_config_gives_same_keys_in_another_checkout_with_other_mtimes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    project(a.path());
    std::thread::sleep(std::time::Duration::from_millis(20));
    project(b.path());
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    fs::File::options()
        .write(true)
        .open(b.path().join("demo.conf"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    assert_eq!(keys(a.path(), &config()), keys(b.path(), &config()));
    // A second plan of the same checkout (stat cache now warm) agrees as well.
    let mut files = ProjectFiles::open(a.path()).unwrap();
    files.digest("app").unwrap();
    files.save_cache().unwrap();
    assert_eq!(keys(a.path(), &config()), keys(b.path(), &config()));
}

#[test]
fn file_changes_change_only_the_reading_step_and_later() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    project(p);
    let before = keys(p, &config());

    // Same size, same mtime, other content.
    let meta = fs::metadata(p.join("demo.conf")).unwrap();
    fs::write(p.join("demo.conf"), "x=2\n").unwrap();
    fs::File::options()
        .write(true)
        .open(p.join("demo.conf"))
        .unwrap()
        .set_modified(meta.modified().unwrap())
        .unwrap();
    let after = keys(p, &config());
    assert_eq!(first_change(&before, &after), CONF_FILE);

    let before = after;
    fs::set_permissions(p.join("app/src/main.c"), fs::Permissions::from_mode(0o755)).unwrap();
    let after = keys(p, &config());
    assert_eq!(first_change(&before, &after), APP_DIR, "mode change");

    let before = after;
    fs::remove_file(p.join("app/GNUmakefile")).unwrap();
    symlink("src/main.c", p.join("app/GNUmakefile")).unwrap();
    let after = keys(p, &config());
    assert_eq!(
        first_change(&before, &after),
        APP_DIR,
        "symlink target change"
    );

    let before = after;
    fs::rename(p.join("app/src/main.c"), p.join("app/src/app.c")).unwrap();
    let after = keys(p, &config());
    assert_eq!(
        first_change(&before, &after),
        APP_DIR,
        "rename inside a folder"
    );
}

#[test]
fn build_side_changes_change_keys_from_their_step_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    project(p);
    let base = config();
    let before = keys(p, &base);

    let mut c = base.clone();
    c["build"]["steps"][0]["env"]["CC"] = json!("clang");
    assert_eq!(first_change(&before, &keys(p, &c)), RUN, "step env");

    let mut c = base.clone();
    c["build"]["steps"][0]["run"] = json!("make -C /opt/app all");
    assert_eq!(first_change(&before, &keys(p, &c)), RUN, "command");

    let mut c = base.clone();
    c["build"]["env"]["LANG"] = json!("C");
    assert_eq!(first_change(&before, &keys(p, &c)), CONFIG, "image env");

    assert_eq!(
        first_change(&before, &keys_with(p, &base, Some((2, "8.0")))),
        0,
        "base digest"
    );
    assert_eq!(
        first_change(&before, &keys_with(p, &base, Some((1, "8.1")))),
        APT,
        "package version"
    );

    let mut c = base.clone();
    c["platform"] = json!("linux/arm64");
    assert_eq!(first_change(&before, &keys(p, &c)), 0, "platform");
}

#[test]
fn run_side_changes_never_change_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    project(p);
    let base = config();
    let before = keys(p, &base);
    let mut c = base.clone();
    c["run"] = json!({
        "env": {"A": "2", "B": "{user}"},
        "user": {"mode": "fixed", "uid": 1234},
        "mounts": [{"source": "{home}/data", "target": "/data"}],
        "ports": [{"container": 9090, "host": 80}],
        "gpu": "all",
        "devices": ["/dev/fuse"],
        "cap_add": ["SYS_PTRACE"],
        "post_start": ["echo hi"],
        "docker_socket": true
    });
    c["build_host"] = json!({"proxy": true, "ca_certificates": true});
    c["targets"] = json!({"apptainer": {"enable": true, "containall": true}});
    c["description"] = json!("another description");
    c["build"]["steps"][0]["name"] = json!("renamed");
    assert_eq!(before, keys(p, &c));
}

#[test]
fn unlocked_plans_say_what_is_unpinned() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let spec: Spec = serde_json::from_value(config()).unwrap();
    let mut files = ProjectFiles::open(dir.path()).unwrap();
    let unlocked = plan(&spec, None, &mut files, None).unwrap();
    assert_eq!(
        unlocked.unpinned(),
        vec![
            "base `debian:bookworm` is not locked".to_owned(),
            "apt packages have no locked versions".to_owned()
        ]
    );
    let lock = lock_for(&spec, 1, "8.0");
    let locked = plan(&spec, Some(&lock), &mut files, None).unwrap();
    assert!(locked.unpinned().is_empty());
    assert_ne!(locked.key(), unlocked.key());
}

/// The plan's keys with one download at `/opt/tool.bin`, given `url`, the config's
/// `sha256` and the lock's record of it.
fn download_keys(dir: &Path, url: &str, spec_sha: Option<&str>, locked: Option<u8>) -> Vec<Key> {
    let mut c = config();
    let mut file = json!({"url": url, "mode": "0755"});
    if let Some(sha) = spec_sha {
        file["sha256"] = json!(sha);
    }
    c["build"]["files"]["/opt/tool.bin"] = file;
    let spec: Spec = serde_json::from_value(c).unwrap();
    let mut lock = lock_for(&spec, 1, "8.0");
    if let Some(byte) = locked {
        lock.image
            .downloads
            .insert(url.to_owned(), crate::content::Digest([byte; 32]));
    }
    let mut files = ProjectFiles::open(dir).unwrap();
    let plan = plan(&spec, Some(&lock), &mut files, None).unwrap();
    plan.steps.iter().map(|s| s.key).collect()
}

/// Steps with the download: 0 base, 1 apt, 2 file /etc/demo.conf, 3 file /opt/app,
/// 4 file /opt/tool.bin, ...
const DOWNLOAD: usize = 4;

#[test]
fn a_downloads_hash_and_url_are_its_key() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let p = dir.path();
    let url = "https://example.org/tool.bin";
    let (a, b) = ("a".repeat(64), "b".repeat(64));
    let pinned = download_keys(p, url, Some(&a), None);

    // Another hash is another file: the step and everything after it change.
    let other = download_keys(p, url, Some(&b), None);
    assert_eq!(first_change(&pinned, &other), DOWNLOAD, "spec sha256");
    let other = download_keys(p, url, None, Some(0xbb));
    assert_eq!(first_change(&pinned, &other), DOWNLOAD, "locked sha256");

    // The same hash from the config or from the lock is the same step.
    assert_eq!(pinned, download_keys(p, url, None, Some(0xaa)));

    // The same hash from another URL is another step (the URL is what the step fetches and
    // what the emitted `ADD` names), though the download cache serves both.
    let moved = download_keys(p, "https://mirror.example.org/tool.bin", Some(&a), None);
    assert_eq!(first_change(&pinned, &moved), DOWNLOAD, "url");

    // Unpinned: keyed by the URL alone, and reported.
    let unpinned = download_keys(p, url, None, None);
    assert_eq!(first_change(&pinned, &unpinned), DOWNLOAD, "unpinned");
}

#[test]
fn an_unpinned_download_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let mut c = config();
    c["build"]["files"]["/opt/tool.bin"] = json!({"url": "https://example.org/tool.bin"});
    let spec: Spec = serde_json::from_value(c).unwrap();
    let lock = lock_for(&spec, 1, "8.0");
    let mut files = ProjectFiles::open(dir.path()).unwrap();
    let unpinned = plan(&spec, Some(&lock), &mut files, None).unwrap();
    assert_eq!(
        unpinned.unpinned(),
        vec!["download `https://example.org/tool.bin` has no SHA-256".to_owned()]
    );
}
