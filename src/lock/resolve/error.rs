//! Why a resolution failed.

use crate::engine::EngineError;
use crate::exit::{Failure, Report};

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ResolveError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),

    /// The resolving command in the throwaway container failed.
    #[error("{what} failed in `{image}` (exit status {code}):\n{tail}")]
    Command {
        what: String,
        image: String,
        code: i64,
        /// The last lines of its stderr (and stdout), which usually name the cause.
        tail: String,
    },

    /// The resolver's output could not be understood.
    #[error("cannot read the output of {what}: {detail}")]
    Parse { what: String, detail: String },

    /// The image is neither local nor known to its registry.
    #[error(
        "cannot resolve image `{reference}`: not present locally and the registry does not know it"
    )]
    #[diagnostic(help("check the name and tag, or load/build the image first"))]
    UnknownImage {
        reference: String,
        #[source]
        source: EngineError,
    },

    #[error("cannot download `{url}`")]
    Download {
        url: String,
        #[source]
        source: reqwest::Error,
    },

    #[error("cannot download `{url}`: the server answered {status}")]
    HttpStatus { url: String, status: u16 },

    #[error("cannot read `{}`", path.display())]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write `{}`", path.display())]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ResolveError {
    pub fn failure(&self) -> Failure {
        match self {
            ResolveError::Engine(e) => e.failure(),
            ResolveError::UnknownImage { .. } => Failure::Input,
            ResolveError::Write { .. } => Failure::Environment,
            _ => Failure::Found,
        }
    }
}

impl From<ResolveError> for Report {
    fn from(error: ResolveError) -> Self {
        Report::new(error.failure(), error)
    }
}
