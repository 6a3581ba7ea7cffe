//! Planning a project on disk: read its lock, decide whether the pins still fit, digest the
//! files its steps read (with the stat cache) and build the plan.
//!
//! This is the one entry point commands use (`envc plan`, `emit`, `audit`, `build`), so that
//! they agree on how a lock is used: a fresh lock's pins are always used; a stale or missing
//! lock is either refused (builds) or reported and planned without pins (inspection
//! commands), depending on [`LockPolicy`].

use std::path::Path;

use super::planner::{Plan, PlanError, plan};
use super::tree::{ProjectFiles, TreeError};
use crate::lock::file::{Freshness, LOCK_FILE, LockFile, LockFileError, freshness};
use crate::spec::Spec;

/// What to do when the lock is missing or stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockPolicy {
    /// Plan without pins and say so (inspection: `plan`, `emit`, `audit`).
    UnpinnedIfStale,
    /// Refuse (builds): a stale lock is an input error.
    Require,
}

/// A plan and how it came about.
#[derive(Debug)]
pub struct Planned {
    pub plan: Plan,
    /// Whether the lock fit the spec; pins are used only when `Fresh`.
    pub lock: Freshness,
    /// Project files whose content was read in this run (stat cache misses).
    pub files_hashed: usize,
}

/// Why a project cannot be planned.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ProjectPlanError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lock(#[from] LockFileError),
    #[error("`envc.lock` is missing{}", variant_note(.variant))]
    #[diagnostic(help("run `envc lock` to resolve and pin the inputs"))]
    LockMissing { variant: Option<String> },
    #[error("`envc.lock` is stale{}: {}", variant_note(.variant), .changes.join("; "))]
    #[diagnostic(help("run `envc lock` to update it"))]
    LockStale {
        variant: Option<String>,
        changes: Vec<String>,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] PlanError),
    #[error("cannot open the project")]
    Project(#[source] TreeError),
}

fn variant_note(variant: &Option<String>) -> String {
    variant
        .as_ref()
        .map(|v| format!(" for variant `{v}`"))
        .unwrap_or_default()
}

/// [`plan_project`] of a loaded config: its spec, project root and variant.
pub fn plan_loaded(
    loaded: &crate::spec::LoadedSpec,
    policy: LockPolicy,
) -> Result<Planned, ProjectPlanError> {
    plan_project(
        &loaded.spec,
        &loaded.project_root,
        loaded.variant.as_deref(),
        policy,
    )
}

/// Plan `spec` (loaded from the project at `root`, with `variant` applied).
pub fn plan_project(
    spec: &Spec,
    root: &Path,
    variant: Option<&str>,
    policy: LockPolicy,
) -> Result<Planned, ProjectPlanError> {
    // Counted by tests: a command plans once (`-vv` shows it).
    tracing::debug!(variant = variant.unwrap_or("-"), "planning the project");
    let lock = LockFile::read(&root.join(LOCK_FILE))?;
    let state = freshness(lock.as_ref(), spec, variant);
    match (&state, policy) {
        (Freshness::Missing, LockPolicy::Require) => {
            return Err(ProjectPlanError::LockMissing {
                variant: variant.map(str::to_owned),
            });
        }
        (Freshness::Stale(changes), LockPolicy::Require) => {
            return Err(ProjectPlanError::LockStale {
                variant: variant.map(str::to_owned),
                changes: changes.clone(),
            });
        }
        _ => {}
    }
    let entry = match state {
        Freshness::Fresh => lock.as_ref().and_then(|l| l.entry(variant)),
        _ => None,
    };
    let mut files = ProjectFiles::open(root).map_err(ProjectPlanError::Project)?;
    let plan = plan(spec, entry, &mut files, variant)?;
    if let Err(e) = files.save_cache() {
        tracing::warn!("cannot write the stat cache under `.envc/`: {e}");
    }
    Ok(Planned {
        plan,
        lock: state,
        files_hashed: files.files_hashed,
    })
}
