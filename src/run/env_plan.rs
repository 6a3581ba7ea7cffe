//! A run manifest made concrete for this host: placeholders filled, names chosen, host paths
//! found. The result ([`EnvPlan`]) is everything envc will ask the engine for, as plain data:
//! it is hashed to decide whether a running environment is current, rendered as `docker`
//! commands by `--dry-run`, and turned into engine calls by [`super::engine_spec`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::host::{FillError, HostFacts};
use super::units;
use crate::plan::RunManifest;
use crate::spec::model::{Gpu, Ipc, Protocol, RunString};

/// The label every container, network and volume envc starts carries.
pub const LABEL_PROJECT: &str = "dev.envc.project";
/// `env` for the environment container, `service` for sidecars.
pub const LABEL_ROLE: &str = "dev.envc.role";
pub const LABEL_VARIANT: &str = "dev.envc.variant";
/// The hash of the [`EnvPlan`] a container was started from.
pub const LABEL_HASH: &str = "dev.envc.env-hash";
/// The image key the container runs.
pub const LABEL_IMAGE_KEY: &str = "dev.envc.image-key";

/// Where the host CA bundle appears in the container.
pub const CA_TARGET: &str = "/etc/envc/ca-certificates.crt";
/// The Docker socket's path in the container.
pub const DOCKER_SOCKET_TARGET: &str = "/var/run/docker.sock";

/// The user the command runs as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappedUser {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
    pub shell: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MountKind {
    Bind,
    Volume,
    Tmpfs,
}

/// One mount of the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MountPlan {
    pub kind: MountKind,
    /// Host path (bind), volume name (volume), empty (tmpfs).
    pub source: String,
    pub target: String,
    pub readonly: bool,
    pub size: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortPlan {
    pub container: u16,
    pub host: u16,
    pub address: String,
    pub protocol: &'static str,
}

/// GPUs requested from the engine (`auto` is decided against the engine when starting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GpuPlan {
    None,
    All,
    Auto,
    Count(u32),
    Devices(Vec<String>),
}

/// The network the environment joins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkPlan {
    pub name: String,
    /// envc creates it (when missing) and removes it on `down` only when it is private.
    pub create: bool,
    /// A private network envc made for this environment's services.
    pub private: bool,
}

/// A sidecar, concrete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServicePlan {
    pub name: String,
    pub container: String,
    pub image: String,
    pub cmd: Option<Vec<String>>,
    pub env: BTreeMap<String, String>,
    pub mounts: Vec<MountPlan>,
    pub ports: Vec<PortPlan>,
    pub healthcheck: Option<HealthPlan>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthPlan {
    pub test: Vec<String>,
    pub interval_ns: i64,
    pub timeout_ns: i64,
    pub retries: u32,
    pub start_period_ns: Option<i64>,
}

/// Everything envc asks the engine for to start one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvPlan {
    pub container: String,
    pub image: String,
    pub image_key: String,
    pub labels: BTreeMap<String, String>,
    /// `None`: the command runs as root.
    pub user: Option<MappedUser>,
    pub sudo: bool,
    /// Where the project is mounted (and the working directory's root), when it is.
    pub project_target: Option<String>,
    pub mounts: Vec<MountPlan>,
    /// The config's `run.env`, filled.
    pub env: BTreeMap<String, String>,
    /// Values taken from the host when the command starts (`pass_env`, proxies, `DISPLAY`):
    /// run inputs, so they are neither hashed nor recorded, and a value set only for one
    /// `envc run` never makes the environment "changed" (#16.5). They override `env`.
    #[serde(skip)]
    pub run_env: BTreeMap<String, String>,
    pub network: Option<NetworkPlan>,
    pub ports: Vec<PortPlan>,
    pub devices: Vec<String>,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub ipc: Option<String>,
    pub shm_size: Option<i64>,
    pub ulimits: Vec<(String, i64, i64)>,
    pub gpu: GpuPlan,
    /// The host gid of the Docker socket, mapped to a group the user joins.
    pub docker_group: Option<u32>,
    /// Volume roots given to the user at start.
    pub chown: Vec<String>,
    /// Host folders created before start (persistent caches).
    pub host_dirs: Vec<PathBuf>,
    pub post_start: Vec<String>,
    pub services: Vec<ServicePlan>,
}

/// Why a manifest cannot be made concrete on this host.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ResolveError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Fill(#[from] FillError),
    #[error("the run manifest names no image (no target is enabled)")]
    #[diagnostic(help("enable `targets.docker` or `targets.apptainer`"))]
    NoImage,
    #[error("`{what}` is not a valid {kind}: `{value}`")]
    Invalid {
        what: String,
        kind: &'static str,
        value: String,
    },
    #[error("`run.user.mode` is `fixed` but `run.user.uid` is not set")]
    #[diagnostic(help("set `run.user.uid` (and optionally `run.user.gid`)"))]
    FixedWithoutUid,
}

/// The names of an environment's containers and network: `envc-<project slug>[-<variant>]`.
pub fn base_name(facts: &HostFacts) -> String {
    match &facts.variant {
        Some(v) => format!("envc-{}-{v}", facts.project_slug),
        None => format!("envc-{}", facts.project_slug),
    }
}

/// Make `manifest` concrete for `facts`; `sudo` is the spec's `build.sudo`.
pub fn resolve(
    manifest: &RunManifest,
    facts: &HostFacts,
    sudo: bool,
) -> Result<EnvPlan, ResolveError> {
    let run = &manifest.run;
    let fill = |s: &RunString| facts.fill(s.as_str());
    // An Apptainer-only manifest still resolves (for `apptainer exec`): its image is the
    // SIF; the Docker commands refuse such a manifest before resolving it (`cli::targets`).
    let (image, image_key) = match (&manifest.images.docker, &manifest.images.apptainer) {
        (Some(docker), _) => (docker.tag.clone(), docker.key),
        (None, Some(sif)) => (sif.sif.clone(), sif.key),
        (None, None) => return Err(ResolveError::NoImage),
    };
    let base = base_name(facts);

    // One identity fills every run-side placeholder; host paths keep the host's facts.
    let identity = super::identity::resolve(run, facts)?;
    let user = identity.user;
    let host_fill = fill;
    let fill = |s: &RunString| identity.facts.fill(s.as_str());
    let container = match &run.container_name {
        Some(name) => fill(name)?,
        None => base.clone(),
    };

    let mut mounts = Vec::new();
    let project_target = if run.project.enable {
        let target = fill(&run.project.target)?;
        mounts.push(MountPlan {
            kind: MountKind::Bind,
            source: facts.project.display().to_string(),
            target: target.clone(),
            readonly: run.project.readonly,
            size: None,
        });
        Some(target)
    } else {
        None
    };
    for m in &run.mounts {
        mounts.push(MountPlan {
            kind: MountKind::Bind,
            source: absolute_host(&host_fill(&m.source)?, &facts.project),
            target: fill(&m.target)?,
            readonly: m.readonly,
            size: None,
        });
    }
    for t in &run.tmpfs {
        let size = match &t.size {
            Some(s) => Some(
                units::bytes(s.as_str()).ok_or_else(|| ResolveError::Invalid {
                    what: "run.tmpfs.size".into(),
                    kind: "size",
                    value: s.as_str().into(),
                })?,
            ),
            None => None,
        };
        mounts.push(MountPlan {
            kind: MountKind::Tmpfs,
            source: String::new(),
            target: fill(&t.target)?,
            readonly: false,
            size,
        });
    }
    let mut chown = Vec::new();
    for v in &run.volumes {
        let target = fill(&v.target)?;
        if v.chown {
            chown.push(target.clone());
        }
        mounts.push(MountPlan {
            kind: MountKind::Volume,
            source: fill(&v.name)?,
            target,
            readonly: v.readonly,
            size: None,
        });
    }
    let mut host_dirs = Vec::new();
    for c in &run.caches {
        let host = PathBuf::from(absolute_host(&host_fill(&c.host)?, &facts.project));
        mounts.push(MountPlan {
            kind: MountKind::Bind,
            source: host.display().to_string(),
            target: fill(&c.target)?,
            readonly: false,
            size: None,
        });
        host_dirs.push(host);
    }

    let mut env = BTreeMap::new();
    for (name, value) in &run.env {
        env.insert(name.as_str().to_owned(), fill(value)?);
    }
    let mut run_env = BTreeMap::new();
    for name in &run.pass_env {
        if let Ok(value) = std::env::var(name.as_str()) {
            run_env.insert(name.as_str().to_owned(), value);
        }
    }
    if run.proxy {
        for name in crate::host::PROXY_VARIABLES {
            if let Ok(value) = std::env::var(name) {
                run_env.insert((*name).to_owned(), value);
            }
        }
    }
    if run.ca_certificates
        && let Some(bundle) = crate::host::find_ca_bundle()
    {
        mounts.push(MountPlan {
            kind: MountKind::Bind,
            source: bundle.display().to_string(),
            target: CA_TARGET.into(),
            readonly: true,
            size: None,
        });
        for name in CA_VARIABLES {
            env.insert((*name).to_owned(), CA_TARGET.into());
        }
    }
    if run.x11 {
        if let Ok(display) = std::env::var("DISPLAY") {
            run_env.insert("DISPLAY".into(), display);
        }
        if Path::new("/tmp/.X11-unix").exists() {
            mounts.push(MountPlan {
                kind: MountKind::Bind,
                source: "/tmp/.X11-unix".into(),
                target: "/tmp/.X11-unix".into(),
                readonly: false,
                size: None,
            });
        }
    }
    let mut docker_group = None;
    if run.docker_socket {
        let socket = host_docker_socket();
        docker_group = std::fs::metadata(&socket)
            .ok()
            .map(|m| std::os::unix::fs::MetadataExt::gid(&m));
        mounts.push(MountPlan {
            kind: MountKind::Bind,
            source: socket.display().to_string(),
            target: DOCKER_SOCKET_TARGET.into(),
            readonly: false,
            size: None,
        });
    }

    let network = match &run.network.name {
        Some(name) => {
            let name = fill(name)?;
            let special = matches!(name.as_str(), "host" | "none" | "bridge" | "default");
            Some(NetworkPlan {
                create: run.network.create && !special,
                private: false,
                name,
            })
        }
        None if !manifest.services.is_empty() => Some(NetworkPlan {
            name: base.clone(),
            create: true,
            private: true,
        }),
        None => None,
    };

    let ports = run
        .ports
        .iter()
        .map(|p| PortPlan {
            container: p.container,
            host: p.host.unwrap_or(p.container),
            address: p.address.clone(),
            protocol: match p.protocol {
                Protocol::Tcp => "tcp",
                Protocol::Udp => "udp",
            },
        })
        .collect();
    let devices = run.devices.iter().map(fill).collect::<Result<_, _>>()?;
    let ulimits = run
        .ulimits
        .iter()
        .map(|(name, l)| (name.clone(), l.soft, l.hard))
        .collect();
    let shm_size = match &run.shm_size {
        Some(s) => Some(
            units::bytes(s.as_str()).ok_or_else(|| ResolveError::Invalid {
                what: "run.shm_size".into(),
                kind: "size",
                value: s.as_str().into(),
            })?,
        ),
        None => None,
    };
    let gpu = match &run.gpu {
        Gpu::None => GpuPlan::None,
        Gpu::All => GpuPlan::All,
        Gpu::Auto => GpuPlan::Auto,
        Gpu::Count(n) => GpuPlan::Count(*n),
        Gpu::Devices(ids) => GpuPlan::Devices(ids.clone()),
    };
    let post_start = run.post_start.iter().map(fill).collect::<Result<_, _>>()?;

    let mut labels = BTreeMap::new();
    labels.insert(
        LABEL_PROJECT.to_owned(),
        facts.project.display().to_string(),
    );
    labels.insert(
        LABEL_VARIANT.to_owned(),
        facts.variant.clone().unwrap_or_default(),
    );
    labels.insert(LABEL_IMAGE_KEY.to_owned(), image_key.hex());

    let mut services = Vec::new();
    for (name, service) in &manifest.services {
        let mut env = BTreeMap::new();
        for (k, v) in &service.env {
            env.insert(k.as_str().to_owned(), fill(v)?);
        }
        let mut mounts = Vec::new();
        for v in &service.volumes {
            mounts.push(MountPlan {
                kind: MountKind::Volume,
                source: fill(&v.name)?,
                target: fill(&v.target)?,
                readonly: v.readonly,
                size: None,
            });
        }
        let ports = service
            .ports
            .iter()
            .filter_map(|p| {
                p.publish.map(|host| PortPlan {
                    container: p.container,
                    host,
                    address: p.address.clone(),
                    protocol: "tcp",
                })
            })
            .collect();
        let healthcheck = match &service.healthcheck {
            Some(h) => {
                let duration = |what: &str, d: &crate::spec::model::Duration| {
                    units::nanos(d.as_str()).ok_or_else(|| ResolveError::Invalid {
                        what: format!("services.{name}.healthcheck.{what}"),
                        kind: "duration",
                        value: d.as_str().into(),
                    })
                };
                Some(HealthPlan {
                    test: h.test.iter().map(fill).collect::<Result<_, _>>()?,
                    interval_ns: duration("interval", &h.interval)?,
                    timeout_ns: duration("timeout", &h.timeout)?,
                    retries: h.retries,
                    start_period_ns: match &h.start_period {
                        Some(d) => Some(duration("start_period", d)?),
                        None => None,
                    },
                })
            }
            None => None,
        };
        services.push(ServicePlan {
            name: name.clone(),
            container: format!("{container}-{name}"),
            image: service.image.clone(),
            cmd: match &service.command {
                Some(c) => Some(c.iter().map(fill).collect::<Result<_, _>>()?),
                None => None,
            },
            env,
            mounts,
            ports,
            healthcheck,
        });
    }

    Ok(EnvPlan {
        container,
        image,
        image_key: image_key.hex(),
        labels,
        user,
        sudo,
        project_target,
        mounts,
        env,
        run_env,
        network,
        ports,
        devices,
        cap_add: run.cap_add.iter().map(|c| c.as_str().to_owned()).collect(),
        cap_drop: run.cap_drop.iter().map(|c| c.as_str().to_owned()).collect(),
        ipc: run.ipc.map(|i| {
            match i {
                Ipc::Private => "private",
                Ipc::Shareable => "shareable",
                Ipc::Host => "host",
            }
            .to_owned()
        }),
        shm_size,
        ulimits,
        gpu,
        docker_group,
        chown,
        host_dirs,
        post_start,
        services,
    })
}

impl EnvPlan {
    /// The hash a running environment is compared by: every field, and the start-up script.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(serde_json::to_vec(self).unwrap_or_default());
        hasher.update(super::user_script::setup(self).as_bytes());
        hex::encode(hasher.finalize())[..16].to_owned()
    }

    /// The top-level fields that differ from `old` (both as JSON), for "recreating because".
    pub fn changed_fields(&self, old: &serde_json::Value) -> Vec<String> {
        let new = serde_json::to_value(self).unwrap_or_default();
        let (Some(new), Some(old)) = (new.as_object(), old.as_object()) else {
            return vec!["the whole configuration".into()];
        };
        new.iter()
            .filter(|(k, v)| old.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// The working directory for a command started from `cwd` on the host: the same place
    /// under the project mount, or the project mount itself when `cwd` is outside the project.
    pub fn workdir(&self, project_root: &Path, cwd: &Path) -> Option<String> {
        let target = self.project_target.as_ref()?;
        let relative = cwd.strip_prefix(project_root).ok();
        Some(match relative {
            Some(rel) if !rel.as_os_str().is_empty() => {
                format!("{}/{}", target.trim_end_matches('/'), rel.display())
            }
            _ => target.clone(),
        })
    }

    /// The config's env with the run inputs over it.
    pub fn all_env(&self) -> BTreeMap<String, String> {
        let mut all = self.env.clone();
        all.extend(self.run_env.clone());
        all
    }

    /// The environment variables of a command, as `NAME=value`: the config's and the run
    /// inputs read now.
    pub fn env_list(&self) -> Vec<String> {
        self.env_entries(&self.all_env())
    }

    /// The long-lived container's own environment: the config's only. Run inputs reach each
    /// command by its exec, so a value given to one `envc up` or `run` is not kept in the
    /// container's config for the next.
    pub fn container_env_list(&self) -> Vec<String> {
        self.env_entries(&self.env)
    }

    fn env_entries(&self, env: &BTreeMap<String, String>) -> Vec<String> {
        let mut list: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Some(user) = &self.user {
            list.push(format!("HOME={}", user.home));
            list.push(format!("USER={}", user.name));
            list.push(format!("LOGNAME={}", user.name));
        }
        list
    }
}

const CA_VARIABLES: &[&str] = &[
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "PIP_CERT",
    "NODE_EXTRA_CA_CERTS",
    "CURL_CA_BUNDLE",
    // cargo's libcurl takes its CA file from here, not from SSL_CERT_FILE.
    "CARGO_HTTP_CAINFO",
];

/// A host path from the config: relative paths are relative to the project root.
fn absolute_host(path: &str, project: &Path) -> String {
    let p = Path::new(path);
    if p.is_absolute() {
        path.to_owned()
    } else {
        project.join(p).display().to_string()
    }
}

/// The host's Docker socket: the path `DOCKER_HOST` names, else the default.
fn host_docker_socket() -> PathBuf {
    std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|h| h.strip_prefix("unix://").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(crate::engine::DEFAULT_SOCKET))
}
