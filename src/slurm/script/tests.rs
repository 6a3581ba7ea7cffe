use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::*;

const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Fixture {
    dir: tempfile::TempDir,
    digest: String,
}

fn fixture(content: &[u8]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sif dir")).unwrap();
    std::fs::write(dir.path().join(format!("sif dir/{KEY}.sif")), content).unwrap();
    let digest = format!("sha256:{}", hex::encode(Sha256::digest(content)));
    Fixture { dir, digest }
}

fn script<'a>(
    f: &'a Fixture,
    sif_dir: &'a Path,
    apptainer: &'a [String],
    command: &'a [String],
    sbatch: &'a [String],
) -> JobScript<'a> {
    JobScript {
        key: KEY,
        digest: &f.digest,
        sif_dir,
        project: f.dir.path(),
        envc: Path::new("/opt/envc $(touch pwned)/envc"),
        pull_args: &[],
        apptainer,
        command,
        sbatch,
    }
}

fn words(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn run_sh(text: &str, dir: &Path) -> std::process::Output {
    let path = dir.join("job.sh");
    std::fs::write(&path, text).unwrap();
    Command::new("sh")
        .arg(&path)
        .current_dir(dir)
        .env_remove("SLURM_JOB_ID")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .unwrap()
}

#[test]
fn hostile_command_binds_and_env_reach_the_program_as_they_are() {
    let f = fixture(b"not really a sif");
    let sif_dir: PathBuf = f.dir.path().join("sif dir");
    // `printf` stands in for apptainer: it prints each word it gets on its own line.
    let hostile = [
        "it's",
        "$(touch pwned)",
        "`touch pwned`",
        "a\nb",
        "\"$HOME\"",
        "; touch pwned",
    ];
    let apptainer = words(&[
        "printf",
        "<%s>\\n",
        "--bind",
        "/data/it's $(x):/d",
        "--env",
        "MSG=a\n$(touch pwned)'\"",
    ]);
    let command = words(&hostile);
    let text = script(&f, &sif_dir, &apptainer, &command, &[])
        .render()
        .unwrap();
    let out = run_sh(&text, f.dir.path());
    assert!(out.status.success(), "{text}\n{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut expected = format!("envc: env key {KEY}, SIF {}, job none\n", f.digest);
    for word in [
        "--bind",
        "/data/it's $(x):/d",
        "--env",
        "MSG=a\n$(touch pwned)'\"",
    ] {
        expected.push_str(&format!("<{word}>\n"));
    }
    expected.push_str(&format!(
        "<{}>\n",
        sif_dir.join(format!("{KEY}.sif")).display()
    ));
    for word in hostile {
        expected.push_str(&format!("<{word}>\n"));
    }
    assert_eq!(stdout, expected);
    assert!(!f.dir.path().join("pwned").exists());
}

#[test]
fn a_sif_with_another_digest_fails_the_job_with_the_reason() {
    let mut f = fixture(b"the recorded sif");
    f.digest = format!("sha256:{}", hex::encode(Sha256::digest(b"another sif")));
    let sif_dir = f.dir.path().join("sif dir");
    let apptainer = words(&["echo", "ran"]);
    let text = script(&f, &sif_dir, &apptainer, &[], &[]).render().unwrap();
    let out = run_sh(&text, f.dir.path());
    assert_eq!(out.status.code(), Some(i32::from(DIGEST_MISMATCH)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("refusing to run: {}", sif_dir.join(KEY).display()))
            && stderr.contains(&format!("was recorded with {}", f.digest)),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("ran"));
}

#[test]
fn a_missing_sif_is_pulled_under_the_lock_with_quoted_arguments() {
    let f = fixture(b"x");
    let sif_dir = f.dir.path().join("empty $(touch pwned) dir");
    let pull_args = words(&["--variant", "it's"]);
    let apptainer = words(&["apptainer", "exec"]);
    let text = JobScript {
        pull_args: &pull_args,
        ..script(&f, &sif_dir, &apptainer, &[], &[])
    }
    .render()
    .unwrap();
    assert!(text.contains("flock 9"), "{text}");
    assert!(text.contains(
        r#"ENVC_SIF_DIR="$envc_sif_dir" '/opt/envc $(touch pwned)/envc' pull --target apptainer --variant 'it'\''s' >&2"#
    ), "{text}");
    // The pull fails here (no such envc): the job fails before apptainer.
    let out = run_sh(&text, f.dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("envc: pulling the SIF of"));
    assert!(!f.dir.path().join("pwned").exists());
    assert!(sif_dir.is_dir());
}

#[test]
fn sbatch_options_become_quoted_sbatch_lines_and_line_breaks_are_refused() {
    let f = fixture(b"x");
    let sif_dir = f.dir.path().to_path_buf();
    let apptainer = words(&["apptainer", "exec"]);
    let sbatch = words(&["--array=0-3", "--time=00:10:00", "--job-name=it's mine"]);
    let text = script(&f, &sif_dir, &apptainer, &[], &sbatch)
        .render()
        .unwrap();
    assert!(text.starts_with(
        "#!/bin/sh\n#SBATCH --array=0-3\n#SBATCH --time=00:10:00\n#SBATCH \"--job-name=it's mine\"\n"
    ), "{text}");
    let bad = words(&["--comment=a\n#SBATCH --uid=0"]);
    let err = script(&f, &sif_dir, &apptainer, &[], &bad)
        .render()
        .unwrap_err();
    assert!(err.to_string().contains("line break"), "{err}");
}

#[test]
fn gpu_requests_are_recognized() {
    for yes in [
        &["--gres=gpu:2"][..],
        &["--gres", "gpu"],
        &["--gres=tmpdisk:1,gpu:a100:1"],
        &["--gpus=1"],
        &["--gpus-per-node", "2"],
        &["-G", "1"],
        &["-G2"],
    ] {
        assert!(wants_gpu(&words(yes)), "{yes:?}");
    }
    for no in [
        &["--gres=tmpdisk:1"][..],
        &["--time=1"],
        &["--partition", "gpu"],
        &[],
    ] {
        assert!(!wants_gpu(&words(no)), "{no:?}");
    }
}
