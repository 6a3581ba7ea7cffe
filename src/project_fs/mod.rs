//! The one way envc reads a project file: resolved beneath the project root, component by
//! component, with no symlink leaving the root — `openat2(RESOLVE_BENEATH)` semantics, done
//! as an fd-relative walk so that it works on every kernel and under every seccomp profile.
//!
//! Every project path a config names (file sources, folders copied recursively, base
//! archives, imports, `builtins.readFile` and friends) goes through [`ProjectRoot`]. A path
//! is split into components and walked from an open handle of the root: each folder is
//! opened relative to the previous one with `O_NOFOLLOW`, so no later string lookup can be
//! redirected; a symlink met on the way is read and its target walked the same way, from
//! the folder that holds it. A `..` that would climb above the root, or an absolute
//! symlink target outside the root, is [`ProjectFsError::Escapes`] (checking only the last
//! component was not enough: `etc/shadow` with `etc -> /etc` copied the host's shadow file
//! into an image). More than 40 symlinks on one path is a loop.
//!
//! What a walk opens it keeps: a folder is read through its own handle ([`DirHandle`]),
//! its entries are `lstat`ed and opened relative to it, and a file is hashed or copied from
//! the descriptor that was checked, never by reopening its path string. A regular file is
//! opened with `O_NONBLOCK` so that a FIFO swapped in cannot hang envc, and checked to be a
//! regular file before it is read.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

#[cfg(test)]
mod tests;

/// The most symlinks one resolution follows (Linux's `MAXSYMLINKS`).
const MAX_LINKS: usize = 40;

/// Why a project path cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProjectFsError {
    #[error("`{path}` leaves the project root through the symlink `{link}` (-> `{}`)", target.display())]
    Escapes {
        path: String,
        link: String,
        target: PathBuf,
    },
    #[error("`{path}` leaves the project root (`..` above it)")]
    AboveRoot { path: String },
    #[error("`{path}` is an absolute path; project paths are relative to the project root")]
    Absolute { path: String },
    #[error("`{path}` does not exist in the project")]
    NotFound { path: String },
    #[error("`{path}`: `{component}` is not a folder")]
    NotADirectory { path: String, component: String },
    #[error("`{path}` goes through too many symlinks (a symlink loop)")]
    Loop { path: String },
    #[error("`{path}` is a {kind}, not a {expected}")]
    WrongKind {
        path: String,
        kind: &'static str,
        expected: &'static str,
    },
    #[error("cannot read `{path}`")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// What a file system entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    /// A FIFO, socket or device: never copied into an image.
    Special(&'static str),
}

impl EntryKind {
    fn of(ft: FileType) -> Self {
        match ft {
            FileType::RegularFile => EntryKind::File,
            FileType::Directory => EntryKind::Dir,
            FileType::Symlink => EntryKind::Symlink,
            FileType::Fifo => EntryKind::Special("named pipe"),
            FileType::Socket => EntryKind::Special("socket"),
            FileType::BlockDevice => EntryKind::Special("block device"),
            FileType::CharacterDevice => EntryKind::Special("character device"),
            _ => EntryKind::Special("special file"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            EntryKind::File => "file",
            EntryKind::Dir => "folder",
            EntryKind::Symlink => "symlink",
            EntryKind::Special(kind) => kind,
        }
    }
}

/// An entry's stat data, as the digest walk and the stat cache use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryStat {
    pub kind: EntryKind,
    /// The full mode (`st_mode`).
    pub mode: u32,
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub ino: u64,
}

impl EntryStat {
    // `stat` field types differ between targets: the casts are needed on some.
    #[allow(clippy::unnecessary_cast)]
    fn of(st: &rustix::fs::Stat) -> Self {
        EntryStat {
            kind: EntryKind::of(FileType::from_raw_mode(st.st_mode)),
            mode: st.st_mode,
            size: st.st_size as u64,
            mtime_ns: st.st_mtime as i64 * 1_000_000_000 + st.st_mtime_nsec as i64,
            ctime_ns: st.st_ctime as i64 * 1_000_000_000 + st.st_ctime_nsec as i64,
            ino: st.st_ino,
        }
    }
}

/// An open handle of the project root. Cheap to open; every lookup starts from it.
#[derive(Debug)]
pub struct ProjectRoot {
    fd: OwnedFd,
    path: PathBuf,
}

/// A resolved path: the folder that holds it (open), its name there, and where it is.
struct Resolved {
    parent: OwnedFd,
    /// Empty for the root itself.
    name: Vec<u8>,
    /// The real path relative to the root, symlinks resolved.
    rel: PathBuf,
}

impl ProjectRoot {
    /// Open the project root at `path` (canonicalised: a symlinked root is fine).
    pub fn open(path: &Path) -> Result<Self, ProjectFsError> {
        let shown = || path.display().to_string();
        let canonical = path.canonicalize().map_err(|source| ProjectFsError::Io {
            path: shown(),
            source,
        })?;
        let fd = rustix::fs::open(
            &canonical,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| ProjectFsError::Io {
            path: shown(),
            source: e.into(),
        })?;
        Ok(ProjectRoot {
            fd,
            path: canonical,
        })
    }

    /// The canonical path of the root, for messages and for tools that need a path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where `rel` really is, relative to the root (symlinks resolved, all of them inside).
    pub fn canonical(&self, rel: &Path) -> Result<PathBuf, ProjectFsError> {
        Ok(self.resolve(rel, true)?.rel)
    }

    /// The stat data of `rel` (following a final symlink when `follow`); `Ok(None)` when it
    /// does not exist but every folder on the way is inside the project.
    pub fn stat(&self, rel: &Path, follow: bool) -> Result<Option<EntryStat>, ProjectFsError> {
        match self.resolve(rel, follow) {
            Ok(r) => stat_at(&r.parent, &r.name, &shown(rel)).map(Some),
            Err(ProjectFsError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Open the regular file `rel` for reading.
    pub fn open_file(&self, rel: &Path) -> Result<File, ProjectFsError> {
        let r = self.resolve(rel, true)?;
        open_file_at(&r.parent, &r.name, &shown(rel))
    }

    /// Open the folder `rel` (empty: the root itself).
    pub fn open_dir(&self, rel: &Path) -> Result<DirHandle, ProjectFsError> {
        let r = self.resolve(rel, true)?;
        let fd = open_dir_at(&r.parent, &r.name, &shown(rel))?;
        Ok(DirHandle { fd, rel: r.rel })
    }

    /// Read the whole file `rel`.
    pub fn read(&self, rel: &Path) -> Result<Vec<u8>, ProjectFsError> {
        let mut file = self.open_file(rel)?;
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut file, &mut bytes).map_err(|source| ProjectFsError::Io {
            path: shown(rel),
            source,
        })?;
        Ok(bytes)
    }

    /// `rel` (absolute under the root, or relative to it) as a root-relative path, without
    /// touching the disk. `None` when an absolute path is not under the root.
    pub fn relative(&self, path: &Path) -> Option<PathBuf> {
        if path.is_absolute() {
            path.strip_prefix(&self.path).ok().map(Path::to_path_buf)
        } else {
            Some(path.to_path_buf())
        }
    }

    /// Walk `rel` from the root. With `follow_last`, a final symlink is followed too.
    fn resolve(&self, rel: &Path, follow_last: bool) -> Result<Resolved, ProjectFsError> {
        let path = shown(rel);
        if rel.is_absolute() {
            return Err(ProjectFsError::Absolute { path });
        }
        let dup = || dup_fd(&self.fd, &path);
        // The open folders from the root down, with their names.
        let mut stack: Vec<(OwnedFd, OsString)> = Vec::new();
        let mut pending: Vec<OsString> = components(rel, &path)?;
        pending.reverse();
        let mut links = 0usize;
        while let Some(part) = pending.pop() {
            match part.as_bytes() {
                b"" | b"." => continue,
                b".." => {
                    if stack.pop().is_none() {
                        return Err(ProjectFsError::AboveRoot { path });
                    }
                    continue;
                }
                _ => {}
            }
            let top: &OwnedFd = stack.last().map_or(&self.fd, |(fd, _)| fd);
            let last = pending.is_empty();
            let st = match rustix::fs::statat(top, part.as_os_str(), AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => st,
                Err(Errno::NOENT) => return Err(ProjectFsError::NotFound { path }),
                Err(e) => return Err(io_error(&path, e)),
            };
            let kind = EntryKind::of(FileType::from_raw_mode(st.st_mode));
            if kind == EntryKind::Symlink && (!last || follow_last) {
                links += 1;
                if links > MAX_LINKS {
                    return Err(ProjectFsError::Loop { path });
                }
                let target = rustix::fs::readlinkat(top, part.as_os_str(), Vec::new())
                    .map_err(|e| io_error(&path, e))?;
                let target = PathBuf::from(OsString::from_vec(target.into_bytes()));
                let link = {
                    let mut at: PathBuf = stack.iter().map(|(_, n)| n.as_os_str()).collect();
                    at.push(&part);
                    at.display().to_string()
                };
                let mut followed = if target.is_absolute() {
                    // Absolute targets are allowed only into the root itself, walked from it.
                    let Ok(inside) = target.strip_prefix(&self.path) else {
                        return Err(ProjectFsError::Escapes {
                            path,
                            link: link.clone(),
                            target,
                        });
                    };
                    stack.clear();
                    components(inside, &path)?
                } else {
                    components(&target, &path)?
                };
                // A `..` in the target that climbs above the root names the symlink.
                let depth = stack.len() as isize;
                let mut level = depth;
                for c in &followed {
                    match c.as_bytes() {
                        b".." => level -= 1,
                        b"" | b"." => {}
                        _ => level += 1,
                    }
                    if level < 0 {
                        return Err(ProjectFsError::Escapes {
                            path,
                            link: link.clone(),
                            target,
                        });
                    }
                }
                followed.reverse();
                pending.extend(followed);
                continue;
            }
            if last {
                let parent = match stack.last() {
                    Some((fd, _)) => dup_fd(fd, &path)?,
                    None => dup()?,
                };
                let mut real: PathBuf = stack.iter().map(|(_, n)| n.as_os_str()).collect();
                real.push(&part);
                return Ok(Resolved {
                    parent,
                    name: part.into_vec(),
                    rel: real,
                });
            }
            if kind != EntryKind::Dir {
                return Err(ProjectFsError::NotADirectory {
                    path,
                    component: part.to_string_lossy().into_owned(),
                });
            }
            let fd = open_dir_at(top, part.as_bytes(), &path)?;
            stack.push((fd, part));
        }
        // Every component was consumed by folders: the path names a folder (or the root).
        match stack.pop() {
            None => Ok(Resolved {
                parent: dup()?,
                name: Vec::new(),
                rel: PathBuf::new(),
            }),
            Some((fd, name)) => {
                let mut real: PathBuf = stack.iter().map(|(_, n)| n.as_os_str()).collect();
                real.push(&name);
                let parent = match stack.last() {
                    Some((parent, _)) => dup_fd(parent, &path)?,
                    None => dup()?,
                };
                drop(fd);
                Ok(Resolved {
                    parent,
                    name: name.into_vec(),
                    rel: real,
                })
            }
        }
    }
}

/// An open folder of the project: its entries are read, `lstat`ed and opened relative to it.
#[derive(Debug)]
pub struct DirHandle {
    fd: OwnedFd,
    rel: PathBuf,
}

/// One entry of a folder.
#[derive(Debug, Clone)]
pub struct DirEntry {
    pub name: OsString,
    pub stat: EntryStat,
}

impl DirHandle {
    /// The folder's real path relative to the root.
    pub fn rel(&self) -> &Path {
        &self.rel
    }

    /// The folder's own stat data.
    pub fn stat(&self) -> Result<EntryStat, ProjectFsError> {
        rustix::fs::fstat(&self.fd)
            .map(|st| EntryStat::of(&st))
            .map_err(|e| io_error(&self.shown(None), e))
    }

    /// Every entry but `.` and `..`, unsorted, each with its `lstat` data.
    pub fn entries(&self) -> Result<Vec<DirEntry>, ProjectFsError> {
        let shown = self.shown(None);
        // A fresh descriptor of the same folder, with its own read position.
        let dir = rustix::fs::Dir::read_from(&self.fd).map_err(|e| io_error(&shown, e))?;
        let mut out = Vec::new();
        for entry in dir {
            let entry = entry.map_err(|e| io_error(&shown, e))?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let stat = stat_at(&self.fd, name, &shown)?;
            out.push(DirEntry {
                name: OsStr::from_bytes(name).to_owned(),
                stat,
            });
        }
        Ok(out)
    }

    /// Open the sub-folder `name` (refused if it became a symlink since it was listed).
    pub fn open_dir(&self, name: &OsStr) -> Result<DirHandle, ProjectFsError> {
        let fd = open_dir_at(&self.fd, name.as_bytes(), &self.shown(Some(name)))?;
        Ok(DirHandle {
            fd,
            rel: self.rel.join(name),
        })
    }

    /// Open the regular file `name` (refused if it became anything else since it was listed).
    pub fn open_file(&self, name: &OsStr) -> Result<File, ProjectFsError> {
        open_file_at(&self.fd, name.as_bytes(), &self.shown(Some(name)))
    }

    /// The target of the symlink `name`, as written (never followed).
    pub fn read_link(&self, name: &OsStr) -> Result<PathBuf, ProjectFsError> {
        rustix::fs::readlinkat(&self.fd, name, Vec::new())
            .map(|t| PathBuf::from(OsString::from_vec(t.into_bytes())))
            .map_err(|e| io_error(&self.shown(Some(name)), e))
    }

    fn shown(&self, name: Option<&OsStr>) -> String {
        match name {
            Some(n) => self.rel.join(n).display().to_string(),
            None => self.rel.display().to_string(),
        }
    }
}

fn shown(rel: &Path) -> String {
    rel.display().to_string()
}

fn io_error(path: &str, e: Errno) -> ProjectFsError {
    ProjectFsError::Io {
        path: path.to_owned(),
        source: e.into(),
    }
}

/// The components of `rel` as written (`.` and `..` kept: the walk decides), refusing a
/// root or prefix component.
fn components(rel: &Path, path: &str) -> Result<Vec<OsString>, ProjectFsError> {
    rel.components()
        .map(|c| match c {
            Component::Normal(p) => Ok(p.to_owned()),
            Component::CurDir => Ok(OsString::from(".")),
            Component::ParentDir => Ok(OsString::from("..")),
            Component::RootDir | Component::Prefix(_) => Err(ProjectFsError::Absolute {
                path: path.to_owned(),
            }),
        })
        .collect()
}

/// `name` in `dir` (empty: `dir` itself), not following a final symlink.
fn stat_at(dir: &OwnedFd, name: &[u8], path: &str) -> Result<EntryStat, ProjectFsError> {
    let st = if name.is_empty() {
        rustix::fs::fstat(dir)
    } else {
        rustix::fs::statat(dir, OsStr::from_bytes(name), AtFlags::SYMLINK_NOFOLLOW)
    };
    match st {
        Ok(st) => Ok(EntryStat::of(&st)),
        Err(Errno::NOENT) => Err(ProjectFsError::NotFound {
            path: path.to_owned(),
        }),
        Err(e) => Err(io_error(path, e)),
    }
}

fn open_dir_at(dir: &OwnedFd, name: &[u8], path: &str) -> Result<OwnedFd, ProjectFsError> {
    if name.is_empty() {
        return dup_fd(dir, path);
    }
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    rustix::fs::openat(dir, OsStr::from_bytes(name), flags, Mode::empty()).map_err(|e| match e {
        Errno::NOENT => ProjectFsError::NotFound {
            path: path.to_owned(),
        },
        // A symlink (`ELOOP` with `O_NOFOLLOW`) or a file where a folder was.
        Errno::LOOP | Errno::NOTDIR => ProjectFsError::WrongKind {
            path: path.to_owned(),
            kind: kind_at(dir, name),
            expected: "folder",
        },
        e => io_error(path, e),
    })
}

fn open_file_at(dir: &OwnedFd, name: &[u8], path: &str) -> Result<File, ProjectFsError> {
    if name.is_empty() {
        return Err(ProjectFsError::WrongKind {
            path: path.to_owned(),
            kind: "folder",
            expected: "file",
        });
    }
    // `O_NONBLOCK`: opening a FIFO must not wait for a writer; cleared once it is a file.
    let flags =
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK | OFlags::NOCTTY;
    let fd = rustix::fs::openat(dir, OsStr::from_bytes(name), flags, Mode::empty()).map_err(
        |e| match e {
            Errno::NOENT => ProjectFsError::NotFound {
                path: path.to_owned(),
            },
            Errno::LOOP => ProjectFsError::WrongKind {
                path: path.to_owned(),
                kind: "symlink",
                expected: "file",
            },
            e => io_error(path, e),
        },
    )?;
    let st = rustix::fs::fstat(&fd).map_err(|e| io_error(path, e))?;
    let kind = EntryKind::of(FileType::from_raw_mode(st.st_mode));
    if kind != EntryKind::File {
        return Err(ProjectFsError::WrongKind {
            path: path.to_owned(),
            kind: kind.name(),
            expected: "file",
        });
    }
    rustix::fs::fcntl_setfl(&fd, OFlags::empty()).map_err(|e| io_error(path, e))?;
    Ok(File::from(fd))
}

fn kind_at(dir: &OwnedFd, name: &[u8]) -> &'static str {
    rustix::fs::statat(
        dir.as_fd(),
        OsStr::from_bytes(name),
        AtFlags::SYMLINK_NOFOLLOW,
    )
    .map(|st| EntryKind::of(FileType::from_raw_mode(st.st_mode)).name())
    .unwrap_or("missing entry")
}

fn dup_fd(fd: &OwnedFd, path: &str) -> Result<OwnedFd, ProjectFsError> {
    rustix::io::fcntl_dupfd_cloexec(fd, 0).map_err(|e| io_error(path, e))
}
