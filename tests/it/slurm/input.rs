//! Bad input to `envc submit` without a cluster: exit 2 with the reason, nothing submitted.

use crate::support::envc;

fn project(cache: serde_json::Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = serde_json::json!({
        "name": "hostile",
        "base": { "image": "debian:bookworm" },
        "targets": { "apptainer": { "enable": true } },
        "cache": cache,
    });
    std::fs::write(dir.path().join("envc.json"), config.to_string()).unwrap();
    dir
}

#[test]
fn a_sif_dir_with_a_line_break_is_an_input_error_with_its_place() {
    let dir = project(serde_json::json!({ "sif_dir": "/scratch/a\n#SBATCH --uid=0" }));
    let run = envc()
        .args(["submit", "--print", "--", "true"])
        .current_dir(dir.path())
        .run();
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("envc.json:1:"), "{}", run.stderr());
    assert!(run.stderr().contains("sif_dir"), "{}", run.stderr());
}

#[test]
fn an_sbatch_option_with_a_line_break_is_refused_before_any_lookup() {
    let dir = project(serde_json::json!({ "sif_dir": "/scratch/sifs" }));
    let run = envc()
        .args([
            "submit",
            "--print",
            "--comment=a\n#SBATCH --uid=0",
            "--",
            "true",
        ])
        .current_dir(dir.path())
        .run();
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("#SBATCH line"), "{}", run.stderr());
    assert!(run.stdout().is_empty());
}

#[test]
fn options_without_the_separator_or_no_command_are_input_errors() {
    let dir = project(serde_json::json!({}));
    let run = envc()
        .args(["submit", "--array=0-3", "true"])
        .current_dir(dir.path())
        .run();
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(
        run.stderr().contains("no `--` before the command"),
        "{}",
        run.stderr()
    );
    let run = envc().args(["submit", "--"]).current_dir(dir.path()).run();
    assert_eq!(run.code(), 2, "{}", run.stderr());
}

#[test]
fn no_sif_anywhere_says_how_to_make_one() {
    let dir = project(serde_json::json!({ "sif_dir": "/nonexistent/sifs" }));
    let cache = tempfile::tempdir().unwrap();
    let run = envc()
        .args(["submit", "--print", "--", "true"])
        .current_dir(dir.path())
        .env("XDG_CACHE_HOME", cache.path())
        .run();
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(
        run.stderr().contains("envc push --target apptainer"),
        "{}",
        run.stderr()
    );
}
