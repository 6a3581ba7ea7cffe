//! A real Apptainer for tests: Debian sid's `apptainer` in a local Docker image, built
//! once (recipe in TESTING.md, "Apptainer") and reused by tag while the recipe is
//! unchanged. Apptainer runs inside a container of that image as a non-root user, with
//! the capabilities and devices it needs on these machines.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// Builds the image on the host; `$TAG` and `$BASE` are filled in. Changing this text
/// changes the tag, so a stale image is never reused.
const RECIPE: &str = r#"set -eu
dir=$(mktemp -d)
# A failed debootstrap can leave /proc or /sys mounted in the rootfs: detach them first.
cleanup() {
  awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l || true
  rm -rf "$dir"; docker rm -f "$BUILDER" >/dev/null 2>&1 || true
}
trap cleanup EXIT
debootstrap --variant=minbase trixie "$dir/rootfs" http://deb.debian.org/debian >"$dir/debootstrap.log" 2>&1 \
  || { tail -20 "$dir/debootstrap.log" >&2; exit 1; }
tar -C "$dir/rootfs" -c . | docker import - "$BASE" >/dev/null
docker run --name "$BUILDER" "$BASE" sh -ec '
  echo "deb http://deb.debian.org/debian sid main" > /etc/apt/sources.list.d/sid.list
  apt-get -qq -o Acquire::Check-Valid-Until=false update
  DEBIAN_FRONTEND=noninteractive apt-get -qq -o Acquire::Check-Valid-Until=false \
    install -y --no-install-recommends apptainer squashfs-tools squashfuse fuse3 >/dev/null
  useradd -m -u 1000 tester
  apt-get clean
' >&2
docker commit "$BUILDER" "$TAG" >/dev/null
docker rm "$BUILDER" >/dev/null
docker rmi "$BASE" >/dev/null
"#;

/// The image tag for the current recipe.
pub fn tag() -> String {
    let hash = hex::encode(Sha256::digest(RECIPE.as_bytes()));
    format!("envc-test/apptainer:{}", &hash[..16])
}

static BUILT: Mutex<Option<Result<String, String>>> = Mutex::new(None);

/// The tag of a ready Apptainer image, building it on first use. `Err` says why there
/// is none (no Docker engine, no debootstrap, the build failed).
pub fn image() -> Result<String, String> {
    super::once::memo(&BUILT, ensure_image)
}

fn ensure_image() -> Result<String, String> {
    let tag = tag();
    let docker_ok = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !docker_ok {
        return Err("a Docker engine".into());
    }
    let present = Command::new("docker")
        .args(["image", "inspect", &tag])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(tag);
    }
    if !super::have_command("debootstrap") {
        return Err("debootstrap (to build the Apptainer test image)".into());
    }
    eprintln!("building {tag} (debootstrap trixie + apptainer from sid; a few minutes, once)");
    let suffix = format!("{}", std::process::id());
    let output = Command::new("bash")
        .arg("-c")
        .arg(RECIPE)
        .env("TAG", &tag)
        .env("BASE", format!("envc-test/apptainer-base:{suffix}"))
        .env("BUILDER", format!("envc-test-apptainer-build-{suffix}"))
        .output()
        .map_err(|e| format!("bash to build the Apptainer image ({e})"))?;
    if !output.status.success() {
        return Err(format!(
            "an Apptainer test image (its build failed: {})",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(tag)
}

/// Run `script` with `sh -c` as the unprivileged user `tester` (uid 1000) in a container
/// of `image`, with `dir` mounted at `/work` (writable: make it so for uid 1000 when the
/// script writes there).
pub fn run_as_user(image: &str, dir: &Path, script: &str) -> Output {
    run_as_user_at(image, dir, Path::new("/work"), script)
}

/// [`run_as_user`] with `dir` mounted at `target`.
pub fn run_as_user_at(image: &str, dir: &Path, target: &Path, script: &str) -> Output {
    run_as_user_with(image, &[(dir, target)], false, script)
}

/// [`run_as_user`] with several `(host, container)` mounts, and the host's network when
/// `host_network` (to reach a registry on the host's loopback). No Docker socket is mounted.
pub fn run_as_user_with(
    image: &str,
    mounts: &[(&Path, &Path)],
    host_network: bool,
    script: &str,
) -> Output {
    let inner = format!(
        "chmod 666 /dev/fuse && exec su tester -s /bin/sh -c {}",
        shell_quote(script)
    );
    let mut command = Command::new("docker");
    command
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
        .args(["--device", "/dev/fuse"]);
    if host_network {
        command.args(["--network", "host"]);
    }
    for (host, target) in mounts {
        command
            .arg("-v")
            .arg(format!("{}:{}", host.display(), target.display()));
    }
    command
        .arg(image)
        .args(["sh", "-c", &inner])
        .output()
        .expect("run docker")
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Stands in for an installed `apptainer` on the host (for `ENVC_APPTAINER`): the real one,
/// run in a container of the test image with `$PWD` and the folder of every absolute-path
/// argument mounted at the same path, and the engine's socket (for `Bootstrap:
/// docker-daemon`).
///
/// It runs as root with `APPTAINER_USERNS=1` (`%post` in a user namespace that maps root),
/// which is what works here for builds that keep the base image's file owners: Apptainer
/// as root asks for capabilities these machines cannot grant, and an unprivileged build
/// (fakeroot with subuid ranges, which also works here) unpacks the base "rootless", so
/// every file of the base image becomes root's (`/etc/shadow` loses its `shadow` group).
const WRAPPER: &str = r#"#!/bin/sh
set -eu
mounts="-v /var/run/docker.sock:/var/run/docker.sock -v $PWD:$PWD"
for arg in "$@"; do
  case "$arg" in
    /*) dir=$(dirname "$arg"); if [ -d "$dir" ]; then mounts="$mounts -v $dir:$dir"; fi ;;
  esac
done
# shellcheck disable=SC2086
exec docker run --rm -i --cap-add ALL --cap-drop SYS_RESOURCE \
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  --security-opt systempaths=unconfined --device /dev/fuse $mounts -w "$PWD" \
  -e APPTAINER_USERNS=1 @IMAGE@ sh -c 'chmod 666 /dev/fuse && exec apptainer "$@"' apptainer "$@"
"#;

/// Write the [`WRAPPER`] for `image` as `dir/apptainer` and return its path.
pub fn wrapper(image: &str, dir: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("apptainer");
    std::fs::write(&path, WRAPPER.replace("@IMAGE@", image)).expect("write the wrapper");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .expect("make the wrapper executable");
    path
}
