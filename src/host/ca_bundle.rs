//! Finding the host's CA bundle, which build steps and environments may borrow read-only.

use std::path::PathBuf;

/// Where hosts keep their CA bundle, most common first.
const CA_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The host's CA bundle: `SSL_CERT_FILE` when it names a file, else the usual places.
pub fn find_ca_bundle() -> Option<PathBuf> {
    let from_env = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
    from_env
        .into_iter()
        .chain(CA_BUNDLES.iter().map(PathBuf::from))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(&p).ok())
}
