//! The one error type of the step executor, and which exit code each variant means.
//!
//! A step that ran and failed is a found failure (exit 1) and carries what a person needs to
//! fix it: which step, the command it ran, and the last lines of its output. Missing host
//! tools are environment problems (exit 3); a wrong archive or download hash or an unknown
//! owner is the input's fault (exit 2).

use std::path::PathBuf;

use crate::engine::EngineError;
use crate::exit::{Failure, Report};

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BuildError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),

    /// A step's command exited with a non-zero status.
    #[error("step {number}/{total} `{label}` failed with exit status {code}")]
    #[diagnostic(help("{}", step_help(command, tail)))]
    StepFailed {
        number: usize,
        total: usize,
        label: String,
        command: String,
        code: i64,
        tail: Vec<String>,
    },

    /// A host program envc runs is not installed.
    #[error("`{program}` is not installed on this machine")]
    #[diagnostic(help(
        "install the Debian/Ubuntu package `{package}` (`apt-get install {package}`)"
    ))]
    MissingProgram {
        program: &'static str,
        package: &'static str,
    },

    /// debootstrap ran and failed.
    #[error("`debootstrap` of `{suite}` failed with exit status {code}")]
    #[diagnostic(help("{}", tail.join("\n")))]
    Debootstrap {
        suite: String,
        code: i32,
        tail: Vec<String>,
    },

    /// The bootstrapped package set is not the one in the lock.
    #[error("debootstrap of `{suite}` installed other package versions than `envc.lock` records: {}", differences.join(", "))]
    #[diagnostic(help(
        "the mirror has moved on: pin a `snapshot` in the base, or run `envc lock` to accept the new versions"
    ))]
    DebootstrapDrift {
        suite: String,
        differences: Vec<String>,
    },

    /// The image archive on disk is not the one the config pins.
    #[error("the image archive `{path}` has SHA-256 `{found}`, the config pins `{expected}`")]
    #[diagnostic(help("update `base.archive.sha256` if the new archive is intended"))]
    ArchiveMismatch {
        path: String,
        expected: String,
        found: String,
    },

    /// A download could not be fetched (boxed: it is large).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Download(Box<crate::lock::resolve::ResolveError>),

    /// A download is not the file its pin names.
    #[error("download `{url}` has SHA-256 {found}, the config or lock pins {expected}")]
    #[diagnostic(help(
        "nothing was kept; if the new file is intended, update its `sha256` in the config (or run `envc lock`)"
    ))]
    DownloadMismatch {
        url: String,
        expected: String,
        found: String,
    },

    /// A file in the download cache is not what its name says (changed on disk).
    #[error("the cached download `{}` does not have the SHA-256 it is named after", path.display())]
    #[diagnostic(help("it was removed; run the build again to fetch it anew"))]
    DownloadCorrupt { path: PathBuf },

    /// A project file changed between planning and copying.
    #[error("`{path}` changed while the build was reading it")]
    #[diagnostic(help("run the build again"))]
    FileChanged { path: String },

    /// A file step's owner does not exist in the image.
    #[error("file step `{target}`: owner `{owner}` {reason}")]
    #[diagnostic(help(
        "use `user:group` names that exist in the image (or numeric ids), or create them in an earlier step"
    ))]
    Owner {
        target: String,
        owner: String,
        reason: String,
    },

    /// The host CA bundle was asked for and none was found.
    #[error("`build_host.ca_certificates` is set but no CA bundle was found on this machine")]
    #[diagnostic(help(
        "install `ca-certificates`, or point `SSL_CERT_FILE` at the bundle to lend to build steps"
    ))]
    NoCaBundle,

    /// A build secret's host file cannot be read.
    #[error("build secret `{id}`: cannot read `{}`", path.display())]
    Secret {
        id: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Local I/O around the build failed (temporary files, lock files, project files).
    #[error("{action}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
}

fn step_help(command: &str, tail: &[String]) -> String {
    let mut help = format!("command:\n{}", indent(command));
    if tail.is_empty() {
        help.push_str("\n(the step printed nothing)");
    } else {
        help.push_str(&format!(
            "\nlast {} lines of output:\n{}",
            tail.len(),
            indent(&tail.join("\n"))
        ));
    }
    if let Some(hint) = vanished_pin_hint(tail) {
        help.push('\n');
        help.push_str(hint);
    }
    help
}

/// apt's words for a locked version the mirror no longer has: backports, security and
/// unstable keep only their newest version, so a lock from last month can name one that is
/// gone. The fix is a new lock, not a retry.
fn vanished_pin_hint(tail: &[String]) -> Option<&'static str> {
    tail.iter()
        .any(|l| l.contains("E: Version '") && l.contains("was not found"))
        .then_some(
            "the mirror no longer carries a locked version (backports, security and \
             unstable keep only their newest one): run `envc lock` to pin the versions it has \
             now, check the diff of envc.lock and commit it",
        )
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl BuildError {
    pub fn io(action: impl Into<String>, source: std::io::Error) -> Self {
        BuildError::Io {
            action: action.into(),
            source,
        }
    }

    /// Which kind of failure this is, for the exit code.
    pub fn failure(&self) -> Failure {
        match self {
            BuildError::Engine(e) => e.failure(),
            BuildError::Download(e) => e.failure(),
            BuildError::StepFailed { .. }
            | BuildError::Debootstrap { .. }
            | BuildError::DebootstrapDrift { .. }
            | BuildError::FileChanged { .. }
            | BuildError::DownloadCorrupt { .. } => Failure::Found,
            BuildError::ArchiveMismatch { .. }
            | BuildError::DownloadMismatch { .. }
            | BuildError::Owner { .. }
            | BuildError::Secret { .. } => Failure::Input,
            BuildError::MissingProgram { .. } | BuildError::NoCaBundle | BuildError::Io { .. } => {
                Failure::Environment
            }
        }
    }

    /// The signal that stopped the build, when it was interrupted.
    pub fn interrupted(&self) -> Option<crate::engine::Signal> {
        match self {
            BuildError::Engine(EngineError::Interrupted { signal }) => Some(*signal),
            _ => None,
        }
    }
}

impl From<BuildError> for Report {
    fn from(error: BuildError) -> Self {
        Report::new(error.failure(), error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_the_mirror_dropped_asks_for_a_new_lock() {
        let tail = ["E: Version '1.97.1+dfsg1-1~bpo13+1' for 'cargo' was not found".to_owned()];
        let help = step_help("apt-get install cargo=1.97.1+dfsg1-1~bpo13+1", &tail);
        assert!(help.contains("run `envc lock`"), "{help}");
        let other = ["E: Unable to locate package nope".to_owned()];
        assert!(!step_help("apt-get install nope", &other).contains("envc lock"));
    }
}
