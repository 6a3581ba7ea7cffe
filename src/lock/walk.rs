//! Making a lock entry: walk a spec's floating inputs and ask a [`Resolve`] for each pin.
//!
//! The walk (which inputs need which pin, per image and service) lives here; talking to
//! engines, registries and package indexes lives behind the trait, implemented by the
//! resolvers next to this file. Inputs that pin themselves — an image reference with a
//! digest, an archive with its SHA-256 — need no resolver. Downloads are always fetched,
//! also when the config gives their SHA-256: locking is when a changed file is noticed.
//! pip is resolved on the pip step's real parent (base and apt closure, see [`PipParent`]),
//! so that the lock matches what the build's pip step sees.

use std::collections::BTreeMap;
use std::path::Path;

use super::file::{
    BasePin, ImagePins, LockEntry, PipPin, apt_requests, download_requests, lock_inputs,
};
use crate::content::Digest;
use crate::spec::Spec;
use crate::spec::model::{Base, BuildSpec, DebootstrapBase, PipSpec};

/// Why locking failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LockingError {
    /// A resolver failed against the engine, a registry or an index (boxed: it is large).
    #[error(transparent)]
    Resolve(Box<super::resolve::ResolveError>),
    /// A download is not what the config's `sha256` says.
    #[error("download `{url}` has SHA-256 {found}, the config says {expected}")]
    #[diagnostic(help(
        "if the new file is intended, update its `sha256` in the config; otherwise the server changed the file"
    ))]
    DownloadMismatch {
        url: String,
        expected: String,
        found: String,
    },
    /// Anything else, in words for the user.
    #[error("cannot resolve {what}: {message}")]
    Other { what: String, message: String },
}

impl From<super::resolve::ResolveError> for LockingError {
    fn from(error: super::resolve::ResolveError) -> Self {
        LockingError::Resolve(Box::new(error))
    }
}

impl LockingError {
    /// Which exit code this failure means.
    pub fn failure(&self) -> crate::exit::Failure {
        match self {
            LockingError::Resolve(e) => e.failure(),
            LockingError::DownloadMismatch { .. } => crate::exit::Failure::Input,
            LockingError::Other { .. } => crate::exit::Failure::Environment,
        }
    }
}

/// An image reference's digest, and whether it is only a local image ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedImage {
    pub digest: Digest,
    pub local: bool,
}

/// What locking needs from the outside world.
pub trait Resolve {
    /// The digest of an image reference (local engine or registry) for `platform`.
    fn image_digest(
        &mut self,
        reference: &str,
        platform: &str,
    ) -> Result<ResolvedImage, LockingError>;
    /// The package list (name → version) a debootstrap of `base` produces.
    fn debootstrap_packages(
        &mut self,
        base: &DebootstrapBase,
    ) -> Result<BTreeMap<String, String>, LockingError>;
    /// The full closure (name → version) that installing `packages` adds to `base_image`
    /// (a pinned `repo@sha256:...` reference, or envc's tag of an imported base).
    fn apt_closure(
        &mut self,
        base_image: &str,
        packages: &[String],
    ) -> Result<BTreeMap<String, String>, LockingError>;
    /// Exact versions and hashes of every distribution `pip` installs for `pip` in the image
    /// state just before the pip step: `parent`, the pinned base with the apt closure on it.
    fn pip_pins(
        &mut self,
        parent: &PipParent<'_>,
        pip: &PipSpec,
    ) -> Result<BTreeMap<String, PipPin>, LockingError>;
    /// The SHA-256 of what `url` serves.
    fn download_sha256(&mut self, url: &str) -> Result<Digest, LockingError>;
    /// The engine tag under which `envc build` imports a debootstrap or archive `base`
    /// (`None` for a registry image): the tag is made from the base step's key, which the
    /// plan owns, so the caller hands the function in ([`ImportTag`]).
    fn base_import_tag(&self, base: &Base, platform: &str) -> Option<String>;
}

/// How a base's import tag is made: the plan's `planner::base_import_tag`, passed in by
/// the caller so that the lock, which the plan reads, does not read the plan.
pub type ImportTag = fn(&Base, &str) -> Option<String>;

/// The image a pip step runs on, as far as it is locked when pip is resolved: the pinned
/// base (`base_image`) and the apt closure the build installs on it first (`pins.apt`).
pub struct PipParent<'a> {
    /// The pinned base: `repo@sha256:...`, or envc's tag of an imported base.
    pub base_image: &'a str,
    /// The service whose image this is (`None`: the main image).
    pub service: Option<&'a str>,
    /// The image's pins so far: base and apt.
    pub pins: &'a ImagePins,
}

/// The lock entry of `spec`, resolving every floating input through `resolver`.
pub fn lock_entry(
    spec: &Spec,
    project_root: &Path,
    resolver: &mut dyn Resolve,
) -> Result<LockEntry, LockingError> {
    let platform = spec.platform.as_str();
    let image = image_pins(
        &spec.base,
        &spec.build,
        None,
        platform,
        project_root,
        resolver,
    )?;
    let mut services = BTreeMap::new();
    for (name, service) in &spec.services {
        let pins = match (&service.image, &service.build) {
            (Some(image), _) => ImagePins {
                base: Some(image_pin(image.as_str(), platform, resolver)?),
                ..ImagePins::default()
            },
            (None, Some(build)) => image_pins(
                &build.base,
                &build.build,
                Some(name.as_str()),
                platform,
                project_root,
                resolver,
            )?,
            (None, None) => continue,
        };
        services.insert(name.as_str().to_owned(), pins);
    }
    let inputs = lock_inputs(spec);
    Ok(LockEntry::new(inputs, image, services))
}

fn image_pin(
    reference: &str,
    platform: &str,
    resolver: &mut dyn Resolve,
) -> Result<BasePin, LockingError> {
    let resolved = match reference.split_once('@') {
        Some((_, digest)) => ResolvedImage {
            digest: digest
                .parse()
                .map_err(
                    |e: crate::content::digest::ParseDigestError| LockingError::Other {
                        what: format!("image `{reference}`"),
                        message: e.to_string(),
                    },
                )?,
            local: false,
        },
        None => resolver.image_digest(reference, platform)?,
    };
    Ok(BasePin::Image {
        reference: reference.to_owned(),
        digest: resolved.digest,
        local: resolved.local,
    })
}

fn image_pins(
    base: &Base,
    build: &BuildSpec,
    service: Option<&str>,
    platform: &str,
    project_root: &Path,
    resolver: &mut dyn Resolve,
) -> Result<ImagePins, LockingError> {
    let base_pin = match base {
        Base::Image(image) => image_pin(image.as_str(), platform, resolver)?,
        Base::Debootstrap(d) => BasePin::Debootstrap {
            suite: d.suite.as_str().to_owned(),
            mirror: d.mirror.as_str().to_owned(),
            snapshot: d.snapshot.as_ref().map(|s| s.as_str().to_owned()),
            packages: resolver.debootstrap_packages(d)?,
        },
        Base::Archive(a) => {
            // Beneath the project root, with no symlink leaving it.
            let bytes = crate::project_fs::ProjectRoot::open(project_root)
                .and_then(|root| root.read(Path::new(a.path.as_str())))
                .map_err(|e| LockingError::Other {
                    what: format!("archive `{}`", a.path),
                    message: e.to_string(),
                })?;
            let actual = Digest::of(&bytes);
            if actual.hex() != a.sha256.as_str() {
                return Err(LockingError::Other {
                    what: format!("archive `{}`", a.path),
                    message: format!(
                        "its SHA-256 is {actual}, the config says sha256:{}",
                        a.sha256
                    ),
                });
            }
            BasePin::Archive {
                path: a.path.as_str().to_owned(),
                sha256: actual,
            }
        }
    };
    // Packages are resolved on the pinned base: by digest, or by the tag of the imported
    // debootstrap or archive base.
    let base_image = base_pin
        .image_by_digest()
        .or_else(|| resolver.base_import_tag(base, platform))
        .unwrap_or_default();
    let apt = apt_requests(build);
    let apt = if apt.is_empty() {
        BTreeMap::new()
    } else {
        resolver.apt_closure(&base_image, &apt)?
    };
    let mut pins = ImagePins {
        base: Some(base_pin),
        apt,
        ..ImagePins::default()
    };
    if !build.pip.packages.is_empty() {
        // pip runs after apt (which may bring pip and Python themselves): resolve there.
        let parent = PipParent {
            base_image: &base_image,
            service,
            pins: &pins,
        };
        pins.pip = resolver.pip_pins(&parent, &build.pip)?;
    }
    let mut downloads = BTreeMap::new();
    for (url, expected) in download_requests(build) {
        let found = resolver.download_sha256(&url)?;
        if let Some(expected) = expected
            && expected != found.hex()
        {
            return Err(LockingError::DownloadMismatch {
                url,
                expected: format!("sha256:{expected}"),
                found: found.to_string(),
            });
        }
        downloads.insert(url, found);
    }
    pins.downloads = downloads;
    Ok(pins)
}
