//! envc's integration tests: one binary, so the suite links once.

mod apptainer;
mod sif;
mod support;
