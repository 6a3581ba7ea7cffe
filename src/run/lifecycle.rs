//! Starting and stopping environments against the engine: host folders, the network, the
//! sidecars (waited on until healthy), the environment container, its user set-up and its
//! post-start commands; and finding, describing and removing what envc started.

use std::time::{Duration, Instant};

use bollard::models::ContainerSummary;

use super::container_config;
use super::env_plan::{
    EnvPlan, GpuPlan, LABEL_HASH, LABEL_PROJECT, LABEL_ROLE, LABEL_VARIANT, MountKind,
};
use super::error::RunError;
use super::user_script;
use crate::engine::{Engine, EngineError, ExecSpec, NetworkSpec};

/// What is running under an environment's name.
#[derive(Debug, Clone)]
pub struct Existing {
    pub id: String,
    pub running: bool,
    pub hash: Option<String>,
}

/// The environment container named `name`, if there is one.
pub async fn find(engine: &Engine, name: &str) -> Result<Option<Existing>, EngineError> {
    match engine.inspect_container(name).await {
        Ok(c) => Ok(Some(Existing {
            id: c.id.unwrap_or_default(),
            running: c.state.and_then(|s| s.running).unwrap_or(false),
            hash: c
                .config
                .and_then(|c| c.labels)
                .and_then(|l| l.get(LABEL_HASH).cloned()),
        })),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether to give the container GPUs: `auto` asks the engine, and says when it will not.
pub async fn gpus(engine: &Engine, plan: &EnvPlan) -> Result<bool, EngineError> {
    if plan.gpu != GpuPlan::Auto {
        return Ok(plan.gpu != GpuPlan::None);
    }
    let support = engine.gpu_support().await?;
    let available = support.nvidia_runtime || support.cdi_devices;
    if !available {
        eprintln!(
            "note: `run.gpu` is `auto` and the engine reports no NVIDIA runtime or CDI devices: starting without GPUs"
        );
    }
    Ok(available)
}

/// Create the host folders of persistent caches (as the user running envc, so theirs).
pub fn host_dirs(plan: &EnvPlan) -> Result<(), RunError> {
    for dir in &plan.host_dirs {
        std::fs::create_dir_all(dir).map_err(|source| RunError::HostDir {
            path: dir.clone(),
            source,
        })?;
    }
    Ok(())
}

/// The network, created when asked (or private) and missing; `true` when this call created it.
pub async fn network(engine: &Engine, plan: &EnvPlan) -> Result<bool, RunError> {
    let Some(network) = &plan.network else {
        return Ok(false);
    };
    if matches!(
        network.name.as_str(),
        "host" | "none" | "bridge" | "default"
    ) {
        return Ok(false);
    }
    if network.create {
        if engine.network_id(&network.name).await?.is_some() {
            return Ok(false);
        }
        let mut labels: std::collections::HashMap<String, String> =
            plan.labels.clone().into_iter().collect();
        labels.insert(LABEL_ROLE.into(), "network".into());
        engine
            .ensure_network(&NetworkSpec {
                name: network.name.clone(),
                labels,
                ..Default::default()
            })
            .await?;
        return Ok(true);
    } else if engine.network_id(&network.name).await?.is_none() {
        return Err(RunError::NetworkMissing {
            name: network.name.clone(),
        });
    }
    Ok(false)
}

/// The named volumes the environment and its services mount.
pub fn volume_names(plan: &EnvPlan) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let all = plan
        .mounts
        .iter()
        .chain(plan.services.iter().flat_map(|s| s.mounts.iter()));
    for mount in all {
        if mount.kind == MountKind::Volume && !names.contains(&mount.source) {
            names.push(mount.source.clone());
        }
    }
    names
}

/// The environment's named volumes that do not exist yet (the engine creates them when a
/// container mounts them, so these are the ones a failed `up` must remove again).
pub async fn missing_volumes(engine: &Engine, plan: &EnvPlan) -> Result<Vec<String>, EngineError> {
    let mut missing = Vec::new();
    for name in volume_names(plan) {
        if !engine.volume_exists(&name).await? {
            missing.push(name);
        }
    }
    Ok(missing)
}

/// Start every service and wait until each one's healthcheck passes.
pub async fn services(engine: &Engine, plan: &EnvPlan) -> Result<(), RunError> {
    for service in &plan.services {
        engine.remove_container(&service.container).await?;
        let spec = container_config::service(plan, service);
        let guard = engine.create_container(&spec).await?;
        guard.start().await?;
        guard.keep();
    }
    for service in &plan.services {
        let Some(health) = &service.healthcheck else {
            continue;
        };
        let interval = Duration::from_nanos(health.interval_ns.max(0) as u64);
        let started = Instant::now();
        let start_period = Duration::from_nanos(health.start_period_ns.unwrap_or(0).max(0) as u64);
        let mut failures = 0;
        loop {
            let state = engine.inspect_container(&service.container).await?;
            if let Some(s) = state.state.as_ref().filter(|s| s.running != Some(true)) {
                return Err(RunError::ServiceExited {
                    service: service.name.clone(),
                    container: service.container.clone(),
                    status: s.exit_code.unwrap_or(-1),
                });
            }
            let spec = ExecSpec {
                cmd: health.test.clone(),
                ..Default::default()
            };
            let timeout = Duration::from_nanos(health.timeout_ns.max(0) as u64);
            let output =
                tokio::time::timeout(timeout, engine.exec_output(&service.container, &spec)).await;
            let (ok, text) = match output {
                Ok(Ok(out)) => (
                    out.code == 0,
                    String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned(),
                ),
                Ok(Err(e)) => (false, e.to_string()),
                Err(_) => (false, "timed out".into()),
            };
            if ok {
                break;
            }
            if started.elapsed() >= start_period {
                failures += 1;
            }
            if failures > health.retries {
                return Err(RunError::Unhealthy {
                    service: service.name.clone(),
                    container: service.container.clone(),
                    test: health.test.join(" "),
                    output: text,
                });
            }
            tokio::time::sleep(interval).await;
        }
    }
    Ok(())
}

/// Create and start the environment container, set up its user and run the post-start
/// commands; on any failure the container is removed again.
pub async fn start(engine: &Engine, plan: &EnvPlan, gpus: bool) -> Result<String, RunError> {
    let spec = container_config::environment(plan, gpus);
    let guard = engine.create_container(&spec).await?;
    guard.start().await?;
    let root = |cmd: Vec<String>| ExecSpec {
        cmd,
        env: plan.env_list(),
        user: Some("0:0".into()),
        ..Default::default()
    };
    let setup = engine
        .exec_output(
            guard.id(),
            &root(vec![
                "/bin/sh".into(),
                "-c".into(),
                user_script::setup(plan),
            ]),
        )
        .await?;
    if setup.code != 0 {
        return Err(RunError::Setup {
            container: plan.container.clone(),
            status: setup.code,
            output: String::from_utf8_lossy(&[setup.stdout, setup.stderr].concat()).into_owned(),
        });
    }
    for command in &plan.post_start {
        let out = engine
            .exec_output(
                guard.id(),
                &root(vec!["/bin/sh".into(), "-c".into(), command.clone()]),
            )
            .await?;
        if out.code != 0 {
            return Err(RunError::PostStart {
                command: command.clone(),
                status: out.code,
                output: String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned(),
            });
        }
    }
    Ok(guard.keep())
}

/// The containers envc started for the project at `project` (every variant), running or not.
pub async fn containers(
    engine: &Engine,
    project: &str,
) -> Result<Vec<ContainerSummary>, EngineError> {
    engine
        .list_containers_by_label(LABEL_PROJECT, project, true)
        .await
}

/// A container's label.
pub fn label<'a>(c: &'a ContainerSummary, key: &str) -> Option<&'a str> {
    c.labels.as_ref()?.get(key).map(String::as_str)
}

/// What `down` does with the named volumes the environment mounted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volumes {
    Keep,
    /// Remove those no other container uses (another checkout's, another project's).
    RemoveUnused,
    /// Remove them all, with the other containers that use them.
    Force,
}

/// What [`remove`] did.
#[derive(Debug, Default)]
pub struct Removed {
    /// Containers, and `volume NAME` for volumes.
    pub removed: Vec<String>,
    /// Volumes left in place, with the containers that still use them.
    pub kept: Vec<(String, Vec<String>)>,
}

/// Remove the environment of `project` and `variant`: its containers, its private network
/// and, as `volumes` says, the named volumes they mounted.
pub async fn remove(
    engine: &Engine,
    project: &str,
    variant: Option<&str>,
    network: Option<&str>,
    volumes: Volumes,
) -> Result<Removed, EngineError> {
    let mut done = Removed::default();
    let mut volume_names = Vec::new();
    for c in containers(engine, project).await? {
        if label(&c, LABEL_VARIANT).unwrap_or("") != variant.unwrap_or("") {
            continue;
        }
        let Some(id) = c.id.as_deref() else { continue };
        if volumes != Volumes::Keep {
            for m in c.mounts.iter().flatten() {
                if m.typ.as_deref() == Some("volume")
                    && let Some(name) = &m.name
                    && !volume_names.contains(name)
                {
                    volume_names.push(name.clone());
                }
            }
        }
        engine.remove_container(id).await?;
        let name = c
            .names
            .as_ref()
            .and_then(|n| n.first())
            .map(|n| n.trim_start_matches('/').to_owned())
            .unwrap_or_else(|| id.to_owned());
        done.removed.push(name);
    }
    if let Some(network) = network {
        engine.remove_network(network).await?;
    }
    remove_volumes(engine, &volume_names, volumes, &mut done).await?;
    Ok(done)
}

/// Remove `names` as `policy` says, recording what was removed and what was kept.
pub async fn remove_volumes(
    engine: &Engine,
    names: &[String],
    policy: Volumes,
    done: &mut Removed,
) -> Result<(), EngineError> {
    if policy == Volumes::Keep {
        return Ok(());
    }
    for name in names {
        let users = engine.containers_using_volume(name).await?;
        if !users.is_empty() {
            if policy != Volumes::Force {
                done.kept.push((name.clone(), users));
                continue;
            }
            for user in users {
                engine.remove_container(&user).await?;
                done.removed.push(user);
            }
        }
        engine.remove_volume(name).await?;
        done.removed.push(format!("volume {name}"));
    }
    Ok(())
}
