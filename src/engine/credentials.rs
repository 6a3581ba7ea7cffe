//! Registry credentials from the Docker client's config file, so that pulling a base image
//! or asking a registry for a digest works wherever `docker pull` does.
//!
//! Looked up as the docker CLI does: a per-registry `credHelpers` entry, else the default
//! `credsStore`, else the inline `auths` entry (base64 `user:password` or an identity
//! token). Helpers are the `docker-credential-<name>` programs, run with `get`.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use bollard::auth::DockerCredentials;
use serde_json::Value;

use super::EngineError;

/// The key Docker Hub's credentials are stored under.
const DOCKER_HUB: &str = "https://index.docker.io/v1/";

/// The config file the docker CLI reads: `$DOCKER_CONFIG/config.json` or
/// `~/.docker/config.json`.
pub fn docker_config_path() -> Option<PathBuf> {
    super::context::docker_config_dir().map(|dir| dir.join("config.json"))
}

/// The registry host of an image reference (`docker.io` for Docker Hub names).
pub fn registry_host(reference: &str) -> &str {
    match reference.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => first,
        _ => "docker.io",
    }
}

/// Credentials for the registry of `reference` from the user's Docker config, if any.
pub fn registry_credentials(reference: &str) -> Result<Option<DockerCredentials>, EngineError> {
    match docker_config_path() {
        Some(path) => credentials_from_config(&path, reference),
        None => Ok(None),
    }
}

/// Credentials for the registry of `reference` from the config file at `path`; a missing
/// file means no credentials.
pub fn credentials_from_config(
    path: &Path,
    reference: &str,
) -> Result<Option<DockerCredentials>, EngineError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad_config(path, &e.to_string())),
    };
    let config: Value =
        serde_json::from_str(&text).map_err(|e| bad_config(path, &e.to_string()))?;
    let host = registry_host(reference);
    let key = if host == "docker.io" {
        DOCKER_HUB
    } else {
        host
    };
    let server = |h: &str| {
        if host == "docker.io" {
            DOCKER_HUB.to_string()
        } else {
            h.to_string()
        }
    };
    let helper = config
        .pointer(&format!(
            "/credHelpers/{}",
            key.replace('~', "~0").replace('/', "~1")
        ))
        .or_else(|| config.get("credsStore"))
        .and_then(Value::as_str);
    if let Some(helper) = helper {
        return from_helper(helper, key, &server(host));
    }
    let Some(entry) = find_auth(&config, key) else {
        return Ok(None);
    };
    let mut credentials = DockerCredentials {
        serveraddress: Some(server(host)),
        ..Default::default()
    };
    if let Some(auth) = entry
        .get("auth")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
    {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth)
            .ok()
            .and_then(|d| String::from_utf8(d).ok())
            .ok_or_else(|| {
                bad_config(
                    path,
                    &format!("the `auth` of `{key}` is not base64 `user:password`"),
                )
            })?;
        let (user, password) = decoded.split_once(':').ok_or_else(|| {
            bad_config(
                path,
                &format!("the `auth` of `{key}` is not `user:password`"),
            )
        })?;
        credentials.username = Some(user.to_string());
        credentials.password = Some(password.to_string());
    }
    if let Some(token) = entry.get("identitytoken").and_then(Value::as_str) {
        credentials.identitytoken = Some(token.to_string());
    }
    Ok(Some(credentials))
}

/// The `auths` entry for `key`, also under the URL forms older clients wrote.
fn find_auth<'a>(config: &'a Value, key: &str) -> Option<&'a Value> {
    let auths = config.get("auths")?.as_object()?;
    auths.get(key).or_else(|| {
        auths.iter().find_map(|(k, v)| {
            let bare = k
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .split('/')
                .next()
                .unwrap_or(k);
            (bare == key).then_some(v)
        })
    })
}

fn from_helper(
    helper: &str,
    key: &str,
    server: &str,
) -> Result<Option<DockerCredentials>, EngineError> {
    let program = format!("docker-credential-{helper}");
    tracing::debug!("running `{program} get` for `{key}`");
    let output = duct::cmd(&program, ["get"])
        .stdin_bytes(key.as_bytes())
        .stdout_capture()
        .stderr_capture()
        .unchecked()
        .run()
        .map_err(|e| EngineError::Credentials {
            registry: key.to_string(),
            reason: format!("cannot run `{program}`: {e}"),
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        // Helpers say "credentials not found in native keychain" for unknown registries.
        if stdout.contains("credentials not found")
            || String::from_utf8_lossy(&output.stderr).contains("credentials not found")
        {
            return Ok(None);
        }
        return Err(EngineError::Credentials {
            registry: key.to_string(),
            reason: format!(
                "`{program} get` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        });
    }
    let answer: Value = serde_json::from_str(&stdout).map_err(|e| EngineError::Credentials {
        registry: key.to_string(),
        reason: format!("`{program} get` did not print JSON: {e}"),
    })?;
    let field = |name: &str| answer.get(name).and_then(Value::as_str).map(str::to_string);
    let (username, secret) = (field("Username"), field("Secret"));
    let mut credentials = DockerCredentials {
        serveraddress: Some(server.to_string()),
        ..Default::default()
    };
    // A helper returns an identity token with the user name `<token>`.
    if username.as_deref() == Some("<token>") {
        credentials.identitytoken = secret;
    } else {
        credentials.username = username;
        credentials.password = secret;
    }
    Ok(Some(credentials))
}

fn bad_config(path: &Path, reason: &str) -> EngineError {
    EngineError::Credentials {
        registry: path.display().to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn registry_hosts_follow_dockers_rule() {
        assert_eq!(registry_host("debian:bookworm"), "docker.io");
        assert_eq!(registry_host("user/app"), "docker.io");
        assert_eq!(registry_host("ghcr.io/o/app:1"), "ghcr.io");
        assert_eq!(registry_host("127.0.0.1:5000/app"), "127.0.0.1:5000");
        assert_eq!(registry_host("localhost/app"), "localhost");
    }

    #[test]
    fn inline_auths_decode_for_the_right_registry() {
        // "me:s3cret:with-colon"
        let (_dir, path) = config(
            r#"{"auths": {"ghcr.io": {"auth": "bWU6czNjcmV0OndpdGgtY29sb24="},
                          "https://index.docker.io/v1/": {"auth": "aHViOnB3"}}}"#,
        );
        let ghcr = credentials_from_config(&path, "ghcr.io/o/app:1")
            .unwrap()
            .unwrap();
        assert_eq!(ghcr.username.as_deref(), Some("me"));
        assert_eq!(ghcr.password.as_deref(), Some("s3cret:with-colon"));
        assert_eq!(ghcr.serveraddress.as_deref(), Some("ghcr.io"));
        let hub = credentials_from_config(&path, "debian").unwrap().unwrap();
        assert_eq!(hub.username.as_deref(), Some("hub"));
        assert_eq!(hub.serveraddress.as_deref(), Some(DOCKER_HUB));
        assert!(
            credentials_from_config(&path, "quay.io/x")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_missing_config_means_no_credentials_and_a_broken_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            credentials_from_config(&dir.path().join("none.json"), "x")
                .unwrap()
                .is_none()
        );
        let (_dir, path) = config("{not json");
        assert!(credentials_from_config(&path, "x").is_err());
    }

    #[test]
    fn a_missing_helper_is_an_error_naming_it() {
        let (_dir, path) = config(r#"{"credsStore": "envc-test-no-such-helper"}"#);
        let error = credentials_from_config(&path, "ghcr.io/o/app").unwrap_err();
        assert!(error.to_string().contains("ghcr.io"), "{error}");
        let EngineError::Credentials { reason, .. } = &error else {
            panic!("{error:?}")
        };
        assert!(
            reason.contains("docker-credential-envc-test-no-such-helper"),
            "{reason}"
        );
    }
}
