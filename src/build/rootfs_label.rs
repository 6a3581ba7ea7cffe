//! Recording a finished image's rootfs digest in its label `dev.envc.rootfs`.
//!
//! The label must be on the image people use, so it is written after the last step: the
//! finished image's filesystem is listed from a never-started container's export, and that
//! same container is committed with the parent's config plus the label. The commit adds an
//! empty layer (no files change) and re-tags the last step's `envc/step:<key>`, so cache
//! lookups find the labelled image. An image that already carries the label (a cache hit)
//! is left alone: `envc verify` is what checks the label against the files.

use std::collections::HashMap;

use crate::engine::{CommitSpec, Engine};
use crate::engine::{ImageListError, list_container};

use super::commit_config;
use super::error::BuildError;

/// The label holding the rootfs digest of an image (see `crate::rootfs`).
pub const ROOTFS_LABEL: &str = "dev.envc.rootfs";

/// Make sure the image `id` (the result of the last step, tagged `step_tag`) carries its
/// rootfs digest; returns the ID of the labelled image (`id` itself when it already was),
/// which then holds `step_tag`.
pub async fn ensure(engine: &Engine, id: &str, step_tag: &str) -> Result<String, BuildError> {
    let raw = engine.inspect_image_raw(id).await?;
    let config = raw.config.unwrap_or_default();
    if config
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key(ROOTFS_LABEL))
    {
        return Ok(id.to_owned());
    }
    let container = engine.create_unstarted(id).await?;
    let listing = list_container(engine, container.id())
        .await
        .map_err(|e| match e {
            ImageListError::Engine(e) => BuildError::from(e),
            ImageListError::Rootfs { source, .. } => BuildError::io(
                "compute the rootfs digest of the finished image",
                std::io::Error::other(source),
            ),
        })?;
    let digest = listing.digest();
    let labels = HashMap::from([(ROOTFS_LABEL.to_owned(), digest.clone())]);
    let labelled = engine
        .commit(
            container.id(),
            &CommitSpec {
                reference: Some(step_tag.to_owned()),
                config: commit_config::unchanged(&config, labels),
                comment: Some(format!("envc rootfs: {step_tag}")),
                ..Default::default()
            },
        )
        .await?;
    container.remove().await?;
    // The commit added no files: the labelled image holds exactly the listed ones.
    super::verified::remember(&labelled, &digest);
    Ok(labelled)
}
