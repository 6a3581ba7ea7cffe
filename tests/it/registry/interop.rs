//! The ecosystem reads what envc pushes, and envc reads what it pushes: `docker pull`,
//! `skopeo inspect`/`copy`, `crane`, and `oras pull`/`oras push` of the SIF.

use serde_json::Value;

use super::{Project, bare, base, ok, prefix, tool};
use crate::support::{docker, registry, require};

#[test]
fn docker_skopeo_and_crane_read_the_pushed_image() {
    let Some(base) = base() else { return };
    let (Some(skopeo), Some(crane)) = (tool("skopeo"), tool("crane")) else {
        require("skopeo and crane (scripts/setup)", false);
        return;
    };
    let registry = registry::shared();
    let cache = prefix(registry);
    let project = Project::new(&base);
    project.build(&["--push", "--cache-registry", &cache]);
    let key = project.keys().pop().unwrap();
    let remote = format!("{}/{}:{key}", bare(&cache), project.name);

    docker::cli(&["pull", "-q", &remote]);
    let label = docker::cli(&[
        "image",
        "inspect",
        "--format",
        "{{index .Config.Labels \"dev.envc.key\"}} {{.Id}}",
        &remote,
    ]);
    let local_id = docker::cli(&["image", "inspect", "--format", "{{.Id}}", &project.image()]);
    // The same image: its ID (the config digest) is the local one.
    assert_eq!(label.trim(), format!("{key} {}", local_id.trim()));
    assert_eq!(
        docker::cli(&["run", "--rm", &remote, "cat", "/two"]),
        "two\n"
    );
    docker::cli(&["rmi", &remote]);

    let inspect: Value = serde_json::from_str(&ok(
        &skopeo,
        &[
            "inspect",
            "--tls-verify=false",
            &format!("docker://{remote}"),
        ],
    ))
    .unwrap();
    assert_eq!(inspect["Labels"]["dev.envc.key"], key.as_str());
    let out = tempfile::tempdir().unwrap();
    ok(
        &skopeo,
        &[
            "copy",
            "--src-tls-verify=false",
            &format!("docker://{remote}"),
            &format!("oci:{}:x", out.path().display()),
        ],
    );
    assert!(out.path().join("index.json").is_file());

    let manifest: Value =
        serde_json::from_str(&ok(&crane, &["manifest", "--insecure", &remote])).unwrap();
    assert_eq!(manifest["annotations"]["dev.envc.key"], key.as_str());
    assert!(
        manifest["annotations"]["dev.envc.rootfs"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:"))
    );
    let config: Value =
        serde_json::from_str(&ok(&crane, &["config", "--insecure", &remote])).unwrap();
    assert_eq!(config["config"]["Labels"]["dev.envc.key"], key.as_str());
    assert_eq!(
        config["config"]["Labels"]["dev.envc.rootfs"],
        manifest["annotations"]["dev.envc.rootfs"]
    );
}

/// A project with the Apptainer target, its SIF built natively and pushed.
pub fn sif_project(base: &str, cache: &str) -> (Project, String) {
    let project = Project::with(base, |c| {
        c["targets"] = serde_json::json!({ "apptainer": { "enable": true } });
    });
    project.build(&["--target", "apptainer"]);
    let pushed = project
        .run(&["push", "--target", "apptainer", "--cache-registry", cache])
        .ok();
    let key = project.keys().pop().unwrap();
    let reference = format!("{}/{}:{key}.sif", bare(cache), project.name);
    assert!(
        pushed.starts_with(&format!("{reference} sha256:")),
        "{pushed}"
    );
    (project, key)
}

pub fn sif_path(project: &Project, key: &str) -> std::path::PathBuf {
    project.cache.path().join(format!("envc/sif/{key}.sif"))
}

#[test]
fn oras_pulls_the_pushed_sif_and_envc_pulls_what_oras_pushed() {
    let Some(base) = base() else { return };
    let Some(oras) = tool("oras") else {
        require("oras (scripts/setup unpacks it from Debian sid)", false);
        return;
    };
    let registry = registry::shared();
    let cache = prefix(registry);
    let (project, key) = sif_project(&base, &cache);
    let built = std::fs::read(sif_path(&project, &key)).unwrap();
    let reference = format!("{}/{}:{key}.sif", bare(&cache), project.name);

    let out = tempfile::tempdir().unwrap();
    let dir = out.path().display().to_string();
    ok(&oras, &["pull", "--plain-http", "-o", &dir, &reference]);
    let files: Vec<_> = std::fs::read_dir(out.path()).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        std::fs::read(files[0].path()).unwrap(),
        built,
        "byte-identical"
    );

    // `oras push` of the same file under another prefix, as Apptainer's media types say.
    let other = prefix(registry);
    let target = format!("{}/{}:{key}.sif", bare(&other), project.name);
    let file = files[0].file_name().to_string_lossy().into_owned();
    let pushed = std::process::Command::new(&oras)
        .args(["push", "--plain-http", &target])
        .arg(format!("{file}:application/vnd.sylabs.sif.layer.v1.sif"))
        .current_dir(out.path())
        .output()
        .unwrap();
    assert!(pushed.status.success(), "{pushed:?}");
    std::fs::remove_file(sif_path(&project, &key)).unwrap();
    let pulled = project
        .envc(&["pull", "--target", "apptainer", "--cache-registry", &other])
        .env("DOCKER_HOST", "unix:///nonexistent")
        .run();
    pulled.ok();
    assert_eq!(std::fs::read(sif_path(&project, &key)).unwrap(), built);
    assert!(
        pulled.stderr().contains("files match"),
        "{}",
        pulled.stderr()
    );
}
