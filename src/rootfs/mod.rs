//! The rootfs digest: one SHA-256 that says "these two images hold the same files".
//!
//! DESIGN.md ("Rootfs digest") defines it: a hash over the entries of a filesystem
//! sorted by path — type, mode, uid, gid, size, content SHA-256, link target — ignoring
//! mtimes and a short list of volatile paths ([`exclude`]). It is computed the same way
//! from a Docker export (a tar stream, [`tar`]) and from a SIF's squashfs partition
//! ([`squashfs`], located by `crate::sif::list_sif`), both by streaming: nothing is unpacked to disk. That is what lets
//! `envc verify` compare the two targets, a rebuild with the original, and a cached
//! artifact with the digest recorded when it was built; [`diff`] says what differs.

pub mod diff;
pub mod digest;
pub mod entry;
pub mod exclude;
pub mod layers;
pub mod squashfs;
pub mod tar;

pub use diff::{Aspect, Difference, diff};
pub use entry::{Entry, EntryKind, Listing};
pub use exclude::{EXCLUSIONS, Excluded, Exclusion};

/// Errors while listing a filesystem.
#[derive(Debug, thiserror::Error)]
pub enum RootfsError {
    #[error("reading the filesystem tar failed")]
    Tar(#[source] std::io::Error),
    #[error(
        "tar entry `{path}` is a hard link to `{target}`, which is not a regular file before it"
    )]
    DanglingHardlink { path: String, target: String },
    #[error("reading the squashfs image failed: {0}")]
    Squashfs(#[from] backhand::BackhandError),
    #[error("the SIF file has no primary system partition")]
    NoPartition,
    #[error("the SIF's primary partition is `{0}`, not squashfs")]
    NotSquashfs(&'static str),
    /// The container file around the filesystem (a SIF) could not be read; kept opaque so
    /// that listing a filesystem knows no container format.
    #[error(transparent)]
    Container(Box<dyn std::error::Error + Send + Sync>),
    #[error("i/o error while reading a filesystem")]
    Io(#[from] std::io::Error),
}

#[cfg(test)]
pub(crate) mod tests;
