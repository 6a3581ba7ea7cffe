//! envc's integration tests: one binary, so the suite links once.

mod build;
mod conformance;
mod emit;
mod engine;
mod lang_cases;
mod lang_differential;
mod lang_hermetic;
mod plan;
mod spec;
mod apptainer;
mod sif;
mod support;
