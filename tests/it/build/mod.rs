//! `envc build` against the real engine: the step cache, failures and interrupts, build-only
//! material kept out of images, apt and pip steps, downloads, and the base sources.

mod bases;
mod cache;
mod downloads;
mod failure;
mod host;
mod images;
mod order;
mod packages;
pub mod project;
