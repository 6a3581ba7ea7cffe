//! Sidecar containers. They share a private network with the main container; a port reaches
//! the host only when `publish` is set on it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::base::Base;
use super::build::BuildSpec;
use super::kinds::{Address, Duration, EnvName, ImageRef, RunString, RunValue, via};
use super::run::Volume;

/// A sidecar container: an image or a build, and how to run it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// A registry image to run (exactly one of `image` and `build`).
    #[serde(default)]
    pub image: Option<ImageRef>,
    /// An image built like the main one (exactly one of `image` and `build`).
    #[serde(default)]
    pub build: Option<ServiceBuild>,
    /// The command (default: the image's).
    #[serde(default)]
    pub command: Option<Vec<RunString>>,
    /// Environment variables (tab and newline allowed in values, no other control character).
    #[serde(default, deserialize_with = "via::run_env::<_, RunValue>")]
    #[schemars(with = "BTreeMap<EnvName, RunValue>")]
    pub env: BTreeMap<EnvName, RunString>,
    /// Named volumes.
    #[serde(default)]
    pub volumes: Vec<Volume>,
    /// Ports the service listens on; private unless `publish` is set.
    #[serde(default)]
    pub ports: Vec<ServicePort>,
    /// How to tell the service is ready.
    #[serde(default)]
    pub healthcheck: Option<Healthcheck>,
}

/// A service image built by envc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceBuild {
    /// Where the service image starts from.
    pub base: Base,
    /// What is built into it.
    #[serde(default)]
    pub build: BuildSpec,
}

/// A port a service listens on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePort {
    /// The port inside the service container, reachable from the main container by the
    /// service's name.
    pub container: u16,
    /// Publish the port on this host port. Without it the port stays private.
    #[serde(default)]
    pub publish: Option<u16>,
    /// The host address a published port binds to (an IP address).
    #[serde(
        default = "super::run::default_address",
        deserialize_with = "via::string::<_, Address>"
    )]
    #[schemars(with = "Address")]
    pub address: String,
}

/// A readiness check run inside the service container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Healthcheck {
    /// The command, as an argv (exit 0 means healthy).
    pub test: Vec<RunString>,
    /// Time between checks.
    #[serde(default = "default_interval")]
    pub interval: Duration,
    /// How long one check may take.
    #[serde(default = "default_timeout")]
    pub timeout: Duration,
    /// Failures in a row before the service counts as unhealthy.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Grace time after start during which failures do not count.
    #[serde(default)]
    pub start_period: Option<Duration>,
}

fn default_interval() -> Duration {
    Duration::new("10s").expect("a valid duration")
}

fn default_timeout() -> Duration {
    Duration::new("5s").expect("a valid duration")
}

fn default_retries() -> u32 {
    3
}
