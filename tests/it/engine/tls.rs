//! `DOCKER_HOST=tcp://…` with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`: a TLS forwarder
//! (stunnel, which requires client certificates like a TLS-protected dockerd) with a CA,
//! server and client certificates made here by `openssl` stands in for a remote engine.
//! (socat cannot stand in: with client verification it fails TLS session resumption.)

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use envc::engine::{Endpoint, Engine, EngineError};

use crate::support::docker;

struct Forwarder(Child);

impl Drop for Forwarder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CA, and a certificate + key signed by it, named `<name>.pem` / `<name>-key.pem`.
fn issue(dir: &Path, name: &str, ca: &str, ext: &str) {
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}-key.pem"),
            "-out",
            &format!("{name}.csr"),
        ],
    );
    std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}-key.pem"),
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            &format!("{name}.pem"),
            "-extfile",
            &format!("{name}.ext"),
        ],
    );
}

fn make_ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}-key.pem"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

#[test]
fn tls_with_client_certificates_from_docker_cert_path() {
    let rt = docker::runtime();
    let Some(local) = docker::engine(&rt) else {
        return;
    };
    let tools = crate::support::have_command("stunnel") && crate::support::have_command("openssl");
    if !crate::support::require("stunnel and openssl", tools) {
        return;
    }
    let Endpoint::Unix(socket) = local.endpoint().clone() else {
        return;
    };
    let pki = tempfile::tempdir().unwrap();
    let dir = pki.path();
    make_ca(dir, "ca");
    issue(
        dir,
        "server",
        "ca",
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    );
    issue(dir, "client", "ca", "extendedKeyUsage=clientAuth\n");
    make_ca(dir, "other-ca");
    issue(dir, "stranger", "other-ca", "extendedKeyUsage=clientAuth\n");

    // What Docker clients expect in DOCKER_CERT_PATH.
    let certs = dir.join("client-certs");
    std::fs::create_dir(&certs).unwrap();
    std::fs::copy(dir.join("ca.pem"), certs.join("ca.pem")).unwrap();
    std::fs::copy(dir.join("client.pem"), certs.join("cert.pem")).unwrap();
    std::fs::copy(dir.join("client-key.pem"), certs.join("key.pem")).unwrap();
    let wrong = dir.join("wrong-ca");
    std::fs::create_dir(&wrong).unwrap();
    std::fs::copy(dir.join("other-ca.pem"), wrong.join("ca.pem")).unwrap();
    std::fs::copy(dir.join("client.pem"), wrong.join("cert.pem")).unwrap();
    std::fs::copy(dir.join("client-key.pem"), wrong.join("key.pem")).unwrap();
    let stranger = dir.join("stranger");
    std::fs::create_dir(&stranger).unwrap();
    std::fs::copy(dir.join("ca.pem"), stranger.join("ca.pem")).unwrap();
    std::fs::copy(dir.join("stranger.pem"), stranger.join("cert.pem")).unwrap();
    std::fs::copy(dir.join("stranger-key.pem"), stranger.join("key.pem")).unwrap();

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.join("stunnel.conf");
    std::fs::write(
        &config,
        format!(
            "foreground = yes\npid =\n[docker]\naccept = 127.0.0.1:{port}\nconnect = {}\n\
             cert = {}\nkey = {}\nCAfile = {}\nverifyChain = yes\nrequireCert = yes\n",
            socket.display(),
            dir.join("server.pem").display(),
            dir.join("server-key.pem").display(),
            dir.join("ca.pem").display()
        ),
    )
    .unwrap();
    let _forwarder = Forwarder(
        Command::new("stunnel")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "stunnel did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let host = format!("tcp://127.0.0.1:{port}");

    let endpoint = Endpoint::from_settings(Some(&host), true, Some(certs.clone()), None).unwrap();
    let engine = rt
        .block_on(Engine::connect_to(endpoint, Duration::from_secs(10)))
        .unwrap();
    assert_eq!(engine.api_version(), local.api_version());
    // More calls, on new connections (TLS session resumption).
    for _ in 0..3 {
        let info = rt.block_on(engine.docker().info()).unwrap();
        assert!(info.id.is_some());
    }

    // A server certificate from an unknown CA is refused.
    let endpoint = Endpoint::from_settings(Some(&host), true, Some(wrong), None).unwrap();
    let error = rt
        .block_on(Engine::connect_to(endpoint, Duration::from_secs(10)))
        .unwrap_err();
    assert!(
        matches!(error, EngineError::Unreachable { .. }),
        "{error:?}"
    );

    // Missing files name the directory.
    let endpoint =
        Endpoint::from_settings(Some(&host), true, Some(dir.join("nowhere")), None).unwrap();
    let error = rt
        .block_on(Engine::connect_to(endpoint, Duration::from_secs(10)))
        .unwrap_err();
    assert!(matches!(error, EngineError::Tls { .. }), "{error:?}");
    assert_eq!(error.failure().code(), 3);
}
