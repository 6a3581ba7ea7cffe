//! Hostile project files: injection attempts into the generated envc.nix, control
//! characters, binary garbage, huge files, deep nesting, links out of the project. `envc
//! init` never crashes, never writes what it cannot carry exactly, and the file it writes
//! evaluates — in real Nix too — to exactly the detected values.

use std::path::Path;

use serde_json::Value;

use super::{init, show};
use crate::support;

/// `nix-instantiate --eval --strict --json` and `envc eval` of `file` give the same JSON.
fn eval_both(file: &Path) -> Value {
    let ours: Value =
        serde_json::from_str(&support::envc().arg("eval").arg(file).run().ok()).unwrap();
    if support::require(
        "nix-instantiate (Debian nix-bin; scripts/setup)",
        support::have_nix(),
    ) {
        let out = support::nix_instantiate()
            .args(["--eval", "--strict", "--json"])
            .arg(file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "nix: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let nix: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(nix, ours, "Nix and envc read the generated file alike");
    }
    ours
}

#[test]
fn init_injection_attempts_stay_inside_their_strings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Each value tries to end its string and add an attribute, or to interpolate.
    std::fs::write(
        d.join("Dockerfile"),
        concat!(
            "FROM debian:bookworm\n",
            "ENV A=\"x\\\"; run.post_start = [ \\\"rm -rf /\\\" ]; y=\\\"\"\n",
            "ENV B='${builtins.readFile \"/etc/passwd\"}' C='$${x} \\\\ \\n' D=' # not a comment'\n",
            "LABEL \"if\"=keyword \"a.b\"=dotted \"x\\\";y\"=quote-key\n",
            "WORKDIR /srv/${NOPE:-app}\n",
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("requirements.txt"),
        "pkg==1; extra == \"a\\\"; injected = true; #\"\n",
    )
    .unwrap();
    let report = init(d, &[]);
    let text = std::fs::read_to_string(d.join("envc.nix")).unwrap();
    let value = eval_both(&d.join("envc.nix"));
    let env = &value["build"]["env"];
    assert_eq!(
        env["A"], "x\"; run.post_start = [ \"rm -rf /\" ]; y=\"",
        "{text}"
    );
    assert_eq!(env["B"], "${builtins.readFile \"/etc/passwd\"}");
    assert_eq!(env["C"], "$${x} \\\\ \\n");
    assert_eq!(env["D"], " # not a comment");
    let labels = &value["build"]["labels"];
    assert_eq!(labels["if"], "keyword");
    assert_eq!(labels["a.b"], "dotted");
    // A label key with a quote is no label key (`envc check` refuses it): reported, not
    // written.
    assert!(labels.get("x\";y").is_none(), "{text}");
    assert!(report.contains("label name"), "{report}");
    assert_eq!(value["build"]["workdir"], "/srv/app");
    // After pip's own rule (` #` starts a comment) the requirement still holds a backslash,
    // which no PEP 508 requirement has (`envc check` refuses it): reported, not written.
    assert!(value["build"].get("pip").is_none(), "{text}");
    assert!(report.contains("pip requirement"), "{report}");
    // Nothing but what was detected: no `run.post_start`, no `injected`.
    assert!(value.get("injected").is_none());
    assert!(value["run"].get("post_start").is_none(), "{value}");
    support::envc().current_dir(d).arg("check").run().ok();
    assert!(report.contains("wrote"), "{report}");
}

#[test]
fn init_values_with_control_characters_are_reported_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join(".devcontainer")).unwrap();
    std::fs::write(
        d.join(".devcontainer/devcontainer.json"),
        r#"{
            "image": "debian:bookworm",
            "containerEnv": {
                "ESC": "\u001b[31mred",
                "NUL": "a\u0000b",
                "NEWLINE": "line1\nline2\ttab",
                "BRACES": "{user} stays literal ${localEnv:USER}"
            }
        }"#,
    )
    .unwrap();
    let report = init(d, &[]);
    assert!(
        report.contains("`ESC`: the value contains the control character U+001B"),
        "{report}"
    );
    assert!(
        report.contains("`NUL`: the value contains the control character U+0000"),
        "{report}"
    );
    let value = eval_both(&d.join("envc.nix"));
    let env = &value["run"]["env"];
    assert!(env.get("ESC").is_none() && env.get("NUL").is_none());
    assert_eq!(env["NEWLINE"], "line1\nline2\ttab");
    // A literal brace is escaped for the run-time placeholders; `{user}` is the host user.
    assert_eq!(env["BRACES"], "{{user}} stays literal {user}");
    let spec = show(d);
    assert_eq!(
        spec["run"]["env"]["BRACES"],
        "{{user}} stays literal {user}"
    );
}

#[test]
fn init_survives_garbage_huge_and_deep_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let garbage: Vec<u8> = (0..50_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(d.join("Dockerfile"), &garbage).unwrap();
    std::fs::write(d.join("package.json"), &garbage).unwrap();
    std::fs::write(d.join("Cargo.toml"), &garbage[..1000]).unwrap();
    std::fs::write(d.join("pyproject.toml"), b"[project\x00\xff").unwrap();
    std::fs::write(d.join("x.def"), &garbage).unwrap();
    std::fs::create_dir(d.join(".devcontainer")).unwrap();
    std::fs::write(
        d.join(".devcontainer/devcontainer.json"),
        "[".repeat(200_000),
    )
    .unwrap();
    // 9 MiB of requirements: over the 8 MiB limit.
    let huge = "numpy==1.26.4\n".repeat(9 * 1024 * 1024 / 14 + 1);
    std::fs::write(d.join("requirements.txt"), huge).unwrap();
    let report = init(d, &[]);
    for file in [
        "Dockerfile",
        "package.json",
        "Cargo.toml",
        "x.def",
        ".devcontainer/devcontainer.json",
        "requirements.txt",
    ] {
        assert!(
            report.contains(&format!("not mapped: {file}")),
            "{file}: {report}"
        );
    }
    assert!(report.contains("larger than 8 MiB"), "{report}");
    support::envc().current_dir(d).arg("check").run().ok();

    // A Dockerfile line longer than BuildKit's limit, and one just under it.
    let long = tempfile::tempdir().unwrap();
    let line = format!("FROM debian:bookworm\nENV X={}\n", "y".repeat(70_000));
    std::fs::write(long.path().join("Dockerfile"), line).unwrap();
    let report = init(long.path(), &[]);
    assert!(
        report.contains("dockerfile line greater than max allowed size"),
        "{report}"
    );
    let ok = tempfile::tempdir().unwrap();
    let line = format!("FROM debian:bookworm\nENV X={}\n", "y".repeat(60_000));
    std::fs::write(ok.path().join("Dockerfile"), line).unwrap();
    let report = init(ok.path(), &[]);
    assert!(
        report.contains("is longer than 64 KiB")
            || show(ok.path())["build"]["env"]["X"]
                .as_str()
                .is_some_and(|v| v.len() == 60_000),
        "{report}"
    );
}

#[test]
fn init_reads_no_file_outside_the_project() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "leaked==1.0\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        d.join("requirements.txt"),
    )
    .unwrap();
    std::fs::create_dir(d.join(".devcontainer")).unwrap();
    std::fs::write(
        d.join(".devcontainer/devcontainer.json"),
        r#"{ "build": { "dockerfile": "../../../../../../etc/passwd" } }"#,
    )
    .unwrap();
    let report = init(d, &[]);
    let text = std::fs::read_to_string(d.join("envc.nix")).unwrap();
    assert!(!text.contains("leaked"), "{text}");
    assert!(report.contains("leads outside the project"), "{report}");
    assert!(!text.contains("root:"), "{text}");
}
