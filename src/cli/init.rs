//! `envc init`: write a first `envc.nix` (or `envc.json`) from the project's files, then say
//! what was mapped and what was not.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use crate::exit::{Outcome, Report};
use crate::init::{self, InitError, InitOptions};

/// Write a first config from the project's Dockerfile, devcontainer.json, requirements, ...
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project folder (default: the current folder).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Write `envc.json` instead of `envc.nix`.
    #[arg(long)]
    pub json: bool,
    /// Replace an existing `envc.nix` / `envc.json`.
    #[arg(long)]
    pub force: bool,
    /// Print the config on stdout instead of writing it.
    #[arg(long)]
    pub print: bool,
}

pub fn run(args: InitArgs) -> Result<Outcome, Report> {
    let root = match args.dir {
        Some(dir) => dir,
        None => std::env::current_dir().map_err(|e| {
            Report::environment(miette::miette!("cannot read the current folder: {e}"))
        })?,
    };
    let report = init::init(&InitOptions {
        root,
        json: args.json,
        force: args.force,
        print: args.print,
    })
    .map_err(|e| match e {
        InitError::Exists { .. } | InitError::Root { .. } => Report::input(e),
        InitError::Write { .. } => Report::environment(e),
        InitError::Generated { .. } => Report::found(e),
    })?;
    let mut summary = String::new();
    match &report.written {
        Some(path) => {
            let _ = writeln!(
                summary,
                "wrote {} ({} apt, {} pip packages)",
                path.display(),
                report.apt,
                report.pip
            );
        }
        None => super::print_stdout(&report.text)?,
    }
    let read = if report.sources.is_empty() {
        "nothing envc knows".to_owned()
    } else {
        report.sources.join(", ")
    };
    let _ = writeln!(summary, "read: {read}");
    for note in &report.mapped {
        let _ = writeln!(summary, "mapped: {}: {}", note.origin, note.text);
    }
    for note in &report.unmapped {
        let _ = writeln!(summary, "not mapped: {}: {}", note.origin, note.text);
    }
    if report.written.is_some() {
        super::print_stdout(&summary)?;
    } else {
        eprint!("{summary}");
    }
    Ok(Outcome::Success)
}
