//! `envc gc`: remove this project's envc images that nothing current needs.
//!
//! "Current" is the config found from this folder (or `-f`), with every one of its variants
//! and its lock, and every existing environment container's image. Only this project's
//! images, and the step images only they lead to, are removed (`crate::build::gc`);
//! `--all-projects` removes every project's images the current config does not reach.
//! `--keep N` spares the N newest finished images among the unreachable ones, so that going
//! back to a recent config does not rebuild it; `--dry-run` lists instead of removing.

use std::collections::BTreeSet;
use std::future::Future;

use clap::Args;

use crate::build::gc::{Needed, Scope, select};
use crate::build::inventory;
use crate::engine::Engine;
use crate::exit::{Outcome, Report};
use crate::plan::{LockPolicy, Plan, ServiceImage, plan_loaded};

use super::config_args::ConfigArgs;

/// Remove this project's envc images that nothing current uses.
#[derive(Debug, Args)]
pub struct GcArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Keep the N newest finished images that are no longer current.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub keep: usize,
    /// Only print what would be removed.
    #[arg(long)]
    pub dry_run: bool,
    /// Also remove other projects' images (and orphaned steps) the current config does not
    /// use. Without it gc touches only this project's images.
    #[arg(long)]
    pub all_projects: bool,
}

pub fn run(args: GcArgs) -> Result<Outcome, Report> {
    let plans = current_plans(&args.config)?;
    let mut keys = BTreeSet::new();
    let mut repos = BTreeSet::new();
    for plan in &plans {
        keys.extend(inventory::plan_keys(plan));
        repos.insert(plan.image_name());
        for (name, service) in &plan.services {
            if let ServiceImage::Build { .. } = service {
                repos.insert(format!("{}-{}", plan.image_name(), name.as_str()));
            }
        }
    }
    let scope = if args.all_projects {
        Scope::All
    } else {
        Scope::Project(repos)
    };
    let keep = args.keep;
    let dry_run = args.dry_run;
    let (removed, freed, orphans) = with_engine(|engine: Engine| async move {
        let images = inventory::list(&engine).await?;
        let needed = Needed {
            keys,
            image_ids: environment_images(&engine).await?,
        };
        let selection = select(&images, &needed, &scope, keep);
        let mut freed = 0;
        for image in &selection.doomed {
            let name = image
                .tags
                .first()
                .cloned()
                .unwrap_or_else(|| image.id.clone());
            if dry_run {
                println!("would remove {name}");
            } else {
                inventory::remove(&engine, image).await?;
                tracing::info!("removed {name}");
            }
            freed += image.size.max(0);
        }
        Ok::<_, Report>((
            selection.doomed.len(),
            freed,
            selection.orphans_outside_scope,
        ))
    })?;
    let verb = if dry_run { "would remove" } else { "removed" };
    let whose = if args.all_projects {
        "of any project"
    } else {
        "of this project"
    };
    eprintln!(
        "{verb} {removed} image(s) {whose} not used by the current config ({} at most)",
        super::images::human_size(freed)
    );
    if orphans > 0 {
        eprintln!(
            "kept {orphans} step image(s) no project's image leads to (an interrupted build's); \
             `envc gc --all-projects` removes them"
        );
    }
    Ok(Outcome::Success)
}

/// The image IDs of every envc environment and service container on the engine, running
/// or stopped, whichever project started it: removing their tags would strand them.
async fn environment_images(engine: &Engine) -> Result<BTreeSet<String>, Report> {
    let containers = engine
        .list_containers_where("label", crate::run::env_plan::LABEL_PROJECT, true)
        .await
        .map_err(Report::from)?;
    Ok(containers.into_iter().filter_map(|c| c.image_id).collect())
}

/// The plans of the config found from `config` (without and with each variant).
pub(crate) fn current_plans(config: &ConfigArgs) -> Result<Vec<Plan>, Report> {
    let path = config.config_path()?;
    let loaded = crate::spec::load(&path, config.variant.as_deref()).map_err(Report::input)?;
    let mut variants: Vec<Option<String>> = vec![config.variant.clone()];
    if config.variant.is_none() {
        variants.extend(
            loaded
                .spec
                .variants
                .keys()
                .map(|v| Some(v.as_str().to_owned())),
        );
    }
    let mut plans = Vec::new();
    for variant in variants {
        let loaded = if variant == config.variant {
            loaded.clone()
        } else {
            crate::spec::load(&path, variant.as_deref()).map_err(Report::input)?
        };
        let planned = plan_loaded(&loaded, LockPolicy::UnpinnedIfStale).map_err(Report::input)?;
        plans.push(planned.plan);
    }
    Ok(plans)
}

/// Run `f` with a connected engine on a small runtime.
pub(crate) fn with_engine<T, F, Fut>(f: F) -> Result<T, Report>
where
    F: FnOnce(Engine) -> Fut,
    Fut: Future<Output = Result<T, Report>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Report::environment(miette::miette!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let engine = Engine::connect().await.map_err(Report::from)?;
        f(engine).await
    })
}
