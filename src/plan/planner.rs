//! Building a plan: a Spec and its lock entry turned into keyed steps.
//!
//! Steps go from stable to volatile, so that the edits people make most often invalidate
//! the fewest steps: base, system packages (apt), language packages (pip), files (one step
//! per target, sorted by target path), the user's steps in declared order, and the image
//! configuration last. A file with `after` is placed right after the step it names, so that
//! files and steps interleave as the user wrote (see [`super::file_step`]). Only the build
//! side of the spec and the base are read here; the run side, services' run settings,
//! targets and host material never reach a key.

use std::collections::BTreeMap;

use super::file_step::file_step;
use super::key::{Key, KeyInput};
use super::step::{
    AptStep, BaseStep, CacheMount, ConfigStep, FileContent, FileStep, PipStep, RunStep, Step,
    StepKind,
};
use super::tree::{ProjectFiles, TreeError};
use crate::content::Digest;
use crate::lock::file::{BasePin, ImagePins, LockEntry, apt_requests};
use crate::spec::Spec;
use crate::spec::model::{AbsPath, Base, BuildSpec, FileSource};

/// The plan of one environment (the config, or the config with a variant applied).
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    pub variant: Option<String>,
    pub platform: String,
    /// The main image's steps, base first, config last.
    pub steps: Vec<Step>,
    /// Each service's image, by name.
    pub services: BTreeMap<String, ServiceImage>,
}

impl Plan {
    /// The plan key: the last step's key, which names the finished image.
    pub fn key(&self) -> Key {
        self.steps.last().map(|s| s.key).unwrap_or(Key([0; 32]))
    }

    /// The image name for people: `envc/<name>[-<variant>]`.
    pub fn image_name(&self) -> String {
        match &self.variant {
            Some(v) => format!("envc/{}-{v}", self.name),
            None => format!("envc/{}", self.name),
        }
    }

    /// Every input that has no pin, one line each (empty when the plan is fully locked).
    pub fn unpinned(&self) -> Vec<String> {
        let mut out = unpinned_steps("", &self.steps);
        for (name, service) in &self.services {
            match service {
                ServiceImage::Image { reference, pinned } if pinned.is_none() => out.push(format!(
                    "service `{name}` image `{reference}` has no digest"
                )),
                ServiceImage::Image { .. } => {}
                ServiceImage::Build { steps } => {
                    out.extend(unpinned_steps(&format!("service `{name}`: "), steps))
                }
            }
        }
        out
    }
}

fn unpinned_steps(prefix: &str, steps: &[Step]) -> Vec<String> {
    let mut out = Vec::new();
    for step in steps {
        match &step.kind {
            StepKind::Base(base) if !base.is_pinned() => {
                out.push(format!("{prefix}base `{}` is not locked", step.label))
            }
            StepKind::Apt(apt) if !apt.pinned => {
                out.push(format!("{prefix}apt packages have no locked versions"))
            }
            StepKind::Pip(pip) if !pip.require_hashes => {
                out.push(format!("{prefix}pip requirements have no locked hashes"))
            }
            StepKind::File(FileStep {
                source: FileContent::Download { url, sha256: None },
                ..
            }) => out.push(format!("{prefix}download `{url}` has no SHA-256")),
            _ => {}
        }
    }
    out
}

/// The image of a service.
#[derive(Debug, Clone)]
pub enum ServiceImage {
    /// A registry image, `pinned` as `repo@sha256:...` when locked.
    Image {
        reference: String,
        pinned: Option<String>,
    },
    /// An image envc builds, with its own steps.
    Build { steps: Vec<Step> },
}

impl ServiceImage {
    /// The key of a built service image.
    pub fn key(&self) -> Option<Key> {
        match self {
            ServiceImage::Build { steps } => steps.last().map(|s| s.key),
            ServiceImage::Image { .. } => None,
        }
    }
}

/// Why a plan cannot be made.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PlanError {
    #[error("`{field}` names a project file that cannot be used")]
    ProjectFile {
        field: String,
        #[source]
        source: TreeError,
    },
    #[error("`{field}` must have exactly one of `source`, `text` and `url`")]
    FileSource { field: String },
    #[error("`{field}`: `{mode}` is not an octal file mode")]
    Mode { field: String, mode: String },
    #[error("service `{name}` has neither `image` nor `build`")]
    Service { name: String },
}

/// Make the plan of `spec` with the pins of `lock` (`None`: unlocked, every floating input
/// kept as written and reported by [`Plan::unpinned`]).
pub fn plan(
    spec: &Spec,
    lock: Option<&LockEntry>,
    files: &mut ProjectFiles,
    variant: Option<&str>,
) -> Result<Plan, PlanError> {
    let platform = spec.platform.as_str();
    let empty = ImagePins::default();
    let pins = lock.map_or(&empty, |l| &l.image);
    let steps = image_steps(platform, &spec.base, &spec.build, pins, files, "build")?;
    let mut services = BTreeMap::new();
    for (name, service) in &spec.services {
        let pins = lock.and_then(|l| l.services.get(name.as_str()));
        let image = match (&service.image, &service.build) {
            (Some(image), _) => ServiceImage::Image {
                reference: image.as_str().to_owned(),
                pinned: pins
                    .and_then(|p| p.base.as_ref())
                    .and_then(|b| match b {
                        BasePin::Image { reference, .. } if reference == image.as_str() => {
                            b.image_by_digest()
                        }
                        _ => None,
                    })
                    .or_else(|| image.as_str().contains('@').then(|| image.as_str().into())),
            },
            (None, Some(build)) => ServiceImage::Build {
                steps: image_steps(
                    platform,
                    &build.base,
                    &build.build,
                    pins.unwrap_or(&empty),
                    files,
                    &format!("services.{name}.build.build"),
                )?,
            },
            (None, None) => {
                return Err(PlanError::Service {
                    name: name.as_str().into(),
                });
            }
        };
        services.insert(name.as_str().to_owned(), image);
    }
    Ok(Plan {
        name: spec.name.as_str().to_owned(),
        variant: variant.map(str::to_owned),
        platform: platform.to_owned(),
        steps,
        services,
    })
}

/// The steps of one image.
fn image_steps(
    platform: &str,
    base: &Base,
    build: &BuildSpec,
    pins: &ImagePins,
    files: &mut ProjectFiles,
    field: &str,
) -> Result<Vec<Step>, PlanError> {
    let mut chain = Chain {
        platform,
        steps: Vec::new(),
    };

    let (label, base_step) = base_step(base, pins.base.as_ref());
    chain.push(label, StepKind::Base(base_step), BTreeMap::new());

    let apt = apt_requests(build);
    if !apt.is_empty() {
        let step = if pins.apt.is_empty() {
            let mut packages = apt;
            packages.sort();
            packages.dedup();
            let pinned = packages.iter().all(|p| p.contains('='));
            AptStep { packages, pinned }
        } else {
            AptStep {
                packages: pins.apt.iter().map(|(n, v)| format!("{n}={v}")).collect(),
                pinned: true,
            }
        };
        let label = format!("apt ({} packages)", step.packages.len());
        chain.push(label, StepKind::Apt(step), BTreeMap::new());
    }

    if !build.pip.packages.is_empty() {
        let locked = !pins.pip.is_empty();
        let mut requirements: Vec<String> = if locked {
            pins.pip
                .iter()
                .map(|(name, pin)| {
                    let hashes: Vec<String> = pin
                        .hashes
                        .iter()
                        .map(|h| format!(" --hash=sha256:{}", h.hex()))
                        .collect();
                    format!("{name}=={}{}", pin.version, hashes.concat())
                })
                .collect()
        } else {
            build
                .pip
                .packages
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect()
        };
        requirements.sort();
        let step = PipStep {
            python: build.pip.python.as_str().to_owned(),
            requirements,
            require_hashes: locked,
            index_url: build.pip.index_url.as_ref().map(|u| u.as_str().to_owned()),
            extra_index_urls: build
                .pip
                .extra_index_urls
                .iter()
                .map(|u| u.as_str().to_owned())
                .collect(),
            break_system_packages: build.pip.break_system_packages,
        };
        let label = format!("pip ({} requirements)", step.requirements.len());
        chain.push(label, StepKind::Pip(step), BTreeMap::new());
    }

    // Files without `after` come before every step; the others right after the step
    // they name (the spec checked that it exists).
    fn placed<'a>(
        build: &'a BuildSpec,
        after: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a AbsPath, &'a FileSource)> {
        build
            .files
            .iter()
            .filter(move |(_, file)| file.after.as_deref() == after)
    }
    for (target, file) in placed(build, None) {
        let (label, kind, reads) = file_step(target.as_str(), file, pins, files, field)?;
        chain.push(label, kind, reads);
    }

    let shell: Vec<String> = build.shell.iter().map(|s| s.as_str().to_owned()).collect();
    for (i, step) in build.steps.iter().enumerate() {
        let run = RunStep {
            name: step.name.clone(),
            script: step.run.as_str().to_owned(),
            shell: shell.clone(),
            env: step
                .env
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.as_str().to_owned()))
                .collect(),
            workdir: step.workdir.as_ref().map(|w| w.as_str().to_owned()),
            network: step.network,
            caches: step
                .caches
                .iter()
                .map(|c| CacheMount {
                    id: c.id.clone(),
                    target: c.target.as_str().to_owned(),
                })
                .collect(),
            reproducible: step.reproducible,
        };
        let label = match &step.name {
            Some(name) => format!("run {name}"),
            None => format!("run step {}", i + 1),
        };
        chain.push(label, StepKind::Run(run), BTreeMap::new());
        if let Some(name) = &step.name {
            for (target, file) in placed(build, Some(name)) {
                let (label, kind, reads) = file_step(target.as_str(), file, pins, files, field)?;
                chain.push(label, kind, reads);
            }
        }
    }

    let strings = |v: &Option<Vec<crate::spec::model::BuildString>>| {
        v.as_ref()
            .map(|v| v.iter().map(|s| s.as_str().to_owned()).collect())
    };
    let mut labels: BTreeMap<String, String> = build
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().to_owned()))
        .collect();
    // Dev Containers tools read this label; a config's own value wins.
    labels
        .entry(super::devcontainer_metadata::LABEL.to_owned())
        .or_insert_with(|| super::devcontainer_metadata::label(build));
    let config = ConfigStep {
        env: build
            .env
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.as_str().to_owned()))
            .collect(),
        labels,
        workdir: build.workdir.as_ref().map(|w| w.as_str().to_owned()),
        entrypoint: strings(&build.entrypoint),
        cmd: strings(&build.cmd),
    };
    chain.push(
        "image config".into(),
        StepKind::Config(config),
        BTreeMap::new(),
    );
    Ok(chain.steps)
}

fn base_step(base: &Base, pin: Option<&BasePin>) -> (String, BaseStep) {
    match base {
        Base::Image(image) => {
            let reference = image.as_str().to_owned();
            let pinned = match pin {
                Some(p @ BasePin::Image { reference: r, .. }) if *r == reference => {
                    p.image_by_digest()
                }
                // A reference with a digest in the config is pinned by itself.
                _ => reference.contains('@').then(|| reference.clone()),
            };
            (reference.clone(), BaseStep::Image { reference, pinned })
        }
        Base::Debootstrap(d) => {
            let packages = match pin {
                Some(BasePin::Debootstrap {
                    suite, packages, ..
                }) if suite == d.suite.as_str() => Some(packages.clone()),
                _ => None,
            };
            (
                format!("debootstrap {}", d.suite),
                BaseStep::Debootstrap {
                    suite: d.suite.as_str().to_owned(),
                    variant: d.variant.as_str().to_owned(),
                    mirror: d.mirror.as_str().to_owned(),
                    components: d.components.iter().map(|c| c.as_str().to_owned()).collect(),
                    include: d.include.iter().map(|p| p.as_str().to_owned()).collect(),
                    extra_suites: d
                        .extra_suites
                        .iter()
                        .map(|s| s.as_str().to_owned())
                        .collect(),
                    snapshot: d.snapshot.as_ref().map(|s| s.as_str().to_owned()),
                    packages,
                },
            )
        }
        Base::Archive(a) => {
            let mut sha = [0u8; 32];
            // The spec checked the hex already; a failure here leaves zeros, which the
            // build then reports as a hash mismatch.
            let _ = hex::decode_to_slice(a.sha256.as_str(), &mut sha);
            let format = serde_json::to_value(a.format)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            (
                format!("archive {}", a.path),
                BaseStep::Archive {
                    path: a.path.as_str().to_owned(),
                    format,
                    sha256: Digest(sha),
                },
            )
        }
    }
}

/// The import tag of a debootstrap or archive base (see [`BaseStep::import_tag`]).
pub fn base_import_tag(base: &Base, platform: &str) -> Option<String> {
    base_step(base, None).1.import_tag(platform)
}

/// Steps being appended, each keyed on the previous one.
struct Chain<'a> {
    platform: &'a str,
    steps: Vec<Step>,
}

impl Chain<'_> {
    fn push(&mut self, label: String, kind: StepKind, reads: BTreeMap<String, Digest>) {
        let parent = self.steps.last().map(|s| s.key);
        let payload = kind.payload();
        let key = KeyInput {
            parent,
            kind: kind.name(),
            payload: &payload,
            reads: &reads,
            platform: self.platform,
        }
        .key();
        self.steps.push(Step {
            index: self.steps.len(),
            label,
            kind,
            reads,
            parent,
            key,
        });
    }
}
