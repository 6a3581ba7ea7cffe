//! The step executor: a plan's steps run one container each, committed and tagged by key.
//!
//! A build starts after the longest prefix of steps whose images are cached (found from
//! the end: the first hit going backwards is the longest prefix, and for an unchanged config
//! that is a single lookup). Each remaining step runs in a fresh container created from the
//! previous step's image; its result is committed and tagged only after it succeeded, under
//! a per-key lock so that two envc processes never build the same step. Containers are
//! removed on success, on failure and on Ctrl-C (their guards see to the last two).
//!
//! What a shell-like step runs is the step contract's (`crate::plan::contract`), the same
//! commands the emitted Dockerfile and `.def` hold; [`super::step_process`] says how it
//! runs here: as an exec in an idle container, so that no build-only value is in the
//! config the engine records in the committed image.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use bollard::models::{HostConfig, ImageConfig, Mount, MountType};
use futures_util::StreamExt;
use serde_json::json;

use crate::engine::{CommitSpec, ContainerSpec, Engine, LogChunk, VolumeSpec};
use crate::plan::contract::{self, Runner, ShellStep};
use crate::plan::step::{BaseStep, FileContent, FileStep, StepKind};
use crate::plan::{Key, Plan, ServiceImage, Step};
use crate::spec::Spec;

use super::cache::{self, Tags, image_tag, step_labels};
use super::commit_config;
use super::download_cache;
use super::error::BuildError;
use super::events::{Event, EventLog};
use super::file_tar;
use super::host::{HostMaterial, Secret};
use super::key_lock::KeyLock;
use super::progress::{Progress, ProgressMode};
use super::step_process::step_process;
use super::tail::Tail;

/// How many output lines a failure message shows.
const TAIL_LINES: usize = 25;

/// How to build: the settings `envc build` (and `envc up`) pass in.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Ignore cached steps (the base image is still reused).
    pub no_cache: bool,
    pub progress: ProgressMode,
    /// The events file (`None`: no events).
    pub events: Option<PathBuf>,
    /// The status file (`None`: no status).
    pub status: Option<PathBuf>,
    /// Build secrets lent to every step.
    pub secrets: Vec<Secret>,
    /// Where to tag the step and finished images (default: envc's cache). Bases are still
    /// looked up in, and bases that must be built tagged in, envc's cache.
    pub tags: Tags,
    /// The cache registry asked for the steps the engine does not have (see [`super::remote`]).
    pub registry: Option<crate::registry::Registry>,
}

impl BuildOptions {
    /// The default events and status files of a project: `.envc/events.jsonl` and
    /// `.envc/status.json` under its root.
    pub fn with_project_defaults(mut self, project_root: &Path) -> Self {
        let state = project_root.join(".envc");
        self.events
            .get_or_insert_with(|| state.join("events.jsonl"));
        self.status.get_or_insert_with(|| state.join("status.json"));
        self
    }
}

/// A finished image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltImage {
    /// `envc/<name>[-<variant>]:<short key>`.
    pub reference: String,
    pub key: Key,
    /// The engine's image ID.
    pub id: String,
    /// Steps run in this build.
    pub executed: usize,
    /// Steps taken from the cache.
    pub cached: usize,
}

/// The result of a build: the main image and every built service image, by service name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub image: BuiltImage,
    pub services: BTreeMap<String, BuiltImage>,
}

/// The finished image of `plan` if it is in the cache, without building anything.
pub async fn find_built(engine: &Engine, plan: &Plan) -> Result<Option<BuiltImage>, BuildError> {
    let key = plan.key();
    let reference = image_tag(&plan.image_name(), &key);
    match engine.find_image(&reference).await? {
        Some(image) if cache::labels_match(&image.labels, &key) => Ok(Some(BuiltImage {
            reference,
            key,
            id: image.id,
            executed: 0,
            cached: plan.steps.len(),
        })),
        _ => Ok(None),
    }
}

/// Build `plan` (made from `spec`, whose project is at `project_root`) and its service
/// images, reusing every cached step.
pub async fn build(
    engine: &Engine,
    spec: &Spec,
    plan: &Plan,
    project_root: &Path,
    options: &BuildOptions,
) -> Result<Built, BuildError> {
    crate::engine::interrupt::install();
    // What a killed envc left (step containers) goes before this build starts its own.
    if let Err(e) = crate::leftovers::reap_containers(engine).await {
        tracing::warn!("cannot look for containers an interrupted envc left: {e}");
    }
    let started = Instant::now();
    let mut run = Run {
        engine,
        project_root,
        no_cache: options.no_cache,
        tags: options.tags.clone(),
        host: HostMaterial::collect(&spec.build_host, &options.secrets)?,
        runner: Runner::docker(&spec.build_host),
        log: EventLog::open(options.events.as_deref(), options.status.as_deref()),
        progress: Progress::new(options.progress),
        counter: 0,
        platform: plan.platform.clone(),
        registry: options.registry.clone(),
    };
    let steps: Vec<_> = plan
        .steps
        .iter()
        .map(|s| json!({"index": s.index, "label": s.label, "kind": s.kind.name(), "key": s.key.hex()}))
        .collect();
    run.log.emit(Event::Plan {
        name: plan.name.clone(),
        variant: plan.variant.clone(),
        key: plan.key().hex(),
        steps,
    });
    let result = run_all(&mut run, plan).await;
    match &result {
        Ok(built) => run.log.emit(Event::Done {
            image: built.image.reference.clone(),
            key: built.image.key.hex(),
            executed: built.image.executed,
            cached: built.image.cached,
            duration_ms: started.elapsed().as_millis(),
        }),
        Err(error) => {
            // Step failures were recorded with their step already.
            if !matches!(error, BuildError::StepFailed { .. }) {
                run.log.emit(Event::Failure {
                    index: None,
                    label: None,
                    message: error.to_string(),
                });
            }
        }
    }
    result
}

async fn run_all(run: &mut Run<'_>, plan: &Plan) -> Result<Built, BuildError> {
    let name = plan.image_name();
    let image = run.chain(&plan.steps, &name).await?;
    let mut services = BTreeMap::new();
    for (service, image) in &plan.services {
        if let ServiceImage::Build { steps } = image {
            let built = run.chain(steps, &format!("{name}-{service}")).await?;
            services.insert(service.clone(), built);
        }
    }
    Ok(Built { image, services })
}

/// One build in progress.
struct Run<'a> {
    engine: &'a Engine,
    project_root: &'a Path,
    no_cache: bool,
    tags: Tags,
    host: HostMaterial,
    /// What this executor lends steps (the contract's view of it).
    runner: Runner,
    log: EventLog,
    progress: Progress,
    /// Containers created so far (for unique names).
    counter: usize,
    /// The plan's platform (names imported bases).
    platform: String,
    registry: Option<crate::registry::Registry>,
}

impl Run<'_> {
    /// Build the chain `steps` and tag its last image `<image_name>:<short key>`.
    async fn chain(&mut self, steps: &[Step], image_name: &str) -> Result<BuiltImage, BuildError> {
        let total = steps.len();
        let last = steps.last().expect("a plan has at least its base step");
        // The longest cached prefix: the first hit going backwards.
        let mut start = 0;
        let mut parent: Option<String> = None;
        if !self.no_cache {
            for step in steps.iter().rev() {
                if matches!(step.kind, StepKind::Base(BaseStep::Image { .. })) {
                    break;
                }
                if let Some(image) = cache::lookup_in(self.engine, &self.tags, &step.key).await? {
                    start = step.index + 1;
                    parent = Some(image.id);
                    break;
                }
            }
        }
        let local = start;
        if let (false, Some(registry)) = (self.no_cache, &self.registry) {
            let finished = self.tags.image(image_name, &last.key);
            let report = super::remote::Reporting {
                progress: &mut self.progress,
                log: &mut self.log,
            };
            let from = super::remote::pull_deepest(
                self.engine,
                registry,
                steps,
                start,
                &self.tags,
                &finished,
                report,
            );
            if let Some(hit) = from.await? {
                (start, parent) = (hit.start, Some(hit.id));
            }
        }
        // An image base is resolved, never built: it counts as cached.
        let resolved = usize::from(
            start == 0 && matches!(steps[0].kind, StepKind::Base(BaseStep::Image { .. })),
        );
        self.progress.plan(image_name, total, start + resolved);
        for step in &steps[..start] {
            let source = if step.index < local {
                "local"
            } else {
                "registry"
            };
            self.progress.cache_hit(step.index, &step.label, source);
            self.log.emit(Event::CacheHit {
                index: step.index,
                label: step.label.clone(),
                key: step.key.hex(),
                source,
            });
        }
        let base_key = steps[0].key;
        let mut executed = 0;
        for step in &steps[start..] {
            // Bases that are images are not built: they are resolved (and pulled if absent).
            if let StepKind::Base(BaseStep::Image { reference, pinned }) = &step.kind {
                parent = Some(super::base::image(self.engine, reference, pinned.as_deref()).await?);
                continue;
            }
            let reuse_base = self.no_cache && step.index == 0;
            let cached_by_other = {
                let progress = &mut self.progress;
                let lock =
                    KeyLock::acquire(&step.key, || progress.waiting(step.index, &step.label))
                        .await?;
                // Another process may have built it while we waited (or before we looked).
                let found = if reuse_base {
                    // The base is shared: found in envc's cache, never rebuilt here.
                    cache::lookup(self.engine, &step.key).await?
                } else if !self.no_cache {
                    cache::lookup_in(self.engine, &self.tags, &step.key).await?
                } else {
                    None
                };
                match found {
                    Some(image) => Some((image.id, lock)),
                    None => {
                        self.progress.start(step.index, &step.label);
                        self.log.emit(Event::StepStart {
                            index: step.index,
                            label: step.label.clone(),
                            key: step.key.hex(),
                        });
                        let began = Instant::now();
                        let result = self.step(step, total, parent.as_deref(), &base_key).await;
                        let took = began.elapsed();
                        self.progress
                            .end(step.index, &step.label, took, result.is_ok());
                        match result {
                            Ok(id) => {
                                self.log.emit(Event::StepEnd {
                                    index: step.index,
                                    label: step.label.clone(),
                                    key: step.key.hex(),
                                    source: "built",
                                    duration_ms: took.as_millis(),
                                });
                                executed += 1;
                                parent = Some(id);
                                drop(lock);
                                None
                            }
                            Err(error) => {
                                self.log.emit(Event::Failure {
                                    index: Some(step.index),
                                    label: Some(step.label.clone()),
                                    message: error.to_string(),
                                });
                                return Err(error);
                            }
                        }
                    }
                }
            };
            if let Some((id, _lock)) = cached_by_other {
                self.progress.cache_hit(step.index, &step.label, "local");
                self.log.emit(Event::CacheHit {
                    index: step.index,
                    label: step.label.clone(),
                    key: step.key.hex(),
                    source: "local",
                });
                parent = Some(id);
            }
        }
        let id = parent.expect("every chain resolves its base");
        let id = super::rootfs_label::ensure(self.engine, &id, &self.tags.step(&last.key)).await?;
        let reference = self.tags.image(image_name, &last.key);
        let info = self.engine.inspect_image(&id).await?;
        if !info.repo_tags.contains(&reference) {
            self.engine.tag_image(&id, &reference).await?;
        }
        Ok(BuiltImage {
            reference,
            key: last.key,
            id,
            executed,
            cached: total - executed,
        })
    }

    /// Run one step on `parent` and return the committed image's ID.
    async fn step(
        &mut self,
        step: &Step,
        total: usize,
        parent: Option<&str>,
        base_key: &Key,
    ) -> Result<String, BuildError> {
        if let StepKind::Base(base) = &step.kind {
            // An import made before locking (or by `envc lock`) is reused under this key.
            let import_tag = base.import_tag(&self.platform);
            if let Some(tag) = &import_tag
                && let Some(id) =
                    super::base::reuse_import(self.engine, base, tag, &step.key).await?
            {
                return Ok(id);
            }
            let id = match base {
                BaseStep::Image { .. } => unreachable!("image bases are resolved, not built"),
                BaseStep::Debootstrap { .. } => {
                    let progress = &mut self.progress;
                    super::base::debootstrap(self.engine, base, &step.key, &mut |b| {
                        progress.output(b)
                    })
                    .await?
                }
                BaseStep::Archive { path, sha256, .. } => {
                    super::base::archive(self.engine, self.project_root, path, sha256, &step.key)
                        .await?
                }
            };
            if let Some(tag) = &import_tag {
                self.engine.tag_image(&id, tag).await?;
            }
            return Ok(id);
        }
        let parent = parent.expect("steps after the base have a parent image");
        let parent_config = self
            .engine
            .inspect_image_raw(parent)
            .await?
            .config
            .unwrap_or_default();
        let labels = step_labels(&step.key, step.parent.as_ref(), step.kind.name());
        match &step.kind {
            StepKind::Base(_) => unreachable!("handled above"),
            StepKind::Apt(apt) => {
                let command = contract::apt(apt, base_key, &self.runner);
                self.command(step, total, parent, &parent_config, command, labels)
                    .await
            }
            StepKind::Pip(pip) => {
                let command = contract::pip(pip, base_key, &self.runner);
                self.command(step, total, parent, &parent_config, command, labels)
                    .await
            }
            StepKind::Run(run) => {
                let command = contract::run(run, base_key, &self.runner);
                self.command(step, total, parent, &parent_config, command, labels)
                    .await
            }
            StepKind::File(file) => self.file(step, file, parent, &parent_config, labels).await,
            StepKind::Config(config) => {
                let container = self.idle_container(step, parent).await?;
                let config = commit_config::configured(&parent_config, config, labels);
                self.commit(step, container, config).await
            }
        }
    }

    fn container_name(&mut self, step: &Step) -> String {
        self.counter += 1;
        format!(
            "envc-build-{}-{}-{}",
            step.key.short(),
            crate::leftovers::name_token(),
            self.counter
        )
    }

    /// A container that is created but never started: file and config steps commit it.
    async fn idle_container(
        &mut self,
        step: &Step,
        parent: &str,
    ) -> Result<crate::engine::ContainerGuard, BuildError> {
        let name = self.container_name(step);
        Ok(self
            .engine
            .create_container(&ContainerSpec {
                image: parent.to_owned(),
                name: Some(name),
                // Committed as the step's image: no owner label (its name carries it).
                may_be_committed: true,
                entrypoint: Some(vec!["/envc-never-started".into()]),
                ..Default::default()
            })
            .await?)
    }

    async fn commit(
        &mut self,
        step: &Step,
        container: crate::engine::ContainerGuard,
        config: bollard::models::ContainerConfig,
    ) -> Result<String, BuildError> {
        let id = self
            .engine
            .commit(
                container.id(),
                &CommitSpec {
                    reference: Some(self.tags.step(&step.key)),
                    config,
                    comment: Some(format!("envc {}: {}", step.kind.name(), step.key.short())),
                    ..Default::default()
                },
            )
            .await?;
        container.remove().await?;
        Ok(id)
    }

    /// A file step: upload the deterministic tar into an idle container and commit it.
    async fn file(
        &mut self,
        step: &Step,
        file: &FileStep,
        parent: &str,
        parent_config: &ImageConfig,
        labels: HashMap<String, String>,
    ) -> Result<String, BuildError> {
        // Fetched (or found in the download cache) before any container exists.
        let download = match &file.source {
            FileContent::Download { url, sha256 } => Some(
                download_cache::fetch(&download_cache::download_dir(), url, sha256.as_ref())
                    .await?,
            ),
            _ => None,
        };
        let container = self.idle_container(step, parent).await?;
        let (uid, gid) = match file_tar::numeric_owner(&file.owner) {
            Some(ids) => ids,
            None => {
                let read = |path: &'static str| {
                    let engine = self.engine;
                    let id = container.id().to_owned();
                    async move {
                        engine
                            .read_container_file(&id, path)
                            .await
                            .map(|f| String::from_utf8_lossy(&f.unwrap_or_default()).into_owned())
                    }
                };
                let passwd = read("/etc/passwd").await?;
                let group = read("/etc/group").await?;
                file_tar::resolve_owner(&file.owner, &passwd, &group).map_err(|reason| {
                    BuildError::Owner {
                        target: file.target.clone(),
                        owner: file.owner.clone(),
                        reason,
                    }
                })?
            }
        };
        let root = self.project_root.to_path_buf();
        let file_step = file.clone();
        let tar = tokio::task::spawn_blocking(move || {
            file_tar::file_tar(&file_step, &root, download.as_ref(), uid, gid)
        })
        .await
        .map_err(|e| BuildError::io("write a file step's tar", std::io::Error::other(e)))??;
        let reader = tokio::fs::File::from_std(tar);
        let stream = tokio_util::io::ReaderStream::with_capacity(reader, 256 * 1024);
        self.engine.upload(container.id(), "/", stream).await?;
        let config = commit_config::unchanged(parent_config, labels);
        self.commit(step, container, config).await
    }

    /// A shell-like step: run `command` as an exec in a fresh idle container, commit the
    /// container when the command succeeded.
    async fn command(
        &mut self,
        step: &Step,
        total: usize,
        parent: &str,
        parent_config: &ImageConfig,
        command: ShellStep,
        labels: HashMap<String, String>,
    ) -> Result<String, BuildError> {
        // Steps run as root; a parent image with another user would otherwise decide.
        let as_root = parent_config.user.as_deref().is_some_and(|u| !u.is_empty());
        let process = step_process(&command, &self.host, as_root);
        let mut mounts = Vec::new();
        // Held until the step's container has stopped. Taken in name order, so that two
        // steps needing the same exclusive caches cannot deadlock.
        let mut held = Vec::new();
        let mut exclusive: Vec<&str> = process
            .caches
            .iter()
            .filter(|c| c.exclusive)
            .map(|c| c.volume.as_str())
            .collect();
        exclusive.sort_unstable();
        exclusive.dedup();
        for volume in exclusive {
            let progress = &mut self.progress;
            held.push(
                KeyLock::acquire_volume(volume, || {
                    progress.waiting_for_cache(step.index, &step.label, volume)
                })
                .await?,
            );
        }
        for cache in &process.caches {
            self.engine
                .ensure_volume(&VolumeSpec {
                    name: cache.volume.clone(),
                    labels: HashMap::from([("dev.envc.cache".to_owned(), "true".to_owned())]),
                })
                .await?;
            mounts.push(Mount {
                target: Some(cache.target.clone()),
                source: Some(cache.volume.clone()),
                typ: Some(MountType::VOLUME),
                ..Default::default()
            });
        }
        let host_config = HostConfig {
            binds: Some(process.binds.clone()).filter(|b| !b.is_empty()),
            mounts: Some(mounts).filter(|m| !m.is_empty()),
            network_mode: (!process.network).then(|| "none".to_owned()),
            ..Default::default()
        };
        let name = self.container_name(step);
        let container = self
            .engine
            .create_container(&ContainerSpec {
                image: parent.to_owned(),
                name: Some(name),
                // Committed as the step's image: no owner label (its name carries it).
                may_be_committed: true,
                entrypoint: Some(process.idle.clone()),
                user: process.exec.user.clone(),
                // The idle command reads from this stdin, which nothing ever writes to.
                open_stdin: true,
                host_config,
                ..Default::default()
            })
            .await?;
        container.start().await?;
        let mut tail = Tail::new(TAIL_LINES);
        let code = self
            .exec_step(container.id(), &process.exec, &mut tail)
            .await;
        // The idle command and anything the step left running end here, before the commit.
        let stopped = self.engine.stop_container(container.id(), 0).await;
        drop(held);
        let code = code?;
        stopped?;
        if code != 0 {
            container.remove().await?;
            return Err(BuildError::StepFailed {
                number: step.index + 1,
                total,
                label: step.label.clone(),
                command: process.display,
                code,
                tail: tail.lines(),
            });
        }
        let config = commit_config::unchanged(parent_config, labels);
        self.commit(step, container, config).await
    }

    /// Run the step's exec to its end, showing its output; its exit status.
    ///
    /// The end is the process's exit, not the end of its output: a background process the
    /// step started may hold the output open (the container's stop ends it afterwards).
    async fn exec_step(
        &mut self,
        container: &str,
        spec: &crate::engine::ExecSpec,
        tail: &mut Tail,
    ) -> Result<i64, BuildError> {
        let mut session = self.engine.exec(container, spec).await?;
        let mut poll = tokio::time::interval(std::time::Duration::from_millis(250));
        let mut output_open = true;
        loop {
            tokio::select! {
                chunk = session.output.next(), if output_open => match chunk {
                    Some(chunk) => {
                        let chunk: LogChunk = chunk?;
                        self.progress.output(chunk.bytes());
                        tail.push(chunk.bytes());
                    }
                    None => output_open = false,
                },
                _ = poll.tick() => {
                    crate::engine::interrupt::check()?;
                    if let Some(code) = self.engine.exec_exit_code(&session.id).await? {
                        // What the process wrote just before it ended.
                        while output_open {
                            match tokio::time::timeout(
                                std::time::Duration::from_millis(100),
                                session.output.next(),
                            )
                            .await
                            {
                                Ok(Some(chunk)) => {
                                    let chunk = chunk?;
                                    self.progress.output(chunk.bytes());
                                    tail.push(chunk.bytes());
                                }
                                _ => output_open = false,
                            }
                        }
                        return Ok(code);
                    }
                }
            }
        }
    }
}
