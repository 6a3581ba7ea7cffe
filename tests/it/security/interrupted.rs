//! Issue 15, class 8: interrupted work.
//!
//! Regressions: `kill -9` of a build left its `envc-build-*` container (and partial
//! `.envc-sif-*` files) on the machine for good; `kill -9` during post-start left the
//! environment marked current, so the next `envc up` reused a half-started environment.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::build::project::{Project, docker, nonce};
use crate::support::{busybox, debian, docker as engine, envc, require};

/// Poll (up to a minute) until `found` gives something.
fn wait_for<T>(what: &str, child: &mut Child, mut found: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(t) = found() {
            return t;
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("envc ended ({status}) before {what}: {err}");
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill9(child: &mut Child) {
    let status = Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = child.wait();
}

#[test]
fn a_killed_builds_step_container_is_removed_by_the_next_build() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &engine);
    let name = engine::unique_name("interrupted");
    let project = Project::new(&json!({
        "name": name,
        "base": { "image": base },
        "build": { "steps": [{ "name": "slow", "run": format!("echo {}; sleep 120", nonce()) }] },
    }));
    let mut child = project.spawn_build(&[]);
    let pid = child.id();
    // A build container names its owner (`envc-build-<key>-<place>.<pid>.<start>-<n>`).
    let build_containers = || -> Vec<String> {
        docker(&[
            "ps",
            "-a",
            "--filter",
            "name=envc-build-",
            "--format",
            "{{.Names}}",
        ])
        .lines()
        .map(str::to_owned)
        .collect()
    };
    let mine = format!(".{pid}.");
    let container = wait_for("a step container", &mut child, || {
        build_containers().into_iter().find(|n| n.contains(&mine))
    });
    kill9(&mut child);
    assert!(
        build_containers().contains(&container),
        "the killed build left `{container}` (the situation this test is about)"
    );
    // The next build (of another config: it need not wait for the slow step) cleans up.
    project.config(&json!({ "name": name, "base": { "image": base } }));
    let image = project.build(&[]).ok().lines().next().unwrap().to_owned();
    assert!(
        !build_containers().contains(&container),
        "`{container}` is left"
    );
    // The owner is no host fact baked into an image (the engine copies a committed
    // container's labels into `container_config`).
    let inspect = docker(&["image", "inspect", &image]);
    assert!(!inspect.contains("dev.envc.owner"), "{inspect}");
}

#[test]
fn a_killed_sif_assembly_leaves_no_partial_file_after_the_next_build() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    if !require("debootstrap (Debian package)", debian::available()) {
        return;
    }
    // A real Debian rootfs: its assembly takes long enough to be interrupted.
    let base = debian::bookworm(&rt, &engine);
    let cache = tempfile::tempdir().unwrap();
    let project = Project::new(&json!({
        "name": engine::unique_name("interrupted-sif"),
        "base": { "image": base },
        "build": { "env": { "NONCE": nonce() } },
        "targets": { "apptainer": { "enable": true } },
    }));
    let sif_dir = cache.path().join("envc/sif");
    let partial = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with(".envc-sif-"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_envc"))
            .args(["build", "--target", "apptainer", "--progress", "plain"])
            .current_dir(project.path())
            .env("NO_COLOR", "1")
            .env("XDG_CACHE_HOME", cache.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut child = spawn();
    let first = wait_for("a partial SIF", &mut child, || {
        partial(&sif_dir).into_iter().next()
    });
    kill9(&mut child);
    assert!(
        partial(&sif_dir).contains(&first),
        "the kill left `{first}`"
    );
    let again = spawn().wait_with_output().unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(partial(&sif_dir), Vec::<String>::new());
}

#[test]
fn an_environment_killed_during_post_start_is_not_current() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &engine);
    let project = Project::new(&json!({
        "name": engine::unique_name("poststart"),
        "base": { "image": base },
        "run": {
            "user": { "mode": "root" },
            "post_start": ["touch /tmp/post-start-began; sleep 120"],
        },
    }));
    let _down = Down(project.path().to_path_buf());
    let status = || -> Value {
        let out = envc()
            .current_dir(project.path())
            .args(["status", "--json"])
            .run();
        serde_json::from_str(&out.ok()).unwrap()
    };
    let container = status()["container"].as_str().unwrap().to_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_envc"))
        .arg("up")
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("post-start running", &mut child, || {
        Command::new("docker")
            .args(["exec", &container, "test", "-e", "/tmp/post-start-began"])
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success()
            .then_some(())
    });
    kill9(&mut child);
    let doc = status();
    let row = doc["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == "env")
        .unwrap_or_else(|| panic!("the environment container is there: {doc}"))
        .clone();
    assert_eq!(row["state"], "running", "{doc}");
    assert_eq!(row["start_finished"], false, "{doc}");
    let text = envc().current_dir(project.path()).arg("status").run().ok();
    assert!(!text.contains("\tcurrent"), "{text}");
    assert!(text.contains("start did not finish"), "{text}");
}

/// `envc down` whatever happens, so the shared engine keeps nothing.
struct Down(std::path::PathBuf);

impl Drop for Down {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_envc"))
            .arg("down")
            .current_dir(&self.0)
            .stdin(Stdio::null())
            .output();
    }
}
