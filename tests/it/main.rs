//! envc's integration tests: one binary, so the suite links once.

mod emit;
mod plan;
mod support;
