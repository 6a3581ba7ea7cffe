//! Concurrency under load (#15.7): commands on one environment wait for or join each other
//! (the per-environment lock, `src/run/env_lock.rs`), and builds of different projects
//! sharing the apt archive cache take turns (the cache-volume lock, `src/build/key_lock.rs`).
//! Every command must succeed: before the locks, 20 concurrent `envc up` of one project
//! failed 10 times with 409 Conflict, and 2 builds sharing the apt cache 3 times out of 6.

use std::process::{Child, Command, Stdio};

use serde_json::json;

use crate::build::project::Project;
use crate::support::{busybox, debian, docker as engine, require};

fn spawn(project: &Project, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_envc"))
        .args(args)
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait for every child; the failures, each with its command and stderr.
fn failures(children: Vec<(String, Child)>) -> Vec<String> {
    children
        .into_iter()
        .filter_map(|(what, child)| {
            let out = child.wait_with_output().unwrap();
            (!out.status.success()).then(|| {
                format!(
                    "`envc {what}` exited {:?}:\n{}",
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                )
            })
        })
        .collect()
}

#[test]
fn twenty_concurrent_up_run_down_of_one_project_all_succeed() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &engine);
    let project = Project::new(&json!({ "name": "stress-env", "base": { "image": base } }));
    // Built once beforehand: this test is about the environment, not the build.
    project.build(&[]).ok();
    let commands: [&[&str]; 3] = [&["up"], &["run", "--", "sh", "-c", "echo ok"], &["down"]];
    let children: Vec<(String, Child)> = (0..20)
        .map(|i| {
            let args = commands[i % 3];
            (args.join(" "), spawn(&project, args))
        })
        .collect();
    let failed = failures(children);
    let _ = spawn(&project, &["down"]).wait();
    assert!(
        failed.is_empty(),
        "{} of 20 failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn four_concurrent_builds_sharing_the_apt_cache_all_succeed() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    if !require("debootstrap (Debian package)", debian::available()) {
        return;
    }
    // One base for all projects: the archive cache volume is keyed by the base, and a base
    // of its own gives the apt steps keys no earlier run has cached.
    let base = debian::fresh_base(&debian::bookworm(&rt, &engine), "stress-apt");
    let projects: Vec<Project> = ["hello", "tree", "less", "bc"]
        .iter()
        .map(|package| {
            Project::new(&json!({
                "name": format!("stress-apt-{package}"),
                "base": { "image": base },
                "build": { "apt": [package] },
            }))
        })
        .collect();
    let children = projects
        .iter()
        .map(|p| ("build".to_owned(), p.spawn_build(&[])))
        .collect();
    let failed = failures(children);
    rt.block_on(engine.remove_image(&base, false)).unwrap();
    assert!(
        failed.is_empty(),
        "{} of 4 failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
