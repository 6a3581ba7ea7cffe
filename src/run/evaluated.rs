//! The evaluated run manifest, cached under `.envc/run/` and keyed by the digests of the
//! config files it came from (every module file and `envc.lock`).
//!
//! `envc run` with the environment up must cost no more than `docker exec`: evaluating the
//! config and planning on every call would dominate, so the fast path reads this file and
//! hashes a few small files instead. `envc up` always evaluates afresh and rewrites it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::plan::RunManifest;
use crate::run::env_plan::EnvPlan;
use crate::spec::LoadedSpec;
use crate::state_dir::Audience;

const VERSION: u32 = 1;

/// One file the evaluation read, by content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    pub path: PathBuf,
    /// SHA-256 of the content; `absent` for a file that did not exist (such as a lock).
    pub sha256: String,
}

/// What the fast path needs from an evaluation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evaluated {
    pub version: u32,
    pub config: PathBuf,
    pub inputs: Vec<Input>,
    pub manifest: RunManifest,
    /// `build.sudo`: the mapped user gets password-less sudo.
    pub sudo: bool,
    /// The Engine API version last negotiated, to skip negotiating on the fast path.
    #[serde(default)]
    pub api_version: Option<(usize, usize)>,
}

/// `.envc/run/<variant or default>.json` under the project root.
pub fn cache_path(root: &Path, variant: Option<&str>) -> PathBuf {
    root.join(".envc")
        .join("run")
        .join(format!("{}.json", variant.unwrap_or("default")))
}

fn digest(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(bytes) => hex::encode(Sha256::digest(bytes)),
        Err(_) => "absent".into(),
    }
}

impl Evaluated {
    /// Make the cache entry of a fresh evaluation.
    pub fn new(loaded: &LoadedSpec, manifest: RunManifest) -> Evaluated {
        let mut paths: Vec<PathBuf> = loaded
            .modules
            .iter()
            .filter_map(|m| m.path.clone())
            .collect();
        paths.push(loaded.config.clone());
        paths.push(loaded.project_root.join(crate::lock::file::LOCK_FILE));
        paths.sort();
        paths.dedup();
        Evaluated {
            version: VERSION,
            config: loaded.config.clone(),
            inputs: paths
                .into_iter()
                .map(|path| Input {
                    sha256: digest(&path),
                    path,
                })
                .collect(),
            manifest,
            sudo: loaded.spec.build.sudo,
            api_version: None,
        }
    }

    /// The cached evaluation of `config`, when every input still has the same content.
    pub fn load(root: &Path, config: &Path, variant: Option<&str>) -> Option<Evaluated> {
        let bytes = std::fs::read(cache_path(root, variant)).ok()?;
        let cached: Evaluated = serde_json::from_slice(&bytes).ok()?;
        let fresh = cached.version == VERSION
            && cached.config == config
            && cached.manifest.variant.as_deref() == variant
            && cached.inputs.iter().all(|i| digest(&i.path) == i.sha256);
        fresh.then_some(cached)
    }

    /// Write the cache entry (best effort: a read-only project just stays uncached).
    pub fn store(&self, root: &Path, variant: Option<&str>) {
        let path = cache_path(root, variant);
        let written = crate::state_dir::ensure_parent(&path).and_then(|()| {
            crate::state_dir::write_atomically(
                &path,
                &serde_json::to_vec(self).unwrap_or_default(),
                Audience::Private,
            )
        });
        if let Err(e) = written {
            tracing::debug!(
                "cannot cache the evaluated manifest at `{}`: {e}",
                path.display()
            );
        }
    }
}

/// What `up` started, for explaining a later recreate: `.envc/run/<variant>.up.json`.
pub fn up_record_path(root: &Path, variant: Option<&str>) -> PathBuf {
    root.join(".envc")
        .join("run")
        .join(format!("{}.up.json", variant.unwrap_or("default")))
}

/// The up record of `plan`, started as `container`: the container's ID, its hash and the
/// plan as JSON with every environment value that came from the host left out. It is
/// written only once the start (user setup and every post-start command) succeeded, so an
/// environment whose record does not name its container never finished starting (envc was
/// killed during post-start) and is not current. Host values (proxy URLs with passwords,
/// `pass_env`, `{env:X}` results) must not reach the disk; the names are kept, so that
/// "`env` changed" still shows when a variable is added or dropped or a value from the
/// config changes, and the hash tells that something changed.
pub fn up_record(plan: &EnvPlan, container: &str) -> serde_json::Value {
    serde_json::json!({
        "container": container,
        "hash": plan.hash(),
        "plan": recorded_plan(plan),
    })
}

/// Whether the up record at `path` says the start of `container` finished.
pub fn start_finished(path: &Path, container: &str) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|record| record["container"].as_str() == Some(container))
}

/// The plan as the up record holds it (see [`up_record`]).
pub fn recorded_plan(plan: &EnvPlan) -> serde_json::Value {
    let host: Vec<String> = std::env::vars_os()
        .filter_map(|(_, v)| v.into_string().ok())
        .filter(|v| v.len() >= 4)
        .collect();
    let mut value = serde_json::to_value(plan).unwrap_or_default();
    let mut secrets = Vec::new();
    redact_env(&mut value, &host, &mut secrets);
    // A value may also have been spliced into another string (`{env:TOKEN}` in a command).
    scrub(&mut value, &secrets);
    value
}

/// In every `env` object (the environment's and each service's), replace by `null` each
/// value holding a value of the host's environment, collecting those host values.
fn redact_env(value: &mut serde_json::Value, host: &[String], secrets: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if key == "env"
                    && let serde_json::Value::Object(vars) = inner
                {
                    for v in vars.values_mut() {
                        let Some(text) = v.as_str() else { continue };
                        let from_host: Vec<&String> =
                            host.iter().filter(|h| text.contains(h.as_str())).collect();
                        if !from_host.is_empty() {
                            secrets.extend(from_host.into_iter().cloned());
                            *v = serde_json::Value::Null;
                        }
                    }
                } else {
                    redact_env(inner, host, secrets);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                redact_env(item, host, secrets);
            }
        }
        _ => {}
    }
}

fn scrub(value: &mut serde_json::Value, secrets: &[String]) {
    match value {
        serde_json::Value::String(s) => {
            for secret in secrets {
                if s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), "<from the environment>");
                }
            }
        }
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| scrub(v, secrets)),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, secrets)),
        _ => {}
    }
}

/// Write the up record of `plan` to `path`, 0600: it names host paths and the user.
pub fn store_up_record(path: &Path, plan: &EnvPlan, container: &str) {
    let bytes = serde_json::to_vec_pretty(&up_record(plan, container)).unwrap_or_default();
    if let Err(e) = crate::state_dir::write_atomically(path, &bytes, Audience::Private) {
        tracing::debug!("cannot write `{}`: {e}", path.display());
    }
}

/// The top-level fields of `plan` that differ from a stored up record's plan.
pub fn changed_since(plan: &EnvPlan, old_plan: &serde_json::Value) -> Vec<String> {
    let new = recorded_plan(plan);
    let (Some(new), Some(old)) = (new.as_object(), old_plan.as_object()) else {
        return vec!["the whole configuration".into()];
    };
    new.iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}
