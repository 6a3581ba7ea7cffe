//! envc, a declarative environment compiler.
//!
//! Data flows one way through the stages, one module each:
//! `lang` (parse + evaluate) → `spec` (typed, merged, validated) → `lock` / `plan`
//! → `emit` / `build` / `run` / `verify` / `audit`. See ARCHITECTURE.md for the floors and
//! which may import which (checked by the `architecture` tests).

pub mod apptainer;
#[cfg(test)]
mod architecture;
pub mod audit;
pub mod build;
pub mod cache_dir;
pub mod cli;
pub mod content;
pub mod doctor;
pub mod emit;
pub mod engine;
pub mod error_chain;
pub mod escape;
pub mod exit;
pub mod host;
pub mod init;
pub mod lang;
pub mod leftovers;
pub mod lock;
pub mod lsp;
pub mod plan;
pub mod project_fs;
pub mod registry;
pub mod rootfs;
pub mod run;
pub mod sif;
pub mod slurm;
pub mod source;
pub mod spec;
pub mod state_dir;
pub mod supply;
pub mod verify;
