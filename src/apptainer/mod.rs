//! The Apptainer target: SIF images built from the Docker image (natively, or by
//! `apptainer build` from the emitted `.def`), kept in envc's cache by plan key.
//!
//! `cache` says where a plan's SIF lives and whether a file there is still the plan's;
//! `native` streams the built image's filesystem out of the engine into
//! [`crate::sif::assemble`]; `tool` finds the `apptainer` binary (or says what to install);
//! `from_def` runs `apptainer build` on the emitted `.def`. Running a SIF lives in `crate::run::apptainer`.

pub mod cache;
pub mod from_def;
pub mod native;
pub mod tool;
