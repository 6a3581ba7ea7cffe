//! The import rules of ARCHITECTURE.md, checked: a scan of `src/` that fails on an arrow
//! going up a floor and on a source file over 700 lines.
//!
//! It reads the files as text, not through the compiler: a `crate::<module>` path outside a
//! comment is an import of that module, whether in a `use` line or written in place. That is
//! what a reader sees, so it is what the rules are about.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The longest a file in `src/` may be.
const MAX_LINES: usize = 700;

/// Files over [`MAX_LINES`] that are being split on another branch. Each entry must still be
/// too long: once a file is short, the test asks for its entry to go.
const LONG_FILES_BEING_SPLIT: &[&str] = &["src/lang/eval.rs", "src/lang/lower.rs"];

/// `floor -> what it may not import: why`, the arrows that would point up (`*` is any).
const FORBIDDEN: &[&str] = &[
    "* -> cli: the CLI parses and prints; nothing below it reads it",
    "content -> *: the ground floor imports nothing of envc",
    "host -> *: the host reader imports nothing of envc",
    "escape -> *: the escapers import nothing of envc",
    "error_chain -> *: the error renderer imports nothing of envc",
    "lock -> plan: the plan reads the lock; the lock is made before any plan",
    "emit -> build: emitted files describe the plan, not envc's executor",
    "emit -> engine: emitting needs no engine",
    "rootfs -> engine: a rootfs digest is a function of a stream",
    "rootfs -> sif: the SIF reader locates a partition; rootfs lists it",
    "engine -> plan: the engine client knows no plans",
    "engine -> spec: the engine client knows no specs",
    "run -> build: entering an environment does not build",
    "registry -> verify: verify checks the registry, not the other way round",
    "sif -> engine: the SIF format knows no engine",
    "spec -> plan: the spec is below the plan",
    "spec -> lock: the spec is below the lock",
];

/// A file's floor: the first folder under `src/`, or the file's own name.
fn floor_of(relative: &Path) -> String {
    let first = relative
        .components()
        .nth(1)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

/// Every `.rs` file below `dir`, sorted.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("src/ is readable").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The top-level modules `text` names as `crate::<module>` or `crate::{<module>, ...}`,
/// outside `//` comments, with the line each is first named on.
fn imports(text: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let names: Vec<&str> = if let Some(group) = after.strip_prefix('{') {
                group_heads(group)
            } else {
                vec![identifier(after)]
            };
            for name in names.into_iter().filter(|n| !n.is_empty()) {
                if seen.insert(name.to_owned()) {
                    found.push((name.to_owned(), number + 1));
                }
            }
            rest = after;
        }
    }
    found
}

/// The leading identifier of `text`.
fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The first path segment of each item in a `{a::b, c, d::{e}}` group (given after `{`).
fn group_heads(group: &str) -> Vec<&str> {
    let mut heads = vec![identifier(group.trim_start())];
    let mut depth = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => heads.push(identifier(group[i + 1..].trim_start())),
            _ => {}
        }
    }
    heads
}

fn forbidden(floor: &str, target: &str) -> Option<&'static str> {
    FORBIDDEN.iter().copied().find_map(|rule| {
        let (arrow, why) = rule.split_once(": ").expect("a rule has a reason");
        let (from, to) = arrow.split_once(" -> ").expect("a rule has an arrow");
        let from_matches = from == "*" || from == floor;
        let to_matches = to == "*" || to == target;
        let edge = floor == "main" && to == "cli";
        (from_matches && to_matches && floor != target && !edge).then_some(why)
    })
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_import_points_up_a_floor() {
    let root = root();
    let mut violations = Vec::new();
    for path in sources(&root.join("src")) {
        let relative = path.strip_prefix(&root).expect("below the root");
        let floor = floor_of(relative);
        let text = std::fs::read_to_string(&path).expect("source is UTF-8");
        for (target, line) in imports(&text) {
            if let Some(why) = forbidden(&floor, &target) {
                violations.push(format!(
                    "{}:{line}: `{floor}` imports `crate::{target}` ({why})",
                    relative.display()
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports that break ARCHITECTURE.md:\n{}",
        violations.join("\n")
    );
}

#[test]
fn no_source_file_is_over_700_lines() {
    let root = root();
    let mut long = Vec::new();
    for path in sources(&root.join("src")) {
        let relative = path.strip_prefix(&root).expect("below the root");
        let shown = relative.display().to_string();
        let lines = std::fs::read_to_string(&path)
            .expect("source is UTF-8")
            .lines()
            .count();
        let excused = LONG_FILES_BEING_SPLIT.contains(&shown.as_str());
        if lines > MAX_LINES && !excused {
            long.push(format!("{shown}: {lines} lines (at most {MAX_LINES})"));
        }
        if lines <= MAX_LINES && excused {
            long.push(format!(
                "{shown} is {lines} lines now: remove it from LONG_FILES_BEING_SPLIT"
            ));
        }
    }
    assert!(long.is_empty(), "{}", long.join("\n"));
}

#[test]
fn the_scan_sees_grouped_and_inline_imports() {
    // Split so that this file's own scan does not read the sample as imports.
    let text = concat!(
        "use crate",
        "::{cli::digest, lock::{file, walk}, plan};\n",
        "// crate",
        "::build in a comment is not an import\n",
        "let x = crate",
        "::emit::render(); // and crate",
        "::run here neither\n",
    );
    let names: Vec<String> = imports(text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["cli", "lock", "plan", "emit"]);
    assert!(forbidden("verify", "cli").is_some());
    assert!(forbidden("lock", "plan").is_some());
    assert!(forbidden("emit", "build").is_some());
    assert!(forbidden("plan", "lock").is_none());
    assert!(forbidden("cli", "cli").is_none());
}
