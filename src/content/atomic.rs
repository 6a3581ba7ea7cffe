//! Atomic file writes: a reader sees the old file or the new one, never half of either.
//!
//! Every file envc writes for others to read (envc.lock, the stat cache, emitted files,
//! status) goes through here, so that an interrupted run leaves nothing truncated behind.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// Who a written file is for, which decides its mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The mode the umask gives a new file (usually 0644 or 0664), as `touch` would: a
    /// colleague or a job scheduler reads it. (A temporary file is 0600 by default, which
    /// made `status.json` unreadable to the scheduler and, after `sudo envc lock`,
    /// `envc.lock` unreadable to the project's owner.)
    Shared,
    /// 0600 whatever the umask: host-specific state for the user who ran envc.
    Private,
}

/// Write `bytes` to `path` for others to read ([`Audience::Shared`]), creating the folder
/// first when it is missing.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_for(path, bytes, Audience::Shared)
}

/// Write `bytes` to `path` through a temporary file in the same folder and a rename, with
/// the mode `audience` asks for. Replacing a file keeps its owner where envc may set it (as
/// root), so that `sudo envc lock` leaves `envc.lock` to whoever owned it.
pub fn write_for(path: &Path, bytes: &[u8], audience: Audience) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let mode = match audience {
        // Subject to the umask, exactly like a file created with `open(2)` and 0666.
        Audience::Shared => 0o666,
        Audience::Private => 0o600,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".envc-write-")
        .permissions(fs::Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    if audience == Audience::Private {
        // A umask never widens a mode, but a `permissions` call could be ignored by an
        // unusual filesystem: say it again on the open file.
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    if let Ok(old) = fs::metadata(path) {
        let _ = rustix::fs::fchown(
            tmp.as_file(),
            Some(rustix::fs::Uid::from_raw(old.uid())),
            Some(rustix::fs::Gid::from_raw(old.gid())),
        );
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/envc.lock");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["envc.lock"]);
    }
}
