//! Evaluation off the main loop: the server hands a config and the editor's texts to one
//! worker thread and goes on answering requests; the result comes back tagged with the
//! generation it was asked for, and a result older than the newest request for its config is
//! never published.
//!
//! Requests that pile up while one evaluation runs are coalesced: only the newest per config
//! is evaluated. Each module's evaluation has a step budget, so a hostile file (an
//! exponential function, an endless fold) ends in a diagnostic instead of a hung server.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Receiver, Sender};

use super::diagnostics::{self, ByFile};
use crate::lang::io::Overlay;
use crate::spec::{self, LoadedSpec};

/// The memory ceiling of one request's evaluation: a hostile buffer gets a diagnostic,
/// never an editor whose language server took the machine's memory.
pub const MEMORY_BUDGET: u64 = 512 << 20;

/// Evaluation steps allowed per module per request.
pub const STEP_BUDGET: u64 = 20_000_000;

/// One evaluation to do.
pub struct Job {
    pub generation: u64,
    pub config: PathBuf,
    pub overlay: Overlay,
}

/// What one evaluation found.
pub struct Outcome {
    pub generation: u64,
    pub config: PathBuf,
    pub diagnostics: ByFile,
    /// The loaded config when it checked (for hover and go-to-definition).
    pub loaded: Option<Box<LoadedSpec>>,
}

/// The handle the main loop keeps.
pub struct Worker {
    jobs: Sender<Job>,
    pub results: Receiver<Outcome>,
    latest: Arc<Mutex<HashMap<PathBuf, u64>>>,
    next: u64,
}

impl Worker {
    pub fn start() -> Self {
        let (jobs, job_rx) = crossbeam_channel::unbounded::<Job>();
        let (result_tx, results) = crossbeam_channel::unbounded();
        let latest = Arc::new(Mutex::new(HashMap::new()));
        let seen = latest.clone();
        std::thread::Builder::new()
            .name("envc-lsp-eval".into())
            .spawn(move || work(&job_rx, &result_tx, &seen))
            .expect("cannot start the evaluation thread");
        Worker {
            jobs,
            results,
            latest,
            next: 0,
        }
    }

    /// Ask for `config` to be evaluated with `overlay`; a newer ask makes this one stale.
    pub fn request(&mut self, config: PathBuf, overlay: Overlay) {
        self.next += 1;
        let generation = self.next;
        lock(&self.latest).insert(config.clone(), generation);
        let _ = self.jobs.send(Job {
            generation,
            config,
            overlay,
        });
    }

    /// Whether `outcome` answers the newest request for its config.
    pub fn is_current(&self, outcome: &Outcome) -> bool {
        is_latest(&self.latest, &outcome.config, outcome.generation)
    }
}

fn lock(m: &Mutex<HashMap<PathBuf, u64>>) -> std::sync::MutexGuard<'_, HashMap<PathBuf, u64>> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn is_latest(latest: &Mutex<HashMap<PathBuf, u64>>, config: &PathBuf, generation: u64) -> bool {
    lock(latest).get(config) == Some(&generation)
}

fn work(jobs: &Receiver<Job>, results: &Sender<Outcome>, latest: &Mutex<HashMap<PathBuf, u64>>) {
    while let Ok(first) = jobs.recv() {
        let mut pending: BTreeMap<PathBuf, Job> = BTreeMap::new();
        for job in std::iter::once(first).chain(jobs.try_iter()) {
            pending.insert(job.config.clone(), job);
        }
        for (_, job) in pending {
            if !is_latest(latest, &job.config, job.generation) {
                continue;
            }
            let outcome = evaluate(job);
            if !is_latest(latest, &outcome.config, outcome.generation) {
                continue;
            }
            if results.send(outcome).is_err() {
                return;
            }
        }
    }
}

/// Load the config as `envc check` does (every variant too) and collect the diagnostics.
pub fn evaluate(job: Job) -> Outcome {
    let opts = spec::load::LoadOptions {
        overlay: job.overlay,
        max_steps: Some(STEP_BUDGET),
        max_memory: Some(MEMORY_BUDGET),
    };
    let result = spec::load::load_with(&job.config, None, &opts).and_then(|loaded| {
        for name in loaded.spec.variants.keys() {
            spec::load::load_with(&job.config, Some(name.as_str()), &opts)?;
        }
        Ok(loaded)
    });
    let (diagnostics, loaded) = match result {
        Ok(loaded) => (ByFile::new(), Some(Box::new(loaded))),
        Err(error) => (diagnostics::from_error(&error, &job.config), None),
    };
    Outcome {
        generation: job.generation,
        config: job.config,
        diagnostics,
        loaded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_result_is_stale_once_a_newer_one_is_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("envc.nix");
        let overlay = |text: &str| -> Overlay {
            Arc::new(BTreeMap::from([(config.clone(), Arc::from(text))]))
        };
        let mut worker = Worker::start();
        // The old text has an error, the new one none: only the new outcome may be published.
        let old = evaluate(Job {
            generation: 1,
            config: config.clone(),
            overlay: overlay("{ name = ; }"),
        });
        assert!(!old.diagnostics.is_empty());
        worker.request(
            config.clone(),
            overlay("{ name = \"a\"; base.image = \"debian:bookworm\"; }"),
        );
        worker.request(
            config.clone(),
            overlay("{ name = \"b\"; base.image = \"debian:bookworm\"; }"),
        );
        assert!(!worker.is_current(&old));
        // The second request may have been evaluated before the third arrived: the main loop
        // drops such an outcome with `is_current`, as here.
        let outcome = loop {
            let outcome = worker
                .results
                .recv_timeout(std::time::Duration::from_secs(120))
                .expect("an outcome");
            if worker.is_current(&outcome) {
                break outcome;
            }
            assert_eq!(outcome.generation, 1, "only the first request can be stale");
        };
        assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        assert_eq!(outcome.loaded.unwrap().spec.name.as_str(), "b");
    }
}
