//! Where the engine is: the endpoint named by `DOCKER_HOST` (and its TLS settings), or the
//! local socket.
//!
//! Kept apart from connecting so the choice can be shown to the user ("cannot reach the
//! engine at …") and repeated later, for example to open a fresh connection for cleanup
//! from a signal handler.

use std::path::{Path, PathBuf};

use super::EngineError;

/// The socket Docker listens on by default.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// An engine endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A Unix socket (Docker's default, rootless Docker, Podman's compatible socket).
    Unix(PathBuf),
    /// Plain TCP (`tcp://host:port` without `DOCKER_TLS_VERIFY`).
    Tcp { address: String },
    /// TCP with TLS client authentication (`DOCKER_TLS_VERIFY` set).
    Tls { address: String, cert_dir: PathBuf },
}

impl Endpoint {
    /// The endpoint the docker CLI would use: `DOCKER_HOST` (with `DOCKER_TLS_VERIFY` and
    /// `DOCKER_CERT_PATH`), else the Docker context (`DOCKER_CONTEXT` or the config's
    /// current context), else the local socket.
    pub fn from_env() -> Result<Endpoint, EngineError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        if var("DOCKER_HOST").is_none()
            && let Some(config_dir) = super::context::docker_config_dir()
            && let Some(context) =
                super::context::context_host(&config_dir, var("DOCKER_CONTEXT").as_deref())?
        {
            tracing::debug!(context = %context.name, host = %context.host, "using the Docker context");
            let tls = context.tls_dir.is_some();
            return Endpoint::from_settings(Some(&context.host), tls, context.tls_dir, None);
        }
        Endpoint::from_settings(
            var("DOCKER_HOST").as_deref(),
            var("DOCKER_TLS_VERIFY").is_some(),
            var("DOCKER_CERT_PATH").map(PathBuf::from),
            var("HOME").map(PathBuf::from).as_deref(),
        )
    }

    /// The endpoint for explicit settings (what [`Endpoint::from_env`] reads).
    pub fn from_settings(
        host: Option<&str>,
        tls_verify: bool,
        cert_path: Option<PathBuf>,
        home: Option<&Path>,
    ) -> Result<Endpoint, EngineError> {
        let Some(host) = host else {
            return Ok(Endpoint::Unix(PathBuf::from(DEFAULT_SOCKET)));
        };
        let bad = |reason: &str| EngineError::BadHost {
            host: host.to_string(),
            reason: reason.to_string(),
        };
        if let Some(path) = host.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(bad("the socket path is empty"));
            }
            return Ok(Endpoint::Unix(PathBuf::from(path)));
        }
        let address = if let Some(rest) = host.strip_prefix("tcp://") {
            rest
        } else if let Some(rest) = host.strip_prefix("https://") {
            rest
        } else if let Some(rest) = host.strip_prefix("http://") {
            rest
        } else if host.starts_with("ssh://") {
            return Err(bad(
                "ssh endpoints are not supported; forward the socket (`ssh -L`) and use `unix://` or `tcp://`",
            ));
        } else if host.starts_with("npipe://") {
            return Err(bad("named pipes exist only on Windows"));
        } else {
            return Err(bad("the scheme is not `unix://` or `tcp://`"));
        };
        let address = address.trim_end_matches('/');
        if address.is_empty() {
            return Err(bad("the address is empty"));
        }
        // Docker's convention: a tcp host without a port means 2375 (plain) or 2376 (TLS).
        let with_port = |default: u16| {
            if address
                .rsplit_once(':')
                .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
            {
                address.to_string()
            } else {
                format!("{address}:{default}")
            }
        };
        if tls_verify || host.starts_with("https://") {
            let cert_dir = cert_path
                .or_else(|| home.map(|h| h.join(".docker")))
                .ok_or_else(|| {
                    bad("TLS is requested but neither `DOCKER_CERT_PATH` nor `HOME` is set")
                })?;
            Ok(Endpoint::Tls {
                address: with_port(2376),
                cert_dir,
            })
        } else {
            Ok(Endpoint::Tcp {
                address: with_port(2375),
            })
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp { address } => write!(f, "tcp://{address}"),
            Endpoint::Tls { address, .. } => write!(f, "tcp://{address} (TLS)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(host: Option<&str>, tls: bool) -> Result<Endpoint, EngineError> {
        Endpoint::from_settings(host, tls, None, Some(Path::new("/home/u")))
    }

    #[test]
    fn unset_host_is_the_local_socket() {
        assert_eq!(
            parse(None, false).unwrap(),
            Endpoint::Unix(PathBuf::from(DEFAULT_SOCKET))
        );
    }

    #[test]
    fn unix_and_tcp_hosts() {
        assert_eq!(
            parse(Some("unix:///run/podman/podman.sock"), false).unwrap(),
            Endpoint::Unix(PathBuf::from("/run/podman/podman.sock"))
        );
        assert_eq!(
            parse(Some("tcp://10.0.0.1:2375"), false).unwrap(),
            Endpoint::Tcp {
                address: "10.0.0.1:2375".into()
            }
        );
        assert_eq!(
            parse(Some("tcp://builder"), false).unwrap(),
            Endpoint::Tcp {
                address: "builder:2375".into()
            }
        );
    }

    #[test]
    fn tls_uses_cert_path_or_home() {
        assert_eq!(
            parse(Some("tcp://builder"), true).unwrap(),
            Endpoint::Tls {
                address: "builder:2376".into(),
                cert_dir: PathBuf::from("/home/u/.docker")
            }
        );
        let explicit = Endpoint::from_settings(
            Some("tcp://h:1234"),
            true,
            Some(PathBuf::from("/certs")),
            None,
        )
        .unwrap();
        assert_eq!(
            explicit,
            Endpoint::Tls {
                address: "h:1234".into(),
                cert_dir: PathBuf::from("/certs")
            }
        );
    }

    #[test]
    fn unsupported_schemes_are_refused_with_a_reason() {
        for host in [
            "ssh://me@box",
            "npipe:////./pipe/docker",
            "docker.sock",
            "unix://",
        ] {
            let error = parse(Some(host), false).unwrap_err();
            assert!(
                matches!(error, EngineError::BadHost { .. }),
                "{host}: {error}"
            );
            assert_eq!(error.failure(), crate::exit::Failure::Environment);
        }
    }
}
