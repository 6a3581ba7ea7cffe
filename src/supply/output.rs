//! Writing a document: through the one atomic write ([`crate::content::write_atomically`]):
//! a reader never sees half a document, and the file gets the mode the user's umask gives a
//! new file, as `cp` or a shell redirection would.

use std::path::{Path, PathBuf};

use super::SupplyError;

/// Write `bytes` to `path` atomically, mode `0666 & !umask`.
pub fn write_document(path: &Path, bytes: &[u8]) -> Result<(), SupplyError> {
    crate::content::write_atomically(path, bytes).map_err(|source| SupplyError::Write {
        path: PathBuf::from(path),
        source,
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sbom.json");
        std::fs::write(&path, "old").unwrap();
        write_document(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        // The umask decides (never 0600 from a temporary file, never group/other write
        // beyond what the umask allows).
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o400, 0o400);
        assert_eq!(mode & !0o666, 0);
    }
}
