//! A real registry on loopback: Debian's `docker-registry` (the reference implementation)
//! serving a temp directory on `127.0.0.1:<free port>`, stopped when dropped.
//!
//! The engine treats `127.0.0.0/8` registries as insecure (plain HTTP) by default, so it
//! can push to and pull from this one without TLS; envc is told so with `http://`.
//! [`shared`] is one registry for the whole test run (tests use unique repository paths);
//! a test that stops or breaks its registry starts its own. [`FaultyProxy`] stands between
//! a client and a registry and cuts the connection at a chosen request.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

pub struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

/// Whether the registry binary is installed.
pub fn available() -> bool {
    super::have_command("docker-registry")
}

impl Registry {
    /// Start a registry and wait until it answers.
    pub fn start() -> Registry {
        Registry::start_with(None)
    }

    /// Start a registry that requires `user` / `password` (htpasswd, bcrypt).
    pub fn start_with_auth(user: &str, password: &str) -> Registry {
        Registry::start_with(Some((user, password)))
    }

    fn start_with(auth: Option<(&str, &str)>) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let auth_config = match auth {
            None => String::new(),
            Some((user, password)) => {
                // bcrypt, which the registry requires: `htpasswd -B` (apache2-utils, from
                // scripts/setup), else the C library's crypt(3) through Python.
                let htpasswd = dir.path().join("htpasswd");
                let line = if super::have_command("htpasswd") {
                    let output = Command::new("htpasswd")
                        .args(["-nbB", user, password])
                        .output()
                        .expect("run htpasswd");
                    assert!(output.status.success(), "htpasswd failed");
                    String::from_utf8(output.stdout).unwrap().trim().to_owned()
                } else {
                    let output = Command::new("python3")
                        .args(["-W", "ignore", "-c"])
                        .arg("import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))")
                        .arg(password)
                        .output()
                        .expect("run python3 for a bcrypt hash");
                    assert!(output.status.success(), "bcrypt hashing failed");
                    format!(
                        "{user}:{}",
                        String::from_utf8(output.stdout).unwrap().trim()
                    )
                };
                std::fs::write(&htpasswd, format!("{line}\n")).unwrap();
                format!(
                    "auth:\n  htpasswd:\n    realm: envc-test\n    path: {}\n",
                    htpasswd.display()
                )
            }
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
                 http:\n  addr: 127.0.0.1:{port}\n{auth_config}",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let registry = Registry {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        registry
    }

    /// `127.0.0.1:<port>`, the prefix of references to this registry.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where the registry keeps its blobs (`…/blobs/sha256/<2 hex>/<hex>/data`).
    pub fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self._dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// Stop the registry now.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One registry for the whole test run, started on first use.
pub fn shared() -> &'static Registry {
    static SHARED: OnceLock<Registry> = OnceLock::new();
    SHARED.get_or_init(Registry::start)
}

/// A TCP proxy to `127.0.0.1:<target>` that closes the connection (both ways) when a request
/// line contains every `|`-separated part of `cut_at` for the `nth` time (from 1), and every
/// connection after it.
pub struct FaultyProxy {
    port: u16,
    cut: Arc<AtomicBool>,
}

impl FaultyProxy {
    pub fn start(target: u16, cut_at: &'static str, nth: usize) -> FaultyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(AtomicUsize::new(0));
        let flag = cut.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if flag.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(upstream) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let (flag, seen) = (flag.clone(), seen.clone());
                std::thread::spawn(move || relay(client, upstream, cut_at, nth, flag, seen));
            }
        });
        FaultyProxy { port, cut }
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Whether the cut happened.
    pub fn was_cut(&self) -> bool {
        self.cut.load(Ordering::SeqCst)
    }
}

fn relay(
    mut client: TcpStream,
    upstream: TcpStream,
    cut_at: &str,
    nth: usize,
    cut: Arc<AtomicBool>,
    seen: Arc<AtomicUsize>,
) {
    let mut back = upstream.try_clone().unwrap();
    let mut client_back = client.try_clone().unwrap();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut back, &mut client_back);
        let _ = client_back.shutdown(Shutdown::Both);
    });
    let mut upstream = upstream;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = match client.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let text = String::from_utf8_lossy(&buffer[..n]);
        let hits = text
            .lines()
            .filter(|l| l.contains("HTTP/1") && cut_at.split('|').all(|part| l.contains(part)))
            .count();
        if hits > 0 && seen.fetch_add(hits, Ordering::SeqCst) + hits >= nth {
            cut.store(true, Ordering::SeqCst);
        }
        if cut.load(Ordering::SeqCst) {
            break;
        }
        if upstream.write_all(&buffer[..n]).is_err() {
            break;
        }
    }
    let _ = upstream.shutdown(Shutdown::Both);
    let _ = client.shutdown(Shutdown::Both);
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
