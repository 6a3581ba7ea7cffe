//! Native SIF assembly from a built Docker image: no `apptainer`, no root, no unpacking.
//!
//! A container is created (never started) from the image, its filesystem is exported as
//! one tar stream and fed straight into [`crate::sif::assemble`], which writes the SIF
//! atomically; the container is removed whatever happens. The definition object is the
//! emitted `.def`, envc's metadata holds the plan key and the run manifest, and every
//! time in the file is `SOURCE_DATE_EPOCH` (or 0), so the same image gives the same bytes.

use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc;

use bytes::Bytes;
use futures_util::StreamExt;

use crate::engine::{Engine, EngineError};
use crate::plan::Plan;
use crate::sif::apptainer_meta::ImageConfig;
use crate::sif::assemble::{AssembleError, AssembleInput, Assembled, assemble};
use crate::spec::Spec;

/// Why a native SIF build failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum NativeError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),
    #[error("cannot assemble the SIF")]
    Assemble(#[source] AssembleError),
    #[error("the image config of `{image}` cannot be read: {reason}")]
    Config { image: String, reason: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Emit(#[from] crate::emit::EmitError),
}

/// The one timestamp written into SIFs: `SOURCE_DATE_EPOCH` when set and valid, else 0.
pub fn build_time() -> u32 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(0)
}

/// The OCI architecture of a platform such as `linux/amd64` (`amd64`).
pub fn arch_of(platform: &str) -> &str {
    platform.split('/').nth(1).unwrap_or(platform)
}

/// Export image `image` (an ID or reference) from the engine and write its SIF to `out`.
pub async fn build_sif(
    engine: &Engine,
    spec: &Spec,
    plan: &Plan,
    image: &str,
    out: &Path,
) -> Result<Assembled, NativeError> {
    let raw = engine.inspect_image_raw(image).await?.config;
    let config: ImageConfig = match raw {
        Some(raw) => serde_json::to_value(raw)
            .and_then(serde_json::from_value)
            .map_err(|e| NativeError::Config {
                image: image.to_owned(),
                reason: e.to_string(),
            })?,
        None => ImageConfig::default(),
    };
    let def_text = crate::emit::apptainer::definition(spec, plan)?;
    let manifest =
        serde_json::to_value(crate::plan::manifest(spec, plan)).unwrap_or(serde_json::Value::Null);
    let plan_key = plan.key().hex();
    let arch = arch_of(&plan.platform).to_owned();
    let out_path = out.to_path_buf();
    let out = out.to_path_buf();

    let container = engine.create_unstarted(image).await?;
    let (sender, receiver) = mpsc::sync_channel::<io::Result<Bytes>>(16);
    let assembler = tokio::task::spawn_blocking(move || {
        let input = AssembleInput {
            def_text: &def_text,
            config: &config,
            plan_key: &plan_key,
            manifest,
            arch: &arch,
            time: build_time(),
        };
        let reader = ChunkReader {
            receiver,
            current: Bytes::new(),
        };
        assemble(reader, &input, &out)
    });
    let mut stream = engine.export_container(container.id());
    let mut failed = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => {
                if sender.send(Ok(bytes)).is_err() {
                    break; // the assembler stopped; its error is reported below
                }
            }
            Err(error) => {
                let _ = sender.send(Err(io::Error::other(error.to_string())));
                failed = Some(error);
                break;
            }
        }
    }
    drop(sender);
    let assembled = assembler.await.map_err(|e| {
        NativeError::Assemble(AssembleError::Write {
            path: out_path,
            source: io::Error::other(format!("the SIF assembly thread failed: {e}")),
        })
    })?;
    container.remove().await?;
    if let Some(error) = failed {
        return Err(error.into());
    }
    assembled.map_err(NativeError::Assemble)
}

/// The blocking end of the export stream.
struct ChunkReader {
    receiver: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.receiver.recv() {
                Ok(chunk) => self.current = chunk?,
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}
