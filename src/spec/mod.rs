//! The environment spec: the typed model, and how config files become one.
//!
//! `load` finds the config's modules (`imports`), evaluates each (`.nix` through
//! [`crate::lang`], `.json` through a span-keeping reader), merges them with nixpkgs-shaped
//! priorities, applies a variant, and decodes the result into a [`Spec`], reporting every
//! mistake at the definition that caused it.

pub mod model;
pub mod placeholder;
pub mod schema;
pub mod suggest;

pub use model::Spec;
pub mod config_file;
pub mod decode;
pub mod error;
pub mod json;

pub use error::{ErrorKind, SpecError};
pub mod load;
pub mod merge;
pub mod modules;
pub mod nix;
pub mod validate;

pub use load::{LoadedSpec, ModuleSource, discover, load, to_json};
