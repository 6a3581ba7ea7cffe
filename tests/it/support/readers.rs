//! The ecosystem's own readers of what envc writes: BuildKit's Dockerfile parser, spython and
//! Apptainer's parsing rules (see `structure.py`), and a real `sh` for shell words.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{repo_root, require};

/// The test venv's Python with the readers (`scripts/setup` installs them), or `None` after
/// a loud skip.
pub fn python() -> Option<PathBuf> {
    let python = repo_root().join(".tools/venv/bin/python3");
    let ok = python.is_file()
        && Command::new(&python)
            .args(["-c", "import dockerfile, spython"])
            .output()
            .is_ok_and(|o| o.status.success());
    require(
        "BuildKit's Dockerfile parser and spython (PyPI `dockerfile`, `spython`)",
        ok,
    )
    .then_some(python)
}

/// What the readers see in `dockerfile` and `def` (`None`: not read); panics when a reader
/// rejects a file.
pub fn read_back(python: &Path, dockerfile: Option<&str>, def: Option<&str>) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let mut args = Vec::new();
    for (name, text) in [("Dockerfile", dockerfile), ("apptainer.def", def)] {
        match text {
            Some(text) => {
                let path = dir.path().join(name);
                std::fs::write(&path, text).unwrap();
                args.push(path.display().to_string());
            }
            None => args.push("-".into()),
        }
    }
    let out = Command::new(python)
        .arg(repo_root().join("tests/it/support/structure.py"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "a reader rejected the file:\n{}\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        dockerfile.unwrap_or_default(),
        def.unwrap_or_default()
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The words of `line` as a real `sh` reads them.
pub fn shell_words(line: &str) -> Vec<String> {
    let out = Command::new("sh")
        .args(["-c", &format!("printf '%s\\0' {line}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "sh cannot read {line}");
    let text = String::from_utf8(out.stdout).unwrap();
    text.trim_end_matches('\0')
        .split('\0')
        .map(str::to_owned)
        .collect()
}

/// A double-quoted Dockerfile word as BuildKit reads it: quotes removed, `\x` is `x`.
pub fn unquote(word: &str) -> String {
    let inner = word
        .strip_prefix('"')
        .and_then(|w| w.strip_suffix('"'))
        .unwrap_or(word);
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' {
            chars.next().unwrap_or('\\')
        } else {
            c
        });
    }
    out
}
