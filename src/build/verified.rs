//! Image IDs whose files are known to match their recorded rootfs digest.
//!
//! Checking an image's files costs one export of the whole image. An image ID is the
//! digest of the image's config, which names every layer by content, so once the files of
//! an ID were listed and matched the `dev.envc.rootfs` label, the same ID holds the same
//! files: an image changed and re-tagged has another ID and is checked again. The build
//! records the images whose digest it has just computed, and `envc up`/`run` record the
//! ones they checked; a record is `<cache>/envc/verified/<image ID hex>` holding the digest.
//! A missing or unreadable record only costs a re-check.

use std::io::Write as _;
use std::path::PathBuf;

fn record_path(image_id: &str) -> Option<PathBuf> {
    let hex = image_id.strip_prefix("sha256:").unwrap_or(image_id);
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(crate::cache_dir::envc_cache("verified").join(hex))
}

/// Whether the files of `image_id` were found to have `digest`.
pub fn is_verified(image_id: &str, digest: &str) -> bool {
    record_path(image_id)
        .and_then(|path| std::fs::read_to_string(path).ok())
        .is_some_and(|recorded| recorded.trim() == digest)
}

/// Remember that the files of `image_id` have `digest` (best effort: a failure to write
/// only means the next check lists the files again).
pub fn remember(image_id: &str, digest: &str) {
    let Some(path) = record_path(image_id) else {
        return;
    };
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(mut partial) = tempfile::NamedTempFile::new_in(dir) else {
        return;
    };
    if writeln!(partial, "{digest}").is_ok() {
        let _ = partial.persist(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hex_ids_name_records() {
        assert!(record_path("sha256:../../etc").is_none());
        assert!(record_path("").is_none());
        assert!(record_path("sha256:0123abcd").is_some());
    }
}
