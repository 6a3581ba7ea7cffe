//! One lock per environment, so that concurrent `envc up`, `run`, `shell` and `down` of one
//! project wait for each other instead of racing the engine (#15.7: 20 concurrent `up` failed
//! with 409 Conflict when two created the same container name).
//!
//! `up` and `down` change the environment and hold the lock exclusively; a command entering
//! it (`run`, `shell`) holds it shared for as long as it runs, so several commands run at
//! once, and `down` waits for them rather than removing the container under them. A second
//! `up` waits for the first and then finds the environment current: it joins it.
//!
//! The lock is an advisory `flock` on `<lock dir>/env-<environment>.lock` (the folder of the
//! build's key locks, [`crate::build::key_lock::lock_dir`]); the kernel releases it when the
//! process exits, also when it is killed, so a crash never leaves an environment locked.

use std::fs::{File, TryLockError};
use std::path::PathBuf;

/// How the lock is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Changing the environment (`up`, `down`).
    Exclusive,
    /// Using it (`run`, `shell`).
    Shared,
}

/// A held environment lock; released on drop.
#[derive(Debug)]
pub struct EnvLock {
    _file: File,
}

/// The environment lock could not be taken.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot lock environment `{environment}` (`{}`)", path.display())]
#[diagnostic(help("check that the folder is writable, or set `ENVC_LOCK_DIR`"))]
pub struct LockError {
    environment: String,
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

impl EnvLock {
    /// Take the lock of `environment` (an engine name: a safe file name), saying once on
    /// stderr when it has to wait for another envc command.
    pub fn acquire(environment: &str, access: Access) -> Result<EnvLock, LockError> {
        Self::acquire_in(&crate::cache_dir::lock_dir(), environment, access)
    }

    fn acquire_in(
        dir: &std::path::Path,
        environment: &str,
        access: Access,
    ) -> Result<EnvLock, LockError> {
        let path = dir.join(format!("env-{environment}.lock"));
        let fail = |source| LockError {
            environment: environment.to_owned(),
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(fail)?;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(fail)?;
        let tried = match access {
            Access::Exclusive => file.try_lock(),
            Access::Shared => file.try_lock_shared(),
        };
        match tried {
            Ok(()) => return Ok(EnvLock { _file: file }),
            Err(TryLockError::WouldBlock) => eprintln!(
                "waiting for another envc command on environment `{environment}` to finish"
            ),
            Err(TryLockError::Error(e)) => return Err(fail(e)),
        }
        match access {
            Access::Exclusive => file.lock(),
            Access::Shared => file.lock_shared(),
        }
        .map_err(fail)?;
        Ok(EnvLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_holders_coexist_and_exclude_an_exclusive_one() {
        let dir = tempfile::tempdir().unwrap();
        let first = EnvLock::acquire_in(dir.path(), "x", Access::Shared).unwrap();
        let second = EnvLock::acquire_in(dir.path(), "x", Access::Shared).unwrap();
        let other = File::open(dir.path().join("env-x.lock")).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        drop((first, second));
        assert!(other.try_lock().is_ok());
    }
}
