//! An OCI registry as envc's shared, content-addressed cache, and the way SIFs reach a
//! cluster.
//!
//! Step keys are content addresses already; a registry makes them shared. The layout and
//! the scheme rule are in [`target`]; [`client`] speaks the distribution protocol through
//! `oci-client` (credentials from [`auth`]); [`manifest`] is what envc writes and reads back.
//! Images leave the engine through [`save`] and [`push`], and come back through [`pull`],
//! which verifies an entry against its key and its files before anything uses it; [`probe`]
//! asks for many keys at once (the build's hook is `crate::build::remote`). [`sif`] stores
//! SIFs as Apptainer's `oras://` does (`crate::verify::registry` checks the registry's
//! entries), and [`ops`]
//! holds the operations the commands run.

pub mod auth;
pub mod client;
pub mod error;
pub mod manifest;
pub mod ops;
pub mod probe;
pub mod pull;
pub mod push;
pub mod save;
pub mod sif;
pub mod target;

pub use client::RegistryClient;
pub use error::{Refusal, RegistryError};
pub use target::{Registry, resolve};
