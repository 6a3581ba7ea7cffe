//! The evaluator's only door to the outside world: reading files, confined to the
//! project root and the embedded modules.
//!
//! `import`, `readFile`, `pathExists`, `readDir` and `readFileType` all go through [`Io`].
//! The real implementation, [`RootedFs`], resolves every path with the project's one path
//! resolver ([`crate::project_fs`]): component by component beneath the root, reading what
//! it checked through the same descriptor, so neither `..` nor a symlink (on the way or at
//! the end) can leave the project. Tests may substitute their own implementation.

use std::path::{Path, PathBuf};

use super::embedded;
use super::paths;
use crate::project_fs::{EntryKind, EntryStat, ProjectFsError, ProjectRoot};

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
    /// Like `kind`, without following a final symlink (`builtins.readFileType`).
    fn kind_no_follow(&self, path: &Path) -> Result<FileKind, IoError> {
        self.kind(path)
    }
    fn read_dir(&self, path: &Path) -> Result<Vec<(String, FileKind)>, IoError>;
}

/// The real file system, confined to `root` (plus the embedded modules).
pub struct RootedFs {
    root: PathBuf,
    /// The open root; `Err` (kept as text) when it could not be opened.
    fs: Result<ProjectRoot, String>,
}

impl RootedFs {
    /// `root` should exist; it is canonicalised so that symlinked roots work.
    pub fn new(root: &Path) -> Self {
        let fs = ProjectRoot::open(root).map_err(|e| e.to_string());
        let root = match &fs {
            Ok(fs) => fs.path().to_path_buf(),
            Err(_) => root.to_path_buf(),
        };
        RootedFs { root, fs }
    }

    /// The open root and `path` relative to it, or why `path` cannot be reached.
    fn locate(&self, path: &Path) -> Result<(&ProjectRoot, PathBuf), IoError> {
        let fs = self.fs.as_ref().map_err(|message| IoError::Other {
            path: path.to_path_buf(),
            message: message.clone(),
        })?;
        let rel = fs.relative(path).ok_or_else(|| IoError::OutsideRoot {
            path: path.to_path_buf(),
            root: self.root.clone(),
        })?;
        Ok((fs, rel))
    }

    fn error(&self, path: &Path, e: ProjectFsError) -> IoError {
        match e {
            ProjectFsError::Escapes { .. }
            | ProjectFsError::AboveRoot { .. }
            | ProjectFsError::Absolute { .. } => IoError::OutsideRoot {
                path: path.to_path_buf(),
                root: self.root.clone(),
            },
            ProjectFsError::NotFound { .. } => IoError::NotFound {
                path: path.to_path_buf(),
            },
            e => IoError::Other {
                path: path.to_path_buf(),
                message: e.to_string(),
            },
        }
    }

    fn stat(&self, path: &Path, follow: bool) -> Result<Option<EntryStat>, IoError> {
        let (fs, rel) = self.locate(path)?;
        fs.stat(&rel, follow).map_err(|e| self.error(path, e))
    }
}

fn kind_of(kind: EntryKind) -> FileKind {
    match kind {
        EntryKind::File => FileKind::Regular,
        EntryKind::Dir => FileKind::Directory,
        EntryKind::Symlink => FileKind::Symlink,
        EntryKind::Special(_) => FileKind::Unknown,
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
        let (fs, rel) = self.locate(path)?;
        let bytes = fs.read(&rel).map_err(|e| self.error(path, e))?;
        String::from_utf8(bytes).map_err(|_| IoError::Other {
            path: path.to_path_buf(),
            message: "it is not valid UTF-8".into(),
        })
    }

    fn path_exists(&self, path: &Path) -> Result<bool, IoError> {
        if let Some(name) = paths::embedded_name(path) {
            return Ok(embedded::exists(&name));
        }
        Ok(self.stat(path, true)?.is_some())
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
        let stat = self.stat(path, true)?.ok_or_else(|| IoError::NotFound {
            path: path.to_path_buf(),
        })?;
        Ok(kind_of(stat.kind))
    }

    fn kind_no_follow(&self, path: &Path) -> Result<FileKind, IoError> {
        if paths::embedded_name(path).is_some() {
            return self.kind(path);
        }
        // The folder holding the entry must be inside the root; the entry itself may be
        // a symlink pointing anywhere, since only its type is revealed.
        let stat = self.stat(path, false)?.ok_or_else(|| IoError::NotFound {
            path: path.to_path_buf(),
        })?;
        Ok(kind_of(stat.kind))
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
        let (fs, rel) = self.locate(path)?;
        let dir = fs.open_dir(&rel).map_err(|e| self.error(path, e))?;
        let mut out: Vec<(String, FileKind)> = dir
            .entries()
            .map_err(|e| self.error(path, e))?
            .into_iter()
            .map(|e| (e.name.to_string_lossy().into_owned(), kind_of(e.stat.kind)))
            .collect();
        out.sort();
        Ok(out)
    }
}

/// Texts that stand in for files on disk, by absolute path: an editor's unsaved buffers.
pub type Overlay = std::sync::Arc<std::collections::BTreeMap<PathBuf, std::sync::Arc<str>>>;

/// [`RootedFs`] with some files' texts replaced by an [`Overlay`] (the language server
/// evaluates what the editor shows, not what was last saved). Everything else, and every
/// check on where a path may lead, is the rooted file system's.
pub struct OverlayFs {
    pub fs: RootedFs,
    pub texts: Overlay,
}

impl Io for OverlayFs {
    fn read_entry(&self, path: &Path) -> Result<String, IoError> {
        match self.texts.get(path) {
            Some(text) => Ok(text.to_string()),
            None => self.fs.read_entry(path),
        }
    }

    fn read_file(&self, path: &Path) -> Result<String, IoError> {
        // Confinement first: an overlaid path must still be one the project may read.
        match self.texts.get(path) {
            Some(text) if self.fs.locate(path).is_ok() => Ok(text.to_string()),
            _ => self.fs.read_file(path),
        }
    }

    fn path_exists(&self, path: &Path) -> Result<bool, IoError> {
        self.fs.path_exists(path)
    }

    fn kind(&self, path: &Path) -> Result<FileKind, IoError> {
        self.fs.kind(path)
    }

    fn kind_no_follow(&self, path: &Path) -> Result<FileKind, IoError> {
        self.fs.kind_no_follow(path)
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<(String, FileKind)>, IoError> {
        self.fs.read_dir(path)
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
        // A symlinked folder on the way out is refused, not only a final symlink (issue 15).
        #[cfg(unix)]
        {
            std::fs::create_dir(outer.path().join("etc")).unwrap();
            std::fs::write(outer.path().join("etc/shadow"), "s").unwrap();
            std::os::unix::fs::symlink(outer.path().join("etc"), root.join("etc")).unwrap();
            for result in [
                fs.read_file(&root.join("etc/shadow")).map(|_| ()),
                fs.path_exists(&root.join("etc/shadow")).map(|_| ()),
                fs.kind(&root.join("etc/shadow")).map(|_| ()),
                fs.read_dir(&root.join("etc")).map(|_| ()),
            ] {
                assert!(
                    matches!(result, Err(IoError::OutsideRoot { .. })),
                    "{result:?}"
                );
            }
        }
    }
}
