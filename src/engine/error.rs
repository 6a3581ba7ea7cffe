//! The one error type of the Docker Engine client.
//!
//! Every engine operation fails with an [`EngineError`]; [`EngineError::failure`] decides
//! the exit code at the binary edge, so "no engine" is an environment problem (exit 3)
//! while a failed API call during a build is a found failure (exit 1).

use std::path::PathBuf;

use crate::exit::{Failure, Report};

/// A signal that interrupted an engine operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    /// The conventional exit status of a process stopped by this signal (128 + number).
    pub fn exit_status(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EngineError {
    /// No engine answered at the endpoint.
    #[error("cannot reach the Docker engine at `{endpoint}`")]
    #[diagnostic(help(
        "start the engine (`sudo systemctl start docker`, or `dockerd` / `podman system service`), \
         or point `DOCKER_HOST` at a running one (for example `unix:///run/user/1000/podman/podman.sock` \
         or `tcp://host:2376` with `DOCKER_TLS_VERIFY=1` and `DOCKER_CERT_PATH`)"
    ))]
    Unreachable {
        endpoint: String,
        #[source]
        source: bollard::errors::Error,
    },

    /// `DOCKER_HOST` names something envc cannot connect to.
    #[error("`DOCKER_HOST` is `{host}`: {reason}")]
    #[diagnostic(help("use `unix:///path/to/docker.sock` or `tcp://host:port`"))]
    BadHost { host: String, reason: String },

    /// The Docker CLI context to use cannot be read.
    #[error("cannot use the Docker context `{name}`: {reason}")]
    #[diagnostic(help(
        "list contexts with `docker context ls`, or set `DOCKER_HOST` (which takes precedence)"
    ))]
    Context { name: String, reason: String },

    /// TLS files named by `DOCKER_CERT_PATH` are missing or unreadable.
    #[error("cannot use the TLS files in `{}` for `{endpoint}`", dir.display())]
    #[diagnostic(help(
        "`DOCKER_CERT_PATH` must hold `ca.pem`, `cert.pem` and `key.pem` when `DOCKER_TLS_VERIFY` is set"
    ))]
    Tls {
        endpoint: String,
        dir: PathBuf,
        #[source]
        source: bollard::errors::Error,
    },

    /// The engine answers with an API version older than envc can use.
    #[error(
        "the Docker engine at `{endpoint}` speaks API `{found}`, envc needs at least `{needed}`"
    )]
    #[diagnostic(help("upgrade the engine (Docker 20.10 or newer)"))]
    TooOld {
        endpoint: String,
        found: String,
        needed: String,
    },

    /// An engine call did not answer in time.
    #[error("the Docker engine did not answer `{action}` within {seconds} s")]
    Timeout { action: String, seconds: u64 },

    /// The named object does not exist.
    #[error("no {kind} `{name}` in the Docker engine")]
    NotFound { kind: &'static str, name: String },

    /// An engine call failed.
    #[error("Docker engine call failed: {action}")]
    Api {
        action: String,
        #[source]
        source: bollard::errors::Error,
    },

    /// A streamed engine call reported an error in its stream.
    #[error("Docker engine stream failed: {action}: {message}")]
    Stream { action: String, message: String },

    /// Registry credentials could not be read.
    #[error("cannot get credentials for `{registry}`: {reason}")]
    #[diagnostic(help(
        "check the Docker config file (`~/.docker/config.json` or `$DOCKER_CONFIG`) and its credential helper"
    ))]
    Credentials { registry: String, reason: String },

    /// Reading or writing local data for an engine call failed.
    #[error("{action}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },

    /// The user (or the system) asked envc to stop.
    #[error("interrupted by {}", signal.name())]
    Interrupted { signal: Signal },
}

impl EngineError {
    /// Which kind of failure this is, for the exit code.
    pub fn failure(&self) -> Failure {
        match self {
            EngineError::Unreachable { .. }
            | EngineError::BadHost { .. }
            | EngineError::Context { .. }
            | EngineError::Tls { .. }
            | EngineError::TooOld { .. }
            | EngineError::Credentials { .. } => Failure::Environment,
            EngineError::NotFound { .. } => Failure::Input,
            EngineError::Timeout { .. }
            | EngineError::Api { .. }
            | EngineError::Stream { .. }
            | EngineError::Io { .. }
            | EngineError::Interrupted { .. } => Failure::Found,
        }
    }

    /// Wrap a bollard error from `action`; an error reported inside a stream keeps its
    /// message. (Timeouts are recognised by `Engine::fail`, which knows the limit.)
    pub(crate) fn api(action: impl Into<String>, source: bollard::errors::Error) -> Self {
        let action = action.into();
        match source {
            bollard::errors::Error::DockerStreamError { error } => EngineError::Stream {
                action,
                message: error,
            },
            source => EngineError::Api { action, source },
        }
    }

    /// True when the engine said the object does not exist.
    pub fn is_not_found(&self) -> bool {
        match self {
            EngineError::NotFound { .. } => true,
            EngineError::Api { source, .. } => is_not_found(source),
            _ => false,
        }
    }
}

pub(crate) fn is_not_found(error: &bollard::errors::Error) -> bool {
    matches!(
        error,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

impl From<EngineError> for Report {
    fn from(error: EngineError) -> Self {
        Report::new(error.failure(), error)
    }
}
