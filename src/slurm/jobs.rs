//! Talking to Slurm: `sbatch` (the script on stdin), `srun`, and `squeue`/`sacct` for the
//! state of the project's jobs; and the job records in `.envc/events.jsonl`.
//!
//! The records are JSON lines appended with one write each (`O_APPEND`), so concurrent
//! submissions never interleave within a line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// A failed Slurm command or job record.
#[derive(Debug, thiserror::Error)]
pub enum SlurmError {
    #[error("cannot run `{program}` (is Slurm installed on this machine?)")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{program}` failed: {stderr}")]
    Failed { program: String, stderr: String },
    #[error("`sbatch --parsable` printed no job id: {stdout:?}")]
    NoJobId { stdout: String },
    #[error("cannot record the job in `{path}`")]
    Record {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One submitted job, as recorded in the events file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    /// Always `slurm_job`.
    pub event: String,
    pub job_id: String,
    pub key: String,
    pub sif_digest: String,
    pub variant: Option<String>,
    pub command: Vec<String>,
    pub submitted_unix: u64,
}

impl JobRecord {
    pub fn new(
        job_id: String,
        key: String,
        sif_digest: String,
        variant: Option<String>,
        command: Vec<String>,
    ) -> JobRecord {
        JobRecord {
            event: "slurm_job".into(),
            job_id,
            key,
            sif_digest,
            variant,
            command,
            submitted_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }
}

/// The events file of the project at `root`.
pub fn events_path(root: &Path) -> PathBuf {
    root.join(".envc/events.jsonl")
}

/// Append `record` to the events file at `path` (one write of one line).
pub fn append(path: &Path, record: &JobRecord) -> Result<(), SlurmError> {
    let fail = |source| SlurmError::Record {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut line = serde_json::to_string(record).map_err(|e| fail(std::io::Error::other(e)))?;
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(fail)?;
    file.write_all(line.as_bytes()).map_err(fail)
}

/// The job records in the events file at `path` (other events and bad lines skipped).
pub fn records(path: &Path) -> Vec<JobRecord> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| serde_json::from_str::<JobRecord>(line).ok())
        .filter(|r| r.event == "slurm_job")
        .collect()
}

/// Submit `script` with `sbatch --parsable OPTIONS` (the script on stdin); the job id.
pub fn sbatch(options: &[String], script: &str, dir: &Path) -> Result<String, SlurmError> {
    let mut args = vec!["--parsable".to_owned()];
    args.extend(options.iter().cloned());
    let stdout = capture("sbatch", &args, Some(script), dir)?;
    let id = stdout
        .lines()
        .next()
        .and_then(|l| l.split(';').next())
        .map(str::trim)
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    match id {
        Some(id) => Ok(id.to_owned()),
        None => Err(SlurmError::NoJobId { stdout }),
    }
}

/// A job's state from Slurm: `squeue` while the controller remembers the job, else `sacct`. `None` when
/// neither knows it (or neither is installed).
pub fn state(job_id: &str, dir: &Path) -> Option<String> {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    if let Ok(out) = capture(
        "squeue",
        &args(&[
            "--noheader",
            "--states=all",
            "--jobs",
            job_id,
            "--format=%T",
        ]),
        None,
        dir,
    ) {
        let states: Vec<&str> = out
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if !states.is_empty() {
            return Some(summarize(&states));
        }
    }
    let out = capture(
        "sacct",
        &args(&[
            "--noheader",
            "--parsable2",
            "-X",
            "--jobs",
            job_id,
            "--format=State,ExitCode",
        ]),
        None,
        dir,
    )
    .ok()?;
    let states: Vec<String> = out
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match l.split_once('|') {
            Some((state, code)) => format!("{state} (exit {code})"),
            None => l.to_owned(),
        })
        .collect();
    let states: Vec<&str> = states.iter().map(String::as_str).collect();
    (!states.is_empty()).then(|| summarize(&states))
}

/// One state for an array's tasks: the state when all agree, else each with its count.
fn summarize(states: &[&str]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for state in states {
        match counts.iter_mut().find(|(s, _)| s == state) {
            Some((_, n)) => *n += 1,
            None => counts.push((state, 1)),
        }
    }
    if let [(state, _)] = counts.as_slice() {
        return (*state).to_owned();
    }
    counts
        .iter()
        .map(|(s, n)| format!("{n}× {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Run `program args` in `dir` with `stdin`, its stdout on success.
fn capture(
    program: &str,
    args: &[String],
    stdin: Option<&str>,
    dir: &Path,
) -> Result<String, SlurmError> {
    let mut expression = duct::cmd(program, args)
        .dir(dir)
        .stdout_capture()
        .stderr_capture()
        .unchecked();
    if let Some(text) = stdin {
        expression = expression.stdin_bytes(text.as_bytes().to_vec());
    }
    let output = expression.run().map_err(|source| SlurmError::Spawn {
        program: program.to_owned(),
        source,
    })?;
    if !output.status.success() {
        return Err(SlurmError::Failed {
            program: program.to_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_other_events_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = events_path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{\"event\":\"plan\",\"key\":\"k\"}\nnot json\n").unwrap();
        let record = JobRecord::new(
            "42".into(),
            "k".into(),
            "sha256:d".into(),
            None,
            vec!["echo".into(), "a\nb".into()],
        );
        append(&path, &record).unwrap();
        assert_eq!(records(&path), vec![record]);
    }

    #[test]
    fn array_states_are_counted() {
        assert_eq!(summarize(&["RUNNING", "RUNNING"]), "RUNNING");
        assert_eq!(
            summarize(&["RUNNING", "PENDING", "RUNNING"]),
            "2× RUNNING, 1× PENDING"
        );
    }

    #[test]
    fn a_missing_sbatch_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = capture("envc-no-such-sbatch", &[], None, dir.path()).unwrap_err();
        assert!(err.to_string().contains("is Slurm installed"), "{err}");
    }
}
