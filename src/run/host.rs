//! Facts about the host that a run manifest's placeholders stand for, read when an
//! environment starts: who runs envc (`{user}`, `{uid}`, `{gid}`, `{home}`), where the
//! project is (`{project}`, `{project_slug}`), which variant (`{variant}`) and the host's
//! environment (`{env:NAME}`).
//!
//! Evaluation never reads the host; this is the one place that does, so the same config gives
//! the same spec everywhere and only the started container differs.

use std::ffi::CStr;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::spec::placeholder;

/// The host's side of the placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFacts {
    pub user: String,
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
    /// The project root (absolute).
    pub project: PathBuf,
    /// `<folder name>-<8 hex of the project path's hash>`: unique per checkout.
    pub project_slug: String,
    pub variant: Option<String>,
}

/// A placeholder that cannot be filled on this host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum FillError {
    #[error("`{{env:{name}}}` in `{text}`: `{name}` is not set on the host")]
    #[diagnostic(help("set `{name}` before starting the environment, or remove the placeholder"))]
    UnsetEnv { name: String, text: String },
    #[error("unknown placeholder `{{{name}}}` in `{text}`")]
    Unknown { name: String, text: String },
}

impl HostFacts {
    /// Read the facts for the project at `project` (absolute) and `variant`.
    pub fn read(project: &Path, variant: Option<&str>) -> HostFacts {
        // SAFETY: getuid/getgid cannot fail and touch no memory.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        let (passwd_name, passwd_home) = passwd_entry(uid);
        let user = passwd_name
            .or_else(|| std::env::var("USER").ok().filter(|u| valid_user_name(u)))
            .unwrap_or_else(|| format!("user{uid}"));
        let home = passwd_home
            .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(format!("/home/{user}")));
        HostFacts {
            user,
            uid,
            gid,
            home,
            project: project.to_path_buf(),
            project_slug: project_slug(project),
            variant: variant.map(str::to_owned),
        }
    }

    /// Fill every placeholder in `text` (`{{`/`}}` become literal braces).
    pub fn fill(&self, text: &str) -> Result<String, FillError> {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for occurrence in placeholder::scan(text) {
            out.push_str(&unescape(&text[last..occurrence.range.start]));
            last = occurrence.range.end;
            let name = occurrence.name.as_str();
            let value = match name {
                "user" => self.user.clone(),
                "uid" => self.uid.to_string(),
                "gid" => self.gid.to_string(),
                "home" => self.home.display().to_string(),
                "project" => self.project.display().to_string(),
                "project_slug" => self.project_slug.clone(),
                "variant" => self.variant.clone().unwrap_or_default(),
                _ => match name.strip_prefix("env:") {
                    Some(var) => std::env::var(var).map_err(|_| FillError::UnsetEnv {
                        name: var.to_owned(),
                        text: text.to_owned(),
                    })?,
                    None => {
                        return Err(FillError::Unknown {
                            name: name.to_owned(),
                            text: text.to_owned(),
                        });
                    }
                },
            };
            out.push_str(&value);
        }
        out.push_str(&unescape(&text[last..]));
        Ok(out)
    }
}

/// `{{` and `}}` are literal braces outside placeholders.
fn unescape(text: &str) -> String {
    text.replace("{{", "{").replace("}}", "}")
}

/// A project's slug: its folder name (lowercase, `[a-z0-9_.-]`) and 8 hex digits of the hash
/// of its absolute path, so two checkouts of one repository never share containers.
pub fn project_slug(project: &Path) -> String {
    let base: String = project
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let base = base.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let base = if base.is_empty() { "project" } else { base };
    let hash = Sha256::digest(project.as_os_str().as_encoded_bytes());
    format!("{base}-{}", &hex::encode(hash)[..8])
}

fn valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The host's passwd entry for `uid`: its name and home, when it has one.
fn passwd_entry(uid: u32) -> (Option<String>, Option<PathBuf>) {
    let mut buffer = vec![0 as libc::c_char; 16 * 1024];
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer refers to live memory of the stated size; the strings read
    // below point into `buffer`, which outlives them.
    let status = unsafe {
        libc::getpwuid_r(
            uid,
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        )
    };
    if status != 0 || found.is_null() {
        return (None, None);
    }
    let text = |ptr: *const libc::c_char| {
        (!ptr.is_null())
            .then(|| {
                unsafe { CStr::from_ptr(ptr) }
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|s| !s.is_empty())
    };
    let name = text(entry.pw_name).filter(|n| valid_user_name(n));
    let home = text(entry.pw_dir).map(PathBuf::from);
    (name, home)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> HostFacts {
        HostFacts {
            user: "ada".into(),
            uid: 1234,
            gid: 2345,
            home: "/home/ada".into(),
            project: "/src/My Proj".into(),
            project_slug: project_slug(Path::new("/src/My Proj")),
            variant: Some("gpu".into()),
        }
    }

    #[test]
    fn fills_every_placeholder_and_keeps_shell_syntax() {
        let f = facts();
        assert_eq!(
            f.fill("{user}:{uid}:{gid} {home} {variant} ${HOME} {{x}}")
                .unwrap(),
            "ada:1234:2345 /home/ada gpu ${HOME} {x}"
        );
        assert!(f.fill("{project_slug}").unwrap().starts_with("my-proj-"));
    }

    #[test]
    fn an_unset_env_placeholder_is_an_error() {
        let err = facts()
            .fill("{env:ENVC_SURELY_UNSET_VARIABLE}")
            .unwrap_err();
        assert!(matches!(err, FillError::UnsetEnv { .. }));
    }

    #[test]
    fn two_checkouts_get_different_slugs() {
        let a = project_slug(Path::new("/a/repo"));
        let b = project_slug(Path::new("/b/repo"));
        assert_ne!(a, b);
        assert!(a.starts_with("repo-") && b.starts_with("repo-"));
    }
}
