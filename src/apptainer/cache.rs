//! Where SIF images are kept: `<XDG cache>/envc/sif/<plan key>.sif` (or `$ENVC_SIF_DIR`).
//!
//! The file name is only a hint: a SIF is reused when the plan key recorded inside it
//! (envc's metadata object) matches, so a renamed or half-copied file is never taken for
//! another plan's image.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::plan::Key;
use crate::sif::SifImage;
use crate::sif::metadata::read_metadata;

/// The folder SIF images are cached in: `ENVC_SIF_DIR` when set (a Slurm job pulls into
/// the cluster's shared folder this way), else envc's cache.
pub fn sif_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ENVC_SIF_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    crate::cache_dir::envc_cache("sif")
}

/// The cached SIF of the plan with key `key` (it may not exist yet).
pub fn sif_path(key: &Key) -> PathBuf {
    sif_dir().join(format!("{}.sif", key.hex()))
}

/// The plan key recorded in the SIF at `path`, `None` when the file is missing, not a
/// SIF, or not one envc made.
pub fn recorded_key(path: &Path) -> Option<String> {
    let mut file = BufReader::new(File::open(path).ok()?);
    let image = SifImage::read(&mut file).ok()?;
    let metadata = read_metadata(&image, &mut file).ok()??.ok()?;
    Some(metadata.plan_key)
}

/// True when `path` holds a SIF envc built from the plan with key `key`.
pub fn is_current(path: &Path, key: &Key) -> bool {
    recorded_key(path).is_some_and(|recorded| recorded == key.hex())
}

/// `<sif>.sha256`: the inode and SHA-256 of a SIF envc assembled, recorded when it was
/// written, so that damage to the cached file (a disk error, a partial overwrite in place)
/// is found before the SIF is reused (issue 15, class 8).
fn checksum_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

fn sha256_of(path: &Path) -> Option<(u64, String)> {
    use sha2::{Digest, Sha256};
    use std::os::unix::fs::MetadataExt;
    let mut file = File::open(path).ok()?;
    let ino = file.metadata().ok()?.ino();
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).ok()?;
    Some((ino, hex::encode(hasher.finalize())))
}

/// Record the checksum of the SIF just written at `path` (best effort).
pub fn record_checksum(path: &Path) {
    let Some((ino, sha)) = sha256_of(path) else {
        return;
    };
    let text = format!("{ino} {sha}\n");
    let written = crate::state_dir::write_atomically(
        &checksum_path(path),
        text.as_bytes(),
        crate::state_dir::Audience::Shared,
    );
    if let Err(e) = written {
        tracing::debug!("cannot record the checksum of `{}`: {e}", path.display());
    }
}

/// False when the SIF at `path` no longer has the checksum recorded when envc wrote it. A
/// SIF without a record, or replaced since (another inode: a pull or another build renamed
/// a new file into place), is not judged.
pub fn is_intact(path: &Path) -> bool {
    let Ok(recorded) = std::fs::read_to_string(checksum_path(path)) else {
        return true;
    };
    let Some((ino, sha)) = recorded
        .trim()
        .split_once(' ')
        .and_then(|(i, s)| Some((i.parse::<u64>().ok()?, s.to_owned())))
    else {
        return true;
    };
    match sha256_of(path) {
        Some((now_ino, _)) if now_ino != ino => true,
        Some((_, now)) => now == sha,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_sif_is_found_and_a_replaced_one_is_not_judged() {
        let dir = tempfile::tempdir().unwrap();
        let sif = dir.path().join("k.sif");
        std::fs::write(&sif, vec![7u8; 4096]).unwrap();
        assert!(is_intact(&sif), "no record: not judged");
        record_checksum(&sif);
        assert!(is_intact(&sif));
        // Damage in place: the same inode, other bytes.
        let mut file = std::fs::OpenOptions::new().write(true).open(&sif).unwrap();
        std::io::Write::write_all(&mut file, b"x").unwrap();
        drop(file);
        assert!(!is_intact(&sif));
        // Replaced by a rename: a new file, which the record does not describe.
        let new = dir.path().join("new");
        std::fs::write(&new, b"other").unwrap();
        std::fs::rename(&new, &sif).unwrap();
        assert!(is_intact(&sif));
    }
}
