//! The plan: a Spec and its lock turned into ordered build steps, each with a content key,
//! plus the run manifest that says how to start the environment.
//!
//! Keys are computed here and nowhere else: `key` hashes a step's key document (in the
//! canonical JSON of [`crate::content::canonical`]), `tree` digests the project files a step
//! reads (with `stat_cache` so that re-planning is cheap), `planner` orders the steps and
//! chains their keys, `manifest` derives the run manifest, and `contract` says what each step
//! runs, for every builder.

pub mod contract;
pub mod devcontainer_metadata;
pub mod file_step;
pub mod key;
pub mod manifest;
pub mod planner;
pub mod project;
pub mod stat_cache;
pub mod step;
pub mod tree;

pub use crate::content::Digest;
pub use key::{KEY_SCHEMA_VERSION, Key, KeyInput};
pub use manifest::{RunManifest, manifest};
pub use planner::{Plan, PlanError, ServiceImage, plan};
pub use project::{LockPolicy, Planned, ProjectPlanError, plan_loaded, plan_project};
pub use step::{Step, StepKind};
pub use tree::{ProjectFiles, Tree, TreeEntry, TreeError};

#[cfg(test)]
mod key_properties;
