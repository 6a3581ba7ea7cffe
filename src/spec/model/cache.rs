//! Where built steps are shared: the cache registry.
//!
//! A fact about the team's infrastructure, not about the image: it never enters a key, and
//! `--cache-registry` or `ENVC_CACHE_REGISTRY` override it on one machine.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::kinds::RegistryRef;

/// The shared cache.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CacheSpec {
    /// An OCI registry holding envc's step images (`REGISTRY/step:<key>`), finished images
    /// (`REGISTRY/<name>:<key>`) and SIFs (`REGISTRY/<name>:<key>.sif`): builds pull from it
    /// before running a step, and `envc push` fills it.
    #[serde(default)]
    pub registry: Option<RegistryRef>,
}
