//! The typed environment spec: what a user can say about an environment.
//!
//! The types mirror DESIGN.md's boundary. [`BuildSpec`] and [`Base`] describe the image
//! and are the only parts that feed image keys; [`BuildHost`] lends host material to build
//! containers without entering the image; [`RunSpec`], [`Service`]s and [`Targets`]
//! describe how the image is started. Strings that may use host placeholders are
//! [`RunString`]s, and only the run side has them.
//!
//! Every struct denies unknown fields, and every doc comment becomes a description in the
//! JSON Schema that `envc schema` prints.

mod base;
mod build;
mod build_host;
mod cache;
pub mod kinds;
mod run;
mod services;
mod targets;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use base::{ArchiveBase, ArchiveFormat, Base, DebootstrapBase};
pub use build::{BuildSpec, CacheMount, FileSource, PipSpec, Step};
pub use build_host::BuildHost;
pub use cache::CacheSpec;
pub use kinds::{
    AbsPath, Address, ApptainerBind, ApptainerHome, AptName, AptPackage, BuildString, BuildValue,
    ByteSize, CacheId, Capability, Codename, Component, ContainerName, DebootstrapVariant,
    DevicePath, DownloadUrl, Duration, EnvName, FileMode, GpuId, HostPath, ImageRef, IndexUrl,
    Invalid, LabelKey, Line, MirrorUrl, Name, NetworkName, Owner, PipRequirement, ProjectPath,
    RegistryRef, RunPath, RunString, RunValue, ServiceName, Sha256, SnapshotStamp, StepName, Text,
    UlimitName, UserName, VolumeName, checker, escape_controls, shown,
};
pub use run::{
    Gpu, HostCache, Ipc, Mount, NetworkSpec, Port, ProjectMount, Protocol, RunSpec, Tmpfs, Ulimit,
    UserMode, UserSpec, Volume,
};
pub use services::{Healthcheck, Service, ServiceBuild, ServicePort};
pub use targets::{ApptainerTarget, DockerTarget, Targets};

/// An environment: a base, what is built on top of it, and how it is run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The environment's name, used in image tags, container names and messages.
    pub name: Name,
    /// A one-line description shown by `envc show` and `envc status`.
    #[serde(default, deserialize_with = "kinds::via::string_opt::<_, Line>")]
    #[schemars(with = "Option<Line>")]
    pub description: Option<String>,
    /// The platform images are built for, such as `linux/amd64` or `linux/arm64`.
    #[serde(default = "default_platform")]
    pub platform: Platform,
    /// Where the image starts from: a registry image, a debootstrap, or an image archive.
    pub base: Base,
    /// What is built into the image. With `base`, the only input of image keys.
    #[serde(default)]
    pub build: BuildSpec,
    /// Host material lent to build containers (proxy, CA bundle). Never part of the image or
    /// of its key.
    #[serde(default)]
    pub build_host: BuildHost,
    /// How the environment is started: user mapping, mounts, network, GPU, devices.
    #[serde(default)]
    pub run: RunSpec,
    /// Sidecar containers on a private network with the main container.
    #[serde(default)]
    pub services: BTreeMap<ServiceName, Service>,
    /// Which targets to build and how to run the Apptainer image.
    #[serde(default)]
    pub targets: Targets,
    /// The shared cache registry. Not part of any key.
    #[serde(default)]
    pub cache: CacheSpec,
    /// Named variants: partial specs applied on top of this one with `--variant NAME`.
    /// Each variant is a separate environment with its own keys, images and containers.
    #[serde(default)]
    #[schemars(with = "BTreeMap<Name, Variant>")]
    pub variants: BTreeMap<Name, serde_json::Value>,
}

/// A partial spec applied as a last module on top of the config. Any field of the spec may
/// appear; lists are appended and scalars must use `lib.mkForce` (or an `override` wrapper in
/// JSON) to replace a value the config already sets.
#[derive(JsonSchema)]
#[schemars(transform = crate::spec::schema::partial_spec)]
#[allow(dead_code)]
struct Variant(serde_json::Value);

/// A target platform, `os/arch` (`linux/amd64`, `linux/arm64`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Platform {
    #[serde(rename = "linux/amd64")]
    LinuxAmd64,
    #[serde(rename = "linux/arm64")]
    LinuxArm64,
    #[serde(rename = "linux/ppc64le")]
    LinuxPpc64le,
    #[serde(rename = "linux/riscv64")]
    LinuxRiscv64,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::LinuxAmd64 => "linux/amd64",
            Platform::LinuxArm64 => "linux/arm64",
            Platform::LinuxPpc64le => "linux/ppc64le",
            Platform::LinuxRiscv64 => "linux/riscv64",
        }
    }
}

fn default_platform() -> Platform {
    Platform::LinuxAmd64
}

pub(crate) fn default_true() -> bool {
    true
}
