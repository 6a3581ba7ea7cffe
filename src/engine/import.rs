//! Importing a root filesystem tar as a single-layer image (what `docker import` does).
//!
//! This is how debootstrap bases and the test images enter the engine without a registry.
//! The tar is streamed, never held in memory; `changes` are Dockerfile instructions
//! (`ENV`, `CMD`, `LABEL`, `WORKDIR`, …) applied to the new image's config.

use bollard::body_try_stream;
use bollard::query_parameters::CreateImageOptions;
use bytes::Bytes;
use futures_util::Stream;
use tokio::io::AsyncRead;

use super::image::split_reference;
use super::{Engine, EngineError, progress};

impl Engine {
    /// Import the rootfs tar in `tar` as image `reference` (`repo:tag`), applying `changes`,
    /// and return the new image's ID.
    pub async fn import_rootfs(
        &self,
        tar: impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
        reference: &str,
        changes: &[String],
    ) -> Result<String, EngineError> {
        let (repo, tag) = split_reference(reference);
        // The whole reference goes in `repo`: Podman's compatible API ignores `tag` on import.
        let options = CreateImageOptions {
            from_src: Some("-".into()),
            repo: Some(format!("{repo}:{}", tag.unwrap_or("latest"))),
            changes: changes.to_vec(),
            ..Default::default()
        };
        let action = format!("import a root filesystem as `{reference}`");
        let stream =
            self.docker_long()
                .create_image(Some(options), Some(body_try_stream(tar)), None);
        progress::drain(self, &action, stream, |info| {
            if let Some(status) = info.status {
                tracing::debug!("import: {status}");
            }
        })
        .await?;
        Ok(self.inspect_image(reference).await?.id)
    }

    /// [`Engine::import_rootfs`] from anything readable (a file, a child's stdout).
    pub async fn import_rootfs_reader(
        &self,
        reader: impl AsyncRead + Send + 'static,
        reference: &str,
        changes: &[String],
    ) -> Result<String, EngineError> {
        self.import_rootfs(reader_stream(reader), reference, changes)
            .await
    }
}

/// A reader as a stream of chunks, for request bodies.
pub(crate) fn reader_stream(
    reader: impl AsyncRead + Send + 'static,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    tokio_util::io::ReaderStream::with_capacity(reader, 256 * 1024)
}
