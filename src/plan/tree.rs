//! Digests of project files and folders that build steps read.
//!
//! A step that copies `./src` into the image must get a new key when anything it copies
//! changes, and must keep its key when nothing it copies changes, wherever the project is
//! checked out, whoever runs envc, whatever the mtimes. So a referenced path is digested as a
//! tree: every entry under it (the referenced path itself included, with the empty relative
//! path), sorted by the bytes of its path relative to the referenced path, each recorded with
//!
//! - its type (regular file, folder, symlink; anything else is refused),
//! - its full permission bits (`mode & 0o7777`: the exec bits decide whether a copied script
//!   runs, and setuid/setgid/sticky are copied too, so all of them are part of the content),
//! - for a file, the SHA-256 of its content; for a symlink, its target (not followed).
//!
//! and nothing else: no mtimes, owners, inode numbers or absolute paths. A rename inside a
//! copied folder changes the digest because paths are part of it.
//!
//! The referenced path itself is followed when it is a symlink (as `docker build`'s `COPY` and
//! `cp -r` do), but only to a place inside the project, and so is every folder on the way to
//! it: paths are resolved by [`crate::project_fs`], component by component beneath the root.
//! Symlinks inside a tree are recorded as links, never followed. The walk reads each folder
//! through its own open handle and opens its entries relative to it, so a folder swapped for
//! a symlink while envc walks is refused, not followed. The state folder `<project>/.envc/`
//! is never part of a tree (it changes as envc runs).
//!
//! The digest is the SHA-256 of this byte stream (format version 1; a change to it must bump
//! `KEY_SCHEMA_VERSION`):
//! `envc-tree 1\0` then per entry `<f|d|l>\0<mode as 4 octal digits>\0<content hex or link
//! target>\0<relative path>\0`.
//!
//! File contents are hashed in parallel and remembered in the stat cache (`stat_cache.rs`),
//! which makes re-planning an unchanged project cost one `lstat` per file.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest as _, Sha256};

use super::stat_cache::{Stat, StatCache};
use crate::content::Digest;
use crate::project_fs::{DirHandle, EntryKind as FsKind, EntryStat, ProjectFsError, ProjectRoot};

/// Why a referenced project path cannot be digested.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    #[error("cannot read `{path}`")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("`{path}` is a {kind}; only files, folders and symlinks can be copied into an image")]
    UnsupportedType { path: PathBuf, kind: &'static str },
    #[error("`{path}` is outside the project root `{root}`")]
    OutsideProject { path: PathBuf, root: PathBuf },
    #[error(transparent)]
    Path(#[from] ProjectFsError),
    #[error("`{path}` changed while envc read it")]
    Changed { path: PathBuf },
}

/// What an entry of a tree is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File { size: u64, content: Digest },
    Dir,
    Symlink { target: PathBuf },
}

/// One entry of a digested tree, as the build executor copies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// Path relative to the referenced path (empty for the referenced path itself).
    pub path: PathBuf,
    /// Permission bits (`mode & 0o7777`).
    pub mode: u32,
    pub kind: EntryKind,
}

/// A digested project file or folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// The path as referenced, relative to the project root (`/`-separated).
    pub source: String,
    /// The file or folder read on disk, relative to the project root (after following a
    /// symlinked reference).
    pub resolved: PathBuf,
    pub digest: Digest,
    /// Entries sorted by the bytes of their path.
    pub entries: Vec<TreeEntry>,
}

/// Digests project paths, with the stat cache of the project.
pub struct ProjectFiles {
    root: PathBuf,
    fs: ProjectRoot,
    cache: StatCache,
    trees: BTreeMap<String, Tree>,
    /// Number of files whose content was read (cache misses), for benchmarks and tests.
    pub files_hashed: usize,
}

/// A file found by the walk whose content digest is not known yet.
struct Pending {
    index: usize,
    project_rel: PathBuf,
    stat: Stat,
}

impl ProjectFiles {
    /// Open the project at `root` (loads its stat cache).
    pub fn open(root: &Path) -> Result<Self, TreeError> {
        let fs = ProjectRoot::open(root)?;
        let root = fs.path().to_path_buf();
        let cache = StatCache::load(&root);
        Ok(ProjectFiles {
            root,
            fs,
            cache,
            trees: BTreeMap::new(),
            files_hashed: 0,
        })
    }

    /// The canonical project root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The project-relative form of `path` (absolute, or relative to the project root),
    /// refusing paths that leave the project.
    pub fn relative(&self, path: &Path) -> Result<String, TreeError> {
        let outside = || TreeError::OutsideProject {
            path: path.to_path_buf(),
            root: self.root.clone(),
        };
        let rel = if path.is_absolute() {
            path.strip_prefix(&self.root).map_err(|_| outside())?
        } else {
            path
        };
        let mut parts: Vec<&OsStr> = Vec::new();
        for component in rel.components() {
            match component {
                Component::Normal(part) => parts.push(part),
                Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop().ok_or_else(outside)?;
                }
                Component::RootDir | Component::Prefix(_) => return Err(outside()),
            }
        }
        let joined: Vec<String> = parts
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        Ok(joined.join("/"))
    }

    /// The tree at `source` (project-relative, `/`-separated; empty for the root itself).
    /// Trees are computed once per run and shared by every step that reads them.
    pub fn tree(&mut self, source: &str) -> Result<&Tree, TreeError> {
        if !self.trees.contains_key(source) {
            let tree = self.compute(source)?;
            self.trees.insert(source.to_owned(), tree);
        }
        Ok(&self.trees[source])
    }

    /// Just the digest of [`ProjectFiles::tree`].
    pub fn digest(&mut self, source: &str) -> Result<Digest, TreeError> {
        Ok(self.tree(source)?.digest)
    }

    /// Write the stat cache back (a failure is only worth a warning: the cache is optional).
    pub fn save_cache(&mut self) -> io::Result<()> {
        self.cache.save(&self.root)
    }

    fn compute(&mut self, source: &str) -> Result<Tree, TreeError> {
        let referenced = Path::new(source);
        // Where the reference really is (a symlinked reference is followed, inside the project).
        let resolved = self.fs.canonical(referenced)?;
        let start = self
            .fs
            .stat(referenced, true)?
            .ok_or_else(|| ProjectFsError::NotFound {
                path: source.to_owned(),
            })?;

        // Walk: every entry with its stat data; file contents come later.
        let mut entries: Vec<TreeEntry> = Vec::new();
        let mut pending: Vec<Pending> = Vec::new();
        let state_dir = Path::new(".envc");
        let mut folders: Vec<(PathBuf, DirHandle)> = Vec::new();
        self.visit(
            PathBuf::new(),
            &start,
            &resolved,
            &mut entries,
            &mut pending,
        )?;
        if start.kind == FsKind::Dir {
            folders.push((PathBuf::new(), self.fs.open_dir(referenced)?));
        }
        while let Some((rel, dir)) = folders.pop() {
            for child in dir.entries()? {
                let child_rel = rel.join(&child.name);
                if resolved.join(&child_rel) == state_dir {
                    continue;
                }
                if child.stat.kind == FsKind::Symlink {
                    let target = dir.read_link(&child.name)?;
                    entries.push(TreeEntry {
                        path: child_rel,
                        mode: child.stat.mode & 0o7777,
                        kind: EntryKind::Symlink { target },
                    });
                    continue;
                }
                self.visit(
                    child_rel.clone(),
                    &child.stat,
                    &resolved,
                    &mut entries,
                    &mut pending,
                )?;
                if child.stat.kind == FsKind::Dir {
                    folders.push((child_rel, dir.open_dir(&child.name)?));
                }
            }
        }

        self.files_hashed += pending.len();
        let hashed = hash_all(&self.fs, &pending)?;
        for (p, digest) in pending.iter().zip(hashed) {
            self.cache.insert(&p.project_rel, p.stat, digest);
            if let EntryKind::File { content, .. } = &mut entries[p.index].kind {
                *content = Digest(digest);
            }
        }

        entries.sort_by(|a, b| {
            a.path
                .as_os_str()
                .as_bytes()
                .cmp(b.path.as_os_str().as_bytes())
        });
        let digest = tree_digest(&entries);
        Ok(Tree {
            source: source.to_owned(),
            resolved,
            digest,
            entries,
        })
    }
}

impl ProjectFiles {
    /// Record one folder or file of a tree (symlinks are recorded by the walk itself).
    fn visit(
        &mut self,
        rel: PathBuf,
        stat: &EntryStat,
        resolved: &Path,
        entries: &mut Vec<TreeEntry>,
        pending: &mut Vec<Pending>,
    ) -> Result<(), TreeError> {
        let mode = stat.mode & 0o7777;
        match stat.kind {
            FsKind::Dir => entries.push(TreeEntry {
                path: rel,
                mode,
                kind: EntryKind::Dir,
            }),
            FsKind::File => {
                let stat = Stat::of_entry(stat);
                // `join("")` would add a trailing slash to a referenced file's own path.
                let project_rel = if rel.as_os_str().is_empty() {
                    resolved.to_path_buf()
                } else {
                    resolved.join(&rel)
                };
                let content = match self.cache.get(&project_rel, &stat) {
                    Some(hit) => Digest(hit),
                    None => {
                        pending.push(Pending {
                            index: entries.len(),
                            project_rel,
                            stat,
                        });
                        Digest([0; 32])
                    }
                };
                entries.push(TreeEntry {
                    path: rel,
                    mode,
                    kind: EntryKind::File {
                        size: stat.size,
                        content,
                    },
                });
            }
            FsKind::Symlink => {
                return Err(TreeError::Changed {
                    path: resolved.join(rel),
                });
            }
            FsKind::Special(kind) => {
                return Err(TreeError::UnsupportedType {
                    path: self.root.join(resolved).join(rel),
                    kind,
                });
            }
        }
        Ok(())
    }
}

/// The digest over sorted entries, in the format the module documentation describes.
pub fn tree_digest(entries: &[TreeEntry]) -> Digest {
    let mut h = Sha256::new();
    h.update(b"envc-tree 1\0");
    for entry in entries {
        let (kind, payload): (&[u8], Vec<u8>) = match &entry.kind {
            EntryKind::File { content, .. } => (b"f", content.hex().into_bytes()),
            EntryKind::Dir => (b"d", Vec::new()),
            EntryKind::Symlink { target } => (b"l", target.as_os_str().as_bytes().to_vec()),
        };
        h.update(kind);
        h.update(b"\0");
        h.update(format!("{:04o}", entry.mode).as_bytes());
        h.update(b"\0");
        h.update(&payload);
        h.update(b"\0");
        h.update(entry.path.as_os_str().as_bytes());
        h.update(b"\0");
    }
    Digest(h.finalize().into())
}

/// Hash the pending files, on up to 4 threads when there is enough work to share.
fn hash_all(root: &ProjectRoot, pending: &[Pending]) -> Result<Vec<[u8; 32]>, TreeError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4)
        .min(pending.len().div_ceil(64).max(1));
    let results: Mutex<Vec<Option<[u8; 32]>>> = Mutex::new(vec![None; pending.len()]);
    let next = AtomicUsize::new(0);
    let first_error: Mutex<Option<TreeError>> = Mutex::new(None);
    let work = || {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= pending.len() {
                break;
            }
            match hash_file(root, &pending[i], &mut buf) {
                Ok(d) => {
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(d);
                    }
                }
                Err(error) => {
                    if let Ok(mut e) = first_error.lock() {
                        e.get_or_insert(error);
                    }
                    next.store(pending.len(), Ordering::Relaxed);
                }
            }
        }
    };
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(work);
            }
        });
    }
    if let Some(err) = first_error.into_inner().ok().flatten() {
        return Err(err);
    }
    let results = results.into_inner().unwrap_or_default();
    results
        .into_iter()
        .zip(pending)
        .map(|(r, p)| {
            r.ok_or_else(|| TreeError::Io {
                path: root.path().join(&p.project_rel),
                source: io::Error::other("file was not hashed"),
            })
        })
        .collect()
}

/// Hash one file, opened beneath the root; it must still be the file the walk saw.
fn hash_file(root: &ProjectRoot, p: &Pending, buf: &mut [u8]) -> Result<[u8; 32], TreeError> {
    let mut file = root.open_file(&p.project_rel)?;
    let io_err = |source| TreeError::Io {
        path: root.path().join(&p.project_rel),
        source,
    };
    let meta = file.metadata().map_err(io_err)?;
    if std::os::unix::fs::MetadataExt::ino(&meta) != p.stat.ino {
        return Err(TreeError::Changed {
            path: root.path().join(&p.project_rel),
        });
    }
    let mut h = Sha256::new();
    loop {
        let n = match file.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(e)),
        };
        h.update(&buf[..n]);
    }
    Ok(h.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("src/sub")).unwrap();
        fs::write(dir.path().join("src/a.txt"), "alpha").unwrap();
        fs::write(dir.path().join("src/sub/b.sh"), "#!/bin/sh\n").unwrap();
        symlink("a.txt", dir.path().join("src/link")).unwrap();
        for d in ["src", "src/sub"] {
            fs::set_permissions(dir.path().join(d), fs::Permissions::from_mode(0o755)).unwrap();
        }
        for f in ["src/a.txt", "src/sub/b.sh"] {
            fs::set_permissions(dir.path().join(f), fs::Permissions::from_mode(0o644)).unwrap();
        }
        dir
    }

    fn digest(dir: &Path, source: &str) -> Digest {
        ProjectFiles::open(dir).unwrap().digest(source).unwrap()
    }

    #[test]
    fn lists_entries_sorted_with_modes_and_targets() {
        let dir = project();
        let mut files = ProjectFiles::open(dir.path()).unwrap();
        let tree = files.tree("src").unwrap();
        let paths: Vec<_> = tree.entries.iter().map(|e| e.path.clone()).collect();
        let expect: Vec<PathBuf> = ["", "a.txt", "link", "sub", "sub/b.sh"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(paths, expect);
        assert_eq!(
            tree.entries[2].kind,
            EntryKind::Symlink {
                target: "a.txt".into()
            }
        );
        assert_eq!(tree.entries[1].mode, 0o644);
    }

    #[test]
    fn same_content_elsewhere_gives_the_same_digest() {
        let a = project();
        let b = project();
        assert_eq!(digest(a.path(), "src"), digest(b.path(), "src"));
    }

    #[test]
    fn each_kind_of_change_changes_the_digest() {
        let dir = project();
        let before = digest(dir.path(), "src");
        let p = dir.path();

        fs::set_permissions(p.join("src/sub/b.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        let after_mode = digest(p, "src");
        assert_ne!(before, after_mode);

        fs::remove_file(p.join("src/link")).unwrap();
        symlink("sub/b.sh", p.join("src/link")).unwrap();
        let after_link = digest(p, "src");
        assert_ne!(after_mode, after_link);

        fs::rename(p.join("src/a.txt"), p.join("src/c.txt")).unwrap();
        let after_rename = digest(p, "src");
        assert_ne!(after_link, after_rename);

        fs::write(p.join("src/c.txt"), "omega").unwrap();
        assert_ne!(after_rename, digest(p, "src"));
    }

    #[test]
    fn the_cache_skips_unchanged_files_and_sees_changed_ones() {
        let dir = project();
        let p = dir.path();
        let mut files = ProjectFiles::open(p).unwrap();
        let first = files.digest("src").unwrap();
        assert_eq!(files.files_hashed, 2);
        files.save_cache().unwrap();
        // Age the cache file so the entries are not racily clean.
        let later = filetime_now_plus(5);
        set_mtime(&p.join(".envc/stat-cache"), later);

        let mut files = ProjectFiles::open(p).unwrap();
        assert_eq!(files.digest("src").unwrap(), first);
        assert_eq!(files.files_hashed, 0);

        // Same size, same mtime, other content: ctime moves, so the file is hashed again.
        let meta = fs::metadata(p.join("src/a.txt")).unwrap();
        fs::write(p.join("src/a.txt"), "ALPHA").unwrap();
        set_mtime(&p.join("src/a.txt"), meta.mtime());
        let mut files = ProjectFiles::open(p).unwrap();
        assert_ne!(files.digest("src").unwrap(), first);
        assert_eq!(files.files_hashed, 1);
    }

    #[test]
    fn the_state_folder_is_not_part_of_the_root_tree() {
        let dir = project();
        let before = digest(dir.path(), "");
        let mut files = ProjectFiles::open(dir.path()).unwrap();
        files.digest("").unwrap();
        files.save_cache().unwrap();
        assert!(dir.path().join(".envc/stat-cache").exists());
        assert_eq!(before, digest(dir.path(), ""));
    }

    #[test]
    fn refuses_paths_outside_the_project_and_special_files() {
        let dir = project();
        let files = ProjectFiles::open(dir.path()).unwrap();
        assert!(files.relative(Path::new("../x")).is_err());
        assert!(files.relative(Path::new("/etc/passwd")).is_err());
        assert_eq!(
            files.relative(Path::new("./src/../src/a.txt")).unwrap(),
            "src/a.txt"
        );
        symlink("/etc", dir.path().join("etc")).unwrap();
        let mut files = ProjectFiles::open(dir.path()).unwrap();
        assert!(matches!(
            files.digest("etc"),
            Err(TreeError::Path(ProjectFsError::Escapes { .. }))
        ));
        // The folder on the way is a symlink out: refused too (issue 15, item 2).
        assert!(matches!(
            files.digest("etc/passwd"),
            Err(TreeError::Path(ProjectFsError::Escapes { .. }))
        ));
        // Inside a copied folder, a symlink out is recorded as a link, never followed.
        symlink("/etc/shadow", dir.path().join("src/shadow")).unwrap();
        let tree = files.tree("src").unwrap();
        let link = tree
            .entries
            .iter()
            .find(|e| e.path == Path::new("shadow"))
            .unwrap();
        assert_eq!(
            link.kind,
            EntryKind::Symlink {
                target: "/etc/shadow".into()
            }
        );
    }

    fn filetime_now_plus(secs: i64) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            + secs
    }

    fn set_mtime(path: &Path, secs: i64) {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs as u64);
        fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(t)
            .unwrap();
    }
}
