//! `envc push`: the environment's step images and finished image (and, with the Apptainer
//! target, its SIF) into the cache registry, each tag printed with its manifest digest.

use clap::Args;

use crate::exit::{Outcome, Report};
use crate::registry::ops::{self, PushRequest};

use super::build_sif::TargetArg;
use super::config_args::ConfigArgs;
use super::registry_args::{RegistryArgs, RegistryJob};

/// Push the built environment to the cache registry.
#[derive(Debug, Args)]
pub struct PushArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// What to push: the Docker images, or the SIF (default: every target the config enables).
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
}

pub fn run(args: PushArgs) -> Result<Outcome, Report> {
    let job = RegistryJob::prepare(&args.config, &args.registry, args.target)?;
    let pushed = super::registry_args::runtime()?.block_on(ops::push(PushRequest {
        spec: &job.loaded.spec,
        plan: &job.plan,
        registry: &job.registry,
        docker: job.docker,
        sif: job.sif,
    }))?;
    print(&pushed)
}

/// Print what was pushed: the tags on stdout, a summary on stderr.
pub fn print(pushed: &[crate::registry::push::Pushed]) -> Result<Outcome, Report> {
    let mut out = String::new();
    for entry in pushed {
        out.push_str(&format!("{} {}\n", entry.reference, entry.digest));
    }
    let sent = pushed.iter().filter(|p| p.sent).count();
    let bytes: u64 = pushed.iter().map(|p| p.bytes).sum();
    eprintln!(
        "pushed {sent} of {} tags ({:.1} MiB sent), {} already there",
        pushed.len(),
        bytes as f64 / (1024.0 * 1024.0),
        pushed.len() - sent
    );
    super::print_stdout(&out)?;
    Ok(Outcome::Success)
}
