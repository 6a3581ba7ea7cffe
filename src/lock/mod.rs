//! Locking: floating inputs (image tags, package names, requirement ranges) resolved once to
//! exact pins, and the `envc.lock` file that keeps them.
//!
//! `file` is the lock file itself (format, atomic writes, staleness); `resolve` holds the
//! resolvers (image digests, apt closures, pip hashes, download hashes), each taking plain
//! inputs and using the real engine or network.

pub mod file;
pub mod locking;
pub mod resolve;
