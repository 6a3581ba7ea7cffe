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
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::plan::Digest;
use crate::plan::canonical;
use crate::plan::stat_cache::write_atomically;
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

/// Whether a lock fits a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    /// There is no lock file, or it has no entry for this variant.
    Missing,
    /// The entry was made from other inputs; each string says what changed.
    Stale(Vec<String>),
}

/// Check `lock` against `spec` for `variant`.
pub fn freshness(lock: Option<&LockFile>, spec: &Spec, variant: Option<&str>) -> Freshness {
    let Some(entry) = lock.and_then(|l| l.entry(variant)) else {
        return Freshness::Missing;
    };
    let inputs = lock_inputs(spec);
    let mut changes = integrity(entry);
    if changes.is_empty() && entry.inputs == inputs {
        consistency(entry, spec, &mut changes);
    }
    describe_changes("", &entry.inputs, &inputs, &mut changes);
    if changes.is_empty() {
        Freshness::Fresh
    } else {
        Freshness::Stale(changes)
    }
}

/// Whether the entry's checksums match what they cover: an edited lock does not.
fn integrity(entry: &LockEntry) -> Vec<String> {
    let mut problems = Vec::new();
    if config_digest(&entry.inputs) != entry.config {
        problems.push(
            "the recorded `config` checksum does not match the entry's inputs (the lock was edited)"
                .to_owned(),
        );
    }
    match entry.pins {
        None => problems.push("the entry has no `pins` checksum (written by an older envc)".to_owned()),
        Some(recorded) if recorded != pins_digest(&entry.image, &entry.services) => problems.push(
            "the pins do not match the entry's `pins` checksum: a digest, version or hash was edited by hand"
                .to_owned(),
        ),
        Some(_) => {}
    }
    problems
}

/// Pins that contradict what the config itself pins (checked offline, without resolving).
fn consistency(entry: &LockEntry, spec: &Spec, out: &mut Vec<String>) {
    image_consistency("image", &spec.base, &spec.build, &entry.image, out);
    for (name, service) in &spec.services {
        let at = format!("services.{name}");
        match entry.services.get(name.as_str()) {
            None => out.push(format!("`{at}` has no pins")),
            Some(pins) => match (&service.image, &service.build) {
                (Some(image), _) => base_consistency(&at, &Base::Image(image.clone()), pins, out),
                (None, Some(build)) => image_consistency(&at, &build.base, &build.build, pins, out),
                (None, None) => {}
            },
        }
    }
    for name in entry.services.keys() {
        if !spec.services.keys().any(|n| n.as_str() == name) {
            out.push(format!(
                "`services.{name}` is pinned but the config has no such service"
            ));
        }
    }
}

fn image_consistency(
    at: &str,
    base: &Base,
    build: &BuildSpec,
    pins: &ImagePins,
    out: &mut Vec<String>,
) {
    base_consistency(at, base, pins, out);
    for (url, sha256) in download_requests(build) {
        match (pins.downloads.get(&url), sha256) {
            // A download the config pins itself needs no pin in the lock.
            (None, None) => out.push(format!("`{at}.downloads`: `{url}` has no pin")),
            (None, Some(_)) => {}
            (Some(pinned), Some(wanted)) if pinned.hex() != wanted => out.push(format!(
                "`{at}.downloads`: `{url}` is pinned to {pinned}, the config says sha256:{wanted}"
            )),
            _ => {}
        }
    }
}

fn base_consistency(at: &str, base: &Base, pins: &ImagePins, out: &mut Vec<String>) {
    let pin = pins.base.as_ref();
    match (base, pin) {
        (_, None) => out.push(format!("`{at}.base` has no pin")),
        (
            Base::Image(image),
            Some(BasePin::Image {
                reference,
                digest,
                local,
            }),
        ) => {
            if reference != image.as_str() {
                out.push(format!(
                    "`{at}.base` pins `{reference}`, the config says `{image}`"
                ));
            }
            let written = image.as_str().split_once("@sha256:").map(|(_, hex)| hex);
            if let Some(hex) = written
                && !local
                && digest.hex() != hex
            {
                out.push(format!(
                    "`{at}.base` is pinned to {digest}, the config says sha256:{hex}"
                ));
            }
        }
        (
            Base::Debootstrap(d),
            Some(BasePin::Debootstrap {
                suite,
                mirror,
                snapshot,
                ..
            }),
        ) => {
            let given = d.snapshot.as_ref().map(|s| s.as_str().to_owned());
            if suite != d.suite.as_str() || mirror != d.mirror.as_str() || *snapshot != given {
                out.push(format!(
                    "`{at}.base` pins another debootstrap (suite, mirror or snapshot)"
                ));
            }
        }
        (Base::Archive(a), Some(BasePin::Archive { path, sha256 })) => {
            if path != a.path.as_str() || sha256.hex() != a.sha256.as_str() {
                out.push(format!(
                    "`{at}.base` pins archive `{path}` at {sha256}, the config says `{}` at sha256:{}",
                    a.path, a.sha256
                ));
            }
        }
        (_, Some(_)) => out.push(format!("`{at}.base` is pinned as another kind of base")),
    }
}

/// Lock entries for variants the config no longer has.
pub fn orphans<'a>(lock: &'a LockFile, variants: &[String]) -> Vec<&'a str> {
    lock.variants
        .keys()
        .filter(|name| !variants.contains(name))
        .map(String::as_str)
        .collect()
}

/// Lines like "`image.apt`: added `curl`" for every difference between two input documents.
fn describe_changes(at: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    if old == new {
        return;
    }
    let here = if at.is_empty() { "config" } else { at };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => describe_changes(&path, x, y, out),
                    (None, Some(y)) => out.push(format!("`{path}` added: {}", Short(y))),
                    (Some(_), None) => out.push(format!("`{path}` removed")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.iter().chain(b).all(Value::is_string) => {
            let added: Vec<String> = b
                .iter()
                .filter(|x| !a.contains(x))
                .map(|x| Short(x).to_string())
                .collect();
            let removed: Vec<String> = a
                .iter()
                .filter(|x| !b.contains(x))
                .map(|x| Short(x).to_string())
                .collect();
            if !added.is_empty() {
                out.push(format!("`{here}`: added {}", added.join(", ")));
            }
            if !removed.is_empty() {
                out.push(format!("`{here}`: removed {}", removed.join(", ")));
            }
            if added.is_empty() && removed.is_empty() {
                out.push(format!("`{here}`: order changed"));
            }
        }
        _ => out.push(format!(
            "`{here}` changed from {} to {}",
            Short(old),
            Short(new)
        )),
    }
}

/// A JSON value shown in one line, strings in backticks.
struct Short<'a>(&'a Value);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::String(s) => write!(f, "`{s}`"),
            other => write!(f, "`{}`", canonical::to_string(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra: Value) -> Spec {
        let mut v = json!({"name": "t", "base": {"image": "debian:bookworm"}});
        if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
            m.extend(e);
        }
        serde_json::from_value(v).unwrap()
    }

    fn entry_for(spec: &Spec) -> LockEntry {
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
    fn freshness_names_what_changed() {
        let s = spec(json!({"build": {"apt": ["curl", "git"]}}));
        let mut lock = LockFile::default();
        lock.set_entry(None, entry_for(&s));
        assert_eq!(freshness(Some(&lock), &s, None), Freshness::Fresh);
        assert_eq!(freshness(Some(&lock), &s, Some("gpu")), Freshness::Missing);
        assert_eq!(freshness(None, &s, None), Freshness::Missing);

        let changed =
            spec(json!({"base": {"image": "debian:trixie"}, "build": {"apt": ["curl", "make"]}}));
        let Freshness::Stale(changes) = freshness(Some(&lock), &changed, None) else {
            panic!("expected a stale lock");
        };
        assert_eq!(
            changes,
            vec![
                "`image.apt`: added `make`".to_owned(),
                "`image.apt`: removed `git`".to_owned(),
                "`image.base.image` changed from `debian:bookworm` to `debian:trixie`".to_owned(),
            ]
        );
    }

    #[test]
    fn build_steps_and_run_settings_do_not_make_a_lock_stale() {
        let s = spec(json!({}));
        let mut lock = LockFile::default();
        lock.set_entry(None, entry_for(&s));
        let edited = spec(json!({
            "build": {"steps": [{"run": "make"}]},
            "run": {"env": {"A": "1"}}
        }));
        assert_eq!(freshness(Some(&lock), &edited, None), Freshness::Fresh);
    }

    #[test]
    fn adding_a_download_or_changing_its_hash_makes_a_lock_stale() {
        let s = spec(json!({}));
        let mut lock = LockFile::default();
        lock.set_entry(None, entry_for(&s));
        let url = "https://example.org/tool.tar.gz";
        let with = |sha: Option<&str>| {
            let mut file = json!({"url": url});
            if let Some(sha) = sha {
                file["sha256"] = json!(sha);
            }
            spec(json!({"build": {"files": {"/opt/tool.tar.gz": file}}}))
        };
        let Freshness::Stale(changes) = freshness(Some(&lock), &with(None), None) else {
            panic!("a new download makes the lock stale");
        };
        assert_eq!(
            changes,
            vec![format!("`image.downloads` added: `{{\"{url}\":null}}`")]
        );

        let unpinned = with(None);
        lock.set_entry(None, entry_for(&unpinned));
        assert_eq!(freshness(Some(&lock), &unpinned, None), Freshness::Fresh);
        let pinned = with(Some(&"a".repeat(64)));
        let Freshness::Stale(changes) = freshness(Some(&lock), &pinned, None) else {
            panic!("a new spec hash makes the lock stale");
        };
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert!(changes[0].starts_with(&format!("`image.downloads.{url}` changed from `null`")));
        assert_eq!(
            freshness(Some(&lock), &s, None),
            Freshness::Stale(vec!["`image.downloads` removed".into()])
        );
    }

    #[test]
    fn an_edited_pin_or_checksum_makes_the_entry_stale() {
        // Issue 15, item 13: `lock --check` said "up to date" after a base digest was edited.
        let s = spec(json!({}));
        let mut lock = LockFile::default();
        lock.set_entry(None, entry_for(&s));
        assert_eq!(freshness(Some(&lock), &s, None), Freshness::Fresh);

        let mut edited = lock.clone();
        if let Some(BasePin::Image { digest, .. }) =
            &mut edited.default.as_mut().unwrap().image.base
        {
            *digest = Digest::of(b"another image");
        }
        let Freshness::Stale(changes) = freshness(Some(&edited), &s, None) else {
            panic!("an edited base digest must make the lock stale");
        };
        assert!(changes[0].contains("`pins` checksum"), "{changes:?}");

        let mut edited = lock.clone();
        edited.default.as_mut().unwrap().config = Digest::of(b"forged");
        let Freshness::Stale(changes) = freshness(Some(&edited), &s, None) else {
            panic!("a wrong config checksum must make the lock stale");
        };
        assert!(changes[0].contains("`config` checksum"), "{changes:?}");

        let mut old = lock.clone();
        old.default.as_mut().unwrap().pins = None;
        assert!(matches!(
            freshness(Some(&old), &s, None),
            Freshness::Stale(_)
        ));
    }

    #[test]
    fn pins_that_contradict_the_config_make_the_entry_stale() {
        let digest = "a".repeat(64);
        let s = spec(json!({"base": {"image": format!("debian@sha256:{digest}")}}));
        let mut lock = LockFile::default();
        let mut entry = entry_for(&s);
        // Re-sealed after the edit: the checksums match, the pin still contradicts the config.
        entry.image.base = Some(BasePin::Image {
            reference: format!("debian@sha256:{digest}"),
            digest: Digest::of(b"not it"),
            local: false,
        });
        let entry = LockEntry::new(entry.inputs, entry.image, entry.services);
        lock.set_entry(None, entry);
        let Freshness::Stale(changes) = freshness(Some(&lock), &s, None) else {
            panic!("a pin other than the config's digest must make the lock stale");
        };
        assert!(
            changes[0].contains("the config says sha256:aaaa"),
            "{changes:?}"
        );
    }

    #[test]
    fn orphan_variant_entries_are_listed() {
        let s = spec(json!({}));
        let mut lock = LockFile::default();
        lock.set_entry(Some("gone"), entry_for(&s));
        lock.set_entry(Some("kept"), entry_for(&s));
        assert_eq!(orphans(&lock, &["kept".to_owned()]), ["gone"]);
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
