//! The registry cache against a real `docker-registry` on loopback: push and pull by key,
//! builds that pull before they run, the ecosystem's readers of what envc pushes (docker,
//! skopeo, crane, oras, Apptainer), a second engine, a node without Docker, and faults.

mod cache;
mod faults;
pub mod interop;
mod nodes;
mod settings;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{Envc, Run, busybox, docker, envc, registry};

/// The busybox base image, or `None` after a loud skip (no engine or no registry binary).
pub fn base() -> Option<String> {
    if !crate::support::require("docker-registry (Debian package)", registry::available()) {
        return None;
    }
    let rt = docker::runtime();
    let engine = docker::engine(&rt)?;
    Some(busybox::image(&rt, &engine))
}

/// A tool from PATH or from `.tools/root/usr/bin` (scripts/setup unpacks sid tools there).
pub fn tool(name: &str) -> Option<PathBuf> {
    if crate::support::offline() {
        return None;
    }
    let unpacked = crate::support::repo_root()
        .join(".tools/root/usr/bin")
        .join(name);
    if unpacked.is_file() {
        return Some(unpacked);
    }
    crate::support::have_command(name).then(|| PathBuf::from(name))
}

/// A unique cache registry prefix on `registry`: `http://127.0.0.1:<port>/<unique>`.
pub fn prefix(registry: &registry::Registry) -> String {
    format!(
        "http://{}/{}",
        registry.address(),
        docker::unique_name("t").replace('-', "")
    )
}

/// A throw-away project: a busybox base, a file, two run steps and an env (5 steps), with a
/// nonce so its keys are its own.
pub struct Project {
    dir: tempfile::TempDir,
    pub name: String,
    /// The SIF cache and other per-user state of this project's runs.
    pub cache: tempfile::TempDir,
}

impl Project {
    pub fn new(base: &str) -> Project {
        Project::with(base, |_| {})
    }

    pub fn with(base: &str, edit: impl FnOnce(&mut Value)) -> Project {
        let name = docker::unique_name("reg");
        let mut config = json!({
            "name": name,
            "base": { "image": base },
            "build": {
                "files": { "/opt/a.txt": { "text": format!("hello {name}\n") } },
                "steps": [
                    { "name": "one", "run": "cat /opt/a.txt > /one" },
                    { "name": "two", "run": "echo two > /two && ln /one /one.link && rm /opt/a.txt" },
                ],
                "env": { "GREETING": "hi" },
            },
        });
        edit(&mut config);
        let project = Project {
            dir: tempfile::tempdir().unwrap(),
            name,
            cache: tempfile::tempdir().unwrap(),
        };
        project.config(&config);
        project
    }

    pub fn config(&self, config: &Value) {
        std::fs::write(
            self.path().join("envc.json"),
            serde_json::to_string_pretty(config).unwrap(),
        )
        .unwrap();
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `envc ARGS` in the project, with its own cache folder.
    pub fn envc(&self, args: &[&str]) -> Envc {
        envc()
            .args(args)
            .current_dir(self.path())
            .env("XDG_CACHE_HOME", self.cache.path())
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.envc(args).run()
    }

    /// `envc build --progress plain ARGS`; its stdout.
    pub fn build(&self, args: &[&str]) -> String {
        let mut all = vec!["build", "--progress", "plain"];
        all.extend_from_slice(args);
        self.run(&all).ok()
    }

    /// The step keys of the plan, base first.
    pub fn keys(&self) -> Vec<String> {
        let plan: Value =
            serde_json::from_str(&self.run(&["plan", "--json"]).ok()).expect("plan --json");
        plan["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .map(|s| s["key"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The finished image's local tag.
    pub fn image(&self) -> String {
        let keys = self.keys();
        format!("envc/{}:{}", self.name, &keys.last().unwrap()[..12])
    }

    /// Remove this project's images from the engine (they are its own: the nonce makes
    /// them), leaving the shared base: the engine is then a fresh machine for this project.
    pub fn wipe(&self) {
        let mut tags = vec![self.image()];
        tags.extend(self.keys().iter().map(|k| format!("envc/step:{k}")));
        for tag in tags {
            let _ = Command::new("docker").args(["rmi", &tag]).output();
        }
        assert!(!exists(&self.image()), "the wipe left {}", self.image());
    }

    /// The events of the last build.
    pub fn last_build(&self) -> Vec<Value> {
        let text =
            std::fs::read_to_string(self.path().join(".envc/events.jsonl")).unwrap_or_default();
        let events: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let build = events
            .iter()
            .rev()
            .find(|e| e["event"] == "plan")
            .expect("a build event")["build"]
            .clone();
        events.into_iter().filter(|e| e["build"] == build).collect()
    }
}

/// The indexes of the events `kind` (with `source` when given) of a build.
pub fn indexes(events: &[Value], kind: &str, source: Option<&str>) -> Vec<u64> {
    events
        .iter()
        .filter(|e| e["event"] == kind && source.is_none_or(|s| e["source"] == s))
        .map(|e| e["index"].as_u64().unwrap())
        .collect()
}

pub fn exists(reference: &str) -> bool {
    Command::new("docker")
        .args(["image", "inspect", reference])
        .output()
        .unwrap()
        .status
        .success()
}

/// Run `program ARGS`; its output, asserting success.
pub fn ok(program: &Path, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{} {args:?}: {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `host:port/path` of a `http://` prefix (for tools that take bare references).
pub fn bare(prefix: &str) -> &str {
    prefix.trim_start_matches("http://")
}
