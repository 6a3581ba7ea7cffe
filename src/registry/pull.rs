//! An envc image out of the registry and into the engine, verified before anything uses it.
//!
//! What is checked, in order, before the image gets a tag:
//! 1. the manifest is a single image whose claims (annotations) name the key asked for;
//! 2. the config blob (digest checked) is labelled with that key, and the rootfs digest it
//!    or the manifest claims is one value;
//! 3. every layer blob matches its digest as it streams in, and its uncompressed content
//!    matches the diff ID the config lists (so the engine's image ID names these files);
//! 4. the files of the layers, applied in order, give the claimed rootfs digest.
//!
//! The layers are fed to the engine (`docker load` of an archive built from them, without a
//! tag) while their files are listed on another thread; the image is tagged only once every
//! check passed, and removed again when one failed. An image whose ID the engine already
//! has is not downloaded: its files are already there, and are checked the same way.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::StreamExt;
use oci_client::Reference;
use oci_client::manifest::OciDescriptor;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::build::verified;
use crate::engine::Engine;
use crate::plan::Key;
use crate::rootfs::layers::{LayerChanges, LayerStack, read_layer};

use super::client::{IMAGE_MANIFEST_TYPES, RegistryClient};
use super::error::{Refusal, RegistryError};
use super::manifest::{
    self, KEY_ANNOTATION, ROOTFS_ANNOTATION, ReadManifest, config_diff_ids, config_labels,
};
use super::target::Registry;

/// The largest image config envc reads.
const CONFIG_LIMIT: u64 = 4 << 20;

/// Layer media types envc can check (gzip or plain tar).
const GZIP_LAYERS: &[&str] = &[
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
];
const TAR_LAYERS: &[&str] = &["application/vnd.oci.image.layer.v1.tar"];

/// An image now in the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledImage {
    /// The engine's image ID (the config digest).
    pub id: String,
    /// The rootfs digest its files were found to have.
    pub rootfs: String,
    /// Bytes downloaded (0 when the engine already had the image).
    pub bytes: u64,
}

/// The result of a pull: the image, or why the entry was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullResult {
    Pulled(PulledImage),
    Refused(Refusal),
}

/// What a manifest and its config say, once checked against the key.
struct Checked {
    manifest: ReadManifest,
    config_digest: String,
    config: Vec<u8>,
    diff_ids: Vec<String>,
    rootfs: String,
}

/// Pull the image `reference` holds for `key` into the engine and, when every check passes,
/// tag it `tags`. `Err(Missing)` when the registry has no such manifest.
pub async fn pull_image(
    client: &RegistryClient,
    engine: &Engine,
    reference: &Reference,
    key: &Key,
    tags: &[String],
) -> Result<PullResult, RegistryError> {
    let shown = Registry::show(reference);
    let refuse = |reason: String| {
        Ok(PullResult::Refused(Refusal {
            reference: shown.clone(),
            reason,
        }))
    };
    let checked = match check_manifest(client, reference, key).await {
        Ok(checked) => checked,
        Err(RegistryError::Refused { reason, .. }) => return refuse(reason),
        Err(e) => return Err(e),
    };
    let existing = engine.find_image(&checked.config_digest).await?;
    let pulled = match existing {
        Some(image) => {
            let digest = if verified::is_verified(&image.id, &checked.rootfs) {
                checked.rootfs.clone()
            } else {
                crate::engine::list_image(engine, &image.id)
                    .await
                    .map_err(|e| RegistryError::Save {
                        reason: format!("cannot list the files of `{}`: {e}", image.id),
                    })?
                    .digest()
            };
            if digest != checked.rootfs {
                return refuse(mismatch(&checked.rootfs, &digest));
            }
            PulledImage {
                id: image.id,
                rootfs: digest,
                bytes: 0,
            }
        }
        None => match download(client, engine, reference, &checked).await {
            Ok(pulled) => pulled,
            Err(RegistryError::Refused { reason, .. }) => return refuse(reason),
            Err(e) => return Err(e),
        },
    };
    verified::remember(&pulled.id, &pulled.rootfs);
    for tag in tags {
        engine.tag_image(&pulled.id, tag).await?;
    }
    Ok(PullResult::Pulled(pulled))
}

fn mismatch(claimed: &str, found: &str) -> String {
    format!(
        "its files do not match its rootfs digest: it claims `{claimed}`, its layers give `{found}`"
    )
}

fn refused(reference: &Reference, reason: impl Into<String>) -> RegistryError {
    RegistryError::Refused {
        reference: Registry::show(reference),
        reason: reason.into(),
    }
}

/// Steps 1 and 2: the manifest and the config, against `key`.
async fn check_manifest(
    client: &RegistryClient,
    reference: &Reference,
    key: &Key,
) -> Result<Checked, RegistryError> {
    let (bytes, _digest) = client
        .manifest(reference, IMAGE_MANIFEST_TYPES)
        .await?
        .ok_or_else(|| RegistryError::Missing {
            reference: Registry::show(reference),
        })?;
    let manifest = manifest::read_manifest(&bytes).map_err(|r| refused(reference, r))?;
    let want = key.hex();
    if let Some(claimed) = manifest.annotations.get(KEY_ANNOTATION)
        && *claimed != want
    {
        return Err(refused(
            reference,
            format!("its manifest is for the key `{claimed}`, not `{want}`"),
        ));
    }
    let config = client
        .blob_bytes(reference, &manifest.config, CONFIG_LIMIT)
        .await?;
    let labels = config_labels(&config).map_err(|r| refused(reference, r))?;
    match labels.get(KEY_ANNOTATION) {
        Some(label) if *label == want => {}
        Some(label) => {
            return Err(refused(
                reference,
                format!("its image is labelled with the key `{label}`, not `{want}`"),
            ));
        }
        None => {
            return Err(refused(
                reference,
                format!("its image carries no `{KEY_ANNOTATION}` label"),
            ));
        }
    }
    let rootfs = match (
        manifest.annotations.get(ROOTFS_ANNOTATION),
        labels.get(ROOTFS_ANNOTATION),
    ) {
        (Some(a), Some(l)) if a != l => {
            return Err(refused(
                reference,
                format!("its manifest claims the rootfs digest `{a}` and its label `{l}`"),
            ));
        }
        (Some(digest), _) | (None, Some(digest)) => digest.clone(),
        (None, None) => {
            return Err(refused(
                reference,
                "it carries no rootfs digest to check its files against",
            ));
        }
    };
    let diff_ids = config_diff_ids(&config).map_err(|r| refused(reference, r))?;
    if diff_ids.len() != manifest.layers.len() {
        return Err(refused(
            reference,
            format!(
                "its manifest has {} layers and its config {}",
                manifest.layers.len(),
                diff_ids.len()
            ),
        ));
    }
    for layer in &manifest.layers {
        let known = GZIP_LAYERS.contains(&layer.media_type.as_str())
            || TAR_LAYERS.contains(&layer.media_type.as_str());
        if !known {
            return Err(refused(
                reference,
                format!(
                    "its layer type `{}` is not one envc reads",
                    layer.media_type
                ),
            ));
        }
    }
    Ok(Checked {
        config_digest: manifest.config.digest.clone(),
        manifest,
        config,
        diff_ids,
        rootfs,
    })
}

/// Steps 3 and 4: download the layers, load them and list their files at the same time.
async fn download(
    client: &RegistryClient,
    engine: &Engine,
    reference: &Reference,
    checked: &Checked,
) -> Result<PulledImage, RegistryError> {
    let dir = tempfile::Builder::new()
        .prefix("envc-pull-")
        .tempdir()
        .map_err(|e| RegistryError::io("create a folder for pulled layers", e))?;
    let mut files = Vec::new();
    let mut listings = Vec::new();
    let mut bytes = 0;
    for (index, layer) in checked.manifest.layers.iter().enumerate() {
        let path = dir.path().join(format!("{index}.layer"));
        bytes += fetch_blob(client, reference, layer, &path).await?;
        let gzip = GZIP_LAYERS.contains(&layer.media_type.as_str());
        let (file, expected) = (path.clone(), checked.diff_ids[index].clone());
        // Listed while the next layers download.
        listings.push(tokio::task::spawn_blocking(move || {
            list_layer(&file, gzip, &expected)
        }));
        files.push((path, layer.digest.clone()));
    }
    let load = load_archive(engine, &files, &checked.config, &checked.config_digest);
    let list = async {
        let mut layers = Vec::new();
        for listing in listings {
            layers.push(listing.await.map_err(|e| RegistryError::Save {
                reason: format!("the listing thread failed: {e}"),
            })?);
        }
        Ok::<_, RegistryError>(layers)
    };
    let (loaded, listed) = tokio::join!(load, list);
    let id = checked.config_digest.clone();
    let cleanup = || async {
        // Untagged, and ours: nothing else can hold it yet.
        let _ = engine.remove_image(&id, false).await;
    };
    let listed = match listed {
        Ok(listed) => listed,
        Err(e) => {
            if loaded.is_ok() {
                cleanup().await;
            }
            return Err(e);
        }
    };
    let mut stack = LayerStack::new();
    let mut failure = None;
    for (index, layer) in listed.into_iter().enumerate() {
        match layer {
            Ok(changes) => {
                if let Err(e) = stack.apply(&changes) {
                    failure = Some(format!("its layer {} cannot be applied: {e}", index + 1));
                    break;
                }
            }
            Err(reason) => {
                failure = Some(format!("its layer {}: {reason}", index + 1));
                break;
            }
        }
    }
    if let Err(e) = loaded {
        return match failure {
            Some(reason) => Err(refused(reference, reason)),
            None => Err(e),
        };
    }
    if let Some(reason) = failure {
        cleanup().await;
        return Err(refused(reference, reason));
    }
    let digest = stack.listing().digest();
    if digest != checked.rootfs {
        cleanup().await;
        return Err(refused(reference, mismatch(&checked.rootfs, &digest)));
    }
    let image = engine.inspect_image(&id).await?;
    Ok(PulledImage {
        id: image.id,
        rootfs: digest,
        bytes,
    })
}

/// Check the registry's entry `reference` for `key` as a pull would, without an engine:
/// the rootfs digest its layers give (equal to its claims), or why it is refused.
pub async fn check_entry(
    client: &RegistryClient,
    reference: &Reference,
    key: &Key,
) -> Result<Result<String, Refusal>, RegistryError> {
    let refusal = |reason: String| {
        Ok(Err(Refusal {
            reference: Registry::show(reference),
            reason,
        }))
    };
    let checked = match check_manifest(client, reference, key).await {
        Ok(checked) => checked,
        Err(RegistryError::Refused { reason, .. }) => return refusal(reason),
        Err(e) => return Err(e),
    };
    let dir = tempfile::Builder::new()
        .prefix("envc-verify-")
        .tempdir()
        .map_err(|e| RegistryError::io("create a folder for the layers to check", e))?;
    let mut stack = LayerStack::new();
    for (index, layer) in checked.manifest.layers.iter().enumerate() {
        let path = dir.path().join(format!("{index}.layer"));
        match fetch_blob(client, reference, layer, &path).await {
            Ok(_) => {}
            Err(RegistryError::Refused { reason, .. }) => return refusal(reason),
            Err(e) => return Err(e),
        }
        let gzip = GZIP_LAYERS.contains(&layer.media_type.as_str());
        let expected = checked.diff_ids[index].clone();
        let listed = tokio::task::spawn_blocking(move || list_layer(&path, gzip, &expected))
            .await
            .map_err(|e| RegistryError::Save {
                reason: format!("the listing thread failed: {e}"),
            })?;
        let applied = listed.and_then(|changes| stack.apply(&changes).map_err(|e| e.to_string()));
        if let Err(reason) = applied {
            return refusal(format!("its layer {}: {reason}", index + 1));
        }
    }
    let digest = stack.listing().digest();
    if digest != checked.rootfs {
        return refusal(mismatch(&checked.rootfs, &digest));
    }
    Ok(Ok(digest))
}

/// Download one blob to `path`, its digest checked as it streams; returns its size.
pub(crate) async fn fetch_blob(
    client: &RegistryClient,
    reference: &Reference,
    descriptor: &OciDescriptor,
    path: &Path,
) -> Result<u64, RegistryError> {
    let write_failed = |e| RegistryError::io(format!("write `{}`", path.display()), e);
    let mut file = tokio::fs::File::create(path).await.map_err(write_failed)?;
    let mut stream = client.blob_stream(reference, descriptor).await?;
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| client.stream_failed(reference, descriptor, e))?;
        size += chunk.len() as u64;
        if descriptor.size >= 0 && size > descriptor.size as u64 {
            return Err(refused(
                reference,
                format!(
                    "its blob `{}` is larger than its manifest says",
                    descriptor.digest
                ),
            ));
        }
        file.write_all(&chunk).await.map_err(write_failed)?;
    }
    file.flush().await.map_err(write_failed)?;
    if descriptor.size >= 0 && size != descriptor.size as u64 {
        return Err(refused(
            reference,
            format!(
                "its blob `{}` is {size} bytes, its manifest says {}",
                descriptor.digest, descriptor.size
            ),
        ));
    }
    Ok(size)
}

/// The changes of a downloaded layer, after checking its content against `diff_id`.
fn list_layer(path: &Path, gzip: bool, diff_id: &str) -> Result<LayerChanges, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let file = io::BufReader::with_capacity(1 << 20, file);
    let raw: Box<dyn Read> = if gzip {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut hashed = Hashed {
        inner: raw,
        hasher: Sha256::new(),
    };
    let changes = read_layer(&mut hashed).map_err(|e| e.to_string())?;
    io::copy(&mut hashed, &mut io::sink()).map_err(|e| e.to_string())?;
    let found = format!("sha256:{}", hex::encode(hashed.hasher.finalize()));
    if found != diff_id {
        return Err(format!(
            "its content is `{found}`, not the `{diff_id}` its config lists"
        ));
    }
    Ok(changes)
}

struct Hashed<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Load the layers and config as an untagged `docker save` archive.
async fn load_archive(
    engine: &Engine,
    layers: &[(PathBuf, String)],
    config: &[u8],
    config_digest: &str,
) -> Result<(), RegistryError> {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(8);
    let layers = layers.to_vec();
    let config = config.to_vec();
    let config_name = format!("{}.json", config_digest.trim_start_matches("sha256:"));
    let writer = tokio::task::spawn_blocking(move || {
        let out = ChannelWriter {
            sender: sender.clone(),
            buffer: Vec::with_capacity(1 << 20),
        };
        let result = write_archive(out, &layers, &config, &config_name);
        if let Err(e) = &result {
            let _ = sender.blocking_send(Err(io::Error::other(e.to_string())));
        }
        result
    });
    let stream = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let loaded = engine.load_archive(stream).await;
    let written = writer.await.map_err(|e| RegistryError::Save {
        reason: format!("the archive thread failed: {e}"),
    })?;
    written.map_err(|e| RegistryError::io("send the pulled layers to the engine", e))?;
    loaded?;
    Ok(())
}

fn write_archive(
    out: ChannelWriter,
    layers: &[(PathBuf, String)],
    config: &[u8],
    config_name: &str,
) -> io::Result<()> {
    let mut builder = tar::Builder::new(out);
    let mut names = Vec::new();
    for (path, digest) in layers {
        // The engine unpacks compressed layers itself; the name only has to be unique.
        let name = format!("{}/layer.tar", digest.trim_start_matches("sha256:"));
        builder.append_path_with_name(path, &name)?;
        names.push(name);
    }
    let mut header = tar::Header::new_gnu();
    header.set_size(config.len() as u64);
    header.set_mode(0o644);
    builder.append_data(&mut header, config_name, config)?;
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": config_name,
        "RepoTags": null,
        "Layers": names,
    }]))
    .map_err(io::Error::other)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(manifest.len() as u64);
    header.set_mode(0o644);
    builder.append_data(&mut header, "manifest.json", &manifest[..])?;
    let mut out = builder.into_inner()?;
    out.flush()
}

/// The blocking side of the archive stream: buffers 1 MiB, then sends.
struct ChannelWriter {
    sender: tokio::sync::mpsc::Sender<io::Result<Bytes>>,
    buffer: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= 1 << 20 {
            self.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(1 << 20),
        ));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::other("the engine stopped reading the archive"))
    }
}
