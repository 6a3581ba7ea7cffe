//! Path literals and search paths: lexical normalisation, resolution against the file's
//! folder, and `<envc/NAME>`, which names the embedded `modules/` folder.
//!
//! Embedded modules live under a virtual absolute folder, [`EMBEDDED_ROOT`], so that
//! relative imports between built-in modules work like any other path; the I/O layer
//! serves that folder from the binary.

use std::path::{Component, Path, PathBuf};

use super::embedded;
use super::error::ErrorKind;
use super::expr::Expr;
use super::value::Value;

/// The virtual folder that holds the embedded modules (`<envc/lib.nix>` is
/// `/<envc>/lib.nix`).
pub const EMBEDDED_ROOT: &str = "/<envc>";

/// Remove `.` and `..` components lexically, as Nix does for path values (`..` at the
/// root stays at the root).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::RootDir | Component::Prefix(_) | Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(c) => out.push(c),
        }
    }
    out
}

/// Resolve the text of a path literal (`./a`, `a/b`, `/abs`) written in a file in `dir`.
pub fn resolve_literal(dir: &Path, text: &str) -> PathBuf {
    if text.starts_with('/') {
        normalize(Path::new(text))
    } else {
        normalize(&dir.join(text))
    }
}

/// `<NAME>`: only `<envc/...>` exists; anything else is an evaluation-time error, so
/// that an unused reference does not break a file (as in Nix).
pub fn search_path(name: &str) -> Expr {
    let Some(rest) = name.strip_prefix("envc/") else {
        return Expr::Error(
            ErrorKind::Hermetic,
            format!("search path `<{name}>` is not available: envc evaluation is hermetic"),
            Some(
                "only `<envc/NAME>` (the built-in modules) can be used; use a relative path for your own files"
                    .into(),
            ),
        );
    };
    let rest = rest.trim_end_matches('/');
    let candidates = [rest.to_string(), format!("{rest}.nix")];
    for candidate in candidates {
        if embedded::exists(&candidate) {
            let path = normalize(&Path::new(EMBEDDED_ROOT).join(&candidate));
            return Expr::Const(Value::Path(path.into()));
        }
    }
    Expr::Error(
        ErrorKind::Eval,
        format!("built-in module `<envc/{rest}>` does not exist"),
        Some(format!(
            "the built-in modules are: {}",
            embedded::names().join(", ")
        )),
    )
}

/// The embedded-module name for a path under [`EMBEDDED_ROOT`], if it is one.
pub fn embedded_name(path: &Path) -> Option<String> {
    let rest = path.strip_prefix(EMBEDDED_ROOT).ok()?;
    Some(rest.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_nix() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("/../x")), PathBuf::from("/x"));
        assert_eq!(
            resolve_literal(Path::new("/p/q"), "./r/../s"),
            PathBuf::from("/p/q/s")
        );
        assert_eq!(
            resolve_literal(Path::new("/p/q"), "../s"),
            PathBuf::from("/p/s")
        );
        assert_eq!(
            resolve_literal(Path::new("/p"), "/abs//x/"),
            PathBuf::from("/abs/x")
        );
    }
}
