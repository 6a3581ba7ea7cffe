//! `envc init` on real project shapes: each result passes `envc check` and holds what the
//! project's files name — packages, base, image settings, run settings.

use serde_json::Value;

use super::{copy_tree, fixture, init, show};
use crate::support;

/// The project `tests/init/projects/NAME` copied to a fresh folder, after `envc init`
/// (extra `args`) and a passing `envc check`; returns the folder, init's report and the
/// normalized spec.
fn shape(name: &str, args: &[&str]) -> (tempfile::TempDir, String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    copy_tree(&fixture("projects").join(name), &root);
    let report = init(&root, args);
    support::envc().current_dir(&root).arg("check").run().ok();
    let spec = show(&root);
    (dir, report, spec)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("a list: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn has_all(list: &[String], wanted: &[&str], what: &str) {
    for w in wanted {
        assert!(list.iter().any(|x| x == w), "{what} lacks `{w}`: {list:?}");
    }
}

#[test]
fn init_requirements_txt_follows_includes_and_reports_the_rest() {
    let (_dir, report, spec) = shape("py-requirements", &[]);
    let pip = strings(&spec["build"]["pip"]["packages"]);
    has_all(
        &pip,
        &[
            "numpy==1.26.4",
            "pandas>=2.1,<3",
            "requests[socks]==2.31.0",
            "importlib-metadata>=6; python_version < \"3.10\"",
            "scipy==1.11.4",
        ],
        "pip",
    );
    assert_eq!(pip.len(), 5, "{pip:?}");
    has_all(
        &strings(&spec["build"]["apt"]),
        &["python3", "python3-pip"],
        "apt",
    );
    assert!(report.contains("not mapped: requirements.txt:10: `git+https://github.com/org/private.git#egg=private`: a URL or path requirement"), "{report}");
    assert!(
        report.contains("not mapped: requirements.txt:8: pip option `--index-url"),
        "{report}"
    );
    assert!(
        report.contains("not mapped: requirements.txt:9: pip option `-e .`"),
        "{report}"
    );
    // No base in the project: a debootstrap base (no registry needed).
    assert_eq!(spec["base"]["debootstrap"]["suite"], "trixie");
}

#[test]
fn init_pyproject_pep621() {
    let (_dir, _report, spec) = shape("py-pyproject", &[]);
    assert_eq!(
        strings(&spec["build"]["pip"]["packages"]),
        ["click>=8.1", "rich==13.7.1", "httpx[http2]>=0.27,<1"]
    );
}

#[test]
fn init_poetry_lock_pins_exact_versions() {
    let (_dir, report, spec) = shape("py-poetry", &[]);
    assert_eq!(
        strings(&spec["build"]["pip"]["packages"]),
        ["blinker==1.7.0", "flask==3.0.2"]
    );
    assert!(
        report.contains("`localpkg`: a local or VCS package"),
        "{report}"
    );
}

#[test]
fn init_uv_lock_skips_the_project_itself() {
    let (_dir, report, spec) = shape("py-uv", &[]);
    assert_eq!(
        strings(&spec["build"]["pip"]["packages"]),
        ["anyio==4.3.0", "idna==3.7", "sniffio==1.3.1"]
    );
    assert!(
        report.contains("`uvproj`: a local or VCS package"),
        "{report}"
    );
}

#[test]
fn init_cargo_toml_picks_rust_by_msrv() {
    let (_dir, report, spec) = shape("rust-msrv", &[]);
    has_all(
        &strings(&spec["build"]["apt"]),
        &[
            "cargo/trixie-backports",
            "rustc/trixie-backports",
            "build-essential",
        ],
        "apt",
    );
    assert_eq!(
        spec["base"]["debootstrap"]["extra_suites"][0],
        "trixie-backports"
    );
    assert!(
        report.contains("rust-version 1.88: Rust from trixie-backports"),
        "{report}"
    );
    // An MSRV trixie meets: trixie's own rustc, no backports.
    let (_dir, _report, spec) = shape("rust-old", &[]);
    has_all(&strings(&spec["build"]["apt"]), &["cargo", "rustc"], "apt");
    assert!(
        spec["base"]["debootstrap"].get("extra_suites").is_none(),
        "{spec}"
    );
}

#[test]
fn init_cmake_make_and_node() {
    let (_dir, _r, spec) = shape("cmake", &[]);
    has_all(
        &strings(&spec["build"]["apt"]),
        &["build-essential", "cmake", "ninja-build"],
        "apt",
    );
    let (_dir, _r, spec) = shape("make", &[]);
    has_all(
        &strings(&spec["build"]["apt"]),
        &["build-essential", "make"],
        "apt",
    );
    let (_dir, report, spec) = shape("node", &[]);
    has_all(&strings(&spec["build"]["apt"]), &["nodejs", "npm"], "apt");
    assert!(report.contains("`engines.node` `>=18`"), "{report}");
}

#[test]
fn init_multi_stage_dockerfile_takes_the_final_stage() {
    let (_dir, report, spec) = shape("dockerfile", &[]);
    assert_eq!(spec["base"]["image"], "python:3.12-slim");
    let apt = strings(&spec["build"]["apt"]);
    has_all(&apt, &["libpq5", "curl"], "apt");
    // The build stage's compilers are not in the final image.
    assert!(!apt.iter().any(|a| a == "libpq-dev"), "{apt:?}");
    assert_eq!(spec["build"]["env"]["PYTHONUNBUFFERED"], "1");
    assert_eq!(spec["build"]["workdir"], "/home/app/app");
    assert_eq!(spec["build"]["cmd"][0], "gunicorn");
    assert_eq!(spec["run"]["ports"][0]["container"], 8000);
    assert_eq!(spec["run"]["user"]["name"], "app");
    // The requirements.txt beside it is read too.
    has_all(
        &strings(&spec["build"]["pip"]["packages"]),
        &["flask==3.0.2"],
        "pip",
    );
    assert!(report.contains("from stage `build`"), "{report}");
    assert!(
        report.contains("`HEALTHCHECK`: has no counterpart in envc"),
        "{report}"
    );
}

#[test]
fn init_alpine_dockerfile_keeps_apk_as_a_step() {
    let (_dir, _report, spec) = shape("dockerfile-alpine", &[]);
    assert_eq!(spec["base"]["image"], "node:20-alpine");
    assert_eq!(
        spec["build"]["steps"][0]["run"],
        "apk add --no-cache tini curl"
    );
    assert_eq!(spec["build"]["env"]["PORT"], "3000");
    assert_eq!(
        spec["build"]["entrypoint"],
        serde_json::json!(["/sbin/tini", "--"])
    );
    assert_eq!(
        spec["build"]["cmd"],
        serde_json::json!(["node", "server.js"])
    );
}

#[test]
fn init_devcontainer_with_image_features_mounts_and_env() {
    let (_dir, report, spec) = shape("devcontainer-image", &[]);
    assert_eq!(spec["name"], "python-3-postgres");
    assert_eq!(
        spec["base"]["image"],
        "mcr.microsoft.com/devcontainers/python:1-3.12-bookworm"
    );
    has_all(
        &strings(&spec["build"]["apt"]),
        &["nodejs", "npm", "gh"],
        "apt",
    );
    let run = &spec["run"];
    assert_eq!(run["ports"][0]["container"], 8000);
    assert_eq!(run["ports"][1]["container"], 5432);
    assert_eq!(run["mounts"][0]["source"], "{home}/.ssh");
    assert_eq!(run["mounts"][0]["readonly"], true);
    assert_eq!(run["volumes"][0]["name"], "node-modules");
    assert_eq!(run["volumes"][0]["target"], "/workspaces/app/node_modules");
    assert_eq!(run["env"]["PYTHONPATH"], "/workspaces/app/src");
    assert_eq!(run["env"]["DATA_DIR"], "{project}/data");
    assert_eq!(run["env"]["GITHUB_TOKEN"], "{env:GITHUB_TOKEN}");
    assert_eq!(run["project"]["target"], "/workspaces/app");
    assert_eq!(run["user"]["name"], "vscode");
    assert_eq!(
        run["post_start"][0],
        "pip install --user -r requirements.txt"
    );
    assert!(report.contains("feature `ghcr.io/devcontainers-contrib/features/poetry:2`: envc installs no Dev Containers features"), "{report}");
    assert!(
        report.contains("`${devcontainerId}` has no counterpart"),
        "{report}"
    );
    assert!(report.contains("port `\"db:5432\"`"), "{report}");
}

#[test]
fn init_devcontainer_with_its_own_dockerfile() {
    let (_dir, report, spec) = shape("devcontainer-build", &[]);
    assert_eq!(spec["base"]["image"], "debian:bookworm");
    has_all(
        &strings(&spec["build"]["apt"]),
        &["gdb", "clang-16", "lldb-16", "cmake"],
        "apt",
    );
    assert_eq!(spec["build"]["env"]["CXX"], "clang++-16");
    assert_eq!(spec["run"]["cap_add"][0], "SYS_PTRACE");
    assert_eq!(spec["run"]["user"]["mode"], "root");
    assert_eq!(spec["run"]["post_start"][0], "make -C /workspaces/x check");
    assert!(report.contains("run argument `--security-opt`"), "{report}");
}

#[test]
fn init_apptainer_definition() {
    let (_dir, report, spec) = shape("apptainer-def", &[]);
    assert_eq!(spec["base"]["image"], "ubuntu:22.04");
    has_all(
        &strings(&spec["build"]["apt"]),
        &[
            "build-essential",
            "cmake",
            "git",
            "libopenmpi-dev",
            "openmpi-bin",
            "libfftw3-dev",
        ],
        "apt",
    );
    assert_eq!(spec["build"]["env"]["OMP_NUM_THREADS"], "1");
    assert_eq!(
        spec["build"]["env"]["LAMMPS_POTENTIALS"],
        "/opt/lammps/potentials"
    );
    assert_eq!(spec["build"]["labels"]["Version"], "2024.1");
    assert!(report.contains("`%post` command `git clone"), "{report}");
    assert!(report.contains("section `%runscript`"), "{report}");
}

#[test]
fn init_debootstrap_definition() {
    let (_dir, report, spec) = shape("apptainer-debootstrap", &[]);
    assert_eq!(spec["base"]["debootstrap"]["suite"], "bookworm");
    has_all(
        &strings(&spec["build"]["apt"]),
        &["r-base", "r-cran-ggplot2", "littler"],
        "apt",
    );
    assert_eq!(spec["build"]["env"]["R_LIBS_USER"], "/opt/rlibs");
    assert!(report.contains("`%post` command `sed -i"), "{report}");
}

#[test]
fn init_an_empty_project_still_checks() {
    let (_dir, report, spec) = shape("empty", &[]);
    assert!(report.contains("read: nothing envc knows"), "{report}");
    assert_eq!(spec["base"]["debootstrap"]["suite"], "trixie");
}

#[test]
fn init_json_writes_envc_json_that_checks() {
    let (dir, _report, spec) = shape("dockerfile", &["--json"]);
    let written = dir.path().join("dockerfile/envc.json");
    let text = std::fs::read_to_string(&written).unwrap();
    serde_json::from_str::<Value>(&text).expect("envc.json is JSON");
    assert!(!dir.path().join("dockerfile/envc.nix").exists());
    assert_eq!(spec["base"]["image"], "python:3.12-slim");
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "rich==13.7.1\n").unwrap();
    std::fs::write(dir.path().join("envc.nix"), "{ name = \"mine\"; }\n").unwrap();
    let run = support::envc().current_dir(dir.path()).arg("init").run();
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("already exists"), "{}", run.stderr());
    assert!(run.stderr().contains("--force"), "{}", run.stderr());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("envc.nix")).unwrap(),
        "{ name = \"mine\"; }\n",
        "the existing config is untouched"
    );
    // An envc.json counts too: a second config would be ignored.
    let run = support::envc()
        .current_dir(dir.path())
        .args(["init", "--json"])
        .run();
    assert_eq!(run.code(), 2);
    // --force replaces it, atomically, and leaves no temporary file behind.
    init(dir.path(), &["--force"]);
    let text = std::fs::read_to_string(dir.path().join("envc.nix")).unwrap();
    assert!(text.contains("\"rich==13.7.1\""), "{text}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".envc-init"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.path().join("envc.nix"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o644);
}

#[test]
fn extra_suites_are_checked_and_reach_the_apptainer_definition() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("envc.json"),
        r#"{ "name": "bp", "base": { "debootstrap": { "suite": "trixie", "extra_suites": ["trixie-backports"] } },
             "build": { "apt": ["rustc/trixie-backports"] } }"#,
    )
    .unwrap();
    support::envc().current_dir(d).arg("check").run().ok();
    let out = d.join("out");
    support::envc()
        .current_dir(d)
        .args(["emit", "--out"])
        .arg(&out)
        .run()
        .ok();
    let def = std::fs::read_to_string(out.join("apptainer.def")).unwrap();
    assert!(
        def.contains("printf '%s\\n' 'deb http://deb.debian.org/debian trixie-backports main' >> /etc/apt/sources.list"),
        "{def}"
    );
    // The source line comes before the packages that need it.
    assert!(
        def.find("trixie-backports main").unwrap() < def.find("apt-get").unwrap(),
        "{def}"
    );
    // A comma would split debootstrap's `--extra-suites=` argument; apt's `/` needs a suite.
    for (config, message) in [
        (
            r#"{ "debootstrap": { "suite": "trixie", "extra_suites": ["a,b"] } }"#,
            "is not a Debian codename",
        ),
        (r#"{ "image": "debian:trixie" }"#, ""),
    ] {
        let apt = if message.is_empty() {
            r#"["rustc/"]"#
        } else {
            "[]"
        };
        std::fs::write(
            d.join("envc.json"),
            format!(r#"{{ "name": "bp", "base": {config}, "build": {{ "apt": {apt} }} }}"#),
        )
        .unwrap();
        let run = support::envc().current_dir(d).arg("check").run();
        assert_eq!(run.code(), 2, "{config}: {}", run.stderr());
        let expected = if message.is_empty() {
            "names an invalid suite"
        } else {
            message
        };
        assert!(run.stderr().contains(expected), "{}", run.stderr());
    }
}
