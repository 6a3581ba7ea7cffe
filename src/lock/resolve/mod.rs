//! Resolvers: turn a floating input into its pin, against the real thing.
//!
//! Each takes plain inputs (an image reference, package names, a URL) and knows nothing of
//! specs or the lock file's format. Anything that depends on the target image (apt
//! versions, pip wheels for its interpreter and platform) is resolved inside a throwaway
//! container of the pinned base, which is removed afterwards.

mod apt;
pub(crate) mod container;
mod download;
pub mod dpkg_status;
mod error;
mod image;
mod pip;

pub use apt::{
    AptClosure, AptOptions, AptPackage, apt_closure, installed_packages, parse_dpkg_query,
    parse_simulated_install,
};
pub use download::{Download, download_into, download_sha256};
pub use error::ResolveError;
pub use image::{DigestKind, ImagePin, image_digest};
pub use pip::{
    PipIndex, PipOptions, PipPackage, ReportEntry, normalize_name, parse_report, pip_lock,
};
