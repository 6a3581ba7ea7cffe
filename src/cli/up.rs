//! `envc up`: build if needed, start the services and the long-lived environment container,
//! map the host user, run post-start commands, and say how to enter it. A running environment
//! whose configuration is unchanged is reused; otherwise it is recreated, saying why.
//!
//! Also the shared steps of the commands that enter environments (`run`, `shell`, `down`,
//! `status`): finding the project, evaluating (or reading the cached evaluation), connecting.

use std::path::{Path, PathBuf};

use clap::Args;

use super::build::{
    BuildFailure, BuildSettings, build_loaded, build_planned, build_runtime, plan_for_build,
};
use super::config_args::ConfigArgs;
use crate::build::{BuildOptions, ProgressMode};
use crate::engine::{DEFAULT_TIMEOUT, Endpoint, Engine};
use crate::exit::{Outcome, Report};
use crate::plan::Key;
use crate::plan::Planned;
use crate::run::env_lock::{Access, EnvLock};
use crate::run::evaluated::{start_finished, up_record_path};
use crate::run::lifecycle::Volumes;
use crate::run::{EnvPlan, Evaluated, HostFacts, RunError, dry_run, lifecycle, resolve};
use crate::spec::LoadedSpec;
use crate::verify::QuickCheckError;

/// Start the environment (building its image first when needed).
#[derive(Debug, Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Do not build: fail when the image is not built yet.
    #[arg(long)]
    pub no_build: bool,
    /// Print the equivalent `docker` commands instead of running anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// A single-threaded runtime: the runtime stages wait on one engine at a time, and it
/// starts faster than a thread pool (which matters for `envc run`).
pub fn runtime() -> Result<tokio::runtime::Runtime, Report> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Report::environment(miette::miette!("cannot start the async runtime: {e}")))
}

/// The project: its config file, root and variant (found without evaluating anything).
pub struct Project {
    pub config: PathBuf,
    pub root: PathBuf,
    pub variant: Option<String>,
}

impl Project {
    pub fn locate(args: &ConfigArgs) -> Result<Project, Report> {
        let config = args.config_path()?;
        let config = std::path::absolute(&config).unwrap_or(config);
        let root = config
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        Ok(Project {
            config,
            root,
            variant: args.variant.clone(),
        })
    }

    pub fn facts(&self) -> HostFacts {
        HostFacts::read(&self.root, self.variant.as_deref())
    }

    /// Take this environment's lock (`crate::run::env_lock`), waiting for other envc
    /// commands on it.
    pub fn lock(&self, access: Access) -> Result<EnvLock, Report> {
        EnvLock::acquire(&crate::run::env_plan::base_name(&self.facts()), access)
            .map_err(Report::environment)
    }
}

/// Evaluate and plan the config afresh (the lock is used as `envc build` uses it).
pub fn evaluate(args: &ConfigArgs) -> Result<(LoadedSpec, Evaluated), Report> {
    let (loaded, _, evaluated) = evaluate_planned(args)?;
    Ok((loaded, evaluated))
}

/// [`evaluate`], keeping the plan for a build that follows (so that it plans once).
pub fn evaluate_planned(args: &ConfigArgs) -> Result<(LoadedSpec, Planned, Evaluated), Report> {
    let loaded = args.load()?;
    let planned = plan_for_build(&loaded, false)?;
    let manifest = crate::plan::manifest(&loaded.spec, &planned.plan);
    let evaluated = Evaluated::new(&loaded, manifest);
    Ok((loaded, planned, evaluated))
}

/// The cached evaluation when the config files are unchanged, else a fresh one (cached).
pub fn evaluate_cached(args: &ConfigArgs, project: &Project) -> Result<Evaluated, Report> {
    if let Some(cached) =
        Evaluated::load(&project.root, &project.config, project.variant.as_deref())
    {
        return Ok(cached);
    }
    let (loaded, evaluated) = evaluate(args)?;
    evaluated.store(&loaded.project_root, project.variant.as_deref());
    Ok(evaluated)
}

/// Connect, at the remembered API version when there is one (no negotiation round trip).
pub async fn connect(evaluated: &Evaluated) -> Result<Engine, Report> {
    if let Some(version) = evaluated.api_version {
        let endpoint = Endpoint::from_env().map_err(Report::from)?;
        return Engine::connect_at_version(endpoint, DEFAULT_TIMEOUT, version)
            .map_err(Report::from);
    }
    Engine::connect().await.map_err(Report::from)
}

/// How `up` and `run` build a missing image: unlocked inputs allowed, progress as the
/// terminal allows.
pub fn up_build_settings() -> BuildSettings {
    BuildSettings {
        locked: false,
        options: BuildOptions {
            progress: ProgressMode::Auto,
            ..Default::default()
        },
        registry: Default::default(),
    }
}

/// Build the image of a loaded config when it is missing.
pub fn build_if_needed(loaded: &LoadedSpec) -> Result<Option<u8>, Report> {
    match build_loaded(loaded, &up_build_settings()) {
        Ok(_) => Ok(None),
        Err(BuildFailure::Interrupted(status)) => Ok(Some(status)),
        Err(BuildFailure::Report(report)) => Err(report),
    }
}

pub fn run(args: UpArgs) -> Result<Outcome, Report> {
    let project = Project::locate(&args.config)?;
    let (loaded, planned, mut evaluated) = evaluate_planned(&args.config)?;
    super::targets::to_enter(
        &evaluated.manifest.images,
        Some(super::build_sif::TargetArg::Docker),
        &project.config,
    )?;
    let facts = project.facts();
    let plan = resolve(&evaluated.manifest, &facts, evaluated.sudo).map_err(RunError::from)?;
    if args.dry_run {
        super::print_stdout(&format!(
            "# envc build (when `{}` is not built yet)\n{}",
            plan.image,
            dry_run::up(&plan).map_err(Report::input)?
        ))?;
        return Ok(Outcome::Success);
    }
    // One plan (above) and one engine connection for the build and the start.
    let rt = build_runtime()?;
    let engine = rt.block_on(Engine::connect()).map_err(Report::from)?;
    if !args.no_build {
        match rt.block_on(build_planned(
            &engine,
            &loaded,
            &planned,
            &up_build_settings(),
        )) {
            Ok(_) => {}
            Err(BuildFailure::Interrupted(status)) => return Ok(Outcome::Status(status)),
            Err(BuildFailure::Report(report)) => return Err(report),
        }
    }
    // Concurrent `up`s of one environment take turns: the later ones find it current.
    let _lock = project.lock(Access::Exclusive)?;
    rt.block_on(async {
        evaluated.api_version = Some(engine.api_version());
        evaluated.store(&project.root, project.variant.as_deref());
        let key = evaluated.manifest.images.docker.as_ref().map(|d| d.key);
        up(&engine, &project, &plan, key.as_ref()).await
    })?;
    Ok(Outcome::Success)
}

async fn up(
    engine: &Engine,
    project: &Project,
    plan: &EnvPlan,
    key: Option<&Key>,
) -> Result<(), Report> {
    check_image(engine, &plan.image, key).await?;
    // What a killed envc left (a one-shot `run` container, a step container) goes first.
    if let Err(e) = crate::leftovers::reap_containers(engine).await {
        tracing::warn!("cannot look for containers an interrupted envc left: {e}");
    }
    let hash = plan.hash();
    let record = up_record_path(&project.root, project.variant.as_deref());
    let root = project.root.display().to_string();
    let variant = project.variant.as_deref();
    match lifecycle::find(engine, &plan.container)
        .await
        .map_err(Report::from)?
    {
        Some(existing)
            if existing.running
                && existing.hash.as_deref() == Some(&hash)
                && start_finished(&record, &existing.id) =>
        {
            eprintln!(
                "environment `{}` is up and current: reusing it",
                plan.container
            );
            print_enter(plan);
            return Ok(());
        }
        Some(existing) => {
            let why = if !existing.running {
                "it is not running".to_owned()
            } else if existing.hash.as_deref() == Some(&hash) {
                "its start did not finish (envc was interrupted during post-start)".to_owned()
            } else {
                let old = std::fs::read(&record)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
                match old.map(|old| crate::run::evaluated::changed_since(plan, &old["plan"])) {
                    Some(fields) if !fields.is_empty() => format!(
                        "{} changed",
                        fields
                            .iter()
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    _ => "its configuration changed".to_owned(),
                }
            };
            eprintln!("recreating environment `{}`: {why}", plan.container);
            lifecycle::remove(engine, &root, variant, None, Volumes::Keep)
                .await
                .map_err(Report::from)?;
        }
        None => {}
    }
    lifecycle::host_dirs(plan)?;
    // What this `up` creates, so that a failure undoes exactly that (#16.8).
    let new_volumes = lifecycle::missing_volumes(engine, plan)
        .await
        .map_err(Report::from)?;
    let mut new_network = None;
    let started = async {
        if lifecycle::network(engine, plan).await? {
            new_network = plan.network.as_ref().map(|n| n.name.clone());
        }
        lifecycle::services(engine, plan).await?;
        let gpus = lifecycle::gpus(engine, plan).await?;
        lifecycle::start(engine, plan, gpus).await
    }
    .await;
    let container = match started {
        Ok(id) => id,
        Err(e) => {
            undo(engine, &root, variant, new_network.as_deref(), &new_volumes).await;
            return Err(e.into());
        }
    };
    // Written only now, after post-start succeeded: only then is the environment current.
    crate::run::evaluated::store_up_record(&record, plan, &container);
    eprintln!("environment `{}` is up", plan.container);
    print_enter(plan);
    Ok(())
}

/// Remove what a failed `up` created: the environment's containers, the network when it
/// made it, and the volumes that did not exist before (unless something else uses them now).
async fn undo(
    engine: &Engine,
    root: &str,
    variant: Option<&str>,
    network: Option<&str>,
    volumes: &[String],
) {
    let mut done = match lifecycle::remove(engine, root, variant, network, Volumes::Keep).await {
        Ok(done) => done,
        Err(e) => {
            eprintln!("warning: cannot remove what the failed `up` started: {e}");
            return;
        }
    };
    if let Err(e) =
        lifecycle::remove_volumes(engine, volumes, Volumes::RemoveUnused, &mut done).await
    {
        eprintln!("warning: cannot remove the volumes the failed `up` created: {e}");
    }
    let mut undone = done.removed;
    undone.extend(network.map(|n| format!("network {n}")));
    if !undone.is_empty() {
        eprintln!(
            "removed what the failed `up` created: {}",
            undone.join(", ")
        );
    }
}

/// Refuse to start `image` unless it exists, carries `key` (the config's) and holds the
/// files recorded when it was built (`crate::verify::quick_check`).
pub async fn check_image(engine: &Engine, image: &str, key: Option<&Key>) -> Result<(), Report> {
    if engine
        .find_image(image)
        .await
        .map_err(Report::from)?
        .is_none()
    {
        return Err(RunError::ImageMissing {
            image: image.to_owned(),
        }
        .into());
    }
    let Some(key) = key else {
        return Ok(());
    };
    crate::verify::quick_check(engine, image, key)
        .await
        .map_err(|e| match e {
            QuickCheckError::Engine(e) => Report::from(e),
            refused => Report::found(refused),
        })
}

fn print_enter(plan: &EnvPlan) {
    for service in &plan.services {
        eprintln!("  service `{}` as `{}`", service.name, service.container);
    }
    eprintln!("enter it with `envc shell`, or run a command with `envc run -- COMMAND`");
}
