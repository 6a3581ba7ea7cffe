//! The step contract (issue 14): envc's executor, the emitted Dockerfile and the emitted
//! `.def` run the same thing for every kind of step.
//!
//! Each side is read the way it is used: the executor's exec and mounts as it creates them
//! (`build::step_process`, `build::file_tar`, `build::commit_config`), the Dockerfile through
//! BuildKit's parser, the `.def` through spython and a real `sh`, and inline files by running
//! both files' commands in a real container.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

use envc::build::host::HostMaterial;
use envc::build::step_process::step_process;
use envc::engine::models::ImageConfig;
use envc::plan::contract::{self, CA_PATH, Runner, ShellStep};
use envc::plan::step::{FileContent, StepKind};
use envc::plan::{Plan, ProjectFiles};
use envc::spec::Spec;
use serde_json::{Value, json};

use crate::support::readers::{python, read_back, shell_words, unquote};
use crate::support::{busybox, docker as engine};

/// A plan with every kind of step (two runs: with a cache and workdir, and offline), its
/// spec, and its project folder.
pub fn rich() -> (tempfile::TempDir, Spec, Plan) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("app")).unwrap();
    std::fs::write(dir.path().join("app/main.c"), "int main;\n").unwrap();
    std::fs::write(dir.path().join("demo.conf"), "x=1\n").unwrap();
    let spec: Spec = serde_json::from_value(json!({
        "name": "contract",
        "description": "every kind of step",
        "base": { "image": "debian:bookworm" },
        "build_host": { "ca_certificates": true, "proxy": true },
        "build": {
            "apt": ["curl"],
            "pip": { "packages": ["six==1.16.0"], "index_url": "https://pypi.org/simple" },
            "files": {
                "/opt/app": { "source": "app" },
                "/etc/demo.conf": { "source": "demo.conf", "mode": "0600" },
                "/etc/motd": { "text": "hello 'you'\n100% \\ $HOME\n", "mode": "0640" },
                "/opt/tool": { "url": "https://example.org/tool", "sha256": "7903bf0ea0c929cc7f1e8a519857c962382cfc9d73a28ba54475182a8ae2182c" }
            },
            "steps": [
                { "name": "compile", "run": "make\necho done\n", "env": { "CC": "gcc -O2" }, "workdir": "/opt/app",
                  "caches": [{ "id": "ccache", "target": "/root/.ccache" }] },
                { "name": "offline", "run": "echo offline", "network": false }
            ],
            "env": { "LANG": "C.UTF-8", "P": "$PATH:/x" },
            "labels": { "org.example.team": "hpc" },
            "workdir": "/opt/app",
            "entrypoint": ["/bin/sh", "-c"],
            "cmd": ["echo hi"]
        },
        "targets": { "apptainer": { "enable": true } }
    }))
    .unwrap();
    let mut files = ProjectFiles::open(dir.path()).unwrap();
    let plan = envc::plan::plan(&spec, None, &mut files, None).unwrap();
    (dir, spec, plan)
}

/// The line after `# step INDEX:` in the `.def`'s `%post`.
fn post_line(def: &str, index: usize) -> String {
    let marker = format!("# step {index}: ");
    def.split("\n%post\n")
        .nth(1)
        .unwrap()
        .lines()
        .skip_while(|l| !l.trim_start().starts_with(&marker))
        .nth(1)
        .unwrap_or_else(|| panic!("no %post line for step {index}:\n{def}"))
        .trim_start()
        .to_owned()
}

/// The cache mounts of a `RUN` as (id, target, locked).
fn cache_flags(run: &Value) -> Vec<(String, String, bool)> {
    run["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str().unwrap().strip_prefix("--mount=type=cache,"))
        .map(|fields| {
            let fields: BTreeMap<&str, &str> = fields
                .split(',')
                .map(|f| f.split_once('=').unwrap())
                .collect();
            (
                fields["id"].to_owned(),
                fields["target"].to_owned(),
                fields.get("sharing") == Some(&"locked"),
            )
        })
        .collect()
}

fn has_flag(run: &Value, prefix: &str) -> bool {
    run["flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f.as_str().unwrap().starts_with(prefix))
}

/// The executor's and BuildKit's runs of one shell step agree exactly; the `.def` runs the
/// executor's rendering of the contract for what Apptainer can lend.
fn shell_step_agrees(
    run: &Value,
    def: &str,
    index: usize,
    docker: &ShellStep,
    apptainer: &ShellStep,
    host: &HostMaterial,
) {
    let process = step_process(docker, host, false);
    assert_eq!(run["cmd"], "RUN");
    assert_eq!(run["json"], true);
    assert_eq!(run["value"], json!(process.exec.cmd), "step {index}");
    let caches: Vec<(String, String, bool)> = process
        .caches
        .iter()
        .map(|c| (c.volume.clone(), c.target.clone(), c.exclusive))
        .collect();
    assert_eq!(cache_flags(run), caches, "step {index}");
    assert_eq!(has_flag(run, "--network=none"), !process.network);
    let ca_bind = process.binds.iter().any(|b| b.contains(CA_PATH));
    assert_eq!(has_flag(run, "--mount=type=secret,id=envc-ca,"), ca_bind);
    assert_eq!(ca_bind, docker.ca_bundle);
    // Proxy values reach the executor's step through its exec only.
    assert_eq!(
        process
            .exec
            .env
            .iter()
            .any(|e| e.starts_with("HTTPS_PROXY=")),
        process.network
    );
    let lent_nothing = step_process(apptainer, &HostMaterial::default(), false);
    assert_eq!(
        shell_words(&post_line(def, index)),
        lent_nothing.exec.cmd,
        "step {index}"
    );
}

#[test]
fn executor_dockerfile_and_def_agree_on_every_step() {
    let Some(python) = python() else { return };
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    let (dir, spec, plan) = rich();
    let host = HostMaterial {
        ca_bundle: Some("/etc/ssl/certs/ca-certificates.crt".into()),
        proxy: BTreeMap::from([("HTTPS_PROXY".into(), "http://proxy:3128".into())]),
        secrets: vec![],
    };
    let docker_runner = Runner::docker(&spec.build_host);
    let dockerfile = envc::emit::dockerfile::dockerfile(&spec, &plan)
        .unwrap()
        .dockerfile;
    let def = envc::emit::apptainer::definition(&spec, &plan).unwrap();
    let read = read_back(&python, Some(&dockerfile), Some(&def));
    let mut instructions = read["dockerfile"].as_array().unwrap().iter();
    let base = plan.steps[0].key;
    let mut seen = BTreeSet::new();
    for step in &plan.steps {
        let kind = match &step.kind {
            StepKind::Base(_) => {
                assert_eq!(instructions.next().unwrap()["cmd"], "FROM");
                "base"
            }
            StepKind::Apt(apt) => {
                let (docker, apptainer) = (
                    contract::apt(apt, &base, &docker_runner),
                    contract::apt(apt, &base, &Runner::APPTAINER),
                );
                let run = instructions.next().unwrap();
                shell_step_agrees(run, &def, step.index, &docker, &apptainer, &host);
                "apt"
            }
            StepKind::Pip(pip) => {
                let (docker, apptainer) = (
                    contract::pip(pip, &base, &docker_runner),
                    contract::pip(pip, &base, &Runner::APPTAINER),
                );
                let run = instructions.next().unwrap();
                shell_step_agrees(run, &def, step.index, &docker, &apptainer, &host);
                "pip"
            }
            StepKind::Run(r) => {
                let (docker, apptainer) = (
                    contract::run(r, &base, &docker_runner),
                    contract::run(r, &base, &Runner::APPTAINER),
                );
                let run = instructions.next().unwrap();
                shell_step_agrees(run, &def, step.index, &docker, &apptainer, &host);
                if r.network { "run" } else { "run offline" }
            }
            StepKind::File(file) => {
                let instruction = instructions.next().unwrap();
                // The executor's upload (a download needs the fetched file: not for this test).
                let entries = || {
                    tar_entries(
                        envc::build::file_tar::file_tar(file, dir.path(), None, 0, 0).unwrap(),
                    )
                };
                match &file.source {
                    FileContent::Text(text) => {
                        assert_eq!(instruction["cmd"], "RUN");
                        let docker = instruction["value"].as_array().unwrap().last().unwrap();
                        let def_command = post_line(&def, step.index);
                        let entries = entries();
                        let (mode, bytes) = &entries[file.target.trim_start_matches('/')];
                        assert_eq!(bytes, text.as_bytes());
                        for command in [docker.as_str().unwrap(), &def_command] {
                            let written = engine::cli(&[
                                "run",
                                "--rm",
                                &image,
                                "sh",
                                "-c",
                                &format!("{command} && stat -c %a {0} && cat {0}", file.target),
                            ]);
                            let (stat, content) = written.split_once('\n').unwrap();
                            assert_eq!(u32::from_str_radix(stat, 8).unwrap(), mode & 0o7777);
                            assert_eq!(content.as_bytes(), bytes.as_slice(), "{command}");
                        }
                        "file text"
                    }
                    FileContent::Project { path, .. } => {
                        let entries = entries();
                        assert_eq!(instruction["cmd"], "COPY");
                        let values: Vec<String> = instruction["value"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|v| v.as_str().unwrap().to_owned())
                            .collect();
                        assert_eq!(values, vec![path.clone(), file.target.clone()]);
                        assert!(has_flag(instruction, &format!("--chown={}", file.owner)));
                        if let Some(mode) = file.mode {
                            assert!(has_flag(instruction, &format!("--chmod={mode:04o}")));
                            let (tar_mode, _) = &entries[file.target.trim_start_matches('/')];
                            assert_eq!(tar_mode & 0o7777, mode);
                        }
                        assert!(
                            entries
                                .keys()
                                .all(|p| p.starts_with(file.target.trim_start_matches('/')))
                        );
                        let files = read["spython"]["files"].as_array().unwrap();
                        assert!(
                            files.contains(&json!(format!("\"{path}\" \"{}\"", file.target))),
                            "{files:?}"
                        );
                        assert!(
                            def.contains(&format!("    chown -R {} {}\n", file.owner, file.target))
                        );
                        "file project"
                    }
                    FileContent::Download { url, sha256 } => {
                        assert_eq!(instruction["cmd"], "ADD");
                        assert_eq!(instruction["value"], json!([url, file.target]));
                        let sha = sha256.unwrap();
                        assert!(has_flag(instruction, &format!("--checksum={sha}")));
                        let setup = def
                            .split("\n%setup\n")
                            .nth(1)
                            .unwrap()
                            .split("\n%")
                            .next()
                            .unwrap();
                        assert!(setup.contains(url) && setup.contains(&sha.hex()), "{setup}");
                        "file download"
                    }
                }
            }
            StepKind::Config(config) => {
                let executor = envc::build::commit_config::configured(
                    &ImageConfig::default(),
                    config,
                    HashMap::new(),
                );
                let rest: Vec<&Value> = instructions.by_ref().collect();
                let pairs = |cmd: &str| -> BTreeMap<String, String> {
                    rest.iter()
                        .filter(|c| c["cmd"] == cmd)
                        .flat_map(|c| {
                            let v: Vec<String> = c["value"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|v| unquote(v.as_str().unwrap()))
                                .collect();
                            v.chunks(2)
                                .map(|p| (p[0].clone(), p[1].clone()))
                                .collect::<Vec<_>>()
                        })
                        .collect()
                };
                let env: BTreeMap<String, String> = executor
                    .env
                    .unwrap()
                    .iter()
                    .map(|e| {
                        let (k, v) = e.split_once('=').unwrap();
                        (k.to_owned(), v.to_owned())
                    })
                    .collect();
                assert_eq!(pairs("ENV"), env);
                let labels = pairs("LABEL");
                for (k, v) in executor.labels.unwrap() {
                    assert_eq!(labels[&k], v);
                }
                let single = |cmd: &str| {
                    rest.iter()
                        .find(|c| c["cmd"] == cmd)
                        .map(|c| c["value"].clone())
                };
                assert_eq!(
                    single("WORKDIR"),
                    Some(json!([executor.working_dir.unwrap()]))
                );
                assert_eq!(
                    single("ENTRYPOINT"),
                    Some(json!(executor.entrypoint.unwrap()))
                );
                assert_eq!(single("CMD"), Some(json!(executor.cmd.unwrap())));
                // The `.def`: `%environment` as the shell sources it, `%labels` as spython
                // reads them, `%runscript` as the shell reads its words.
                let environment = def
                    .split("\n%environment\n")
                    .nth(1)
                    .unwrap()
                    .split("\n%")
                    .next()
                    .unwrap();
                for (name, value) in &env {
                    let out = std::process::Command::new("sh")
                        .args(["-c", &format!("{environment}\nprintf %s \"${name}\"")])
                        .output()
                        .unwrap();
                    assert_eq!(String::from_utf8(out.stdout).unwrap(), *value);
                }
                let def_labels = read["spython"]["labels"].as_array().unwrap();
                assert!(
                    def_labels.contains(&json!("org.example.team hpc")),
                    "{def_labels:?}"
                );
                let exec = def
                    .lines()
                    .find(|l| l.trim_start().starts_with("exec "))
                    .unwrap();
                let mut entrypoint = config.entrypoint.clone().unwrap();
                entrypoint.insert(0, "exec".into());
                entrypoint.push("$@".into());
                assert_eq!(shell_words(&exec.replace("\"$@\"", "'$@'")), entrypoint);
                "config"
            }
        };
        seen.insert(kind);
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [
            "apt",
            "base",
            "config",
            "file download",
            "file project",
            "file text",
            "pip",
            "run",
            "run offline"
        ]
    );
}

/// A file step's tar: each entry's path (relative) with its mode and bytes.
fn tar_entries(tar: std::fs::File) -> BTreeMap<String, (u32, Vec<u8>)> {
    let mut archive = tar::Archive::new(tar);
    let mut out = BTreeMap::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches('/')
            .to_owned();
        let mode = entry.header().mode().unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.insert(path, (mode, bytes));
    }
    out
}
