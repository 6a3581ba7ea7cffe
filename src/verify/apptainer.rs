//! `envc verify --cross`, Apptainer side: `apptainer build` from the emitted `.def` must
//! give the files of envc's image.
//!
//! The SIF is built the way `envc build --target apptainer --builder apptainer` builds it
//! (see `crate::apptainer::from_def`), under a temporary name in envc's SIF cache folder, and
//! removed after its partition was listed, whatever happened. Apptainer comes from
//! `ENVC_APPTAINER` or `PATH`; without it the check fails (never passes silently) and says
//! what to install.

use std::path::Path;

use crate::apptainer::cache::sif_dir;
use crate::apptainer::from_def::{ToolOutput, apptainer_build};
use crate::apptainer::tool;
use crate::plan::Plan;
use crate::rootfs::Listing;
use crate::spec::Spec;

use super::Check;
use super::check::{compare, not_built};

pub const NAME: &str = "cross-builder (apptainer build = envc)";

/// Build `plan`'s emitted `.def` with `apptainer build` and compare the SIF's files with
/// `envc`, the listing of envc's finished image (`None` when it is not built).
pub fn check(spec: &Spec, plan: &Plan, project_root: &Path, envc: Option<&Listing>) -> Check {
    let Some(envc) = envc else {
        return not_built(NAME, plan);
    };
    let Some(apptainer) = tool::find() else {
        return Check::fail(
            NAME,
            vec![
                "`apptainer` is not installed (`ENVC_APPTAINER` unset and none on PATH)".to_owned(),
                "install the `apptainer` package (Debian: from sid; RHEL/Rocky: EPEL), load it \
                 with `module load apptainer`, or set `ENVC_APPTAINER` to its path"
                    .to_owned(),
            ],
        );
    };
    let dir = sif_dir();
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return Check::fail(
            NAME,
            vec![format!("cannot create `{}`: {e}", dir.display())],
        );
    }
    let out = dir.join(format!(
        ".envc-verify-{}-{}.sif",
        plan.key().short(),
        std::process::id()
    ));
    let def = match crate::emit::apptainer::definition(spec, plan) {
        Ok(def) => def,
        Err(e) => return Check::fail(NAME, vec![format!("{e}: {}", e.source)]),
    };
    let built = apptainer_build(
        &apptainer,
        &def,
        project_root,
        &out,
        (&plan.key().hex(), serde_json::Value::Null),
        ToolOutput::Captured,
    );
    // The temporary SIF goes whatever happened (it is only written on success).
    let removed = match std::fs::remove_file(&out) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Some(format!(
            "could not remove the temporary SIF `{}`: {e}",
            out.display()
        )),
        _ => None,
    };
    let mut check = match built {
        Ok(built) => compare(NAME, envc, &built.listing, "`apptainer build`'s SIF"),
        Err(e) => {
            let text = crate::error_chain::error_chain(&e);
            let mut details = vec!["`apptainer build` of the emitted `.def` failed:".to_owned()];
            details.extend(text.lines().map(str::to_owned));
            Check::fail(NAME, details)
        }
    };
    check.details.extend(removed);
    check
}
