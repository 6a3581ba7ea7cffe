//! Docker builds: the step executor and envc's content-addressed image cache.
//!
//! envc builds images itself, one container per plan step, so that its cache is keyed by
//! its own content keys and build-only material never reaches an image (DESIGN.md, "The
//! step executor"). The parts:
//!
//! - [`executor`]: runs a plan's steps on the engine, from the longest cached prefix on;
//! - [`cache`]: how step images are tagged and labelled, and how they are found;
//! - [`base`]: image, debootstrap and archive bases ([`mounts`]: what debootstrap may leave
//!   mounted, taken down before its folder is deleted);
//! - [`step_process`], [`file_tar`], [`commit_config`]: how each kind of step runs (the
//!   commands themselves are the step contract's, `crate::plan::contract`), what it uploads
//!   and what its commit records;
//! - [`download_cache`]: downloaded files, fetched once by the host and kept by hash;
//! - [`host`]: the CA bundle, proxies, secrets and cache volumes lent to build containers;
//! - [`key_lock`]: one lock per key across processes;
//! - [`remote`]: the cache registry, asked for the steps the engine does not have;
//! - [`rootfs_label`]: the finished image's rootfs digest, recorded in a label;
//! - [`verified`]: image IDs whose files are known to match that label;
//! - [`progress`], [`events`]: output for people and for scripts;
//! - [`inventory`]: envc's images in the engine, for `envc images` and `envc gc`.
//!
//! Callers (`envc build`, `envc up`, `envc run`) use [`build`] to build if needed, or
//! [`find_built`] to ask whether a plan's image exists without building.

pub mod base;
pub mod cache;
pub mod commit_config;
pub mod download_cache;
pub mod error;
pub mod events;
pub mod executor;
pub mod file_tar;
pub mod gc;
pub mod host;
pub mod inventory;
pub mod key_lock;
pub mod mounts;
pub mod pip_parent;
pub mod progress;
pub mod remote;
pub mod rootfs_label;
pub mod step_process;
pub mod tail;
pub mod verified;

pub use error::BuildError;
pub use executor::{BuildOptions, Built, BuiltImage, build, find_built};
pub use host::Secret;
pub use progress::ProgressMode;
