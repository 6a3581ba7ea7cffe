//! envc's integration tests: one binary, so the suite links once.

mod flake;
mod msrv;
mod support;
