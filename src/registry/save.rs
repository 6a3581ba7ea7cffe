//! Images out of the engine, ready to push: one `docker save` stream read once.
//!
//! Every layer is read as it streams past and, in the same pass, hashed (its diff ID),
//! gzip-compressed into a temporary file (the blob that is pushed, with its digest) and
//! listed as a changeset for the rootfs digest ([`crate::rootfs::layers`]). Configs and
//! `manifest.json` are small and kept in memory. Both archive shapes the engines write are
//! read: Docker's classic one (`<id>/layer.tar`, `<config>.json`) and the OCI layout of newer
//! engines (`blobs/sha256/<hex>`, with the classic names as symlinks).

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::engine::{ChannelReader, Engine};
use crate::rootfs::layers::{LayerChanges, read_layer};

use super::error::RegistryError;
use super::manifest::{Blob, sha256};

/// Files above this size that are not layers are skipped (they are not part of an image).
const SMALL_FILE_LIMIT: u64 = 16 << 20;
/// gzip level of pushed layers: Docker's default, so blobs are about the size `docker push`
/// makes.
const GZIP_LEVEL: u32 = 6;

/// One layer, compressed and listed.
#[derive(Debug)]
pub struct SavedLayer {
    /// `sha256:` of the uncompressed tar, as the image config lists it.
    pub diff_id: String,
    /// The gzip blob.
    pub blob: Blob,
    pub path: PathBuf,
    pub changes: LayerChanges,
}

/// One image of the archive.
#[derive(Debug, Clone)]
pub struct SavedImage {
    /// The config blob exactly as the engine stores it (its digest is the image ID).
    pub config: Bytes,
    pub config_digest: String,
    /// Indexes into [`Saved::layers`], bottom first.
    pub layers: Vec<usize>,
    /// The names it was saved under.
    pub tags: Vec<String>,
}

/// A saved archive: its layers (kept in a temporary folder) and its images.
#[derive(Debug)]
pub struct Saved {
    _dir: tempfile::TempDir,
    pub layers: Vec<SavedLayer>,
    pub images: Vec<SavedImage>,
}

impl Saved {
    /// The image saved under `tag`.
    pub fn image(&self, tag: &str) -> Option<&SavedImage> {
        self.images.iter().find(|i| i.tags.iter().any(|t| t == tag))
    }
}

/// Save `tags` from the engine and prepare them for pushing.
pub async fn save(engine: &Engine, tags: &[String]) -> Result<Saved, RegistryError> {
    let dir = tempfile::Builder::new()
        .prefix("envc-push-")
        .tempdir()
        .map_err(|e| RegistryError::io("create a folder for the layers to push", e))?;
    let names: Vec<&str> = tags.iter().map(String::as_str).collect();
    let mut stream = engine.save_images(&names);
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(16);
    let folder = dir.path().to_path_buf();
    let reader =
        tokio::task::spawn_blocking(move || read_archive(ChannelReader::new(receiver), &folder));
    let mut failure = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => {
                if sender.send(bytes).await.is_err() {
                    break; // the reader stopped; its error is reported below
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    drop(sender);
    let read = reader.await.map_err(|e| RegistryError::Save {
        reason: format!("the reading thread failed: {e}"),
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    let (layers, images) = read?;
    Ok(Saved {
        _dir: dir,
        layers,
        images,
    })
}

type Contents = (Vec<SavedLayer>, Vec<SavedImage>);

/// Read a `docker save` archive, writing layer blobs into `folder`.
fn read_archive(stream: impl Read, folder: &Path) -> Result<Contents, RegistryError> {
    let fail = |reason: String| RegistryError::Save { reason };
    let mut layers: Vec<SavedLayer> = Vec::new();
    let mut layer_at: HashMap<String, usize> = HashMap::new();
    let mut small: HashMap<String, Vec<u8>> = HashMap::new();
    let mut links: HashMap<String, String> = HashMap::new();
    let mut archive = tar::Archive::new(stream);
    let entries = archive.entries().map_err(|e| fail(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| fail(e.to_string()))?;
        let path = clean(&String::from_utf8_lossy(&entry.path_bytes()));
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name()
                .ok()
                .flatten()
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            let resolved = if kind.is_symlink() {
                resolve_relative(&path, &target)
            } else {
                clean(&target)
            };
            links.insert(path, resolved);
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let size = entry.size();
        let mut head = Vec::with_capacity(512);
        (&mut entry)
            .take(512)
            .read_to_end(&mut head)
            .map_err(|e| fail(e.to_string()))?;
        let may_be_layer = path.ends_with("/layer.tar") || path.starts_with("blobs/");
        if may_be_layer && looks_like_tar(&head) {
            let index = layers.len();
            let out = folder.join(format!("layer-{index}.tar.gz"));
            let layer = compress_layer(io::Cursor::new(head).chain(&mut entry), &out)
                .map_err(|e| fail(format!("layer `{path}`: {e}")))?;
            layer_at.insert(path, index);
            layers.push(layer);
        } else if size <= SMALL_FILE_LIMIT {
            let mut bytes = head;
            entry
                .read_to_end(&mut bytes)
                .map_err(|e| fail(e.to_string()))?;
            small.insert(path, bytes);
        }
    }
    let manifest = small
        .get("manifest.json")
        .ok_or_else(|| fail("the archive has no `manifest.json`".into()))?;
    let manifest: Vec<ArchiveImage> = serde_json::from_slice(manifest)
        .map_err(|e| fail(format!("its `manifest.json` cannot be read: {e}")))?;
    let follow = |path: &str| -> String {
        let mut path = clean(path);
        for _ in 0..8 {
            match links.get(&path) {
                Some(next) => path = next.clone(),
                None => break,
            }
        }
        path
    };
    let mut images = Vec::new();
    for image in manifest {
        let config_path = follow(&image.config);
        let config = small
            .get(&config_path)
            .ok_or_else(|| fail(format!("the config `{}` is missing", image.config)))?;
        let mut indexes = Vec::new();
        for layer in &image.layers {
            let index = *layer_at
                .get(&follow(layer))
                .ok_or_else(|| fail(format!("the layer `{layer}` is missing")))?;
            indexes.push(index);
        }
        let listed = super::manifest::config_diff_ids(config).map_err(fail)?;
        let found: Vec<&str> = indexes
            .iter()
            .map(|i| layers[*i].diff_id.as_str())
            .collect();
        if listed != found {
            return Err(fail(format!(
                "the layers of `{}` are not the ones its config lists",
                image.config
            )));
        }
        images.push(SavedImage {
            config_digest: sha256(config),
            config: Bytes::copy_from_slice(config),
            layers: indexes,
            tags: image.repo_tags.unwrap_or_default(),
        });
    }
    Ok((layers, images))
}

/// An entry of `manifest.json`.
#[derive(serde::Deserialize)]
struct ArchiveImage {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

/// A tar starts with a header carrying the `ustar` magic, or is empty (zero blocks).
fn looks_like_tar(head: &[u8]) -> bool {
    (head.len() >= 262 && &head[257..262] == b"ustar")
        || (head.len() == 512 && head.iter().all(|b| *b == 0))
}

/// Hash, compress and list one layer tar read from `tar`, writing the blob to `out`.
fn compress_layer(tar: impl Read, out: &Path) -> io::Result<SavedLayer> {
    let file = std::fs::File::create(out)?;
    let counted = Counted {
        inner: io::BufWriter::with_capacity(1 << 20, file),
        hasher: Sha256::new(),
        written: 0,
    };
    let mut tee = Tee {
        inner: tar,
        hasher: Sha256::new(),
        gzip: Chunked {
            inner: GzEncoder::new(counted, Compression::new(GZIP_LEVEL)),
            pending: Vec::with_capacity(CHUNK),
        },
    };
    let changes = read_layer(&mut tee).map_err(io::Error::other)?;
    // What follows the end-of-archive blocks is still part of the blob and its digest.
    io::copy(&mut tee, &mut io::sink())?;
    let diff_id = format!("sha256:{}", hex::encode(tee.hasher.finalize()));
    let mut gzip = tee.gzip;
    gzip.inner.write_all(&gzip.pending)?;
    let mut counted = gzip.inner.finish()?;
    counted.inner.flush()?;
    Ok(SavedLayer {
        diff_id,
        blob: Blob {
            digest: format!("sha256:{}", hex::encode(counted.hasher.finalize())),
            size: counted.written,
        },
        path: out.to_path_buf(),
        changes,
    })
}

/// How much the compressor is fed at a time. Fixed, so that the same layer always gives the
/// same blob (the compressor's output can depend on how its input was split), whatever the
/// engine's stream chunks were: pushing an image twice, or from two machines, then writes
/// the same manifest.
const CHUNK: usize = 1 << 20;

/// Feeds `inner` in pieces of exactly [`CHUNK`] bytes (the rest when finished).
struct Chunked<W: Write> {
    inner: GzEncoder<W>,
    pending: Vec<u8>,
}

impl<W: Write> Chunked<W> {
    fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let take = (CHUNK - self.pending.len()).min(buf.len());
            self.pending.extend_from_slice(&buf[..take]);
            buf = &buf[take..];
            if self.pending.len() == CHUNK {
                self.inner.write_all(&self.pending)?;
                self.pending.clear();
            }
        }
        Ok(())
    }
}

/// Reads from `inner`, feeding every byte to a hash and a gzip stream.
struct Tee<R, W: Write> {
    inner: R,
    hasher: Sha256,
    gzip: Chunked<W>,
}

impl<R: Read, W: Write> Read for Tee<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.gzip.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// A writer that hashes and counts what passes through.
struct Counted<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `./a//b/` → `a/b`.
fn clean(path: &str) -> String {
    path.split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The path a symlink at `link` pointing to `target` names, inside the archive.
fn resolve_relative(link: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut dir: Vec<&str> = link.split('/').collect();
        dir.pop();
        dir
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(files: &[(&str, &[u8])], links: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            builder.append_data(&mut header, path, *data).unwrap();
        }
        for (path, target) in links {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            builder.append_link(&mut header, path, target).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn layer_tar() -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_ustar();
        header.set_size(2);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        builder
            .append_data(&mut header, "etc/x", &b"hi"[..])
            .unwrap();
        builder.into_inner().unwrap()
    }

    #[test]
    fn both_archive_shapes_give_the_same_image() {
        let layer = layer_tar();
        let diff_id = sha256(&layer);
        let config = format!(r#"{{"rootfs":{{"type":"layers","diff_ids":["{diff_id}"]}}}}"#);
        let classic_manifest =
            r#"[{"Config":"c.json","RepoTags":["envc/step:k"],"Layers":["abc/layer.tar"]}]"#;
        let classic = archive(
            &[
                ("abc/layer.tar", &layer),
                ("c.json", config.as_bytes()),
                ("manifest.json", classic_manifest.as_bytes()),
            ],
            &[],
        );
        let hex = diff_id.trim_start_matches("sha256:");
        let oci_manifest = r#"[{"Config":"blobs/sha256/cfg","RepoTags":["envc/step:k"],"Layers":["abc/layer.tar"]}]"#;
        let oci = archive(
            &[
                (&format!("blobs/sha256/{hex}"), &layer),
                ("blobs/sha256/cfg", config.as_bytes()),
                ("manifest.json", oci_manifest.as_bytes()),
            ],
            &[("abc/layer.tar", &format!("../blobs/sha256/{hex}"))],
        );
        for bytes in [classic, oci] {
            let dir = tempfile::tempdir().unwrap();
            let (layers, images) = read_archive(&bytes[..], dir.path()).unwrap();
            assert_eq!(layers.len(), 1);
            assert_eq!(layers[0].diff_id, diff_id);
            assert_eq!(images[0].tags, ["envc/step:k"]);
            assert_eq!(images[0].config_digest, sha256(config.as_bytes()));
            let blob = std::fs::read(&layers[0].path).unwrap();
            assert_eq!(sha256(&blob), layers[0].blob.digest);
            let mut unpacked = Vec::new();
            flate2::read::GzDecoder::new(&blob[..])
                .read_to_end(&mut unpacked)
                .unwrap();
            assert_eq!(unpacked, layer);
        }
    }

    #[test]
    fn a_config_that_lists_other_layers_is_an_error() {
        let layer = layer_tar();
        let config = r#"{"rootfs":{"type":"layers","diff_ids":["sha256:00"]}}"#;
        let manifest = r#"[{"Config":"c.json","Layers":["a/layer.tar"]}]"#;
        let bytes = archive(
            &[
                ("a/layer.tar", &layer),
                ("c.json", config.as_bytes()),
                ("manifest.json", manifest.as_bytes()),
            ],
            &[],
        );
        let dir = tempfile::tempdir().unwrap();
        assert!(read_archive(&bytes[..], dir.path()).is_err());
    }
}
