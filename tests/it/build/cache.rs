//! The step cache: unchanged configs run nothing, changes re-run from the changed step on,
//! content changes that keep size and mtime are seen, and two builds share one result.

use std::time::{Duration, SystemTime};

use serde_json::json;

use super::project::{Project, docker, nonce};
use crate::support::{busybox, docker as engine};

fn busybox_base() -> Option<String> {
    let rt = engine::runtime();
    let engine = engine::engine(&rt)?;
    Some(busybox::image(&rt, &engine))
}

fn config(base: &str, nonce: &str) -> serde_json::Value {
    json!({
        "name": "cache-test",
        "base": { "image": base },
        "build": {
            "files": {
                "/opt/a/early.txt": { "text": format!("early {nonce}\n") },
                "/opt/z/late.txt": { "source": "late.txt" },
            },
            "steps": [
                { "name": "first", "run": "cat /opt/a/early.txt > /first" },
                { "name": "second", "run": "cat /opt/z/late.txt > /second" },
            ],
            "env": { "GREETING": "hello" },
        }
    })
}

#[test]
fn a_second_build_of_an_unchanged_config_runs_no_step() {
    let Some(base) = busybox_base() else { return };
    let project = Project::new(&config(&base, &nonce()));
    project.write("late.txt", "late\n");
    let first = project.build(&[]).ok();
    let events = project.last_build();
    // Everything but the image base ran.
    assert_eq!(events.executed.len(), events.len() - 1, "{events:?}");

    let second = project.build(&[]).ok();
    let events = project.last_build();
    assert!(events.executed.is_empty(), "{events:?}");
    assert_eq!(first, second, "the same image reference and key");
    let reference = second.lines().next().unwrap();
    assert_eq!(
        docker(&["run", "--rm", reference, "cat", "/second"]),
        "late\n"
    );
}

#[test]
fn a_late_file_change_reruns_only_from_that_file_on() {
    let Some(base) = busybox_base() else { return };
    let project = Project::new(&config(&base, &nonce()));
    project.write("late.txt", "late\n");
    project.build(&[]).ok();

    project.write("late.txt", "changed\n");
    let out = project.build(&[]).ok();
    let events = project.last_build();
    let from = events.index_of("file /opt/z/late.txt");
    assert_eq!(events.executed, (from..events.len()).collect::<Vec<_>>());
    assert!(events.cached.contains(&(from - 1)), "{events:?}");
    let reference = out.lines().next().unwrap();
    assert_eq!(
        docker(&["run", "--rm", reference, "cat", "/second"]),
        "changed\n"
    );
}

#[test]
fn a_content_change_with_the_same_size_and_mtime_is_rebuilt() {
    let Some(base) = busybox_base() else { return };
    let project = Project::new(&config(&base, &nonce()));
    let late = project.write("late.txt", "aaaa\n");
    let mtime = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let set_mtime = || {
        std::fs::File::options()
            .write(true)
            .open(&late)
            .unwrap()
            .set_modified(mtime)
            .unwrap()
    };
    set_mtime();
    project.build(&[]).ok();

    std::fs::write(&late, "bbbb\n").unwrap();
    set_mtime();
    let out = project.build(&[]).ok();
    let events = project.last_build();
    assert!(
        events
            .executed
            .contains(&events.index_of("file /opt/z/late.txt")),
        "{events:?}"
    );
    let reference = out.lines().next().unwrap();
    assert_eq!(
        docker(&["run", "--rm", reference, "cat", "/second"]),
        "bbbb\n"
    );
}

#[test]
fn no_cache_runs_every_step_again() {
    let Some(base) = busybox_base() else { return };
    let project = Project::new(&config(&base, &nonce()));
    project.write("late.txt", "late\n");
    project.build(&[]).ok();
    project.build(&["--no-cache"]).ok();
    let events = project.last_build();
    assert_eq!(events.executed.len(), events.len() - 1, "{events:?}");
}

#[test]
fn two_builds_of_the_same_config_build_each_step_once() {
    let Some(base) = busybox_base() else { return };
    let nonce = nonce();
    let mut config = config(&base, &nonce);
    config["build"]["steps"][0]["run"] = json!(format!("sleep 3; echo {nonce} > /first"));
    let a = Project::new(&config);
    let b = Project::new(&config);
    a.write("late.txt", "late\n");
    b.write("late.txt", "late\n");
    let first = a.spawn_build(&[]);
    let second = b.spawn_build(&[]);
    let first = first.wait_with_output().unwrap();
    let second = second.wait_with_output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(first.stdout, second.stdout);
    let (a, b) = (a.last_build(), b.last_build());
    let mut all: Vec<usize> = a.executed.iter().chain(&b.executed).copied().collect();
    all.sort();
    assert_eq!(
        all,
        (1..a.len()).collect::<Vec<_>>(),
        "each step ran in exactly one of the builds: {a:?} {b:?}"
    );
}
