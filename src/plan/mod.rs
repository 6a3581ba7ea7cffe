//! The plan: a Spec and its lock turned into ordered build steps, each with a content key,
//! plus the run manifest that says how to start the environment.
//!
//! Keys are computed here and nowhere else: `canonical` gives the one byte form of a JSON
//! document, `key` hashes a step's key document, `tree` digests the project files a step
//! reads (with `stat_cache` so that re-planning is cheap).

pub mod canonical;
pub mod digest;
pub mod key;
pub mod stat_cache;
pub mod tree;

pub use digest::Digest;
pub use key::{KEY_SCHEMA_VERSION, Key, KeyInput};
pub use tree::{ProjectFiles, Tree, TreeEntry, TreeError};
pub mod builder;
pub mod step;

pub use builder::{Plan, PlanError, ServiceImage, plan};
pub use step::{Step, StepKind};

#[cfg(test)]
mod key_properties;
