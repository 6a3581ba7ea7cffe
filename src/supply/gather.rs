//! Reading, once, everything the supply-chain documents say: the plan and its lock entry,
//! the config and lock files' digests, the finished image (ID, rootfs digest, installed
//! packages) and SIF when built, and the start and end of the build from the events file.
//!
//! An environment that is not built still gets an SBOM of its lock (licenses then are
//! `NOASSERTION`); an engine that cannot be reached is treated as "not built", with a
//! warning, so that `envc sbom` works on a machine without Docker.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::build::rootfs_label::ROOTFS_LABEL;
use crate::engine::Engine;
use crate::lock::file::{LOCK_FILE, LockEntry, LockFile};
use crate::plan::manifest::{image_tag, step_tag};
use crate::plan::{Digest, LockPolicy, Plan, StepKind, plan_project};
use crate::spec::LoadedSpec;

use super::SupplyError;
use super::installed::{self, Reading};
use super::inventory::{Inventory, Observed, Subject};

/// The finished image, when built.
#[derive(Debug, Clone)]
pub struct BuiltImage {
    /// `envc/<name>:<short key>`.
    pub reference: String,
    /// `sha256:…`, the ID `docker inspect` shows.
    pub id: String,
    pub rootfs: Option<String>,
    /// SHA-256 (hex) of the cached SIF.
    pub sif_sha256: Option<String>,
}

/// One build of the finished image, from the events file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRun {
    pub id: String,
    /// Milliseconds since the epoch.
    pub started_ms: u64,
    pub finished_ms: u64,
}

/// A config or lock file with its digest.
#[derive(Debug, Clone)]
pub struct ProjectFile {
    /// Relative to the project root.
    pub name: String,
    pub sha256: Digest,
}

/// Everything the documents are made from.
#[derive(Debug, Clone)]
pub struct Gathered {
    pub plan: Plan,
    pub entry: LockEntry,
    /// The config's files (the config, then its project imports), in merge order.
    pub config_files: Vec<ProjectFile>,
    pub lock_file: ProjectFile,
    pub built: Option<BuiltImage>,
    pub observed: Observed,
    pub run: Option<BuildRun>,
}

impl Gathered {
    pub fn inventory(&self) -> Inventory {
        let subject = Subject {
            name: self.plan.image_name(),
            variant: self.plan.variant.clone(),
            key: self.plan.key(),
            platform: self.plan.platform.clone(),
            image_id: self.built.as_ref().map(|b| b.id.clone()),
            rootfs: self.built.as_ref().and_then(|b| b.rootfs.clone()),
            sif_sha256: self.built.as_ref().and_then(|b| b.sif_sha256.clone()),
        };
        Inventory::new(&self.plan, &self.entry, subject, &self.observed)
    }

    /// The time a document of this environment is dated: the end of the build that made the
    /// image (so regenerating gives the same bytes), else `SOURCE_DATE_EPOCH`, else now;
    /// and whether it is reproducible.
    pub fn timestamp(&self) -> (String, bool) {
        match (&self.run, &self.built) {
            (Some(run), Some(_)) => (super::time::rfc3339((run.finished_ms / 1000) as i64), true),
            _ => {
                let fixed = std::env::var_os("SOURCE_DATE_EPOCH").is_some();
                (
                    super::time::rfc3339(super::time::now_or_source_date()),
                    fixed,
                )
            }
        }
    }
}

/// The pip interpreter of a plan, when it installs Python distributions.
pub fn python_of(plan: &Plan) -> Option<&str> {
    plan.steps.iter().find_map(|s| match &s.kind {
        StepKind::Pip(p) => Some(p.python.as_str()),
        _ => None,
    })
}

/// Read the lock entry of `loaded` (fresh, or an input error), and what the engine knows
/// about its image. `licenses`: also read copyright files and Python metadata.
pub async fn gather(
    engine: Option<&Engine>,
    loaded: &LoadedSpec,
    licenses: bool,
) -> Result<Gathered, SupplyError> {
    let variant = loaded.variant.as_deref();
    let planned = plan_project(
        &loaded.spec,
        &loaded.project_root,
        variant,
        LockPolicy::Require,
    )?;
    let plan = planned.plan;
    let lock_path = loaded.project_root.join(LOCK_FILE);
    let lock = LockFile::read(&lock_path)?.unwrap_or_default();
    let entry = lock
        .entry(variant)
        .cloned()
        .ok_or_else(|| SupplyError::NoLockEntry {
            variant: variant.map(str::to_owned),
        })?;
    let lock_file = project_file(&loaded.project_root, &lock_path)?;
    let mut config_files = vec![project_file(&loaded.project_root, &loaded.config)?];
    for module in &loaded.modules {
        if let Some(path) = &module.path
            && path != &loaded.config
        {
            config_files.push(project_file(&loaded.project_root, path)?);
        }
    }
    let mut gathered = Gathered {
        run: last_run(&loaded.project_root.join(".envc"), &plan.key().hex()),
        plan,
        entry,
        config_files,
        lock_file,
        built: None,
        observed: Observed::default(),
    };
    let Some(engine) = engine else {
        return Ok(gathered);
    };
    let plan = &gathered.plan;
    let reference = image_tag(&plan.image_name(), &plan.key());
    let Some(image) = engine.find_image(&reference).await? else {
        return Ok(gathered);
    };
    let sif = crate::verify::sif_path(&plan.key());
    let sif_sha256 = match sif.is_file() {
        true => Some(file_sha256(&sif)?.hex()),
        false => None,
    };
    let reading = Reading {
        python: python_of(plan),
        licenses,
    };
    gathered.observed.image = installed::read(engine, &image.id, reading).await?;
    if let Some(base_image) = base_image(engine, plan, &gathered.entry).await? {
        let reading = Reading {
            python: None,
            licenses: false,
        };
        gathered.observed.base = installed::read(engine, &base_image, reading).await?;
    }
    gathered.built = Some(BuiltImage {
        reference,
        rootfs: image.labels.get(ROOTFS_LABEL).cloned(),
        id: image.id,
        sif_sha256,
    });
    Ok(gathered)
}

/// The image ID of the plan's base: its step image when the build made one (an imported
/// base), else the pinned image itself (a registry or local image is used as it is).
pub async fn base_image(
    engine: &Engine,
    plan: &Plan,
    entry: &LockEntry,
) -> Result<Option<String>, SupplyError> {
    if let Some(base) = plan.steps.first()
        && let Some(image) = engine.find_image(&step_tag(&base.key)).await?
    {
        return Ok(Some(image.id));
    }
    let Some(pinned) = entry.image.base.as_ref().and_then(|b| b.image_by_digest()) else {
        return Ok(None);
    };
    Ok(engine.find_image(&pinned).await?.map(|image| image.id))
}

fn project_file(root: &Path, path: &Path) -> Result<ProjectFile, SupplyError> {
    let name = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned();
    Ok(ProjectFile {
        name,
        sha256: file_sha256(path)?,
    })
}

/// The SHA-256 of a file, streamed.
pub fn file_sha256(path: &Path) -> Result<Digest, SupplyError> {
    use sha2::{Digest as _, Sha256};
    let read = |source| SupplyError::Read {
        path: PathBuf::from(path),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(read)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(read)?;
    Ok(Digest(hasher.finalize().into()))
}

/// The last build that finished with the image of `key` (hex), from the project's events
/// (`events.jsonl.1`, then `events.jsonl`); `None` when there is none.
pub fn last_run(state: &Path, key: &str) -> Option<BuildRun> {
    let mut lines = Vec::new();
    for name in ["events.jsonl.1", "events.jsonl"] {
        if let Ok(text) = std::fs::read_to_string(state.join(name)) {
            lines.extend(
                text.lines()
                    .filter_map(|l| serde_json::from_str::<Value>(l).ok()),
            );
        }
    }
    // The build that made the image (the last one that ran a step): a later build that
    // found everything cached does not change the documents' dates.
    let done_for_key = |e: &&Value| {
        e["event"] == "done" && e["key"].as_str() == Some(key) && e["build"].is_string()
    };
    let done = lines
        .iter()
        .rev()
        .filter(done_for_key)
        .find(|e| e["executed"].as_u64().is_some_and(|n| n > 0))
        .or_else(|| lines.iter().find(done_for_key))?;
    let id = done["build"].as_str()?.to_owned();
    let finished_ms = done["time_ms"].as_u64()?;
    let started_ms = lines
        .iter()
        .filter(|e| e["build"].as_str() == Some(&id))
        .filter_map(|e| e["time_ms"].as_u64())
        .min()
        .unwrap_or(finished_ms);
    Some(BuildRun {
        id,
        started_ms,
        finished_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_build_that_made_the_image_gives_start_and_finish() {
        let dir = tempfile::tempdir().unwrap();
        let lines = [
            r#"{"event":"plan","build":"1-1","time_ms":1000}"#,
            r#"{"event":"done","build":"1-1","key":"aa","time_ms":2000}"#,
            "not json",
            r#"{"event":"plan","build":"2-2","time_ms":5000}"#,
            r#"{"event":"step_start","build":"2-2","time_ms":5100}"#,
            r#"{"event":"done","build":"2-2","key":"aa","executed":1,"time_ms":7000}"#,
            r#"{"event":"done","build":"3-3","key":"bb","time_ms":9000}"#,
            r#"{"event":"done","build":"4-4","key":"aa","executed":0,"time_ms":9500}"#,
        ];
        std::fs::write(dir.path().join("events.jsonl"), lines.join("\n")).unwrap();
        let run = last_run(dir.path(), "aa").unwrap();
        assert_eq!(
            run,
            BuildRun {
                id: "2-2".into(),
                started_ms: 5000,
                finished_ms: 7000
            }
        );
        assert_eq!(last_run(dir.path(), "cc"), None);
    }
}
