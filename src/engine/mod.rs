//! The Docker Engine client: one connection, typed errors, and the small set of primitives
//! the lock, build and run stages stand on.
//!
//! Built on bollard. It knows nothing about specs or plans: it takes image references,
//! commands, paths and labels. Each primitive lives in its own file; [`Engine`] is the
//! handle they hang off. Streams from the engine are consumed item by item, and an error
//! item fails the operation. Containers are created through [`ContainerGuard`], which
//! removes them on error and on Ctrl-C (see [`interrupt`]).

mod attach;
mod commit;
mod connect;
mod container;
mod context;
mod credentials;
mod distribution;
mod download;
mod endpoint;
mod error;
mod exec;
mod export;
mod image;
mod import;
pub mod interrupt;
mod load;
mod logs;
mod network;
mod progress;
mod rootfs_listing;
mod session;
mod upload;
mod volume;

pub use attach::Attached;
pub use bollard::models;
pub use commit::CommitSpec;
pub use container::{ContainerGuard, ContainerSpec, Exit};
pub use context::{ContextHost, context_host, docker_config_dir};
pub use credentials::{
    credentials_from_config, docker_config_path, registry_credentials, registry_host,
};
pub use endpoint::{DEFAULT_SOCKET, Endpoint};
pub use error::{EngineError, Signal};
pub use exec::{ExecOutput, ExecSession, ExecSpec};
pub use export::{ByteStream, ChannelReader};
pub use image::{ImageInfo, split_reference};
pub use logs::{LogChunk, LogStream};
pub use network::NetworkSpec;
pub use rootfs_listing::{ImageListError, list_container, list_image};
pub use session::{GpuSupport, Session, SessionOutput};
pub use volume::VolumeSpec;

use std::time::Duration;

/// The lowest Engine API version envc uses (Docker 20.10, Podman 4).
pub const MIN_API_VERSION: (usize, usize) = (1, 41);

/// How long one engine call may take to answer unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// How long calls that answer only when their work is done (commit, import, load) may
/// take: large images legitimately need minutes.
pub const LONG_TIMEOUT: Duration = Duration::from_secs(3600);

/// A connected Docker Engine (or a compatible one).
#[derive(Debug, Clone)]
pub struct Engine {
    docker: bollard::Docker,
    endpoint: Endpoint,
    timeout: Duration,
    api_version: (usize, usize),
}

impl Engine {
    /// The endpoint this engine was reached at.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The negotiated Engine API version, as (major, minor).
    pub fn api_version(&self) -> (usize, usize) {
        self.api_version
    }

    /// The per-call timeout (time to the engine's answer; streams may run longer).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The underlying bollard client, for calls this module does not wrap yet.
    pub fn docker(&self) -> &bollard::Docker {
        &self.docker
    }

    /// The client for calls that answer only when their work is done.
    pub(crate) fn docker_long(&self) -> bollard::Docker {
        self.docker
            .clone()
            .with_timeout(LONG_TIMEOUT.max(self.timeout))
    }

    /// Turn a bollard error from `action` into an [`EngineError`].
    pub(crate) fn fail(
        &self,
        action: impl Into<String>,
        source: bollard::errors::Error,
    ) -> EngineError {
        match source {
            bollard::errors::Error::RequestTimeoutError => EngineError::Timeout {
                action: action.into(),
                seconds: self.timeout.as_secs(),
            },
            source => EngineError::api(action, source),
        }
    }

    /// Like [`Engine::fail`], but a 404 becomes [`EngineError::NotFound`] for `kind` `name`.
    pub(crate) fn fail_lookup(
        &self,
        kind: &'static str,
        name: &str,
        action: impl Into<String>,
        source: bollard::errors::Error,
    ) -> EngineError {
        if error::is_not_found(&source) {
            EngineError::NotFound {
                kind,
                name: name.to_string(),
            }
        } else {
            self.fail(action, source)
        }
    }
}
