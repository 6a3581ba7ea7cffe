//! The Apptainer target's files, checked with tools that are not ours: Debian's
//! `siftool` (the reference SIF implementation) and squashfs-tools' `unsquashfs`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use envc::rootfs;
use envc::sif::SifImage;
use envc::sif::apptainer_meta::ImageConfig;
use envc::sif::assemble::{AssembleInput, assemble};

use crate::support::{self, envc};

/// A small filesystem tar with the kinds of entries an image has.
fn rootfs_tar() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut add =
        |kind: tar::EntryType, path: &str, mode: u32, uid: u64, data: &[u8], link: Option<&str>| {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(kind);
            h.set_mode(mode);
            h.set_uid(uid);
            h.set_gid(uid);
            h.set_mtime(1_700_000_000);
            h.set_size(data.len() as u64);
            match link {
                Some(target) => b.append_link(&mut h, path, target).unwrap(),
                None => b.append_data(&mut h, path, data).unwrap(),
            }
        };
    use tar::EntryType as T;
    add(T::Directory, "bin", 0o755, 0, b"", None);
    add(T::Directory, "etc", 0o755, 0, b"", None);
    add(T::Directory, "home", 0o755, 0, b"", None);
    add(T::Directory, "home/user", 0o700, 1000, b"", None);
    add(
        T::Regular,
        "home/user/notes.txt",
        0o600,
        1000,
        b"private\n",
        None,
    );
    add(
        T::Regular,
        "bin/tool",
        0o755,
        0,
        &[0x7f, b'E', b'L', b'F', 1, 2, 3],
        None,
    );
    add(T::Link, "bin/tool-again", 0o755, 0, b"", Some("bin/tool"));
    add(T::Symlink, "bin/sh", 0o777, 0, b"", Some("tool"));
    add(T::Regular, "etc/hosts", 0o644, 0, b"", None);
    add(T::Regular, "etc/hostname", 0o644, 0, b"", None);
    add(T::Regular, "etc/os-release", 0o644, 0, b"ID=test\n", None);
    add(T::Regular, ".dockerenv", 0o755, 0, b"", None);
    b.into_inner().unwrap()
}

fn config() -> ImageConfig {
    ImageConfig {
        env: vec!["PATH=/usr/bin:/bin".into(), "GREETING=hello".into()],
        labels: BTreeMap::from([("org.example.name".into(), "test".into())]),
        entrypoint: vec![],
        cmd: vec!["/bin/sh".into()],
        working_dir: String::new(),
    }
}

fn build(dir: &Path, name: &str, key: &str) -> envc::sif::assemble::Assembled {
    let config = config();
    let input = AssembleInput {
        def_text: "Bootstrap: docker-daemon\nFrom: envc/test\n",
        config: &config,
        plan_key: key,
        manifest: serde_json::json!({"run": {"workdir": "/repo"}}),
        arch: "amd64",
        time: 0,
    };
    assemble(&rootfs_tar()[..], &input, &dir.join(name)).unwrap()
}

fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn assembled_sif_is_deterministic_and_keyed() {
    let dir = tempfile::tempdir().unwrap();
    let a = build(dir.path(), "a.sif", "sha256:k1");
    let b = build(dir.path(), "b.sif", "sha256:k1");
    let c = build(dir.path(), "c.sif", "sha256:k2");
    let read = |p: &Path| std::fs::read(p).unwrap();
    assert_eq!(read(&a.path), read(&b.path), "same inputs, same bytes");
    assert_ne!(read(&a.path), read(&c.path), "another key, another SIF");
    // The digest recorded while building is the one computed back from the SIF, and the
    // one of the input tar: the metadata tree only touches excluded paths.
    let from_sif = envc::sif::list_sif(&a.path).unwrap();
    let from_tar = rootfs::tar::list_tar(&rootfs_tar()[..]).unwrap();
    assert_eq!(
        rootfs::diff(&from_tar.entries, &from_sif.entries),
        vec![],
        "the SIF holds what the tar holds"
    );
    assert_eq!(from_sif.digest(), a.rootfs_digest);
    assert_eq!(from_tar.digest(), a.rootfs_digest);
    assert!(
        from_sif
            .excluded
            .iter()
            .any(|e| e.path == "/.singularity.d/runscript")
    );
}

#[test]
fn envc_inspect_lists_objects_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let a = build(dir.path(), "a.sif", "sha256:k1");
    let human = envc().arg("inspect").arg(&a.path).run().ok();
    assert!(human.contains("Def.FILE"), "{human}");
    assert!(human.contains("Squashfs/*System/amd64"), "{human}");
    assert!(human.contains("plan key:      sha256:k1"), "{human}");
    assert!(human.contains(&a.rootfs_digest), "{human}");
    let json: serde_json::Value =
        serde_json::from_str(&envc().arg("inspect").arg("--json").arg(&a.path).run().ok()).unwrap();
    assert_eq!(json["envc"]["plan_key"], "sha256:k1");
    assert_eq!(json["envc"]["manifest"]["run"]["workdir"], "/repo");
    assert_eq!(json["objects"].as_array().unwrap().len(), 4);

    let digest = envc().arg("digest").arg(&a.path).run().ok();
    assert!(
        digest.starts_with(&format!("{}  ", a.rootfs_digest)),
        "{digest}"
    );
    assert!(digest.contains("/.singularity.d ("), "{digest}");

    let bad = envc()
        .arg("inspect")
        .arg(dir.path().join("missing.sif"))
        .run();
    assert_eq!(bad.code(), 2);
    assert!(bad.stderr().contains("cannot open"), "{}", bad.stderr());
}

#[test]
fn siftool_reads_our_sif_like_we_do() {
    if !support::require(
        "siftool (Debian package `siftool`)",
        support::have_command("siftool"),
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let a = build(dir.path(), "a.sif", "sha256:k1");
    let image = SifImage::read(&mut std::fs::File::open(&a.path).unwrap()).unwrap();
    let path = a.path.to_str().unwrap();

    let header = tool("siftool", &["header", path]);
    assert!(header.contains(&image.header.id), "{header}");
    assert!(header.contains("amd64"), "{header}");

    // `siftool list`: one row per object with id, group, link, offset-range, type.
    let list = tool("siftool", &["list", path]);
    for object in &image.objects {
        let range = format!("{}-{}", object.offset, object.offset + object.size);
        let row = list
            .lines()
            .find(|l| l.split_whitespace().next() == Some(&object.id.to_string()))
            .unwrap_or_else(|| panic!("no row for object {} in:\n{list}", object.id));
        assert!(
            row.contains(&range),
            "object {} at {range}:\n{row}",
            object.id
        );
        assert!(row.contains(object.data_type.label()), "{row}");
    }
    let info = tool("siftool", &["info", "3", path]);
    assert!(info.contains("Squashfs"), "{info}");
    assert!(info.contains("*System"), "{info}");
    let def = tool("siftool", &["dump", "1", path]);
    assert_eq!(def, "Bootstrap: docker-daemon\nFrom: envc/test\n");
    let meta = tool("siftool", &["dump", "4", path]);
    assert!(meta.contains(&a.rootfs_digest), "{meta}");
}

#[test]
fn unsquashfs_lists_our_partition() {
    if !support::require(
        "unsquashfs (Debian package `squashfs-tools`)",
        support::have_command("unsquashfs"),
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let a = build(dir.path(), "a.sif", "sha256:k1");
    let image = SifImage::read(&mut std::fs::File::open(&a.path).unwrap()).unwrap();
    let offset = image.primary_partition().unwrap().offset.to_string();
    let listing = tool(
        "unsquashfs",
        &["-o", &offset, "-lln", "-d", "", a.path.to_str().unwrap()],
    );
    let find = |path: &str| {
        listing
            .lines()
            .find(|l| l.ends_with(path) || l.contains(&format!("{path} -> ")))
            .unwrap_or_else(|| panic!("no {path} in:\n{listing}"))
            .to_string()
    };
    assert!(find("/home/user/notes.txt").starts_with("-rw------- 1000/1000"));
    assert!(find("/bin/sh").starts_with("lrwxrwxrwx 0/0"));
    assert!(find("/bin/sh").ends_with("/bin/sh -> tool"));
    assert!(find("/singularity").ends_with("-> /.singularity.d/runscript"));
    assert!(find("/.singularity.d/env/10-docker2singularity.sh").starts_with("-rwxr-xr-x 0/0"));
    assert!(!listing.contains("/.dockerenv"), "{listing}");
    // Every entry our reader sees, unsquashfs sees.
    let ours = envc::sif::list_sif(&a.path).unwrap();
    for entry in &ours.entries {
        let path = entry.display_path();
        assert!(
            listing
                .lines()
                .any(|l| l.ends_with(&path) || l.contains(&format!("{path} -> "))),
            "{path} missing from unsquashfs:\n{listing}"
        );
    }
}

#[test]
fn we_read_a_sif_made_by_siftool_and_mksquashfs() {
    if !support::require("siftool", support::have_command("siftool"))
        || !support::require("mksquashfs", support::have_command("mksquashfs"))
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join("usr/bin")).unwrap();
    std::fs::write(tree.join("usr/bin/hello"), b"#!/bin/sh\necho hi\n").unwrap();
    std::os::unix::fs::symlink("hello", tree.join("usr/bin/hi")).unwrap();
    let squash = dir.path().join("p.squashfs");
    let sif = dir.path().join("theirs.sif");
    let tar = dir.path().join("tree.tar");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    tool(
        "mksquashfs",
        &[
            &s(&tree),
            &s(&squash),
            "-noappend",
            "-quiet",
            "-no-progress",
        ],
    );
    tool("siftool", &["new", &s(&sif)]);
    tool(
        "siftool",
        &[
            "add",
            "--datatype",
            "4",
            "--parttype",
            "2",
            "--partfs",
            "1",
            "--partarch",
            "2",
            &s(&sif),
            &s(&squash),
        ],
    );
    tool("tar", &["-C", &s(&tree), "-cf", &s(&tar), "."]);

    let inspect: serde_json::Value =
        serde_json::from_str(&envc().args(["inspect", "--json"]).arg(&sif).run().ok()).unwrap();
    assert_eq!(inspect["objects"][0]["data_type"], "FS");
    assert_eq!(inspect["objects"][0]["partition"]["part_type"], "*System");
    assert_eq!(inspect["envc"], serde_json::Value::Null);

    let of_sif = envc().arg("digest").arg(&sif).run().ok();
    let of_tar = envc().arg("digest").arg(&tar).run().ok();
    let first = |s: &str| s.split_whitespace().next().unwrap().to_string();
    assert_eq!(first(&of_sif), first(&of_tar), "{of_sif}\n{of_tar}");
}

#[test]
fn envc_digest_reads_a_tar_from_a_file_or_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let tar = dir.path().join("rootfs.tar");
    std::fs::write(&tar, rootfs_tar()).unwrap();
    let from_file = envc().arg("digest").arg(&tar).run().ok();
    let from_stdin = envc().args(["digest", "-"]).stdin(rootfs_tar()).run().ok();
    let first = |s: &str| s.split_whitespace().next().unwrap().to_string();
    assert_eq!(first(&from_file), first(&from_stdin));
    assert!(
        from_file.contains("/.dockerenv (1): created by the Docker engine"),
        "{from_file}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&envc().args(["digest", "--json"]).arg(&tar).run().ok()).unwrap();
    assert_eq!(json["digest"], first(&from_file));
    let excluded: Vec<&str> = json["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(excluded.contains(&"/etc/hostname"), "{excluded:?}");
    assert!(
        json["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["reason"].is_string())
    );

    let not_a_tar = envc().args(["digest", "-"]).stdin(vec![1u8; 700]).run();
    assert_eq!(not_a_tar.code(), 2, "{}", not_a_tar.stderr());
}

#[test]
fn a_flipped_byte_in_the_partition_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let a = build(dir.path(), "a.sif", "sha256:k1");
    let image = SifImage::read(&mut std::fs::File::open(&a.path).unwrap()).unwrap();
    let partition = image.primary_partition().unwrap();
    let mut bytes = std::fs::read(&a.path).unwrap();
    // The start of the partition's data: file contents, compressed.
    let at = (partition.offset + 96) as usize;
    bytes[at] ^= 0xff;
    let tampered = dir.path().join("tampered.sif");
    std::fs::write(&tampered, bytes).unwrap();
    match envc::sif::list_sif(&tampered) {
        Ok(listing) => assert_ne!(listing.digest(), a.rootfs_digest),
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

/// Regression: Docker adds `/etc/mtab` (and its bind-mount targets) to every container,
/// which once made an export's digest differ from the image's own filesystem.
#[test]
fn a_docker_export_has_the_digest_of_the_imported_tree() {
    let docker_ok = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !support::require("a Docker engine", docker_ok) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tar = dir.path().join("rootfs.tar");
    std::fs::write(&tar, rootfs_tar()).unwrap();
    let tag = format!("envc-test/digest-export:{}", std::process::id());
    let docker = |args: &[&str]| tool("docker", args).trim().to_string();
    docker(&["import", tar.to_str().unwrap(), &tag]);
    let container = docker(&["create", &tag, "/bin/sh"]);
    let export = dir.path().join("export.tar");
    docker(&["export", "-o", export.to_str().unwrap(), &container]);
    docker(&["rm", &container]);
    docker(&["rmi", &tag]);
    let first = |s: String| s.split_whitespace().next().unwrap().to_string();
    assert_eq!(
        first(envc().arg("digest").arg(&export).run().ok()),
        first(envc().arg("digest").arg(&tar).run().ok())
    );
}
