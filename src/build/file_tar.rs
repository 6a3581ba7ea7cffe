//! The deterministic tar a file step uploads into its container.
//!
//! Entries come in the plan's order (sorted by path), with a fixed mtime, numeric owner from
//! the spec and the modes the plan digested; nothing from the host (mtimes, owners, inode
//! order) enters. Project file contents are hashed while they are copied and checked against
//! the digest the key was made from, so a file edited between planning and building fails the
//! build instead of filling a cache entry with content its key does not describe; a cached
//! download is checked the same way against the hash it is stored under.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::plan::step::{FileContent, FileStep};
use crate::plan::tree::EntryKind;

use super::download_cache::Cached;
use super::error::BuildError;

/// The mtime of every entry envc writes (the epoch: file times are not part of content).
pub const MTIME: u64 = 0;

/// Write the tar of `step` (paths relative to `/`) into a temporary file and return it,
/// rewound. `project_root` is where project sources are read from; `download` is the cached
/// file of a download step (see [`super::download_cache`]).
pub fn file_tar(
    step: &FileStep,
    project_root: &Path,
    download: Option<&Cached>,
    uid: u64,
    gid: u64,
) -> Result<File, BuildError> {
    let file = tempfile::tempfile().map_err(|e| BuildError::io("create a temporary file", e))?;
    let mut builder = tar::Builder::new(io::BufWriter::new(file));
    let target = step.target.trim_start_matches('/').trim_end_matches('/');
    let write_err = |e| BuildError::io(format!("write the tar of `{}`", step.target), e);
    match &step.source {
        FileContent::Text(text) => {
            let mut header = header(
                tar::EntryType::Regular,
                step.mode.unwrap_or(0o644),
                uid,
                gid,
            );
            header.set_size(text.len() as u64);
            builder
                .append_data(&mut header, target, text.as_bytes())
                .map_err(write_err)?;
        }
        FileContent::Download { url, .. } => {
            let cached = download.ok_or_else(|| {
                BuildError::io(
                    format!("copy `{url}`"),
                    io::Error::other("the download was not fetched"),
                )
            })?;
            let read_err = |e| BuildError::io(format!("read `{}`", cached.path.display()), e);
            let reader = File::open(&cached.path).map_err(read_err)?;
            let size = reader.metadata().map_err(read_err)?.len();
            let mut hashing = HashingReader {
                inner: reader.take(size),
                hasher: Sha256::new(),
                read: 0,
            };
            let mut header = header(
                tar::EntryType::Regular,
                step.mode.unwrap_or(0o644),
                uid,
                gid,
            );
            header.set_size(size);
            let corrupt = || {
                // Not what its name says: drop it so that the next build fetches it again.
                let _ = std::fs::remove_file(&cached.path);
                BuildError::DownloadCorrupt {
                    path: cached.path.clone(),
                }
            };
            builder
                .append_data(&mut header, target, &mut hashing)
                .map_err(|e| {
                    if e.kind() == io::ErrorKind::UnexpectedEof {
                        corrupt()
                    } else {
                        write_err(e)
                    }
                })?;
            let digest: [u8; 32] = hashing.hasher.finalize().into();
            if hashing.read != size || digest != cached.sha256.0 {
                return Err(corrupt());
            }
        }
        FileContent::Project { path, tree } => {
            // Every file is opened beneath the project root (no symlink leaving it) and
            // checked against the digest the key was made from.
            let root = crate::project_fs::ProjectRoot::open(project_root).map_err(|e| {
                BuildError::io(
                    format!("open the project for `{path}`"),
                    io::Error::other(e),
                )
            })?;
            for entry in &tree.entries {
                let name = if entry.path.as_os_str().is_empty() {
                    target.to_owned()
                } else {
                    format!("{target}/{}", entry.path.to_string_lossy())
                };
                // A single file gets the step's mode; a folder's entries keep their own.
                let mode = match (&entry.kind, step.mode) {
                    (EntryKind::File { .. }, Some(mode)) if entry.path.as_os_str().is_empty() => {
                        mode
                    }
                    _ => entry.mode,
                };
                match &entry.kind {
                    EntryKind::Dir => {
                        let mut header = header(tar::EntryType::Directory, mode, uid, gid);
                        header.set_size(0);
                        builder
                            .append_data(&mut header, &name, io::empty())
                            .map_err(write_err)?;
                    }
                    EntryKind::Symlink { target: link } => {
                        let mut header = header(tar::EntryType::Symlink, 0o777, uid, gid);
                        header.set_size(0);
                        builder
                            .append_link(&mut header, &name, link)
                            .map_err(write_err)?;
                    }
                    EntryKind::File { size, content } => {
                        let on_disk = if entry.path.as_os_str().is_empty() {
                            tree.resolved.clone()
                        } else {
                            tree.resolved.join(&entry.path)
                        };
                        let shown = format!("{path}/{}", entry.path.to_string_lossy());
                        let shown = shown.trim_end_matches('/').to_owned();
                        let changed = || BuildError::FileChanged {
                            path: shown.clone(),
                        };
                        let reader = root.open_file(&on_disk).map_err(|e| {
                            BuildError::io(format!("read `{shown}`"), io::Error::other(e))
                        })?;
                        let opened = reader
                            .try_clone()
                            .map_err(|e| BuildError::io(format!("read `{shown}`"), e))?;
                        let mut hashing = HashingReader {
                            inner: reader.take(*size),
                            hasher: Sha256::new(),
                            read: 0,
                        };
                        let mut header = header(tar::EntryType::Regular, mode, uid, gid);
                        header.set_size(*size);
                        builder
                            .append_data(&mut header, &name, &mut hashing)
                            .map_err(|e| {
                                if e.kind() == io::ErrorKind::UnexpectedEof {
                                    changed()
                                } else {
                                    write_err(e)
                                }
                            })?;
                        let digest: [u8; 32] = hashing.hasher.finalize().into();
                        if hashing.read != *size || digest != content.0 {
                            return Err(changed());
                        }
                        // A file that grew is also a change (`take` stopped at the old size).
                        let grew = opened.metadata().map(|m| m.len() != *size);
                        if grew.unwrap_or(true) {
                            return Err(changed());
                        }
                    }
                }
            }
        }
    }
    let writer = builder.into_inner().map_err(write_err)?;
    let mut file = writer.into_inner().map_err(|e| write_err(e.into_error()))?;
    file.flush().map_err(write_err)?;
    file.rewind().map_err(write_err)?;
    Ok(file)
}

fn header(kind: tar::EntryType, mode: u32, uid: u64, gid: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_uid(uid);
    header.set_gid(gid);
    header.set_mtime(MTIME);
    header
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    read: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// Parse `user:group` as numeric ids, when both are numbers (`root` counts as 0).
pub fn numeric_owner(owner: &str) -> Option<(u64, u64)> {
    let (user, group) = owner.split_once(':').unwrap_or((owner, owner));
    let id = |s: &str| match s {
        "root" => Some(0),
        s => s.parse().ok(),
    };
    Some((id(user)?, id(group)?))
}

/// Look `user:group` up in the image's `/etc/passwd` and `/etc/group` contents.
pub fn resolve_owner(owner: &str, passwd: &str, group: &str) -> Result<(u64, u64), String> {
    let (user_name, group_name) = owner.split_once(':').unwrap_or((owner, owner));
    let lookup = |table: &str, name: &str, what: &str| -> Result<u64, String> {
        if let Ok(id) = name.parse() {
            return Ok(id);
        }
        table
            .lines()
            .map(|l| l.split(':').collect::<Vec<_>>())
            .find(|f| f.len() > 2 && f[0] == name)
            .and_then(|f| f[2].parse().ok())
            .ok_or_else(|| format!("names a {what} `{name}` the image does not have"))
    };
    Ok((
        lookup(passwd, user_name, "user")?,
        lookup(group, group_name, "group")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_resolve_by_number_or_name() {
        assert_eq!(numeric_owner("root:root"), Some((0, 0)));
        assert_eq!(numeric_owner("1000:100"), Some((1000, 100)));
        assert_eq!(numeric_owner("user:user"), None);
        let passwd = "root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n";
        let group = "root:x:0:\nstaff:x:50:\n";
        assert_eq!(resolve_owner("user:staff", passwd, group), Ok((1000, 50)));
        assert!(resolve_owner("nobody:staff", passwd, group).is_err());
    }

    #[test]
    fn a_cached_download_is_copied_with_the_step_mode_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"\x00tool\xff".to_vec();
        let sha256 = crate::content::Digest::of(&bytes);
        let path = dir.path().join(sha256.hex());
        std::fs::write(&path, &bytes).unwrap();
        let step = FileStep {
            target: "/opt/tool.bin".into(),
            source: FileContent::Download {
                url: "http://127.0.0.1:1/tool.bin".into(),
                sha256: Some(sha256),
            },
            mode: Some(0o755),
            owner: "root:root".into(),
        };
        let cached = Cached {
            path: path.clone(),
            sha256,
        };
        let mut tar = Vec::new();
        file_tar(&step, Path::new("/"), Some(&cached), 0, 0)
            .unwrap()
            .read_to_end(&mut tar)
            .unwrap();
        let mut archive = tar::Archive::new(&tar[..]);
        let mut entry = archive.entries().unwrap().next().unwrap().unwrap();
        assert_eq!(entry.path().unwrap().to_str(), Some("opt/tool.bin"));
        assert_eq!(entry.header().mode().unwrap(), 0o755);
        assert_eq!(entry.header().mtime().unwrap(), MTIME);
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        assert_eq!(content, bytes);

        // A cached file that changed on disk is refused and removed.
        std::fs::write(&path, b"other").unwrap();
        let error = file_tar(&step, Path::new("/"), Some(&cached), 0, 0).unwrap_err();
        assert!(
            matches!(error, BuildError::DownloadCorrupt { .. }),
            "{error:?}"
        );
        assert!(!path.exists());
    }

    #[test]
    fn text_files_are_deterministic() {
        let step = FileStep {
            target: "/etc/motd".into(),
            source: FileContent::Text("hello\n".into()),
            mode: Some(0o600),
            owner: "root:root".into(),
        };
        let read = |mut f: File| {
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            v
        };
        let a = read(file_tar(&step, Path::new("/"), None, 0, 0).unwrap());
        let b = read(file_tar(&step, Path::new("/"), None, 0, 0).unwrap());
        assert_eq!(a, b);
        let mut archive = tar::Archive::new(&a[..]);
        let entry = archive.entries().unwrap().next().unwrap().unwrap();
        assert_eq!(entry.path().unwrap().to_str(), Some("etc/motd"));
        assert_eq!(entry.header().mode().unwrap(), 0o600);
        assert_eq!(entry.header().mtime().unwrap(), MTIME);
    }
}
