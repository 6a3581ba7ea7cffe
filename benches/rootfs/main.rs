//! Rootfs digest throughput and native squashfs/SIF build, on a real Debian rootfs.
//!
//! Run through `benches/rootfs/run`, which prepares the rootfs (debootstrap) and passes
//! `ROOTFS_DIR` (the unpacked tree) and `ROOTFS_TAR` (the same tree as a tar). Every
//! measurement is a median of several rounds in one run, next to its reference, so
//! the ratios hold on a noisy shared machine.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use envc::rootfs;
use envc::sif::apptainer_meta::ImageConfig;
use envc::sif::assemble::{AssembleInput, assemble_from_file};
use envc::sif::squashfs::{SquashfsOptions, build_squashfs};

fn main() {
    let dir = PathBuf::from(std::env::var("ROOTFS_DIR").expect("ROOTFS_DIR is set by run"));
    let tar = PathBuf::from(std::env::var("ROOTFS_TAR").expect("ROOTFS_TAR is set by run"));
    let work = PathBuf::from(std::env::var("BENCH_WORK").expect("BENCH_WORK is set by run"));
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let tar_size = std::fs::metadata(&tar).unwrap().len();
    println!(
        "rootfs: {} ({:.0} MB tar), {rounds} rounds, medians",
        dir.display(),
        tar_size as f64 / 1e6
    );

    // Reference: sha256sum over the unpacked files.
    let reference = median(rounds, || {
        let status = Command::new("sh")
            .arg("-c")
            .arg("find . -type f -print0 | xargs -0 sha256sum > /dev/null")
            .current_dir(&dir)
            .status()
            .unwrap();
        assert!(status.success());
    });
    let digest_tar = median(rounds, || {
        let listing = rootfs::tar::list_tar(BufReader::new(File::open(&tar).unwrap())).unwrap();
        std::hint::black_box(listing.digest());
    });

    // Native squashfs from the tar stream, twice to check the bytes are identical.
    let squash_a = work.join("native-a.squashfs");
    let squash_b = work.join("native-b.squashfs");
    let build = |out: &Path| {
        let input = BufReader::new(File::open(&tar).unwrap());
        let output = File::create(out).unwrap();
        let mut options = SquashfsOptions::new(0);
        if let Some(level) = std::env::var("GZIP_LEVEL")
            .ok()
            .and_then(|l| l.parse().ok())
        {
            options.gzip_level = level;
        }
        build_squashfs(input, &[], options, output).unwrap();
    };
    let native_build = median(rounds.min(3), || build(&squash_a));
    build(&squash_b);
    let identical = std::fs::read(&squash_a).unwrap() == std::fs::read(&squash_b).unwrap();
    let native_size = std::fs::metadata(&squash_a).unwrap().len();

    // mksquashfs from the unpacked tree (bookworm's 4.5 cannot read a tar), same settings.
    let mk_out = work.join("mksquashfs.squashfs");
    let mksquashfs = which("mksquashfs").then(|| {
        let time = median(rounds.min(3), || {
            let _ = std::fs::remove_file(&mk_out);
            let status = Command::new("mksquashfs")
                .arg(&dir)
                .arg(&mk_out)
                .args(["-comp", "gzip", "-b", "131072", "-noappend", "-quiet"])
                .args(["-no-progress", "-mkfs-time", "0", "-all-time", "0"])
                .status()
                .unwrap();
            assert!(status.success());
        });
        (time, std::fs::metadata(&mk_out).unwrap().len())
    });

    // The whole native SIF: metadata tree, squashfs, digest in the same pass, SIF file.
    let config = ImageConfig {
        env: vec!["PATH=/usr/local/bin:/usr/bin:/bin".into()],
        cmd: vec!["/bin/bash".into()],
        ..ImageConfig::default()
    };
    let input = AssembleInput {
        def_text: "Bootstrap: docker-daemon\nFrom: bench\n",
        config: &config,
        plan_key: "sha256:bench",
        manifest: serde_json::Value::Null,
        arch: "amd64",
        time: 0,
    };
    let sif = work.join("native.sif");
    let mut recorded = String::new();
    let sif_build = median(rounds.min(3), || {
        recorded = assemble_from_file(&tar, &input, &sif)
            .unwrap()
            .rootfs_digest;
    });
    let sif_size = std::fs::metadata(&sif).unwrap().len();

    let digest_sif = median(rounds, || {
        std::hint::black_box(envc::sif::list_sif(&sif).unwrap().digest());
    });
    let from_export = docker_export_digest(&tar, rounds);
    let tar_digest = rootfs::tar::list_tar(BufReader::new(File::open(&tar).unwrap()))
        .unwrap()
        .digest();
    let sif_digest = envc::sif::list_sif(&sif).unwrap().digest();
    let same = tar_digest == sif_digest && sif_digest == recorded;

    println!();
    println!("rootfs digest");
    println!(
        "  sha256sum over unpacked files   {:>8.3} s",
        secs(reference)
    );
    println!(
        "  envc digest, tar stream         {:>8.3} s   {:.2}x reference",
        secs(digest_tar),
        ratio(digest_tar, reference)
    );
    println!(
        "  envc digest, SIF (squashfs)     {:>8.3} s   {:.2}x reference",
        secs(digest_sif),
        ratio(digest_sif, reference)
    );
    match &from_export {
        Some((time, export_only, digest)) => {
            println!(
                "  envc digest, `docker export` pipe {:>7.3} s   {:.2}x reference",
                secs(*time),
                ratio(*time, reference)
            );
            println!(
                "    of which the engine's export    {:>7.3} s   ({:.2}x reference; digest adds {:.3} s)",
                secs(*export_only),
                ratio(*export_only, reference),
                secs(time.saturating_sub(*export_only))
            );
            println!(
                "  export digest equals the tar's: {}",
                *digest == tar_digest
            );
        }
        None => println!("  envc digest, `docker export`: no Docker engine"),
    }
    println!("  tar, SIF and recorded digests equal: {same}");
    println!();
    println!("squashfs build (gzip, 128 KiB blocks)");
    println!(
        "  envc native (backhand, from tar) {:>7.3} s   {:>6.1} MB   byte-identical rebuild: {identical}",
        secs(native_build),
        native_size as f64 / 1e6
    );
    match mksquashfs {
        Some((time, size)) => println!(
            "  mksquashfs (from unpacked dir)   {:>7.3} s   {:>6.1} MB   native/mksquashfs time {:.2}x",
            secs(time),
            size as f64 / 1e6,
            ratio(native_build, time)
        ),
        None => println!("  mksquashfs: not installed"),
    }
    println!();
    println!("SIF build from the image's filesystem");
    println!(
        "  envc native (tree + squashfs + digest + SIF) {:>7.3} s   {:>6.1} MB",
        secs(sif_build),
        sif_size as f64 / 1e6
    );
    match std::env::var("APPTAINER_IMAGE")
        .ok()
        .filter(|i| !i.is_empty())
    {
        Some(image) => {
            let (time, size) = apptainer_build(&image, &tar, &work, rounds.min(3));
            println!(
                "  apptainer build docker-archive:          {:>7.3} s   {:>6.1} MB   native/apptainer time {:.2}x",
                secs(time),
                size as f64 / 1e6,
                ratio(sif_build, time)
            );
        }
        None => {
            println!("  apptainer build: no Apptainer test image (run the apptainer tests once)")
        }
    }
}

/// The digest of the rootfs imported as an image and streamed back out of the engine
/// with `docker export` (what `envc digest IMAGE` reads), timed including the export.
fn docker_export_digest(tar: &Path, rounds: usize) -> Option<(Duration, Duration, String)> {
    let engine = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !engine {
        return None;
    }
    let tag = format!("envc-bench/export:{}", std::process::id());
    let docker = |args: &[&str]| {
        let out = Command::new("docker").args(args).output().unwrap();
        assert!(out.status.success(), "docker {args:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    docker(&["import", tar.to_str().unwrap(), &tag]);
    let container = docker(&["create", &tag, "/bin/true"]);
    let mut digest = String::new();
    let time = median(rounds, || {
        let mut child = Command::new("docker")
            .args(["export", &container])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        digest = rootfs::tar::list_tar(BufReader::with_capacity(1 << 20, stdout))
            .unwrap()
            .digest();
        assert!(child.wait().unwrap().success());
    });
    // The engine's own part: the same export, drained without reading it.
    let export_only = median(rounds, || {
        let status = Command::new("docker")
            .args(["export", &container])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    });
    docker(&["rm", &container]);
    docker(&["rmi", &tag]);
    Some((time, export_only, digest))
}

/// `apptainer build x.sif docker-archive:…` of the same rootfs, inside the Apptainer test
/// image (TESTING.md); the time includes starting the container (about a second).
fn apptainer_build(image: &str, tar: &Path, work: &Path, rounds: usize) -> (Duration, u64) {
    let tag = format!("envc-bench/rootfs:{}", std::process::id());
    let archive = work.join("image.tar");
    let run = |args: &[&str]| {
        let status = Command::new("docker").args(args).status().unwrap();
        assert!(status.success(), "docker {args:?}");
    };
    run(&["import", tar.to_str().unwrap(), &tag]);
    run(&["save", "-o", archive.to_str().unwrap(), &tag]);
    run(&["rmi", "-f", &tag]);
    let out = work.join("apptainer.sif");
    let chmod = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap()
    };
    chmod(work, 0o777);
    chmod(&archive, 0o644);
    let time = median(rounds, || {
        let _ = std::fs::remove_file(&out);
        let status = Command::new("docker")
            .args(["run", "--rm", "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE"])
            .args(["--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined"])
            .args(["--security-opt", "systempaths=unconfined", "--device", "/dev/fuse"])
            .arg("-v")
            .arg(format!("{}:/work", work.display()))
            .arg(image)
            .args(["sh", "-c", "chmod 666 /dev/fuse && su tester -s /bin/sh -c 'apptainer -s build /work/apptainer.sif docker-archive:/work/image.tar'"])
            .status()
            .unwrap();
        assert!(status.success(), "apptainer build");
    });
    (time, std::fs::metadata(&out).unwrap().len())
}

fn median(rounds: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..rounds.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn which(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool} >/dev/null"))
        .status()
        .is_ok_and(|s| s.success())
}
