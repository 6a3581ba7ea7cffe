//! Hostile layouts with real symlinks: every way out of the root is refused, every way
//! within it works.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use super::*;

fn project() -> (tempfile::TempDir, ProjectRoot) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::create_dir_all(p.join("a/b")).unwrap();
    fs::write(p.join("a/b/file"), "in").unwrap();
    fs::write(p.join("top"), "top").unwrap();
    let root = ProjectRoot::open(p).unwrap();
    (dir, root)
}

fn escapes(r: Result<impl std::fmt::Debug, ProjectFsError>) -> bool {
    matches!(
        r,
        Err(ProjectFsError::Escapes { .. } | ProjectFsError::AboveRoot { .. })
    )
}

#[test]
fn plain_paths_and_symlinks_inside_work() {
    let (dir, root) = project();
    assert_eq!(root.read(Path::new("a/b/file")).unwrap(), b"in");
    symlink("b/file", dir.path().join("a/rel")).unwrap();
    symlink("../top", dir.path().join("a/up")).unwrap();
    symlink(dir.path().join("a/b"), dir.path().join("abs")).unwrap();
    assert_eq!(root.read(Path::new("a/rel")).unwrap(), b"in");
    assert_eq!(root.read(Path::new("a/up")).unwrap(), b"top");
    assert_eq!(root.read(Path::new("abs/file")).unwrap(), b"in");
    assert_eq!(
        root.canonical(Path::new("abs/file")).unwrap(),
        Path::new("a/b/file")
    );
    assert_eq!(
        root.canonical(Path::new("a/./b/../b/file")).unwrap(),
        Path::new("a/b/file")
    );
    assert_eq!(root.canonical(Path::new("")).unwrap(), Path::new(""));
    assert!(root.stat(Path::new("a/missing"), true).unwrap().is_none());
}

#[test]
fn a_symlinked_folder_on_the_way_out_is_refused() {
    let (dir, root) = project();
    symlink("/etc", dir.path().join("etc")).unwrap();
    assert!(escapes(root.read(Path::new("etc/shadow"))));
    assert!(escapes(root.read(Path::new("etc/passwd"))));
    assert!(escapes(root.stat(Path::new("etc/nonexistent"), true)));
    symlink("../../..", dir.path().join("a/b/up")).unwrap();
    assert!(escapes(root.read(Path::new("a/b/up/etc/passwd"))));
    assert!(escapes(root.open_dir(Path::new("a/b/up"))));
    assert!(escapes(root.read(Path::new("../x"))));
    assert!(escapes(root.read(Path::new("a/../../x"))));
    assert!(matches!(
        root.read(Path::new("/etc/passwd")),
        Err(ProjectFsError::Absolute { .. })
    ));
    // Not followed when only its own type is asked for.
    let st = root.stat(Path::new("etc"), false).unwrap().unwrap();
    assert_eq!(st.kind, EntryKind::Symlink);
}

#[test]
fn loops_and_special_files_are_errors_not_hangs() {
    let (dir, root) = project();
    symlink("loop2", dir.path().join("loop1")).unwrap();
    symlink("loop1", dir.path().join("loop2")).unwrap();
    assert!(matches!(
        root.read(Path::new("loop1")),
        Err(ProjectFsError::Loop { .. })
    ));
    symlink(".", dir.path().join("self")).unwrap();
    assert_eq!(root.read(Path::new("self/self/self/top")).unwrap(), b"top");
    let fifo = dir.path().join("fifo");
    rustix::fs::mknodat(
        rustix::fs::CWD,
        &fifo,
        FileType::Fifo,
        Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
    assert!(matches!(
        root.read(Path::new("fifo")),
        Err(ProjectFsError::WrongKind {
            kind: "named pipe",
            ..
        })
    ));
}

#[test]
fn a_folder_swapped_for_a_symlink_after_listing_is_not_followed() {
    let (dir, root) = project();
    let a = root.open_dir(Path::new("a")).unwrap();
    let names: Vec<_> = a.entries().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, [OsString::from("b")]);
    // Between listing and opening, `a/b` becomes a symlink to `/etc`.
    fs::rename(dir.path().join("a/b"), dir.path().join("moved")).unwrap();
    symlink("/etc", dir.path().join("a/b")).unwrap();
    assert!(matches!(
        a.open_dir(OsStr::new("b")),
        Err(ProjectFsError::WrongKind {
            kind: "symlink",
            ..
        })
    ));
    // And a file swapped for a symlink to the host's files is not opened either.
    fs::write(dir.path().join("a/f"), "x").unwrap();
    fs::remove_file(dir.path().join("a/f")).unwrap();
    symlink("/etc/passwd", dir.path().join("a/f")).unwrap();
    assert!(matches!(
        a.open_file(OsStr::new("f")),
        Err(ProjectFsError::WrongKind {
            kind: "symlink",
            ..
        })
    ));
}
