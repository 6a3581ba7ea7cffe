//! `envc completions SHELL` and `envc man`: shell completions and the man page,
//! generated from the clap definitions so they never drift from the real command line.
//!
//! Packagers (the Nix flake, distributions) run these at install time; users can
//! also source the completions directly from their shell's startup file.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::exit::{Outcome, Report};

use super::Cli;

/// Print the completion script for `shell` on stdout.
pub fn completions(shell: Shell) -> Result<Outcome, Report> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "envc", &mut out);
    write_stdout(&out)
}

/// Print the `envc(1)` man page (roff) on stdout.
pub fn man() -> Result<Outcome, Report> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Report::environment(miette::miette!("cannot render the man page: {e}")))?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<Outcome, Report> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| Report::environment(miette::miette!("cannot write to stdout: {e}")))?;
    Ok(Outcome::Success)
}
