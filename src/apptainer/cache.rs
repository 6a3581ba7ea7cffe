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
