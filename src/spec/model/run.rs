//! How the environment is started. Nothing here enters an image key, and strings may use
//! host placeholders ([`RunString`]) that are filled when the environment starts.

use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::kinds::{
    AbsPath, Address, ByteSize, Capability, ContainerName, DevicePath, EnvName, GpuId, HostPath,
    NetworkName, RunPath, RunString, RunValue, UlimitName, UserName, VolumeName, via,
};

/// How the main container is started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Which user the environment runs as.
    #[serde(default)]
    pub user: UserSpec,
    /// How the project folder is mounted.
    #[serde(default)]
    pub project: ProjectMount,
    /// Extra bind mounts of host paths.
    #[serde(default)]
    pub mounts: Vec<Mount>,
    /// Tmpfs mounts.
    #[serde(default)]
    pub tmpfs: Vec<Tmpfs>,
    /// Named volumes, created when missing.
    #[serde(default)]
    pub volumes: Vec<Volume>,
    /// Persistent host cache directories, created when missing and mounted read-write
    /// (for example `{home}/.cache/envc/{project_slug}/pip` at `/home/{user}/.cache/pip`).
    #[serde(default)]
    pub caches: Vec<HostCache>,
    /// Environment variables set in the container (tab and newline allowed in values, no
    /// other control character).
    #[serde(default, deserialize_with = "via::run_env::<_, RunValue>")]
    #[schemars(with = "BTreeMap<EnvName, RunValue>")]
    pub env: BTreeMap<EnvName, RunString>,
    /// Host environment variables passed through when they are set on the host.
    #[serde(default)]
    pub pass_env: Vec<EnvName>,
    /// Pass the host's proxy variables (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` and lowercase
    /// forms) through when they are set.
    #[serde(default)]
    pub proxy: bool,
    /// Mount the host's CA bundle read-only and point `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`,
    /// `PIP_CERT` and `NODE_EXTRA_CA_CERTS` at it.
    #[serde(default)]
    pub ca_certificates: bool,
    /// The network the container joins.
    #[serde(default)]
    pub network: NetworkSpec,
    /// Ports published on the host.
    #[serde(default)]
    pub ports: Vec<Port>,
    /// GPUs given to the container: `none`, `all`, `auto` (all when the host has an NVIDIA
    /// runtime, else none), a count, or a list of device ids.
    #[serde(default)]
    pub gpu: Gpu,
    /// Host devices passed in, such as `/dev/kvm` or `/dev/fuse`.
    #[serde(default, deserialize_with = "via::run_vec::<_, DevicePath>")]
    #[schemars(with = "Vec<DevicePath>")]
    pub devices: Vec<RunString>,
    /// Capabilities added to the container.
    #[serde(default)]
    pub cap_add: Vec<Capability>,
    /// Capabilities dropped from the container.
    #[serde(default)]
    pub cap_drop: Vec<Capability>,
    /// The IPC namespace mode.
    #[serde(default)]
    pub ipc: Option<Ipc>,
    /// The size of `/dev/shm` (for example `2g` for PyTorch data loaders).
    #[serde(default)]
    pub shm_size: Option<ByteSize>,
    /// Resource limits by name (`nofile`, `memlock`, `stack`, ...).
    #[serde(default, deserialize_with = "via::keys::<_, UlimitName, Ulimit>")]
    #[schemars(with = "BTreeMap<UlimitName, Ulimit>")]
    pub ulimits: BTreeMap<String, Ulimit>,
    /// Forward the host's X11 display (`DISPLAY` and the X socket).
    #[serde(default)]
    pub x11: bool,
    /// Give the container the host's Docker socket.
    #[serde(default)]
    pub docker_socket: bool,
    /// Commands run as root after the container starts and before switching to the user.
    #[serde(default)]
    pub post_start: Vec<RunString>,
    /// The container's name (default: derived from the environment, variant and project).
    #[serde(default, deserialize_with = "via::run_opt::<_, ContainerName>")]
    #[schemars(with = "Option<ContainerName>")]
    pub container_name: Option<RunString>,
}

impl Default for RunSpec {
    fn default() -> Self {
        serde_json::from_value(serde_json::json!({})).expect("every run field has a default")
    }
}

/// Which user the environment runs as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// `host`: the host user's uid/gid, applied at start; `fixed`: the `uid`/`gid` given here;
    /// `root`: run as root.
    #[serde(default)]
    pub mode: UserMode,
    /// The uid for `fixed` mode.
    #[serde(default)]
    pub uid: Option<u32>,
    /// The gid for `fixed` mode (default: the uid).
    #[serde(default)]
    pub gid: Option<u32>,
    /// The user's name in the container (default: `{user}` in `host` mode, `envc` in `fixed`
    /// mode, `root` in `root` mode).
    #[serde(default, deserialize_with = "via::run_opt::<_, UserName>")]
    #[schemars(with = "Option<UserName>")]
    pub name: Option<RunString>,
    /// The user's home in the container (default: `/home/NAME`, `/root` for root).
    #[serde(default, deserialize_with = "via::run_opt::<_, RunPath>")]
    #[schemars(with = "Option<RunPath>")]
    pub home: Option<RunString>,
    /// The user's login shell.
    #[serde(
        default = "default_shell",
        deserialize_with = "via::string::<_, AbsPath>"
    )]
    #[schemars(with = "AbsPath")]
    pub shell: String,
}

impl Default for UserSpec {
    fn default() -> Self {
        UserSpec {
            mode: UserMode::default(),
            uid: None,
            gid: None,
            name: None,
            home: None,
            shell: default_shell(),
        }
    }
}

fn default_shell() -> String {
    "/bin/sh".into()
}

/// How the container user is chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserMode {
    /// The host user's uid and gid, applied when the environment starts.
    #[default]
    Host,
    /// A fixed uid and gid.
    Fixed,
    /// Root.
    Root,
}

/// How the project folder is mounted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectMount {
    /// Mount the project at all.
    #[serde(default = "super::default_true")]
    pub enable: bool,
    /// Where the project is mounted; also the working directory.
    #[serde(
        default = "default_project_target",
        deserialize_with = "via::run::<_, RunPath>"
    )]
    #[schemars(with = "RunPath")]
    pub target: RunString,
    /// Mount it read-only.
    #[serde(default)]
    pub readonly: bool,
}

impl Default for ProjectMount {
    fn default() -> Self {
        ProjectMount {
            enable: true,
            target: default_project_target(),
            readonly: false,
        }
    }
}

fn default_project_target() -> RunString {
    RunString::new("/repo").expect("no placeholders")
}

/// A bind mount of a host path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mount {
    /// The host path: absolute, or relative to the project root.
    #[serde(deserialize_with = "via::run::<_, HostPath>")]
    #[schemars(with = "HostPath")]
    pub source: RunString,
    /// The path in the container.
    #[serde(deserialize_with = "via::run::<_, RunPath>")]
    #[schemars(with = "RunPath")]
    pub target: RunString,
    /// Mount read-only.
    #[serde(default)]
    pub readonly: bool,
}

/// A tmpfs mount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tmpfs {
    /// The path in the container.
    #[serde(deserialize_with = "via::run::<_, RunPath>")]
    #[schemars(with = "RunPath")]
    pub target: RunString,
    /// The size limit.
    #[serde(default)]
    pub size: Option<ByteSize>,
}

/// A named volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// The volume's name (placeholders allowed, e.g. `{project_slug}-cache`).
    #[serde(deserialize_with = "via::run::<_, VolumeName>")]
    #[schemars(with = "VolumeName")]
    pub name: RunString,
    /// The path in the container.
    #[serde(deserialize_with = "via::run::<_, RunPath>")]
    #[schemars(with = "RunPath")]
    pub target: RunString,
    /// Mount read-only.
    #[serde(default)]
    pub readonly: bool,
    /// Give the volume's root to the container user at start (new volumes belong to root).
    #[serde(default)]
    pub chown: bool,
}

/// A persistent cache directory on the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HostCache {
    /// The host directory, created when missing.
    #[serde(deserialize_with = "via::run::<_, HostPath>")]
    #[schemars(with = "HostPath")]
    pub host: RunString,
    /// The path in the container.
    #[serde(deserialize_with = "via::run::<_, RunPath>")]
    #[schemars(with = "RunPath")]
    pub target: RunString,
}

/// The network the container joins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// The network's name; `host` and `none` are the engine's special networks. Without a
    /// name the container uses the default bridge, or a private network when it has services.
    #[serde(default, deserialize_with = "via::run_opt::<_, NetworkName>")]
    #[schemars(with = "Option<NetworkName>")]
    pub name: Option<RunString>,
    /// Create the named network when it does not exist.
    #[serde(default)]
    pub create: bool,
}

/// A port published on the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Port {
    /// The port inside the container.
    pub container: u16,
    /// The host port (default: the same as `container`).
    #[serde(default)]
    pub host: Option<u16>,
    /// The host address to bind (an IP address); loopback unless set.
    #[serde(
        default = "default_address",
        deserialize_with = "via::string::<_, Address>"
    )]
    #[schemars(with = "Address")]
    pub address: String,
    /// The protocol.
    #[serde(default)]
    pub protocol: Protocol,
}

pub(crate) fn default_address() -> String {
    "127.0.0.1".into()
}

/// A transport protocol.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
}

/// The IPC namespace mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ipc {
    /// A private namespace.
    Private,
    /// A private namespace other containers may join.
    Shareable,
    /// The host's IPC namespace.
    Host,
}

/// A resource limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ulimit {
    /// The soft limit (-1 for unlimited).
    pub soft: i64,
    /// The hard limit (-1 for unlimited).
    pub hard: i64,
}

/// GPUs given to the container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Gpu {
    /// No GPU.
    #[default]
    None,
    /// Every GPU.
    All,
    /// Every GPU when the host has an NVIDIA runtime, else none.
    Auto,
    /// This many GPUs.
    Count(u32),
    /// These device ids or UUIDs.
    Devices(Vec<String>),
}

impl Serialize for Gpu {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Gpu::None => s.serialize_str("none"),
            Gpu::All => s.serialize_str("all"),
            Gpu::Auto => s.serialize_str("auto"),
            Gpu::Count(n) => s.serialize_u32(*n),
            Gpu::Devices(ids) => ids.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Gpu {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Gpu;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`\"none\"`, `\"all\"`, `\"auto\"`, a count or a list of device ids")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Gpu, E> {
                match v {
                    "none" => Ok(Gpu::None),
                    "all" => Ok(Gpu::All),
                    "auto" => Ok(Gpu::Auto),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Gpu, E> {
                u32::try_from(v)
                    .map(Gpu::Count)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Gpu, E> {
                u32::try_from(v)
                    .map(Gpu::Count)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Gpu, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<GpuId>()? {
                    ids.push(id.as_str().to_owned());
                }
                Ok(Gpu::Devices(ids))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Gpu {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Gpu".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "GPUs given to the container: `none`, `all`, `auto`, a count, or a list of device ids",
            "oneOf": [
                { "type": "string", "enum": ["none", "all", "auto"] },
                { "type": "integer", "minimum": 0 },
                { "type": "array", "items": { "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9:/._-]*$" } }
            ]
        })
    }
}
