//! Issue 15, class 5 and issue 16, item 10: what envc writes to disk.
//!
//! Regressions: `.envc/run/*.up.json` was 0644 and held the proxy URL with its password and
//! every `pass_env` value; `.envc/.gitignore` existed only when the stat cache created the
//! folder; `status.json` (and, after `sudo envc lock`, `envc.lock`) was written 0600, so the
//! scheduler's user and the project's owner could not read it.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::json;

use crate::build::project::Project;
use crate::support::{busybox, docker as engine};

const PASSWORD: &str = "pr0xy-passw0rd-never-on-disk";
const TOKEN: &str = "t0ken-value-never-on-disk";

/// `envc ARGS` in `dir` with `umask` and the secrets in its environment.
fn envc(dir: &Path, umask: u32, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_envc"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env(
            "HTTPS_PROXY",
            format!("http://user:{PASSWORD}@127.0.0.1:9/"),
        )
        .env(
            "https_proxy",
            format!("http://user:{PASSWORD}@127.0.0.1:9/"),
        )
        .env("NO_PROXY", "localhost,127.0.0.1")
        .env("ENVC_TEST_TOKEN", TOKEN)
        .stdin(Stdio::null());
    // SAFETY: umask(2) is async-signal-safe and touches only the child's own mask.
    unsafe {
        cmd.pre_exec(move || {
            libc::umask(umask as libc::mode_t);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "envc {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("`{}`: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Every file under `dir` that holds `needle`, by path.
fn holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
            {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[test]
fn no_secret_on_disk_gitignore_always_and_modes_by_audience() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &engine);
    for (umask, shared) in [(0o022, 0o644), (0o002, 0o664)] {
        let project = Project::new(&json!({
            "name": engine::unique_name("statefiles"),
            "base": { "image": base },
            // The build lends the proxy to its step too: no build record may keep it.
            "build_host": { "proxy": true },
            "build": { "steps": [{ "name": "uses the proxy", "run": format!("test -n \"$HTTPS_PROXY\" && echo {}", crate::build::project::nonce()) }] },
            "run": {
                "proxy": true,
                "pass_env": ["ENVC_TEST_TOKEN"],
                "env": { "FROM_HOST": "{env:ENVC_TEST_TOKEN}" },
                // Without a user mapping the run is as root: no setup beyond the image.
                "user": { "mode": "root" },
            },
        }));
        let dir = project.path();
        envc(dir, umask, &["lock"]);
        envc(dir, umask, &["build", "--progress", "plain"]);
        envc(dir, umask, &["up"]);
        let _down = Down(dir.to_path_buf());
        // The values are resolved at start and reach the command…
        envc(
            dir,
            umask,
            &[
                "run",
                "--",
                "sh",
                "-c",
                &format!(
                    "test \"$ENVC_TEST_TOKEN\" = {TOKEN} && test \"$FROM_HOST\" = {TOKEN} \
                     && case \"$HTTPS_PROXY\" in *{PASSWORD}*) ;; *) exit 3;; esac"
                ),
            ],
        );
        // …and are written nowhere.
        let state = dir.join(".envc");
        assert!(state.join("run/default.up.json").is_file());
        for secret in [PASSWORD, TOKEN] {
            assert_eq!(holding(&state, secret), Vec::<String>::new(), "{secret}");
            assert_eq!(holding(dir, secret), Vec::<String>::new(), "{secret}");
        }
        assert_eq!(
            std::fs::read_to_string(state.join(".gitignore")).unwrap(),
            "*\n"
        );
        // Shared files: the umask's mode. Host-specific run state: 0600.
        for shared_file in ["envc.lock", ".envc/status.json", ".envc/events.jsonl"] {
            assert_eq!(mode(&dir.join(shared_file)), shared, "{shared_file}");
        }
        for private in [".envc/run/default.json", ".envc/run/default.up.json"] {
            assert_eq!(mode(&dir.join(private)), 0o600, "{private}");
        }
    }
}

/// A project whose environment was only created by `envc lock` still gets `.gitignore`.
#[test]
fn the_first_writer_of_the_state_folder_adds_its_gitignore() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &engine);
    let project = Project::new(&json!({
        "name": engine::unique_name("gitignore"),
        "base": { "image": base },
    }));
    // A folder someone made by hand, before any envc ran.
    std::fs::create_dir(project.path().join(".envc")).unwrap();
    envc(project.path(), 0o022, &["build", "--progress", "plain"]);
    assert_eq!(
        std::fs::read_to_string(project.path().join(".envc/.gitignore")).unwrap(),
        "*\n"
    );
    assert_eq!(mode(&project.path().join(".envc/status.json")), 0o644);
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
