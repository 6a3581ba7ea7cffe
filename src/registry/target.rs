//! Which registry is the cache, how it is reached, and where each key lives in it.
//!
//! The layout, under the registry's repository prefix `REGISTRY`:
//! - `REGISTRY/step:<64-hex key>`: the image of every build step (the full key, so a tag
//!   can never name two steps);
//! - `REGISTRY/<name>:<key>`: finished images (`<name>` is the environment's image name
//!   without `envc/`, with `-<variant>` for variants); the same image as the last step's;
//! - `REGISTRY/<name>:<key>.sif`: the environment's SIF, stored as Apptainer's `oras://`
//!   transport stores it (a finished image already holds the plain `<key>` tag).
//!
//! Plain HTTP is used only when asked for by name: a reference written `http://HOST…`, or
//! `--insecure` on the command line. Anything else is HTTPS with certificate checks; envc
//! never falls back from one to the other.

use std::fmt;

use oci_client::Reference;

use crate::plan::Key;
use crate::spec::Spec;
use crate::spec::model::RegistryRef;

use super::error::RegistryError;

/// The environment variable naming the cache registry (between the flag and the config).
pub const ENV_VARIABLE: &str = "ENVC_CACHE_REGISTRY";

/// A cache registry: host, repository prefix and scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    host: String,
    path: String,
    plain_http: bool,
}

impl Registry {
    /// The registry `reference` names; `insecure` asks for plain HTTP (refused for an
    /// explicit `https://`).
    pub fn new(reference: &RegistryRef, insecure: bool) -> Result<Registry, RegistryError> {
        if insecure && reference.is_explicit_https() {
            return Err(RegistryError::InsecureHttps {
                registry: reference.to_string(),
            });
        }
        Ok(Registry {
            host: reference.host().to_owned(),
            path: reference.path().to_owned(),
            plain_http: insecure || reference.is_plain_http(),
        })
    }

    /// The host with its port (`ghcr.io`, `127.0.0.1:5000`): what credentials are stored for.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn plain_http(&self) -> bool {
        self.plain_http
    }

    fn repository(&self, name: &str) -> String {
        if self.path.is_empty() {
            format!("{}/{name}", self.host)
        } else {
            format!("{}/{}/{name}", self.host, self.path)
        }
    }

    /// `REGISTRY/step:<key>`.
    pub fn step(&self, key: &Key) -> Reference {
        Reference::with_tag(self.host.clone(), self.repo_path("step"), key.hex())
    }

    /// `REGISTRY/<name>:<key>` for the local image name `envc/<name>`.
    pub fn image(&self, image_name: &str, key: &Key) -> Reference {
        Reference::with_tag(
            self.host.clone(),
            self.repo_path(short_name(image_name)),
            key.hex(),
        )
    }

    /// `REGISTRY/<name>:<key>.sif`.
    pub fn sif(&self, image_name: &str, key: &Key) -> Reference {
        Reference::with_tag(
            self.host.clone(),
            self.repo_path(short_name(image_name)),
            format!("{}.sif", key.hex()),
        )
    }

    fn repo_path(&self, name: &str) -> String {
        match self.path.as_str() {
            "" => name.to_owned(),
            path => format!("{path}/{name}"),
        }
    }

    /// A reference as people type it (`127.0.0.1:5000/envc/step:<key>`).
    pub fn show(reference: &Reference) -> String {
        reference.whole()
    }

    /// The repository `name` under this registry, as text (for messages).
    pub fn repository_text(&self, name: &str) -> String {
        self.repository(name)
    }
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.plain_http { "http://" } else { "" };
        match self.path.as_str() {
            "" => write!(f, "{scheme}{}", self.host),
            path => write!(f, "{scheme}{}/{path}", self.host),
        }
    }
}

/// `envc/<name>` → `<name>`.
fn short_name(image_name: &str) -> &str {
    image_name.strip_prefix("envc/").unwrap_or(image_name)
}

/// The cache registry of one run: `--cache-registry` (`flag`), else `ENVC_CACHE_REGISTRY`,
/// else the config's `cache.registry`; `None` when none is set.
pub fn resolve(
    flag: Option<&RegistryRef>,
    insecure: bool,
    spec: &Spec,
) -> Result<Option<Registry>, RegistryError> {
    let from_env = match std::env::var(ENV_VARIABLE) {
        Ok(value) if !value.trim().is_empty() => Some(RegistryRef::new(value.trim()).map_err(
            |invalid| RegistryError::BadSetting {
                variable: ENV_VARIABLE,
                message: invalid.message,
                help: invalid.help.unwrap_or_default(),
            },
        )?),
        _ => None,
    };
    let chosen = flag
        .cloned()
        .or(from_env)
        .or_else(|| spec.cache.registry.clone());
    chosen.map(|r| Registry::new(&r, insecure)).transpose()
}

/// [`resolve`], requiring a registry.
pub fn require(
    flag: Option<&RegistryRef>,
    insecure: bool,
    spec: &Spec,
) -> Result<Registry, RegistryError> {
    resolve(flag, insecure, spec)?.ok_or(RegistryError::NoRegistry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(text: &str, insecure: bool) -> Result<Registry, RegistryError> {
        Registry::new(&RegistryRef::new(text).unwrap(), insecure)
    }

    #[test]
    fn keys_map_to_full_tags_under_the_prefix() {
        let key = Key([0xab; 32]);
        let r = registry("http://127.0.0.1:5000/team/envc", false).unwrap();
        assert!(r.plain_http());
        assert_eq!(
            r.step(&key).whole(),
            format!("127.0.0.1:5000/team/envc/step:{}", key.hex())
        );
        assert_eq!(
            r.image("envc/demo-gpu", &key).whole(),
            format!("127.0.0.1:5000/team/envc/demo-gpu:{}", key.hex())
        );
        assert_eq!(
            r.sif("envc/demo", &key).tag(),
            Some(format!("{}.sif", key.hex()).as_str())
        );
        assert_eq!(r.to_string(), "http://127.0.0.1:5000/team/envc");
        let bare = registry("ghcr.io", false).unwrap();
        assert!(!bare.plain_http());
        assert_eq!(bare.step(&key).repository(), "step");
    }

    #[test]
    fn plain_http_is_only_what_was_asked_for() {
        assert!(!registry("registry.lan:5000/x", false).unwrap().plain_http());
        assert!(registry("registry.lan:5000/x", true).unwrap().plain_http());
        assert!(matches!(
            registry("https://registry.lan/x", true),
            Err(RegistryError::InsecureHttps { .. })
        ));
    }
}
