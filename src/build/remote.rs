//! The second level of the step cache: the cache registry, asked after the engine and
//! before running a step.
//!
//! The steps the engine does not have are probed all at once (one HEAD each); only the
//! deepest step found is pulled, since its image holds every step before it. The pulled
//! image is verified before it gets its `envc/step:<key>` tag ([`crate::registry::pull`]):
//! an entry that is not what its key says is refused, reported, and the next deepest entry
//! is tried, then building. A registry that cannot be reached or refuses the credentials
//! never fails a build: it is reported and the build goes on without it, as BuildKit does
//! with a cache it cannot import.

use std::time::Instant;

use crate::engine::Engine;
use crate::plan::Step;
use crate::plan::step::{BaseStep, StepKind};
use crate::registry::pull::{PullResult, pull_image};
use crate::registry::{Registry, RegistryClient, RegistryError, probe};

use super::cache::{self, Tags};
use super::error::BuildError;
use super::events::{Event, EventLog};
use super::key_lock::KeyLock;
use super::progress::Progress;

/// The deepest step found in the registry and pulled.
pub struct RemoteHit {
    /// The index of the first step still to build.
    pub start: usize,
    /// The pulled image's ID.
    pub id: String,
}

/// Where the build reports to.
pub struct Reporting<'a> {
    pub progress: &'a mut Progress,
    pub log: &'a mut EventLog,
}

/// Pull the deepest of `steps[from..]` that `registry` has (tagged under `tags`, with
/// `finished` as the finished image's tag when it is the last step); `None` when none is
/// usable.
pub async fn pull_deepest(
    engine: &Engine,
    registry: &Registry,
    steps: &[Step],
    from: usize,
    tags: &Tags,
    finished: &str,
    report: Reporting<'_>,
) -> Result<Option<RemoteHit>, BuildError> {
    let candidates: Vec<&Step> = steps[from..]
        .iter()
        .filter(|s| !matches!(s.kind, StepKind::Base(BaseStep::Image { .. })))
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    match try_pull(
        engine,
        registry,
        &candidates,
        steps,
        tags,
        finished,
        report.progress,
        report.log,
    )
    .await
    {
        Ok(hit) => Ok(hit),
        Err(Unusable::Build(e)) => Err(e),
        Err(Unusable::Registry(e)) => {
            let message = crate::error_chain::error_chain(&e);
            report.progress.warn(&format!(
                "the cache registry `{registry}` cannot be used, building without it: {message}"
            ));
            report.log.emit(Event::RegistryUnavailable {
                registry: registry.to_string(),
                message,
            });
            Ok(None)
        }
    }
}

enum Unusable {
    Registry(RegistryError),
    Build(BuildError),
}

impl From<RegistryError> for Unusable {
    fn from(e: RegistryError) -> Self {
        match e {
            RegistryError::Engine(e) => Unusable::Build(e.into()),
            other => Unusable::Registry(other),
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn try_pull(
    engine: &Engine,
    registry: &Registry,
    candidates: &[&Step],
    steps: &[Step],
    tags: &Tags,
    finished: &str,
    progress: &mut Progress,
    log: &mut EventLog,
) -> Result<Option<RemoteHit>, Unusable> {
    let client = RegistryClient::connect(registry)?;
    let references: Vec<_> = candidates.iter().map(|s| registry.step(&s.key)).collect();
    let probed = probe::probe(&client, &references).await?;
    progress.note(&format!(
        "cache registry `{registry}`: {} of {} steps found in {} ms",
        probed.hits(),
        candidates.len(),
        probed.took.as_millis()
    ));
    log.emit(Event::RegistryProbe {
        registry: registry.to_string(),
        probed: candidates.len(),
        found: probed.hits(),
        duration_ms: probed.took.as_millis(),
    });
    let last = steps.last().map(|s| s.key);
    for (step, reference) in candidates
        .iter()
        .zip(&references)
        .zip(&probed.found)
        .rev()
        .filter_map(|((s, r), found)| found.as_ref().map(|_| (*s, r)))
    {
        let lock = KeyLock::acquire(&step.key, || {
            progress.waiting(step.index, &step.label);
        })
        .await
        .map_err(Unusable::Build)?;
        // Another envc may have pulled or built it while we waited.
        if let Some(image) = cache::lookup_in(engine, tags, &step.key)
            .await
            .map_err(|e| Unusable::Build(e.into()))?
        {
            drop(lock);
            return Ok(Some(RemoteHit {
                start: step.index + 1,
                id: image.id,
            }));
        }
        let mut names = vec![tags.step(&step.key)];
        if Some(step.key) == last {
            names.push(finished.to_owned());
        }
        let shown = Registry::show(reference);
        progress.note(&format!(
            "[{}/{}] {}: pulling `{shown}`",
            step.index + 1,
            steps.len(),
            step.label
        ));
        let began = Instant::now();
        match pull_image(&client, engine, reference, &step.key, &names).await? {
            PullResult::Pulled(pulled) => {
                let took = began.elapsed();
                progress.note(&format!(
                    "[{}/{}] {}: pulled {:.1} MiB in {:.1}s, files match {}",
                    step.index + 1,
                    steps.len(),
                    step.label,
                    pulled.bytes as f64 / (1024.0 * 1024.0),
                    took.as_secs_f64(),
                    pulled.rootfs
                ));
                log.emit(Event::RegistryPull {
                    index: step.index,
                    key: step.key.hex(),
                    reference: shown,
                    bytes: pulled.bytes,
                    rootfs: pulled.rootfs,
                    duration_ms: took.as_millis(),
                });
                drop(lock);
                return Ok(Some(RemoteHit {
                    start: step.index + 1,
                    id: pulled.id,
                }));
            }
            PullResult::Refused(refusal) => {
                progress.warn(&format!(
                    "refused the cache registry's {refusal}; not using it"
                ));
                log.emit(Event::RegistryRefused {
                    index: step.index,
                    key: step.key.hex(),
                    reference: refusal.reference,
                    reason: refusal.reason,
                });
            }
        }
    }
    Ok(None)
}
