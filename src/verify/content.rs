//! Content integrity of the Docker image: its files, recomputed from the engine's export,
//! must give the rootfs digest recorded in its `dev.envc.rootfs` label when it was built.
//!
//! A mismatch means the image was changed under its tag (or relabelled). To say *which*
//! paths changed, the files are compared with an untampered copy when one exists: the
//! last step's own image (`envc/step:<key>`), when the finished tag points elsewhere.

use crate::build::cache::{image_tag, step_tag};
use crate::build::rootfs_label::ROOTFS_LABEL;
use crate::engine::Engine;
use crate::engine::{ImageListError, list_image};
use crate::plan::Plan;
use crate::rootfs::{Listing, diff};

use super::Check;
use super::check::describe_differences;

/// The content integrity check of `plan`'s finished image, and its listing (for the
/// cross-target check) when the image exists.
pub async fn check(
    engine: &Engine,
    plan: &Plan,
) -> Result<(Check, Option<Listing>), ImageListError> {
    let name = "content integrity (docker)";
    let reference = image_tag(&plan.image_name(), &plan.key());
    let Some(image) = engine.find_image(&reference).await? else {
        return Ok((
            Check::fail(name, vec![format!("`{reference}` is not built")]),
            None,
        ));
    };
    let listing = list_image(engine, &image.id).await?;
    let digest = listing.digest();
    let Some(recorded) = image.labels.get(ROOTFS_LABEL) else {
        return Ok((
            Check::fail(
                name,
                vec![format!(
                    "`{reference}` has no `{ROOTFS_LABEL}` label (built by an older envc?): rebuild it with `envc build --no-cache`"
                )],
            ),
            Some(listing),
        ));
    };
    if *recorded == digest {
        return Ok((
            Check::pass(name, vec![format!("`{reference}`: {digest}")]),
            Some(listing),
        ));
    }
    let mut details = vec![format!(
        "`{reference}` holds other files than when it was built: recorded {recorded}, found {digest}"
    )];
    match untampered(engine, plan, &image.id, recorded).await? {
        Some((original_ref, original)) => {
            details.push(format!("compared with `{original_ref}`:"));
            details.extend(describe_differences(
                &diff(&original.entries, &listing.entries),
                "the recorded image",
                "the tagged image",
            ));
        }
        None => details.push(
            "no untampered copy is left to compare with; rebuild with `envc build --no-cache`"
                .to_owned(),
        ),
    }
    Ok((Check::fail(name, details), Some(listing)))
}

/// The last step's image when it differs from `tampered_id` and still has the recorded
/// digest.
async fn untampered(
    engine: &Engine,
    plan: &Plan,
    tampered_id: &str,
    recorded: &str,
) -> Result<Option<(String, Listing)>, ImageListError> {
    let reference = step_tag(&plan.key());
    let Some(step) = engine.find_image(&reference).await? else {
        return Ok(None);
    };
    if step.id == tampered_id {
        return Ok(None);
    }
    let listing = list_image(engine, &step.id).await?;
    Ok((listing.digest() == recorded).then_some((reference, listing)))
}
