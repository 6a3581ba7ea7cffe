//! Round trips through our writer and reader, and the squashfs writer checked against the
//! rootfs listing of the same tree as a tar.

use std::io::Cursor;

use super::squashfs::{SquashfsOptions, build_squashfs};
use super::*;
use crate::rootfs::tests::{Tree, tar_of};
use crate::rootfs::{self, EntryKind};

fn sample(key: &str) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let objects = vec![
        ObjectInput::bytes(DataType::Deffile, "", b"Bootstrap: scratch\n".to_vec()),
        ObjectInput::bytes(DataType::GenericJson, "envc.json", br#"{"a":1}"#.to_vec()),
        ObjectInput::partition(
            "",
            PartitionInfo {
                fs_type: FsType::Squashfs,
                part_type: PartType::PrimarySystem,
                arch: "amd64".into(),
            },
            5000,
            std::io::repeat(7).take(5000),
        ),
    ];
    write_sif(&mut out, &ImageOptions::deterministic(key, 0), objects).unwrap();
    out.into_inner()
}

use std::io::Read;

#[test]
fn writes_what_it_reads() {
    let bytes = sample("k1");
    let image = SifImage::read(&mut Cursor::new(&bytes)).unwrap();
    assert_eq!(image.header.version, "01");
    assert_eq!(image.header.arch, "amd64");
    assert_eq!(image.header.descriptors_total, 48);
    assert_eq!(image.header.descriptors_free, 45);
    assert_eq!(image.objects.len(), 3);
    let part = image.primary_partition().unwrap();
    assert_eq!(part.offset % 4096, 0);
    assert_eq!(part.size, 5000);
    assert_eq!(part.offset + part.size, bytes.len() as u64);
    let json = image.find(DataType::GenericJson, "envc.json").unwrap();
    let data = image
        .object_bytes(&mut Cursor::new(&bytes), json, 1 << 20)
        .unwrap();
    assert_eq!(data, br#"{"a":1}"#);
    let def = &image.objects[0];
    assert_eq!(def.data_type, DataType::Deffile);
    assert_eq!(def.group, Some(1));
    assert_eq!(def.offset, image.header.data_offset as u64);
}

#[test]
fn same_key_same_bytes_other_key_other_id() {
    assert_eq!(sample("k1"), sample("k1"));
    let a = SifImage::read(&mut Cursor::new(sample("k1"))).unwrap();
    let b = SifImage::read(&mut Cursor::new(sample("k2"))).unwrap();
    assert_ne!(a.header.id, b.header.id);
}

#[test]
fn rejects_non_sif_and_truncation() {
    assert!(matches!(
        SifImage::read(&mut Cursor::new(vec![0u8; 200])),
        Err(SifError::NotSif)
    ));
    let mut bytes = sample("k1");
    bytes.truncate(bytes.len() - 10);
    assert!(matches!(
        SifImage::read(&mut Cursor::new(bytes)),
        Err(SifError::ObjectOutOfBounds { id: 3 })
    ));
}

fn squashfs_of(tar: &[u8]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    build_squashfs(tar, &[], SquashfsOptions::new(0), &mut out).unwrap();
    out.into_inner()
}

#[test]
fn tar_and_squashfs_of_one_tree_agree() {
    let tar = tar_of(&Tree::default());
    let from_tar = rootfs::tar::list_tar(&tar[..]).unwrap();
    let from_squashfs = rootfs::squashfs::list_squashfs(Cursor::new(squashfs_of(&tar)), 0).unwrap();
    assert_eq!(
        rootfs::diff(&from_tar.entries, &from_squashfs.entries),
        vec![]
    );
    assert_eq!(from_tar.entries, from_squashfs.entries);
    assert_eq!(from_tar.digest(), from_squashfs.digest());
    // The hard link is the file it points to.
    let env2 = from_tar
        .entries
        .iter()
        .find(|e| e.path == b"usr/bin/env2")
        .unwrap();
    assert_eq!(env2.kind, EntryKind::File);
    assert_eq!(env2.size, 3);
}
