//! The batch script of `envc submit`: POSIX sh, every value from the config or the command
//! line written as one word by the shell escaper.
//!
//! Array tasks share one pull: the first task that finds no SIF takes a `flock` on a lock
//! file next to it and pulls; the others wait on the lock and find the file. Every task
//! then hashes the SIF and refuses to run one whose digest is not the key's recorded one.

use std::path::Path;

use crate::escape::{Unrepresentable, sbatch, shell};

/// Exit status of a job whose SIF is not the recorded one (EX_DATAERR).
pub const DIGEST_MISMATCH: u8 = 65;

/// What a job script is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobScript<'a> {
    /// The environment's key (hex).
    pub key: &'a str,
    /// The SIF's `sha256:` digest recorded for the key.
    pub digest: &'a str,
    /// The shared folder holding `<key>.sif`.
    pub sif_dir: &'a Path,
    /// The project folder (where `envc pull` runs).
    pub project: &'a Path,
    /// The `envc` binary the job calls to pull.
    pub envc: &'a Path,
    /// Arguments after `envc pull --target apptainer` (config file, variant, registry).
    pub pull_args: &'a [String],
    /// `apptainer exec` and its options, up to the SIF (program name first).
    pub apptainer: &'a [String],
    /// The command run in the environment.
    pub command: &'a [String],
    /// sbatch options, written as `#SBATCH` lines.
    pub sbatch: &'a [String],
}

impl JobScript<'_> {
    /// The script text.
    pub fn render(&self) -> Result<String, Unrepresentable> {
        let q = |s: &str| shell::quote(s);
        let qp = |p: &Path| shell::quote(&p.display().to_string());
        let mut out = String::from("#!/bin/sh\n");
        for option in self.sbatch {
            out.push_str(&format!("#SBATCH {}\n", sbatch::directive_word(option)?));
        }
        out.push_str("# Written by `envc submit`: runs the environment's SIF with Apptainer.\n");
        out.push_str("set -eu\n");
        out.push_str(&format!("envc_key={}\n", q(self.key)));
        out.push_str(&format!("envc_digest={}\n", q(self.digest)));
        out.push_str(&format!("envc_sif_dir={}\n", qp(self.sif_dir)));
        out.push_str("envc_sif=\"$envc_sif_dir/$envc_key.sif\"\n");
        out.push_str(
            "printf 'envc: env key %s, SIF %s, job %s\\n' \"$envc_key\" \"$envc_digest\" \
             \"${SLURM_JOB_ID:-none}${SLURM_ARRAY_TASK_ID:+ task $SLURM_ARRAY_TASK_ID}\"\n",
        );
        let mut pull = vec![
            self.envc.display().to_string(),
            "pull".into(),
            "--target".into(),
            "apptainer".into(),
        ];
        pull.extend(self.pull_args.iter().cloned());
        out.push_str(&format!(
            r#"if [ ! -f "$envc_sif" ]; then
  mkdir -p "$envc_sif_dir"
  (
    flock 9
    if [ ! -f "$envc_sif" ]; then
      echo "envc: pulling the SIF of $envc_key into $envc_sif_dir" >&2
      cd {project}
      ENVC_SIF_DIR="$envc_sif_dir" {pull} >&2
    fi
  ) 9>"$envc_sif_dir/.$envc_key.lock"
fi
envc_actual="sha256:$(sha256sum "$envc_sif" | cut -d ' ' -f 1)"
if [ "$envc_actual" != "$envc_digest" ]; then
  echo "envc: refusing to run: $envc_sif has digest $envc_actual, but env key $envc_key was recorded with $envc_digest (a changed or damaged SIF; remove it and the job pulls it again)" >&2
  exit {mismatch}
fi
"#,
            project = qp(self.project),
            pull = shell::join(&pull),
            mismatch = DIGEST_MISMATCH,
        ));
        out.push_str("exec ");
        out.push_str(&shell::join(self.apptainer));
        out.push_str(" \"$envc_sif\"");
        for word in self.command {
            out.push(' ');
            out.push_str(&q(word));
        }
        out.push('\n');
        Ok(out)
    }
}

/// True when sbatch/srun options ask for GPUs (`--gres=gpu…`, `--gpus…`, `-G`), so the
/// job runs with `--nv`.
pub fn wants_gpu(options: &[String]) -> bool {
    let mut previous = "";
    for option in options {
        let option = option.as_str();
        let gres = |v: &str| v.split(',').any(|g| g == "gpu" || g.starts_with("gpu:"));
        let asks = match option.split_once('=') {
            Some(("--gres", value)) => gres(value),
            Some((name, _)) => name.starts_with("--gpus") || name == "--gpus-per-task",
            None => {
                option.starts_with("--gpus")
                    || option == "-G"
                    || (option.starts_with("-G") && option.len() > 2)
                    || (previous == "--gres" && gres(option))
            }
        };
        if asks {
            return true;
        }
        previous = option;
    }
    false
}

#[cfg(test)]
mod tests;
