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
//! - [`quick`]: the check `envc up`/`run` make before using an image.

pub mod check;
pub mod content;
pub mod key;
pub mod quick;
pub mod rebuild;
pub mod sif;

pub use check::Check;
pub use quick::{QuickCheckError, quick_check};

use std::path::PathBuf;

/// envc's cache folder: `$XDG_CACHE_HOME/envc`, else `~/.cache/envc`, else a folder under
/// the temporary directory (the same rule as the key locks').
pub fn cache_dir() -> PathBuf {
    if let Some(cache) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(cache).join("envc");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".cache/envc");
    }
    std::env::temp_dir().join("envc")
}

/// Where the SIF of `key` is cached: `<cache>/sif/<key>.sif` (the manifest's rule).
pub fn sif_path(key: &crate::plan::Key) -> PathBuf {
    cache_dir().join(format!("sif/{}.sif", key.hex()))
}
