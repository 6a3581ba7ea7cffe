//! `envc plan`, `envc lock --check` and `envc audit` through the real binary: keys that do not
//! depend on the checkout, the stat cache seeing every content change, lock staleness with a
//! reason, and audit's strict mode.

use std::path::Path;

use envc::lock::file::{
    BasePin, ImagePins, LOCK_FILE, LockEntry, LockFile, PipPin, config_digest, lock_inputs,
};
use envc::plan::Digest;

use crate::emit::copy_project;
use crate::support::{envc, repo_root};

fn fixture() -> tempfile::TempDir {
    copy_project(&repo_root().join("tests/plan/rich"))
}

/// The step keys `envc plan --json` prints.
fn keys(dir: &Path, variant: Option<&str>) -> Vec<String> {
    let mut cmd = envc().current_dir(dir).args(["plan", "--json"]);
    if let Some(v) = variant {
        cmd = cmd.args(["--variant", v]);
    }
    let out: serde_json::Value = serde_json::from_str(&cmd.run().ok()).unwrap();
    out["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn keys_do_not_depend_on_checkout_path_or_mtimes() {
    let a = fixture();
    let b = fixture();
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(86_400 * 365);
    for f in ["demo.conf", "app/Makefile"] {
        std::fs::File::options()
            .write(true)
            .open(b.path().join(f))
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    let first = keys(a.path(), None);
    assert_eq!(first, keys(b.path(), None));
    // Warm stat cache: the same keys again.
    assert_eq!(first, keys(a.path(), None));
    assert_ne!(first, keys(a.path(), Some("debug")));
}

#[test]
fn keys_do_not_depend_on_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let is_root = unsafe_getuid() == 0;
    if !crate::support::require(
        "root and `setpriv` (to plan as another user)",
        is_root && crate::support::have_command("setpriv"),
    ) {
        return;
    }
    let a = fixture();
    // Readable by everyone, writable by nobody else: the other user also cannot write the
    // stat cache, which must only cost a warning.
    let mut stack = vec![a.path().to_path_buf()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::metadata(&p).unwrap();
        let mode = if meta.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        if meta.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
        }
    }
    let mine = keys(a.path(), None);
    let run = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_envc"))
        .args(["plan", "--json"])
        .current_dir(a.path())
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let out: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let theirs: Vec<String> = out["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(mine, theirs);
}

fn unsafe_getuid() -> u32 {
    // The uid of this process, from /proc (no libc dependency needed for one number).
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|uid| uid.parse().ok())
        .unwrap_or(u32::MAX)
}

#[test]
fn a_same_size_same_mtime_edit_changes_the_key_with_a_warm_cache() {
    let dir = fixture();
    let p = dir.path();
    let before = keys(p, None);
    // Age the stat cache so that its entries are not racily clean.
    let cache = p.join(".envc/stat-cache");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&cache)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let file = p.join("app/src/main.c");
    let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("return 0", "return 1")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let after = keys(p, None);
    // Steps: base, apt, pip, /etc/demo.conf, /etc/motd, /opt/app, ...: the folder step is 5.
    assert_eq!(before[..5], after[..5]);
    for i in 5..before.len() {
        assert_ne!(before[i], after[i], "step {i}");
    }
}

fn write_lock(dir: &Path, apt: &[(&str, &str)]) {
    let loaded = envc::spec::load(&dir.join("envc.json"), None).unwrap();
    let inputs = lock_inputs(&loaded.spec);
    let entry = LockEntry {
        config: config_digest(&inputs),
        inputs,
        pins: None,
        image: ImagePins {
            base: Some(BasePin::Image {
                reference: "debian:bookworm".into(),
                digest: Digest::of(b"debian"),
                local: false,
            }),
            apt: apt
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            pip: [(
                "numpy".to_owned(),
                PipPin {
                    version: "1.26.4".into(),
                    hashes: vec![Digest::of(b"numpy wheel")],
                },
            )]
            .into(),
            downloads: [(
                "https://example.org/helper".to_owned(),
                Digest::of(b"helper"),
            )]
            .into(),
        },
        services: [(
            "db".to_owned(),
            ImagePins {
                base: Some(BasePin::Image {
                    reference: "postgres:16".into(),
                    digest: Digest::of(b"postgres"),
                    local: false,
                }),
                ..ImagePins::default()
            },
        )]
        .into(),
    };
    // Sealed as `envc lock` seals it: both checksums over what they cover.
    let entry = LockEntry::new(entry.inputs, entry.image, entry.services);
    let mut lock = LockFile::default();
    lock.set_entry(None, entry);
    lock.write(&dir.join(LOCK_FILE)).unwrap();
}

#[test]
fn lock_check_says_what_changed() {
    let dir = fixture();
    let p = dir.path();
    let run = envc()
        .current_dir(p)
        .args(["lock", "--check", "--variant", "debug"])
        .run();
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(
        run.stderr().contains("`envc.lock` is missing"),
        "{}",
        run.stderr()
    );

    write_lock(
        p,
        &[
            ("build-essential", "12.9"),
            ("curl", "7.88.1-10"),
            ("sudo", "1.9.13"),
        ],
    );
    let run = envc()
        .current_dir(p)
        .args(["lock", "--check", "-f", "envc.json"])
        .run();
    // The config's own entry is fresh; the `debug` variant has none yet.
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(
        run.stderr().contains("variant `debug` has no entry"),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains("- the config"), "{}", run.stderr());

    let config = std::fs::read_to_string(p.join("envc.json")).unwrap();
    std::fs::write(
        p.join("envc.json"),
        config.replace("\"curl\"]", "\"curl\", \"make\"]"),
    )
    .unwrap();
    let run = envc()
        .current_dir(p)
        .args(["lock", "--check", "--variant", "debug"])
        .run();
    assert_eq!(run.code(), 1);
    let run = envc().current_dir(p).args(["lock", "--check"]).run();
    assert!(
        run.stderr()
            .contains("the config: `image.apt`: added `make`"),
        "{}",
        run.stderr()
    );
}

#[test]
fn audit_strict_fails_only_while_inputs_are_unpinned() {
    let dir = fixture();
    let p = dir.path();
    let run = envc().current_dir(p).args(["audit", "--strict"]).run();
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(run.stdout().contains("UNPINNED"));
    assert!(run.stdout().contains("services.db.ports") || run.stdout().contains("run.ports.0"));
    // The download without a hash is an unpinned input and a risk; the one the config pins
    // is listed with its hash.
    assert!(
        run.stdout().lines().any(|l| l.contains("download")
            && l.contains("https://example.org/helper -> /usr/local/bin/helper")
            && l.ends_with("UNPINNED")),
        "{}",
        run.stdout()
    );
    assert!(
        run.stdout()
            .lines()
            .any(|l| l.contains(r#"build.files."/usr/local/bin/helper".url"#)
                && l.contains("download without hash")),
        "{}",
        run.stdout()
    );
    assert!(
        run.stdout()
            .lines()
            .any(|l| l.contains("tool-1.0.tar.gz -> /opt/tools/tool.tar.gz")
                && l.contains("digest sha256:")),
        "{}",
        run.stdout()
    );

    write_lock(
        p,
        &[
            ("build-essential", "12.9"),
            ("curl", "7.88.1-10"),
            ("sudo", "1.9.13"),
        ],
    );
    let run = envc()
        .current_dir(p)
        .args(["audit", "--strict", "--json"])
        .run();
    assert_eq!(run.code(), 0, "{}\n{}", run.stdout(), run.stderr());
    let report: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(report["unpinned"], 0);
    let base = &report["inputs"][0];
    assert_eq!(base["pin"]["kind"], "digest");

    // With the lock, the emitted Dockerfile starts from the digest and pins every package.
    let out = tempfile::tempdir().unwrap();
    envc()
        .current_dir(p)
        .args(["emit", "--out"])
        .arg(out.path())
        .run()
        .ok();
    let dockerfile = std::fs::read_to_string(out.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains(&format!("FROM debian@{}", Digest::of(b"debian"))));
    assert!(dockerfile.contains("curl=7.88.1-10"));
    assert!(dockerfile.contains("--require-hashes"));
    assert!(dockerfile.contains(&format!(
        "ADD --checksum={} --chown=root:staff --chmod=0755 [\"https://example.org/helper\",\"/usr/local/bin/helper\"]",
        Digest::of(b"helper")
    )), "{dockerfile}");
    assert!(!dockerfile.contains("UNPINNED"));
}

#[test]
fn lock_writes_stable_bytes_for_self_pinned_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let digest = Digest::of(b"busybox");
    std::fs::write(
        p.join("envc.json"),
        format!(
            r#"{{"name": "pinned", "base": {{"image": "busybox:1.36@{digest}"}},
                "build": {{"steps": [{{"run": "true"}}]}},
                "variants": {{"other": {{"build": {{"env": {{"A": "1"}}}}}}}}}}"#
        ),
    )
    .unwrap();
    let run = envc().current_dir(p).args(["lock", "--check"]).run();
    assert_eq!(run.code(), 1);
    envc().current_dir(p).arg("lock").run().ok();
    let first = std::fs::read(p.join(LOCK_FILE)).unwrap();
    envc().current_dir(p).arg("lock").run().ok();
    assert_eq!(
        first,
        std::fs::read(p.join(LOCK_FILE)).unwrap(),
        "lock bytes are stable"
    );
    let text = String::from_utf8(first).unwrap();
    assert!(text.contains("\"version\": 1"), "{text}");
    assert!(text.contains("\"other\""), "{text}");
    envc().current_dir(p).args(["lock", "--check"]).run().ok();
    envc().current_dir(p).args(["audit", "--strict"]).run().ok();
}

#[test]
fn lock_fails_clearly_when_an_image_cannot_be_resolved() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("envc.json"),
        r#"{"name": "nowhere", "base": {"image": "envc-test/does-not-exist:0"}}"#,
    )
    .unwrap();
    let run = envc().current_dir(dir.path()).arg("lock").run();
    // 2 when the engine answers that nobody has the image, 3 when there is no engine.
    assert!(matches!(run.code(), 2 | 3), "{}", run.stderr());
    assert!(
        run.stderr().contains("envc-test/does-not-exist:0"),
        "{}",
        run.stderr()
    );
    assert!(!dir.path().join(LOCK_FILE).exists());
}

#[test]
fn lock_pins_a_local_image_through_the_engine() {
    use crate::support::{busybox, docker};
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("envc.json"),
        format!(r#"{{"name": "local", "base": {{"image": "{image}"}}, "build": {{"steps": [{{"run": "true"}}]}}}}"#),
    )
    .unwrap();
    envc().current_dir(p).arg("lock").run().ok();
    let lock = LockFile::read(&p.join(LOCK_FILE)).unwrap().unwrap();
    let pin = lock.default.unwrap().image.base.unwrap();
    let id = rt
        .block_on(engine.find_image(&image))
        .unwrap()
        .expect("the image exists")
        .id;
    let BasePin::Image { digest, local, .. } = &pin else {
        panic!("an image pin: {pin:?}");
    };
    // A local-only image has no registry digest: it is pinned by its image ID.
    assert_eq!(digest.to_string(), id);
    assert!(*local);
    envc().current_dir(p).args(["lock", "--check"]).run().ok();
    envc().current_dir(p).args(["audit", "--strict"]).run().ok();
    let out = tempfile::tempdir().unwrap();
    envc()
        .current_dir(p)
        .args(["emit", "--out"])
        .arg(out.path())
        .run()
        .ok();
    let dockerfile = std::fs::read_to_string(out.path().join("Dockerfile")).unwrap();
    // BuildKit cannot start from an image ID: the local reference is named, and the ID the
    // lock pinned is said next to it (and in the base-digest label).
    assert!(
        dockerfile.contains(&format!("FROM {image}\n")),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains(&format!("pinned its image ID {id}")),
        "{dockerfile}"
    );
}

#[test]
fn lock_pins_apt_closures_and_pip_hashes_on_a_real_debian_base() {
    use crate::support::{debian, docker};
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    if !crate::support::require("debootstrap", debian::available()) {
        return;
    }
    let image = debian::bookworm_pip(&rt, &engine);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("envc.json"),
        format!(
            r#"{{"name": "real", "base": {{"image": "{image}"}},
                "build_host": {{"ca_certificates": true}},
                "build": {{"apt": ["hello"], "pip": {{"packages": ["six==1.16.0"]}}}}}}"#
        ),
    )
    .unwrap();
    envc().current_dir(p).arg("lock").run().ok();
    let lock = LockFile::read(&p.join(LOCK_FILE)).unwrap().unwrap();
    let pins = lock.default.unwrap().image;
    let hello = pins.apt.get("hello").expect("`hello` is in the closure");
    assert!(!hello.is_empty());
    let six = pins.pip.get("six").expect("`six` is pinned");
    assert_eq!(six.version, "1.16.0");
    assert!(!six.hashes.is_empty());

    envc().current_dir(p).args(["audit", "--strict"]).run().ok();
    let out = tempfile::tempdir().unwrap();
    envc()
        .current_dir(p)
        .args(["emit", "--out"])
        .arg(out.path())
        .run()
        .ok();
    let dockerfile = std::fs::read_to_string(out.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains(&format!("hello={hello}")),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains(&format!(
            "six==1.16.0 --hash=sha256:{}",
            six.hashes[0].hex()
        )),
        "{dockerfile}"
    );
}

#[test]
fn lock_reads_a_debootstrap_bases_package_list_from_its_imported_image() {
    use crate::support::{debian, docker};
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    if !crate::support::require("debootstrap", debian::available()) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // A mirror no other test uses, so that this test's import tag is its own.
    std::fs::write(
        p.join("envc.json"),
        r#"{"name": "deb", "base": {"debootstrap": {"suite": "bookworm", "mirror": "http://deb.debian.org/debian/"}}}"#,
    )
    .unwrap();
    let loaded = envc::spec::load(&p.join("envc.json"), None).unwrap();
    let tag = envc::plan::planner::base_import_tag(&loaded.spec.base, "linux/amd64").unwrap();
    assert!(tag.starts_with("envc/base:"), "{tag}");
    // Stand in for `envc build`'s import: the same minbase bookworm rootfs under that tag.
    let image = debian::bookworm(&rt, &engine);
    rt.block_on(engine.tag_image(&image, &tag)).unwrap();

    envc().current_dir(p).arg("lock").run().ok();
    let lock = LockFile::read(&p.join(LOCK_FILE)).unwrap().unwrap();
    let Some(BasePin::Debootstrap {
        packages, suite, ..
    }) = lock.default.unwrap().image.base
    else {
        panic!("a debootstrap pin");
    };
    assert_eq!(suite, "bookworm");
    assert!(
        packages.contains_key("dpkg") && packages.contains_key("apt"),
        "{packages:?}"
    );
    envc().current_dir(p).args(["audit", "--strict"]).run().ok();
    // Locking does not move the import tag: emit still starts from it.
    let out = tempfile::tempdir().unwrap();
    envc()
        .current_dir(p)
        .args(["emit", "--out"])
        .arg(out.path())
        .run()
        .ok();
    let dockerfile = std::fs::read_to_string(out.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains(&format!("FROM {tag}")), "{dockerfile}");
}
