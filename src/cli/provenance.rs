//! `envc provenance [-o FILE] [--variant V]`: the in-toto SLSA provenance of the built image
//! (see [`crate::supply::provenance`]), on stdout or written atomically to FILE.

use std::path::PathBuf;

use clap::Args;

use crate::exit::{Outcome, Report};

use super::config_args::ConfigArgs;

/// Write the provenance statement.
#[derive(Debug, Args)]
pub struct ProvenanceArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: ProvenanceArgs) -> Result<Outcome, Report> {
    let loaded = args.config.load()?;
    let gathered = super::sbom::gather(&loaded)?;
    let bytes = crate::supply::documents::provenance(&gathered).map_err(Report::from)?;
    super::sbom::emit(&bytes, args.output.as_deref())
}
