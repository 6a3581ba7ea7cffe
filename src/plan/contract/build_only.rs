//! Build-only material: where the host's CA bundle, secrets and caches appear in a step,
//! which variables name them, and the normalisations every builder applies.
//!
//! None of it describes the image, so none of it may reach one. Files are mounted under
//! [`MOUNT_DIR`], inside the container's `/dev` tmpfs: a mount point under a folder that
//! is part of the image (`/run/secrets/x`) would leave an empty file in the committed
//! layer (BuildKit keeps the folders it creates for a secret), while nothing under `/dev`
//! reaches a layer. Host values (proxies) reach only the step's process: envc's executor
//! passes them to an exec, whose environment the engine never records in an image, and a
//! Dockerfile takes them as BuildKit's predefined build arguments, which stay out of the
//! image and its history.

use crate::plan::Key;

/// Where build-only files appear in a build container.
pub const MOUNT_DIR: &str = "/dev/envc";
/// The host CA bundle's path in a build step.
pub const CA_PATH: &str = "/dev/envc/ca-certificates.crt";
/// Where build secrets appear: `<SECRETS_DIR>/<id>`.
pub const SECRETS_DIR: &str = "/dev/envc/secrets";
/// The pip cache's mount point.
pub const PIP_CACHE: &str = "/dev/envc/cache/pip";
/// apt's archive cache: downloaded packages, kept between builds of one base.
pub const APT_ARCHIVES: &str = "/var/cache/apt/archives";

/// Variables pointed at the CA bundle in steps that use the network.
pub const CA_VARIABLES: &[&str] = &[
    "SSL_CERT_FILE",
    "PIP_CERT",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "GIT_SSL_CAINFO",
];

/// Proxy variables passed through when `build_host.proxy` is set (BuildKit's predefined
/// build arguments are the same names).
pub use crate::host::PROXY_VARIABLES;

/// The `SOURCE_DATE_EPOCH` every shell step sees (1980-01-01, the earliest date zip files
/// and some packaging tools accept), so that tools that honour it write reproducible files:
/// Python's `py_compile` (used by pip) then writes hash-checked `.pyc` files instead of
/// embedding source mtimes, and build tools stamp this date instead of the build time.
/// It is a normalisation for `envc verify --rebuild`; a step's own env may override it.
pub const SOURCE_DATE_EPOCH: &str = "315532800";

/// The umask steps run with: Docker's and BuildKit's; the `.def`'s `%post` sets it, since
/// it would otherwise inherit the caller's (often 002, making files group-writable).
pub const UMASK: &str = "022";

/// The name of the cache `name` for images built on `base` (a volume for envc's executor,
/// a cache mount id for BuildKit).
///
/// Keyed by the base so that caches of different distributions never mix (an apt archive
/// of bookworm packages is useless, and possibly harmful, on jammy); only `[A-Za-z0-9_.-]`,
/// so the name is valid for the engine and in a Dockerfile flag.
pub fn cache_volume(base: &Key, name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("envc-cache-{}-{safe}", base.short())
}
