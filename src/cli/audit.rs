//! `envc audit`: every input with its pin and every risky setting; `--strict` fails on
//! unpinned inputs and on settings that reach into the host; `--sbom` adds the SBOM's
//! license and pin summary.

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
    /// Also summarise the SBOM: the licenses of the locked packages (read from the built
    /// image) and how each ecosystem's inputs are pinned. Needs a fresh `envc.lock`.
    #[arg(long)]
    pub sbom: bool,
    /// Exit 1 when any input is unpinned or any setting reaches into the host.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: AuditArgs) -> Result<Outcome, Report> {
    let (loaded, planned) = super::plan::load_and_plan(&args.config)?;
    let report = audit(&loaded.spec, &planned.plan);
    let summary = match args.sbom {
        true => Some(crate::supply::summary::Summary::of(
            &super::sbom::gather(&loaded)?.inventory(),
        )),
        false => None,
    };
    if args.json {
        let mut value = serde_json::to_value(&report).unwrap_or_default();
        value["unpinned"] = report.unpinned().into();
        value["host_reaching"] = report.host_reaching().into();
        if let Some(summary) = &summary {
            value["sbom"] = serde_json::to_value(summary).unwrap_or_default();
        }
        let bytes = crate::content::canonical::to_pretty(&value);
        super::print_stdout(&String::from_utf8_lossy(&bytes))?;
    } else {
        let mut text = report.to_text();
        if let Some(summary) = &summary {
            text.push_str(&summary.to_text());
        }
        super::print_stdout(&text)?;
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
