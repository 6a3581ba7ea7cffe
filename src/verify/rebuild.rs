//! `envc verify --rebuild`: build the plan again from scratch and compare the files.
//!
//! Isolation: the rebuild runs every step after the base again (`no_cache`) and tags its
//! images in a namespace of its own (`envc-verify-<unique>/step:<key>`, see
//! [`crate::build::cache::Tags`]), so envc's cache is never touched — a build or `envc up`
//! running meanwhile sees only the original images — and the namespace is removed
//! afterwards, on failure too. The base is shared: it is a pinned input (an image by
//! digest, or a debootstrap/archive base by its key), found in envc's cache and not
//! rebuilt. The original must exist: it is what the rebuild is compared with.
//!
//! Normalisations that make a rebuild comparable are the rootfs digest's (mtimes are not
//! compared; volatile paths such as logs and apt lists are excluded and reported, see
//! `crate::rootfs::exclude`); nothing else is rewritten, so a step that writes timestamps
//! or random bytes into files shows up here as a difference, with its paths.

use std::path::Path;

use crate::build::cache::{Tags, image_tag};
use crate::build::{BuildError, BuildOptions, ProgressMode};
use crate::engine::Engine;
use crate::engine::{ImageListError, list_image};
use crate::plan::{Plan, ServiceImage};
use crate::rootfs::diff;
use crate::spec::Spec;

use super::Check;
use super::check::describe_differences;

/// Why the rebuild could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    List(#[from] ImageListError),
}

/// Rebuild `plan` and compare its files with the cached image's.
pub async fn check(
    engine: &Engine,
    spec: &Spec,
    plan: &Plan,
    project_root: &Path,
) -> Result<Check, RebuildError> {
    let name = "rebuild";
    let reference = image_tag(&plan.image_name(), &plan.key());
    let Some(original) = engine
        .find_image(&reference)
        .await
        .map_err(BuildError::from)?
    else {
        return Ok(Check::fail(
            name,
            vec![format!(
                "`{reference}` is not built: nothing to compare a rebuild with"
            )],
        ));
    };
    let tags = Tags::isolated(&namespace());
    let options = BuildOptions {
        no_cache: true,
        progress: ProgressMode::Quiet,
        tags: tags.clone(),
        ..Default::default()
    };
    let rebuilt = crate::build::build(engine, spec, plan, project_root, &options).await;
    let compared = match &rebuilt {
        Ok(built) => Some((
            list_image(engine, &original.id).await,
            list_image(engine, &built.image.id).await,
        )),
        Err(_) => None,
    };
    remove_namespace(engine, &tags, plan).await;
    let built = rebuilt?;
    let (before, after) = compared.expect("compared when the rebuild succeeded");
    let (before, after) = (before?, after?);
    let (d0, d1) = (before.digest(), after.digest());
    if d0 == d1 {
        return Ok(Check::pass(
            name,
            vec![format!(
                "{} step(s) run again in an isolated namespace: same files ({d0})",
                built.image.executed
            )],
        ));
    }
    let mut details = vec![format!(
        "the rebuild gives {d1}, the cached `{reference}` {d0}"
    )];
    details.extend(describe_differences(
        &diff(&before.entries, &after.entries),
        "the cached image",
        "the rebuild",
    ));
    Ok(Check::fail(name, details))
}

/// A namespace no other run uses: this process and the time it asked.
fn namespace() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("envc-verify-{}-{:x}", std::process::id(), nanos % (1 << 40))
}

/// Remove every tag the rebuild may have made (the engine then deletes the images no other
/// tag holds). Best effort: what is left is garbage for `docker image prune`, never a
/// cache entry, since nothing looks in the namespace again.
async fn remove_namespace(engine: &Engine, tags: &Tags, plan: &Plan) {
    // Finished images first, then step images from the last to the base: a step image is
    // the parent of the next, and the engine deletes an image once no tag or child holds it.
    let mut finished = vec![tags.image(&plan.image_name(), &plan.key())];
    let mut steps: Vec<String> = plan.steps.iter().map(|s| tags.step(&s.key)).collect();
    for (service, image) in &plan.services {
        if let ServiceImage::Build { steps: chain } = image {
            if let Some(last) = chain.last() {
                let image_name = format!("{}-{service}", plan.image_name());
                finished.push(tags.image(&image_name, &last.key));
            }
            steps.extend(chain.iter().map(|s| tags.step(&s.key)));
        }
    }
    for tag in finished.iter().chain(steps.iter().rev()) {
        if let Ok(Some(_)) = engine.find_image(tag).await {
            let _ = engine.remove_image(tag, false).await;
        }
    }
}
