//! The inventory of one locked environment: its subject (the image by key, and its image ID,
//! rootfs digest and SIF when built) and one component per locked input — the base, every
//! apt package, every pip distribution, every download — with the step that brings it in.
//!
//! The SBOM formats ([`super::spdx`], [`super::cyclonedx`]) and the provenance render this one
//! description, so the documents cannot disagree about what an environment holds.

use std::collections::BTreeMap;

use crate::escape::purl::purl;
use crate::lock::file::{BasePin, LockEntry, repository_of};
use crate::plan::{Key, Plan, StepKind};

use super::installed::Installed;
use super::license::License;

/// Which package ecosystem a component belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ecosystem {
    /// The base image, root filesystem or archive.
    Base,
    Deb,
    Pypi,
    Download,
}

impl Ecosystem {
    pub fn name(self) -> &'static str {
        match self {
            Ecosystem::Base => "base",
            Ecosystem::Deb => "deb",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Download => "download",
        }
    }
}

/// Who distributes a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Supplier {
    Person { name: String, email: Option<String> },
    Organization(String),
}

impl Supplier {
    /// A Debian `Maintainer:` field (`Name <email>`).
    fn from_maintainer(text: &str) -> Supplier {
        let (name, email) = match text.split_once('<') {
            Some((name, rest)) => (name.trim(), rest.split('>').next().map(str::trim)),
            None => (text.trim(), None),
        };
        Supplier::Person {
            name: name.to_owned(),
            email: email.filter(|e| !e.is_empty()).map(str::to_owned),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Supplier::Person { name, .. } | Supplier::Organization(name) => name,
        }
    }
}

/// One locked input.
#[derive(Debug, Clone)]
pub struct Component {
    /// Unique in the inventory: `ecosystem:name` (used for SPDX IDs and bom-refs).
    pub id: String,
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    pub purl: String,
    /// SHA-256 digests (hex) of what the component is: the image, the wheel, the file.
    pub sha256: Vec<String>,
    pub supplier: Supplier,
    /// Where it was fetched from, when the lock says.
    pub download: Option<String>,
    pub license: Option<License>,
    /// The label of the step that installs it (`None` for what the base contains).
    pub step: Option<String>,
    /// Part of the base rather than installed on it.
    pub in_base: bool,
}

/// What the documents are about.
#[derive(Debug, Clone)]
pub struct Subject {
    /// `envc/<name>[-<variant>]`.
    pub name: String,
    pub variant: Option<String>,
    pub key: Key,
    pub platform: String,
    /// The finished image's ID (`sha256:…`), when built.
    pub image_id: Option<String>,
    /// Its rootfs digest (`dev.envc.rootfs`), when built.
    pub rootfs: Option<String>,
    /// The SHA-256 (hex) of the cached SIF, when built.
    pub sif_sha256: Option<String>,
}

impl Subject {
    /// The purl of the finished image: by ID when built, else by key.
    pub fn purl(&self) -> String {
        let (repository, name) = match self.name.rsplit_once('/') {
            Some((_, last)) => (self.name.as_str(), last),
            None => (self.name.as_str(), self.name.as_str()),
        };
        let version = self.image_id.clone().unwrap_or_else(|| self.key.hex());
        purl(
            "oci",
            None,
            name,
            Some(&version),
            &[
                ("repository_url", repository),
                ("arch", deb_arch(&self.platform)),
                ("tag", &self.key.short()),
            ],
        )
    }
}

/// The whole inventory.
#[derive(Debug, Clone)]
pub struct Inventory {
    pub subject: Subject,
    /// Sorted by ecosystem, then name.
    pub components: Vec<Component>,
}

/// What was read from the built images.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The finished image.
    pub image: Installed,
    /// The base step's image (what the base contains).
    pub base: Installed,
}

/// The Debian architecture of an OCI platform (`linux/arm64` → `arm64`).
pub fn deb_arch(platform: &str) -> &str {
    let rest = platform.split_once('/').map_or(platform, |(_, r)| r);
    match rest {
        "amd64" => "amd64",
        "arm64" | "arm64/v8" => "arm64",
        "arm/v7" => "armhf",
        "arm/v6" | "arm/v5" => "armel",
        "386" => "i386",
        "ppc64le" => "ppc64el",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        other => other,
    }
}

impl Inventory {
    /// The inventory of `plan` from its lock `entry`, with what was read from the built
    /// images (licenses, architectures, the base's own packages) when there is any.
    pub fn new(plan: &Plan, entry: &LockEntry, subject: Subject, observed: &Observed) -> Self {
        let steps = StepLabels::of(plan);
        let arch = deb_arch(&plan.platform).to_owned();
        let mut components = Vec::new();
        let deb = |name: &str, version: &str, step: Option<String>, in_base: bool| {
            let seen = observed
                .image
                .deb
                .get(name)
                .or_else(|| observed.base.deb.get(name));
            let arch = seen.map_or(arch.as_str(), |p| p.arch.as_str());
            let arch = if arch.is_empty() {
                deb_arch(&plan.platform)
            } else {
                arch
            };
            Component {
                id: format!("deb:{name}"),
                ecosystem: Ecosystem::Deb,
                name: name.to_owned(),
                version: version.to_owned(),
                purl: purl(
                    "deb",
                    Some("debian"),
                    name,
                    Some(version),
                    &[("arch", arch)],
                ),
                sha256: Vec::new(),
                supplier: seen.and_then(|p| p.maintainer.as_deref()).map_or(
                    Supplier::Organization("Debian".into()),
                    Supplier::from_maintainer,
                ),
                download: None,
                license: seen.and_then(|p| p.license.clone()),
                step,
                in_base,
            }
        };
        if let Some(base) = &entry.image.base {
            components.push(base_component(base, &plan.platform, steps.base.clone()));
            let base_packages: BTreeMap<String, String> = match base {
                BasePin::Debootstrap { packages, .. } => packages.clone(),
                _ => observed
                    .base
                    .deb
                    .iter()
                    .map(|(name, p)| (name.clone(), p.version.clone()))
                    .collect(),
            };
            for (name, version) in &base_packages {
                if !entry.image.apt.contains_key(name) {
                    components.push(deb(name, version, None, true));
                }
            }
        }
        for (name, version) in &entry.image.apt {
            components.push(deb(name, version, steps.apt.clone(), false));
        }
        for (name, pin) in &entry.image.pip {
            let seen = observed.image.pip.get(name);
            components.push(Component {
                id: format!("pypi:{name}"),
                ecosystem: Ecosystem::Pypi,
                name: name.clone(),
                version: pin.version.clone(),
                purl: purl("pypi", None, name, Some(&pin.version), &[]),
                sha256: pin.hashes.iter().map(|h| h.hex()).collect(),
                supplier: Supplier::Organization("Python Package Index".into()),
                download: None,
                license: seen.and_then(|d| d.license.clone()),
                step: steps.pip.clone(),
                in_base: false,
            });
        }
        for (url, sha256) in &entry.image.downloads {
            let file = url
                .split(['?', '#'])
                .next()
                .unwrap_or(url)
                .rsplit('/')
                .find(|s| !s.is_empty())
                .unwrap_or("download");
            let host = url
                .split_once("://")
                .map_or(url.as_str(), |(_, r)| r.split('/').next().unwrap_or(r));
            let checksum = format!("sha256:{}", sha256.hex());
            components.push(Component {
                id: format!("download:{url}"),
                ecosystem: Ecosystem::Download,
                name: file.to_owned(),
                version: checksum.clone(),
                purl: purl(
                    "generic",
                    None,
                    file,
                    None,
                    &[("download_url", url), ("checksum", &checksum)],
                ),
                sha256: vec![sha256.hex()],
                supplier: Supplier::Organization(host.to_owned()),
                download: Some(url.clone()),
                license: None,
                step: steps.downloads.get(url).cloned(),
                in_base: false,
            });
        }
        components.sort_by(|a, b| (a.ecosystem, &a.name).cmp(&(b.ecosystem, &b.name)));
        Inventory {
            subject,
            components,
        }
    }

    /// Every `LicenseRef-` the components use, with the name it stands for.
    pub fn license_refs(&self) -> BTreeMap<String, String> {
        self.components
            .iter()
            .filter_map(|c| c.license.as_ref())
            .flat_map(|l| l.refs.iter().cloned())
            .collect()
    }
}

/// The component of the base.
fn base_component(base: &BasePin, platform: &str, step: Option<String>) -> Component {
    let arch = deb_arch(platform);
    let (name, version, purl, sha256, download) = match base {
        BasePin::Image {
            reference, digest, ..
        } => {
            let repository = repository_of(reference);
            let name = repository.rsplit('/').next().unwrap_or(repository);
            let version = digest.to_string();
            let purl = purl(
                "oci",
                None,
                name,
                Some(&version),
                &[("repository_url", repository), ("arch", arch)],
            );
            (name.to_owned(), version, purl, vec![digest.hex()], None)
        }
        BasePin::Debootstrap { suite, mirror, .. } => {
            let name = format!("debootstrap-{suite}");
            let purl = purl(
                "generic",
                None,
                &name,
                Some(suite),
                &[("download_url", mirror), ("arch", arch)],
            );
            (name, suite.clone(), purl, Vec::new(), Some(mirror.clone()))
        }
        BasePin::Archive { path, sha256 } => {
            let name = path.rsplit('/').next().unwrap_or(path).to_owned();
            let checksum = sha256.to_string();
            let purl = purl("generic", None, &name, None, &[("checksum", &checksum)]);
            (name, checksum, purl, vec![sha256.hex()], None)
        }
    };
    let supplier = match base {
        BasePin::Image { reference, .. } => {
            let repository = repository_of(reference);
            let first = repository.split('/').next().unwrap_or(repository);
            let registry = if repository.contains('/')
                && (first.contains('.') || first.contains(':') || first == "localhost")
            {
                first
            } else {
                "docker.io"
            };
            Supplier::Organization(registry.to_owned())
        }
        BasePin::Debootstrap { .. } => Supplier::Organization("Debian".into()),
        BasePin::Archive { .. } => Supplier::Organization("the project".into()),
    };
    Component {
        id: format!("base:{name}"),
        ecosystem: Ecosystem::Base,
        name,
        version,
        purl,
        sha256,
        supplier,
        download,
        license: None,
        step,
        in_base: false,
    }
}

/// The labels of the steps that bring in each kind of input.
#[derive(Default)]
struct StepLabels {
    base: Option<String>,
    apt: Option<String>,
    pip: Option<String>,
    downloads: BTreeMap<String, String>,
}

impl StepLabels {
    fn of(plan: &Plan) -> Self {
        let mut labels = StepLabels::default();
        for step in &plan.steps {
            let label = format!("{} {}", step.index, step.label);
            match &step.kind {
                StepKind::Base(_) => labels.base = Some(label),
                StepKind::Apt(_) => labels.apt = Some(label),
                StepKind::Pip(_) => labels.pip = Some(label),
                StepKind::File(f) => {
                    if let crate::plan::step::FileContent::Download { url, .. } = &f.source {
                        labels.downloads.insert(url.clone(), label);
                    }
                }
                _ => {}
            }
        }
        labels
    }
}
