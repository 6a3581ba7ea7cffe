//! Emitters: the plan written out in the formats other tools read — a Dockerfile (with its
//! `.dockerignore` and context list), an Apptainer definition file, the run manifest, and a
//! Dev Containers `devcontainer.json`.
//!
//! Each emitter is a pure function of the plan (and, for run settings, the spec's run side):
//! no clock, no host, no file system, so equal inputs give byte-equal files and snapshot
//! tests pin them. `envc emit` writes what [`emit`] returns.
//!
//! The commands of the steps are the step contract's (`crate::plan::contract`), which envc's
//! executor runs too; every string is escaped by the one function of its format
//! (`crate::escape`), and one that a format cannot hold exactly is refused ([`EmitError`]).

pub mod apptainer;
pub mod devcontainer;
pub mod dockerfile;
pub mod labels;

use crate::escape::Unrepresentable;
use crate::plan::{Plan, RunManifest};
use crate::spec::Spec;

/// A value of the config that an emitted file cannot hold exactly.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write `{file}`")]
#[diagnostic(
    code(envc::emit::unrepresentable),
    help(
        "envc writes no value that would change the file's structure or be read back \
         differently; change the value in the config"
    )
)]
pub struct EmitError {
    /// The emitted file's name.
    pub file: &'static str,
    #[source]
    pub source: Unrepresentable,
}

/// True when a base image's pin is a local image ID (`sha256:…` without a repository):
/// an image that never came from a registry. Neither `FROM` nor Apptainer's `docker`
/// bootstrap can name it by ID, so the emitters use its reference, from the local engine.
pub fn is_local_image_id(pinned: &str) -> bool {
    !pinned.contains('@') && pinned.starts_with("sha256:")
}

/// One emitted file: its name in the output folder and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmittedFile {
    pub name: &'static str,
    pub bytes: Vec<u8>,
}

/// Every emitted file of a plan, in a fixed order.
pub fn emit(
    spec: &Spec,
    plan: &Plan,
    manifest: &RunManifest,
) -> Result<Vec<EmittedFile>, EmitError> {
    let docker = dockerfile::dockerfile(spec, plan)?;
    Ok(vec![
        EmittedFile {
            name: "Dockerfile",
            bytes: docker.dockerfile.into_bytes(),
        },
        EmittedFile {
            name: "Dockerfile.dockerignore",
            bytes: docker.dockerignore.into_bytes(),
        },
        EmittedFile {
            name: "context.txt",
            bytes: docker.context.into_bytes(),
        },
        EmittedFile {
            name: "apptainer.def",
            bytes: apptainer::definition(spec, plan)?.into_bytes(),
        },
        EmittedFile {
            name: "manifest.json",
            bytes: manifest.to_bytes(),
        },
        EmittedFile {
            name: "devcontainer.json",
            bytes: devcontainer::devcontainer(spec, plan, manifest),
        },
    ])
}
