//! Fuzz target: config text that checks is planned and written by every emitter (Dockerfile,
//! .dockerignore, context list, Apptainer .def, manifest, devcontainer). Must never panic;
//! JSON outputs must parse. Body: `fuzz/harness/mod.rs`.
#![no_main]

#[path = "../harness/mod.rs"]
mod harness;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((first, text)) = data.split_first() else {
        return;
    };
    let dir = harness_dir();
    let _ = harness::emit(dir, text, first & 1 == 1);
});

fn harness_dir() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder")).path()
}
