//! Other machines: a second engine (Podman, its own image store) builds from the registry
//! with no step run, and a cluster node without Docker (the Apptainer test container, no
//! engine socket at all) pulls the SIF and runs it — also with Apptainer's own `oras://`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::interop::{sif_path, sif_project};
use super::{Project, bare, base, indexes, prefix};
use crate::support::{apptainer, registry, require};

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn podman_as_a_second_machine_builds_nothing_and_runs_the_pulled_image() {
    let Some(base) = base() else { return };
    if !require("podman", crate::support::have_command("podman")) {
        return;
    }
    let registry = registry::shared();
    let cache = prefix(registry);
    let project = Project::new(&base);
    project.build(&["--push", "--cache-registry", &cache]);

    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("podman.sock");
    let _service = Service(
        Command::new("podman")
            .args(["system", "service", "--time=0"])
            .arg(format!("unix://{}", socket.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !socket.exists() {
        assert!(
            Instant::now() < deadline,
            "podman did not create its socket"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let host = format!("unix://{}", socket.display());
    let out = project
        .envc(&["build", "--progress", "plain", "--cache-registry", &cache])
        .env("DOCKER_HOST", &host)
        .run();
    let image = out.ok().lines().next().unwrap().to_owned();
    let events = project.last_build();
    assert!(indexes(&events, "step_end", None).is_empty(), "{events:?}");
    assert_eq!(
        events
            .iter()
            .filter(|e| e["event"] == "registry_pull")
            .count(),
        1
    );
    let run = Command::new("podman")
        .args([
            "run",
            "--rm",
            "--ulimit",
            "nofile=4096:4096",
            "--ulimit",
            "nproc=4096:4096",
        ])
        .args([&image, "cat", "/one", "/two"])
        .output()
        .unwrap();
    let keys = project.keys();
    let mut tags = vec![image.clone()];
    tags.extend(keys.iter().map(|k| format!("envc/step:{k}")));
    let _ = Command::new("podman").arg("rmi").args(&tags).output();
    assert!(run.status.success(), "{run:?}");
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        format!("hello {}\ntwo\n", project.name)
    );
}

#[test]
fn a_node_without_docker_pulls_the_sif_and_runs_it_and_apptainer_reads_it_too() {
    let Some(base) = base() else { return };
    let image = match apptainer::image() {
        Ok(image) => image,
        Err(what) => {
            require(&what, false);
            return;
        }
    };
    let registry = registry::shared();
    let cache = prefix(registry);
    let (project, key) = sif_project(&base, &cache);
    let built = sif_path(&project, &key);
    let digest = sha256(&built);
    let work = tempfile::tempdir().unwrap();
    for dir in [project.path(), work.path()] {
        chmod_all(dir);
    }
    let reference = format!("{}/{}:{key}.sif", bare(&cache), project.name);
    let script = format!(
        "set -e
export DOCKER_HOST=unix:///nonexistent XDG_CACHE_HOME=/work/cache HOME=/work
cd /proj
apptainer -q pull --no-https /work/direct.sif oras://{reference}
sha256sum /work/direct.sif
! test -e /var/run/docker.sock
envc pull --target apptainer --cache-registry {cache}
sha256sum /work/cache/envc/sif/{key}.sif
envc run --target apptainer -- cat /one /two"
    );
    let binary = Path::new(env!("CARGO_BIN_EXE_envc"));
    let output = apptainer::run_as_user_with(
        &image,
        &[
            (project.path(), Path::new("/proj")),
            (work.path(), Path::new("/work")),
            (binary, Path::new("/usr/local/bin/envc")),
        ],
        true,
        &script,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let hex = digest.trim_start_matches("sha256:");
    assert_eq!(
        stdout.matches(hex).count(),
        2,
        "byte-identical twice: {stdout}"
    );
    assert!(
        stdout.ends_with(&format!("hello {}\ntwo\n", project.name)),
        "{stdout}"
    );
}

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
    )
}

fn chmod_all(dir: &Path) {
    let status = Command::new("chmod")
        .args(["-R", "a+rwX"])
        .arg(dir)
        .status()
        .unwrap();
    assert!(status.success());
}
