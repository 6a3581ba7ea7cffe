//! envc's integration tests: one binary, so the suite links once.

mod apptainer;
mod conformance;
mod engine;
mod flake;
mod emit;
mod lang_cases;
mod lang_differential;
mod lang_hermetic;
mod lock;
mod msrv;
mod sif;
mod plan;
mod spec;
mod support;
