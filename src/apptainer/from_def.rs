//! `--builder apptainer`: the SIF built by `apptainer build` from the emitted `.def`,
//! the way a user without envc would, so `verify` can cross-check the native SIF.
//!
//! The `.def` is written into a private build folder next to the output and built from the
//! project root (its `%files` paths are relative to it). Unprivileged, Apptainer runs
//! `%post` in a user namespace (`--fakeroot` when `/etc/subuid` maps the user, else a
//! root-mapped namespace), which it chooses by itself.
//!
//! envc then records what it built: the rootfs digest of the SIF's partition (computed by
//! envc, like for a native SIF) and the plan key go into envc's metadata object
//! (`envc.json`), added with `apptainer sif add` itself, so `envc verify` and the SIF
//! cache read an `apptainer build` SIF the same way as a native one. The result is renamed
//! into place only when all of that succeeded.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::rootfs::Listing;
use crate::sif::list_sif;
use crate::sif::metadata::{EnvcMetadata, OBJECT_NAME};

/// Why `apptainer build` gave no SIF.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ApptainerBuildError {
    #[error("cannot {what} in `{}`", dir.display())]
    Io {
        what: &'static str,
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot run `{}`", apptainer.display())]
    Spawn {
        apptainer: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`apptainer {command}` failed ({status}) on the emitted `.def`{tail}")]
    #[diagnostic(help(
        "run `envc emit --out DIR` and `apptainer build x.sif DIR/apptainer.def` from the \
         project root to see the whole output"
    ))]
    Failed {
        command: &'static str,
        status: std::process::ExitStatus,
        /// The last lines of its output, on their own lines.
        tail: String,
    },
    #[error("the SIF `apptainer build` wrote cannot be read: {reason}")]
    Unreadable { reason: String },
}

/// What was built: the files of the SIF's partition (their digest is recorded).
#[derive(Debug, Clone)]
pub struct Built {
    pub listing: Listing,
}

/// How `apptainer`'s own output is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolOutput {
    /// Shown on stderr as it runs (`envc build`).
    Stderr,
    /// Captured; its last lines go into the error (`envc verify`, whose stdout is a report).
    Captured,
}

/// Build `out` with `apptainer` from `def_text`, in `project_root`, and record `plan_key`,
/// `manifest` and the partition's rootfs digest in envc's metadata object.
pub fn apptainer_build(
    apptainer: &Path,
    def_text: &str,
    project_root: &Path,
    out: &Path,
    record: (&str, serde_json::Value),
    output: ToolOutput,
) -> Result<Built, ApptainerBuildError> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let io = |what: &'static str, source: std::io::Error| ApptainerBuildError::Io {
        what,
        dir: dir.to_path_buf(),
        source,
    };
    let work = tempfile::Builder::new()
        .prefix(".envc-apptainer-")
        .tempdir_in(dir)
        .map_err(|e| io("make a build folder", e))?;
    let def = work.path().join("apptainer.def");
    std::fs::write(&def, def_text).map_err(|e| io("write the `.def`", e))?;
    let partial = work.path().join("image.sif");
    let mut build = Command::new(apptainer);
    build
        .arg("build")
        .arg(&partial)
        .arg(&def)
        .current_dir(project_root);
    run(apptainer, &mut build, "build", output)?;

    let listing = list_sif(&partial).map_err(|e| ApptainerBuildError::Unreadable {
        reason: crate::error_chain::error_chain(&e),
    })?;
    let rootfs_digest = listing.digest();
    let (plan_key, manifest) = record;
    let metadata = EnvcMetadata::new(plan_key.to_owned(), rootfs_digest, manifest);
    let metadata_file = work.path().join(OBJECT_NAME);
    std::fs::write(&metadata_file, metadata.to_bytes())
        .map_err(|e| io("write envc's metadata", e))?;
    // Data type 6 is SIF's generic JSON; `--filename` names the object.
    let mut add = Command::new(apptainer);
    add.args(["sif", "add", "--datatype", "6", "--filename", OBJECT_NAME])
        .arg(&partial)
        .arg(&metadata_file);
    run(apptainer, &mut add, "sif add", output)?;
    std::fs::rename(&partial, out).map_err(|e| io("move the built SIF", e))?;
    Ok(Built { listing })
}

fn run(
    apptainer: &Path,
    command: &mut Command,
    name: &'static str,
    output: ToolOutput,
) -> Result<(), ApptainerBuildError> {
    let spawn = |source| ApptainerBuildError::Spawn {
        apptainer: apptainer.to_path_buf(),
        source,
    };
    command.stdin(Stdio::null());
    let result: Output = match output {
        ToolOutput::Stderr => {
            // Its progress goes to stderr: envc's stdout is the SIF's path and key.
            command.stdout(std::io::stderr());
            let status = command.status().map_err(spawn)?;
            Output {
                status,
                stdout: Vec::new(),
                stderr: Vec::new(),
            }
        }
        ToolOutput::Captured => command.output().map_err(spawn)?,
    };
    if result.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    let tail: String = lines[lines.len().saturating_sub(20)..]
        .iter()
        .map(|l| format!("\n  {l}"))
        .collect();
    Err(ApptainerBuildError::Failed {
        command: name,
        status: result.status,
        tail,
    })
}
