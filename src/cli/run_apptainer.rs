//! `envc run --target apptainer` and `envc shell --target apptainer`: the environment's
//! SIF (built natively when missing) run with `apptainer exec`/`shell`.
//!
//! The exit status is the command's own. `--dry-run` prints the `apptainer` command line
//! and needs neither Apptainer nor the SIF; without it, a missing `apptainer` is exit 3.

use std::os::unix::process::ExitStatusExt;
use std::process::Command;

use super::build_sif::{TargetArg, ensure_native_sif};
use super::config_args::ConfigArgs;
use super::up::{Project, evaluate_planned};
use crate::apptainer::{cache, tool};
use crate::exit::{Outcome, Report};
use crate::run::apptainer::{Action, command_line, shell_line};
use crate::run::{RunError, resolve};

/// What running in (or submitting a job to) the environment's SIF starts from.
pub struct SifEnvironment {
    pub project: Project,
    pub loaded: crate::spec::LoadedSpec,
    pub evaluated: crate::run::Evaluated,
    /// The plan the evaluation came from, for building the SIF when it is missing.
    pub planned: crate::plan::Planned,
    /// The SIF's key (the Apptainer target's).
    pub key: crate::plan::Key,
    pub facts: crate::run::HostFacts,
    pub plan: crate::run::EnvPlan,
    /// The working directory inside, from the current directory's place in the project.
    pub workdir: Option<String>,
}

impl SifEnvironment {
    pub fn open(config: &ConfigArgs) -> Result<SifEnvironment, Report> {
        let project = Project::locate(config)?;
        // One evaluation and plan: project files enter the key, so the cached evaluation
        // (which does not watch them) cannot name the SIF; the plan's stat cache keeps this
        // fast.
        let (loaded, planned, evaluated) = evaluate_planned(config)?;
        let key = evaluated
            .manifest
            .images
            .apptainer
            .as_ref()
            .map(|sif| sif.key)
            .ok_or_else(|| super::targets::disabled(TargetArg::Apptainer, &project.config))?;
        let facts = project.facts();
        let plan = resolve(&evaluated.manifest, &facts, evaluated.sudo).map_err(RunError::from)?;
        let cwd = std::env::current_dir().unwrap_or_else(|_| project.root.clone());
        let workdir = plan.workdir(&project.root, &cwd);
        Ok(SifEnvironment {
            project,
            loaded,
            evaluated,
            planned,
            key,
            facts,
            plan,
            workdir,
        })
    }

    /// The `apptainer` command line of `action` in the SIF at `sif`.
    pub fn command_line(
        &self,
        sif: &std::path::Path,
        action: &Action,
    ) -> Result<Vec<String>, Report> {
        command_line(
            &self.evaluated.manifest,
            &self.plan,
            &self.facts,
            sif,
            self.workdir.as_deref(),
            action,
        )
        .map_err(Report::input)
    }
}

/// Run `action` in the environment's SIF.
pub fn enter(config: &ConfigArgs, action: Action, dry_run: bool) -> Result<Outcome, Report> {
    let env = SifEnvironment::open(config)?;
    let (loaded, key, plan) = (&env.loaded, env.key, &env.plan);
    let sif = cache::sif_path(&key);
    let argv = env.command_line(&sif, &action)?;
    if dry_run {
        super::print_stdout(&shell_line(&argv))?;
        return Ok(Outcome::Success);
    }
    let apptainer = tool::apptainer("run the environment with `--target apptainer`")?;
    if !cache::is_current(&sif, &key) {
        // The cache registry first (no engine on that path), then a native build.
        super::registry_args::pull_sif_before_building(loaded)?;
    }
    if !cache::is_current(&sif, &key) {
        let settings = super::up::up_build_settings();
        if let Some(status) = ensure_native_sif(loaded, &env.planned, &settings, &sif)? {
            return Ok(Outcome::Status(status));
        }
    }
    crate::run::lifecycle::host_dirs(plan).map_err(Report::from)?;
    let status = Command::new(&apptainer)
        .args(&argv[1..])
        .status()
        .map_err(|e| {
            Report::environment(miette::miette!("cannot run `{}`: {e}", apptainer.display()))
        })?;
    let code = match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => 1,
    };
    Ok(Outcome::Status(u8::try_from(code).unwrap_or(1)))
}
