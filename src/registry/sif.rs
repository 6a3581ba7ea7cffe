//! SIFs in the registry, stored the way Apptainer's `oras://` transport and `oras push`
//! store them, so `apptainer pull oras://…` and `oras pull` read what envc pushes and envc
//! reads what they push.
//!
//! A pulled SIF is byte for byte the pushed file: its digest is checked while it streams
//! into a temporary file next to its place in the cache, then it must be a SIF that envc
//! built for the key asked for (its envc metadata object says so), and its squashfs
//! partition must hold the files that metadata records. Only then is it renamed into place.
//! Nothing on this path talks to a container engine.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use oci_client::{Reference, RegistryOperation};
use sha2::{Digest, Sha256};

use crate::plan::Key;
use crate::sif::SifImage;
use crate::sif::metadata::{EnvcMetadata, read_metadata};

use super::client::{IMAGE_MANIFEST_TYPES, RegistryClient};
use super::error::{Refusal, RegistryError};
use super::manifest::{
    Blob, Claims, EMPTY_JSON, KEY_ANNOTATION, OCI_MANIFEST, ROOTFS_ANNOTATION, SIF_LAYER,
    SIF_LAYER_PROTO, empty_json_digest, read_manifest, sha256, sif_manifest,
};
use super::pull::fetch_blob;
use super::push::Pushed;
use super::target::Registry;

/// A SIF now in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledSif {
    pub path: PathBuf,
    /// `sha256:` of the file.
    pub digest: String,
    pub bytes: u64,
    pub rootfs: String,
}

/// envc's metadata of the SIF at `path`, `None` when the file is not a SIF envc made.
pub fn metadata(path: &Path) -> Option<EnvcMetadata> {
    let mut file = BufReader::new(File::open(path).ok()?);
    let image = SifImage::read(&mut file).ok()?;
    read_metadata(&image, &mut file).ok()??.ok()
}

fn same_key(recorded: &str, key: &Key) -> bool {
    recorded.trim_start_matches("sha256:") == key.hex()
}

/// The `sha256:` digest and size of a file, read once.
pub fn file_digest(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((format!("sha256:{}", hex::encode(hasher.finalize())), size))
}

/// Push the SIF at `path` (built for `key`) as `REGISTRY/<name>:<key>.sif`.
pub async fn push_sif(
    client: &RegistryClient,
    image_name: &str,
    key: &Key,
    path: &Path,
    inputs: Option<String>,
) -> Result<Pushed, RegistryError> {
    let shown = path.display().to_string();
    let recorded = metadata(path).ok_or_else(|| RegistryError::NotBuilt {
        image: shown.clone(),
    })?;
    if !same_key(&recorded.plan_key, key) {
        return Err(RegistryError::LocalMismatch {
            image: shown,
            reason: format!("it records the key `{}`, not `{key}`", recorded.plan_key),
        });
    }
    let owned = path.to_path_buf();
    let (digest, size) = tokio::task::spawn_blocking(move || file_digest(&owned))
        .await
        .map_err(|e| RegistryError::io("hash the SIF", std::io::Error::other(e)))?
        .map_err(|e| RegistryError::io(format!("read `{shown}`"), e))?;
    let reference = client.registry().sif(image_name, key);
    let title = format!(
        "{}-{}.sif",
        image_name.strip_prefix("envc/").unwrap_or(image_name),
        key.short()
    );
    let blob = Blob {
        digest: digest.clone(),
        size,
    };
    let claims = Claims {
        key: key.hex(),
        rootfs: recorded.rootfs_digest.clone(),
        inputs,
        parent: None,
    };
    let manifest = sif_manifest(&blob, &title, &claims);
    let manifest_digest = sha256(&manifest);
    client
        .authenticate(&reference, RegistryOperation::Push)
        .await?;
    if client.head(&reference).await?.as_deref() == Some(manifest_digest.as_str()) {
        return Ok(Pushed {
            reference: Registry::show(&reference),
            digest: manifest_digest,
            sent: false,
            bytes: 0,
        });
    }
    let mut sent = 0;
    if !client.has_blob(&reference, &digest).await? {
        client
            .push_blob_file(&reference, path, &digest, size)
            .await?;
        sent += size;
    }
    let empty = empty_json_digest();
    if !client.has_blob(&reference, &empty).await? {
        client
            .push_blob_bytes(&reference, bytes::Bytes::from_static(EMPTY_JSON), &empty)
            .await?;
    }
    let pushed = client
        .push_manifest(&reference, manifest, OCI_MANIFEST)
        .await?;
    Ok(Pushed {
        reference: Registry::show(&reference),
        digest: pushed,
        sent: true,
        bytes: sent,
    })
}

/// Pull `REGISTRY/<name>:<key>.sif` (or `reference`, when given) to `out`, verified.
pub async fn pull_sif(
    client: &RegistryClient,
    reference: &Reference,
    key: &Key,
    out: &Path,
) -> Result<Result<PulledSif, Refusal>, RegistryError> {
    let shown = Registry::show(reference);
    let refuse = |reason: String| {
        Ok(Err(Refusal {
            reference: shown.clone(),
            reason,
        }))
    };
    let (bytes, _) = client
        .manifest(reference, IMAGE_MANIFEST_TYPES)
        .await?
        .ok_or_else(|| RegistryError::Missing {
            reference: shown.clone(),
        })?;
    let manifest = match read_manifest(&bytes) {
        Ok(m) => m,
        Err(reason) => return refuse(reason),
    };
    let [layer] = manifest.layers.as_slice() else {
        return refuse(format!(
            "a SIF artifact has one layer, this one has {}",
            manifest.layers.len()
        ));
    };
    if layer.media_type != SIF_LAYER && layer.media_type != SIF_LAYER_PROTO {
        return refuse(format!(
            "its layer is `{}`, not a SIF (`{SIF_LAYER}`)",
            layer.media_type
        ));
    }
    if let Some(claimed) = manifest.annotations.get(KEY_ANNOTATION)
        && !same_key(claimed, key)
    {
        return refuse(format!(
            "its manifest is for the key `{claimed}`, not `{key}`"
        ));
    }
    let dir = out.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| RegistryError::io(format!("create `{}`", dir.display()), e))?;
    let partial = tempfile::Builder::new()
        .prefix(".envc-pull-")
        .suffix(".sif")
        .tempfile_in(dir)
        .map_err(|e| RegistryError::io(format!("write in `{}`", dir.display()), e))?;
    let size = match fetch_blob(client, reference, layer, partial.path()).await {
        Ok(size) => size,
        Err(RegistryError::Refused { reason, .. }) => return refuse(reason),
        Err(e) => return Err(e),
    };
    let path = partial.path().to_path_buf();
    let annotated = manifest.annotations.get(ROOTFS_ANNOTATION).cloned();
    let wanted = *key;
    let checked = tokio::task::spawn_blocking(move || check_sif(&path, &wanted, annotated))
        .await
        .map_err(|e| RegistryError::io("check the SIF", std::io::Error::other(e)))?;
    let rootfs = match checked {
        Ok(rootfs) => rootfs,
        Err(reason) => return refuse(reason),
    };
    partial
        .persist(out)
        .map_err(|e| RegistryError::io(format!("write `{}`", out.display()), e.error))?;
    Ok(Ok(PulledSif {
        path: out.to_path_buf(),
        digest: layer.digest.clone(),
        bytes: size,
        rootfs,
    }))
}

/// The SIF at `path` is envc's SIF of `key` and its partition holds what it records.
fn check_sif(path: &Path, key: &Key, annotated: Option<String>) -> Result<String, String> {
    let Some(recorded) = metadata(path) else {
        return Err(
            "it is not a SIF envc built (no envc metadata), so its key cannot be checked".into(),
        );
    };
    if !same_key(&recorded.plan_key, key) {
        return Err(format!(
            "the SIF records the key `{}`, not `{key}`",
            recorded.plan_key
        ));
    }
    if let Some(annotated) = annotated
        && annotated != recorded.rootfs_digest
    {
        return Err(format!(
            "its manifest claims the rootfs digest `{annotated}`, the SIF records `{}`",
            recorded.rootfs_digest
        ));
    }
    let listing = crate::sif::list_sif(path)
        .map_err(|e| format!("its squashfs partition cannot be read: {e}"))?;
    let found = listing.digest();
    if found != recorded.rootfs_digest {
        return Err(format!(
            "its partition holds other files than it records: recorded `{}`, found `{found}`",
            recorded.rootfs_digest
        ));
    }
    Ok(found)
}
