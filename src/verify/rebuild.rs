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
//! compared, entries are sorted; volatile paths such as logs and apt lists are excluded and
//! reported, see `crate::rootfs::exclude`) and the steps' own (`SOURCE_DATE_EPOCH`, see
//! the step contract); nothing else is rewritten, so a step that writes timestamps or
//! random bytes into files shows up here as a difference, with its paths and the step that
//! wrote each (see [`super::producer`]). A step the config marks `reproducible = false`
//! is a known exclusion: its differing files are reported and do not fail the check.

use std::path::Path;

use crate::build::cache::{Tags, image_tag};
use crate::build::{BuildError, BuildOptions, BuiltImage, ProgressMode};
use crate::engine::Engine;
use crate::engine::{ImageListError, list_image};
use crate::plan::{Plan, ServiceImage, StepKind};
use crate::rootfs::diff;
use crate::spec::Spec;

use super::Check;
use super::check::describe_differences;
use super::producer::producers;

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
    // Compared before the namespace goes: naming a differing file's step reads its images.
    let compared = match &rebuilt {
        Ok(built) => {
            Some(compare(engine, plan, &tags, &original.id, &built.image, &reference).await)
        }
        Err(_) => None,
    };
    remove_namespace(engine, &tags, plan).await;
    rebuilt?;
    compared.expect("compared when the rebuild succeeded")
}

/// Compare the cached image with its rebuild; name the step behind each differing path,
/// and pass when every difference comes from a step marked `reproducible = false`.
async fn compare(
    engine: &Engine,
    plan: &Plan,
    tags: &Tags,
    original: &str,
    built: &BuiltImage,
    reference: &str,
) -> Result<Check, RebuildError> {
    let name = "rebuild";
    let before = list_image(engine, original).await?;
    let after = list_image(engine, &built.id).await?;
    let (d0, d1) = (before.digest(), after.digest());
    if d0 == d1 {
        return Ok(Check::pass(
            name,
            vec![format!(
                "{} step(s) run again in an isolated namespace: same files ({d0})",
                built.executed
            )],
        ));
    }
    let diffs = diff(&before.entries, &after.entries);
    let paths: Vec<String> = diffs.iter().map(|d| d.path.clone()).collect();
    let producers = producers(engine, &plan.steps, tags, &paths).await?;
    let step_of = |path: &str| producers.get(path).map(|&i| &plan.steps[i]);
    let (excluded, differing): (Vec<_>, Vec<_>) = diffs.into_iter().partition(|d| {
        matches!(step_of(&d.path).map(|s| &s.kind), Some(StepKind::Run(run)) if !run.reproducible)
    });
    let lines = |diffs: &[crate::rootfs::Difference]| -> Vec<String> {
        let mut lines = describe_differences(diffs, "the cached image", "the rebuild");
        for (line, d) in lines.iter_mut().zip(diffs) {
            match step_of(&d.path) {
                Some(step) => line.push_str(&format!(
                    " (written by step {} `{}`)",
                    step.index,
                    crate::spec::model::shown(&step.label)
                )),
                None => line.push_str(" (by no single step envc can name)"),
            }
        }
        lines
    };
    let mut details = Vec::new();
    if !excluded.is_empty() {
        details.push(format!(
            "{} path(s) differ as expected, known exclusions: written by steps marked `reproducible = false`",
            excluded.len()
        ));
        details.extend(lines(&excluded).into_iter().map(|l| format!("  {l}")));
    }
    if differing.is_empty() {
        details.insert(
            0,
            format!(
                "{} step(s) run again in an isolated namespace: same files but for the known exclusions",
                built.executed
            ),
        );
        return Ok(Check::pass(name, details));
    }
    details.insert(
        0,
        format!("the rebuild gives {d1}, the cached `{reference}` {d0}"),
    );
    details.extend(lines(&differing));
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
