//! `envc emit --out DIR`: write the Dockerfile, Apptainer definition, run manifest and
//! devcontainer.json of an environment.

use std::path::PathBuf;

use clap::Args;

use crate::emit::emit;
use crate::exit::{Outcome, Report};
use crate::plan::manifest;

use super::config_args::ConfigArgs;

/// Write the Dockerfile, Apptainer .def, manifest.json and devcontainer.json.
#[derive(Debug, Args)]
pub struct EmitArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The folder to write into (created when missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(args: EmitArgs) -> Result<Outcome, Report> {
    let (loaded, planned) = super::plan::load_and_plan(&args.config)?;
    let manifest = manifest(&loaded.spec, &planned.plan);
    let write_error = |path: &std::path::Path, e: std::io::Error| {
        Report::environment(miette::miette!("cannot write `{}`: {e}", path.display()))
    };
    std::fs::create_dir_all(&args.out).map_err(|e| write_error(&args.out, e))?;
    let mut names = Vec::new();
    let files = emit(&loaded.spec, &planned.plan, &manifest).map_err(Report::input)?;
    for file in files {
        let path = args.out.join(file.name);
        crate::content::write_atomically(&path, &file.bytes).map_err(|e| write_error(&path, e))?;
        names.push(file.name);
    }
    eprintln!(
        "wrote {} to `{}` (plan key {})",
        names.join(", "),
        args.out.display(),
        planned.plan.key().short()
    );
    Ok(Outcome::Success)
}
