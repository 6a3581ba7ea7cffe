//! The evaluator's only door to the outside world: reading files, confined to the
//! project root and the embedded modules.
//!
//! `import`, `readFile`, `pathExists` and `readDir` all go through [`Io`]. The real
//! implementation, [`RootedFs`], refuses any path that is not under the root after
//! resolving symlinks, so neither `..` nor a symlink can leave the project. Tests may
//! substitute their own implementation.

use std::path::{Path, PathBuf};

use super::embedded;
use super::paths;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Regular,
    Directory,
    Symlink,
    Unknown,
}

impl FileKind {
    /// The name `builtins.readDir` uses.
    pub fn nix_name(self) -> &'static str {
        match self {
            FileKind::Regular => "regular",
            FileKind::Directory => "directory",
            FileKind::Symlink => "symlink",
            FileKind::Unknown => "unknown",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("`{path}` is outside the project root `{root}`")]
    OutsideRoot { path: PathBuf, root: PathBuf },
    #[error("`{path}` does not exist")]
    NotFound { path: PathBuf },
    #[error("cannot read `{path}`: {message}")]
    Other { path: PathBuf, message: String },
}

/// File access for one evaluation. Paths are absolute and lexically normalised.
pub trait Io {
    /// The entry file the user named: it may lie outside the root (only what it reads
    /// is confined).
    fn read_entry(&self, path: &Path) -> Result<String, IoError>;
    fn read_file(&self, path: &Path) -> Result<String, IoError>;
    /// `false` for a path under the root that does not exist; an error outside it.
    fn path_exists(&self, path: &Path) -> Result<bool, IoError>;
    fn kind(&self, path: &Path) -> Result<FileKind, IoError>;
    fn read_dir(&self, path: &Path) -> Result<Vec<(String, FileKind)>, IoError>;
}

/// The real file system, confined to `root` (plus the embedded modules).
pub struct RootedFs {
    root: PathBuf,
}

impl RootedFs {
    /// `root` should exist; it is canonicalised so that symlinked roots work.
    pub fn new(root: &Path) -> Self {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        RootedFs { root }
    }

    /// Where `path` really is, if it is inside the root. `Ok(None)`: inside the root but
    /// missing.
    fn confine(&self, path: &Path) -> Result<Option<PathBuf>, IoError> {
        let outside = || IoError::OutsideRoot {
            path: path.to_path_buf(),
            root: self.root.clone(),
        };
        match path.canonicalize() {
            Ok(real) => {
                if real.starts_with(&self.root) {
                    Ok(Some(real))
                } else {
                    Err(outside())
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // Missing: decide by the nearest existing ancestor, so that a missing file
                // under a symlink that leaves the root is still refused.
                let mut ancestor = path.parent();
                while let Some(a) = ancestor {
                    if let Ok(real) = a.canonicalize() {
                        return if real.starts_with(&self.root) {
                            Ok(None)
                        } else {
                            Err(outside())
                        };
                    }
                    ancestor = a.parent();
                }
                Err(outside())
            }
            Err(e) => Err(IoError::Other {
                path: path.to_path_buf(),
                message: e.to_string(),
            }),
        }
    }

    fn existing(&self, path: &Path) -> Result<PathBuf, IoError> {
        self.confine(path)?.ok_or_else(|| IoError::NotFound {
            path: path.to_path_buf(),
        })
    }
}

fn other(path: &Path, e: std::io::Error) -> IoError {
    IoError::Other {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

impl Io for RootedFs {
    fn read_entry(&self, path: &Path) -> Result<String, IoError> {
        if paths::embedded_name(path).is_some() {
            return self.read_file(path);
        }
        let bytes = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                IoError::NotFound {
                    path: path.to_path_buf(),
                }
            } else {
                other(path, e)
            }
        })?;
        String::from_utf8(bytes).map_err(|_| IoError::Other {
            path: path.to_path_buf(),
            message: "it is not valid UTF-8".into(),
        })
    }

    fn read_file(&self, path: &Path) -> Result<String, IoError> {
        if let Some(name) = paths::embedded_name(path) {
            return embedded::file(&name)
                .map(str::to_string)
                .ok_or_else(|| IoError::NotFound {
                    path: path.to_path_buf(),
                });
        }
        let real = self.existing(path)?;
        let bytes = std::fs::read(&real).map_err(|e| other(path, e))?;
        String::from_utf8(bytes).map_err(|_| IoError::Other {
            path: path.to_path_buf(),
            message: "it is not valid UTF-8".into(),
        })
    }

    fn path_exists(&self, path: &Path) -> Result<bool, IoError> {
        if let Some(name) = paths::embedded_name(path) {
            return Ok(embedded::exists(&name));
        }
        Ok(self.confine(path)?.is_some())
    }

    fn kind(&self, path: &Path) -> Result<FileKind, IoError> {
        if let Some(name) = paths::embedded_name(path) {
            return if embedded::file(&name).is_some() {
                Ok(FileKind::Regular)
            } else if embedded::is_dir(&name) {
                Ok(FileKind::Directory)
            } else {
                Err(IoError::NotFound {
                    path: path.to_path_buf(),
                })
            };
        }
        let real = self.existing(path)?;
        let meta = std::fs::metadata(&real).map_err(|e| other(path, e))?;
        Ok(if meta.is_dir() {
            FileKind::Directory
        } else if meta.is_file() {
            FileKind::Regular
        } else {
            FileKind::Unknown
        })
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<(String, FileKind)>, IoError> {
        if let Some(name) = paths::embedded_name(path) {
            return Ok(embedded::read_dir(&name)
                .into_iter()
                .map(|(n, is_dir)| {
                    let kind = if is_dir {
                        FileKind::Directory
                    } else {
                        FileKind::Regular
                    };
                    (n, kind)
                })
                .collect());
        }
        let real = self.existing(path)?;
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&real).map_err(|e| other(path, e))? {
            let entry = entry.map_err(|e| other(path, e))?;
            let ft = entry.file_type().map_err(|e| other(path, e))?;
            let kind = if ft.is_symlink() {
                FileKind::Symlink
            } else if ft.is_dir() {
                FileKind::Directory
            } else if ft.is_file() {
                FileKind::Regular
            } else {
                FileKind::Unknown
            };
            out.push((entry.file_name().to_string_lossy().into_owned(), kind));
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escapes_and_symlinks_out() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("in.nix"), "1").unwrap();
        std::fs::write(outer.path().join("secret"), "s").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outer.path().join("secret"), root.join("link")).unwrap();
        let fs = RootedFs::new(&root);
        assert_eq!(fs.read_file(&root.join("in.nix")).unwrap(), "1");
        assert!(matches!(
            fs.read_file(&outer.path().join("secret")),
            Err(IoError::OutsideRoot { .. })
        ));
        #[cfg(unix)]
        assert!(matches!(
            fs.read_file(&root.join("link")),
            Err(IoError::OutsideRoot { .. })
        ));
        assert!(!fs.path_exists(&root.join("missing")).unwrap());
        assert!(fs.path_exists(&outer.path().join("missing")).is_err());
    }
}
