//! `envc up`/`run`/`down`/`status` against the real engine, run as real non-root users (via
//! `setpriv`, with the engine socket's group) so that file ownership is not simulated.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::{busybox, docker as engine, have_command, require};

/// A project owned by `uid`, and `envc` run as that uid.
struct Project {
    dir: tempfile::TempDir,
    uid: u32,
}

impl Project {
    fn new(uid: u32, config: &Value) -> Option<Project> {
        let root = unsafe { libc::getuid() } == 0;
        if !require("root (to run envc as other users with setpriv)", root)
            || !require("setpriv", have_command("setpriv"))
        {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let project = Project { dir, uid };
        project.write("envc.json", &serde_json::to_string_pretty(config).unwrap());
        Some(project)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        chown_tree(self.path(), self.uid);
    }

    fn command(&self, args: &[&str], cwd: &Path) -> Command {
        let socket_gid = std::fs::metadata("/var/run/docker.sock")
            .map(|m| m.gid())
            .unwrap_or(0);
        let mut cmd = Command::new("setpriv");
        cmd.args([
            "--reuid",
            &self.uid.to_string(),
            "--regid",
            &self.uid.to_string(),
            "--groups",
            &socket_gid.to_string(),
            env!("CARGO_BIN_EXE_envc"),
        ])
        .args(args)
        .current_dir(cwd)
        .env("HOME", self.path())
        .env("NO_COLOR", "1")
        .env_remove("USER");
        cmd
    }

    fn envc(&self, args: &[&str]) -> Out {
        self.envc_in(args, self.path())
    }

    fn envc_in(&self, args: &[&str], cwd: &Path) -> Out {
        let out = self
            .command(args, cwd)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Out(out)
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = self
            .command(&["down", "--volumes"], self.dir.path())
            .output();
    }
}

struct Out(std::process::Output);

impl Out {
    fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    fn ok(&self) -> String {
        assert_eq!(
            self.code(),
            0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self.stdout()
    }
}

fn chown_tree(path: &Path, uid: u32) {
    let _ = Command::new("chown")
        .args(["-R", &format!("{uid}:{uid}")])
        .arg(path)
        .status();
}

fn busybox_image() -> Option<String> {
    let rt = engine::runtime();
    let engine = engine::engine(&rt)?;
    Some(busybox::image(&rt, &engine))
}

fn config(name: &str, base: &str) -> Value {
    json!({ "name": name, "base": { "image": base } })
}

mod counts;
mod dry_run;
mod identity;
mod lifecycle;
mod mapping;
mod ports;
mod sidecar;
mod streams;
