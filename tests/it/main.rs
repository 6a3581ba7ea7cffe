//! envc's integration tests: one binary, so the suite links once.

mod engine;
mod lock;
mod support;
