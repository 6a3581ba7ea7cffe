//! `envc submit` on a real one-node Slurm cluster with Apptainer (support/slurm.rs), the
//! SIF served by the loopback registry: a plain job, an array whose tasks share one pull, a
//! SIF changed after submission, and `envc run --slurm`. The container has no Docker socket
//! and `DOCKER_HOST` points nowhere, so no engine is on the path.

mod input;
mod jobs;

use std::path::Path;
use std::process::{Command, Output};

use crate::registry::interop::{sif_path, sif_project};
use crate::registry::{Project, base, prefix};
use crate::support::{registry, require, slurm};

/// A project whose SIF is built and pushed to the shared registry, made readable and
/// writable for the container's user, with `cache.sif_dir` set to `/work/sifs`.
struct Cluster {
    image: String,
    project: Project,
    key: String,
    cache: String,
    work: tempfile::TempDir,
}

impl Cluster {
    /// `None` after a loud skip (no engine, no registry, no Slurm image).
    fn new() -> Option<Cluster> {
        let base = base()?;
        let image = match slurm::image() {
            Ok(image) => image,
            Err(what) => {
                require(&what, false);
                return None;
            }
        };
        let cache = prefix(registry::shared());
        let (project, key) = sif_project(&base, &cache);
        let config_path = project.path().join("envc.json");
        let mut config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&config_path).unwrap()).unwrap();
        config["cache"] = serde_json::json!({ "sif_dir": "/work/sifs" });
        // A hostile run-time env value (not part of the key): it must arrive as it is.
        config["run"] = serde_json::json!({ "env": { "HOSTILE": HOSTILE } });
        project.config(&config);
        let work = tempfile::tempdir().unwrap();
        std::fs::create_dir(work.path().join("sifs")).unwrap();
        Some(Cluster {
            image,
            project,
            key,
            cache,
            work,
        })
    }

    /// The SIF envc built, as a file.
    fn built_sif(&self) -> std::path::PathBuf {
        sif_path(&self.project, &self.key)
    }

    /// Put the built SIF into the shared folder.
    fn share_sif(&self) {
        std::fs::copy(
            self.built_sif(),
            self.work.path().join(format!("sifs/{}.sif", self.key)),
        )
        .unwrap();
    }

    /// Run `script` as `tester` in `/proj` on the cluster, with no engine reachable.
    fn run(&self, script: &str) -> Output {
        for dir in [self.project.path(), self.work.path()] {
            let status = Command::new("chmod")
                .args(["-R", "a+rwX"])
                .arg(dir)
                .status()
                .unwrap();
            assert!(status.success());
        }
        let script = format!(
            "set -eu
export DOCKER_HOST=unix:///nonexistent XDG_CACHE_HOME=/work/cache HOME=/work
export ENVC_CACHE_REGISTRY={cache}
! test -e /var/run/docker.sock
cd /proj
{WAIT}
{script}",
            cache = self.cache,
        );
        let binary = Path::new(env!("CARGO_BIN_EXE_envc"));
        slurm::run(
            &self.image,
            &[
                (self.project.path(), Path::new("/proj")),
                (self.work.path(), Path::new("/work")),
                (binary, Path::new("/usr/local/bin/envc")),
            ],
            &script,
        )
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.work.path().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn digest(&self) -> String {
        use sha2::Digest;
        format!(
            "sha256:{}",
            hex::encode(sha2::Sha256::digest(
                std::fs::read(self.built_sif()).unwrap()
            ))
        )
    }
}

/// The value of `HOSTILE` in every job's environment.
const HOSTILE: &str =
    "it's $(touch /work/pwned) `touch /work/pwned` $HOME \\\" \"; exit 9\nline two";

/// `wait_job ID`: until Slurm has finished job ID (every task of an array), then its
/// `scontrol` record, one line per task.
const WAIT: &str = r#"wait_job() {
  i=0
  while [ -n "$(squeue -h -j "$1" -o %i)" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || { echo "job $1 did not finish" >&2; return 1; }
    sleep 0.5
  done
  scontrol -o show job "$1"
}"#;

/// The `Key=value` fields of `scontrol -o show job` lines: (JobState, ExitCode) per task.
fn states(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| l.starts_with("JobId="))
        .map(|line| {
            let field = |name: &str| {
                line.split_whitespace()
                    .find_map(|w| w.strip_prefix(&format!("{name}=")))
                    .unwrap_or("")
                    .to_owned()
            };
            (field("JobState"), field("ExitCode"))
        })
        .collect()
}

fn show(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
