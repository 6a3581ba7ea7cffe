//! Connecting: open a client for an [`Endpoint`], negotiate the API version, and turn
//! "nothing is listening" into an error that says how to start an engine.
//!
//! Negotiation starts from bollard's newest version and lets the engine lower it, so new
//! engines (which drop old API versions) and old ones (Docker 20.10 speaks 1.41) both work;
//! anything below [`MIN_API_VERSION`] is refused.

use std::time::Duration;

use bollard::{API_DEFAULT_VERSION, Docker};

use super::{DEFAULT_TIMEOUT, Endpoint, Engine, EngineError, MIN_API_VERSION};

/// How long to wait for the first answer before deciding no engine is there.
const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

impl Engine {
    /// Connect to the engine the environment names (`DOCKER_HOST` etc.), with the default timeout.
    pub async fn connect() -> Result<Engine, EngineError> {
        Engine::connect_to(Endpoint::from_env()?, DEFAULT_TIMEOUT).await
    }

    /// Connect to `endpoint`; every call then waits at most `timeout` for the engine's answer.
    pub async fn connect_to(endpoint: Endpoint, timeout: Duration) -> Result<Engine, EngineError> {
        let docker = open(&endpoint, PROBE_TIMEOUT)?;
        let unreachable = |source| EngineError::Unreachable {
            endpoint: endpoint.to_string(),
            source,
        };
        let docker = docker.negotiate_version().await.map_err(unreachable)?;
        let version = docker.client_version();
        let api_version = (version.major_version, version.minor_version);
        if api_version < MIN_API_VERSION {
            return Err(EngineError::TooOld {
                endpoint: endpoint.to_string(),
                found: format!("{}.{}", api_version.0, api_version.1),
                needed: format!("{}.{}", MIN_API_VERSION.0, MIN_API_VERSION.1),
            });
        }
        tracing::debug!(%endpoint, api = %format!("{}.{}", api_version.0, api_version.1), "connected to the engine");
        Ok(Engine {
            docker: docker.with_timeout(timeout),
            endpoint,
            timeout,
            api_version,
        })
    }

    /// A second, independent connection to the same engine and API version.
    ///
    /// Used to clean up from a fresh runtime (a drop guard or a signal handler) where the
    /// original connection's runtime may be busy or gone.
    pub(crate) fn reopen(&self) -> Result<bollard::Docker, EngineError> {
        let version = bollard::ClientVersion {
            major_version: self.api_version.0,
            minor_version: self.api_version.1,
        };
        open_with_version(&self.endpoint, self.timeout, &version)
    }
}

fn open(endpoint: &Endpoint, timeout: Duration) -> Result<Docker, EngineError> {
    open_with_version(endpoint, timeout, API_DEFAULT_VERSION)
}

fn open_with_version(
    endpoint: &Endpoint,
    timeout: Duration,
    version: &bollard::ClientVersion,
) -> Result<Docker, EngineError> {
    let seconds = timeout.as_secs().max(1);
    let unreachable = |source| EngineError::Unreachable {
        endpoint: endpoint.to_string(),
        source,
    };
    match endpoint {
        Endpoint::Unix(path) => {
            let path = path.to_string_lossy();
            Docker::connect_with_unix(&path, seconds, version).map_err(unreachable)
        }
        Endpoint::Tcp { address } => {
            Docker::connect_with_http(&format!("tcp://{address}"), seconds, version)
                .map_err(unreachable)
        }
        Endpoint::Tls { address, cert_dir } => Docker::connect_with_ssl(
            &format!("tcp://{address}"),
            &cert_dir.join("key.pem"),
            &cert_dir.join("cert.pem"),
            &cert_dir.join("ca.pem"),
            seconds,
            version,
        )
        .map_err(|source| EngineError::Tls {
            endpoint: endpoint.to_string(),
            dir: cert_dir.clone(),
            source,
        }),
    }
}
