//! What envc reads from the host that several stages lend to containers: the CA bundle and
//! the proxy variables.
//!
//! Build steps (`crate::build`), `envc lock`'s resolving containers, environments
//! (`crate::run`), `envc verify`'s BuildKit builds and `envc doctor` all read these the
//! same way, so they are read here, below all of them, and nowhere else.

mod ca_bundle;
mod proxy;

pub use ca_bundle::find_ca_bundle;
pub use proxy::PROXY_VARIABLES;
