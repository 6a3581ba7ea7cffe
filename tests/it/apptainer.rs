//! envc's natively assembled SIF, run by a real Apptainer (Debian sid's, in a container).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use envc::sif::apptainer_meta::ImageConfig;
use envc::sif::assemble::{AssembleInput, assemble};

use crate::support::{self, apptainer, envc};

/// A static busybox from Debian's `busybox-static` package: the host's if it has one,
/// otherwise downloaded with apt and unpacked into `dir`.
fn busybox(dir: &Path) -> Option<PathBuf> {
    for candidate in ["/bin/busybox", "/usr/bin/busybox"] {
        let out = Command::new("file").arg(candidate).output();
        if out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("statically linked")) {
            return Some(candidate.into());
        }
    }
    let ok = Command::new("apt-get")
        .args(["download", "busybox-static"])
        .current_dir(dir)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return None;
    }
    let deb = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))?;
    let unpacked = dir.join("deb");
    let ok = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(&unpacked)
        .status()
        .is_ok_and(|s| s.success());
    let path = unpacked.join("bin/busybox");
    (ok && path.exists()).then_some(path)
}

/// A tar header owned by root with a fixed mtime.
fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_700_000_000);
    h
}

/// A one-binary rootfs: busybox and its applet links.
fn busybox_tar(busybox: &Path) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut dir = |path: &str| {
        let mut h = header(tar::EntryType::Directory, 0o755, 0);
        b.append_data(&mut h, path, std::io::empty()).unwrap();
    };
    for d in ["bin", "etc", "tmp", "root", "home", "dev", "proc", "sys"] {
        dir(d);
    }
    let data = std::fs::read(busybox).unwrap();
    let mut h = header(tar::EntryType::Regular, 0o755, data.len() as u64);
    b.append_data(&mut h, "bin/busybox", &data[..]).unwrap();
    for applet in ["sh", "echo", "id", "cat", "env", "ls"] {
        let mut h = header(tar::EntryType::Symlink, 0o777, 0);
        b.append_link(&mut h, format!("bin/{applet}"), "busybox")
            .unwrap();
    }
    b.into_inner().unwrap()
}

#[test]
fn apptainer_runs_envc_sif() {
    let image = apptainer::image();
    if !support::require(
        &format!(
            "a real Apptainer ({})",
            image.as_ref().err().map(String::as_str).unwrap_or("")
        ),
        image.is_ok(),
    ) {
        return;
    }
    let image = image.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let Some(busybox) = busybox(dir.path()) else {
        assert!(
            support::require("busybox-static (apt-get download)", false),
            "unreachable"
        );
        return;
    };
    let config = ImageConfig {
        env: vec!["PATH=/bin".into(), "GREETING=hello from the image".into()],
        labels: BTreeMap::from([("org.example.name".into(), "envc-test".into())]),
        entrypoint: vec!["/bin/echo".into(), "runscript:".into()],
        cmd: vec!["default".into()],
        working_dir: String::new(),
    };
    let input = AssembleInput {
        def_text: "Bootstrap: docker-daemon\nFrom: envc-test/busybox\n",
        config: &config,
        plan_key: "sha256:apptainer-test",
        manifest: serde_json::Value::Null,
        arch: envc::sif::format::host_arch(),
        time: 0,
    };
    let tar = busybox_tar(&busybox);
    let ours = assemble(&tar[..], &input, &dir.path().join("t.sif")).unwrap();
    // The same filesystem as a Docker image archive, for Apptainer's own conversion.
    let tag = format!("envc-test/apptainer-xcheck:{}", std::process::id());
    std::fs::write(dir.path().join("rootfs.tar"), &tar).unwrap();
    let docker = |args: &[&str]| {
        let out = Command::new("docker").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "docker {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let archive = dir.path().join("image.tar");
    docker(&[
        "import",
        dir.path().join("rootfs.tar").to_str().unwrap(),
        &tag,
    ]);
    docker(&["save", "-o", archive.to_str().unwrap(), &tag]);
    docker(&["rmi", &tag]);
    std::fs::set_permissions(
        &archive,
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();

    let script = r#"
set -e
cd /tmp
echo "exec: $(apptainer -s exec /work/t.sif sh -c 'echo "$GREETING"; id -u')"
echo "env: $(apptainer -s exec --env GREETING=override /work/t.sif sh -c 'echo "$GREETING"')"
echo "contain: $(apptainer -s exec --containall /work/t.sif id -u)"
echo "run: $(apptainer -s run /work/t.sif)"
echo "run-args: $(apptainer -s run /work/t.sif a 'b c')"
echo "bind: $(apptainer -s exec --bind /etc:/mnt /work/t.sif cat /mnt/hostname >/dev/null && echo ok)"
apptainer -s inspect /work/t.sif
apptainer build /work/theirs.sif docker-archive:/work/image.tar >&2
"#;
    let out = apptainer::run_as_user(&image, dir.path(), script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains("exec: hello from the image\n1000"),
        "{stdout}\n{stderr}"
    );
    assert!(stdout.contains("env: override"), "{stdout}");
    assert!(stdout.contains("contain: 1000"), "{stdout}");
    assert!(stdout.contains("run: runscript: default"), "{stdout}");
    assert!(stdout.contains("run-args: runscript: a b c"), "{stdout}");
    assert!(stdout.contains("bind: ok"), "{stdout}");
    assert!(stdout.contains("org.example.name: envc-test"), "{stdout}");

    // Apptainer's own SIF of the same filesystem: our reader reads it, and the rootfs
    // digest says it holds the same files as ours (the cross-target check of verify).
    let theirs = dir.path().join("theirs.sif");
    let inspect = envc().args(["inspect", "--json"]).arg(&theirs).run().ok();
    let inspect: serde_json::Value = serde_json::from_str(&inspect).unwrap();
    let types: Vec<&str> = inspect["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["data_type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"FS"), "{types:?}");
    let their_listing = envc::sif::list_sif(&theirs).unwrap();
    assert_eq!(
        envc::rootfs::diff(&ours.listing.entries, &their_listing.entries),
        vec![],
        "envc's SIF and apptainer's SIF of one image hold the same files"
    );
    assert_eq!(their_listing.digest(), ours.rootfs_digest);
}
