//! `envc verify --cross` and `envc build --target apptainer --builder apptainer` with the
//! real builders: the engine's BuildKit (the docker CLI's buildx plugin) and a real
//! Apptainer 1.4 in the test container (see `support::apptainer::wrapper`).
//!
//! The realistic config is a Debian base with pinned apt packages, a project file, a
//! project folder, an inline file and a step; the emitted Dockerfile and `.def` must give
//! exactly envc's files. An image changed under envc's tag makes the cross check fail
//! with the changed paths.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::docker::{cli as docker, unique_name as unique};
use crate::support::{self, Run, apptainer, busybox, debian, docker as engine, envc};

/// A project in a temporary folder with its own SIF cache. Both are readable by others:
/// the Apptainer container mounts them at the same paths.
struct Project {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Project {
    fn new(config: &Value) -> Project {
        let project = Project {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
        };
        for dir in [project.dir.path(), project.cache.path()] {
            std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
        }
        project.write("envc.json", &serde_json::to_string_pretty(config).unwrap());
        project
    }

    fn write(&self, rel: &str, contents: &str) {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    fn envc(&self, args: &[&str], apptainer: Option<&Path>) -> Run {
        let mut run = envc()
            .args(args)
            .current_dir(self.dir.path())
            .env("XDG_CACHE_HOME", self.cache.path())
            .env(
                "ENVC_APPTAINER",
                apptainer.map(Path::as_os_str).unwrap_or_default(),
            );
        if apptainer.is_none() {
            // No apptainer on PATH either (the host has none; make sure of it).
            run = run.env(
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            );
        }
        run.run()
    }

    /// Lock and build; the finished image's reference and full key.
    fn build(&self) -> (String, String) {
        self.envc(&["lock"], None).ok();
        let out = self.envc(&["build", "-q", "--target", "docker"], None).ok();
        let mut lines = out.lines();
        (
            lines.next().unwrap().to_owned(),
            lines.next().unwrap().to_owned(),
        )
    }
}

/// Debian bookworm with apt packages, project files (one file with a mode, one folder with
/// an executable), an inline file and a step that uses an installed package.
fn debian_config(base: &str, name: &str) -> Value {
    json!({
        "name": name,
        "base": { "image": base },
        "build": {
            "apt": ["jq", "less"],
            "files": {
                "/etc/app/app.conf": { "source": "conf/app.conf", "mode": "0640" },
                "/opt/conf": { "source": "conf" },
                "/opt/motd": { "text": format!("welcome to {name}\n") },
            },
            "steps": [{
                "name": "marker",
                "run": "mkdir -p /srv/data && echo built > /srv/data/marker && jq --version > /srv/data/jq",
            }],
            "env": { "APP": "1" },
        }
    })
}

fn debian_project() -> Option<(Project, String)> {
    if !support::require("debootstrap (the Debian test image)", debian::available()) {
        return None;
    }
    let rt = engine::runtime();
    let engine = engine::engine(&rt)?;
    let base = debian::bookworm(&rt, &engine);
    let project = Project::new(&debian_config(&base, &unique("verify-cross")));
    project.write("conf/app.conf", "setting = 1\n");
    project.write("conf/tool.sh", "#!/bin/sh\necho tool\n");
    std::fs::set_permissions(
        project.dir.path().join("conf/tool.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    Some((project, base))
}

/// The `.envc-verify-*`/`.envc-apptainer-*` leftovers in the SIF cache (none expected).
fn leftovers(project: &Project) -> Vec<String> {
    let dir = project.cache.path().join("envc/sif");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".envc-"))
        .collect()
}

fn temporary_buildkit_images(key: &str) -> String {
    docker(&[
        "images",
        "--format",
        "{{.Repository}}:{{.Tag}}",
        "--filter",
        &format!("reference=envc-verify/buildkit:{}*", &key[..12]),
    ])
}

#[test]
fn cross_builders_give_envc_files_on_a_debian_config() {
    if !support::require(
        "BuildKit (docker buildx; scripts/setup)",
        support::have_buildx(),
    ) {
        return;
    }
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
    let Some((project, _)) = debian_project() else {
        return;
    };
    let tools = tempfile::tempdir().unwrap();
    let wrapper = apptainer::wrapper(&image.unwrap(), tools.path());
    let (_, key) = project.build();

    let run = project.envc(&["verify", "--cross"], Some(&wrapper));
    let out = run.stdout();
    assert_eq!(run.code(), 0, "{out}\n{}", run.stderr());
    assert!(
        out.contains("pass  cross-builder (buildkit = envc)"),
        "{out}"
    );
    assert!(
        out.contains("pass  cross-builder (apptainer build = envc)"),
        "{out}"
    );
    // One digest for all three builders.
    let digest = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("envc and BuildKit's image: both "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        out.contains(&format!("envc and `apptainer build`'s SIF: both {digest}")),
        "{out}"
    );
    assert_eq!(temporary_buildkit_images(&key), "", "temporary tag left");
    assert_eq!(leftovers(&project), Vec::<String>::new());
}

#[test]
fn cross_fails_with_the_paths_when_envc_image_was_changed() {
    if !support::require(
        "BuildKit (docker buildx; scripts/setup)",
        support::have_buildx(),
    ) {
        return;
    }
    let Some((project, _)) = debian_project() else {
        return;
    };
    let (reference, key) = project.build();
    // Change a file under envc's very tag (labels are kept by the commit).
    let container = docker(&[
        "create",
        &reference,
        "sh",
        "-c",
        "echo tampered > /srv/data/marker; chmod 0600 /opt/motd",
    ]);
    let container = container.trim();
    docker(&["start", "-a", container]);
    docker(&["commit", container, &reference]);
    docker(&["rm", container]);

    // No Apptainer here: that check fails saying what to install, never passes.
    let run = project.envc(&["verify", "--cross"], None);
    let out = run.stdout();
    assert_eq!(run.code(), 1, "{out}");
    assert!(out.contains("FAIL  content integrity (docker)"), "{out}");
    assert!(
        out.contains("FAIL  cross-builder (buildkit = envc)"),
        "{out}"
    );
    let cross: String = out
        .split("cross-builder (buildkit = envc)")
        .nth(1)
        .unwrap()
        .to_owned();
    assert!(cross.contains("/srv/data/marker: content differs"), "{out}");
    assert!(
        cross.contains("/opt/motd: mode 0600 (envc) vs 0644 (BuildKit's image)"),
        "{out}"
    );
    assert!(
        out.contains("FAIL  cross-builder (apptainer build = envc)"),
        "{out}"
    );
    assert!(out.contains("ENVC_APPTAINER"), "{out}");
    assert_eq!(temporary_buildkit_images(&key), "", "temporary tag left");
}

#[test]
fn builder_apptainer_builds_a_sif_that_runs_and_carries_envc_metadata() {
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
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &engine);
    let name = unique("builder-apptainer");
    let project = Project::new(&json!({
        "name": name,
        "base": { "image": base },
        "build": {
            "files": {
                "/opt/hello.txt": { "text": format!("hello from {name}\n") },
                "/opt/data.txt": { "source": "data.txt" },
            },
            "steps": [{ "name": "one", "run": "echo one > /one" }],
        },
        "targets": { "apptainer": { "enable": true } },
    }));
    project.write("data.txt", "project data\n");
    let tools = tempfile::tempdir().unwrap();
    let wrapper = apptainer::wrapper(&image, tools.path());
    let (reference, key) = project.build();

    let out = project
        .envc(
            &["build", "--target", "apptainer", "--builder", "apptainer"],
            Some(&wrapper),
        )
        .ok();
    let sif = project
        .cache
        .path()
        .join(format!("envc/sif/{key}.apptainer.sif"));
    assert_eq!(out, format!("{}\n{key}\n", sif.display()));

    // envc's metadata, added with `apptainer sif add`: the plan key and the digest of what
    // the partition holds, which is the Docker image's.
    let inspect = project.envc(&["inspect", sif.to_str().unwrap()], None).ok();
    assert!(
        inspect.contains(&format!("plan key:      {key}")),
        "{inspect}"
    );
    let digest = project.envc(&["digest", &reference], None).ok();
    let digest = digest.split_whitespace().next().unwrap();
    assert!(
        inspect.contains(&format!("rootfs digest: {digest}")),
        "{inspect}\n{digest}"
    );

    // The real Apptainer runs it, as an unprivileged user.
    let script = format!(
        "apptainer exec {0} cat /opt/hello.txt /opt/data.txt /one",
        sif.display()
    );
    let output = Command::new("docker")
        .args([
            "run",
            "--rm",
            "--cap-add",
            "ALL",
            "--cap-drop",
            "SYS_RESOURCE",
        ])
        .args(["--security-opt", "seccomp=unconfined"])
        .args(["--security-opt", "apparmor=unconfined"])
        .args(["--security-opt", "systempaths=unconfined"])
        .args(["--device", "/dev/fuse"])
        .arg("-v")
        .arg(format!("{0}:{0}:ro", project.cache.path().display()))
        .arg(&image)
        .args([
            "sh",
            "-c",
            &format!("chmod 666 /dev/fuse && exec su tester -s /bin/sh -c '{script}'"),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout == format!("hello from {name}\nproject data\none\n"),
        "{stdout}"
    );
}
