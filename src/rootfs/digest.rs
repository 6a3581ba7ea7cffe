//! The canonical encoding of a listing and its hash.
//!
//! Each entry is written as NUL-terminated fields in a fixed order:
//! `path kind mode(octal) uid gid size sha256(hex or empty) link(or empty) device(or empty)`
//! followed by a newline. Paths and link targets cannot contain NUL on Linux and every
//! other field is drawn from a fixed alphabet, so the encoding is unambiguous. A version
//! line comes first so that a future change of definition cannot collide with this one.

use std::io::Write;

use sha2::{Digest, Sha256};

use super::entry::Entry;

/// Bump when the definition changes; digests of different versions never compare equal.
pub const VERSION_LINE: &[u8] = b"envc-rootfs-digest-v1\n";

/// `sha256:<hex>` over the canonical encoding of `entries` (which must be sorted).
pub fn digest(entries: &[Entry]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(VERSION_LINE);
    let mut line = Vec::with_capacity(256);
    for entry in entries {
        line.clear();
        encode(entry, &mut line);
        hasher.update(&line);
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

fn encode(entry: &Entry, out: &mut Vec<u8>) {
    out.extend_from_slice(&entry.path);
    out.push(0);
    // Writing to a Vec cannot fail.
    let _ = write!(
        out,
        "{}\0{:o}\0{}\0{}\0{}\0",
        entry.kind.name(),
        entry.mode,
        entry.uid,
        entry.gid,
        entry.size
    );
    if let Some(sha) = &entry.sha256 {
        out.extend_from_slice(hex::encode(sha).as_bytes());
    }
    out.push(0);
    if let Some(link) = &entry.link {
        out.extend_from_slice(link);
    }
    out.push(0);
    if let Some((major, minor)) = entry.device {
        let _ = write!(out, "{major},{minor}");
    }
    out.push(0);
    out.push(b'\n');
}
