//! The ground floor for content addressing: what every stage needs to name content by its
//! hash and to write files others read.
//!
//! `digest` is the one SHA-256 type (`sha256:<hex>`), `canonical` the one byte form of a
//! JSON document that keys and the lock are hashed over, `atomic` the one way to replace a
//! file. Nothing here knows a spec, a plan or an engine, so every floor above (lock, plan,
//! rootfs, sif, build, verify) may use it and it imports none of them.

pub mod atomic;
pub mod canonical;
pub mod digest;

pub use atomic::{Audience, write_atomically, write_for};
pub use digest::{Digest, ParseDigestError};
