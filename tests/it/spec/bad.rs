//! The bad-config corpus: every `tests/spec/bad/*.{nix,json}` must fail `envc check` with
//! exit code 2 and the snapshotted message — the location, the snippet and the help.

use std::path::PathBuf;

use crate::support;

fn corpus() -> Vec<PathBuf> {
    let dir = support::repo_root().join("tests/spec/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/spec/bad exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("nix") | Some("json")
                )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_corpus_is_large_and_covers_both_formats() {
    let files = corpus();
    let count = |ext: &str| {
        files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .count()
    };
    assert!(files.len() >= 40, "only {} bad configs", files.len());
    assert!(
        count("nix") >= 20 && count("json") >= 20,
        "{} nix, {} json",
        count("nix"),
        count("json")
    );
}

#[test]
fn every_bad_config_fails_with_its_snapshotted_error() {
    let dir = support::repo_root().join("tests/spec/bad");
    let root_text = support::repo_root().display().to_string();
    for file in corpus() {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let run = support::envc()
            .current_dir(&dir)
            .args(["check", "-f", &name])
            .run();
        let stderr = run.stderr();
        assert_eq!(run.code(), 2, "{name}: exit code\n{stderr}");
        assert!(!stderr.contains("panicked"), "{name} panicked:\n{stderr}");
        assert!(run.stdout().is_empty(), "{name}: nothing on stdout");
        // Every error names the file and a line:column in it, or (for imports) the file
        // that went wrong.
        assert!(
            stderr.contains(".nix:") || stderr.contains(".json:"),
            "{name}: no location\n{stderr}"
        );
        let stderr = stderr.replace(&root_text, "[REPO]");
        insta::with_settings!({
            snapshot_path => support::repo_root().join("tests/spec/bad/snapshots"),
            prepend_module_to_snapshot => false,
            description => format!("envc check -f {name}"),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name.replace('.', "_"), stderr);
        });
    }
}
