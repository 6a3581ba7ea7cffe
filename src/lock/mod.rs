//! Locking: resolve every floating input once, so builds are pinned.
//!
//! `resolve` holds the resolvers (image digests, apt closures, pip hashes, download
//! hashes), each taking plain inputs and using the real engine or network.

pub mod resolve;
