//! `envc.lock`: the pins a build uses, and how to tell whether they still fit the config.
//!
//! The file is JSON with sorted keys and a trailing newline, written through a temporary file
//! and a rename, so its bytes depend only on its contents and a crash never leaves half a
//! lock. It holds one entry for the config and one per variant. Each entry records:
//!
//! - `inputs`: the part of the evaluated config that locking resolves (platform, base, apt
//!   package names, pip requirements and index settings, download URLs with the SHA-256 the
//!   config gives them, service images), and `config`, the
//!   SHA-256 of its canonical JSON. Only these parts decide staleness: editing a build step's
//!   command or a run-side setting does not make pins wrong, so it does not force a re-lock.
//!   Keeping `inputs` themselves (not just their digest) lets `envc lock --check` say what
//!   changed.
//! - the pins: the base image digest (or the debootstrap package list, or the archive hash),
//!   the full apt closure with exact versions, pip requirements with exact versions and
//!   SHA-256 hashes, and the SHA-256 of every downloaded file; the same per built service.
//! - `pins`: the SHA-256 of the canonical JSON of the pins, so that an edit by hand (a base
//!   digest changed in a review, a bad merge) is noticed by `envc lock --check` and by every
//!   build, instead of silently building from another image.
//!
//! An entry is fresh only when both checksums match what they cover, its pins agree with
//! its own inputs wherever the config pins itself (an image reference with a digest, an
//! archive's or a download's SHA-256, the debootstrap suite and mirror), and its inputs are
//! the config's.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::content::Digest;
use crate::content::canonical;
use crate::content::write_atomically;
use crate::spec::Spec;
use crate::spec::model::{Base, BuildSpec};

/// The lock file's name, next to the config.
pub const LOCK_FILE: &str = "envc.lock";
/// The format version written in the `version` field.
pub const LOCK_VERSION: u32 = 1;

/// The whole lock file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LockFile {
    /// The format version (currently 1).
    pub version: u32,
    /// The pins of the config without a variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<LockEntry>,
    /// The pins of each variant, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variants: BTreeMap<String, LockEntry>,
}

/// The pins of one environment (the config, or the config with one variant applied).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LockEntry {
    /// SHA-256 of the canonical JSON of `inputs`.
    pub config: Digest,
    /// What was resolved, as the config said it.
    pub inputs: Value,
    /// SHA-256 of the canonical JSON of `image` and `services` (absent in locks written
    /// before it existed, which are then stale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pins: Option<Digest>,
    /// Pins of the main image.
    pub image: ImagePins,
    /// Pins of each service's image, by service name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, ImagePins>,
}

/// The pins of one image: its base and what is installed on it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImagePins {
    /// The pinned base.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<BasePin>,
    /// The apt packages the build installs, with the full closure of dependencies not already
    /// in the base: package name → exact version.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub apt: BTreeMap<String, String>,
    /// Pip distributions to install (the full resolved set): normalized name → pin.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pip: BTreeMap<String, PipPin>,
    /// Downloaded files: URL → SHA-256.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub downloads: BTreeMap<String, Digest>,
}

/// A pinned base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BasePin {
    /// A registry or local image: the reference as written and the digest it resolved to.
    Image {
        reference: String,
        digest: Digest,
        /// The digest is a local image ID: the image has no registry digest, so only an
        /// engine that holds it can use this pin.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        local: bool,
    },
    /// A debootstrap root filesystem: the package list it produced, name → version.
    Debootstrap {
        suite: String,
        mirror: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        snapshot: Option<String>,
        packages: BTreeMap<String, String>,
    },
    /// An image archive in the project, by its SHA-256.
    Archive { path: String, sha256: Digest },
}

impl BasePin {
    /// The reference that names exactly the pinned image: `repo@sha256:...` (the tag dropped:
    /// the digest decides), or the bare image ID for a local-only image.
    pub fn image_by_digest(&self) -> Option<String> {
        match self {
            BasePin::Image {
                digest,
                local: true,
                ..
            } => Some(digest.to_string()),
            BasePin::Image {
                reference, digest, ..
            } => Some(format!("{}@{digest}", repository_of(reference))),
            _ => None,
        }
    }
}

/// The repository part of an image reference: without its tag and digest.
pub fn repository_of(reference: &str) -> &str {
    let name = reference.split('@').next().unwrap_or(reference);
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    match name[last_slash..].rfind(':') {
        Some(i) => &name[..last_slash + i],
        None => name,
    }
}

/// An exact pip pin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipPin {
    pub version: String,
    /// SHA-256 of every distribution file pip may install for this pin.
    pub hashes: Vec<Digest>,
}

/// Errors reading or writing the lock file.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LockFileError {
    #[error("cannot read `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write `{path}`")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("`{path}` is not a valid envc lock file: {message}")]
    #[diagnostic(help("delete it and run `envc lock` to write a new one"))]
    Malformed { path: PathBuf, message: String },
    #[error("`{path}` has lock format version {found}; this envc reads version {LOCK_VERSION}")]
    #[diagnostic(help("run `envc lock` to rewrite it with this envc"))]
    Version { path: PathBuf, found: u64 },
}

impl LockEntry {
    /// An entry for `inputs` with these pins, both checksums computed.
    pub fn new(inputs: Value, image: ImagePins, services: BTreeMap<String, ImagePins>) -> Self {
        LockEntry {
            config: config_digest(&inputs),
            pins: Some(pins_digest(&image, &services)),
            inputs,
            image,
            services,
        }
    }
}

/// The digest recorded as `pins`.
pub fn pins_digest(image: &ImagePins, services: &BTreeMap<String, ImagePins>) -> Digest {
    let value = json!({ "image": image, "services": services });
    Digest::of(&canonical::to_vec(&value))
}

impl LockFile {
    /// Read the lock at `path`; `Ok(None)` when there is none.
    pub fn read(path: &Path) -> Result<Option<LockFile>, LockFileError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(LockFileError::Read {
                    path: path.into(),
                    source,
                });
            }
        };
        let malformed = |message: String| LockFileError::Malformed {
            path: path.into(),
            message,
        };
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| malformed(e.to_string()))?;
        let found = value.get("version").and_then(Value::as_u64);
        match found {
            Some(v) if v == u64::from(LOCK_VERSION) => {}
            Some(found) => {
                return Err(LockFileError::Version {
                    path: path.into(),
                    found,
                });
            }
            None => return Err(malformed("missing `version`".into())),
        }
        serde_json::from_value(value)
            .map(Some)
            .map_err(|e| malformed(e.to_string()))
    }

    /// The stable bytes of the lock: canonical JSON, pretty-printed with sorted keys.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Sorted and pretty: stable bytes that are still pleasant to review in a diff.
        canonical::to_pretty(&serde_json::to_value(self).unwrap_or(Value::Null))
    }

    /// Write the lock atomically.
    pub fn write(&self, path: &Path) -> Result<(), LockFileError> {
        write_atomically(path, &self.to_bytes()).map_err(|source| LockFileError::Write {
            path: path.into(),
            source,
        })
    }

    /// The entry of `variant` (`None`: the config itself).
    pub fn entry(&self, variant: Option<&str>) -> Option<&LockEntry> {
        match variant {
            None => self.default.as_ref(),
            Some(name) => self.variants.get(name),
        }
    }

    /// Set the entry of `variant`.
    pub fn set_entry(&mut self, variant: Option<&str>, entry: LockEntry) {
        self.version = LOCK_VERSION;
        match variant {
            None => self.default = Some(entry),
            Some(name) => {
                self.variants.insert(name.to_owned(), entry);
            }
        }
    }
}

/// The part of a spec that locking resolves, as JSON. See the module documentation.
pub fn lock_inputs(spec: &Spec) -> Value {
    let services: serde_json::Map<String, Value> = spec
        .services
        .iter()
        .map(|(name, service)| {
            let inputs = match (&service.image, &service.build) {
                (Some(image), _) => json!({ "base": { "image": image.as_str() } }),
                (None, Some(build)) => image_inputs(&build.base, &build.build),
                (None, None) => Value::Null,
            };
            (name.as_str().to_owned(), inputs)
        })
        .collect();
    json!({
        "platform": spec.platform.as_str(),
        "image": image_inputs(&spec.base, &spec.build),
        "services": services,
    })
}

fn image_inputs(base: &Base, build: &BuildSpec) -> Value {
    let mut inputs = json!({
        "base": serde_json::to_value(base).unwrap_or(Value::Null),
        "apt": apt_requests(build),
        "pip": {
            "packages": build.pip.packages.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            "python": build.pip.python.as_str(),
            "index_url": build.pip.index_url,
            "extra_index_urls": build.pip.extra_index_urls,
        },
    });
    // Only present when there are downloads, so that locks made before downloads existed
    // stay fresh.
    let downloads = download_requests(build);
    if !downloads.is_empty() {
        inputs["downloads"] = json!(downloads);
    }
    inputs
}

/// The downloads a build asks for: URL → the SHA-256 the config pins it to, if any.
pub fn download_requests(build: &BuildSpec) -> BTreeMap<String, Option<String>> {
    build
        .files
        .values()
        .filter_map(|f| {
            let url = f.url.as_ref()?;
            Some((
                url.as_str().to_owned(),
                f.sha256.as_ref().map(|s| s.as_str().to_owned()),
            ))
        })
        .collect()
}

/// The apt packages a build asks for: the listed ones, plus `sudo` when the spec wants it.
pub fn apt_requests(build: &BuildSpec) -> Vec<String> {
    let mut names: Vec<String> = build.apt.iter().map(|p| p.as_str().to_owned()).collect();
    if build.sudo && !names.iter().any(|n| n == "sudo" || n.starts_with("sudo=")) {
        names.push("sudo".into());
    }
    names
}

/// The digest recorded as `config` for these inputs.
pub fn config_digest(inputs: &Value) -> Digest {
    Digest::of(&canonical::to_vec(inputs))
}

pub use super::freshness::{Freshness, freshness, orphans};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn spec(extra: Value) -> Spec {
        let mut v = json!({"name": "t", "base": {"image": "debian:bookworm"}});
        if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
            m.extend(e);
        }
        serde_json::from_value(v).unwrap()
    }

    pub(crate) fn entry_for(spec: &Spec) -> LockEntry {
        let downloads = download_requests(&spec.build)
            .into_iter()
            .map(|(url, sha)| {
                let digest = sha
                    .map(|hex| Digest(hex::decode(hex).unwrap().try_into().unwrap()))
                    .unwrap_or_else(|| Digest::of(url.as_bytes()));
                (url, digest)
            })
            .collect();
        let reference = match &spec.base {
            Base::Image(image) => image.as_str().to_owned(),
            _ => "debian:bookworm".into(),
        };
        LockEntry::new(
            lock_inputs(spec),
            ImagePins {
                base: Some(BasePin::Image {
                    reference,
                    digest: Digest::of(b"image"),
                    local: false,
                }),
                downloads,
                ..ImagePins::default()
            },
            BTreeMap::new(),
        )
    }

    #[test]
    fn bytes_are_sorted_stable_and_round_trip() {
        let s = spec(json!({"build": {"apt": ["curl", "git"]}}));
        let mut lock = LockFile::default();
        lock.set_entry(None, entry_for(&s));
        lock.set_entry(Some("gpu"), entry_for(&s));
        let bytes = lock.to_bytes();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        lock.write(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        let back = LockFile::read(&path).unwrap().unwrap();
        assert_eq!(back, lock);
        assert_eq!(back.to_bytes(), bytes);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.find("\"default\"").unwrap() < text.find("\"variants\"").unwrap());
        assert!(text.find("\"config\"").unwrap() < text.find("\"image\"").unwrap());
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn rejects_other_versions_and_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        std::fs::write(&path, "{\"version\": 99}").unwrap();
        assert!(matches!(
            LockFile::read(&path),
            Err(LockFileError::Version { found: 99, .. })
        ));
        std::fs::write(&path, "not json").unwrap();
        assert!(matches!(
            LockFile::read(&path),
            Err(LockFileError::Malformed { .. })
        ));
        assert_eq!(LockFile::read(&dir.path().join("none")).unwrap(), None);
    }

    #[test]
    fn repository_drops_tag_and_digest() {
        assert_eq!(repository_of("debian:bookworm"), "debian");
        assert_eq!(
            repository_of("localhost:5000/a/b:1@sha256:00"),
            "localhost:5000/a/b"
        );
        assert_eq!(repository_of("repo@sha256:00"), "repo");
    }
}
