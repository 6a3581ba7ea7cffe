//! `envc verify --rebuild`: build the plan again from scratch and compare the files.
//!
//! Isolation: the executor's cache is its tags (`envc/step:<key>`, the finished tag), so
//! the rebuild runs with `no_cache` (every step after the base runs again; the base is
//! reused, as `envc build --no-cache` does) and the original tags are put back afterwards,
//! so the cache ends as it began and the rebuilt images, left untagged, are removed. The
//! original must exist: it is what the rebuild is compared with.
//!
//! Normalisations that make a rebuild comparable are the rootfs digest's (mtimes are not
//! compared; volatile paths such as logs and apt lists are excluded and reported, see
//! `crate::rootfs::exclude`); nothing else is rewritten, so a step that writes timestamps
//! or random bytes into files shows up here as a difference, with its paths.

use std::path::Path;

use crate::build::cache::{image_tag, step_tag};
use crate::build::{BuildError, BuildOptions, ProgressMode};
use crate::engine::Engine;
use crate::plan::Plan;
use crate::rootfs::diff;
use crate::rootfs::image::{ImageListError, list_image};
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
    // Every tag the rebuild may move, with the image it names now.
    let mut tags = vec![reference.clone()];
    tags.extend(plan.steps.iter().map(|s| step_tag(&s.key)));
    let mut saved = Vec::new();
    for tag in &tags {
        let found = engine.find_image(tag).await.map_err(BuildError::from)?;
        saved.push((tag.clone(), found.map(|i| i.id)));
    }
    let options = BuildOptions {
        no_cache: true,
        progress: ProgressMode::Quiet,
        ..Default::default()
    };
    let rebuilt = crate::build::build(engine, spec, plan, project_root, &options).await;
    let compared = match &rebuilt {
        Ok(built) => {
            let (before, after) = (
                list_image(engine, &original.id).await,
                list_image(engine, &built.image.id).await,
            );
            Some((before, after))
        }
        Err(_) => None,
    };
    restore(engine, &saved).await?;
    if let Ok(built) = &rebuilt
        && built.image.id != original.id
    {
        // Untagged now; a failure to remove only leaves garbage for `envc gc`/`docker image prune`.
        let _ = engine.remove_image(&built.image.id, false).await;
    }
    let built = rebuilt?;
    let (before, after) = compared.expect("compared when the rebuild succeeded");
    let (before, after) = (before?, after?);
    let (d0, d1) = (before.digest(), after.digest());
    if d0 == d1 {
        return Ok(Check::pass(
            name,
            vec![format!(
                "{} step(s) run again: same files ({d0})",
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

/// Put every saved tag back on the image it named before the rebuild, and drop the tags
/// the rebuild added.
async fn restore(engine: &Engine, saved: &[(String, Option<String>)]) -> Result<(), BuildError> {
    for (tag, id) in saved {
        match id {
            Some(id) => engine.tag_image(id, tag).await?,
            None => {
                if engine.find_image(tag).await?.is_some() {
                    engine.remove_image(tag, false).await?;
                }
            }
        }
    }
    Ok(())
}
