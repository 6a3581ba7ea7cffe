//! Reading a file out of a container (the way `docker cp` does, as a tar).
//!
//! The build executor reads `/etc/passwd` and `/etc/group` out of a file step's parent image
//! to turn the step's `user:group` names into the numeric ids its tar carries; the SBOM
//! reads the packages' copyright files out of a built image.

use std::io::Read;

use bollard::query_parameters::DownloadFromContainerOptions;
use futures_util::StreamExt;

use super::{Engine, EngineError};

impl Engine {
    /// The contents of the regular file `path` in container `id`, or `None` when the
    /// container has no such file.
    pub async fn read_container_file(
        &self,
        id: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, EngineError> {
        let action = format!("read `{path}` from container `{id}`");
        let Some(tar) = self.read_container_tree(id, path, usize::MAX).await? else {
            return Ok(None);
        };
        let io = |source: std::io::Error| EngineError::Stream {
            action: action.clone(),
            message: source.to_string(),
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

    /// The tar (as `docker cp` gives it) of `path` in container `id`, at most `limit` bytes;
    /// `None` when the container has no such path.
    pub async fn read_container_tree(
        &self,
        id: &str,
        path: &str,
        limit: usize,
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
            if tar.len() > limit {
                return Err(EngineError::Stream {
                    action,
                    message: format!("more than {limit} bytes"),
                });
            }
        }
        Ok(Some(tar))
    }
}
