use std::path::PathBuf;
use std::time::Duration;

use envc::engine::{Endpoint, Engine, EngineError, MIN_API_VERSION};
use envc::exit::Failure;

use crate::support::docker;

#[test]
fn connects_and_negotiates_an_api_version_the_engine_speaks() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    assert!(
        engine.api_version() >= MIN_API_VERSION,
        "{:?}",
        engine.api_version()
    );
    let version = rt.block_on(engine.docker().version()).unwrap();
    let server = version.api_version.unwrap();
    let (major, minor) = server.split_once('.').unwrap();
    let server = (
        major.parse::<usize>().unwrap(),
        minor.parse::<usize>().unwrap(),
    );
    // Never above what the engine speaks (an old engine rejects newer versions).
    assert!(
        engine.api_version() <= server,
        "{:?} > {server:?}",
        engine.api_version()
    );
}

#[test]
fn no_engine_is_an_environment_error_that_says_what_to_do() {
    let rt = docker::runtime();
    let endpoint = Endpoint::Unix(PathBuf::from("/nonexistent/envc-test/docker.sock"));
    let error = rt
        .block_on(Engine::connect_to(endpoint, Duration::from_secs(5)))
        .unwrap_err();
    assert!(
        matches!(error, EngineError::Unreachable { .. }),
        "{error:?}"
    );
    assert_eq!(error.failure(), Failure::Environment);
    assert_eq!(error.failure().code(), 3);
    assert_eq!(
        error.to_string(),
        "cannot reach the Docker engine at `unix:///nonexistent/envc-test/docker.sock`"
    );
    let help = miette::Diagnostic::help(&error).unwrap().to_string();
    assert!(
        help.contains("start the engine") && help.contains("`DOCKER_HOST`"),
        "{help}"
    );
}

#[test]
fn nothing_listening_on_tcp_is_unreachable_too() {
    let rt = docker::runtime();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = Endpoint::Tcp {
        address: format!("127.0.0.1:{port}"),
    };
    let error = rt
        .block_on(Engine::connect_to(endpoint, Duration::from_secs(5)))
        .unwrap_err();
    assert!(
        matches!(error, EngineError::Unreachable { .. }),
        "{error:?}"
    );
}

#[test]
fn tcp_endpoint_reaches_the_engine_through_a_forwarder() {
    let rt = docker::runtime();
    let Some(local) = docker::engine(&rt) else {
        return;
    };
    if !crate::support::require("socat", crate::support::have_command("socat")) {
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
    let mut forwarder = std::process::Command::new("socat")
        .arg(format!("TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork"))
        .arg(format!("UNIX-CONNECT:{}", socket.display()))
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "socat did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let endpoint =
        Endpoint::from_settings(Some(&format!("tcp://127.0.0.1:{port}")), false, None, None)
            .unwrap();
    let result = rt.block_on(Engine::connect_to(endpoint, Duration::from_secs(10)));
    let _ = forwarder.kill();
    let _ = forwarder.wait();
    let engine = result.unwrap();
    assert_eq!(engine.api_version(), local.api_version());
}
