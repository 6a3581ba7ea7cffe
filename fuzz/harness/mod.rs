//! The bodies of envc's spec and emitter fuzz targets, shared by two drivers: libFuzzer
//! (`fuzz/fuzz_targets/*.rs`, `cargo fuzz`) and the deterministic driver that the test command
//! runs (`tests/it/fuzz.rs`, a fixed seed and a bounded count, on stable Rust). One body, so
//! that what the quick run checks is exactly what a long libFuzzer run checks.
//!
//! Each body only uses envc's public API: `spec::load` (config text → a checked spec or an
//! error) and `plan::plan_project` → `plan::manifest` → `emit::emit` (every emitter). The
//! property: no panic, whatever the input; an error is a value. For a config that checks,
//! every emitter runs, and the JSON files it writes parse as JSON.
#![allow(dead_code)]

use std::path::Path;

/// Config text as `envc.nix` (`nix = true`) or `envc.json` in `dir`, through `envc check`'s
/// loader, then every variant. Returns the loaded spec when it checks.
pub fn check(dir: &Path, text: &[u8], nix: bool) -> Option<envc::spec::LoadedSpec> {
    let name = if nix { "envc.nix" } else { "envc.json" };
    let path = dir.join(name);
    let other = dir.join(if nix { "envc.json" } else { "envc.nix" });
    let _ = std::fs::remove_file(other);
    std::fs::write(&path, text).ok()?;
    let loaded = envc::spec::load(&path, None).ok()?;
    for variant in loaded.spec.variants.keys() {
        let _ = envc::spec::load(&path, Some(variant.as_str()));
    }
    Some(loaded)
}

/// How far an input got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    /// Refused by the loader (syntax, type, a field kind, a cross-field check).
    Refused,
    /// Checked, but planning refused it (a project file it names is missing, ...).
    Checked,
    /// Every emitter ran on it.
    Emitted,
}

/// Check the config, then plan it and run every emitter; the JSON outputs must parse.
pub fn emit(dir: &Path, text: &[u8], nix: bool) -> Reached {
    let Some(loaded) = check(dir, text, nix) else {
        return Reached::Refused;
    };
    let Ok(planned) = envc::plan::plan_project(
        &loaded.spec,
        &loaded.project_root,
        None,
        envc::plan::LockPolicy::UnpinnedIfStale,
    ) else {
        return Reached::Checked;
    };
    let manifest = envc::plan::manifest(&loaded.spec, &planned.plan);
    // A checked config the emitters cannot write exactly (a `{{ NAME }}` in a .def label, say)
    // is refused with an error, never written wrong.
    let Ok(files) = envc::emit::emit(&loaded.spec, &planned.plan, &manifest) else {
        return Reached::Checked;
    };
    for file in files {
        if file.name.ends_with(".json") {
            let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&file.bytes);
            assert!(
                parsed.is_ok(),
                "{} is not JSON: {:?}",
                file.name,
                parsed.err()
            );
        }
        assert!(!file.bytes.contains(&0), "{} holds a NUL byte", file.name);
    }
    Reached::Emitted
}
