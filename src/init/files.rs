//! Reading the project's files for `envc init`: only regular files under the project root
//! (a symlink that leads out of it is refused), at most [`MAX_FILE`] bytes, and UTF-8 text.
//! A file that fails one of these is reported as not read, never a crash.

use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The largest input file `envc init` reads (lock files of big projects are a few MiB).
pub const MAX_FILE: u64 = 8 * 1024 * 1024;

/// The project folder `envc init` looks at.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    Missing,
    Refused(String),
}

impl Project {
    /// `root` must exist; it is resolved once so that every later check compares real paths.
    pub fn new(root: &Path) -> std::io::Result<Self> {
        Ok(Project {
            root: root.canonicalize()?,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether anything (a file, a folder, a link, even a dangling one) is at `rel`.
    pub fn exists(&self, rel: &str) -> bool {
        std::fs::symlink_metadata(self.root.join(rel)).is_ok()
    }

    /// Whether `rel` names a regular file inside the project.
    pub fn has(&self, rel: &str) -> bool {
        self.resolve(rel).is_ok()
    }

    fn resolve(&self, rel: &str) -> Result<PathBuf, Unreadable> {
        if rel.is_empty() || Path::new(rel).is_absolute() {
            return Err(Unreadable::Refused(format!(
                "`{rel}` is not a path inside the project"
            )));
        }
        let path = self.root.join(rel);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unreadable::Missing),
            Err(e) => return Err(Unreadable::Refused(e.to_string())),
        };
        let real = if meta.file_type().is_symlink() || rel.contains("..") {
            path.canonicalize()
                .map_err(|_| Unreadable::Refused(format!("`{rel}` is a dangling link")))?
        } else {
            path
        };
        // Also catches `a/../../x` and links through parent folders.
        let real = real.canonicalize().unwrap_or(real);
        if !real.starts_with(&self.root) {
            return Err(Unreadable::Refused(format!(
                "`{rel}` leads outside the project"
            )));
        }
        if !real.is_file() {
            return Err(Unreadable::Refused(format!(
                "`{rel}` is not a regular file"
            )));
        }
        Ok(real)
    }

    /// The file's bytes (at most [`MAX_FILE`]).
    pub fn read_bytes(&self, rel: &str) -> Result<Vec<u8>, Unreadable> {
        let path = self.resolve(rel)?;
        let file = std::fs::File::open(&path).map_err(|e| Unreadable::Refused(e.to_string()))?;
        let mut data = Vec::new();
        file.take(MAX_FILE + 1)
            .read_to_end(&mut data)
            .map_err(|e| Unreadable::Refused(e.to_string()))?;
        if data.len() as u64 > MAX_FILE {
            return Err(Unreadable::Refused(format!(
                "`{rel}` is larger than {} MiB",
                MAX_FILE / 1024 / 1024
            )));
        }
        Ok(data)
    }

    /// The file as UTF-8 text, CRLF line ends made LF.
    pub fn read_text(&self, rel: &str) -> Result<String, Unreadable> {
        let data = self.read_bytes(rel)?;
        let text = String::from_utf8(data)
            .map_err(|_| Unreadable::Refused(format!("`{rel}` is not UTF-8 text")))?;
        Ok(text.replace("\r\n", "\n"))
    }

    /// The names of regular files directly in the root whose name ends with `suffix`, sorted.
    pub fn files_ending(&self, suffix: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(suffix) && self.has(n))
            .collect();
        names.sort();
        names
    }
}
