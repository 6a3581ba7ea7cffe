//! Host material lent to build containers: proxy variables and the host's CA bundle.
//!
//! A company proxy or TLS-intercepting network is a fact about the machine, not about the
//! image. It is passed to build containers as environment and a read-only mount, and never
//! reaches the committed image or the image key — which is why it is its own type and not
//! part of [`super::BuildSpec`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Host material for build containers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildHost {
    /// Pass the host's `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` (and lowercase forms) to build
    /// steps when they are set.
    #[serde(default)]
    pub proxy: bool,
    /// Mount the host's CA bundle into build steps and point `SSL_CERT_FILE`, `PIP_CERT`,
    /// `REQUESTS_CA_BUNDLE` and apt at it.
    #[serde(default)]
    pub ca_certificates: bool,
}
