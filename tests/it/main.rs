//! envc's integration tests: one binary, so the suite links once.

mod conformance;
mod lang_cases;
mod lang_differential;
mod lang_hermetic;
mod engine;
mod support;
