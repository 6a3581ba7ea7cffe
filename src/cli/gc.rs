//! `envc gc`: remove envc's images that no current config's plan reaches.
//!
//! "Current" is the config found from this folder (or `-f`), with every one of its variants.
//! `--keep N` spares the N newest finished images among the unreachable ones, so that going
//! back to a recent config does not rebuild it.

use std::collections::BTreeSet;
use std::future::Future;

use clap::Args;

use crate::build::inventory;
use crate::engine::Engine;
use crate::exit::{Outcome, Report};
use crate::plan::{LockPolicy, Plan, plan_project};

use super::config_args::ConfigArgs;

/// Remove envc images no current config uses.
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
}

pub fn run(args: GcArgs) -> Result<Outcome, Report> {
    let plans = current_plans(&args.config)?;
    let mut current = BTreeSet::new();
    for plan in &plans {
        current.extend(inventory::plan_keys(plan));
    }
    let keep = args.keep;
    let dry_run = args.dry_run;
    let (removed, freed) = with_engine(|engine: Engine| async move {
        let images = inventory::list(&engine).await?;
        let doomed = inventory::unreachable(&images, &current, keep);
        let mut freed = 0;
        for image in &doomed {
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
        Ok::<_, Report>((doomed.len(), freed))
    })?;
    let verb = if dry_run { "would remove" } else { "removed" };
    eprintln!(
        "{verb} {removed} image(s) not used by the current config ({} at most)",
        super::images::human_size(freed)
    );
    Ok(Outcome::Success)
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
        let planned = plan_project(
            &loaded.spec,
            &loaded.project_root,
            loaded.variant.as_deref(),
            LockPolicy::UnpinnedIfStale,
        )
        .map_err(Report::input)?;
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
