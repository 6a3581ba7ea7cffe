//! Interactive sessions: a user's command attached to their terminal, whose signals are
//! forwarded to the command rather than ending envc (`envc run`, `envc shell`).
//!
//! The build's streams end at the first Ctrl-C (see [`super::interrupt`]); a session instead
//! keeps reading until the command itself ends, after envc has passed the signal on with
//! [`Engine::kill_container`] or a `kill` exec. Also the few calls the runtime needs besides:
//! listing containers by label, the GPU support the engine reports, and a connection that
//! skips version negotiation for the fast path.

use std::collections::HashMap;
use std::pin::Pin;
use std::time::Duration;

use bollard::models::ContainerSummary;
use bollard::query_parameters::{KillContainerOptions, ListContainersOptionsBuilder};
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWrite;

use super::{Endpoint, Engine, EngineError, ExecSpec, LogChunk};

/// Output of a session: ends when the command's output ends, or with an engine error.
pub type SessionOutput = Pin<Box<dyn Stream<Item = Result<LogChunk, EngineError>> + Send>>;

/// A started session.
pub struct Session {
    /// The exec ID (exec sessions) or container ID (attached containers).
    pub id: String,
    pub output: SessionOutput,
    pub input: Option<Pin<Box<dyn AsyncWrite + Send>>>,
}

/// What the engine offers for GPUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpuSupport {
    /// An `nvidia` runtime is registered.
    pub nvidia_runtime: bool,
    /// CDI devices are discovered.
    pub cdi_devices: bool,
}

impl Engine {
    /// Connect to `endpoint` at a known API version, without negotiating (one round trip
    /// less): for the fast path, with a version an earlier negotiation found.
    pub fn connect_at_version(
        endpoint: Endpoint,
        timeout: Duration,
        api_version: (usize, usize),
    ) -> Result<Engine, EngineError> {
        let engine = Engine {
            docker: bollard::Docker::connect_with_defaults().map_err(|source| {
                EngineError::Unreachable {
                    endpoint: endpoint.to_string(),
                    source,
                }
            })?,
            endpoint,
            timeout,
            api_version,
        };
        let docker = engine.reopen()?;
        tracing::debug!(endpoint = %engine.endpoint, "connected to the engine");
        Ok(Engine { docker, ..engine })
    }

    /// Start `spec` in `container`; signals do not end the output.
    pub async fn exec_session(
        &self,
        container: &str,
        spec: &ExecSpec,
    ) -> Result<Session, EngineError> {
        let action = format!("run a command in container `{container}`");
        let started = self.start_attached(container, spec, &action).await?;
        Ok(Session {
            id: started.id,
            output: self.session_output(action, started.output),
            input: started.input,
        })
    }

    /// Attach to container `id` (before starting it); signals do not end the output.
    pub async fn attach_session(&self, id: &str, stdin: bool) -> Result<Session, EngineError> {
        let (attached, action) = self.attach_streams(id, stdin).await?;
        Ok(Session {
            id: id.to_owned(),
            output: self.session_output(action, attached.output),
            input: stdin.then_some(attached.input),
        })
    }

    fn session_output(
        &self,
        action: String,
        inner: impl Stream<Item = Result<bollard::container::LogOutput, bollard::errors::Error>>
        + Send
        + 'static,
    ) -> SessionOutput {
        let engine = self.clone();
        Box::pin(inner.filter_map(move |item| {
            let result = match item {
                Ok(output) => LogChunk::from_output(output).map(Ok),
                Err(e) => Some(Err(engine.fail(action.clone(), e))),
            };
            std::future::ready(result)
        }))
    }

    /// Send `signal` (for example `SIGINT`) to a container's main process.
    pub async fn kill_container(&self, id: &str, signal: &str) -> Result<(), EngineError> {
        let options = KillContainerOptions {
            signal: signal.to_owned(),
        };
        self.docker
            .kill_container(id, Some(options))
            .await
            .map_err(|e| self.fail_lookup("container", id, format!("signal container `{id}`"), e))
    }

    /// Containers (running or not, with `all`) carrying label `key=value`.
    pub async fn list_containers_by_label(
        &self,
        key: &str,
        value: &str,
        all: bool,
    ) -> Result<Vec<ContainerSummary>, EngineError> {
        self.list_containers_where("label", &format!("{key}={value}"), all)
            .await
    }

    /// Containers (running or not, with `all`) that the engine's list filter `filter`
    /// matches with `value`: `label` (`key` or `key=value`), `name` (a part of the name),
    /// `volume` (a volume they mount).
    pub async fn list_containers_where(
        &self,
        filter: &str,
        value: &str,
        all: bool,
    ) -> Result<Vec<ContainerSummary>, EngineError> {
        let filters = HashMap::from([(filter, vec![value])]);
        let options = ListContainersOptionsBuilder::new()
            .all(all)
            .filters(&filters)
            .build();
        self.docker
            .list_containers(Some(options))
            .await
            .map_err(|e| self.fail(format!("list containers with {filter} `{value}`"), e))
    }

    /// Whether the engine can give containers NVIDIA GPUs.
    pub async fn gpu_support(&self) -> Result<GpuSupport, EngineError> {
        let info = self
            .docker
            .info()
            .await
            .map_err(|e| self.fail("read the engine's information", e))?;
        Ok(GpuSupport {
            nvidia_runtime: info
                .runtimes
                .is_some_and(|r| r.keys().any(|k| k.contains("nvidia"))),
            cdi_devices: info.discovered_devices.is_some_and(|d| {
                d.iter()
                    .any(|device| device.source.as_deref() == Some("cdi"))
            }),
        })
    }
}
