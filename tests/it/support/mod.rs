//! Test support: run the real `envc` binary, find the real tools tests depend on.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// True when running in CI, where a missing dependency is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// True when `ENVC_TEST_OFFLINE=1`: the tests run where nothing outside the source tree is
/// reachable (no engine, no network, no Nix), as in the Nix package's check phase. Then
/// [`have_command`] finds no external command and [`require`] skips instead of failing,
/// even under `CI=true`, so exactly the self-contained tests run.
pub fn offline() -> bool {
    std::env::var("ENVC_TEST_OFFLINE").is_ok_and(|v| v == "1")
}

/// Skip (loudly) or, in CI, fail when a real component a test needs is absent
/// ([`offline`]: skip, never fail). Returns `false` when the caller should return early.
pub fn require(what: &str, available: bool) -> bool {
    if available {
        return true;
    }
    if offline() {
        eprintln!("SKIPPED: {what} is not available (ENVC_TEST_OFFLINE=1)");
        return false;
    }
    if in_ci() {
        panic!("{what} is required in CI (CI=true) but is not available");
    }
    eprintln!("SKIPPED: {what} is not available on this machine");
    false
}

/// Whether the external command `name` is on PATH ([`offline`]: never).
pub fn have_command(name: &str) -> bool {
    if offline() {
        return false;
    }
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A builder for one run of the real `envc` binary.
pub struct Envc {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

pub fn envc() -> Envc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_envc"));
    cmd.env("NO_COLOR", "1").env_remove("ENVC_LOG");
    Envc { cmd, stdin: None }
}

impl Envc {
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(input.into());
        self
    }

    pub fn run(mut self) -> Run {
        use std::io::Write;
        self.cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("spawn envc");
        if let Some(input) = self.stdin.take() {
            child.stdin.take().unwrap().write_all(&input).unwrap();
        }
        Run(child.wait_with_output().expect("wait for envc"))
    }
}

/// The result of one run: status, stdout and stderr as text.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// Assert success and return stdout.
    pub fn ok(&self) -> String {
        assert_eq!(
            self.code(),
            0,
            "envc failed\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self.stdout()
    }
}

/// The Nix oracle, `nix-instantiate` from Debian's `nix-bin` (Nix 2.8), set up so that it
/// evaluates the same as root and as a normal user on a fresh machine: `--store dummy://`
/// needs no writable `/nix/store`, no `/nix/var` state, no `nixbld` group and no daemon
/// (paths that would be copied to the store still get their store path computed), and
/// `NIX_PATH` is cleared so that `<nixpkgs>` means nothing. Add `--eval --strict [--json]`.
pub fn nix_instantiate() -> Command {
    let mut cmd = Command::new("nix-instantiate");
    cmd.args(["--store", "dummy://"])
        .env_remove("NIX_PATH")
        .env_remove("NIX_REMOTE");
    cmd
}

/// True when the Nix oracle is installed and can evaluate (see [`nix_instantiate`]).
pub fn have_nix() -> bool {
    !offline()
        && nix_instantiate()
            .args(["--eval", "--strict", "--json", "--expr", "1 + 1"])
            .stderr(Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"2"))
}
pub mod apptainer;

pub mod busybox;
pub mod debian;
pub mod docker;
pub mod http;
pub mod net;
pub mod once;
pub mod readers;
pub mod registry;
pub mod slurm;

/// Whether the docker CLI has BuildKit (the buildx plugin; `scripts/setup` installs it).
pub fn have_buildx() -> bool {
    !offline()
        && Command::new("docker")
            .args(["buildx", "version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}
