//! Copying files into a container as a tar stream: how file steps put project files into
//! a build container (the tar's owners, modes and times are what land in the image).

use bollard::body_try_stream;
use bollard::query_parameters::UploadToContainerOptions;
use bytes::Bytes;
use futures_util::Stream;

use super::{Engine, EngineError};

impl Engine {
    /// Extract the tar in `tar` into container `id` at directory `dest` (which must exist).
    pub async fn upload(
        &self,
        id: &str,
        dest: &str,
        tar: impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    ) -> Result<(), EngineError> {
        let options = UploadToContainerOptions {
            path: dest.to_string(),
            // A directory in the tar never silently replaces a file in the container.
            no_overwrite_dir_non_dir: Some("true".into()),
            ..Default::default()
        };
        let uploaded = self
            .docker_long()
            .upload_to_container(id, Some(options), body_try_stream(tar))
            .await;
        match uploaded {
            Ok(()) => Ok(()),
            // The engine answers 404 for a missing container and for a missing directory.
            Err(e) if super::error::is_not_found(&e) => {
                self.inspect_container(id).await?;
                Err(EngineError::NotFound {
                    kind: "destination directory",
                    name: format!("{id}:{dest}"),
                })
            }
            Err(e) => Err(self.fail(format!("copy files into `{id}` at `{dest}`"), e)),
        }
    }
}
