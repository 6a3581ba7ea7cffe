//! `envc doctor [--json]`: check the machine for what envc needs; exit 1 when a check
//! fails (warnings do not).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use crate::doctor::{self, DoctorOptions, Status};
use crate::exit::{Outcome, Report};

/// Check the machine: Docker, Apptainer, debootstrap, disk, proxy and CA, GPU, cache, config.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The config to check (default: found from the current folder).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print the checks as JSON (`{"schema": 1, "status", "checks": [{name, status, summary, hint}]}`).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: DoctorArgs) -> Result<Outcome, Report> {
    let report = doctor::diagnose(&DoctorOptions { config: args.file });
    let text = if args.json {
        let mut text = serde_json::to_string_pretty(&report).expect("the report serializes");
        text.push('\n');
        text
    } else {
        let mut out = String::new();
        for check in &report.checks {
            let status = match check.status {
                Status::Pass => "pass",
                Status::Warn => "warn",
                Status::Fail => "FAIL",
            };
            let _ = writeln!(out, "{status:<4}  {:<16} {}", check.name, check.summary);
            if let Some(hint) = &check.hint {
                let _ = writeln!(out, "      {:<16} hint: {hint}", "");
            }
        }
        out
    };
    super::print_stdout(&text)?;
    Ok(match report.status {
        Status::Fail => Outcome::Status(1),
        Status::Pass | Status::Warn => Outcome::Success,
    })
}
