//! Docker CLI contexts: when `DOCKER_HOST` is unset, the docker CLI talks to the endpoint
//! of the current context (`DOCKER_CONTEXT`, or `currentContext` in its config file).
//! Rootless Docker, Docker Desktop and colima set one up, so envc reads it too and reaches
//! the same engine as `docker` does.
//!
//! A context's metadata lives in `<config dir>/contexts/meta/<sha256 of its name>/meta.json`
//! and its TLS files, if any, in `<config dir>/contexts/tls/<same>/docker/`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::EngineError;

/// The engine endpoint a context names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextHost {
    pub name: String,
    /// As in `DOCKER_HOST`.
    pub host: String,
    /// The directory with `ca.pem`, `cert.pem` and `key.pem` when the context has TLS files.
    pub tls_dir: Option<PathBuf>,
}

/// The docker CLI's config directory: `$DOCKER_CONFIG` or `~/.docker`.
pub fn docker_config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker"))
}

/// The endpoint of context `name`, or of the config's current context when `name` is
/// `None`; `None` for the built-in `default` context (the local socket) or no context.
pub fn context_host(
    config_dir: &Path,
    name: Option<&str>,
) -> Result<Option<ContextHost>, EngineError> {
    let name = match name {
        Some(name) => name.to_string(),
        None => match current_context(config_dir) {
            Some(name) => name,
            None => return Ok(None),
        },
    };
    if name == "default" {
        return Ok(None);
    }
    let bad = |reason: String| EngineError::Context {
        name: name.clone(),
        reason,
    };
    let id = hex::encode(Sha256::digest(name.as_bytes()));
    let meta_path = config_dir.join("contexts/meta").join(&id).join("meta.json");
    let text = std::fs::read_to_string(&meta_path)
        .map_err(|e| bad(format!("cannot read `{}`: {e}", meta_path.display())))?;
    let meta: Value = serde_json::from_str(&text)
        .map_err(|e| bad(format!("`{}` is not JSON: {e}", meta_path.display())))?;
    let host = meta
        .pointer("/Endpoints/docker/Host")
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("it has no Docker endpoint host".into()))?;
    let tls_dir = config_dir.join("contexts/tls").join(&id).join("docker");
    Ok(Some(ContextHost {
        name,
        host: host.to_string(),
        tls_dir: tls_dir.join("ca.pem").exists().then_some(tls_dir),
    }))
}

fn current_context(config_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(config_dir.join("config.json")).ok()?;
    let config: Value = serde_json::from_str(&text).ok()?;
    config
        .get("currentContext")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_context(dir: &Path, name: &str, host: &str, tls: bool) {
        let id = hex::encode(Sha256::digest(name.as_bytes()));
        let meta = dir.join("contexts/meta").join(&id);
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            format!(r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#),
        )
        .unwrap();
        if tls {
            let tls = dir.join("contexts/tls").join(&id).join("docker");
            std::fs::create_dir_all(&tls).unwrap();
            std::fs::write(tls.join("ca.pem"), "").unwrap();
        }
    }

    #[test]
    fn the_current_context_names_the_host() {
        let dir = tempfile::tempdir().unwrap();
        write_context(
            dir.path(),
            "rootless",
            "unix:///run/user/1000/docker.sock",
            false,
        );
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"currentContext": "rootless"}"#,
        )
        .unwrap();
        let found = context_host(dir.path(), None).unwrap().unwrap();
        assert_eq!(found.host, "unix:///run/user/1000/docker.sock");
        assert_eq!(found.tls_dir, None);
    }

    #[test]
    fn an_explicit_context_with_tls_files() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "remote", "tcp://builder:2376", true);
        let found = context_host(dir.path(), Some("remote")).unwrap().unwrap();
        assert_eq!(found.host, "tcp://builder:2376");
        assert!(found.tls_dir.unwrap().ends_with("docker"));
    }

    #[test]
    fn default_and_absent_contexts_mean_the_local_socket() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(context_host(dir.path(), None).unwrap(), None);
        assert_eq!(context_host(dir.path(), Some("default")).unwrap(), None);
    }

    #[test]
    fn a_context_that_does_not_exist_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let error = context_host(dir.path(), Some("gone")).unwrap_err();
        assert!(error.to_string().contains("`gone`"), "{error}");
        assert_eq!(error.failure().code(), 3);
    }
}
