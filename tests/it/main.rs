//! envc's integration tests: one binary, so the suite links once.

mod build;
mod conformance;
mod emit;
mod engine;
mod lang_cases;
mod lang_differential;
mod lang_hermetic;
mod lock;
mod plan;
mod run;
mod spec;
mod support;
