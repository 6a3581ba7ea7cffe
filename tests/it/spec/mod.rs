//! The environment spec: examples, built-in modules, the bad-config corpus, and the
//! `check` / `show` / `schema` commands.

mod bad;
mod cli;
mod examples;

use std::path::{Path, PathBuf};

use crate::support;

/// Every example config: the repository's own `envc.nix` and `examples/*/envc.{nix,json}`.
pub fn example_configs() -> Vec<PathBuf> {
    let root = support::repo_root();
    let mut configs = vec![root.join("envc.nix")];
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .expect("examples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        for name in ["envc.nix", "envc.json"] {
            let path = dir.join(name);
            if path.is_file() {
                configs.push(path);
            }
        }
    }
    configs
}

/// The built-in modules (every `modules/*.nix` but `lib.nix`), by name.
pub fn builtin_modules() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(support::repo_root().join("modules"))
        .expect("modules/ exists")
        .map(|e| {
            e.expect("readable entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".nix") && n != "lib.nix")
        .map(|n| n.trim_end_matches(".nix").to_string())
        .collect();
    names.sort();
    names
}

/// The independent JSON Schema validator from PyPI, installed by `scripts/setup`.
pub fn check_jsonschema() -> Option<PathBuf> {
    let venv = support::repo_root().join(".tools/venv/bin/check-jsonschema");
    if venv.is_file() {
        return Some(venv);
    }
    support::have_command("check-jsonschema").then(|| PathBuf::from("check-jsonschema"))
}

/// A short name for a config in assertion messages.
pub fn short(path: &Path) -> String {
    path.strip_prefix(support::repo_root())
        .unwrap_or(path)
        .display()
        .to_string()
}
