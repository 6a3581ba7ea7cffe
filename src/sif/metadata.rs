//! envc's own record inside a SIF: which plan built it and what its filesystem holds.
//!
//! Stored as a generic JSON object named [`OBJECT_NAME`], so `envc verify` can check a
//! cached SIF against its key and rootfs digest without trusting the file name, and
//! `envc inspect` can show where an image came from.

use std::io::{Read, Seek};

use serde::{Deserialize, Serialize};

use super::{DataType, SifError, SifImage};

/// Name of the generic JSON object holding [`EnvcMetadata`].
pub const OBJECT_NAME: &str = "envc.json";

/// Largest metadata object we agree to load (the manifest is small; this guards memory).
const LIMIT: u64 = 16 << 20;

/// Bump when fields change meaning.
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvcMetadata {
    pub schema: u32,
    /// The plan key the SIF was built from (`sha256:…`).
    pub plan_key: String,
    /// The rootfs digest of the partition's filesystem (see `crate::rootfs`).
    pub rootfs_digest: String,
    /// The run manifest, opaque here.
    pub manifest: serde_json::Value,
}

impl EnvcMetadata {
    pub fn new(plan_key: String, rootfs_digest: String, manifest: serde_json::Value) -> Self {
        EnvcMetadata {
            schema: SCHEMA,
            plan_key,
            rootfs_digest,
            manifest,
        }
    }

    /// Canonical bytes: sorted keys, no whitespace, so the SIF stays byte-identical.
    pub fn to_bytes(&self) -> Vec<u8> {
        let value = serde_json::to_value(self).expect("metadata serializes");
        canonical_json(&value).into_bytes()
    }
}

/// Read envc's metadata from an image, `None` when the SIF was not made by envc.
pub fn read_metadata<R: Read + Seek>(
    image: &SifImage,
    source: &mut R,
) -> Result<Option<Result<EnvcMetadata, serde_json::Error>>, SifError> {
    let Some(object) = image.find(DataType::GenericJson, OBJECT_NAME) else {
        return Ok(None);
    };
    let bytes = image.object_bytes(source, object, LIMIT)?;
    Ok(Some(serde_json::from_slice(&bytes)))
}

/// JSON with object keys sorted at every level and no insignificant whitespace.
pub fn canonical_json(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        serde_json::to_string(k).expect("string serializes"),
                        canonical_json(&map[k])
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", parts.join(","))
        }
        other => serde_json::to_string(other).expect("scalar serializes"),
    }
}
