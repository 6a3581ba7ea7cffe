//! Locking: floating inputs (image tags, package names, requirement ranges) resolved once to
//! exact pins, and the `envc.lock` file that keeps them.
//!
//! `file` is the lock file itself (format, atomic writes, staleness); resolution against real
//! engines and indexes lives beside it.

pub mod file;
pub mod locking;
pub mod resolve;
