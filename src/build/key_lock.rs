//! One lock file per step key, so that two envc processes never build the same step at once,
//! and one per exclusive cache volume, so that two steps never use it at once.
//!
//! A process takes the key's lock before building a step and looks in the cache again once
//! it holds it: a second process that waited finds the first one's result and reuses it.
//! Locks are taken one at a time, in plan order, so two builds cannot deadlock. The lock is
//! an advisory `flock` on `<cache>/locks/<key>.lock` and is released when the process exits,
//! also when it is killed.
//!
//! A cache volume belongs to the engine, not to a user or a cache folder: two builds with
//! different `$XDG_CACHE_HOME` (two users, two CI jobs, two tests) share the one apt archive
//! volume, so its lock lives in one folder of the machine, `/tmp/envc-volume-locks`, open to
//! every user like `/tmp` itself.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::plan::Key;

use super::error::BuildError;

/// A held lock on one key; released on drop.
#[derive(Debug)]
pub struct KeyLock {
    _file: File,
}

pub use crate::cache_dir::lock_dir;

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
        let path = volume_lock_dir()?.join(format!("volume-{volume}.lock"));
        let file = open_shared(&path)?;
        Self::acquire_path(path, file, waiting).await
    }

    async fn acquire_file(stem: &str, waiting: impl FnOnce()) -> Result<KeyLock, BuildError> {
        let dir = lock_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| BuildError::io(format!("create `{}`", dir.display()), e))?;
        let path = dir.join(format!("{stem}.lock"));
        let file = File::create(&path)
            .map_err(|e| BuildError::io(format!("open `{}`", path.display()), e))?;
        Self::acquire_path(path, file, waiting).await
    }

    async fn acquire_path(
        path: PathBuf,
        file: File,
        waiting: impl FnOnce(),
    ) -> Result<KeyLock, BuildError> {
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

/// The machine's folder of cache-volume locks (`ENVC_LOCK_DIR` when set), created open to all
/// users with the sticky bit. A folder someone else made that is not like that (a symlink, or
/// writable by its owner alone) is refused rather than trusted.
fn volume_lock_dir() -> Result<PathBuf, BuildError> {
    if let Some(dir) = std::env::var_os("ENVC_LOCK_DIR") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| BuildError::io(format!("create `{}`", dir.display()), e))?;
        return Ok(dir);
    }
    let dir = PathBuf::from("/tmp/envc-volume-locks");
    match std::fs::DirBuilder::new().mode(0o1777).create(&dir) {
        // The umask took bits away: put them back, so other users can add their locks.
        Ok(()) => std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777))
            .map_err(|e| BuildError::io(format!("open up `{}`", dir.display()), e))?,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(BuildError::io(format!("create `{}`", dir.display()), e)),
    }
    let meta = std::fs::symlink_metadata(&dir)
        .map_err(|e| BuildError::io(format!("inspect `{}`", dir.display()), e))?;
    // SAFETY: a libc getter without arguments.
    let ours = meta.uid() == unsafe { libc::geteuid() };
    let shared = meta.mode() & 0o1777 == 0o1777;
    if !meta.is_dir() || !(ours || meta.uid() == 0 || shared) {
        return Err(BuildError::io(
            format!("use `{}` for cache locks", dir.display()),
            std::io::Error::other("it is not a folder open to all users with the sticky bit"),
        ));
    }
    Ok(dir)
}

/// Opens (creating, readable and writable by all) a lock file in the shared folder, never
/// following a symlink another user may have planted there.
fn open_shared(path: &Path) -> Result<File, BuildError> {
    let created = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o666)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path);
    let file = match created {
        Ok(file) => file,
        // Another user's lock file with a umask that kept it from us: a read-only descriptor
        // takes the same `flock`.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(|e| BuildError::io(format!("open `{}`", path.display()), e))?,
        Err(e) => return Err(BuildError::io(format!("open `{}`", path.display()), e)),
    };
    if let Ok(meta) = file.metadata() {
        // SAFETY: a libc getter without arguments.
        if meta.uid() == unsafe { libc::geteuid() } && meta.mode() & 0o666 != 0o666 {
            let _ = file.set_permissions(std::fs::Permissions::from_mode(0o666));
        }
    }
    Ok(file)
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
