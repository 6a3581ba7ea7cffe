//! `envc shell`: an interactive login shell as the mapped user, in the running environment
//! (or a one-shot container when it is not up).

use clap::Args;

use super::config_args::ConfigArgs;
use crate::exit::{Outcome, Report};

/// Open a login shell in the environment.
#[derive(Debug, Args)]
pub struct ShellArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Where to open it: the Docker environment, or the SIF with `apptainer shell` (default:
    /// Docker, unless the config enables only the Apptainer target).
    #[arg(long, value_enum)]
    pub target: Option<super::build_sif::TargetArg>,
    /// Print the command that opens the shell instead of running it.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: ShellArgs) -> Result<Outcome, Report> {
    if args.target == Some(super::build_sif::TargetArg::Apptainer) {
        return super::run_apptainer::enter(
            &args.config,
            crate::run::apptainer::Action::Shell,
            args.dry_run,
        );
    }
    super::run::enter(
        &args.config,
        Vec::new(),
        args.dry_run,
        Some(()),
        args.target,
    )
}
