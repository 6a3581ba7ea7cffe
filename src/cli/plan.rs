//! `envc plan`: the build steps of an environment with their content keys, and the shared
//! load-and-plan step of the commands that inspect plans (`emit`, `audit`).

use std::fmt::Write as _;

use clap::Args;
use serde_json::{Value, json};

use crate::exit::{Outcome, Report};
use crate::lock::file::Freshness;
use crate::plan::{KeyInput, LockPolicy, Planned, plan_loaded};
use crate::spec::LoadedSpec;

use super::config_args::ConfigArgs;

/// Show the build steps and their content keys.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print the plan as JSON, with each step's key document.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: PlanArgs) -> Result<Outcome, Report> {
    let (_, planned) = load_and_plan(&args.config)?;
    let plan = &planned.plan;
    if args.json {
        let steps: Vec<Value> = plan
            .steps
            .iter()
            .map(|s| {
                let payload = s.kind.payload();
                let document = KeyInput {
                    parent: s.parent,
                    kind: s.kind.name(),
                    payload: &payload,
                    reads: &s.reads,
                    platform: &plan.platform,
                }
                .document();
                json!({ "index": s.index, "label": s.label, "key": s.key.hex(), "document": document })
            })
            .collect();
        let out = json!({
            "name": plan.name,
            "variant": plan.variant,
            "key": plan.key().hex(),
            "steps": steps,
            "unpinned": plan.unpinned(),
        });
        super::print_stdout(&String::from_utf8_lossy(
            &crate::content::canonical::to_pretty(&out),
        ))?;
    } else {
        let mut out = String::new();
        for s in &plan.steps {
            let _ = writeln!(out, "{:>3}  {}  {}", s.index, s.key.short(), s.label);
        }
        let _ = writeln!(out, "key {}", plan.key());
        super::print_stdout(&out)?;
    }
    Ok(Outcome::Success)
}

/// Load the config and plan it, using the lock only when it fits (and saying so when not).
pub(crate) fn load_and_plan(config: &ConfigArgs) -> Result<(LoadedSpec, Planned), Report> {
    let loaded = config.load()?;
    let planned = plan_loaded(&loaded, LockPolicy::UnpinnedIfStale).map_err(Report::input)?;
    match &planned.lock {
        Freshness::Fresh => {}
        Freshness::Missing => {
            eprintln!("note: no lock entry for this config; inputs are unpinned (run `envc lock`)")
        }
        Freshness::Stale(changes) => eprintln!(
            "warning: `envc.lock` is stale ({}); planning without its pins (run `envc lock`)",
            changes.join("; ")
        ),
    }
    Ok((loaded, planned))
}
