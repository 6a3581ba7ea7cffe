//! The lock walk's [`Resolve`] on a real engine: adapts the resolvers in `resolve` (async,
//! plain inputs) to the synchronous walk in `locking`.
//!
//! Debootstrap bases are read, not made, here: their package list comes from the imported
//! base (`envc/base:<hex>`, see `BaseStep::import_tag`), which `envc build` creates. The
//! host CA bundle is lent to pip's resolving container when the config asks for it
//! (`build_host.ca_certificates`), as it is to build steps.
//!
//! pip is resolved in the image its step runs on: when apt installs packages first (python3
//! and pip themselves, often), that parent is built here by envc's executor from the plan
//! with the apt pins just resolved, so that its key and cached image are the ones the
//! build reuses.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::file::{ImagePins, LockEntry, PipPin, lock_inputs};
use super::locking::{LockingError, PipParent, Resolve, ResolvedImage};
use super::resolve::{self, AptOptions, DigestKind, PipIndex, PipOptions};
use crate::engine::Engine;
use crate::plan::{Digest, Plan, ProjectFiles, ServiceImage, StepKind};
use crate::spec::Spec;
use crate::spec::model::{DebootstrapBase, PipSpec};

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
    /// The environment being locked, to build a pip step's parent (`None`: pip is
    /// resolved on the base itself).
    pub environment: Option<Environment>,
}

/// The environment a lock entry is made for.
pub struct Environment {
    pub spec: Spec,
    pub project_root: PathBuf,
    pub variant: Option<String>,
}

impl EngineResolver {
    pub fn new(platform: &str) -> Result<Self, LockingError> {
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
            environment: None,
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
        let digest = pin
            .digest
            .parse()
            .map_err(
                |e: crate::plan::digest::ParseDigestError| LockingError::Other {
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
        let tag = crate::plan::builder::base_import_tag(
            &crate::spec::model::Base::Debootstrap(base.clone()),
            &self.platform,
        )
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
        let built_parent = match &self.environment {
            Some(environment) if !parent.pins.apt.is_empty() => Some(
                self.runtime
                    .block_on(build_parent(engine, environment, parent))?,
            ),
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
                        .map_err(|e: crate::plan::digest::ParseDigestError| {
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
                |e: crate::plan::digest::ParseDigestError| LockingError::Other {
                    what: format!("download `{url}`"),
                    message: e.to_string(),
                },
            )
    }
}

/// Build the steps before `parent`'s pip step (base and apt, with the apt pins just
/// resolved) with envc's executor, as `envc build` will, and return the image.
async fn build_parent(
    engine: &Engine,
    environment: &Environment,
    parent: &PipParent<'_>,
) -> Result<crate::build::BuiltImage, LockingError> {
    let what = match parent.service {
        None => "the pip step's parent image (base and apt packages)".to_owned(),
        Some(name) => format!("the pip step's parent image of service `{name}`"),
    };
    let other = |message: String| LockingError::Other {
        what: what.clone(),
        message,
    };
    let spec = &environment.spec;
    let (image, services) = match parent.service {
        None => (parent.pins.clone(), BTreeMap::new()),
        Some(name) => (
            ImagePins::default(),
            BTreeMap::from([(name.to_owned(), parent.pins.clone())]),
        ),
    };
    let entry = LockEntry::new(lock_inputs(spec), image, services);
    let mut files =
        ProjectFiles::open(&environment.project_root).map_err(|e| other(e.to_string()))?;
    let plan = crate::plan::plan(
        spec,
        Some(&entry),
        &mut files,
        environment.variant.as_deref(),
    )
    .map_err(|e| other(e.to_string()))?;
    let steps = match parent.service {
        None => plan.steps.clone(),
        Some(name) => match plan.services.get(name) {
            Some(ServiceImage::Build { steps }) => steps.clone(),
            _ => return Err(other(format!("service `{name}` builds no image"))),
        },
    };
    let pip_at = steps
        .iter()
        .position(|s| matches!(s.kind, StepKind::Pip(_)))
        .unwrap_or(steps.len());
    let parent_plan = Plan {
        steps: steps[..pip_at].to_vec(),
        services: BTreeMap::new(),
        ..plan
    };
    eprintln!("building {what} to resolve pip requirements in it");
    let options = crate::build::BuildOptions::default();
    let built = crate::build::build(
        engine,
        spec,
        &parent_plan,
        &environment.project_root,
        &options,
    )
    .await
    .map_err(|e| other(e.to_string()))?;
    Ok(built.image)
}
