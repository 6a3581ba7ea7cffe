//! `envc down [--volumes]`: stop and remove the environment's containers and its private
//! network; named volumes are kept unless `--volumes` is given.

use clap::Args;

use super::config_args::ConfigArgs;
use super::up::{Project, runtime};
use crate::engine::Engine;
use crate::exit::{Outcome, Report};
use crate::run::{env_plan, lifecycle};

/// Stop and remove the environment.
#[derive(Debug, Args)]
pub struct DownArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also remove the named volumes the environment mounted.
    #[arg(long)]
    pub volumes: bool,
}

pub fn run(args: DownArgs) -> Result<Outcome, Report> {
    let project = Project::locate(&args.config)?;
    let facts = project.facts();
    let network = env_plan::base_name(&facts);
    let root = project.root.display().to_string();
    let removed = runtime()?.block_on(async {
        let engine = Engine::connect().await.map_err(Report::from)?;
        lifecycle::remove(
            &engine,
            &root,
            project.variant.as_deref(),
            Some(&network),
            args.volumes,
        )
        .await
        .map_err(Report::from)
    })?;
    let _ = std::fs::remove_file(crate::run::evaluated::up_record_path(
        &project.root,
        project.variant.as_deref(),
    ));
    if removed.is_empty() {
        eprintln!("no environment is running for `{root}`");
    } else {
        for name in removed {
            eprintln!("removed {name}");
        }
    }
    Ok(Outcome::Success)
}
