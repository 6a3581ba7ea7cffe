//! `envc pull`: the finished environment of the current key from the cache registry,
//! verified, ready for `envc up --no-build` (or, with `--target apptainer`, the SIF into
//! envc's SIF cache, ready for `envc run`, without touching a container engine).

use clap::Args;

use crate::exit::{Outcome, Report};
use crate::registry::ops::{self, PullRequest, PulledEntry};

use super::build_sif::TargetArg;
use super::config_args::ConfigArgs;
use super::registry_args::{RegistryArgs, RegistryJob};

/// Pull the environment from the cache registry.
#[derive(Debug, Args)]
pub struct PullArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// What to pull: the Docker images, or the SIF (default: every target the config enables).
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
}

pub fn run(args: PullArgs) -> Result<Outcome, Report> {
    let job = RegistryJob::prepare(&args.config, &args.registry, args.target)?;
    let plan = &job.plan;
    let report = super::registry_args::runtime()?.block_on(ops::pull(PullRequest {
        plan,
        registry: &job.registry,
        docker: job.docker,
        sif: job.sif,
    }))?;
    let mut out = String::new();
    for entry in &report.images {
        match entry {
            PulledEntry::Present { reference } => {
                eprintln!("`{reference}` is already in the engine");
                out.push_str(&format!("{reference}\n"));
            }
            PulledEntry::Pulled { reference, image } => {
                eprintln!(
                    "pulled `{reference}` ({:.1} MiB), files match {}",
                    image.bytes as f64 / (1024.0 * 1024.0),
                    image.rootfs
                );
                out.push_str(&format!("{reference}\n"));
            }
        }
    }
    match &report.sif {
        Some(Some(sif)) => {
            eprintln!(
                "pulled `{}` ({:.1} MiB, {}), files match {}",
                sif.path.display(),
                sif.bytes as f64 / (1024.0 * 1024.0),
                sif.digest,
                sif.rootfs
            );
            out.push_str(&format!("{}\n", sif.path.display()));
        }
        Some(None) => {
            let path = crate::apptainer::cache::sif_path(&plan.key());
            eprintln!("`{}` is already in the SIF cache", path.display());
            out.push_str(&format!("{}\n", path.display()));
        }
        None => {}
    }
    out.push_str(&format!("{}\n", plan.key()));
    super::print_stdout(&out)?;
    Ok(Outcome::Success)
}
