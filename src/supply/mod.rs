//! Supply-chain documents from what envc already knows: the lock pins every input, the
//! built image has a key, an ID and a rootfs digest.
//!
//! - [`inventory`]: one description of a locked environment (subject and components), which
//!   every document renders;
//! - [`spdx`] and [`cyclonedx`]: the SBOM formats (`envc sbom`);
//! - [`provenance`]: an in-toto Statement with a SLSA Provenance v1 predicate
//!   (`envc provenance`);
//! - [`installed`]: what is really installed in a built image (dpkg, copyright files,
//!   Python metadata), for licenses and for [`drift`], `envc verify`'s "installed = locked";
//! - [`documents`]: `envc verify --sbom/--provenance`, which regenerates a document and
//!   reports every byte that differs from the file;
//! - [`summary`]: licenses and pins in a few lines (`envc audit --sbom`);
//! - [`gather`]: reading the lock, the image and the build events once for all of them.

pub mod cyclonedx;
pub mod documents;
pub mod drift;
pub mod gather;
pub mod installed;
pub mod inventory;
pub mod license;
pub mod output;
pub mod provenance;
pub mod spdx;
pub mod summary;
pub mod time;

pub use gather::{Gathered, gather};

use std::path::PathBuf;

use crate::engine::EngineError;
use crate::exit::{Failure, Report};
use crate::lock::file::LockFileError;
use crate::lock::resolve::ResolveError;
use crate::plan::ProjectPlanError;

/// An SBOM format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomFormat {
    Spdx,
    CycloneDx,
}

/// Why a supply-chain document could not be made or checked.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SupplyError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),
    /// Boxed: a resolver's error is large and rare.
    #[error(transparent)]
    Resolve(Box<ResolveError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] ProjectPlanError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lock(#[from] LockFileError),
    #[error("`envc.lock` has no entry{}", variant_note(.variant))]
    #[diagnostic(help("run `envc lock`: the documents describe the locked inputs"))]
    NoLockEntry { variant: Option<String> },
    #[error("cannot read {what}: {detail}")]
    Parse { what: String, detail: String },
    #[error("cannot read `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{path}`")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{reference}` is not built: provenance needs the finished image as its subject")]
    #[diagnostic(help("run `envc build` first"))]
    NotBuilt { reference: String },
}

fn variant_note(variant: &Option<String>) -> String {
    variant
        .as_ref()
        .map(|v| format!(" for variant `{v}`"))
        .unwrap_or_default()
}

impl From<ResolveError> for SupplyError {
    fn from(error: ResolveError) -> Self {
        SupplyError::Resolve(Box::new(error))
    }
}

impl From<SupplyError> for Report {
    fn from(error: SupplyError) -> Self {
        let kind = match &error {
            SupplyError::Engine(e) => e.failure(),
            SupplyError::Plan(_) | SupplyError::Lock(_) | SupplyError::NoLockEntry { .. } => {
                Failure::Input
            }
            SupplyError::Read { .. } | SupplyError::Write { .. } => Failure::Environment,
            _ => Failure::Found,
        };
        Report::new(kind, error)
    }
}
