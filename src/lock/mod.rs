//! Locking: floating inputs (image tags, package names, requirement ranges) resolved once to
//! exact pins, and the `envc.lock` file that keeps them.
//!
//! `resolve` holds the resolvers (image digests, apt closures, pip hashes, download hashes),
//! each taking plain inputs and using the real engine or network; `walk` walks a spec's
//! inputs and asks a resolver for each pin (`engine_resolver` adapts `resolve` to it);
//! `file` is the lock file itself (format, atomic writes, staleness).

pub mod engine_resolver;
pub mod file;
pub mod freshness;
pub mod resolve;
pub mod walk;
