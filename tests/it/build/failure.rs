//! Failing and interrupted builds: the failing step is named with its command and output
//! tail (exit 1); an interrupted build tags nothing for the unfinished steps and leaves no
//! container behind.

use std::time::{Duration, Instant};

use serde_json::json;

use super::project::{Project, containers_named, image_exists, nonce};
use crate::support::{busybox, docker as engine};

#[test]
fn a_failing_step_shows_its_output_tail_and_exits_1() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &engine);
    let nonce = nonce();
    let project = Project::new(&json!({
        "name": "fail-test",
        "base": { "image": base },
        "build": {
            "steps": [
                { "name": "fine", "run": format!("echo {nonce} > /fine") },
                { "name": "broken", "run": "echo first words; echo last words >&2; exit 3" },
                { "name": "never", "run": "touch /never" },
            ]
        }
    }));
    let run = project.build(&[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let stderr = run.stderr();
    assert!(
        stderr.contains("step 3/5 `run broken` failed with exit status 3"),
        "{stderr}"
    );
    assert!(stderr.contains("exit 3"), "the command is shown: {stderr}");
    assert!(
        stderr.contains("last words"),
        "the output tail is shown: {stderr}"
    );
    assert!(run.stdout().is_empty());

    let events = project.last_build();
    assert_eq!(events.failure.as_ref().unwrap()["index"], 2);
    assert!(
        image_exists(&format!("envc/step:{}", events.key(1))),
        "the step before is kept"
    );
    for index in 2..events.len() {
        assert!(!image_exists(&format!("envc/step:{}", events.key(index))));
    }
    assert!(containers_named(&format!("envc-build-{}", &events.key(2)[..12])).is_empty());
}

#[test]
fn an_interrupted_build_leaves_no_tag_and_no_container() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &engine);
    let nonce = nonce();
    let project = Project::new(&json!({
        "name": "interrupt-test",
        "base": { "image": base },
        "build": {
            "steps": [
                { "name": "quick", "run": format!("echo {nonce} > /quick") },
                { "name": "long", "run": "echo started; sleep 60" },
                { "name": "after", "run": "touch /after" },
            ]
        }
    }));
    let child = project.spawn_build(&[]);
    let pid = child.id();
    // Wait until the long step runs.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let started = project
            .all_events()
            .iter()
            .any(|e| e["event"] == "step_start" && e["label"] == "run long");
        if started {
            break;
        }
        assert!(Instant::now() < deadline, "the long step never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let events = project.last_build();
    let long = events.index_of("run long");
    assert!(image_exists(&format!("envc/step:{}", events.key(long - 1))));
    for index in long..events.len() {
        assert!(
            !image_exists(&format!("envc/step:{}", events.key(index))),
            "step {index} must not be tagged"
        );
    }
    let leftovers = containers_named(&format!("envc-build-{}", &events.key(long)[..12]));
    assert!(leftovers.is_empty(), "containers left: {leftovers:?}");
}
