//! Finding the `apptainer` binary, or saying clearly what to install.
//!
//! Building a SIF natively needs no Apptainer; running one, and `--builder apptainer`, do.
//! `ENVC_APPTAINER` names the binary explicitly (a wrapper script, a module-loaded path).

use std::path::{Path, PathBuf};

use crate::exit::Report;

/// Why there is no usable Apptainer.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`apptainer` is not installed (needed to {purpose})")]
#[diagnostic(help(
    "install the `apptainer` package (Debian: `apt-get install apptainer` from sid; \
     RHEL/Rocky: `dnf install apptainer` from EPEL), load it with `module load apptainer` \
     on a cluster, or set `ENVC_APPTAINER` to its path"
))]
pub struct MissingApptainer {
    pub purpose: &'static str,
}

/// The `apptainer` to run for `purpose` (said in the error when there is none).
pub fn apptainer(purpose: &'static str) -> Result<PathBuf, Report> {
    find().ok_or_else(|| Report::environment(MissingApptainer { purpose }))
}

/// `ENVC_APPTAINER` when set (and executable), else `apptainer` on `PATH`.
pub fn find() -> Option<PathBuf> {
    if let Some(explicit) = std::env::var_os("ENVC_APPTAINER").filter(|v| !v.is_empty()) {
        let path = PathBuf::from(explicit);
        return is_executable(&path).then_some(path);
    }
    find_in_path("apptainer")
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
