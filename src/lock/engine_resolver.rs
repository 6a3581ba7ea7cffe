//! The lock walk's [`Resolve`] on a real engine: adapts the resolvers in `resolve` (async,
//! plain inputs) to the synchronous walk in `walk`.
//!
//! Debootstrap bases are read, not made, here: their package list comes from the imported
//! base (`envc/base:<hex>`, see `BaseStep::import_tag`; its form comes in as an [`ImportTag`]),
//! which `envc build` creates. The host CA bundle is lent to pip's resolving container when the config asks for it
//! (`build_host.ca_certificates`), as it is to build steps.
//!
//! pip is resolved in the image its step runs on: when apt installs packages first (python3
//! and pip themselves, often), that parent is built by envc's executor from the plan with
//! the apt pins just resolved (a [`BuildPipParent`] the caller hands in, see
//! `build::pip_parent`), so that its key and cached image are the ones the build reuses.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::file::PipPin;
use super::resolve::{self, AptOptions, DigestKind, PipIndex, PipOptions};
use super::walk::{ImportTag, LockingError, PipParent, Resolve, ResolvedImage};
use crate::content::Digest;
use crate::engine::Engine;
use crate::spec::model::{Base, DebootstrapBase, PipSpec};

/// The host's CA bundle, lent to resolving containers when the config asks for it.
pub const HOST_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Resolves against the engine named by the environment, connected on first use (a config
/// whose inputs pin themselves locks without an engine).
pub struct EngineResolver {
    runtime: tokio::runtime::Runtime,
    engine: Option<Engine>,
    /// The CA bundle for pip's resolution, if any.
    pub ca_bundle: Option<PathBuf>,
    /// `NAME=value` proxy variables for resolving containers.
    pub env: Vec<String>,
    /// The platform of the plan, for the import tag of debootstrap bases.
    pub platform: String,
    /// How the import tag of a debootstrap or archive base is made.
    import_tag: ImportTag,
    /// Builds a pip step's parent image (`None`: pip is resolved on the base itself).
    pub parent_builder: Option<Box<dyn BuildPipParent>>,
}

/// The image a pip step's parent was built as: its id, and the tag to remove after
/// resolving (the step images stay: the build reuses them).
pub struct ParentImage {
    pub id: String,
    pub reference: String,
}

/// Builds the steps before a pip step (base and apt, with the apt pins just resolved) as
/// `envc build` will. The caller hands it in: building needs the plan and the executor,
/// which stand above the lock (the plan reads the lock, not the other way round).
pub trait BuildPipParent {
    fn build<'a>(
        &'a self,
        engine: &'a Engine,
        parent: &'a PipParent<'a>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<ParentImage, LockingError>> + 'a>>;
}

impl EngineResolver {
    pub fn new(platform: &str, import_tag: ImportTag) -> Result<Self, LockingError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| LockingError::Other {
                what: "the async runtime".into(),
                message: e.to_string(),
            })?;
        Ok(EngineResolver {
            runtime,
            engine: None,
            ca_bundle: None,
            env: Vec::new(),
            platform: platform.to_owned(),
            import_tag,
            parent_builder: None,
        })
    }

    /// Connect on first use.
    fn connect(&mut self) -> Result<(), LockingError> {
        if self.engine.is_none() {
            let engine = self
                .runtime
                .block_on(Engine::connect())
                .map_err(resolve::ResolveError::from)?;
            self.engine = Some(engine);
        }
        Ok(())
    }
}

impl Resolve for EngineResolver {
    fn base_import_tag(&self, base: &Base, platform: &str) -> Option<String> {
        (self.import_tag)(base, platform)
    }

    fn image_digest(
        &mut self,
        reference: &str,
        _platform: &str,
    ) -> Result<ResolvedImage, LockingError> {
        self.connect()?;
        let engine = self.engine.as_ref().expect("connected above");
        let pin = self
            .runtime
            .block_on(resolve::image_digest(engine, reference))?;
        let digest =
            pin.digest
                .parse()
                .map_err(
                    |e: crate::content::digest::ParseDigestError| LockingError::Other {
                        what: format!("image `{reference}`"),
                        message: e.to_string(),
                    },
                )?;
        Ok(ResolvedImage {
            digest,
            local: pin.kind == DigestKind::ImageId,
        })
    }

    fn debootstrap_packages(
        &mut self,
        base: &DebootstrapBase,
    ) -> Result<BTreeMap<String, String>, LockingError> {
        let tag = self
            .base_import_tag(&Base::Debootstrap(base.clone()), &self.platform)
            .unwrap_or_default();
        self.connect()?;
        let engine = self.engine.as_ref().expect("connected above");
        let packages = self
            .runtime
            .block_on(resolve::installed_packages(engine, &tag))
            .map_err(|e| LockingError::Other {
                what: format!("debootstrap `{}`", base.suite),
                message: format!(
                    "its package list is read from the imported base `{tag}`, which `envc build` creates: {e}"
                ),
            })?;
        Ok(packages.into_iter().map(|p| (p.name, p.version)).collect())
    }

    fn apt_closure(
        &mut self,
        base_image: &str,
        packages: &[String],
    ) -> Result<BTreeMap<String, String>, LockingError> {
        let options = AptOptions {
            env: self.env.clone(),
            network: None,
        };
        self.connect()?;
        let engine = self.engine.as_ref().expect("connected above");
        let closure = self
            .runtime
            .block_on(resolve::apt_closure(engine, base_image, packages, &options))?;
        Ok(closure
            .installed
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect())
    }

    fn pip_pins(
        &mut self,
        parent: &PipParent<'_>,
        pip: &PipSpec,
    ) -> Result<BTreeMap<String, PipPin>, LockingError> {
        let options = PipOptions {
            interpreter: pip.python.as_str().to_owned(),
            index: PipIndex {
                index_url: pip.index_url.as_ref().map(|u| u.as_str().to_owned()),
                extra_index_urls: pip
                    .extra_index_urls
                    .iter()
                    .map(|u| u.as_str().to_owned())
                    .collect(),
                trusted_hosts: Vec::new(),
            },
            ca_bundle: self.ca_bundle.clone(),
            env: self.env.clone(),
            network: None,
        };
        let requirements: Vec<String> =
            pip.packages.iter().map(|p| p.as_str().to_owned()).collect();
        self.connect()?;
        let engine = self.engine.as_ref().expect("connected above");
        let built_parent = match &self.parent_builder {
            Some(builder) if !parent.pins.apt.is_empty() => {
                Some(self.runtime.block_on(builder.build(engine, parent))?)
            }
            _ => None,
        };
        let image = built_parent
            .as_ref()
            .map_or(parent.base_image, |p| p.id.as_str());
        let packages =
            self.runtime
                .block_on(resolve::pip_lock(engine, image, &requirements, &options));
        if let Some(built) = &built_parent {
            // The step images stay (the build reuses them); only the finished-image tag
            // of this partial plan goes.
            let _ = self
                .runtime
                .block_on(engine.remove_image(&built.reference, false));
        }
        let packages = packages?;
        let mut out = BTreeMap::new();
        for p in packages {
            let mut hashes = Vec::new();
            for h in &p.hashes {
                let digest: Digest =
                    h.parse()
                        .map_err(|e: crate::content::digest::ParseDigestError| {
                            LockingError::Other {
                                what: format!("pip package `{}`", p.name),
                                message: e.to_string(),
                            }
                        })?;
                hashes.push(digest);
            }
            hashes.sort();
            out.insert(
                p.name,
                PipPin {
                    version: p.version,
                    hashes,
                },
            );
        }
        Ok(out)
    }

    /// Fetched by the host, streamed through the hash: no engine needed.
    fn download_sha256(&mut self, url: &str) -> Result<Digest, LockingError> {
        let download = self.runtime.block_on(resolve::download_sha256(url))?;
        format!("sha256:{}", download.sha256)
            .parse::<Digest>()
            .map_err(
                |e: crate::content::digest::ParseDigestError| LockingError::Other {
                    what: format!("download `{url}`"),
                    message: e.to_string(),
                },
            )
    }
}
