//! One lock file per step key, so that two envc processes never build the same step at once,
//! and one per exclusive cache volume, so that two steps never use it at once.
//!
//! A process takes the key's lock before building a step and looks in the cache again once
//! it holds it: a second process that waited finds the first one's result and reuses it.
//! Locks are taken one at a time, in plan order, so two builds cannot deadlock. The lock is
//! an advisory `flock` on `<cache>/locks/<key>.lock` and is released when the process exits,
//! also when it is killed.

use std::fs::{File, TryLockError};
use std::path::PathBuf;

use crate::plan::Key;

use super::error::BuildError;

/// A held lock on one key; released on drop.
#[derive(Debug)]
pub struct KeyLock {
    _file: File,
}

/// The folder of key lock files: `$XDG_CACHE_HOME/envc/locks`, `~/.cache/envc/locks`, or
/// under the temporary directory (see [`crate::cache_dir`]).
pub fn lock_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ENVC_LOCK_DIR") {
        return PathBuf::from(dir);
    }
    crate::cache_dir::envc_cache("locks")
}

impl KeyLock {
    /// Take the lock of `key`, calling `waiting` once if another process holds it.
    pub async fn acquire(key: &Key, waiting: impl FnOnce()) -> Result<KeyLock, BuildError> {
        Self::acquire_file(&key.hex(), waiting).await
    }

    /// Take the lock of the cache volume `volume` (a name the engine accepts, so also a safe
    /// file name), calling `waiting` once if another process holds it.
    ///
    /// apt takes a lock of its own in `/var/cache/apt/archives` and fails at once, rather
    /// than waiting, when another container holds it: two builds sharing the archive volume
    /// must take turns, as BuildKit's `sharing=locked` cache mounts do.
    pub async fn acquire_volume(
        volume: &str,
        waiting: impl FnOnce(),
    ) -> Result<KeyLock, BuildError> {
        Self::acquire_file(&format!("volume-{volume}"), waiting).await
    }

    async fn acquire_file(stem: &str, waiting: impl FnOnce()) -> Result<KeyLock, BuildError> {
        let dir = lock_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| BuildError::io(format!("create `{}`", dir.display()), e))?;
        let path = dir.join(format!("{stem}.lock"));
        let file = File::create(&path)
            .map_err(|e| BuildError::io(format!("open `{}`", path.display()), e))?;
        match file.try_lock() {
            Ok(()) => return Ok(KeyLock { _file: file }),
            Err(TryLockError::WouldBlock) => waiting(),
            Err(TryLockError::Error(e)) => {
                return Err(BuildError::io(format!("lock `{}`", path.display()), e));
            }
        }
        let shown = path.display().to_string();
        let joined = crate::engine::interrupt::race(async move {
            Ok(tokio::task::spawn_blocking(move || file.lock().map(|()| file)).await)
        })
        .await?;
        let locked = joined
            .map_err(|e| BuildError::io(format!("wait for `{shown}`"), std::io::Error::other(e)))?
            .map_err(|e| BuildError::io(format!("lock `{shown}`"), e))?;
        Ok(KeyLock { _file: locked })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_taker_waits_until_the_first_releases() {
        let dir = tempfile::tempdir().unwrap();
        // SAFETY of the test: only this test reads ENVC_LOCK_DIR in this process.
        unsafe { std::env::set_var("ENVC_LOCK_DIR", dir.path()) };
        let key = Key([7; 32]);
        let first = KeyLock::acquire(&key, || panic!("nobody holds it yet"))
            .await
            .unwrap();
        let path = dir.path().join(format!("{}.lock", key.hex()));
        let other = File::open(&path).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        drop(first);
        assert!(other.try_lock().is_ok());
    }
}
