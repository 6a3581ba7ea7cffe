//! Content keys: the SHA-256 of a canonical JSON document describing one build step.
//!
//! DESIGN.md "Keys": a step's key covers its parent's key, its kind and payload, the digests
//! of every project file it reads, the platform, and the key-schema version. Because the
//! parent key is inside, a key names the whole chain of steps up to it, so an image tagged
//! with a key is found by its inputs alone. Nothing host-specific (paths, mtimes, users)
//! may enter the document; the plan builder is responsible for passing only build-side data.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};

use crate::content::Digest;
use crate::content::canonical;

/// The version of the key document's shape. Bump it whenever the document, the canonical
/// JSON form, the tree-digest format or the meaning of a payload field changes, so that old
/// cache entries stop matching instead of matching wrongly.
pub const KEY_SCHEMA_VERSION: u32 = 1;

/// A step's content key: 32 bytes, written as 64 lowercase hex digits (usable as an image tag).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(pub [u8; 32]);

impl Key {
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The first 12 hex digits: enough to tell keys apart for people, as Docker IDs do.
    pub fn short(&self) -> String {
        self.hex()[..12].to_owned()
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.short())
    }
}

/// Why a string is not a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a key of 64 lowercase hex digits, found `{0}`")]
pub struct ParseKeyError(pub String);

impl FromStr for Key {
    type Err = ParseKeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(ParseKeyError(s.to_owned()));
        }
        hex::decode_to_slice(s, &mut out).map_err(|_| ParseKeyError(s.to_owned()))?;
        Ok(Key(out))
    }
}

impl Serialize for Key {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Key {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ContentKey".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "An envc content key: SHA-256 of the step's canonical key document."
        })
    }
}

/// Everything a step key is made of. Build one per step and call [`KeyInput::key`].
#[derive(Debug, Clone)]
pub struct KeyInput<'a> {
    /// The previous step's key; `None` only for the first step (the base).
    pub parent: Option<Key>,
    /// The step kind, e.g. `base`, `apt`, `pip`, `files`, `run`, `config`.
    pub kind: &'a str,
    /// The step's build-side payload (commands, env, pinned versions...).
    pub payload: &'a Value,
    /// Digest of every project file or folder the step reads, by its project-relative path.
    pub reads: &'a BTreeMap<String, Digest>,
    /// The target platform, e.g. `linux/amd64`.
    pub platform: &'a str,
}

impl KeyInput<'_> {
    /// The key document, as a JSON value (shown by `envc plan --explain`).
    pub fn document(&self) -> Value {
        let reads: serde_json::Map<String, Value> = self
            .reads
            .iter()
            .map(|(path, digest)| (path.clone(), Value::String(digest.to_string())))
            .collect();
        json!({
            "schema": KEY_SCHEMA_VERSION,
            "parent": self.parent.map(|k| k.hex()),
            "kind": self.kind,
            "payload": self.payload,
            "reads": reads,
            "platform": self.platform,
        })
    }

    /// The key: SHA-256 of the canonical bytes of [`KeyInput::document`].
    pub fn key(&self) -> Key {
        Key(Digest::of(&canonical::to_vec(&self.document())).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(
        payload: &'a Value,
        reads: &'a BTreeMap<String, Digest>,
        platform: &'a str,
    ) -> KeyInput<'a> {
        KeyInput {
            parent: None,
            kind: "run",
            payload,
            reads,
            platform,
        }
    }

    #[test]
    fn key_is_stable_for_equal_documents() {
        let reads = BTreeMap::new();
        let a = json!({"command": "make", "env": {"A": "1", "B": "2"}});
        let b = json!({"env": {"B": "2", "A": "1"}, "command": "make"});
        assert_eq!(
            input(&a, &reads, "linux/amd64").key(),
            input(&b, &reads, "linux/amd64").key()
        );
    }

    #[test]
    fn every_part_of_the_document_changes_the_key() {
        let reads = BTreeMap::new();
        let payload = json!({"command": "make"});
        let base = input(&payload, &reads, "linux/amd64");
        let k = base.key();

        let other_payload = json!({"command": "make all"});
        assert_ne!(k, input(&other_payload, &reads, "linux/amd64").key());
        assert_ne!(k, input(&payload, &reads, "linux/arm64").key());
        let mut with_parent = base.clone();
        with_parent.parent = Some(k);
        assert_ne!(k, with_parent.key());
        let mut other_kind = base.clone();
        other_kind.kind = "apt";
        assert_ne!(k, other_kind.key());
        let mut one_read = BTreeMap::new();
        one_read.insert("src".to_owned(), Digest::of(b"x"));
        assert_ne!(k, input(&payload, &one_read, "linux/amd64").key());
    }

    #[test]
    fn key_round_trips_through_text() {
        let reads = BTreeMap::new();
        let payload = json!(null);
        let k = input(&payload, &reads, "linux/amd64").key();
        assert_eq!(k.to_string().parse::<Key>(), Ok(k));
        assert_eq!(k.short().len(), 12);
    }
}
