//! With `DOCKER_HOST` unset, envc reaches the engine of the docker CLI's current context.
//! The context is made by the real `docker context create` (so the on-disk format is the
//! CLI's, not ours) in a private `DOCKER_CONFIG`, pointing at a TCP forwarder to the
//! engine; a child copy of this test binary connects with that environment.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use envc::engine::{Endpoint, Engine};

use crate::support::docker;

const CHILD: &str = "ENVC_TEST_CONTEXT_CHILD";

struct Forwarder(Child);

impl Drop for Forwarder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs only inside the child: connect as envc does and say where.
#[test]
fn context_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let rt = docker::runtime();
    let engine = rt.block_on(Engine::connect()).unwrap();
    println!("ENDPOINT {}", engine.endpoint());
}

#[test]
fn the_docker_cli_current_context_is_followed_when_docker_host_is_unset() {
    let rt = docker::runtime();
    let Some(local) = docker::engine(&rt) else {
        return;
    };
    let tools = crate::support::have_command("docker") && crate::support::have_command("socat");
    if !crate::support::require("the docker CLI and socat", tools) {
        return;
    }
    let Endpoint::Unix(socket) = local.endpoint().clone() else {
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _forwarder = Forwarder(
        Command::new("socat")
            .arg(format!("TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork"))
            .arg(format!("UNIX-CONNECT:{}", socket.display()))
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "socat did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let config = tempfile::tempdir().unwrap();
    let docker_cli = |args: &[&str]| {
        let output = Command::new("docker")
            .args(args)
            .env("DOCKER_CONFIG", config.path())
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "docker {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let host = format!("host=tcp://127.0.0.1:{port}");
    docker_cli(&["context", "create", "envc-test", "--docker", &host]);
    docker_cli(&["context", "use", "envc-test"]);

    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "engine::context::context_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("DOCKER_CONFIG", config.path())
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&format!("ENDPOINT tcp://127.0.0.1:{port}")),
        "{stdout}"
    );
}
