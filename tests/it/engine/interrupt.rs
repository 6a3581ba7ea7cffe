//! Ctrl-C during a long container wait: the wait returns `Interrupted` and the guard removes
//! the container. The signal goes to a child copy of this test binary, so the process-wide
//! "interrupted" state does not leak into other tests.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use envc::engine::{ContainerSpec, EngineError, Signal};

use crate::support::{busybox, docker};

const CHILD: &str = "ENVC_TEST_INTERRUPT_CHILD";

/// Runs only inside the child: start a long container, report its ID, wait for it.
#[test]
fn interrupt_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let rt = docker::runtime();
    let engine = docker::engine(&rt).expect("the parent checked the engine");
    let image = busybox::image(&rt, &engine);
    let error = rt.block_on(async {
        let container = engine
            .create_container(&ContainerSpec {
                image,
                cmd: Some(vec!["sleep".into(), "300".into()]),
                ..Default::default()
            })
            .await
            .unwrap();
        container.start().await.unwrap();
        envc::engine::interrupt::install();
        println!("CONTAINER {}", container.id());
        container.wait().await.unwrap_err()
        // `container` drops here, on the error path.
    });
    assert!(
        matches!(
            error,
            EngineError::Interrupted {
                signal: Signal::Interrupt
            }
        ),
        "{error:?}"
    );
    println!("INTERRUPTED {}", error);
}

#[test]
fn sigint_during_a_wait_removes_the_container() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    busybox::image(&rt, &engine);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "engine::interrupt::interrupt_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let id = loop {
        let line = lines
            .next()
            .expect("the child reports its container")
            .unwrap();
        // The harness prints `test … ... ` before the test's own output on the same line.
        if let Some((_, id)) = line.split_once("CONTAINER ") {
            break id.trim().to_string();
        }
    };
    assert!(rt.block_on(engine.inspect_container(&id)).is_ok());
    // The child's own process, by its ID.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "child failed: {rest:?}");
    assert!(
        rest.iter()
            .any(|l| l.contains("INTERRUPTED interrupted by SIGINT")),
        "{rest:?}"
    );
    let gone = rt.block_on(engine.inspect_container(&id)).unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
}

const STUCK_CHILD: &str = "ENVC_TEST_STUCK_CHILD";

/// Runs only inside the child: start a container, then block without ever looking at
/// signals, as code stuck in a long synchronous call would.
#[test]
fn stuck_child() {
    if std::env::var_os(STUCK_CHILD).is_none() {
        return;
    }
    let rt = docker::runtime();
    let engine = docker::engine(&rt).expect("the parent checked the engine");
    let image = busybox::image(&rt, &engine);
    let container = rt.block_on(async {
        let container = engine
            .create_container(&ContainerSpec {
                image,
                cmd: Some(vec!["sleep".into(), "300".into()]),
                ..Default::default()
            })
            .await
            .unwrap();
        container.start().await.unwrap();
        container
    });
    println!("CONTAINER {}", container.id());
    std::thread::sleep(std::time::Duration::from_secs(300));
    panic!("the second signal should have ended this process");
}

#[test]
fn a_second_sigint_removes_live_containers_and_exits_130() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    busybox::image(&rt, &engine);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "engine::interrupt::stuck_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(STUCK_CHILD, "1")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let id = loop {
        let line = lines
            .next()
            .expect("the child reports its container")
            .unwrap();
        if let Some((_, id)) = line.split_once("CONTAINER ") {
            break id.trim().to_string();
        }
    };
    // Signal until it exits: the first is recorded, any later one removes and exits.
    let mut attempts = 0;
    let status = loop {
        attempts += 1;
        if attempts > 150 {
            let _ = child.kill();
            panic!("the child ignored repeated SIGINTs");
        }
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
    };
    assert_eq!(status.code(), Some(130));
    let gone = rt.block_on(engine.inspect_container(&id)).unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
}
