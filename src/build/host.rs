//! Build-only material: what the host lends to build containers and nothing else.
//!
//! The host CA bundle, proxy variables, build secrets and package caches help a step run
//! on this machine; none of them describes the image. So they never enter a key and never
//! reach a committed image:
//!
//! - files (CA bundle, secrets) are bind-mounted read-only under [`MOUNT_DIR`], inside the
//!   container's `/dev` tmpfs (where, see `crate::plan::contract::build_only`);
//! - variables (proxies) go to the exec that runs the step, never the container's config,
//!   which the engine copies into the image it commits (see `super::step_process`);
//! - caches are named volumes ([`cache_volume`]), mounted for the step.
//!
//! The paths and variable names are the step contract's (`crate::plan::contract`), which
//! the emitted Dockerfile and `.def` use too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::host::find_ca_bundle;
use crate::spec::model::BuildHost;

use super::error::BuildError;

pub use crate::plan::contract::{
    CA_PATH, CA_VARIABLES, MOUNT_DIR, PIP_CACHE, PROXY_VARIABLES, SECRETS_DIR, cache_volume,
};

/// A build secret: a host file mounted read-only at `/dev/envc/secrets/<id>` during steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub id: String,
    pub path: PathBuf,
}

impl Secret {
    /// Parse `ID=PATH` (the `--secret` flag).
    pub fn parse(text: &str) -> Result<Secret, String> {
        let (id, path) = text
            .split_once('=')
            .ok_or_else(|| format!("expected `ID=PATH`, found `{text}`"))?;
        let valid = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !valid {
            return Err(format!(
                "secret id `{id}` must be letters, digits, `-`, `_` or `.`"
            ));
        }
        Ok(Secret {
            id: id.into(),
            path: PathBuf::from(path),
        })
    }
}

/// What the host lends to every build step of one build.
#[derive(Debug, Clone, Default)]
pub struct HostMaterial {
    /// The host CA bundle (absolute, resolved), when lent.
    pub ca_bundle: Option<PathBuf>,
    /// Proxy variables and their values, when passed through.
    pub proxy: BTreeMap<String, String>,
    /// Secrets (absolute paths).
    pub secrets: Vec<Secret>,
}

impl HostMaterial {
    /// Collect the material `settings` asks for from this host.
    pub fn collect(settings: &BuildHost, secrets: &[Secret]) -> Result<HostMaterial, BuildError> {
        let ca_bundle = if settings.ca_certificates {
            Some(find_ca_bundle().ok_or(BuildError::NoCaBundle)?)
        } else {
            None
        };
        let proxy = if settings.proxy {
            PROXY_VARIABLES
                .iter()
                .filter_map(|name| {
                    std::env::var(name)
                        .ok()
                        .filter(|v| !v.is_empty())
                        .map(|v| ((*name).to_owned(), v))
                })
                .collect()
        } else {
            BTreeMap::new()
        };
        let mut resolved = Vec::new();
        for secret in secrets {
            let path =
                std::fs::canonicalize(&secret.path).map_err(|source| BuildError::Secret {
                    id: secret.id.clone(),
                    path: secret.path.clone(),
                    source,
                })?;
            std::fs::File::open(&path).map_err(|source| BuildError::Secret {
                id: secret.id.clone(),
                path: path.clone(),
                source,
            })?;
            resolved.push(Secret {
                id: secret.id.clone(),
                path,
            });
        }
        Ok(HostMaterial {
            ca_bundle,
            proxy,
            secrets: resolved,
        })
    }

    /// `host:container:ro` binds for the files lent to a step.
    pub fn binds(&self) -> Vec<String> {
        self.binds_for(true, true)
    }

    /// The binds for a step: the CA bundle when `ca` (steps without the network do not get
    /// it), the secrets when `secrets`.
    pub fn binds_for(&self, ca: bool, secrets: bool) -> Vec<String> {
        let mut binds = Vec::new();
        if let Some(bundle) = self.ca_bundle.as_ref().filter(|_| ca) {
            binds.push(format!("{}:{CA_PATH}:ro", bundle.display()));
        }
        for secret in self.secrets.iter().filter(|_| secrets) {
            binds.push(format!(
                "{}:{SECRETS_DIR}/{}:ro",
                secret.path.display(),
                secret.id
            ));
        }
        binds
    }

    /// The build-only variables of a step: the CA variables and the proxies, for steps with
    /// the network (passed to the step's exec, never the container's `Env`).
    pub fn variables(&self, network: bool) -> BTreeMap<String, String> {
        let mut vars = BTreeMap::new();
        if network {
            if self.ca_bundle.is_some() {
                for name in CA_VARIABLES {
                    vars.insert((*name).to_owned(), CA_PATH.to_owned());
                }
            }
            vars.extend(self.proxy.clone());
        }
        vars
    }
}

/// Whether `path` is a plausible place for a cache mount (absolute, not `/`).
pub fn valid_cache_target(path: &Path) -> bool {
    path.is_absolute() && path != Path::new("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Key;

    #[test]
    fn secrets_parse_id_and_path() {
        assert_eq!(
            Secret::parse("token=/tmp/t").unwrap(),
            Secret {
                id: "token".into(),
                path: "/tmp/t".into()
            }
        );
        assert!(Secret::parse("token").is_err());
        assert!(Secret::parse("a/b=/x").is_err());
        assert!(Secret::parse("=/x").is_err());
    }

    #[test]
    fn cache_volumes_are_keyed_by_base_and_name() {
        let a = Key([1; 32]);
        let b = Key([2; 32]);
        assert_ne!(cache_volume(&a, "apt"), cache_volume(&b, "apt"));
        assert_ne!(cache_volume(&a, "apt"), cache_volume(&a, "pip"));
        assert_eq!(
            cache_volume(&a, "x/y"),
            format!("envc-cache-{}-x_y", a.short())
        );
    }

    #[test]
    fn build_only_variables_only_for_network_steps() {
        let material = HostMaterial {
            ca_bundle: Some("/etc/ssl/certs/ca-certificates.crt".into()),
            ..Default::default()
        };
        assert_eq!(material.variables(true)["PIP_CERT"], CA_PATH);
        assert!(material.variables(false).is_empty());
        assert_eq!(
            material.binds(),
            vec![format!("/etc/ssl/certs/ca-certificates.crt:{CA_PATH}:ro")]
        );
    }
}
