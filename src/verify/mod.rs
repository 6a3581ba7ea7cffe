//! `envc verify`: envc's cache promise made checkable.
//!
//! An image found in the cache must be exactly what its inputs say, and its files exactly
//! what was recorded when it was built. Each check here produces a [`Check`] (pass or
//! fail, with details a person can act on):
//!
//! - [`key`]: every cached artifact of the current plan carries the key recomputation
//!   gives, and older artifacts of the same image are reported as stale with the first
//!   step whose inputs changed;
//! - [`content`]: the Docker image's recomputed rootfs digest equals its
//!   `dev.envc.rootfs` label (an image changed under its tag is caught, with the paths);
//! - [`sif`]: a cached SIF's partition digest equals its envc metadata, and equals the
//!   Docker image's (cross-target);
//! - [`rebuild`]: a from-scratch rebuild gives the same files;
//! - [`buildkit`] and [`apptainer`] (`--cross`): the emitted Dockerfile built by the
//!   engine's BuildKit, and the emitted `.def` built by `apptainer build`, give the same
//!   files as envc's image. What makes independent builders agree is listed in
//!   `crate::emit::dockerfile` and `crate::emit::apptainer` (and the digest's exclusions).
//! - [`registry`] (`--registry`): every entry the cache registry holds for the plan is what
//!   its key and rootfs digest say, read from the registry's own bytes;
//! - [`quick`]: the check `envc up`/`run` make before using an image.

pub mod apptainer;
pub mod buildkit;
pub mod check;
pub mod content;
pub mod key;
pub mod producer;
pub mod quick;
pub mod rebuild;
pub mod registry;
pub mod sif;

pub use check::Check;
pub use quick::{QuickCheckError, quick_check};

use std::path::PathBuf;

/// Where the SIF of `key` is cached: `envc build --target apptainer`'s rule
/// (`<cache>/envc/sif/<key>.sif`).
pub fn sif_path(key: &crate::plan::Key) -> PathBuf {
    crate::apptainer::cache::sif_path(key)
}
