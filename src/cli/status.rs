//! `envc status [--json]`: the project's containers (every variant), the image keys they
//! run, and whether the configuration changed since `envc up`; and the project's Slurm jobs
//! (from the job records of `envc submit`, their state from `squeue`/`sacct`).

use clap::Args;

use super::config_args::ConfigArgs;
use super::up::{Project, evaluate_cached, runtime};
use crate::engine::Engine;
use crate::exit::{Outcome, Report};
use crate::run::env_plan::{LABEL_HASH, LABEL_IMAGE_KEY, LABEL_ROLE, LABEL_VARIANT};
use crate::run::evaluated::{start_finished, up_record_path};
use crate::run::{RunError, lifecycle, resolve};

/// Show the environment's containers.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: StatusArgs) -> Result<Outcome, Report> {
    let project = Project::locate(&args.config)?;
    let evaluated = evaluate_cached(&args.config, &project)?;
    let plan =
        resolve(&evaluated.manifest, &project.facts(), evaluated.sudo).map_err(RunError::from)?;
    let current = plan.hash();
    let root = project.root.display().to_string();
    let jobs = slurm_jobs(&project);
    let record = up_record_path(&project.root, project.variant.as_deref());
    let containers = runtime()?.block_on(async {
        let engine = Engine::connect().await.map_err(Report::from)?;
        lifecycle::containers(&engine, &root)
            .await
            .map_err(Report::from)
    });
    // A cluster node has jobs and no engine: show the jobs.
    let containers = match containers {
        Ok(containers) => containers,
        Err(report) if !jobs.is_empty() => {
            eprintln!("no containers shown: {:?}", report.diagnostic);
            Vec::new()
        }
        Err(report) => return Err(report),
    };
    let rows: Vec<serde_json::Value> = containers
        .iter()
        .filter(|c| lifecycle::label(c, LABEL_ROLE) != Some("run"))
        .map(|c| {
            let variant = lifecycle::label(c, LABEL_VARIANT).unwrap_or("");
            let same_variant = variant == project.variant.as_deref().unwrap_or("");
            let hash = lifecycle::label(c, LABEL_HASH);
            let role = lifecycle::label(c, LABEL_ROLE);
            // An environment whose start envc did not see through (killed during
            // post-start) is not current, whatever its labels say.
            let unfinished = same_variant
                && role == Some("env")
                && !start_finished(&record, c.id.as_deref().unwrap_or(""));
            serde_json::json!({
                "name": c.names.as_ref().and_then(|n| n.first()).map(|n| n.trim_start_matches('/')),
                "role": role,
                "variant": (!variant.is_empty()).then_some(variant),
                "state": c.state.as_ref().map(|s| s.to_string()),
                "status": c.status,
                "image": c.image,
                "image_key": lifecycle::label(c, LABEL_IMAGE_KEY),
                "config_changed": same_variant.then(|| hash != Some(current.as_str())),
                "start_finished": same_variant.then_some(!unfinished),
            })
        })
        .collect();
    if args.json {
        let doc = serde_json::json!({
            "project": root,
            "container": plan.container,
            "image": plan.image,
            "image_key": plan.image_key,
            "containers": rows,
            "jobs": jobs,
        });
        super::print_stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        ))?;
        return Ok(Outcome::Success);
    }
    let mut text = String::new();
    for job in &jobs {
        text.push_str(&format!(
            "job {}\t{}\tkey {}\tSIF {}\n",
            job["job_id"].as_str().unwrap_or("?"),
            job["state"]
                .as_str()
                .unwrap_or("unknown to squeue and sacct"),
            job["key"].as_str().unwrap_or("?"),
            job["sif_digest"].as_str().unwrap_or("?"),
        ));
    }
    if rows.is_empty() && !jobs.is_empty() {
        super::print_stdout(&text)?;
        return Ok(Outcome::Success);
    }
    if rows.is_empty() {
        super::print_stdout(&format!(
            "no containers for `{root}`; `envc up` starts `{}` from `{}`\n",
            plan.container, plan.image
        ))?;
        return Ok(Outcome::Success);
    }
    for row in &rows {
        let changed = match row["config_changed"].as_bool() {
            _ if row["start_finished"].as_bool() == Some(false) => {
                "start did not finish; `envc up` starts it again"
            }
            Some(true) => "config changed since `envc up`",
            Some(false) => "current",
            None => "other variant",
        };
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            row["name"].as_str().unwrap_or("?"),
            row["role"].as_str().unwrap_or("?"),
            row["status"].as_str().unwrap_or("?"),
            row["image"].as_str().unwrap_or("?"),
            changed
        ));
    }
    super::print_stdout(&text)?;
    Ok(Outcome::Success)
}

/// The project's recorded Slurm jobs, newest last, with their state when Slurm knows them.
fn slurm_jobs(project: &Project) -> Vec<serde_json::Value> {
    let records = crate::slurm::jobs::records(&crate::slurm::jobs::events_path(&project.root));
    records
        .into_iter()
        .map(|record| {
            let state = crate::slurm::jobs::state(&record.job_id, &project.root);
            let mut value = serde_json::to_value(&record).unwrap_or_default();
            value["state"] = serde_json::json!(state);
            value
        })
        .collect()
}
