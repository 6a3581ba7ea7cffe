//! The Nix-like language: parse with rnix, lower to our own expression tree, and
//! evaluate lazily and hermetically.
//!
//! The rest of envc sees only [`Data`]: the strict, fully evaluated result with the
//! source span of each value's definition, so that later stages can point errors at
//! the line that caused them.

pub mod data;

pub use data::{Data, Located};
