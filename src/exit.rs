//! Exit codes shared by every command, and the one error type the binary edge reports.
//!
//! 0 success; 1 the command ran and found a failure; 2 the input is wrong;
//! 3 the environment is wrong (no engine, missing tool). `envc run` passes
//! through the command's own status.

use std::process::ExitCode;

/// What kind of failure an error is, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The command ran and found a failure (build step failed, drift found).
    Found,
    /// The user's input is wrong (syntax, type, unknown field, stale lock).
    Input,
    /// The environment is wrong (no Docker engine, a required tool is missing).
    Environment,
}

impl Failure {
    pub fn code(self) -> u8 {
        match self {
            Failure::Found => 1,
            Failure::Input => 2,
            Failure::Environment => 3,
        }
    }
}

/// An error on its way to the binary edge: a rendered-later diagnostic and its failure kind.
pub struct Report {
    pub kind: Failure,
    pub diagnostic: miette::Report,
}

impl Report {
    pub fn new(kind: Failure, diagnostic: impl Into<miette::Report>) -> Self {
        Report {
            kind,
            diagnostic: diagnostic.into(),
        }
    }

    pub fn input(diagnostic: impl Into<miette::Report>) -> Self {
        Self::new(Failure::Input, diagnostic)
    }

    pub fn environment(diagnostic: impl Into<miette::Report>) -> Self {
        Self::new(Failure::Environment, diagnostic)
    }

    pub fn found(diagnostic: impl Into<miette::Report>) -> Self {
        Self::new(Failure::Found, diagnostic)
    }
}

/// What a command returns: success, or an explicit exit status (for `envc run`).
pub enum Outcome {
    Success,
    Status(u8),
}

pub fn to_exit_code(result: Result<Outcome, Report>) -> ExitCode {
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Status(code)) => ExitCode::from(code),
        Err(report) => {
            eprintln!("{:?}", report.diagnostic);
            ExitCode::from(report.kind.code())
        }
    }
}
