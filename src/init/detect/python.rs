//! Python projects: pip requirements from (best first) `uv.lock` or `poetry.lock` (exact
//! versions), else `requirements.txt` (followed through `-r` includes), else
//! `pyproject.toml` (PEP 621 `[project].dependencies`, or Poetry's
//! `[tool.poetry.dependencies]` with its `^`/`~` constraints translated). Any of them also
//! brings Debian's `python3` and `python3-pip`.

use crate::init::draft::{Draft, Origin, short};
use crate::init::files::Project;

/// How deep `-r other.txt` includes are followed.
const MAX_INCLUDE_DEPTH: usize = 8;

pub fn detect(project: &Project, draft: &mut Draft) {
    let mut found = false;
    if let Some(text) = super::read_text(project, draft, "uv.lock") {
        found = true;
        lock_packages(draft, "uv.lock", &text, LockKind::Uv);
    } else if let Some(text) = super::read_text(project, draft, "poetry.lock") {
        found = true;
        lock_packages(draft, "poetry.lock", &text, LockKind::Poetry);
    } else if project.exists("requirements.txt") {
        found = true;
        let mut seen = Vec::new();
        requirements(project, draft, "requirements.txt", 0, &mut seen);
    } else if let Some(text) = super::read_text(project, draft, "pyproject.toml") {
        found = true;
        pyproject(draft, &text);
    }
    if !found && !project.has("pyproject.toml") && !project.has("setup.py") {
        return;
    }
    let origin = Origin::new(
        if project.has("pyproject.toml") {
            "pyproject.toml"
        } else if project.exists("requirements.txt") {
            "requirements.txt"
        } else {
            "setup.py"
        },
        None,
    );
    draft.add_apt(&origin, "python3");
    draft.add_apt(&origin, "python3-pip");
    if project.has("pyproject.toml") || project.has("setup.py") {
        draft.skip(
            &origin,
            "the project itself is not installed into the image (run `pip install -e .` in the environment)",
        );
    }
}

/// One `requirements.txt` (and what it includes).
fn requirements(
    project: &Project,
    draft: &mut Draft,
    rel: &str,
    depth: usize,
    seen: &mut Vec<String>,
) {
    if seen.iter().any(|s| s == rel) {
        return;
    }
    seen.push(rel.to_owned());
    let Some(text) = super::read_text(project, draft, rel) else {
        return;
    };
    draft.sources.push(rel.to_owned());
    for (line, raw) in logical_lines(&text) {
        let origin = Origin::new(rel, Some(line));
        let raw = raw.as_str();
        // `#` starts a comment at the line start or after whitespace.
        let line = match raw.find(" #").or_else(|| raw.starts_with('#').then_some(0)) {
            Some(at) => &raw[..at],
            None => raw,
        }
        .trim();
        if line.is_empty() {
            continue;
        }
        if let Some(include) = line
            .strip_prefix("-r ")
            .or_else(|| line.strip_prefix("--requirement "))
            .or_else(|| line.strip_prefix("-r"))
        {
            let include = include.trim();
            if depth >= MAX_INCLUDE_DEPTH {
                draft.skip(&origin, format!("`-r {include}`: includes nest too deep"));
                continue;
            }
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            let path = if dir.is_empty() {
                include.to_owned()
            } else {
                format!("{dir}/{include}")
            };
            requirements(project, draft, &path, depth + 1, seen);
            continue;
        }
        if line.starts_with('-') {
            draft.skip(&origin, format!("pip option `{}`", short(line)));
            continue;
        }
        // Hashes and per-requirement options follow the specifier.
        let spec = line.split(" --").next().unwrap_or(line).trim();
        if spec.contains("://") || spec.starts_with('.') || spec.starts_with('/') {
            draft.skip(
                &origin,
                format!("`{}`: a URL or path requirement", short(spec)),
            );
            continue;
        }
        draft.add_pip(&origin, spec);
    }
}

/// Lines with backslash-newline continuations joined, each with its first line's number.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let (start, mut buf) = current.take().unwrap_or((i + 1, String::new()));
        match line.strip_suffix('\\') {
            Some(part) => {
                buf.push_str(part);
                buf.push(' ');
                current = Some((start, buf));
            }
            None => {
                buf.push_str(line);
                out.push((start, buf));
            }
        }
    }
    out.extend(current);
    out
}

#[derive(Clone, Copy)]
enum LockKind {
    Uv,
    Poetry,
}

/// `name==version` for every locked package (the project itself and editable or path
/// packages excluded).
fn lock_packages(draft: &mut Draft, rel: &str, text: &str, kind: LockKind) {
    let origin = Origin::new(rel, None);
    let doc: toml::Table = match toml::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            draft.skip(&origin, format!("not read: {}", short(e.message())));
            return;
        }
    };
    draft.sources.push(rel.to_owned());
    let Some(packages) = doc.get("package").and_then(|p| p.as_array()) else {
        draft.skip(&origin, "no `[[package]]` entries");
        return;
    };
    for package in packages {
        let name = package.get("name").and_then(|v| v.as_str());
        let version = package.get("version").and_then(|v| v.as_str());
        let (Some(name), Some(version)) = (name, version) else {
            continue;
        };
        let local = match kind {
            LockKind::Uv => package
                .get("source")
                .and_then(|s| s.as_table())
                .is_some_and(|s| {
                    s.contains_key("editable")
                        || s.contains_key("virtual")
                        || s.contains_key("path")
                        || s.contains_key("directory")
                }),
            LockKind::Poetry => package
                .get("source")
                .and_then(|s| s.get("type"))
                .and_then(|t| t.as_str())
                .is_some_and(|t| matches!(t, "directory" | "file" | "git" | "url")),
        };
        if local {
            draft.skip(&origin, format!("`{name}`: a local or VCS package"));
            continue;
        }
        draft.add_pip(&origin, &format!("{name}=={version}"));
    }
}

/// `[project].dependencies` or `[tool.poetry.dependencies]`.
fn pyproject(draft: &mut Draft, text: &str) {
    let origin = Origin::new("pyproject.toml", None);
    let doc: toml::Table = match toml::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            draft.skip(&origin, format!("not read: {}", short(e.message())));
            return;
        }
    };
    draft.sources.push("pyproject.toml".into());
    if let Some(deps) = doc
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_array())
    {
        for dep in deps {
            match dep.as_str() {
                Some(d) => draft.add_pip(&origin, d.trim()),
                None => draft.skip(&origin, "a dependency that is not a string"),
            }
        }
        return;
    }
    let Some(deps) = doc
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_table())
    else {
        return;
    };
    for (name, constraint) in deps {
        if name == "python" {
            continue;
        }
        let version = match constraint {
            toml::Value::String(s) => Some(s.as_str()),
            toml::Value::Table(t) => t.get("version").and_then(|v| v.as_str()),
            _ => None,
        };
        match version.and_then(poetry_constraint) {
            Some(spec) => draft.add_pip(&origin, &format!("{name}{spec}")),
            None => draft.skip(
                &origin,
                format!("`{name}`: a Poetry dependency without a version envc can translate"),
            ),
        }
    }
}

/// Poetry's `^1.2.3`, `~1.2`, `*`, `>=1,<2`, `1.2.3` as a PEP 440 specifier (`""` for any).
fn poetry_constraint(c: &str) -> Option<String> {
    let c = c.trim();
    if c == "*" || c.is_empty() {
        return Some(String::new());
    }
    let parts = |v: &str| -> Option<Vec<u64>> { v.split('.').map(|p| p.parse().ok()).collect() };
    if let Some(v) = c.strip_prefix('^') {
        let nums = parts(v.trim())?;
        // The upper bound bumps the first non-zero component.
        let i = nums.iter().position(|&n| n != 0).unwrap_or(nums.len() - 1);
        let mut upper: Vec<u64> = nums[..=i].to_vec();
        upper[i] += 1;
        return Some(format!(">={},<{}", v.trim(), join(&upper)));
    }
    if let Some(v) = c.strip_prefix('~').filter(|v| !v.starts_with('=')) {
        let nums = parts(v.trim())?;
        let mut upper: Vec<u64> = if nums.len() == 1 {
            nums.clone()
        } else {
            nums[..2].to_vec()
        };
        let last = upper.len() - 1;
        upper[last] += 1;
        return Some(format!(">={},<{}", v.trim(), join(&upper)));
    }
    if c.starts_with(|ch: char| ch.is_ascii_digit()) {
        return Some(format!("=={c}"));
    }
    if c.starts_with(['>', '<', '=', '!', '~']) {
        return Some(c.replace(' ', ""));
    }
    None
}

fn join(nums: &[u64]) -> String {
    nums.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poetry_constraints_become_pep440() {
        assert_eq!(poetry_constraint("^1.2.3").unwrap(), ">=1.2.3,<2");
        assert_eq!(poetry_constraint("^0.2.3").unwrap(), ">=0.2.3,<0.3");
        assert_eq!(poetry_constraint("~1.2.3").unwrap(), ">=1.2.3,<1.3");
        assert_eq!(poetry_constraint("2.31.0").unwrap(), "==2.31.0");
        assert_eq!(poetry_constraint(">= 1, < 2").unwrap(), ">=1,<2");
        assert_eq!(poetry_constraint("*").unwrap(), "");
        assert!(poetry_constraint("^x").is_none());
    }
}
