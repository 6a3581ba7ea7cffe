//! envc's integration tests: one binary, so the suite links once.

mod conformance;
mod flake;
mod lang_cases;
mod lang_differential;
mod lang_hermetic;
mod msrv;
mod engine;
mod lock;
mod spec;
mod apptainer;
mod sif;
mod support;
