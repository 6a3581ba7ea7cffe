//! Images: inspect, tag, remove, and list by label.
//!
//! envc finds its cached images by the `dev.envc.key` label and by tags derived from keys,
//! never by a floating name; these are the calls that lookup stands on.

use std::collections::HashMap;

use bollard::models::ImageInspect;
use bollard::query_parameters::{
    ListImagesOptionsBuilder, RemoveImageOptionsBuilder, TagImageOptionsBuilder,
};

use super::{Engine, EngineError};

/// What envc needs to know about a local image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// The image ID (`sha256:…`), which is the digest of its config.
    pub id: String,
    pub repo_tags: Vec<String>,
    /// `name@sha256:…` entries for images pulled from or pushed to a registry.
    pub repo_digests: Vec<String>,
    pub labels: HashMap<String, String>,
    /// Bytes on disk, as the engine reports it.
    pub size: i64,
    pub architecture: Option<String>,
    pub os: Option<String>,
}

impl ImageInfo {
    fn from_inspect(inspect: ImageInspect) -> ImageInfo {
        ImageInfo {
            id: inspect.id.unwrap_or_default(),
            repo_tags: inspect.repo_tags.unwrap_or_default(),
            repo_digests: inspect.repo_digests.unwrap_or_default(),
            labels: inspect.config.and_then(|c| c.labels).unwrap_or_default(),
            size: inspect.size.unwrap_or_default(),
            architecture: inspect.architecture,
            os: inspect.os,
        }
    }

    fn from_summary(summary: bollard::models::ImageSummary) -> ImageInfo {
        ImageInfo {
            id: summary.id,
            repo_tags: summary.repo_tags,
            repo_digests: summary.repo_digests,
            labels: summary.labels,
            size: summary.size,
            architecture: None,
            os: None,
        }
    }
}

/// Split `name[:tag]` or `name@digest` into repository and tag (a digest reference has none).
///
/// The tag is what follows the last `:` after the last `/`, so `127.0.0.1:5000/x` has no tag.
pub fn split_reference(reference: &str) -> (&str, Option<&str>) {
    if let Some((name, _digest)) = reference.split_once('@') {
        return (name, None);
    }
    let last_slash = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[last_slash..].rfind(':') {
        Some(i) => (
            &reference[..last_slash + i],
            Some(&reference[last_slash + i + 1..]),
        ),
        None => (reference, None),
    }
}

impl Engine {
    /// Inspect a local image by ID, tag or digest reference.
    pub async fn inspect_image(&self, reference: &str) -> Result<ImageInfo, EngineError> {
        self.inspect_image_raw(reference)
            .await
            .map(ImageInfo::from_inspect)
    }

    /// The engine's full inspect answer (config, env, entrypoint, rootfs layers).
    pub async fn inspect_image_raw(&self, reference: &str) -> Result<ImageInspect, EngineError> {
        self.docker.inspect_image(reference).await.map_err(|e| {
            self.fail_lookup(
                "image",
                reference,
                format!("inspect image `{reference}`"),
                e,
            )
        })
    }

    /// The image if it exists locally, `None` if not.
    pub async fn find_image(&self, reference: &str) -> Result<Option<ImageInfo>, EngineError> {
        match self.inspect_image(reference).await {
            Ok(info) => Ok(Some(info)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Tag `image` (ID or reference) as `target` (`repo[:tag]`, tag defaults to `latest`).
    pub async fn tag_image(&self, image: &str, target: &str) -> Result<(), EngineError> {
        let (repo, tag) = split_reference(target);
        let options = TagImageOptionsBuilder::new()
            .repo(repo)
            .tag(tag.unwrap_or("latest"))
            .build();
        self.docker
            .tag_image(image, Some(options))
            .await
            .map_err(|e| {
                self.fail_lookup(
                    "image",
                    image,
                    format!("tag image `{image}` as `{target}`"),
                    e,
                )
            })
    }

    /// Remove a tag, or an image by ID (`force` also removes an ID with several tags).
    /// A reference that does not exist is not an error.
    pub async fn remove_image(&self, reference: &str, force: bool) -> Result<(), EngineError> {
        let options = RemoveImageOptionsBuilder::new().force(force).build();
        match self
            .docker
            .remove_image(reference, Some(options), None)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if super::error::is_not_found(&e) => Ok(()),
            Err(e) => Err(self.fail(format!("remove image `{reference}`"), e)),
        }
    }

    /// Local images carrying label `key` (with value `value` when given).
    pub async fn list_images_by_label(
        &self,
        key: &str,
        value: Option<&str>,
    ) -> Result<Vec<ImageInfo>, EngineError> {
        let filter = match value {
            Some(value) => format!("{key}={value}"),
            None => key.to_string(),
        };
        let filters = HashMap::from([("label", vec![filter.as_str()])]);
        let options = ListImagesOptionsBuilder::new().filters(&filters).build();
        let images = self
            .docker
            .list_images(Some(options))
            .await
            .map_err(|e| self.fail(format!("list images with label `{filter}`"), e))?;
        Ok(images.into_iter().map(ImageInfo::from_summary).collect())
    }

    /// The image's history, newest layer first: (created-by, comment, size).
    pub async fn image_history(
        &self,
        reference: &str,
    ) -> Result<Vec<bollard::models::ImageHistoryResponseItem>, EngineError> {
        self.docker.image_history(reference).await.map_err(|e| {
            self.fail_lookup(
                "image",
                reference,
                format!("read the history of `{reference}`"),
                e,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::split_reference;

    #[test]
    fn references_split_at_the_tag_not_the_port() {
        assert_eq!(split_reference("busybox"), ("busybox", None));
        assert_eq!(split_reference("busybox:1.36"), ("busybox", Some("1.36")));
        assert_eq!(
            split_reference("127.0.0.1:5000/envc/x"),
            ("127.0.0.1:5000/envc/x", None)
        );
        assert_eq!(
            split_reference("127.0.0.1:5000/envc/x:v1"),
            ("127.0.0.1:5000/envc/x", Some("v1"))
        );
        assert_eq!(split_reference("debian@sha256:abcd"), ("debian", None));
    }
}
