//! Image references → digests.
//!
//! A local image that came from a registry is pinned by its manifest digest (from its
//! `RepoDigests`), so the lock names something any machine can pull; a local image that
//! never touched a registry (imported, built here) can only be pinned by its image ID; an
//! image not present locally is asked of its registry through the daemon.

use crate::engine::{Engine, split_reference};

use super::ResolveError;

/// What a digest identifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestKind {
    /// A registry manifest digest: pullable as `name@digest` anywhere.
    Manifest,
    /// A local image ID (config digest): only meaningful on an engine that has the image.
    ImageId,
}

/// A pinned image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePin {
    /// The reference as given.
    pub reference: String,
    /// `sha256:…`.
    pub digest: String,
    pub kind: DigestKind,
    /// The image ID when the image is present locally.
    pub image_id: Option<String>,
}

impl ImagePin {
    /// A reference that names exactly this image: `name@sha256:…` or the image ID.
    pub fn pinned_reference(&self) -> String {
        match self.kind {
            DigestKind::Manifest => {
                format!("{}@{}", split_reference(&self.reference).0, self.digest)
            }
            DigestKind::ImageId => self.digest.clone(),
        }
    }
}

/// Resolve `reference` (`name[:tag]`, `name@sha256:…`, or an image ID) to a digest.
pub async fn image_digest(engine: &Engine, reference: &str) -> Result<ImagePin, ResolveError> {
    let (name, _) = split_reference(reference);
    if let Some(local) = engine.find_image(reference).await? {
        let digest = match reference.split_once('@') {
            Some((_, digest)) => Some(digest.to_string()),
            None => local
                .repo_digests
                .iter()
                .filter_map(|d| d.split_once('@'))
                .find(|(repo, _)| same_repository(repo, name))
                .map(|(_, digest)| digest.to_string()),
        };
        return Ok(match digest {
            Some(digest) => ImagePin {
                reference: reference.to_string(),
                digest,
                kind: DigestKind::Manifest,
                image_id: Some(local.id),
            },
            None => ImagePin {
                reference: reference.to_string(),
                digest: local.id.clone(),
                kind: DigestKind::ImageId,
                image_id: Some(local.id),
            },
        });
    }
    let digest =
        engine
            .remote_digest(reference)
            .await
            .map_err(|source| ResolveError::UnknownImage {
                reference: reference.to_string(),
                source,
            })?;
    Ok(ImagePin {
        reference: reference.to_string(),
        digest,
        kind: DigestKind::Manifest,
        image_id: None,
    })
}

/// Whether two repository names are the same once Docker Hub's implicit parts are added
/// (`debian` = `docker.io/library/debian`).
fn same_repository(a: &str, b: &str) -> bool {
    fn full(name: &str) -> String {
        let first = name.split('/').next().unwrap_or(name);
        let has_registry = name.contains('/')
            && (first.contains('.') || first.contains(':') || first == "localhost");
        if has_registry {
            name.to_string()
        } else if name.contains('/') {
            format!("docker.io/{name}")
        } else {
            format!("docker.io/library/{name}")
        }
    }
    full(a) == full(b)
}

#[cfg(test)]
mod tests {
    use super::same_repository;

    #[test]
    fn docker_hub_names_compare_in_full() {
        assert!(same_repository("debian", "docker.io/library/debian"));
        assert!(same_repository("user/app", "docker.io/user/app"));
        assert!(same_repository("127.0.0.1:5000/x", "127.0.0.1:5000/x"));
        assert!(!same_repository("127.0.0.1:5000/x", "x"));
        assert!(!same_repository("debian", "ubuntu"));
    }
}
