//! envc's per-user cache folder: `$XDG_CACHE_HOME/envc`, else `~/.cache/envc`, else a
//! folder under the temporary directory. Everything in it can be deleted at any time; it
//! only saves work (SIFs, key locks, verified image IDs).

use std::path::PathBuf;

/// `<cache>/envc/<sub>` (not created).
pub fn envc_cache(sub: &str) -> PathBuf {
    if let Some(cache) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(cache).join("envc").join(sub);
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".cache/envc").join(sub);
    }
    std::env::temp_dir().join("envc-cache").join(sub)
}

/// The folder of envc's lock files (step keys, environments): `ENVC_LOCK_DIR`, else
/// `<cache>/envc/locks`.
pub fn lock_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ENVC_LOCK_DIR") {
        return PathBuf::from(dir);
    }
    envc_cache("locks")
}
