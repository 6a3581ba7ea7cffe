//! Which targets are built, and how the Apptainer image is run.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::kinds::{ApptainerBind, ApptainerHome, RunString, via};

/// The build targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// The Docker image.
    #[serde(default)]
    pub docker: DockerTarget,
    /// The Apptainer SIF image and how it is run.
    #[serde(default)]
    pub apptainer: ApptainerTarget,
}

impl Default for Targets {
    fn default() -> Self {
        serde_json::from_value(serde_json::json!({})).expect("every target field has a default")
    }
}

/// The Docker target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DockerTarget {
    /// Build the Docker image.
    #[serde(default = "super::default_true")]
    pub enable: bool,
}

impl Default for DockerTarget {
    fn default() -> Self {
        DockerTarget { enable: true }
    }
}

/// The Apptainer target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApptainerTarget {
    /// Build the SIF image.
    #[serde(default)]
    pub enable: bool,
    /// The home directory inside the container (`--home`).
    #[serde(default, deserialize_with = "via::run_opt::<_, ApptainerHome>")]
    #[schemars(with = "Option<ApptainerHome>")]
    pub home: Option<RunString>,
    /// Extra binds (`--bind SRC[:DST[:ro|rw]]`), one bind per item.
    #[serde(default, deserialize_with = "via::run_vec::<_, ApptainerBind>")]
    #[schemars(with = "Vec<ApptainerBind>")]
    pub binds: Vec<RunString>,
    /// Isolate the container from the host filesystem and processes (`--containall`).
    #[serde(default)]
    pub containall: bool,
    /// Start with a clean environment (`--cleanenv`).
    #[serde(default)]
    pub cleanenv: bool,
    /// Enable NVIDIA GPU support (`--nv`).
    #[serde(default)]
    pub nv: bool,
    /// A writable tmpfs overlay (`--writable-tmpfs`).
    #[serde(default)]
    pub writable_tmpfs: bool,
}
