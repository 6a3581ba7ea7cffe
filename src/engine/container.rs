//! Containers: create, start, wait, inspect and remove, always through a guard.
//!
//! [`Engine::create_container`] returns a [`ContainerGuard`]. Until the guard is removed
//! (or explicitly kept, for long-lived environment containers) the container is tracked:
//! dropping the guard on an error path force-removes it, and a second Ctrl-C removes every
//! tracked container before exiting (see [`super::interrupt`]). So a build step that fails
//! or is interrupted never leaves a container behind.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, ContainerInspectResponse, HostConfig, NetworkingConfig,
};
use bollard::query_parameters::{
    CreateContainerOptions, RemoveContainerOptionsBuilder, StopContainerOptionsBuilder,
    WaitContainerOptions,
};
use futures_util::StreamExt;

use super::{Engine, EngineError, interrupt};

/// What to create: the common fields by name, everything else through `host_config`.
#[derive(Debug, Clone, Default)]
pub struct ContainerSpec {
    pub image: String,
    /// Container name; `None` lets the engine choose.
    pub name: Option<String>,
    /// Replaces the image's command.
    pub cmd: Option<Vec<String>>,
    /// Replaces the image's entrypoint (`Some(vec![])` clears it).
    pub entrypoint: Option<Vec<String>>,
    /// `NAME=value` entries added to the image's environment.
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub labels: HashMap<String, String>,
    pub tty: bool,
    /// Keep stdin open (for attaching an input stream).
    pub open_stdin: bool,
    pub hostname: Option<String>,
    /// Ports the container exposes, as `<port>/<protocol>`: engines before API 1.42 publish a
    /// `HostConfig.PortBindings` entry only when its port is also exposed here.
    pub exposed_ports: Vec<String>,
    /// Mounts, network mode, devices, capabilities, resources, init, auto-remove, …
    pub host_config: HostConfig,
    pub networking_config: Option<NetworkingConfig>,
    /// The container may be committed (a base relabelled, a rootfs label added): it carries
    /// no owner label, which the engine would copy into the image and so into its key-free
    /// but byte-compared outputs (the SIF's labels).
    pub may_be_committed: bool,
}

/// The labels of `spec` with the owner label envc's containers carry, so that the next
/// start can remove what a killed envc left behind (`crate::leftovers`). A container that
/// may be committed carries none (a build step's names its owner in its name instead).
fn owned_labels(spec: &ContainerSpec) -> HashMap<String, String> {
    let mut labels = spec.labels.clone();
    if !spec.may_be_committed
        && let Some(owner) = crate::leftovers::owner_label()
    {
        labels.insert(crate::leftovers::OWNER_LABEL.to_owned(), owner);
    }
    labels
}

/// How a container ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exit {
    /// The main process's exit status (128 + signal when killed by a signal).
    pub code: i64,
    /// The engine's error for the container, when it has one (for example, cannot execute).
    pub error: Option<String>,
}

impl Exit {
    pub fn success(&self) -> bool {
        self.code == 0
    }
}

/// A container this process created; removed on drop unless removed or kept explicitly.
#[derive(Debug)]
pub struct ContainerGuard {
    engine: Engine,
    id: String,
    armed: bool,
}

impl Engine {
    /// Create a container of `image` that is never started: for reading its filesystem
    /// (export) or committing it unchanged. An entrypoint is given so that images without
    /// one are accepted; starting would let the runtime write `/etc/hostname` and friends.
    pub async fn create_unstarted(&self, image: &str) -> Result<ContainerGuard, EngineError> {
        self.create_container(&ContainerSpec {
            image: image.to_owned(),
            entrypoint: Some(vec!["/envc-never-started".into()]),
            may_be_committed: true,
            ..Default::default()
        })
        .await
    }

    /// Create a container (not started). The guard removes it unless told otherwise.
    pub async fn create_container(
        &self,
        spec: &ContainerSpec,
    ) -> Result<ContainerGuard, EngineError> {
        interrupt::check()?;
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            cmd: spec.cmd.clone(),
            entrypoint: spec.entrypoint.clone(),
            env: (!spec.env.is_empty()).then(|| spec.env.clone()),
            working_dir: spec.working_dir.clone(),
            user: spec.user.clone(),
            labels: Some(owned_labels(spec)),
            tty: Some(spec.tty),
            open_stdin: Some(spec.open_stdin),
            stdin_once: Some(spec.open_stdin),
            attach_stdin: Some(spec.open_stdin),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            hostname: spec.hostname.clone(),
            exposed_ports: (!spec.exposed_ports.is_empty()).then(|| spec.exposed_ports.clone()),
            host_config: Some(spec.host_config.clone()),
            networking_config: spec.networking_config.clone(),
            ..Default::default()
        };
        let options = CreateContainerOptions {
            name: spec.name.clone(),
            ..Default::default()
        };
        let created = self
            .docker
            .create_container(Some(options), body)
            .await
            .map_err(|e| {
                self.fail_lookup(
                    "image",
                    &spec.image,
                    format!("create a container from `{}`", spec.image),
                    e,
                )
            })?;
        for warning in &created.warnings {
            tracing::warn!(container = %created.id, "engine: {warning}");
        }
        interrupt::track(self, &created.id);
        Ok(ContainerGuard {
            engine: self.clone(),
            id: created.id,
            armed: true,
        })
    }

    /// Inspect any container by ID or name.
    pub async fn inspect_container(
        &self,
        id: &str,
    ) -> Result<ContainerInspectResponse, EngineError> {
        self.docker
            .inspect_container(id, None)
            .await
            .map_err(|e| self.fail_lookup("container", id, format!("inspect container `{id}`"), e))
    }

    /// Remove a container (and its anonymous volumes) whether running or not; a container
    /// that is already gone is not an error.
    pub async fn remove_container(&self, id: &str) -> Result<(), EngineError> {
        let options = RemoveContainerOptionsBuilder::new()
            .force(true)
            .v(true)
            .build();
        match self.docker.remove_container(id, Some(options)).await {
            Ok(()) => Ok(()),
            Err(e) if super::error::is_not_found(&e) => Ok(()),
            // 409: removal already in progress (for example auto-remove after exit).
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 409, ..
            }) => Ok(()),
            Err(e) => Err(self.fail(format!("remove container `{id}`"), e)),
        }
    }

    /// Stop a running container, killing it after `grace_seconds`.
    pub async fn stop_container(&self, id: &str, grace_seconds: i32) -> Result<(), EngineError> {
        let options = StopContainerOptionsBuilder::new().t(grace_seconds).build();
        match self.docker.stop_container(id, Some(options)).await {
            Ok(()) => Ok(()),
            // 304: already stopped.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 304, ..
            }) => Ok(()),
            Err(e) => Err(self.fail_lookup("container", id, format!("stop container `{id}`"), e)),
        }
    }

    /// Wait for a container to stop and return how it ended; a signal interrupts the wait.
    pub async fn wait_container(&self, id: &str) -> Result<Exit, EngineError> {
        interrupt::race(async {
            let mut stream = self.docker.wait_container(id, None::<WaitContainerOptions>);
            let mut last = None;
            while let Some(item) = stream.next().await {
                match item {
                    Ok(response) => {
                        last = Some(Exit {
                            code: response.status_code,
                            error: response
                                .error
                                .and_then(|e| e.message)
                                .filter(|m| !m.is_empty()),
                        })
                    }
                    // bollard reports a non-zero status as an error; it is an outcome.
                    Err(bollard::errors::Error::DockerContainerWaitError { error, code }) => {
                        last = Some(Exit {
                            code,
                            error: (!error.is_empty()).then_some(error),
                        })
                    }
                    Err(e) => {
                        return Err(self.fail_lookup(
                            "container",
                            id,
                            format!("wait for container `{id}`"),
                            e,
                        ));
                    }
                }
            }
            last.ok_or_else(|| EngineError::Stream {
                action: format!("wait for container `{id}`"),
                message: "the engine closed the stream without an exit status".into(),
            })
        })
        .await
    }
}

impl ContainerGuard {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Start the container.
    pub async fn start(&self) -> Result<(), EngineError> {
        interrupt::check()?;
        self.engine
            .docker
            .start_container(&self.id, None)
            .await
            .map_err(|e| {
                self.engine
                    .fail(format!("start container `{}`", self.id), e)
            })
    }

    /// Wait for the container to stop; interrupted by SIGINT/SIGTERM.
    pub async fn wait(&self) -> Result<Exit, EngineError> {
        self.engine.wait_container(&self.id).await
    }

    pub async fn inspect(&self) -> Result<ContainerInspectResponse, EngineError> {
        self.engine.inspect_container(&self.id).await
    }

    /// Remove the container now.
    pub async fn remove(mut self) -> Result<(), EngineError> {
        self.armed = false;
        interrupt::untrack(&self.id);
        self.engine.remove_container(&self.id).await
    }

    /// Keep the container (a long-lived environment): the guard no longer removes it.
    pub fn keep(mut self) -> String {
        self.armed = false;
        interrupt::untrack(&self.id);
        std::mem::take(&mut self.id)
    }
}

impl Drop for ContainerGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        interrupt::untrack(&self.id);
        // Drop cannot await, and the caller's runtime may be single-threaded or shutting
        // down: remove over a fresh connection on a short-lived thread of our own.
        let engine = self.engine.clone();
        let id = self.id.clone();
        let joined = std::thread::Builder::new()
            .name("envc-cleanup".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                runtime
                    .block_on(force_remove_fresh(&engine, &id))
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| e.to_string())
            .and_then(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err("cleanup thread panicked".into()))
            });
        if let Err(error) = joined {
            eprintln!("envc: could not remove container `{}`: {error}", self.id);
        }
    }
}

/// Force-remove `id` over a new connection (usable from any runtime).
pub(crate) async fn force_remove_fresh(engine: &Engine, id: &str) -> Result<(), EngineError> {
    let docker = engine.reopen()?;
    let fresh = Engine {
        docker,
        ..engine.clone()
    };
    fresh.remove_container(id).await
}
