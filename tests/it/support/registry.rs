//! A real registry on loopback: Debian's `docker-registry` (the reference implementation)
//! serving a temp directory on `127.0.0.1:<free port>`, stopped when dropped.
//!
//! The engine treats `127.0.0.0/8` registries as insecure (plain HTTP) by default, so it
//! can push to and pull from this one without TLS.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
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
                // bcrypt, which the registry requires, through the C library's crypt(3).
                let output = Command::new("python3")
                    .args(["-W", "ignore", "-c"])
                    .arg("import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))")
                    .arg(password)
                    .output()
                    .expect("run python3 for a bcrypt hash");
                assert!(output.status.success(), "bcrypt hashing failed");
                let hash = String::from_utf8(output.stdout).unwrap();
                let htpasswd = dir.path().join("htpasswd");
                std::fs::write(&htpasswd, format!("{user}:{}\n", hash.trim())).unwrap();
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
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
