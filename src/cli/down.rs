//! `envc down [--volumes]`: stop and remove the environment's containers and its private
//! network; named volumes are kept unless `--volumes` is given.

use clap::Args;

use super::config_args::ConfigArgs;
use super::up::{Project, runtime};
use crate::engine::Engine;
use crate::exit::{Outcome, Report};
use crate::run::lifecycle::Volumes;
use crate::run::{env_plan, lifecycle};

/// Stop and remove the environment.
#[derive(Debug, Args)]
pub struct DownArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also remove the named volumes the environment mounted (a volume another container
    /// still uses, such as another checkout's, is kept and named).
    #[arg(long)]
    pub volumes: bool,
    /// With `--volumes`: remove volumes in use too, with the containers that use them.
    #[arg(long, requires = "volumes")]
    pub force: bool,
}

pub fn run(args: DownArgs) -> Result<Outcome, Report> {
    let project = Project::locate(&args.config)?;
    let facts = project.facts();
    let network = env_plan::base_name(&facts);
    let root = project.root.display().to_string();
    // Waits for commands still running in the environment (they hold the lock shared).
    let _lock = project.lock(crate::run::env_lock::Access::Exclusive)?;
    let removed = runtime()?.block_on(async {
        let engine = Engine::connect().await.map_err(Report::from)?;
        lifecycle::remove(
            &engine,
            &root,
            project.variant.as_deref(),
            Some(&network),
            match (args.volumes, args.force) {
                (false, _) => Volumes::Keep,
                (true, false) => Volumes::RemoveUnused,
                (true, true) => Volumes::Force,
            },
        )
        .await
        .map_err(Report::from)
    })?;
    let _ = std::fs::remove_file(crate::run::evaluated::up_record_path(
        &project.root,
        project.variant.as_deref(),
    ));
    if removed.removed.is_empty() && removed.kept.is_empty() {
        eprintln!("no environment is running for `{root}`");
    }
    for name in &removed.removed {
        eprintln!("removed {name}");
    }
    for (volume, users) in &removed.kept {
        eprintln!(
            "kept volume {volume}: still used by {}; `envc down --volumes --force` removes it with them",
            users
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(Outcome::Success)
}
