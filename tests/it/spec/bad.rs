//! The bad-config corpus: every `tests/spec/bad/*.{nix,json}` must fail `envc check` with
//! exit code 2 and the snapshotted message — the location, the snippet and the help — and
//! hold the fragment `tests/spec/bad/EXPECT` names for it (what the error is about).

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
    assert!(files.len() >= 100, "only {} bad configs", files.len());
    assert!(
        count("nix") >= 50 && count("json") >= 50,
        "{} nix, {} json",
        count("nix"),
        count("json")
    );
}

/// `NAME.ext<TAB>fragment` lines: what each case's message must contain.
fn expectations() -> std::collections::BTreeMap<String, String> {
    let path = support::repo_root().join("tests/spec/bad/EXPECT");
    let text = std::fs::read_to_string(&path).expect("tests/spec/bad/EXPECT exists");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, fragment) = l.split_once('\t').unwrap_or((l, ""));
            (name.to_owned(), fragment.to_owned())
        })
        .collect()
}

#[test]
fn every_bad_config_fails_with_its_snapshotted_error() {
    let dir = support::repo_root().join("tests/spec/bad");
    let root_text = support::repo_root().display().to_string();
    let expect = expectations();
    let location = regex::Regex::new(r"\.(nix|json):\d+:\d+").unwrap();
    for file in corpus() {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let run = support::envc()
            .current_dir(&dir)
            .args(["check", "-f", &name])
            .run();
        let stderr = run.stderr();
        assert_eq!(run.code(), 2, "{name}: exit code\n{stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("stack backtrace"),
            "{name} panicked:\n{stderr}"
        );
        assert!(run.stdout().is_empty(), "{name}: nothing on stdout");
        // Every error names the file and a line:column in it, and says how to fix it.
        assert!(
            location.is_match(&stderr),
            "{name}: no file:line:col\n{stderr}"
        );
        assert!(stderr.contains("help:"), "{name}: no help\n{stderr}");
        let fragment = expect
            .get(&name)
            .unwrap_or_else(|| panic!("{name}: no line in tests/spec/bad/EXPECT"));
        assert!(
            stderr.contains(fragment.as_str()),
            "{name}: expected `{fragment}` in\n{stderr}"
        );
        // A hostile value is shown escaped: no raw ESC, BEL or C1 control reaches the terminal.
        assert!(
            !stderr.chars().any(|c| c.is_control() && c != '\n'),
            "{name}: a raw control character in the message\n{stderr:?}"
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
