//! The bytes of each document, and `envc verify --sbom FILE` / `--provenance FILE`: a
//! document is checked by making it again from the lock and the image and comparing bytes.
//!
//! envc's documents are deterministic: sorted components, serial numbers and namespaces
//! derived from the subject, and the build's own end time as the date. So any changed byte —
//! a flipped version, a digest edited to match another image, a package dropped — is a
//! difference, and the check names the JSON paths that differ. A document of an image that
//! has no recorded build time is dated by the file's own timestamp (which must still be
//! well-formed), so only that one field is taken from the file.

use std::path::Path;

use serde_json::Value;

use crate::verify::Check;

use super::gather::{Gathered, file_sha256};
use super::{SbomFormat, SupplyError, cyclonedx, provenance, spdx};

/// Pretty JSON with a final newline: the bytes envc writes for every document.
fn to_bytes(value: &impl serde::Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("documents serialize");
    bytes.push(b'\n');
    bytes
}

/// The SBOM in `format`, dated `timestamp` (default: [`Gathered::timestamp`]).
pub fn sbom(gathered: &Gathered, format: SbomFormat, timestamp: Option<&str>) -> Vec<u8> {
    let inventory = gathered.inventory();
    let (default, _) = gathered.timestamp();
    let timestamp = timestamp.unwrap_or(&default);
    match format {
        SbomFormat::Spdx => to_bytes(&spdx::document(&inventory, timestamp)),
        SbomFormat::CycloneDx => to_bytes(&cyclonedx::bom(&inventory, timestamp)),
    }
}

/// The provenance statement.
pub fn provenance(gathered: &Gathered) -> Result<Vec<u8>, SupplyError> {
    let inventory = gathered.inventory();
    Ok(to_bytes(&provenance::statement(gathered, &inventory)?))
}

/// What a file claims to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sbom(SbomFormat),
    Provenance,
}

fn kind_of(value: &Value) -> Option<Kind> {
    if value.get("spdxVersion").is_some() {
        Some(Kind::Sbom(SbomFormat::Spdx))
    } else if value.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        Some(Kind::Sbom(SbomFormat::CycloneDx))
    } else if value.get("_type").and_then(Value::as_str) == Some("https://in-toto.io/Statement/v1")
    {
        Some(Kind::Provenance)
    } else {
        None
    }
}

/// The date recorded in a document, when it has a well-formed one.
fn recorded_timestamp(value: &Value, format: SbomFormat) -> Option<&str> {
    let t = match format {
        SbomFormat::Spdx => value.pointer("/creationInfo/created"),
        SbomFormat::CycloneDx => value.pointer("/metadata/timestamp"),
    }?
    .as_str()?;
    super::time::is_rfc3339(t).then_some(t)
}

/// The check of the document at `path` (`expect`: what the flag said it is).
pub fn check(gathered: &Gathered, path: &Path, expect: &str) -> Check {
    let name = format!("{expect} `{}`", path.display());
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return Check::fail(name, vec![format!("cannot read it: {e}")]),
    };
    let sha256 = file_sha256(path)
        .map(|d| d.to_string())
        .unwrap_or_else(|_| "?".into());
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(e) => return Check::fail(name, vec![format!("not valid JSON: {e}")]),
    };
    let Some(kind) = kind_of(&value) else {
        return Check::fail(
            name,
            vec!["neither SPDX, CycloneDX nor an in-toto statement".into()],
        );
    };
    let expected = match kind {
        Kind::Sbom(format) => {
            let (_, reproducible) = gathered.timestamp();
            let timestamp = match reproducible {
                true => None,
                false => match recorded_timestamp(&value, format) {
                    Some(t) => Some(t),
                    None => {
                        return Check::fail(name, vec!["its timestamp is not well-formed".into()]);
                    }
                },
            };
            sbom(gathered, format, timestamp)
        }
        Kind::Provenance => match provenance(gathered) {
            Ok(bytes) => bytes,
            Err(e) => return Check::fail(name, vec![e.to_string()]),
        },
    };
    if expected == bytes {
        return Check::pass(
            name,
            vec![format!(
                "{sha256}: what envc makes from the lock and the image"
            )],
        );
    }
    let mut details = vec![format!(
        "{sha256} is not what envc makes from the lock and the image"
    )];
    let ours: Value = serde_json::from_slice(&expected).unwrap_or(Value::Null);
    let mut paths = Vec::new();
    differences(&ours, &value, String::new(), &mut paths);
    if paths.is_empty() {
        details.push("same data, other bytes (reformatted)".into());
    }
    let shown = paths.len().min(20);
    details.extend(paths[..shown].iter().map(|p| format!("differs at {p}")));
    if paths.len() > shown {
        details.push(format!("… and {} more", paths.len() - shown));
    }
    Check::fail(name, details)
}

/// JSON pointers where `a` and `b` differ.
fn differences(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let path = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => differences(v, w, path, out),
                    _ => out.push(path),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(v, w, format!("{at}/{i}"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(if at.is_empty() { "/".into() } else { at }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_name_json_pointers() {
        let a = json!({"a": [1, {"b/c": 2}], "d": 1});
        let b = json!({"a": [1, {"b/c": 3}], "e": 1});
        let mut out = Vec::new();
        differences(&a, &b, String::new(), &mut out);
        assert_eq!(out, vec!["/a/1/b~1c", "/d", "/e"]);
    }

    #[test]
    fn kinds_are_told_apart() {
        assert_eq!(
            kind_of(&json!({"spdxVersion": "SPDX-2.3"})),
            Some(Kind::Sbom(SbomFormat::Spdx))
        );
        assert_eq!(
            kind_of(&json!({"bomFormat": "CycloneDX"})),
            Some(Kind::Sbom(SbomFormat::CycloneDx))
        );
        assert_eq!(
            kind_of(&json!({"_type": "https://in-toto.io/Statement/v1"})),
            Some(Kind::Provenance)
        );
        assert_eq!(kind_of(&json!({})), None);
    }
}
