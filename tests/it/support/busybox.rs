//! A tiny real image without a registry: Debian's static busybox in a deterministic rootfs,
//! imported through the Engine API and tagged by the hash of that rootfs tar.
//!
//! The rootfs has `/bin/sh` and the other applets as links, `/etc/passwd` and `/etc/group`
//! with `root` and a user `user` at uid/gid 1000 (so host-user mapping meets a conflict),
//! and a world-writable `/tmp`. No `useradd`: mapping must edit the files directly.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use envc::engine::Engine;
use sha2::{Digest, Sha256};

use super::once;

/// Build (once) and return the busybox test image's reference.
pub fn image(rt: &tokio::runtime::Runtime, engine: &Engine) -> String {
    once::locked("busybox", || {
        let tar = rootfs_tar();
        let hash = hex::encode(Sha256::digest(&tar));
        let reference = format!("envc-test/busybox:{}", &hash[..16]);
        let exists = rt
            .block_on(engine.find_image(&reference))
            .expect("inspect the busybox test image");
        if exists.is_none() {
            let changes = vec![
                "ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin".to_string(),
                r#"CMD ["sh"]"#.to_string(),
            ];
            let stream =
                futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(tar))]);
            rt.block_on(engine.import_rootfs(stream, &reference, &changes))
                .expect("import the busybox test image");
        }
        reference
    })
}

/// The static busybox binary from Debian's `busybox-static` package.
pub fn busybox_binary() -> Vec<u8> {
    let deb = busybox_deb();
    let output = Command::new("dpkg-deb")
        .arg("--fsys-tarfile")
        .arg(&deb)
        .output()
        .expect("run dpkg-deb (scripts/setup installs it)");
    assert!(
        output.status.success(),
        "dpkg-deb failed on {}",
        deb.display()
    );
    let mut archive = tar::Archive::new(&output.stdout[..]);
    for entry in archive
        .entries()
        .expect("read the data archive of busybox-static")
    {
        let mut entry = entry.expect("read an entry of busybox-static");
        let path = entry.path().expect("entry path").into_owned();
        if path == Path::new("./bin/busybox") || path == Path::new("bin/busybox") {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read bin/busybox");
            return bytes;
        }
    }
    panic!("busybox-static has no bin/busybox")
}

fn busybox_deb() -> PathBuf {
    let dir = once::cache_dir().join("busybox-deb");
    std::fs::create_dir_all(&dir).unwrap();
    let find = || {
        std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "deb"))
    };
    if let Some(deb) = find() {
        return deb;
    }
    let status = Command::new("apt-get")
        .args(["download", "-q", "busybox-static"])
        .current_dir(&dir)
        .status()
        .expect("run apt-get download (scripts/setup prepares apt)");
    assert!(status.success(), "apt-get download busybox-static failed");
    find().expect("apt-get download left no .deb")
}

/// The applets the binary provides, asked from the binary itself.
fn applets(busybox: &[u8]) -> Vec<String> {
    let path = once::cache_dir().join("busybox-list");
    std::fs::write(&path, busybox).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Regression: "Text file busy" (ETXTBSY) when another test thread forked while the file
    // was open for writing here; its child holds the write descriptor until it execs.
    let output = loop {
        match Command::new(&path).arg("--list").output() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            result => break result.expect("run busybox --list"),
        }
    };
    assert!(output.status.success());
    let mut names: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty() && *l != "busybox")
        .map(str::to_string)
        .collect();
    names.sort();
    names
}

/// The rootfs as a deterministic tar (sorted, fixed times, root-owned).
pub fn rootfs_tar() -> Vec<u8> {
    let busybox = busybox_binary();
    let applets = applets(&busybox);
    let mut builder = tar::Builder::new(Vec::new());
    let dir = |b: &mut tar::Builder<Vec<u8>>, path: &str, mode: u32| {
        let mut header = header(tar::EntryType::Directory, mode, 0);
        if path == "home/user" {
            header.set_uid(1000);
            header.set_gid(1000);
        }
        b.append_data(&mut header, path, std::io::empty()).unwrap();
    };
    let file = |b: &mut tar::Builder<Vec<u8>>, path: &str, mode: u32, data: &[u8]| {
        let mut header = header(tar::EntryType::Regular, mode, data.len() as u64);
        b.append_data(&mut header, path, data).unwrap();
    };
    let link = |b: &mut tar::Builder<Vec<u8>>, path: &str, target: &str| {
        let mut header = header(tar::EntryType::Symlink, 0o777, 0);
        b.append_link(&mut header, path, target).unwrap();
    };
    for (path, mode) in [
        ("bin", 0o755),
        ("dev", 0o755),
        ("etc", 0o755),
        ("home", 0o755),
        ("home/user", 0o755),
        ("proc", 0o555),
        ("root", 0o700),
        ("sbin", 0o755),
        ("sys", 0o555),
        ("tmp", 0o1777),
        ("usr", 0o755),
        ("usr/bin", 0o755),
        ("usr/sbin", 0o755),
        ("var", 0o755),
    ] {
        dir(&mut builder, path, mode);
    }
    file(&mut builder, "bin/busybox", 0o755, &busybox);
    for applet in &applets {
        if applet != "busybox" {
            link(&mut builder, &format!("bin/{applet}"), "busybox");
        }
    }
    link(&mut builder, "usr/bin/env", "../../bin/busybox");
    file(
        &mut builder,
        "etc/passwd",
        0o644,
        b"root:x:0:0:root:/root:/bin/sh\n\
          user:x:1000:1000:user:/home/user:/bin/sh\n\
          nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    );
    file(
        &mut builder,
        "etc/group",
        0o644,
        b"root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n",
    );
    builder.into_inner().unwrap()
}

fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_size(size);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header
}
