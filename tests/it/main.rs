//! envc's integration tests: one binary, so the suite links once.

mod apptainer;
mod apptainer_target;
mod build;
mod conformance;
mod contract;
mod doctor;
mod emit;
mod engine;
mod flake;
mod fuzz;
mod init;
mod lang_cases;
mod lang_differential;
mod lang_hermetic;
mod lock;
mod msrv;
mod plan;
mod registry;
mod run;
mod security;
mod sif;
mod spec;
mod supply;
mod support;
mod verify;
mod verify_cross;
