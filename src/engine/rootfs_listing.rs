//! Listing an engine image's filesystem: the rootfs digest of a Docker image.
//!
//! It lives with the engine, above [`crate::rootfs`], so that the rootfs digest stays a
//! pure function of a tar or squashfs stream that knows no engine.
//!
//! The engine has no "export an image's filesystem" call, only "export a container's", so
//! a container is created from the image (never started: starting would let the runtime
//! write `/etc/hostname` and friends, and costs time) and its export is streamed straight
//! into [`crate::rootfs::tar::list_tar`] on a blocking thread. Nothing is written to disk.

use bytes::Bytes;
use futures_util::StreamExt;

use super::{ChannelReader, Engine, EngineError};
use crate::rootfs::{Listing, RootfsError};

/// Errors while listing an image: the engine's, or the stream's contents.
#[derive(Debug, thiserror::Error)]
pub enum ImageListError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("cannot list the filesystem of image `{image}`")]
    Rootfs {
        image: String,
        #[source]
        source: RootfsError,
    },
}

/// The listing (and so the rootfs digest) of `image`'s filesystem.
pub async fn list_image(engine: &Engine, image: &str) -> Result<Listing, ImageListError> {
    let container = engine.create_unstarted(image).await?;
    let result = list_container(engine, container.id()).await;
    container.remove().await?;
    result.map_err(|e| match e {
        ImageListError::Rootfs { source, .. } => ImageListError::Rootfs {
            image: image.to_owned(),
            source,
        },
        other => other,
    })
}

/// The listing of an existing container's filesystem.
pub async fn list_container(engine: &Engine, id: &str) -> Result<Listing, ImageListError> {
    let mut stream = engine.export_container(id);
    // Bounded: the tar reader applies back-pressure to the engine's stream.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(16);
    let reader = tokio::task::spawn_blocking(move || {
        crate::rootfs::tar::list_tar(std::io::BufReader::with_capacity(
            1 << 20,
            ChannelReader::new(receiver),
        ))
    });
    let mut failure = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            // A send fails only when the reader stopped (on a malformed tar): its error wins.
            Ok(bytes) => {
                if sender.send(bytes).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    drop(sender);
    let listed = reader.await.map_err(|e| ImageListError::Rootfs {
        image: id.to_owned(),
        source: RootfsError::Io(std::io::Error::other(e)),
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    listed.map_err(|source| ImageListError::Rootfs {
        image: id.to_owned(),
        source,
    })
}
