//! Streaming filesystems out of the engine: a container's root filesystem as one tar (what
//! the rootfs digest and the SIF assembly read) and an image as a `docker save` archive.

use std::io::Read;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use super::{Engine, EngineError};

/// A byte stream out of the engine; an error item means the transfer failed.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, EngineError>> + Send>>;

impl Engine {
    /// The container's filesystem as an uncompressed tar, streamed.
    pub fn export_container(&self, id: &str) -> ByteStream {
        let engine = self.clone();
        let action = format!("export the filesystem of container `{id}`");
        Box::pin(
            self.docker
                .export_container(id)
                .map(move |item| item.map_err(|e| engine.fail(action.clone(), e))),
        )
    }

    /// The image as a `docker save` archive, streamed.
    pub fn save_image(&self, reference: &str) -> ByteStream {
        let engine = self.clone();
        let action = format!("save image `{reference}`");
        Box::pin(
            self.docker
                .export_image(reference)
                .map(move |item| item.map_err(|e| engine.fail(action.clone(), e))),
        )
    }

    /// Several images as one `docker save` archive (layers they share appear once), streamed.
    pub fn save_images(&self, references: &[&str]) -> ByteStream {
        let engine = self.clone();
        let action = format!("save {} images", references.len());
        Box::pin(
            self.docker
                .export_images(references)
                .map(move |item| item.map_err(|e| engine.fail(action.clone(), e))),
        )
    }
}

/// A `Read` over byte chunks arriving on a channel, for a blocking reader (a tar or
/// archive parser on `spawn_blocking`) fed by an engine stream; end of stream when the
/// sender is gone.
pub struct ChannelReader {
    receiver: tokio::sync::mpsc::Receiver<Bytes>,
    current: Bytes,
}

impl ChannelReader {
    pub fn new(receiver: tokio::sync::mpsc::Receiver<Bytes>) -> Self {
        ChannelReader {
            receiver,
            current: Bytes::new(),
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            // Only ever read on a blocking thread, so blocking here is allowed.
            match self.receiver.blocking_recv() {
                Some(bytes) => self.current = bytes,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}
