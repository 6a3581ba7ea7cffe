//! What can go wrong talking to a registry, and what a refused cache entry is.
//!
//! Two kinds of outcome are kept apart on purpose. A [`RegistryError`] means the registry
//! could not be used (unreachable, credentials refused, a protocol failure): a build warns
//! and builds, `envc push`/`pull` fail with it. A [`Refusal`] means the registry answered
//! with something envc will not trust (a manifest for another key, a blob whose digest does
//! not match, files that do not match their recorded rootfs digest): it is reported and the
//! entry is never used.

use std::fmt;

use crate::engine::EngineError;

/// Why the registry could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RegistryError {
    #[error("`{variable}` is not a registry reference: {message}")]
    #[diagnostic(help("{help}"))]
    BadSetting {
        variable: &'static str,
        message: String,
        help: String,
    },
    #[error("`--insecure` contradicts the explicit `https://` of `{registry}`")]
    #[diagnostic(help("drop `--insecure`, or write `http://` to use plain HTTP"))]
    InsecureHttps { registry: String },
    #[error("no cache registry is set")]
    #[diagnostic(help(
        "pass `--cache-registry HOST[/PATH]`, set `ENVC_CACHE_REGISTRY`, or set `cache.registry` in the config"
    ))]
    NoRegistry,
    #[error("the registry `{registry}` refused the credentials for `{reference}` (401)")]
    #[diagnostic(help(
        "log in with `docker login {host}` (envc reads `~/.docker/config.json` and its credential helpers)"
    ))]
    Unauthorized {
        registry: String,
        host: String,
        reference: String,
    },
    #[error("cannot reach the registry `{registry}`")]
    #[diagnostic(help(
        "is it running, and is the scheme right? envc uses HTTPS unless the registry is written `http://HOST` or `--insecure` is given"
    ))]
    Unreachable {
        registry: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the registry `{registry}` failed to {action}")]
    Protocol {
        registry: String,
        action: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("cannot read the registry credentials for `{host}`: {reason}")]
    Credentials { host: String, reason: String },
    #[error("`{reference}` is not in the registry")]
    #[diagnostic(help("build it and push it: `envc build --push`"))]
    Missing { reference: String },
    #[error("the registry's `{reference}` is refused: {reason}")]
    #[diagnostic(help(
        "someone pushed an entry that is not what its key says; push it again from a good build with `envc push`"
    ))]
    Refused { reference: String, reason: String },
    #[error("cannot {action}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),
    #[error("`{image}` is not built yet")]
    #[diagnostic(help("build it first: `envc build`"))]
    NotBuilt { image: String },
    #[error("the local image `{image}` does not match its recorded rootfs digest: {reason}")]
    #[diagnostic(help(
        "rebuild it with `envc build --no-cache`; envc does not push a changed image"
    ))]
    LocalMismatch { image: String, reason: String },
    #[error("cannot read the saved images from the engine: {reason}")]
    Save { reason: String },
}

impl RegistryError {
    pub(crate) fn io(action: impl Into<String>, source: std::io::Error) -> RegistryError {
        RegistryError::Io {
            action: action.into(),
            source,
        }
    }

    /// Which kind of failure this is, for the exit code.
    pub fn failure(&self) -> crate::exit::Failure {
        use crate::exit::Failure;
        match self {
            RegistryError::Engine(e) => e.failure(),
            RegistryError::BadSetting { .. }
            | RegistryError::InsecureHttps { .. }
            | RegistryError::NoRegistry => Failure::Input,
            RegistryError::Unauthorized { .. }
            | RegistryError::Unreachable { .. }
            | RegistryError::Protocol { .. }
            | RegistryError::Credentials { .. }
            | RegistryError::Io { .. } => Failure::Environment,
            RegistryError::Missing { .. }
            | RegistryError::Refused { .. }
            | RegistryError::NotBuilt { .. }
            | RegistryError::LocalMismatch { .. }
            | RegistryError::Save { .. } => Failure::Found,
        }
    }

    /// Whether the error is about the registry itself (so a build can go on without it).
    pub fn is_registry_side(&self) -> bool {
        matches!(
            self,
            RegistryError::Unauthorized { .. }
                | RegistryError::Unreachable { .. }
                | RegistryError::Protocol { .. }
                | RegistryError::Credentials { .. }
        )
    }
}

impl From<RegistryError> for crate::exit::Report {
    fn from(error: RegistryError) -> Self {
        crate::exit::Report::new(error.failure(), error)
    }
}

/// A registry entry envc will not use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reference: String,
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.reference, self.reason)
    }
}

impl From<Refusal> for RegistryError {
    fn from(refusal: Refusal) -> Self {
        RegistryError::Refused {
            reference: refusal.reference,
            reason: refusal.reason,
        }
    }
}
