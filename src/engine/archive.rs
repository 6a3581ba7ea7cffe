//! Copying files into and out of a container as tar (what `docker cp` does).
//!
//! The build executor uploads a file step's deterministic tar into a created (not started)
//! container and commits it; it reads `/etc/passwd` and `/etc/group` out of the parent
//! image to turn a file step's `user:group` names into ids.

use std::io::Read;

use bollard::query_parameters::{DownloadFromContainerOptions, UploadToContainerOptions};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use super::{Engine, EngineError, interrupt};

impl Engine {
    /// Extract the tar in `tar` into container `id` at `path` (a folder that exists).
    pub async fn upload_archive(
        &self,
        id: &str,
        path: &str,
        tar: impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    ) -> Result<(), EngineError> {
        let options = UploadToContainerOptions {
            path: path.to_string(),
            ..Default::default()
        };
        let action = format!("copy files into container `{id}`");
        interrupt::race(async {
            self.docker
                .upload_to_container(id, Some(options), bollard::body_try_stream(tar))
                .await
                .map_err(|e| self.fail_lookup("container", id, action.clone(), e))
        })
        .await
    }

    /// The contents of the regular file `path` in container `id`, or `None` when the
    /// container has no such file.
    pub async fn read_container_file(
        &self,
        id: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, EngineError> {
        let options = DownloadFromContainerOptions {
            path: path.to_string(),
        };
        let action = format!("read `{path}` from container `{id}`");
        let mut stream = self.docker.download_from_container(id, Some(options));
        let mut tar = Vec::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => tar.extend_from_slice(&bytes),
                Err(e) if super::error::is_not_found(&e) => return Ok(None),
                Err(e) => return Err(self.fail(action, e)),
            }
        }
        let io = |source| EngineError::Io {
            action: action.clone(),
            source,
        };
        let mut archive = tar::Archive::new(&tar[..]);
        for entry in archive.entries().map_err(io)? {
            let mut entry = entry.map_err(io)?;
            if entry.header().entry_type().is_file() {
                let mut contents = Vec::new();
                entry.read_to_end(&mut contents).map_err(io)?;
                return Ok(Some(contents));
            }
        }
        Ok(None)
    }
}
