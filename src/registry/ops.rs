//! The registry operations `envc push`, `envc pull` and `envc build --push` run: one function
//! each, over a spec and its plan.

use std::path::PathBuf;

use crate::apptainer::cache as sif_cache;
use crate::build::cache::{self, image_tag};
use crate::build::rootfs_label::ROOTFS_LABEL;
use crate::engine::Engine;
use crate::plan::step::{BaseStep, StepKind};
use crate::plan::{Key, Plan, ServiceImage, Step};
use crate::rootfs::layers::LayerStack;
use crate::spec::Spec;

use super::client::RegistryClient;
use super::error::RegistryError;
use super::manifest::Claims;
use super::pull::{PullResult, PulledImage, pull_image};
use super::push::{PushTarget, Pushed, push_images};
use super::save::{Saved, save};
use super::sif::{PulledSif, pull_sif, push_sif};
use super::target::Registry;

/// One chain of steps and the name of its finished image (`envc/<name>[-<service>]`).
pub struct Chain<'p> {
    pub image_name: String,
    pub steps: &'p [Step],
}

/// The chains of a plan: the environment's, then each built service's.
pub fn chains(plan: &Plan) -> Vec<Chain<'_>> {
    let name = plan.image_name();
    let mut chains = vec![Chain {
        image_name: name.clone(),
        steps: &plan.steps,
    }];
    for (service, image) in &plan.services {
        if let ServiceImage::Build { steps } = image {
            chains.push(Chain {
                image_name: format!("{name}-{service}"),
                steps,
            });
        }
    }
    chains
}

/// The digest of the build-side config, as `envc.lock` records it.
pub fn inputs_digest(spec: &Spec) -> String {
    let inputs = crate::lock::file::lock_inputs(spec);
    crate::lock::file::config_digest(&inputs).to_string()
}

/// Steps that are envc's images (an image base belongs to its own registry).
fn own_steps(steps: &[Step]) -> impl Iterator<Item = &Step> {
    steps
        .iter()
        .filter(|s| !matches!(s.kind, StepKind::Base(BaseStep::Image { .. })))
}

/// Push every step image and finished image of `plan` (they must be built).
pub async fn push_docker(
    engine: &Engine,
    client: &RegistryClient,
    spec: &Spec,
    plan: &Plan,
) -> Result<Vec<Pushed>, RegistryError> {
    let registry = client.registry();
    let chains = chains(plan);
    let mut tags = Vec::new();
    let mut local = Vec::new();
    // Steps that only the registry has (a machine that pulled the finished image has none of
    // the intermediate ones) are already where they should be.
    let mut already = Vec::new();
    for chain in &chains {
        for step in own_steps(chain.steps) {
            let tag = cache::step_tag(&step.key);
            if cache::lookup(engine, &step.key).await?.is_some() {
                local.push(step.key);
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
                continue;
            }
            let reference = registry.step(&step.key);
            match client.head(&reference).await? {
                Some(digest) => already.push(Pushed {
                    reference: Registry::show(&reference),
                    digest,
                    sent: false,
                    bytes: 0,
                }),
                None => return Err(RegistryError::NotBuilt { image: tag }),
            }
        }
        let last = chain.steps.last().expect("a chain has its base step");
        let finished = image_tag(&chain.image_name, &last.key);
        let image = engine.find_image(&finished).await?;
        if !image.is_some_and(|i| cache::labels_match(&i.labels, &last.key)) {
            return Err(RegistryError::NotBuilt { image: finished });
        }
    }
    let saved = save(engine, &tags).await?;
    let inputs = inputs_digest(spec);
    let mut targets = Vec::new();
    for chain in &chains {
        let steps: Vec<&Step> = own_steps(chain.steps)
            .filter(|s| local.contains(&s.key))
            .collect();
        let mut digests = rootfs_digests(&saved, &steps)?;
        let last = *steps.last().expect("a chain has its own last step");
        // The finished image's label was computed from a container export when it was
        // built; the layers must give the same files, or the local image was changed.
        let finished = saved_image(&saved, &last.key)?;
        let labels = crate::registry::manifest::config_labels(&finished.config)
            .map_err(|reason| RegistryError::Save { reason })?;
        let label = labels.get(ROOTFS_LABEL).cloned().unwrap_or_default();
        let computed = digests.last().cloned().unwrap_or_default();
        if label != computed {
            return Err(RegistryError::LocalMismatch {
                image: cache::step_tag(&last.key),
                reason: format!("it is labelled `{label}`, its layers give `{computed}`"),
            });
        }
        for (step, rootfs) in steps.iter().zip(digests.drain(..)) {
            let claims = Claims {
                key: step.key.hex(),
                rootfs,
                inputs: Some(inputs.clone()),
                parent: step.parent.map(|k| k.hex()),
            };
            let image = saved_index(&saved, &step.key)?;
            targets.push(PushTarget {
                reference: registry.step(&step.key),
                image,
                claims: claims.clone(),
            });
            if step.key == last.key {
                targets.push(PushTarget {
                    reference: registry.image(&chain.image_name, &step.key),
                    image,
                    claims,
                });
            }
        }
    }
    // Step images first, in plan order; finished images last.
    targets.sort_by_key(|t| t.reference.repository() != registry_step_repository(registry));
    let mut pushed = already;
    pushed.extend(push_images(client, &saved, &targets).await?);
    Ok(pushed)
}

fn registry_step_repository(registry: &Registry) -> String {
    registry.step(&Key([0; 32])).repository().to_owned()
}

/// A saved tag as Docker writes it (Podman qualifies names with `localhost/`).
fn familiar(tag: &str) -> &str {
    tag.strip_prefix("localhost/")
        .or_else(|| tag.strip_prefix("docker.io/library/"))
        .or_else(|| tag.strip_prefix("docker.io/"))
        .unwrap_or(tag)
}

fn saved_index(saved: &Saved, key: &Key) -> Result<usize, RegistryError> {
    let tag = cache::step_tag(key);
    saved
        .images
        .iter()
        .position(|i| i.tags.iter().any(|t| familiar(t) == tag))
        .ok_or_else(|| RegistryError::Save {
            reason: format!("the engine did not save `{tag}`"),
        })
}

fn saved_image<'s>(
    saved: &'s Saved,
    key: &Key,
) -> Result<&'s super::save::SavedImage, RegistryError> {
    Ok(&saved.images[saved_index(saved, key)?])
}

/// The rootfs digest of each step image, from its layers (applied once for the chain).
fn rootfs_digests(saved: &Saved, steps: &[&Step]) -> Result<Vec<String>, RegistryError> {
    let mut stack = LayerStack::new();
    let mut applied: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for step in steps {
        let image = saved_image(saved, &step.key)?;
        if !image.layers.starts_with(&applied) {
            stack = LayerStack::new();
            applied.clear();
        }
        for index in &image.layers[applied.len()..] {
            stack
                .apply(&saved.layers[*index].changes)
                .map_err(|e| RegistryError::Save {
                    reason: format!(
                        "a layer of `{}` cannot be applied: {e}",
                        cache::step_tag(&step.key)
                    ),
                })?;
        }
        applied = image.layers.clone();
        out.push(stack.listing().digest());
    }
    Ok(out)
}

/// Push the cached SIF of `plan`.
pub async fn push_sif_of(
    client: &RegistryClient,
    spec: &Spec,
    plan: &Plan,
) -> Result<Pushed, RegistryError> {
    let key = plan.key();
    let path = sif_cache::sif_path(&key);
    if !sif_cache::is_current(&path, &key) {
        return Err(RegistryError::NotBuilt {
            image: path.display().to_string(),
        });
    }
    push_sif(
        client,
        &plan.image_name(),
        &key,
        &path,
        Some(inputs_digest(spec)),
    )
    .await
}

/// What `envc pull` did for one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PulledEntry {
    /// The engine already had it.
    Present { reference: String },
    Pulled {
        reference: String,
        image: PulledImage,
    },
}

/// Pull the finished images of `plan` (the environment's and its services') that the engine
/// does not have, verified, and tag them as a build would.
pub async fn pull_docker(
    engine: &Engine,
    client: &RegistryClient,
    plan: &Plan,
) -> Result<Vec<PulledEntry>, RegistryError> {
    let registry = client.registry();
    let mut out = Vec::new();
    for chain in chains(plan) {
        let last = chain.steps.last().expect("a chain has its base step");
        let finished = image_tag(&chain.image_name, &last.key);
        let local = engine.find_image(&finished).await?;
        if local.is_some_and(|i| cache::labels_match(&i.labels, &last.key)) {
            out.push(PulledEntry::Present {
                reference: finished,
            });
            continue;
        }
        let reference = registry.image(&chain.image_name, &last.key);
        let tags = [cache::step_tag(&last.key), finished.clone()];
        match pull_image(client, engine, &reference, &last.key, &tags).await? {
            PullResult::Pulled(image) => out.push(PulledEntry::Pulled {
                reference: finished,
                image,
            }),
            PullResult::Refused(refusal) => return Err(refusal.into()),
        }
    }
    Ok(out)
}

/// Pull the SIF of `plan` into envc's SIF cache, verified; no engine involved. `None` when
/// the cache already holds it.
pub async fn pull_sif_of(
    client: &RegistryClient,
    plan: &Plan,
) -> Result<Option<PulledSif>, RegistryError> {
    let key = plan.key();
    let path: PathBuf = sif_cache::sif_path(&key);
    if sif_cache::is_current(&path, &key) {
        return Ok(None);
    }
    let reference = client.registry().sif(&plan.image_name(), &key);
    match pull_sif(client, &reference, &key, &path).await? {
        Ok(pulled) => Ok(Some(pulled)),
        Err(refusal) => Err(refusal.into()),
    }
}

/// What `envc push` sends: the Docker images, the SIF, or both.
pub struct PushRequest<'a> {
    pub spec: &'a Spec,
    pub plan: &'a Plan,
    pub registry: &'a Registry,
    pub docker: bool,
    pub sif: bool,
}

/// Push what `request` asks for; the engine is connected only for the Docker images.
pub async fn push(request: PushRequest<'_>) -> Result<Vec<Pushed>, RegistryError> {
    let client = RegistryClient::connect(request.registry)?;
    let mut pushed = Vec::new();
    if request.docker {
        let engine = Engine::connect().await?;
        pushed.extend(push_docker(&engine, &client, request.spec, request.plan).await?);
    }
    if request.sif {
        pushed.push(push_sif_of(&client, request.spec, request.plan).await?);
    }
    Ok(pushed)
}

/// What `envc pull` fetches.
pub struct PullRequest<'a> {
    pub plan: &'a Plan,
    pub registry: &'a Registry,
    pub docker: bool,
    pub sif: bool,
}

/// What `envc pull` did.
#[derive(Debug, Default)]
pub struct PullReport {
    pub images: Vec<PulledEntry>,
    /// `Some(None)`: the SIF cache already held it.
    pub sif: Option<Option<PulledSif>>,
}

/// Pull what `request` asks for; the engine is connected only for the Docker images, so a
/// SIF pull works on a machine without one.
pub async fn pull(request: PullRequest<'_>) -> Result<PullReport, RegistryError> {
    let client = RegistryClient::connect(request.registry)?;
    let mut report = PullReport::default();
    if request.docker {
        let engine = Engine::connect().await?;
        report.images = pull_docker(&engine, &client, request.plan).await?;
    }
    if request.sif {
        report.sif = Some(pull_sif_of(&client, request.plan).await?);
    }
    Ok(report)
}
