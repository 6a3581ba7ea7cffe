//! envc, a declarative environment compiler.
//!
//! Data flows one way through the stages, one module each:
//! `lang` (parse + evaluate) → `spec` (typed, merged, validated) → `lock` / `plan`
//! → `emit` / `build` / `run` / `verify` / `audit`. See DESIGN.md for the pipeline.

pub mod apptainer;
pub mod audit;
pub mod build;
pub mod cache_dir;
pub mod cli;
pub mod doctor;
pub mod emit;
pub mod engine;
pub mod escape;
pub mod exit;
pub mod init;
pub mod lang;
pub mod lock;
pub mod plan;
pub mod project_fs;
pub mod registry;
pub mod rootfs;
pub mod run;
pub mod sif;
pub mod source;
pub mod spec;
pub mod supply;
pub mod verify;
