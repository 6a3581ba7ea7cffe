//! The stat cache: remembers the content digest of every project file envc hashed, keyed by
//! the file's stat data, so that re-planning an unchanged tree reads no file contents.
//!
//! It lives at `<project>/.envc/stat-cache` and maps a project-relative path to
//! (size, mtime ns, ctime ns, inode, mode) → content SHA-256. A lookup hits only when all five
//! match. ctime is in the tuple because nobody can set it: a content change that keeps size
//! and mtime (`touch -d` afterwards) still moves ctime. Like git's index, an entry whose mtime
//! or ctime falls in the same second as the cache file's own mtime (or later) is "racily
//! clean": the file may have changed again within that second without its times moving, so
//! such entries are treated as misses and hashed again.
//!
//! The cache is an optimisation only: a missing, unreadable or corrupt cache is ignored, and
//! a failure to write it is reported as a warning by the caller. It is written atomically
//! (a temporary file in `.envc/` renamed over the old one), so a crash never leaves half a
//! cache behind.
//!
//! Format (little-endian): the magic line `envc-stat-cache 2\n`, the entry count (u64), then
//! per entry the path length (u32), the path bytes, size (u64), mtime ns (i64), ctime ns (i64),
//! inode (u64), mode (u32) and the 32 digest bytes; last, the SHA-256 of everything before
//! it. A flipped bit in a digest would otherwise be trusted and give a wrong key: a cache
//! whose checksum does not match is reported and rebuilt (issue 15, class 8).

use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const MAGIC: &[u8] = b"envc-stat-cache 2\n";
/// The cache file, relative to the project root.
pub const CACHE_FILE: &str = ".envc/stat-cache";

/// The stat data a cache entry is valid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub ino: u64,
    pub mode: u32,
}

impl Stat {
    /// The stat data of an entry the project walk read.
    pub fn of_entry(stat: &crate::project_fs::EntryStat) -> Self {
        Stat {
            size: stat.size,
            mtime_ns: stat.mtime_ns,
            ctime_ns: stat.ctime_ns,
            ino: stat.ino,
            mode: stat.mode,
        }
    }

    pub fn of(meta: &fs::Metadata) -> Self {
        Stat {
            size: meta.size(),
            mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
            ctime_ns: meta.ctime() * 1_000_000_000 + meta.ctime_nsec(),
            ino: meta.ino(),
            mode: meta.mode(),
        }
    }
}

/// Project-relative path (bytes) → stat data and content digest.
#[derive(Debug, Default)]
pub struct StatCache {
    path: PathBuf,
    entries: HashMap<Box<[u8]>, (Stat, [u8; 32])>,
    /// Whole seconds of the cache file's mtime when it was loaded; entries at or after it are racy.
    written_sec: Option<i64>,
    /// Paths looked up or inserted in this run (the rest may be pruned on save).
    seen: HashMap<Box<[u8]>, ()>,
    dirty: bool,
}

impl StatCache {
    /// Load the cache of the project at `project_root`; an absent or unusable cache is empty.
    pub fn load(project_root: &Path) -> Self {
        let path = project_root.join(CACHE_FILE);
        let mut cache = StatCache {
            path,
            ..StatCache::default()
        };
        let Ok(bytes) = fs::read(&cache.path) else {
            return cache;
        };
        let Ok(meta) = fs::metadata(&cache.path) else {
            return cache;
        };
        match parse(&bytes) {
            Some(entries) => {
                cache.entries = entries;
                cache.written_sec = Some(meta.mtime());
            }
            None => {
                tracing::warn!(
                    "the stat cache `{}` is damaged (its checksum does not match): rebuilding it",
                    cache.path.display()
                );
                cache.dirty = true;
            }
        }
        cache
    }

    /// The cached digest for `rel` if its stat data still match and the entry is not racy.
    pub fn get(&mut self, rel: &Path, stat: &Stat) -> Option<[u8; 32]> {
        let key = rel.as_os_str().as_bytes();
        self.seen.insert(key.into(), ());
        let (cached, digest) = self.entries.get(key)?;
        let written = self.written_sec?;
        let racy = stat.mtime_ns.div_euclid(1_000_000_000) >= written
            || stat.ctime_ns.div_euclid(1_000_000_000) >= written;
        (cached == stat && !racy).then_some(*digest)
    }

    /// Record the digest of `rel` as hashed with stat data `stat`.
    pub fn insert(&mut self, rel: &Path, stat: Stat, digest: [u8; 32]) {
        let key: Box<[u8]> = rel.as_os_str().as_bytes().into();
        self.seen.insert(key.clone(), ());
        let old = self.entries.insert(key, (stat, digest));
        if old != Some((stat, digest)) {
            self.dirty = true;
        }
        // A re-hashed racy entry gets a fresh write below, which makes it clean next time.
        if self
            .written_sec
            .is_some_and(|w| stat.mtime_ns.div_euclid(1_000_000_000) >= w)
        {
            self.dirty = true;
        }
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Write the cache back if anything changed. Entries for files not seen in this run are
    /// kept while the file still exists (another variant may reference it) and dropped otherwise.
    pub fn save(&mut self, project_root: &Path) -> io::Result<()> {
        let before = self.entries.len();
        let seen = &self.seen;
        self.entries.retain(|path, _| {
            seen.contains_key(path)
                || fs::symlink_metadata(project_root.join(std::ffi::OsStr::from_bytes(path)))
                    .is_ok()
        });
        if !self.dirty && self.entries.len() == before {
            return Ok(());
        }
        let dir = self.path.parent().unwrap_or(project_root);
        ensure_state_dir(dir)?;
        let mut out = Vec::with_capacity(MAGIC.len() + 8 + self.entries.len() * 120);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.entries.len() as u64).to_le_bytes());
        let mut sorted: Vec<_> = self.entries.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (path, (stat, digest)) in sorted {
            out.extend_from_slice(&(path.len() as u32).to_le_bytes());
            out.extend_from_slice(path);
            out.extend_from_slice(&stat.size.to_le_bytes());
            out.extend_from_slice(&stat.mtime_ns.to_le_bytes());
            out.extend_from_slice(&stat.ctime_ns.to_le_bytes());
            out.extend_from_slice(&stat.ino.to_le_bytes());
            out.extend_from_slice(&stat.mode.to_le_bytes());
            out.extend_from_slice(digest);
        }
        let checksum = Sha256::digest(&out);
        out.extend_from_slice(&checksum);
        write_atomically(&self.path, &out)?;
        self.dirty = false;
        Ok(())
    }
}

/// Create `<project>/.envc/` with a `.gitignore` that keeps it out of version control.
pub fn ensure_state_dir(dir: &Path) -> io::Result<()> {
    crate::state_dir::ensure(dir)
}

/// Write a file users share (the lock, emitted files, this cache) atomically, with the
/// umask's mode.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    crate::state_dir::write_atomically(path, bytes, crate::state_dir::Audience::Shared)
}

type Entries = HashMap<Box<[u8]>, (Stat, [u8; 32])>;

fn parse(bytes: &[u8]) -> Option<Entries> {
    let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
    if Sha256::digest(body).as_slice() != checksum {
        return None;
    }
    let mut r = Reader(body.strip_prefix(MAGIC)?);
    let count = r.u64()?;
    let mut entries = HashMap::with_capacity(usize::try_from(count).ok()?.min(1 << 24));
    for _ in 0..count {
        let len = r.u32()? as usize;
        let path: Box<[u8]> = r.take(len)?.into();
        let stat = Stat {
            size: r.u64()?,
            mtime_ns: r.u64()? as i64,
            ctime_ns: r.u64()? as i64,
            ino: r.u64()?,
            mode: r.u32()?,
        };
        let digest: [u8; 32] = r.take(32)?.try_into().ok()?;
        entries.insert(path, (stat, digest));
    }
    r.0.is_empty().then_some(entries)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mtime_sec: i64) -> Stat {
        Stat {
            size: 3,
            mtime_ns: mtime_sec * 1_000_000_000 + 5,
            ctime_ns: mtime_sec * 1_000_000_000 + 5,
            ino: 7,
            mode: 0o100644,
        }
    }

    #[test]
    fn round_trips_and_hits_only_on_equal_stat() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = StatCache::load(dir.path());
        assert!(cache.is_empty());
        cache.insert(Path::new("a/b"), stat(1000), [1; 32]);
        cache.save(dir.path()).unwrap();
        fs::create_dir_all(dir.path().join("a")).unwrap();
        fs::write(dir.path().join("a/b"), "abc").unwrap();

        let mut cache = StatCache::load(dir.path());
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(Path::new("a/b"), &stat(1000)), Some([1; 32]));
        let mut changed = stat(1000);
        changed.ctime_ns += 1;
        assert_eq!(cache.get(Path::new("a/b"), &changed), None);
        assert_eq!(cache.get(Path::new("a/c"), &stat(1000)), None);
        assert_eq!(
            fs::read_to_string(dir.path().join(".envc/.gitignore")).unwrap(),
            "*\n"
        );
    }

    #[test]
    fn entries_from_the_second_of_the_write_are_racy() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = StatCache::load(dir.path());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        cache.insert(Path::new("f"), stat(now + 10), [2; 32]);
        cache.save(dir.path()).unwrap();
        let mut cache = StatCache::load(dir.path());
        assert_eq!(cache.get(Path::new("f"), &stat(now + 10)), None);
    }

    #[test]
    fn a_corrupt_cache_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(".envc")).unwrap();
        fs::write(dir.path().join(CACHE_FILE), b"envc-stat-cache 1\n\x05").unwrap();
        assert!(StatCache::load(dir.path()).is_empty());
    }

    /// Issue 15, class 8: one flipped bit in a digest was trusted and gave a wrong key.
    #[test]
    fn a_damaged_entry_is_detected_by_the_checksum_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = StatCache::load(dir.path());
        cache.insert(Path::new("a"), stat(1000), [7; 32]);
        cache.save(dir.path()).unwrap();
        let path = dir.path().join(CACHE_FILE);
        let mut bytes = fs::read(&path).unwrap();
        let digest_at = bytes.len() - 32 - 32;
        bytes[digest_at] ^= 1;
        fs::write(&path, &bytes).unwrap();
        let mut cache = StatCache::load(dir.path());
        assert!(cache.is_empty(), "a damaged cache is not used");
        cache.insert(Path::new("a"), stat(1000), [7; 32]);
        cache.save(dir.path()).unwrap();
        assert_eq!(
            StatCache::load(dir.path()).len(),
            1,
            "and is rewritten whole"
        );
    }
}
