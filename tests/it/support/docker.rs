//! The real Docker engine for tests: connect or skip (fail under `CI=true`), and a runtime
//! to drive the async client from ordinary `#[test]` functions.
#![allow(dead_code)]

use envc::engine::Engine;

/// A multi-threaded runtime for one test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build a tokio runtime")
}

/// The engine named by the environment, or `None` after a loud skip.
pub fn engine(rt: &tokio::runtime::Runtime) -> Option<Engine> {
    match rt.block_on(Engine::connect()) {
        Ok(engine) => Some(engine),
        Err(error) => {
            super::require(&format!("a Docker engine ({error})"), false);
            None
        }
    }
}

/// `docker ARGS`, which must succeed; its stdout.
pub fn cli(args: &[&str]) -> String {
    let out = std::process::Command::new("docker")
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "docker {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// [`unique`] as a valid lowercase repository name (no `_` or `.`), for envc project names.
pub fn unique_name(prefix: &str) -> String {
    unique(prefix).replace(['_', '.'], "-").to_lowercase()
}

/// A name unique to this test process and call, for containers, networks and tags.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    // Pids repeat across runs on a machine whose engine keeps earlier runs' images, so the
    // start time (ns) of this test process makes names unique across runs too.
    static STARTED: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    let started = STARTED.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    });
    format!(
        "{prefix}-{}-{:x}-{}",
        std::process::id(),
        started % 0x1_0000_0000,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
