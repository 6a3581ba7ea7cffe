//! `envc lsp`: run the language server on stdin and stdout (see [`crate::lsp`]).

use clap::Args;

use crate::exit::{Outcome, Report};

/// Run the language server for `envc.nix` and `envc.json` on stdin/stdout.
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Talk LSP over stdin and stdout (the only transport; accepted because clients pass it).
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: LspArgs) -> Result<Outcome, Report> {
    crate::lsp::serve_stdio().map_err(|e| Report::environment(miette::miette!("envc lsp: {e}")))?;
    Ok(Outcome::Success)
}
