//! `--builder apptainer`: the SIF built by `apptainer build` from the emitted `.def`,
//! the way a user without envc would, so `verify` can cross-check the native SIF.
//!
//! The `.def` is written next to the output and built from the project root (its
//! `%files` paths are relative to it). The result goes under a temporary name and is
//! renamed into place only when `apptainer build` succeeded.

use std::path::Path;
use std::process::Command;

use crate::exit::Report;

/// Build `out` with `apptainer` from `def_text`, in `project_root`.
pub fn apptainer_build(
    apptainer: &Path,
    def_text: &str,
    project_root: &Path,
    out: &Path,
) -> Result<(), Report> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let io = |what: &str, e: std::io::Error| {
        Report::environment(miette::miette!("cannot {what} in `{}`: {e}", dir.display()))
    };
    let work = tempfile::Builder::new()
        .prefix(".envc-apptainer-")
        .tempdir_in(dir)
        .map_err(|e| io("make a build folder", e))?;
    let def = work.path().join("apptainer.def");
    std::fs::write(&def, def_text).map_err(|e| io("write the `.def`", e))?;
    let partial = work.path().join("image.sif");
    let status = Command::new(apptainer)
        .arg("build")
        .arg(&partial)
        .arg(&def)
        .current_dir(project_root)
        .status()
        .map_err(|e| {
            Report::environment(miette::miette!("cannot run `{}`: {e}", apptainer.display()))
        })?;
    if !status.success() {
        return Err(Report::found(miette::miette!(
            "`apptainer build` failed ({status}) on the emitted `.def`"
        )));
    }
    std::fs::rename(&partial, out).map_err(|e| io("move the built SIF", e))?;
    Ok(())
}
