//! Building the SIF's squashfs partition from a filesystem tar stream.
//!
//! Input is what the engine gives us (`docker export`: one tar of the container's
//! filesystem) plus extra entries (Apptainer's metadata tree), output is a squashfs image
//! that is a pure function of those inputs.
//!
//! We build with the `backhand` crate rather than squashfs-tools' `mksquashfs`:
//! - Debian bookworm ships squashfs-tools 4.5, which cannot read a tar (`-tar` came in
//!   4.6), so `mksquashfs` would need the tar unpacked to disk first; unpacked as a
//!   normal user that loses owners and device nodes, which a container image must keep.
//! - Going straight from the tar keeps uid/gid/mode/links exactly as the image has them,
//!   with no root and no unpack, and one less tool for users to install.
//! - Output is deterministic by construction: entries are sorted by path, every mtime
//!   and the superblock time are set from the options, compression is fixed (gzip, level
//!   9, 128 KiB blocks: what `mksquashfs` uses by default and what every Apptainer and
//!   kernel can mount).
//!
//! File contents are spooled to one anonymous temp file while the tar is read, so memory
//! stays small for any image size; backhand reads each file back when it compresses it.
//!
//! Not carried over: extended attributes (e.g. file capabilities), which backhand cannot
//! write. A regular file's hard links become separate inodes sharing the same data blocks
//! (backhand deduplicates identical files), which is what Apptainer would see anyway on
//! a read-only image.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use backhand::compression::{CompressionOptions, Compressor, Gzip};

use crate::rootfs::entry::normalize_path;
use backhand::{FilesystemCompressor, FilesystemWriter, NodeHeader};

/// What an extra entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtraKind {
    Dir,
    File(Vec<u8>),
    Symlink(String),
    /// Remove whatever the tar has at this path (and below it).
    Absent,
}

/// An entry added on top of the tar's contents (replacing an entry at the same path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraEntry {
    /// Path inside the image, relative to `/` (no leading slash), e.g. `.singularity.d/env`.
    pub path: String,
    pub kind: ExtraKind,
    /// Permission bits (0o7777 range).
    pub mode: u16,
    pub uid: u32,
    pub gid: u32,
    /// Only add the entry when the image has nothing at this path.
    pub if_missing: bool,
}

impl ExtraEntry {
    pub fn dir(path: &str) -> Self {
        Self::new(path, ExtraKind::Dir, 0o755)
    }
    pub fn file(path: &str, mode: u16, content: impl Into<Vec<u8>>) -> Self {
        Self::new(path, ExtraKind::File(content.into()), mode)
    }
    pub fn symlink(path: &str, target: &str) -> Self {
        Self::new(path, ExtraKind::Symlink(target.to_string()), 0o777)
    }
    pub fn absent(path: &str) -> Self {
        Self::new(path, ExtraKind::Absent, 0)
    }
    /// The same entry, added only where the image has nothing at its path.
    pub fn if_missing(mut self) -> Self {
        self.if_missing = true;
        self
    }
    fn new(path: &str, kind: ExtraKind, mode: u16) -> Self {
        ExtraEntry {
            path: path.trim_start_matches('/').to_string(),
            kind,
            mode,
            uid: 0,
            gid: 0,
            if_missing: false,
        }
    }
}

/// Settings that decide the output bytes.
#[derive(Debug, Clone, Copy)]
pub struct SquashfsOptions {
    /// Modification time given to every entry and to the superblock (Unix seconds), as
    /// `mksquashfs -all-time T -mkfs-time T` would; original mtimes are not kept because
    /// they differ between two builds of the same image.
    pub mtime: u32,
    /// gzip level, 1–9. 9 is `mksquashfs`'s default (smallest); lower is faster.
    pub gzip_level: u32,
}

impl SquashfsOptions {
    /// The settings envc builds with: `mtime` for every entry, gzip level 9.
    pub fn new(mtime: u32) -> Self {
        SquashfsOptions {
            mtime,
            gzip_level: DEFAULT_GZIP_LEVEL,
        }
    }
}

pub const DEFAULT_GZIP_LEVEL: u32 = 9;

/// Counts reported after a build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SquashfsStats {
    pub entries: u64,
    pub file_bytes: u64,
    pub image_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SquashfsError {
    #[error("reading the filesystem tar failed")]
    Tar(#[source] io::Error),
    #[error(
        "tar entry `{path}` is a hard link to `{target}`, which is not a regular file before it"
    )]
    DanglingHardlink { path: String, target: String },
    #[error("tar entry `{0}` has a path outside the root")]
    UnsafePath(String),
    #[error("writing the squashfs image failed")]
    Write(#[from] backhand::BackhandError),
    #[error("i/o error while building the squashfs image")]
    Io(#[from] io::Error),
}

/// A node collected from the tar or the extras, before it is handed to backhand.
#[derive(Debug, Clone)]
enum Kind {
    Dir,
    /// A byte range of the spool file.
    File {
        offset: u64,
        len: u64,
    },
    Symlink(Vec<u8>),
    Char(u32),
    Block(u32),
    Fifo,
}

#[derive(Debug, Clone)]
struct Node {
    kind: Kind,
    mode: u16,
    uid: u32,
    gid: u32,
}

/// Build a squashfs image from `rootfs_tar` plus `extras` into `out`.
pub fn build_squashfs<R: Read, W: Write + Seek>(
    rootfs_tar: R,
    extras: &[ExtraEntry],
    options: SquashfsOptions,
    out: W,
) -> Result<SquashfsStats, SquashfsError> {
    build_squashfs_at(rootfs_tar, extras, options, out, 0)
}

/// [`build_squashfs`] with the image starting `offset` bytes into `out` (its internal
/// addresses stay relative to its own start, as inside a SIF).
pub fn build_squashfs_at<R: Read, W: Write + Seek>(
    rootfs_tar: R,
    extras: &[ExtraEntry],
    options: SquashfsOptions,
    out: W,
    offset: u64,
) -> Result<SquashfsStats, SquashfsError> {
    let spool = tempfile::tempfile()?;
    let mut spool_writer = BufWriter::with_capacity(1 << 20, &spool);
    let mut spooled = 0u64;
    let mut nodes: BTreeMap<Vec<u8>, Node> = BTreeMap::new();
    let mut root = Node {
        kind: Kind::Dir,
        mode: 0o755,
        uid: 0,
        gid: 0,
    };

    let mut archive = tar::Archive::new(rootfs_tar);
    for entry in archive.entries().map_err(SquashfsError::Tar)? {
        let mut entry = entry.map_err(SquashfsError::Tar)?;
        let path = normalize(&entry.path_bytes())?;
        let header = entry.header();
        let mode = (header.mode().map_err(SquashfsError::Tar)? & 0o7777) as u16;
        let uid = header.uid().map_err(SquashfsError::Tar)? as u32;
        let gid = header.gid().map_err(SquashfsError::Tar)? as u32;
        let device = || -> Result<u32, SquashfsError> {
            let major = header
                .device_major()
                .map_err(SquashfsError::Tar)?
                .unwrap_or(0);
            let minor = header
                .device_minor()
                .map_err(SquashfsError::Tar)?
                .unwrap_or(0);
            Ok(encode_device(major, minor))
        };
        use tar::EntryType as T;
        let kind = match header.entry_type() {
            T::Directory => Kind::Dir,
            T::Regular | T::Continuous | T::GNUSparse => {
                let len = io::copy(&mut entry, &mut spool_writer)?;
                let kind = Kind::File {
                    offset: spooled,
                    len,
                };
                spooled += len;
                kind
            }
            T::Symlink => Kind::Symlink(
                entry
                    .link_name_bytes()
                    .map(|l| l.into_owned())
                    .unwrap_or_default(),
            ),
            T::Link => {
                let target = normalize(&entry.link_name_bytes().unwrap_or_default())?;
                match nodes.get(&target) {
                    Some(
                        node @ Node {
                            kind: Kind::File { .. },
                            ..
                        },
                    ) => {
                        nodes.insert(path, node.clone());
                        continue;
                    }
                    _ => {
                        return Err(SquashfsError::DanglingHardlink {
                            path: String::from_utf8_lossy(&path).into_owned(),
                            target: String::from_utf8_lossy(&target).into_owned(),
                        });
                    }
                }
            }
            T::Char => Kind::Char(device()?),
            T::Block => Kind::Block(device()?),
            T::Fifo => Kind::Fifo,
            // PAX/GNU extension headers are consumed by the tar reader; anything else
            // (sockets cannot be archived) has no place in an image.
            _ => continue,
        };
        let node = Node {
            kind,
            mode,
            uid,
            gid,
        };
        if path.is_empty() {
            root = node;
        } else {
            nodes.insert(path, node);
        }
    }

    for extra in extras {
        let path = normalize(extra.path.as_bytes())?;
        let existing = nodes.get(&path).map(|n| &n.kind);
        if extra.if_missing && existing.is_some() {
            continue;
        }
        let kind = match &extra.kind {
            // A directory over an existing one keeps the image's owner and mode.
            ExtraKind::Dir if matches!(existing, Some(Kind::Dir)) => continue,
            ExtraKind::Dir => Kind::Dir,
            ExtraKind::Symlink(target) => Kind::Symlink(target.as_bytes().to_vec()),
            ExtraKind::File(content) => {
                spool_writer.write_all(content)?;
                let kind = Kind::File {
                    offset: spooled,
                    len: content.len() as u64,
                };
                spooled += content.len() as u64;
                kind
            }
            ExtraKind::Absent => {
                let mut below = path.clone();
                below.push(b'/');
                nodes.retain(|p, _| *p != path && !p.starts_with(&below));
                continue;
            }
        };
        // Replacing a directory replaces what was in it.
        let mut below = path.clone();
        below.push(b'/');
        nodes.retain(|p, _| !p.starts_with(&below));
        nodes.insert(
            path,
            Node {
                kind,
                mode: extra.mode,
                uid: extra.uid,
                gid: extra.gid,
            },
        );
    }
    spool_writer.flush()?;
    drop(spool_writer);

    // Tars need not list parent directories before (or at all); squashfs needs them.
    let missing: Vec<Vec<u8>> = nodes
        .keys()
        .flat_map(|path| parents(path))
        .filter(|parent| !nodes.contains_key(parent))
        .collect();
    for parent in missing {
        nodes.insert(
            parent,
            Node {
                kind: Kind::Dir,
                mode: 0o755,
                uid: 0,
                gid: 0,
            },
        );
    }

    let spool = Arc::new(spool);
    let mtime = options.mtime;
    let mut fs = FilesystemWriter::default();
    fs.set_time(mtime);
    let gzip =
        (options.gzip_level != DEFAULT_GZIP_LEVEL).then_some(CompressionOptions::Gzip(Gzip {
            compression_level: options.gzip_level.clamp(1, 9),
            window_size: 15,
            strategies: 0,
        }));
    fs.set_compressor(FilesystemCompressor::new(Compressor::Gzip, gzip)?);
    fs.set_root_mode(root.mode);
    fs.set_root_uid(root.uid);
    fs.set_root_gid(root.gid);
    let mut stats = SquashfsStats {
        entries: nodes.len() as u64 + 1,
        file_bytes: spooled,
        image_bytes: 0,
    };
    for (path, node) in &nodes {
        let path = Path::new(OsStr::from_bytes(path));
        let header = NodeHeader::new(node.mode, node.uid, node.gid, mtime);
        match &node.kind {
            Kind::Dir => fs.push_dir(path, header)?,
            Kind::File { offset, len } => fs.push_file(
                SpoolSlice {
                    file: Arc::clone(&spool),
                    position: *offset,
                    end: offset + len,
                },
                path,
                header,
            )?,
            Kind::Symlink(target) => fs.push_symlink(OsStr::from_bytes(target), path, header)?,
            Kind::Char(device) => fs.push_char_device(*device, path, header)?,
            Kind::Block(device) => fs.push_block_device(*device, path, header)?,
            Kind::Fifo => fs.push_fifo(path, header)?,
        }
    }
    let mut out = out;
    let (_, written) = fs.write_with_offset(&mut out, offset)?;
    out.flush()?;
    stats.image_bytes = written;
    Ok(stats)
}

/// Reads one byte range of the spool file without moving a shared cursor.
struct SpoolSlice {
    file: Arc<File>,
    position: u64,
    end: u64,
}

impl Read for SpoolSlice {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min((self.end - self.position) as usize);
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.position)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.position += n as u64;
        Ok(n)
    }
}

/// A tar path as a relative byte string (see [`normalize_path`]); refuses `..`.
pub(crate) fn normalize(raw: &[u8]) -> Result<Vec<u8>, SquashfsError> {
    normalize_path(raw)
        .ok_or_else(|| SquashfsError::UnsafePath(String::from_utf8_lossy(raw).into()))
}

/// Every proper ancestor of a relative path, excluding the root.
fn parents(path: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    path.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'/')
        .map(|(i, _)| path[..i].to_vec())
}

/// Linux's `new_encode_dev`, the device number format squashfs stores.
fn encode_device(major: u32, minor: u32) -> u32 {
    (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_tar_paths() {
        assert_eq!(normalize(b"./usr/bin/").unwrap(), b"usr/bin");
        assert_eq!(normalize(b"etc//passwd").unwrap(), b"etc/passwd");
        assert_eq!(normalize(b"./").unwrap(), b"");
        assert!(normalize(b"../etc").is_err());
        let ps: Vec<_> = parents(b"a/b/c").collect();
        assert_eq!(ps, vec![b"a".to_vec(), b"a/b".to_vec()]);
        assert_eq!(encode_device(1, 3), 0x103);
    }
}
