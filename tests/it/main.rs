//! envc's integration tests: one binary, so the suite links once.

mod sif;
mod support;
