//! The manifests envc writes and what it reads back from them.
//!
//! Images are OCI image manifests (gzip layers, the engine's own config blob, so the image
//! ID is the same on every machine) annotated with envc's claims: the step key, the rootfs
//! digest of the image's files and the inputs digest of the config it came from. The config
//! also carries `dev.envc.key` (and, for finished images, `dev.envc.rootfs`) as labels; on
//! pull, every claim that is present must agree with the key asked for and with the files.
//!
//! SIFs are stored exactly as Apptainer's `oras://` transport stores them: an OCI manifest
//! with the empty-JSON config of media type [`SIF_CONFIG`] and the SIF file as its one layer
//! of type [`SIF_LAYER`], named by `org.opencontainers.image.title` (which `oras pull` needs
//! to write the file).

use std::collections::HashMap;

use oci_spec::image::{
    Descriptor, DescriptorBuilder, Digest, ImageManifest, ImageManifestBuilder, MediaType,
};
use serde_json::Value;

use crate::build::cache::KEY_LABEL;
use crate::build::rootfs_label::ROOTFS_LABEL;

/// The annotation holding the step key of an image (or the plan key of a SIF).
pub const KEY_ANNOTATION: &str = KEY_LABEL;
/// The annotation holding the rootfs digest of the image's (or SIF partition's) files.
pub const ROOTFS_ANNOTATION: &str = ROOTFS_LABEL;
/// The annotation holding the digest of the build-side config the image was made from (the
/// `config` digest `envc.lock` records).
pub const INPUTS_ANNOTATION: &str = "dev.envc.inputs";
/// The annotation holding the parent step's key.
pub const PARENT_ANNOTATION: &str = "dev.envc.parent";

/// The media type of an OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// The media type of envc's layers.
pub const LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// The config of an image.
pub const IMAGE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// Apptainer's SIF config (always the empty JSON object).
pub const SIF_CONFIG: &str = "application/vnd.sylabs.sif.config.v1+json";
/// Apptainer's SIF layer.
pub const SIF_LAYER: &str = "application/vnd.sylabs.sif.layer.v1.sif";
/// The SIF layer type of Singularity before 3.7 (with its typo), still read by Apptainer.
pub const SIF_LAYER_PROTO: &str = "appliciation/vnd.sylabs.sif.layer.tar";
/// The empty JSON object `{}`, the SIF config's content.
pub const EMPTY_JSON: &[u8] = b"{}";
/// The title annotation `oras pull` names files by.
pub const TITLE_ANNOTATION: &str = "org.opencontainers.image.title";

/// What envc claims about an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    pub key: String,
    pub rootfs: String,
    pub inputs: Option<String>,
    pub parent: Option<String>,
}

impl Claims {
    fn annotations(&self) -> HashMap<String, String> {
        let mut annotations = HashMap::from([
            (KEY_ANNOTATION.to_owned(), self.key.clone()),
            (ROOTFS_ANNOTATION.to_owned(), self.rootfs.clone()),
        ]);
        if let Some(inputs) = &self.inputs {
            annotations.insert(INPUTS_ANNOTATION.to_owned(), inputs.clone());
        }
        if let Some(parent) = &self.parent {
            annotations.insert(PARENT_ANNOTATION.to_owned(), parent.clone());
        }
        annotations
    }
}

/// A blob a manifest names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub digest: String,
    pub size: u64,
}

fn descriptor(
    media_type: &str,
    blob: &Blob,
    annotations: Option<HashMap<String, String>>,
) -> Descriptor {
    let digest: Digest = blob.digest.parse().expect("envc computes sha256 digests");
    let mut builder = DescriptorBuilder::default()
        .media_type(MediaType::from(media_type))
        .digest(digest)
        .size(blob.size);
    if let Some(annotations) = annotations {
        builder = builder.annotations(annotations);
    }
    builder
        .build()
        .expect("a descriptor with every required field")
}

/// The canonical bytes of a manifest (sorted keys, no whitespace).
fn to_bytes(manifest: &ImageManifest) -> Vec<u8> {
    let value = serde_json::to_value(manifest).expect("a manifest serializes");
    crate::sif::metadata::canonical_json(&value).into_bytes()
}

/// The manifest of an envc image: `config` and gzip `layers` in order, with `claims`.
pub fn image_manifest(config: &Blob, layers: &[Blob], claims: &Claims) -> Vec<u8> {
    let manifest = ImageManifestBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::ImageManifest)
        .config(descriptor(IMAGE_CONFIG, config, None))
        .layers(
            layers
                .iter()
                .map(|l| descriptor(LAYER_GZIP, l, None))
                .collect::<Vec<_>>(),
        )
        .annotations(claims.annotations())
        .build()
        .expect("a manifest with every required field");
    to_bytes(&manifest)
}

/// The manifest of a SIF named `title`, as Apptainer writes it, with `claims`.
pub fn sif_manifest(sif: &Blob, title: &str, claims: &Claims) -> Vec<u8> {
    let empty = Blob {
        digest: empty_json_digest(),
        size: EMPTY_JSON.len() as u64,
    };
    let title = HashMap::from([(TITLE_ANNOTATION.to_owned(), title.to_owned())]);
    let manifest = ImageManifestBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::ImageManifest)
        .config(descriptor(SIF_CONFIG, &empty, None))
        .layers(vec![descriptor(SIF_LAYER, sif, Some(title))])
        .annotations(claims.annotations())
        .build()
        .expect("a manifest with every required field");
    to_bytes(&manifest)
}

/// `sha256:` of `{}`.
pub fn empty_json_digest() -> String {
    sha256(EMPTY_JSON)
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

/// A manifest read back: what it names and what it claims.
#[derive(Debug, Clone)]
pub struct ReadManifest {
    pub config: oci_client::manifest::OciDescriptor,
    pub layers: Vec<oci_client::manifest::OciDescriptor>,
    pub annotations: HashMap<String, String>,
}

/// Parse an image manifest (OCI or Docker schema 2). An index, a manifest list or a
/// manifest of another schema is `Err` with the reason.
pub fn read_manifest(bytes: &[u8]) -> Result<ReadManifest, String> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("its manifest is not JSON: {e}"))?;
    let media_type = value.get("mediaType").and_then(Value::as_str).unwrap_or("");
    if value.get("manifests").is_some() {
        return Err(format!(
            "it is an index (`{media_type}`), not the single image envc pushes"
        ));
    }
    if value.get("schemaVersion").and_then(Value::as_u64) != Some(2) {
        return Err("its manifest is not schema version 2".into());
    }
    let manifest: ImageManifest =
        serde_json::from_value(value).map_err(|e| format!("its manifest cannot be read: {e}"))?;
    let convert = |d: &Descriptor| oci_client::manifest::OciDescriptor {
        media_type: d.media_type().to_string(),
        digest: d.digest().to_string(),
        size: d.size() as i64,
        urls: None,
        artifact_type: None,
        annotations: d
            .annotations()
            .as_ref()
            .map(|a| a.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
    };
    Ok(ReadManifest {
        config: convert(manifest.config()),
        layers: manifest.layers().iter().map(convert).collect(),
        annotations: manifest.annotations().clone().unwrap_or_default(),
    })
}

/// The labels of an image config blob.
pub fn config_labels(config: &[u8]) -> Result<HashMap<String, String>, String> {
    let value: Value =
        serde_json::from_slice(config).map_err(|e| format!("its config is not JSON: {e}"))?;
    let labels = value
        .pointer("/config/Labels")
        .cloned()
        .unwrap_or(Value::Null);
    match labels {
        Value::Null => Ok(HashMap::new()),
        other => serde_json::from_value(other).map_err(|e| format!("its config labels: {e}")),
    }
}

/// The layer diff IDs an image config lists (`rootfs.diff_ids`).
pub fn config_diff_ids(config: &[u8]) -> Result<Vec<String>, String> {
    let value: Value =
        serde_json::from_slice(config).map_err(|e| format!("its config is not JSON: {e}"))?;
    let ids = value
        .pointer("/rootfs/diff_ids")
        .and_then(Value::as_array)
        .ok_or("its config lists no layers (`rootfs.diff_ids`)")?;
    ids.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| "a diff ID is not text".to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_manifests_round_trip_with_their_claims() {
        let config = Blob {
            digest: sha256(b"config"),
            size: 6,
        };
        let layer = Blob {
            digest: sha256(b"layer"),
            size: 5,
        };
        let claims = Claims {
            key: "ab".repeat(32),
            rootfs: sha256(b"files"),
            inputs: Some(sha256(b"inputs")),
            parent: None,
        };
        let bytes = image_manifest(&config, std::slice::from_ref(&layer), &claims);
        let read = read_manifest(&bytes).unwrap();
        assert_eq!(read.config.digest, config.digest);
        assert_eq!(read.config.media_type, IMAGE_CONFIG);
        assert_eq!(read.layers.len(), 1);
        assert_eq!(read.layers[0].media_type, LAYER_GZIP);
        assert_eq!(read.annotations[KEY_ANNOTATION], claims.key);
        assert_eq!(read.annotations[ROOTFS_ANNOTATION], claims.rootfs);
        // Canonical: the same inputs give the same bytes.
        assert_eq!(bytes, image_manifest(&config, &[layer], &claims));
    }

    #[test]
    fn sif_manifests_have_apptainers_shape() {
        let sif = Blob {
            digest: sha256(b"sif"),
            size: 3,
        };
        let bytes = sif_manifest(&sif, "demo.sif", &Claims::default());
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(value["config"]["mediaType"], SIF_CONFIG);
        assert_eq!(
            value["config"]["digest"],
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(value["layers"][0]["mediaType"], SIF_LAYER);
        assert_eq!(
            value["layers"][0]["annotations"][TITLE_ANNOTATION],
            "demo.sif"
        );
    }

    #[test]
    fn indexes_and_garbage_are_refused_with_a_reason() {
        assert!(read_manifest(b"not json").is_err());
        let index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
        assert!(read_manifest(index).unwrap_err().contains("index"));
    }
}
