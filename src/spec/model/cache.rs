//! Where built steps are shared: the cache registry, and the cluster's SIF folder.
//!
//! A fact about the team's infrastructure, not about the image: it never enters a key, and
//! `--cache-registry` or `ENVC_CACHE_REGISTRY` override it on one machine.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::kinds::{HostPath, RegistryRef};

/// The shared cache.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CacheSpec {
    /// An OCI registry holding envc's step images (`REGISTRY/step:<key>`), finished images
    /// (`REGISTRY/<name>:<key>`) and SIFs (`REGISTRY/<name>:<key>.sif`): builds pull from it
    /// before running a step, and `envc push` fills it.
    #[serde(default)]
    pub registry: Option<RegistryRef>,
    /// A folder every cluster node sees (`/scratch/{user}/envc-sif`), holding SIFs by key:
    /// Slurm jobs of `envc submit` run the SIF from it and pull it there once when it is
    /// missing. Placeholders are filled on the submitting machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sif_dir: Option<HostPath>,
}
