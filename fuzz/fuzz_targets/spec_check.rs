//! Fuzz target: config text (JSON or Nix, by the first byte) through `envc check`'s loader.
//! Must never panic. Body: `fuzz/harness/mod.rs`.
#![no_main]

#[path = "../harness/mod.rs"]
mod harness;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((first, text)) = data.split_first() else {
        return;
    };
    let dir = harness_dir();
    harness::check(dir, text, first & 1 == 1);
});

fn harness_dir() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder")).path()
}
