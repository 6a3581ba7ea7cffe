//! Why an environment could not be started, entered or stopped.

use std::path::PathBuf;

use crate::engine::EngineError;
use crate::exit::Failure;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Resolve(#[from] super::env_plan::ResolveError),
    #[error("cannot create the host folder `{}`", path.display())]
    HostDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("setting up the user in `{container}` failed with status {status}:\n{output}")]
    Setup {
        container: String,
        status: i64,
        output: String,
    },
    #[error("post-start command `{command}` failed with status {status}:\n{output}")]
    PostStart {
        command: String,
        status: i64,
        output: String,
    },
    #[error("service `{service}` did not become healthy: `{test}` kept failing{}", last_output(.output))]
    #[diagnostic(help("see `docker logs {container}`"))]
    Unhealthy {
        service: String,
        container: String,
        test: String,
        output: String,
    },
    #[error("service `{service}` stopped with status {status}")]
    #[diagnostic(help("see `docker logs {container}`"))]
    ServiceExited {
        service: String,
        container: String,
        status: i64,
    },
    #[error("the image `{image}` is not built")]
    #[diagnostic(help("run `envc build`, or `envc up` without `--no-build`"))]
    ImageMissing { image: String },
    #[error("network `{name}` does not exist")]
    #[diagnostic(help("create it, or set `run.network.create = true`"))]
    NetworkMissing { name: String },
}

fn last_output(output: &str) -> String {
    let trimmed = output.trim();
    if trimmed.is_empty() {
        String::new()
    } else {
        format!(":\n{trimmed}")
    }
}

impl RunError {
    pub fn failure(&self) -> Failure {
        match self {
            RunError::Engine(e) => e.failure(),
            RunError::Resolve(_) | RunError::ImageMissing { .. } => Failure::Input,
            RunError::NetworkMissing { .. } | RunError::HostDir { .. } => Failure::Environment,
            _ => Failure::Found,
        }
    }
}

impl From<RunError> for crate::exit::Report {
    fn from(e: RunError) -> Self {
        crate::exit::Report::new(e.failure(), e)
    }
}
