//! A throw-away project with an `envc.json`, built by the real binary, and the build events
//! it leaves in `.envc/events.jsonl`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::{Run, envc};

/// A value unique to this test process and call, to give each test fresh keys (the engine's
/// cache outlives test runs).
pub fn nonce() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

pub struct Project {
    dir: tempfile::TempDir,
}

/// What one build did, from its events.
#[derive(Debug)]
pub struct BuildEvents {
    pub plan: Value,
    /// Indexes of steps that ran.
    pub executed: Vec<usize>,
    /// Indexes of steps taken from the cache.
    pub cached: Vec<usize>,
    pub done: Option<Value>,
    pub failure: Option<Value>,
}

impl BuildEvents {
    /// The key of step `index`.
    pub fn key(&self, index: usize) -> String {
        self.plan["steps"][index]["key"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The index of the first step whose label starts with `label`.
    pub fn index_of(&self, label: &str) -> usize {
        self.plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .position(|s| s["label"].as_str().unwrap().starts_with(label))
            .unwrap_or_else(|| panic!("no step `{label}` in {}", self.plan))
    }

    pub fn len(&self) -> usize {
        self.plan["steps"].as_array().unwrap().len()
    }
}

impl Project {
    pub fn new(config: &Value) -> Project {
        let project = Project {
            dir: tempfile::tempdir().unwrap(),
        };
        project.config(config);
        project
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self, config: &Value) {
        self.write("envc.json", &serde_json::to_string_pretty(config).unwrap());
    }

    pub fn write(&self, rel: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// `envc build --progress plain ARGS` in the project.
    pub fn build(&self, args: &[&str]) -> Run {
        envc()
            .arg("build")
            .args(["--progress", "plain"])
            .args(args)
            .current_dir(self.dir.path())
            .run()
    }

    /// Start `envc build` without waiting for it.
    pub fn spawn_build(&self, args: &[&str]) -> Child {
        self.spawn_build_with(args, |_| {})
    }

    /// [`Project::spawn_build`] with more settings of the command (e.g. its own cache folder).
    pub fn spawn_build_with(&self, args: &[&str], settings: impl FnOnce(&mut Command)) -> Child {
        let mut command = Command::new(env!("CARGO_BIN_EXE_envc"));
        settings(&mut command);
        command
            .arg("build")
            .args(["--progress", "plain"])
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Every event of every build, in order.
    pub fn all_events(&self) -> Vec<Value> {
        let path = self.dir.path().join(".envc/events.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The events of the last build (by its build id).
    pub fn last_build(&self) -> BuildEvents {
        let events = self.all_events();
        let plan = events
            .iter()
            .rev()
            .find(|e| e["event"] == "plan")
            .expect("a build wrote its plan event")
            .clone();
        let mine: Vec<&Value> = events
            .iter()
            .filter(|e| e["build"] == plan["build"])
            .collect();
        let indexes = |kind: &str| {
            mine.iter()
                .filter(|e| e["event"] == kind)
                .map(|e| e["index"].as_u64().unwrap() as usize)
                .collect()
        };
        BuildEvents {
            executed: indexes("step_end"),
            cached: indexes("cache_hit"),
            done: mine
                .iter()
                .find(|e| e["event"] == "done")
                .map(|e| (*e).clone()),
            failure: mine
                .iter()
                .find(|e| e["event"] == "failure")
                .map(|e| (*e).clone()),
            plan,
        }
    }
}

/// `docker` CLI output (for checks that should not go through envc's own client).
pub fn docker(args: &[&str]) -> String {
    let output = Command::new("docker").args(args).output().unwrap();
    assert!(
        output.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Whether the engine has an image by this reference.
pub fn image_exists(reference: &str) -> bool {
    Command::new("docker")
        .args(["image", "inspect", reference])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

/// Containers (any state) whose name contains `fragment`.
pub fn containers_named(fragment: &str) -> Vec<String> {
    docker(&[
        "ps",
        "-a",
        "--filter",
        &format!("name={fragment}"),
        "--format",
        "{{.Names}}",
    ])
    .lines()
    .map(str::to_owned)
    .collect()
}
