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
}

pub fn run(args: ShellArgs) -> Result<Outcome, Report> {
    super::run::enter(&args.config, Vec::new(), false, Some(()))
}
