//! The detectors: one per kind of file a project may already have. Container descriptions
//! run first (they choose the base), then the language and build-system files.

pub mod apptainer;
pub mod devcontainer;
mod devcontainer_run;
pub mod dockerfile;
pub mod native;
pub mod node;
pub mod python;
pub mod rust;

use super::draft::{Draft, Origin};
use super::files::{Project, Unreadable};

/// The text of `rel`; `None` when there is no such file, or (with a note saying why) when it
/// cannot be read.
pub fn read_text(project: &Project, draft: &mut Draft, rel: &str) -> Option<String> {
    match project.read_text(rel) {
        Ok(text) => Some(text),
        Err(Unreadable::Missing) => None,
        Err(Unreadable::Refused(why)) => {
            draft.skip(&Origin::new(rel, None), format!("not read: {why}"));
            None
        }
    }
}

/// Run every detector on `project`.
pub fn all(project: &Project, draft: &mut Draft) {
    devcontainer::detect(project, draft);
    // A devcontainer.json may have read the root Dockerfile already.
    if !draft.sources.iter().any(|s| s == "Dockerfile") {
        dockerfile::detect(project, draft, "Dockerfile");
    }
    apptainer::detect(project, draft);
    python::detect(project, draft);
    rust::detect(project, draft);
    node::detect(project, draft);
    native::detect(project, draft);
}

/// A name envc accepts (`Name`): lowercase letters, digits, `.`, `_`, `-`, starting with a
/// letter or digit; `project` when nothing is left.
pub fn slug(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 63 {
            break;
        }
    }
    let out = out
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned();
    if out.is_empty() {
        "project".into()
    } else {
        out
    }
}
