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
use crate::spec::LoadedSpec;

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
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            // A temporary file of its own: concurrent commands store at once (#15.7).
            .and_then(|()| {
                crate::content::write_atomically(
                    &path,
                    &serde_json::to_vec(self).unwrap_or_default(),
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
