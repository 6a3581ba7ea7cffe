//! Published ports answer from the host (#16.1): Docker 20.10 publishes a
//! `HostConfig.PortBindings` entry only when `Config.ExposedPorts` names the port too, and a
//! port binds to 127.0.0.1 unless the config says otherwise.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use serde_json::json;

use super::{Project, busybox_image};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET /` from the host, retried while the server starts.
fn get(port: u16) -> Result<String, String> {
    let mut last = String::new();
    for _ in 0..50 {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(mut stream) => {
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let _ = stream.write_all(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n");
                let mut body = String::new();
                match stream.read_to_string(&mut body) {
                    Ok(_) if !body.is_empty() => return Ok(body),
                    Ok(_) => last = "empty answer".into(),
                    Err(e) => last = e.to_string(),
                }
            }
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(last)
}

#[test]
fn regression_16_1_a_published_port_answers_from_the_host_on_loopback() {
    let Some(base) = busybox_image() else { return };
    let port = free_port();
    let config = json!({
        "name": "ports",
        "base": { "image": base },
        "run": {
            "ports": [ { "container": 7860, "host": port } ],
            "post_start": [
                "mkdir -p /www && echo hello-from-envc >/www/index.html && httpd -p 7860 -h /www"
            ]
        }
    });
    let Some(project) = Project::new(1234, &config) else {
        return;
    };
    project.envc(&["up"]).ok();
    let status: serde_json::Value =
        serde_json::from_str(&project.envc(&["status", "--json"]).ok()).unwrap();
    let container = status["container"].as_str().unwrap().to_owned();
    let answer = get(port).unwrap_or_else(|e| {
        let ports = std::process::Command::new("docker")
            .args(["port", &container])
            .output()
            .unwrap();
        panic!(
            "127.0.0.1:{port} does not answer ({e}); `docker port`: {:?}",
            String::from_utf8_lossy(&ports.stdout)
        )
    });
    assert!(answer.contains("hello-from-envc"), "{answer}");
    let published = crate::support::docker::cli(&["port", &container, "7860/tcp"]);
    assert_eq!(
        published.trim(),
        format!("127.0.0.1:{port}"),
        "bound to loopback only"
    );
    project.envc(&["down"]).ok();
}
