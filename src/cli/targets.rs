//! Which target a command acts on: the one `--target` names, which the config must enable
//! (`targets.docker.enable`, `targets.apptainer.enable`), or, without `--target`, the
//! enabled ones — `envc build` builds each enabled target, and the commands that enter the
//! environment use Docker unless only the Apptainer target is enabled.
//!
//! The SIF is made from the Docker image's filesystem, so an Apptainer-only config still
//! builds a Docker image on the way; it just cannot be started with `envc up`/`run`.

use std::path::Path;

use crate::exit::Report;
use crate::plan::manifest::TargetImages;
use crate::spec::Spec;

use super::build_sif::TargetArg;

/// A target the config does not enable.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("the {name} target is not enabled in `{config}`")]
#[diagnostic(help("set `{option} = true` in the config, or use the enabled target"))]
pub struct TargetDisabled {
    pub name: &'static str,
    pub option: &'static str,
    pub config: String,
}

/// The error for `target`, which `config` does not enable.
pub fn disabled(target: TargetArg, config: &Path) -> Report {
    let (name, option) = match target {
        TargetArg::Docker => ("Docker", "targets.docker.enable"),
        TargetArg::Apptainer => ("Apptainer", "targets.apptainer.enable"),
    };
    Report::input(TargetDisabled {
        name,
        option,
        config: config.display().to_string(),
    })
}

/// The targets `envc build` builds: `--target`'s (when enabled), else every enabled one.
pub fn to_build(
    spec: &Spec,
    asked: Option<TargetArg>,
    config: &Path,
) -> Result<Vec<TargetArg>, Report> {
    let enabled = |t: TargetArg| match t {
        TargetArg::Docker => spec.targets.docker.enable,
        TargetArg::Apptainer => spec.targets.apptainer.enable,
    };
    match asked {
        Some(target) if enabled(target) => Ok(vec![target]),
        Some(target) => Err(disabled(target, config)),
        None => Ok([TargetArg::Docker, TargetArg::Apptainer]
            .into_iter()
            .filter(|t| enabled(*t))
            .collect()),
    }
}

/// The target `envc run`/`shell` enter: `--target`'s (when enabled), else Docker unless
/// only Apptainer is enabled.
pub fn to_enter(
    images: &TargetImages,
    asked: Option<TargetArg>,
    config: &Path,
) -> Result<TargetArg, Report> {
    let target = asked.unwrap_or(if images.docker.is_none() && images.apptainer.is_some() {
        TargetArg::Apptainer
    } else {
        TargetArg::Docker
    });
    let enabled = match target {
        TargetArg::Docker => images.docker.is_some(),
        TargetArg::Apptainer => images.apptainer.is_some(),
    };
    if enabled {
        Ok(target)
    } else {
        Err(disabled(target, config))
    }
}
