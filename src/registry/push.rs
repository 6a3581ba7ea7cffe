//! Saved images into the registry: blobs first, then one manifest per tag.
//!
//! A manifest is sent only after every blob it names is in its repository (the registry
//! refuses it otherwise), and manifests go in plan order, the finished image last; so a push
//! that stops half way leaves complete images for the steps it got to and nothing for the
//! others, never a tag that names missing content. Blobs the repository already has are not
//! sent again, blobs another repository of the push has are mounted, and a tag that already
//! names exactly the manifest envc would write is left alone.

use std::collections::{HashMap, HashSet};

use futures_util::{StreamExt, TryStreamExt};
use oci_client::{Reference, RegistryOperation};

use super::client::RegistryClient;
use super::error::RegistryError;
use super::manifest::{Blob, Claims, OCI_MANIFEST, image_manifest, sha256};
use super::save::Saved;
use super::target::Registry;

/// How many blobs are sent at once.
const PARALLEL_UPLOADS: usize = 3;

/// One tag to push: which saved image, and what envc claims about it.
#[derive(Debug, Clone)]
pub struct PushTarget {
    pub reference: Reference,
    /// Index into [`Saved::images`].
    pub image: usize,
    pub claims: Claims,
}

/// What happened to one tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub reference: String,
    /// The manifest digest the tag names now.
    pub digest: String,
    /// `false` when the tag already named this manifest.
    pub sent: bool,
    /// Blob bytes sent for it.
    pub bytes: u64,
}

/// Push every target, in order.
pub async fn push_images(
    client: &RegistryClient,
    saved: &Saved,
    targets: &[PushTarget],
) -> Result<Vec<Pushed>, RegistryError> {
    let mut present: HashMap<String, HashSet<String>> = HashMap::new();
    let mut holder: HashMap<String, Reference> = HashMap::new();
    let mut authenticated: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for target in targets {
        let image = &saved.images[target.image];
        let layers: Vec<Blob> = image
            .layers
            .iter()
            .map(|i| saved.layers[*i].blob.clone())
            .collect();
        let config = Blob {
            digest: image.config_digest.clone(),
            size: image.config.len() as u64,
        };
        let manifest = image_manifest(&config, &layers, &target.claims);
        let digest = sha256(&manifest);
        let reference = &target.reference;
        let repository = reference.repository().to_owned();
        if authenticated.insert(repository.clone()) {
            client
                .authenticate(reference, RegistryOperation::Push)
                .await?;
        }
        if client.head(reference).await?.as_deref() == Some(digest.as_str()) {
            out.push(Pushed {
                reference: Registry::show(reference),
                digest,
                sent: false,
                bytes: 0,
            });
            continue;
        }
        let mut sent = 0;
        // Layers (several at once), then the config.
        let mut missing = Vec::new();
        let mut seen = HashSet::new();
        for index in &image.layers {
            let layer = &saved.layers[*index];
            let known = present.entry(repository.clone()).or_default();
            // An image may hold one layer twice (two steps that change no file).
            if known.contains(&layer.blob.digest) || !seen.insert(layer.blob.digest.clone()) {
                continue;
            }
            if client.has_blob(reference, &layer.blob.digest).await? {
                known.insert(layer.blob.digest.clone());
                continue;
            }
            if let Some(from) = holder.get(&layer.blob.digest)
                && client.mount_blob(reference, from, &layer.blob.digest).await
            {
                known.insert(layer.blob.digest.clone());
                continue;
            }
            missing.push(layer);
        }
        let uploads = futures_util::stream::iter(missing.iter().map(|layer| async move {
            client
                .push_blob_file(reference, &layer.path, &layer.blob.digest, layer.blob.size)
                .await
                .map(|()| layer.blob.size)
        }))
        .buffer_unordered(PARALLEL_UPLOADS)
        .try_collect::<Vec<u64>>()
        .await?;
        sent += uploads.iter().sum::<u64>();
        let known = present.entry(repository.clone()).or_default();
        for layer in &missing {
            known.insert(layer.blob.digest.clone());
        }
        if !known.contains(&config.digest) && !client.has_blob(reference, &config.digest).await? {
            client
                .push_blob_bytes(reference, image.config.clone(), &config.digest)
                .await?;
            sent += config.size;
        }
        let known = present.entry(repository.clone()).or_default();
        known.insert(config.digest.clone());
        for blob in layers.iter().chain([&config]) {
            holder
                .entry(blob.digest.clone())
                .or_insert_with(|| reference.clone());
        }
        let pushed = client
            .push_manifest(reference, manifest, OCI_MANIFEST)
            .await?;
        out.push(Pushed {
            reference: Registry::show(reference),
            digest: pushed,
            sent: true,
            bytes: sent,
        });
    }
    Ok(out)
}
