//! Loading an image archive (`docker save` format, which also carries an OCI layout) through
//! the Engine API: the "image archive file" base source.

use bytes::Bytes;
use futures_util::Stream;
use tokio::io::AsyncRead;

use super::{Engine, EngineError, progress};

impl Engine {
    /// Load the archive and return what the engine loaded: tags (`name:tag`) or, for
    /// untagged archives, image IDs (`sha256:…`).
    pub async fn load_archive(
        &self,
        archive: impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    ) -> Result<Vec<String>, EngineError> {
        let options = bollard::query_parameters::ImportImageOptionsBuilder::new()
            .quiet(true)
            .build();
        let stream = self
            .docker_long()
            .import_image_stream(options, archive, None);
        let mut loaded = Vec::new();
        progress::drain(self, "load an image archive", stream, |info| {
            let Some(line) = info.stream else { return };
            for line in line.lines() {
                if let Some(name) = line
                    .strip_prefix("Loaded image: ")
                    .or_else(|| line.strip_prefix("Loaded image ID: "))
                {
                    loaded.push(name.trim().to_string());
                }
            }
        })
        .await?;
        if loaded.is_empty() {
            return Err(EngineError::Stream {
                action: "load an image archive".into(),
                message: "the engine loaded no image (is it a `docker save` or OCI archive?)"
                    .into(),
            });
        }
        Ok(loaded)
    }

    /// [`Engine::load_archive`] from anything readable.
    pub async fn load_archive_reader(
        &self,
        reader: impl AsyncRead + Send + 'static,
    ) -> Result<Vec<String>, EngineError> {
        self.load_archive(super::import::reader_stream(reader))
            .await
    }
}
