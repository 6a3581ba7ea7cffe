//! An [`EnvPlan`] as engine requests: the long-lived environment container, the one-shot
//! container of `envc run` without `up`, and the sidecars.
//!
//! Both main containers run `/bin/sh -c SCRIPT` as root with an init process (so signals reach
//! the command and zombies are reaped); the script comes from [`super::user_script`].

use std::collections::HashMap;

use bollard::models::{
    DeviceMapping, DeviceRequest, EndpointSettings, HostConfig, Mount, MountTmpfsOptions,
    MountType, NetworkingConfig, PortBinding, ResourcesUlimits,
};

use super::env_plan::{EnvPlan, GpuPlan, MountKind, MountPlan, PortPlan, ServicePlan};
use super::user_script;
use crate::engine::ContainerSpec;

/// GPUs as the engine takes them, once `auto` is decided.
pub fn device_requests(gpu: &GpuPlan, auto_available: bool) -> Option<Vec<DeviceRequest>> {
    let all = DeviceRequest {
        driver: Some("nvidia".into()),
        count: Some(-1),
        capabilities: Some(vec![vec!["gpu".into()]]),
        ..Default::default()
    };
    match gpu {
        GpuPlan::None => None,
        GpuPlan::Auto if !auto_available => None,
        GpuPlan::All | GpuPlan::Auto => Some(vec![all]),
        GpuPlan::Count(n) => Some(vec![DeviceRequest {
            count: Some(i64::from(*n)),
            ..all
        }]),
        GpuPlan::Devices(ids) => Some(vec![DeviceRequest {
            count: None,
            device_ids: Some(ids.clone()),
            ..all
        }]),
    }
}

fn mounts(list: &[MountPlan]) -> Vec<Mount> {
    list.iter()
        .map(|m| Mount {
            target: Some(m.target.clone()),
            source: (m.kind != MountKind::Tmpfs).then(|| m.source.clone()),
            typ: Some(match m.kind {
                MountKind::Bind => MountType::BIND,
                MountKind::Volume => MountType::VOLUME,
                MountKind::Tmpfs => MountType::TMPFS,
            }),
            read_only: Some(m.readonly),
            tmpfs_options: m.size.map(|size| MountTmpfsOptions {
                size_bytes: Some(size),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect()
}

fn port_bindings(ports: &[PortPlan]) -> Option<HashMap<String, Option<Vec<PortBinding>>>> {
    (!ports.is_empty()).then(|| {
        ports
            .iter()
            .map(|p| {
                (
                    format!("{}/{}", p.container, p.protocol),
                    Some(vec![PortBinding {
                        host_ip: Some(p.address.clone()),
                        host_port: Some(p.host.to_string()),
                    }]),
                )
            })
            .collect()
    })
}

/// The `<port>/<protocol>` of every published port: set as `Config.ExposedPorts` next to the
/// bindings, as the docker CLI does (Docker 20.10 publishes nothing otherwise).
fn exposed_ports(ports: &[PortPlan]) -> Vec<String> {
    let mut exposed: Vec<String> = ports
        .iter()
        .map(|p| format!("{}/{}", p.container, p.protocol))
        .collect();
    exposed.sort();
    exposed.dedup();
    exposed
}

fn host_config(plan: &EnvPlan, gpus: bool) -> HostConfig {
    HostConfig {
        init: Some(true),
        mounts: Some(mounts(&plan.mounts)),
        network_mode: plan.network.as_ref().map(|n| n.name.clone()),
        port_bindings: port_bindings(&plan.ports),
        devices: (!plan.devices.is_empty()).then(|| {
            plan.devices
                .iter()
                .map(|d| {
                    let (host, container) = d.split_once(':').unwrap_or((d, d));
                    DeviceMapping {
                        path_on_host: Some(host.to_owned()),
                        path_in_container: Some(container.to_owned()),
                        cgroup_permissions: Some("rwm".into()),
                    }
                })
                .collect()
        }),
        cap_add: (!plan.cap_add.is_empty()).then(|| plan.cap_add.clone()),
        cap_drop: (!plan.cap_drop.is_empty()).then(|| plan.cap_drop.clone()),
        ipc_mode: plan.ipc.clone(),
        shm_size: plan.shm_size,
        ulimits: (!plan.ulimits.is_empty()).then(|| {
            plan.ulimits
                .iter()
                .map(|(name, soft, hard)| ResourcesUlimits {
                    name: Some(name.clone()),
                    soft: Some(*soft),
                    hard: Some(*hard),
                })
                .collect()
        }),
        device_requests: device_requests(&plan.gpu, gpus),
        ..Default::default()
    }
}

fn labels(plan: &EnvPlan, role: &str, hash: Option<&str>) -> HashMap<String, String> {
    let mut labels: HashMap<String, String> = plan.labels.clone().into_iter().collect();
    labels.insert(super::env_plan::LABEL_ROLE.into(), role.into());
    if let Some(hash) = hash {
        labels.insert(super::env_plan::LABEL_HASH.into(), hash.into());
    }
    labels
}

/// The long-lived environment container of `envc up`: root, kept alive by a sleep loop;
/// the user is set up by an exec right after start.
pub fn environment(plan: &EnvPlan, gpus: bool) -> ContainerSpec {
    ContainerSpec {
        image: plan.image.clone(),
        name: Some(plan.container.clone()),
        entrypoint: Some(vec!["/bin/sh".into(), "-c".into()]),
        cmd: Some(vec![user_script::KEEPALIVE.into()]),
        env: plan.container_env_list(),
        working_dir: plan.project_target.clone(),
        user: Some("0:0".into()),
        labels: labels(plan, "env", Some(&plan.hash())),
        hostname: None,
        exposed_ports: exposed_ports(&plan.ports),
        host_config: host_config(plan, gpus),
        ..Default::default()
    }
}

/// A one-shot container running `command` as the user, from `workdir`.
pub fn oneshot(
    plan: &EnvPlan,
    gpus: bool,
    command: &[String],
    workdir: Option<String>,
    tty: bool,
) -> ContainerSpec {
    let mut cmd = vec![user_script::oneshot(plan), "envc".into()];
    cmd.extend(command.iter().cloned());
    let mut env = plan.env_list();
    if tty && let Ok(term) = std::env::var("TERM") {
        env.push(format!("TERM={term}"));
    }
    ContainerSpec {
        image: plan.image.clone(),
        name: None,
        entrypoint: Some(vec!["/bin/sh".into(), "-c".into()]),
        cmd: Some(cmd),
        env,
        working_dir: workdir,
        user: Some("0:0".into()),
        labels: labels(plan, "run", None),
        tty,
        open_stdin: true,
        exposed_ports: exposed_ports(&plan.ports),
        host_config: host_config(plan, gpus),
        ..Default::default()
    }
}

/// A sidecar on the environment's network, reachable under its service name.
pub fn service(plan: &EnvPlan, service: &ServicePlan) -> ContainerSpec {
    let network = plan.network.as_ref().map(|n| n.name.clone());
    let mut labels = labels(plan, "service", Some(&plan.hash()));
    labels.insert("dev.envc.service".into(), service.name.clone());
    ContainerSpec {
        image: service.image.clone(),
        name: Some(service.container.clone()),
        cmd: service.cmd.clone(),
        env: service
            .env
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect(),
        labels,
        hostname: Some(service.name.clone()),
        exposed_ports: exposed_ports(&service.ports),
        host_config: HostConfig {
            init: Some(true),
            mounts: Some(mounts(&service.mounts)),
            network_mode: network.clone(),
            port_bindings: port_bindings(&service.ports),
            ..Default::default()
        },
        networking_config: network.map(|n| NetworkingConfig {
            endpoints_config: Some(HashMap::from([(
                n,
                EndpointSettings {
                    aliases: Some(vec![service.name.clone()]),
                    ..Default::default()
                },
            )])),
        }),
        ..Default::default()
    }
}
