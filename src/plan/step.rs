//! Build steps: what each step does (typed, for the executor and the emitters) and the
//! payload that goes into its key.
//!
//! The payload is derived from the typed step in one place ([`StepKind::payload`]), so the
//! key covers exactly what the executor acts on. Display-only data (a step's name) is kept
//! out of payloads: renaming a step does not rebuild it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::key::Key;
use super::tree::Tree;
use crate::content::Digest;

/// One build step with its key.
#[derive(Debug, Clone)]
pub struct Step {
    /// Position in the plan, from 0 (the base).
    pub index: usize,
    /// A short label for progress output, e.g. `apt (12 packages)` or `run build docs`.
    pub label: String,
    pub kind: StepKind,
    /// Digests of the project files and folders the step reads, by project-relative path.
    pub reads: BTreeMap<String, Digest>,
    /// The previous step's key (`None` for the base).
    pub parent: Option<Key>,
    pub key: Key,
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum StepKind {
    Base(BaseStep),
    Apt(AptStep),
    Pip(PipStep),
    File(FileStep),
    Run(RunStep),
    Config(ConfigStep),
}

impl StepKind {
    /// The kind's name in the key document and in events.
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Base(_) => "base",
            StepKind::Apt(_) => "apt",
            StepKind::Pip(_) => "pip",
            StepKind::File(_) => "file",
            StepKind::Run(_) => "run",
            StepKind::Config(_) => "config",
        }
    }

    /// The build-side payload hashed into the key.
    pub fn payload(&self) -> Value {
        match self {
            StepKind::Base(b) => b.payload(),
            StepKind::Apt(a) => json!({ "packages": a.packages }),
            StepKind::Pip(p) => json!({
                "python": p.python,
                "requirements": p.requirements,
                "require_hashes": p.require_hashes,
                "index_url": p.index_url,
                "extra_index_urls": p.extra_index_urls,
                "break_system_packages": p.break_system_packages,
            }),
            StepKind::File(f) => {
                let source = match &f.source {
                    FileContent::Project { path, .. } => json!({ "path": path }),
                    FileContent::Text(text) => json!({ "text": text }),
                    // The hash is what enters the image; the URL stays in the payload
                    // because the step (and the emitted `ADD`) fetches from it, as a pinned
                    // base keeps its repository and pip its index (see `FileContent`).
                    FileContent::Download {
                        url,
                        sha256: Some(sha256),
                    } => json!({ "url": url, "sha256": sha256 }),
                    FileContent::Download { url, sha256: None } => {
                        json!({ "url": url, "unpinned": true })
                    }
                };
                json!({
                    "target": f.target,
                    "source": source,
                    "mode": f.mode.map(|m| format!("{m:04o}")),
                    "owner": f.owner,
                })
            }
            StepKind::Run(r) => json!({
                "script": r.script,
                "shell": r.shell,
                "env": r.env,
                "workdir": r.workdir,
                "network": r.network,
                "caches": r.caches,
            }),
            StepKind::Config(c) => serde_json::to_value(c).unwrap_or(Value::Null),
        }
    }
}

/// Where the image starts.
#[derive(Debug, Clone, PartialEq)]
pub enum BaseStep {
    /// A registry or local image. `pinned` is `repo@sha256:...` from the lock, when locked.
    Image {
        reference: String,
        pinned: Option<String>,
    },
    /// A root filesystem made by debootstrap. `packages` is the locked package list.
    Debootstrap {
        suite: String,
        variant: String,
        mirror: String,
        components: Vec<String>,
        include: Vec<String>,
        /// debootstrap's `--extra-suites` (backports, updates), in the config's order.
        extra_suites: Vec<String>,
        snapshot: Option<String>,
        packages: Option<BTreeMap<String, String>>,
    },
    /// An image archive file in the project, pinned by its SHA-256.
    Archive {
        path: String,
        format: String,
        sha256: Digest,
    },
}

impl BaseStep {
    fn payload(&self) -> Value {
        match self {
            // Only the digest decides what a pinned image is; its tag is a name for people.
            BaseStep::Image {
                pinned: Some(pinned),
                ..
            } => json!({ "image": pinned }),
            BaseStep::Image {
                reference,
                pinned: None,
            } => json!({ "image": reference, "unpinned": true }),
            BaseStep::Debootstrap {
                suite,
                variant,
                mirror,
                components,
                include,
                extra_suites,
                snapshot,
                packages,
            } => {
                let mut payload = json!({
                    "suite": suite,
                    "variant": variant,
                    "mirror": mirror,
                    "components": components,
                    "include": include,
                    "snapshot": snapshot,
                    "packages": packages,
                });
                // Only when given, so that the keys of bases without them stay as they were.
                if !extra_suites.is_empty() {
                    payload["extra_suites"] = json!(extra_suites);
                }
                json!({ "debootstrap": payload })
            }
            BaseStep::Archive { format, sha256, .. } => {
                json!({ "archive": { "format": format, "sha256": sha256 } })
            }
        }
    }

    /// The tag under which `envc build` (and `envc lock`, to read a debootstrap base's
    /// package list) finds an imported debootstrap or archive base: `envc/base:<hex>`, from
    /// the key of this base step *without* its locked package list, so that the tag is the
    /// same before and after locking. `None` for registry images.
    pub fn import_tag(&self, platform: &str) -> Option<String> {
        let unlocked = match self {
            BaseStep::Image { .. } => return None,
            BaseStep::Debootstrap { .. } => {
                let mut b = self.clone();
                if let BaseStep::Debootstrap { packages, .. } = &mut b {
                    *packages = None;
                }
                b
            }
            BaseStep::Archive { .. } => self.clone(),
        };
        let payload = unlocked.payload();
        let key = super::key::KeyInput {
            parent: None,
            kind: "base",
            payload: &payload,
            reads: &BTreeMap::new(),
            platform,
        }
        .key();
        Some(format!("envc/base:{}", key.hex()))
    }

    /// True when the base is pinned by content (digest, locked package list, archive hash).
    pub fn is_pinned(&self) -> bool {
        match self {
            BaseStep::Image { pinned, .. } => pinned.is_some(),
            BaseStep::Debootstrap { packages, .. } => packages.is_some(),
            BaseStep::Archive { .. } => true,
        }
    }
}

/// `apt-get install` of packages, each `name=version` when locked.
#[derive(Debug, Clone, PartialEq)]
pub struct AptStep {
    /// Sorted; `name=version` for locked packages, the spec's text otherwise.
    pub packages: Vec<String>,
    /// Whether every package has an exact version.
    pub pinned: bool,
}

/// `pip install` of requirements.
#[derive(Debug, Clone, PartialEq)]
pub struct PipStep {
    pub python: String,
    /// Requirement lines, sorted: `name==version --hash=sha256:...` when locked.
    pub requirements: Vec<String>,
    /// True when locked: pip runs with `--require-hashes --no-deps`.
    pub require_hashes: bool,
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub break_system_packages: bool,
}

/// A file or folder placed in the image.
#[derive(Debug, Clone)]
pub struct FileStep {
    /// Absolute path in the image.
    pub target: String,
    pub source: FileContent,
    /// Permission bits applied to a single file or text; `None` for a folder, whose entries
    /// keep their own modes (they are part of the folder's digest).
    pub mode: Option<u32>,
    /// `user:group` applied to everything copied.
    pub owner: String,
}

/// Where a file step's content comes from.
#[derive(Debug, Clone)]
pub enum FileContent {
    /// A project file or folder, with its digested tree (entries to copy, in order).
    Project { path: String, tree: Tree },
    /// Inline text from the config.
    Text(String),
    /// A file the host downloads, with the SHA-256 it must have (from the config or the
    /// lock; `None`: unpinned, whatever the URL serves at build time).
    ///
    /// Both enter the key. Two URLs serving the same bytes give the same image, but not the
    /// same step: the step fetches from its URL, and emitted Dockerfiles, whose labels carry
    /// the key, name it — one key for two different instructions would let either stand in
    /// for the other. The download cache is content-addressed, so moving a pinned file to
    /// another URL re-runs the step without fetching it again.
    Download { url: String, sha256: Option<Digest> },
}

/// A shell step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunStep {
    /// The step's name from the config, if any (display only).
    #[serde(skip)]
    pub name: Option<String>,
    pub script: String,
    /// The argv prefix the script is appended to (default `/bin/sh -e -c`).
    pub shell: Vec<String>,
    /// Environment for this step only.
    pub env: BTreeMap<String, String>,
    pub workdir: Option<String>,
    pub network: bool,
    /// Cache volumes mounted for the step only.
    pub caches: Vec<CacheMount>,
    /// `false` when the config marks the step's output as not reproducible (timestamps,
    /// random bytes): `envc verify --rebuild` reports the files it writes as a known
    /// exclusion and `envc audit` lists it. A marker only: it is not in the key.
    #[serde(skip)]
    pub reproducible: bool,
}

/// A cache volume mounted into a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheMount {
    pub id: String,
    pub target: String,
}

/// The image's configuration, applied last.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConfigStep {
    pub env: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub workdir: Option<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
}
