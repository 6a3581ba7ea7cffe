//! Sidecars are reachable by name without a host port; a run-side change recreates the
//! environment without rebuilding, a build-side change rebuilds.

use serde_json::json;

use super::{Project, busybox_image};

#[test]
fn a_sidecar_is_reachable_by_name_and_unpublished() {
    let Some(base) = busybox_image() else { return };
    let config = json!({
        "name": "sidecar",
        "base": { "image": base },
        "services": { "web": {
            "image": base,
            "command": ["httpd", "-f", "-p", "8080", "-h", "/etc"],
            "ports": [ { "container": 8080 } ],
            "healthcheck": { "test": ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/passwd"], "interval": "200ms" }
        } }
    });
    let Some(project) = Project::new(1234, &config) else {
        return;
    };
    project.envc(&["up"]).ok();
    let out = project.envc(&[
        "run",
        "--",
        "wget",
        "-q",
        "-O",
        "-",
        "http://web:8080/group",
    ]);
    assert!(out.ok().contains("root:x:0:"), "{}", out.stdout());
    let status: serde_json::Value =
        serde_json::from_str(&project.envc(&["status", "--json"]).ok()).unwrap();
    let web = status["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == "service")
        .expect("the service container");
    let name = web["name"].as_str().unwrap();
    let ports = std::process::Command::new("docker")
        .args(["port", name])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&ports.stdout).trim().is_empty(),
        "no host port"
    );
    project.envc(&["down"]).ok();
}

#[test]
fn run_side_changes_recreate_without_rebuilding_and_build_side_changes_rebuild() {
    let Some(base) = busybox_image() else { return };
    let mut config =
        json!({ "name": "recreate", "base": { "image": base }, "run": { "env": { "A": "1" } } });
    let Some(project) = Project::new(1234, &config) else {
        return;
    };
    project.envc(&["up"]).ok();
    config["run"]["env"]["A"] = json!("2");
    project.write("envc.json", &config.to_string());
    let up = project.envc(&["up"]);
    up.ok();
    assert!(
        up.stderr().contains("everything is cached"),
        "{}",
        up.stderr()
    );
    assert!(
        up.stderr().contains("recreating") && up.stderr().contains("`env`"),
        "{}",
        up.stderr()
    );
    assert_eq!(
        project.envc(&["run", "--", "sh", "-c", "echo $A"]).ok(),
        "2\n"
    );

    config["build"] = json!({ "env": { "B": "built" } });
    project.write("envc.json", &config.to_string());
    let up = project.envc(&["up"]);
    up.ok();
    assert!(
        !up.stderr().contains("everything is cached"),
        "{}",
        up.stderr()
    );
    assert!(up.stderr().contains("`image`"), "{}", up.stderr());
    assert_eq!(
        project.envc(&["run", "--", "sh", "-c", "echo $B"]).ok(),
        "built\n"
    );
}
