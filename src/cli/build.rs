//! `envc build`: build the environment's Docker image (and its services' images) from the
//! longest cached prefix of its plan, and print the image reference and key.
//!
//! Also the shared "build if needed" step of the commands that start environments
//! ([`build_loaded`]).

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};

use crate::build::{BuildOptions, Built, ProgressMode, Secret};
use crate::engine::Engine;
use crate::exit::{Outcome, Report};
use crate::lock::file::Freshness;
use crate::plan::{LockPolicy, Planned, plan_project};
use crate::spec::LoadedSpec;

use super::build_sif::{BuilderArg, TargetArg};
use super::config_args::ConfigArgs;
use super::registry_args::RegistryArgs;

/// Build the Docker image.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Run every step again instead of reusing cached step images (the base is reused).
    #[arg(long)]
    pub no_cache: bool,
    /// Refuse to build unless `envc.lock` is present, up to date and pins every input.
    #[arg(long)]
    pub locked: bool,
    /// How to show progress: live on a terminal (`auto`), one line per event (`plain`), or
    /// not at all (`quiet`).
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
    /// Print nothing but the result (same as `--progress quiet`).
    #[arg(short, long)]
    pub quiet: bool,
    /// Append build events as JSON lines to FILE (default `.envc/events.jsonl` in the project).
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Lend the host file PATH to build steps as `/dev/envc/secrets/ID` (repeatable); it never
    /// enters the image or its key.
    #[arg(long = "secret", value_name = "ID=PATH", value_parser = Secret::parse)]
    pub secrets: Vec<Secret>,
    /// What to build: the Docker image, or an Apptainer SIF made from it (default: every
    /// target the config enables).
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// Who makes the SIF (with `--target apptainer`): envc itself, or `apptainer build`
    /// from the emitted `.def`.
    #[arg(long, value_enum, default_value_t = BuilderArg::Native)]
    pub builder: BuilderArg,
    /// Also copy the SIF to FILE (with `--target apptainer`).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Push what was built (step images, finished image, SIF) to the cache registry.
    #[arg(long)]
    pub push: bool,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Also write the SBOM (`sbom.spdx.json`, `sbom.cdx.json`) into `.envc/out/`.
    #[arg(long)]
    pub sbom: bool,
    /// Also write the provenance statement (`provenance.json`) into `.envc/out/`.
    #[arg(long)]
    pub provenance: bool,
}

/// `--progress` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressArg {
    Auto,
    Plain,
    Quiet,
}

/// What a build needs to know besides the config: settings merged from flags and defaults.
#[derive(Debug, Clone)]
pub struct BuildSettings {
    pub locked: bool,
    pub options: BuildOptions,
    /// The cache registry flags (the env and the config are asked when they name none).
    pub registry: RegistryArgs,
}

impl BuildArgs {
    pub fn settings(&self) -> BuildSettings {
        let progress = match (self.quiet, self.progress) {
            (true, _) | (_, ProgressArg::Quiet) => ProgressMode::Quiet,
            (_, ProgressArg::Plain) => ProgressMode::Plain,
            (_, ProgressArg::Auto) => ProgressMode::Auto,
        };
        BuildSettings {
            locked: self.locked,
            options: BuildOptions {
                no_cache: self.no_cache,
                progress,
                events: self.events.clone(),
                status: None,
                secrets: self.secrets.clone(),
                ..Default::default()
            },
            registry: self.registry.clone(),
        }
    }
}

pub fn run(args: BuildArgs) -> Result<Outcome, Report> {
    let loaded = args.config.load()?;
    let targets = super::targets::to_build(&loaded.spec, args.target, &loaded.config)?;
    let sif = targets.contains(&TargetArg::Apptainer);
    if !sif && (args.output.is_some() || args.builder != BuilderArg::Native) {
        return Err(Report::input(miette::miette!(
            help = "add `--target apptainer`, or enable `targets.apptainer`",
            "`-o` and `--builder` apply to SIF builds only"
        )));
    }
    // Checked before building: a push that cannot happen should not cost a build.
    let push_to = match args.push {
        true => Some(args.registry.require(&loaded.spec)?),
        false => None,
    };
    let docker = targets.contains(&TargetArg::Docker);
    if docker {
        let outcome = build_docker(&args, &loaded)?;
        if !matches!(outcome, Outcome::Success) {
            return Ok(outcome);
        }
    }
    if sif {
        let outcome = super::build_sif::run(&args, &loaded)?;
        if !matches!(outcome, Outcome::Success) {
            return Ok(outcome);
        }
    }
    // After both targets, so that the provenance names the SIF too.
    if args.sbom || args.provenance {
        for path in super::sbom::write_build_documents(&loaded, args.sbom, args.provenance)? {
            eprintln!("wrote `{}`", path.display());
        }
    }
    let Some(registry) = push_to else {
        return Ok(Outcome::Success);
    };
    let plan = plan_for_build(&loaded, args.locked)?.plan;
    let pushed = super::registry_args::runtime()?.block_on(crate::registry::ops::push(
        crate::registry::ops::PushRequest {
            spec: &loaded.spec,
            plan: &plan,
            registry: &registry,
            docker,
            sif,
        },
    ))?;
    super::push::print(&pushed)
}

/// Build the Docker image and print its reference and key.
fn build_docker(args: &BuildArgs, loaded: &LoadedSpec) -> Result<Outcome, Report> {
    let settings = args.settings();
    let started = Instant::now();
    let quiet = settings.options.progress == ProgressMode::Quiet;
    let built = match build_loaded(loaded, &settings) {
        Ok(built) => built,
        Err(BuildFailure::Interrupted(status)) => {
            eprintln!("envc: build interrupted; nothing was tagged for the unfinished step");
            return Ok(Outcome::Status(status));
        }
        Err(BuildFailure::Report(report)) => return Err(report),
    };
    if !quiet {
        let image = &built.image;
        eprintln!(
            "built `{}`: {} steps run, {} cached, in {:.1}s",
            image.reference,
            image.executed,
            image.cached,
            started.elapsed().as_secs_f64()
        );
        for (name, service) in &built.services {
            eprintln!("service `{name}`: `{}`", service.reference);
        }
    }
    super::print_stdout(&format!("{}\n{}\n", built.image.reference, built.image.key))?;
    Ok(Outcome::Success)
}

/// Why a build did not finish.
pub enum BuildFailure {
    /// Stopped by a signal; the conventional exit status (130 for SIGINT).
    Interrupted(u8),
    Report(Report),
}

impl From<Report> for BuildFailure {
    fn from(report: Report) -> Self {
        BuildFailure::Report(report)
    }
}

/// Plan a loaded config the way builds do: a stale lock is refused; a missing one is
/// allowed (with a note) unless `locked`, which also requires every input to be pinned.
pub fn plan_for_build(loaded: &LoadedSpec, locked: bool) -> Result<Planned, Report> {
    let policy = if locked {
        LockPolicy::Require
    } else {
        LockPolicy::UnpinnedIfStale
    };
    let variant = loaded.variant.as_deref();
    let planned =
        plan_project(&loaded.spec, &loaded.project_root, variant, policy).map_err(Report::input)?;
    match &planned.lock {
        Freshness::Fresh => {}
        Freshness::Missing => {
            tracing::info!("no lock entry for this config: building unpinned inputs");
        }
        Freshness::Stale(changes) => {
            return Err(Report::input(crate::plan::ProjectPlanError::LockStale {
                variant: variant.map(str::to_owned),
                changes: changes.clone(),
            }));
        }
    }
    let unpinned = planned.plan.unpinned();
    if locked && !unpinned.is_empty() {
        return Err(Report::input(miette::miette!(
            help = "run `envc lock`",
            "`--locked` needs every input pinned: {}",
            unpinned.join("; ")
        )));
    }
    Ok(planned)
}

/// Build a loaded config if needed (every cached step is reused) and return its images.
/// This is what `envc up` and `envc run` call before starting a container.
pub fn build_loaded(loaded: &LoadedSpec, settings: &BuildSettings) -> Result<Built, BuildFailure> {
    let planned = plan_for_build(loaded, settings.locked)?;
    build_runtime()?.block_on(async {
        let engine = Engine::connect().await.map_err(Report::from)?;
        build_planned(&engine, loaded, &planned, settings).await
    })
}

/// The runtime a build runs on (two workers: step I/O and the engine's streams).
pub fn build_runtime() -> Result<tokio::runtime::Runtime, Report> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Report::environment(miette::miette!("cannot start the async runtime: {e}")))
}

/// Build what `planned` says on a connected engine: the one way every command that builds
/// (build, up, run, the SIF target) does it, with its plan and connection passed in rather
/// than made again.
pub async fn build_planned(
    engine: &Engine,
    loaded: &LoadedSpec,
    planned: &Planned,
    settings: &BuildSettings,
) -> Result<Built, BuildFailure> {
    let mut options = settings
        .options
        .clone()
        .with_project_defaults(&loaded.project_root);
    if options.registry.is_none() {
        options.registry = settings.registry.resolve(&loaded.spec)?;
    }
    crate::build::build(
        engine,
        &loaded.spec,
        &planned.plan,
        &loaded.project_root,
        &options,
    )
    .await
    .map_err(|error| match error.interrupted() {
        Some(signal) => BuildFailure::Interrupted(signal.exit_status()),
        None => BuildFailure::Report(error.into()),
    })
}
