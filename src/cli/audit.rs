//! `envc audit`: every input with its pin and every risky setting; `--strict` fails on
//! unpinned inputs and on settings that reach into the host.

use clap::Args;

use crate::audit::audit;
use crate::exit::{Outcome, Report};

use super::config_args::ConfigArgs;

/// List every input with its pin and every risky setting.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when any input is unpinned or any setting reaches into the host.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: AuditArgs) -> Result<Outcome, Report> {
    let (loaded, planned) = super::plan::load_and_plan(&args.config)?;
    let report = audit(&loaded.spec, &planned.plan);
    if args.json {
        let mut value = serde_json::to_value(&report).unwrap_or_default();
        value["unpinned"] = report.unpinned().into();
        value["host_reaching"] = report.host_reaching().into();
        let bytes = crate::content::canonical::to_pretty(&value);
        super::print_stdout(&String::from_utf8_lossy(&bytes))?;
    } else {
        super::print_stdout(&report.to_text())?;
    }
    if args.strict && report.unpinned() > 0 {
        return Err(Report::found(
            miette::miette!("{} inputs are unpinned (`--strict`)", report.unpinned())
                .wrap_err("audit failed"),
        ));
    }
    if args.strict && report.host_reaching() > 0 {
        return Err(Report::found(
            miette::miette!(
                "{} settings reach into the host (`--strict`)",
                report.host_reaching()
            )
            .wrap_err("audit failed"),
        ));
    }
    Ok(Outcome::Success)
}
