//! apt and pip steps on real Debian (bookworm from debootstrap, see `support::debian`).

use serde_json::json;

use super::host::{assert_clean, host_bundle};
use super::project::{Project, docker, nonce};
use crate::support::{debian, docker as engine, require};

#[test]
fn an_apt_list_change_reruns_from_the_apt_step_on() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    if !require("debootstrap (Debian package)", debian::available()) {
        return;
    }
    // A base of its own gives this run's apt steps keys no earlier run has cached.
    let nonce = nonce();
    let base = debian::fresh_base(&debian::bookworm(&rt, &engine), "apt-base");
    let config = |apt: &[&str]| {
        json!({
            "name": "apt-test",
            "base": { "image": base },
            "build": {
                "apt": apt,
                "files": { "/etc/envc-nonce": { "text": nonce } },
                "steps": [{ "name": "after", "run": "dpkg -l > /packages" }],
            }
        })
    };
    let project = Project::new(&config(&["hello"]));
    project.build(&[]).ok();
    let events = project.last_build();
    assert_eq!(events.executed.len(), events.len() - 1, "{events:?}");

    project.config(&config(&["hello", "tree"]));
    let out = project.build(&[]).ok();
    let events = project.last_build();
    let apt = events.index_of("apt");
    assert_eq!(apt, 1);
    assert_eq!(events.executed, (apt..events.len()).collect::<Vec<_>>());
    let reference = out.lines().next().unwrap();
    let packages = docker(&["run", "--rm", reference, "cat", "/packages"]);
    assert!(packages.contains(" tree "), "tree is installed");
    // The package lists are not in the image and the downloaded archives stayed in the cache
    // volume.
    let lists = docker(&[
        "run",
        "--rm",
        reference,
        "sh",
        "-c",
        "ls /var/lib/apt/lists /var/cache/apt/archives",
    ]);
    // (The base made by the test support keeps debootstrap's own archives: look for ours.)
    assert!(
        !lists.contains("hello_") && !lists.contains("tree_"),
        "{lists}"
    );
    assert!(!lists.contains("_Packages"), "{lists}");
    rt.block_on(engine.remove_image(&base, false)).unwrap();
}

#[test]
fn pip_installs_through_the_host_ca_bundle_which_stays_out_of_the_image() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    if !require("debootstrap (Debian package)", debian::available()) {
        return;
    }
    let Some(bundle) = host_bundle() else {
        require(
            "the host CA bundle /etc/ssl/certs/ca-certificates.crt",
            false,
        );
        return;
    };
    // A base name of its own, so that pip really runs (no earlier run cached the step).
    let nonce = nonce();
    let base = format!("envc-test/pip-base-{nonce}:1");
    rt.block_on(engine.tag_image(&debian::bookworm_pip(&rt, &engine), &base))
        .unwrap();
    let project = Project::new(&json!({
        "name": "pip-test",
        "base": { "image": base },
        "build_host": { "ca_certificates": true },
        "build": {
            "pip": { "packages": ["six==1.16.0"] },
            "files": { "/etc/envc-nonce": { "text": nonce } },
        }
    }));
    let out = project.build(&[]).ok();
    let events = project.last_build();
    assert!(
        events.executed.contains(&events.index_of("pip")),
        "{events:?}"
    );
    let reference = out.lines().next().unwrap();
    assert_eq!(
        docker(&[
            "run",
            "--rm",
            reference,
            "python3",
            "-c",
            "import six; print(six.__version__)"
        ]),
        "1.16.0\n"
    );
    assert_clean(
        reference,
        &["/dev/envc", "SSL_CERT_FILE", "PIP_CERT", "PIP_CACHE_DIR"],
        &[&bundle],
    );
    rt.block_on(engine.remove_image(&base, false)).unwrap();
}

/// Regression: two builds in different projects sharing the apt archive cache volume failed
/// with "Could not get lock /var/cache/apt/archives/lock" (apt refuses a held lock at once).
#[test]
fn concurrent_apt_steps_sharing_the_archive_cache_take_turns() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    if !require("debootstrap (Debian package)", debian::available()) {
        return;
    }
    // One base for both projects: the archive cache volume is keyed by the base.
    let base = debian::fresh_base(&debian::bookworm(&rt, &engine), "apt-shared");
    let projects: Vec<Project> = ["hello", "tree", "less"]
        .iter()
        .map(|package| {
            Project::new(&json!({
                "name": format!("apt-shared-{package}"),
                "base": { "image": base },
                "build": { "apt": [package] },
            }))
        })
        .collect();
    // Each build with its own cache folder, as two users or two CI jobs have: the archive
    // volume is the engine's, so its lock must not live in a per-user folder.
    let caches: Vec<_> = projects
        .iter()
        .map(|_| tempfile::tempdir().unwrap())
        .collect();
    let children: Vec<_> = projects
        .iter()
        .zip(&caches)
        .map(|(p, cache)| {
            p.spawn_build_with(&[], |c| {
                c.env("XDG_CACHE_HOME", cache.path());
            })
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "a concurrent build failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for project in &projects {
        let events = project.last_build();
        assert!(
            events.executed.contains(&events.index_of("apt")),
            "{events:?}"
        );
    }
    rt.block_on(engine.remove_image(&base, false)).unwrap();
}
