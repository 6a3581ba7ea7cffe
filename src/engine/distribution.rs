//! Registries, through the engine: the digest of a remote tag, pull and push.
//!
//! Asking the daemon (`/distribution/{name}/json`) rather than the registry directly means
//! the daemon's own registry configuration applies: mirrors, insecure registries, and
//! credentials the user already gave it.

use bollard::auth::DockerCredentials;
use bollard::query_parameters::{CreateImageOptions, PushImageOptionsBuilder};

use super::image::split_reference;
use super::{Engine, EngineError, progress};

impl Engine {
    /// The manifest digest (`sha256:…`) a registry reports for `reference` (`name:tag`).
    pub async fn remote_digest(&self, reference: &str) -> Result<String, EngineError> {
        self.remote_digest_with(reference, None).await
    }

    /// [`Engine::remote_digest`] with explicit registry credentials.
    pub async fn remote_digest_with(
        &self,
        reference: &str,
        credentials: Option<DockerCredentials>,
    ) -> Result<String, EngineError> {
        let inspect = self
            .docker
            .inspect_registry_image(reference, credentials)
            .await
            .map_err(|e| {
                self.fail_lookup(
                    "registry image",
                    reference,
                    format!("ask the registry for `{reference}`"),
                    e,
                )
            })?;
        inspect
            .descriptor
            .digest
            .ok_or_else(|| EngineError::Stream {
                action: format!("ask the registry for `{reference}`"),
                message: "the registry answered without a digest".into(),
            })
    }

    /// Pull `reference` (`name:tag` or `name@sha256:…`) into the engine.
    pub async fn pull(
        &self,
        reference: &str,
        credentials: Option<DockerCredentials>,
    ) -> Result<(), EngineError> {
        let (name, tag) = split_reference(reference);
        let options = CreateImageOptions {
            from_image: Some(if reference.contains('@') {
                reference.to_string()
            } else {
                name.to_string()
            }),
            tag: (!reference.contains('@')).then(|| tag.unwrap_or("latest").to_string()),
            ..Default::default()
        };
        let action = format!("pull `{reference}`");
        let stream = self.docker.create_image(Some(options), None, credentials);
        progress::drain(self, &action, stream, |info| {
            if let Some(status) = info.status {
                tracing::debug!("pull: {status}");
            }
        })
        .await
    }

    /// Push `reference` (`name:tag`) to its registry and return the pushed manifest digest.
    pub async fn push(
        &self,
        reference: &str,
        credentials: Option<DockerCredentials>,
    ) -> Result<String, EngineError> {
        let (name, tag) = split_reference(reference);
        let options = PushImageOptionsBuilder::new()
            .tag(tag.unwrap_or("latest"))
            .build();
        let action = format!("push `{reference}`");
        let stream = self.docker.push_image(name, Some(options), credentials);
        let mut digest = None;
        progress::drain(self, &action, stream, |info| {
            // The last status reads `<tag>: digest: sha256:… size: N`.
            if let Some(status) = info.status
                && let Some(rest) = status.split(" digest: ").nth(1)
            {
                digest = rest.split_whitespace().next().map(str::to_string);
            }
        })
        .await?;
        digest.ok_or_else(|| EngineError::Stream {
            action,
            message: "the engine did not report the pushed digest".into(),
        })
    }
}
