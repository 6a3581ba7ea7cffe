//! The digest's definition, checked on small trees built in memory.

use super::*;

/// What one test tree is made of; each field is something a mutation can change.
#[derive(Clone)]
pub(crate) struct Tree {
    content: Vec<u8>,
    mode: u32,
    uid: u64,
    link: &'static str,
    mtime: u64,
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            content: b"hello world\n".to_vec(),
            mode: 0o644,
            uid: 0,
            link: "../usr/bin/env",
            mtime: 1_700_000_000,
        }
    }
}

fn header(kind: ::tar::EntryType, mode: u32, uid: u64, size: u64, mtime: u64) -> ::tar::Header {
    let mut h = ::tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(uid);
    h.set_gid(0);
    h.set_size(size);
    h.set_mtime(mtime);
    h
}

pub(crate) fn tar_of(tree: &Tree) -> Vec<u8> {
    let mut b = ::tar::Builder::new(Vec::new());
    let dir = |path: &str, b: &mut ::tar::Builder<Vec<u8>>| {
        let mut h = header(::tar::EntryType::Directory, 0o755, 0, 0, tree.mtime);
        b.append_data(&mut h, path, std::io::empty()).unwrap();
    };
    dir("etc", &mut b);
    dir("usr", &mut b);
    dir("usr/bin", &mut b);
    dir("var", &mut b);
    dir("var/log", &mut b);
    let mut h = header(
        ::tar::EntryType::Regular,
        tree.mode,
        tree.uid,
        tree.content.len() as u64,
        tree.mtime,
    );
    b.append_data(&mut h, "etc/motd", &tree.content[..])
        .unwrap();
    let mut h = header(::tar::EntryType::Regular, 0o755, 0, 3, tree.mtime);
    b.append_data(&mut h, "usr/bin/env", &b"elf"[..]).unwrap();
    let mut h = header(::tar::EntryType::Link, 0o755, 0, 0, tree.mtime);
    b.append_link(&mut h, "usr/bin/env2", "usr/bin/env")
        .unwrap();
    let mut h = header(::tar::EntryType::Symlink, 0o777, 0, 0, tree.mtime);
    b.append_link(&mut h, "etc/env", tree.link).unwrap();
    let mut h = header(::tar::EntryType::Regular, 0o644, 0, 4, tree.mtime);
    b.append_data(&mut h, "var/log/dpkg.log", &b"log\n"[..])
        .unwrap();
    let mut h = header(::tar::EntryType::Regular, 0o755, 0, 0, tree.mtime);
    b.append_data(&mut h, ".dockerenv", std::io::empty())
        .unwrap();
    b.into_inner().unwrap()
}

fn tar_digest(tree: &Tree) -> String {
    tar::list_tar(&tar_of(tree)[..]).unwrap().digest()
}

#[test]
fn every_kind_of_change_changes_the_digest() {
    let base = Tree::default();
    let original = tar_digest(&base);
    let mut one_byte = base.clone();
    one_byte.content[0] = b'H';
    let mutations = [
        ("content", one_byte),
        (
            "mode",
            Tree {
                mode: 0o600,
                ..base.clone()
            },
        ),
        (
            "owner",
            Tree {
                uid: 1000,
                ..base.clone()
            },
        ),
        (
            "link target",
            Tree {
                link: "/usr/bin/env",
                ..base.clone()
            },
        ),
    ];
    for (what, tree) in mutations {
        assert_ne!(
            tar_digest(&tree),
            original,
            "a changed {what} must change the digest"
        );
    }
    let later = Tree {
        mtime: 1_800_000_000,
        ..base
    };
    assert_eq!(tar_digest(&later), original, "mtimes are ignored");
}

#[test]
fn diff_names_the_path_and_what_differs() {
    let a = tar::list_tar(&tar_of(&Tree::default())[..]).unwrap();
    let b = tar::list_tar(
        &tar_of(&Tree {
            mode: 0o600,
            uid: 7,
            ..Tree::default()
        })[..],
    )
    .unwrap();
    let d = diff(&a.entries, &b.entries);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].path, "/etc/motd");
    assert!(matches!(d[0].aspects[0], Aspect::Mode { .. }));
    assert!(matches!(d[0].aspects[1], Aspect::Owner { .. }));
    let c = tar::list_tar(
        &tar_of(&Tree {
            content: b"changed!!!!\n".to_vec(),
            ..Tree::default()
        })[..],
    )
    .unwrap();
    assert_eq!(
        diff(&a.entries, &c.entries)[0].aspects,
        vec![Aspect::Content]
    );
    assert_eq!(
        diff(&a.entries, &c.entries[1..])[0].aspects,
        vec![Aspect::OnlyLeft]
    );
}

#[test]
fn excluded_paths_are_reported() {
    let listing = tar::list_tar(&tar_of(&Tree::default())[..]).unwrap();
    let excluded: Vec<(&str, &str)> = listing
        .excluded
        .iter()
        .map(|e| (e.path.as_str(), e.rule))
        .collect();
    assert_eq!(
        excluded,
        vec![
            ("/.dockerenv", ".dockerenv"),
            ("/etc", "etc"),
            ("/var", "var"),
            ("/var/log/dpkg.log", "var/log")
        ]
    );
    assert!(listing.entries.iter().any(|e| e.path == b"var/log"));
}
