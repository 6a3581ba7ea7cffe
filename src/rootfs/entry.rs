//! One filesystem entry as the digest sees it, and a whole listing.

use serde::Serialize;

use super::exclude::Excluded;

/// The type of an entry. Hard links are not a type: a hard link is recorded as the
/// regular file it points to, because a tar stores it as a link while a squashfs (or
/// any unpacked tree) shows another name for the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Dir,
    File,
    Symlink,
    Char,
    Block,
    Fifo,
    Socket,
}

impl EntryKind {
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Dir => "dir",
            EntryKind::File => "file",
            EntryKind::Symlink => "symlink",
            EntryKind::Char => "char",
            EntryKind::Block => "block",
            EntryKind::Fifo => "fifo",
            EntryKind::Socket => "socket",
        }
    }
}

/// One entry. Paths are relative to the root with no leading slash (`etc/passwd`), as
/// raw bytes because Linux file names need not be UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    #[serde(serialize_with = "lossy")]
    pub path: Vec<u8>,
    pub kind: EntryKind,
    /// Permission bits including setuid/setgid/sticky (0o7777).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Content length for files; 0 for everything else (directory sizes are an
    /// artifact of the file system that stores them).
    pub size: u64,
    /// SHA-256 of the content, files only.
    #[serde(serialize_with = "hex_opt")]
    pub sha256: Option<[u8; 32]>,
    /// Target of a symlink.
    #[serde(serialize_with = "lossy_opt")]
    pub link: Option<Vec<u8>>,
    /// (major, minor) of a device node.
    pub device: Option<(u32, u32)>,
}

impl Entry {
    /// The path as users write it: `/etc/passwd`.
    pub fn display_path(&self) -> String {
        format!("/{}", String::from_utf8_lossy(&self.path))
    }
}

fn lossy<S: serde::Serializer>(path: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("/{}", String::from_utf8_lossy(path)))
}
fn lossy_opt<S: serde::Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(&String::from_utf8_lossy(v)),
        None => s.serialize_none(),
    }
}
fn hex_opt<S: serde::Serializer>(v: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(&hex::encode(v)),
        None => s.serialize_none(),
    }
}

/// Every entry of a filesystem that counts, sorted by path, and what was left out.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Listing {
    pub entries: Vec<Entry>,
    pub excluded: Vec<Excluded>,
}

impl Listing {
    /// Sort entries (by path bytes) and exclusions, so the order of the source never
    /// matters. A later entry for the same path replaces an earlier one, as when a tar
    /// is unpacked.
    pub(crate) fn finish(mut self) -> Self {
        // Stable sort keeps source order among equal paths; keep the last of each run.
        self.entries.sort_by(|a, b| a.path.cmp(&b.path));
        let mut deduped: Vec<Entry> = Vec::with_capacity(self.entries.len());
        for entry in self.entries {
            match deduped.last_mut() {
                Some(last) if last.path == entry.path => *last = entry,
                _ => deduped.push(entry),
            }
        }
        self.entries = deduped;
        self.excluded.sort_by(|a, b| a.path.cmp(&b.path));
        self.excluded.dedup_by(|a, b| a.path == b.path);
        self
    }

    /// The rootfs digest of this listing, `sha256:<hex>`.
    pub fn digest(&self) -> String {
        super::digest::digest(&self.entries)
    }
}

/// A tar or squashfs path as a relative, slash-separated byte string: `./usr/bin/` →
/// `usr/bin`, `.` and `/` → `` (the root). `None` for paths that climb out of the root.
pub fn normalize_path(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    for part in raw.split(|b| *b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => return None,
            part => {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(part);
            }
        }
    }
    Some(out)
}
