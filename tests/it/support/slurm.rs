//! A one-node Slurm cluster for tests: Debian's `slurm-wlm` and `munge` added to the
//! Apptainer test image (TESTING.md, "A one-node Slurm cluster"), built once and reused by
//! tag while both recipes are unchanged. Each [`run`] starts its own controller and node
//! daemon (on free ports: the container shares the host's network to reach the loopback
//! registry) as root, then runs the test's script as the unprivileged `tester`. No Docker
//! socket is mounted: nothing inside can reach an engine.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// Adds Slurm and munge to the Apptainer image `$FROM`, committed as `$TAG`.
const RECIPE: &str = r#"set -eu
trap 'docker rm -f "$BUILDER" >/dev/null 2>&1 || true' EXIT
docker run --name "$BUILDER" "$FROM" sh -ec '
  chmod 755 /
  apt-get -qq -o Acquire::Check-Valid-Until=false update
  DEBIAN_FRONTEND=noninteractive apt-get -qq -o Acquire::Check-Valid-Until=false \
    install -y --no-install-recommends slurm-wlm munge util-linux >/dev/null
  test -s /etc/munge/munge.key || mungekey --create --keyfile /etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  apt-get clean
' >&2
docker commit "$BUILDER" "$TAG" >/dev/null
"#;

/// Runs as root in the container: write slurm.conf, start munged, slurmctld and slurmd,
/// wait for the node to be idle, then run `$SCRIPT` as `tester`.
const START: &str = r#"set -eu
chmod 666 /dev/fuse
host=$(hostname)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
chown munge:munge /run/munge
cat > /etc/slurm/slurm.conf <<EOF
ClusterName=envc
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
MinJobAge=3600
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=4 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
echo CgroupPlugin=disabled > /etc/slurm/cgroup.conf
runuser -u munge -- munged
slurmctld
slurmd
i=0
until sinfo -h -o %T 2>/dev/null | grep -q idle; do
  i=$((i + 1))
  if [ $i -gt 120 ]; then
    echo "the Slurm node did not become idle" >&2
    sinfo >&2 || true; tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
    exit 97
  fi
  sleep 0.5
done
exec runuser -u tester -- sh -c "$SCRIPT"
"#;

/// The image tag for the current recipes (the Apptainer image's tag included).
pub fn tag() -> String {
    let mut hasher = Sha256::new();
    hasher.update(super::apptainer::tag().as_bytes());
    hasher.update(RECIPE.as_bytes());
    format!("envc-test/slurm:{}", &hex::encode(hasher.finalize())[..16])
}

static BUILT: Mutex<Option<Result<String, String>>> = Mutex::new(None);

/// The tag of a ready Slurm+Apptainer image, building it on first use; `Err` says what is
/// missing.
pub fn image() -> Result<String, String> {
    super::once::memo(&BUILT, ensure_image)
}

fn ensure_image() -> Result<String, String> {
    let from = super::apptainer::image()?;
    let tag = tag();
    let present = Command::new("docker")
        .args(["image", "inspect", &tag])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(tag);
    }
    eprintln!("building {tag} (slurm-wlm and munge on the Apptainer image; once)");
    let output = Command::new("bash")
        .arg("-c")
        .arg(RECIPE)
        .env("TAG", &tag)
        .env("FROM", &from)
        .env(
            "BUILDER",
            format!("envc-test-slurm-build-{}", std::process::id()),
        )
        .output()
        .map_err(|e| format!("bash to build the Slurm image ({e})"))?;
    if !output.status.success() {
        return Err(format!(
            "a Slurm test image (its build failed: {})",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(tag)
}

/// Start a one-node cluster in a container of `image` with `mounts`, on the host's network,
/// and run `script` with `sh -c` as `tester` (uid 1000) once the node is idle.
pub fn run(image: &str, mounts: &[(&Path, &Path)], script: &str) -> Output {
    let ctld = free_port();
    let slurmd = free_port();
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
        .args(["--device", "/dev/fuse", "--network", "host"])
        .args(["-e", &format!("CTLD_PORT={ctld}")])
        .args(["-e", &format!("SLURMD_PORT={slurmd}")])
        .args(["-e", &format!("SCRIPT={script}")]);
    for (host, target) in mounts {
        command
            .arg("-v")
            .arg(format!("{}:{}", host.display(), target.display()));
    }
    command
        .arg(image)
        .args(["sh", "-c", START])
        .output()
        .expect("run docker")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
