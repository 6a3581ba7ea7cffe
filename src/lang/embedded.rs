//! The built-in modules: every file under the repository's `modules/` folder, embedded
//! at compile time (see `build.rs`) so that every way of installing envc finds the same
//! modules. Reached from Nix code as `<envc/NAME>`.

/// `(path relative to modules/, text)`, sorted by path.
static MODULES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/modules.rs"));

/// The embedded module `name` (`lib.nix`, `python-uv`, `python-uv.nix`,
/// `python-uv/default.nix`): its path relative to `modules/` and its text.
pub fn embedded_module(name: &str) -> Option<(&'static str, &'static str)> {
    let name = name.trim_start_matches("./").trim_end_matches('/');
    let candidates = [
        name.to_string(),
        format!("{name}.nix"),
        format!("{name}/default.nix"),
    ];
    candidates
        .iter()
        .find_map(|c| MODULES.iter().find(|(path, _)| path == c).copied())
}

/// The text of the embedded file at exactly `path` (relative to `modules/`).
pub fn file(path: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}

/// Whether `path` is an embedded file or folder.
pub fn exists(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path.is_empty() || file(path).is_some() || is_dir(path)
}

pub fn is_dir(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return true;
    }
    let prefix = format!("{path}/");
    MODULES.iter().any(|(p, _)| p.starts_with(&prefix))
}

/// The entries directly inside embedded folder `path` (`""` for the top): name and
/// whether it is a folder.
pub fn read_dir(path: &str) -> Vec<(String, bool)> {
    let path = path.trim_end_matches('/');
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    };
    let mut out: Vec<(String, bool)> = Vec::new();
    for (p, _) in MODULES {
        if let Some(rest) = p.strip_prefix(&prefix) {
            let (name, is_dir) = match rest.split_once('/') {
                Some((dir, _)) => (dir.to_string(), true),
                None => (rest.to_string(), false),
            };
            if !out.iter().any(|(n, _)| *n == name) {
                out.push((name, is_dir));
            }
        }
    }
    out
}

/// Top-level module names, for "did you mean" help.
pub fn names() -> Vec<String> {
    read_dir("")
        .into_iter()
        .map(|(name, _)| name.trim_end_matches(".nix").to_string())
        .collect()
}
