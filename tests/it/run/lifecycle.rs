//! The environment's lifecycle against the real engine: run-time pass-through values are run
//! inputs (#16.5), `down --volumes` keeps a volume another checkout uses (#16.6), and a failed
//! `up` removes what it created (#16.8).

use serde_json::{Value, json};

use super::{Out, Project, busybox_image};
use crate::support::docker as engine;

fn status(project: &Project) -> Value {
    serde_json::from_str(&project.envc(&["status", "--json"]).ok()).unwrap()
}

fn with_env(project: &Project, args: &[&str], name: &str, value: &str) -> Out {
    let out = project
        .command(args, project.path())
        .env(name, value)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Out(out)
}

#[test]
fn regression_16_5_a_pass_through_value_set_at_run_time_is_no_config_change() {
    let Some(base) = busybox_image() else { return };
    let config = json!({
        "name": "pass-through",
        "base": { "image": base },
        "run": { "pass_env": ["BUILD_NUMBER_THREADS"] }
    });
    let Some(project) = Project::new(1234, &config) else {
        return;
    };
    project.envc(&["up"]).ok();
    let name = "BUILD_NUMBER_THREADS";
    let run = with_env(
        &project,
        &["run", "--", "sh", "-c", "echo $BUILD_NUMBER_THREADS"],
        name,
        "8",
    );
    assert_eq!(run.ok(), "8\n", "the value reaches the command");
    assert!(!run.stderr().contains("changed"), "{}", run.stderr());
    let after = with_env(&project, &["status"], name, "8");
    assert!(after.ok().contains("\tcurrent"), "{}", after.stdout());
    assert!(project.envc(&["status"]).ok().contains("\tcurrent"));
    let again = with_env(&project, &["up"], name, "8");
    again.ok();
    assert!(
        again.stderr().contains("up and current"),
        "{}",
        again.stderr()
    );
    // Not kept in the container for the next command.
    let later = project.envc(&["run", "--", "sh", "-c", "echo \"[$BUILD_NUMBER_THREADS]\""]);
    assert_eq!(later.ok(), "[]\n");
    project.envc(&["down"]).ok();
}

fn volume_exists(name: &str) -> bool {
    engine::cli(&["volume", "ls", "-q"])
        .lines()
        .any(|v| v == name)
}

#[test]
fn regression_16_6_down_volumes_keeps_a_volume_another_checkout_uses() {
    let Some(base) = busybox_image() else { return };
    let volume = engine::unique_name("envc-test-shared");
    let config = json!({
        "name": "shared-volume",
        "base": { "image": base },
        "run": { "volumes": [ { "name": volume, "target": "/data" } ] }
    });
    let (Some(one), Some(two)) = (Project::new(1234, &config), Project::new(1234, &config)) else {
        return;
    };
    one.envc(&["up"]).ok();
    two.envc(&["up"]).ok();
    let down = one.envc(&["down", "--volumes"]);
    down.ok();
    let other = status(&two)["container"].as_str().unwrap().to_owned();
    assert!(
        down.stderr().contains(&format!("kept volume {volume}"))
            && down.stderr().contains(&format!("`{other}`")),
        "{}",
        down.stderr()
    );
    assert!(volume_exists(&volume));
    assert_eq!(
        two.envc(&["run", "--", "true"]).code(),
        0,
        "the other checkout runs on"
    );

    one.envc(&["up"]).ok();
    let forced = one.envc(&["down", "--volumes", "--force"]);
    forced.ok();
    assert!(!volume_exists(&volume), "{}", forced.stderr());
    assert!(
        forced.stderr().contains(&format!("removed {other}")),
        "{}",
        forced.stderr()
    );
}

/// Everything the engine holds for `project`: containers by label, the network and volume.
fn leftovers(project: &Project, network: &str, volume: &str) -> Vec<String> {
    let label = format!("label=dev.envc.project={}", project.path().display());
    let mut left: Vec<String> = engine::cli(&["ps", "-aq", "--filter", &label])
        .lines()
        .map(|c| format!("container {c}"))
        .collect();
    let networks = engine::cli(&["network", "ls", "--format", "{{.Name}}"]);
    if networks.lines().any(|n| n == network) {
        left.push(format!("network {network}"));
    }
    if volume_exists(volume) {
        left.push(format!("volume {volume}"));
    }
    left
}

#[test]
fn regression_16_8_a_failed_up_removes_what_it_created() {
    let Some(base) = busybox_image() else { return };
    for (case, broken) in [
        ("post-start", json!({ "post_start": ["exit 3"] })),
        (
            "sidecar",
            json!({ "sidecar_image": "envc-test/surely-missing:1" }),
        ),
    ] {
        let volume = engine::unique_name("envc-test-failed-up");
        let mut config = json!({
            "name": "failed-up",
            "base": { "image": base },
            "run": { "volumes": [ { "name": volume, "target": "/data" } ] },
            "services": { "web": { "image": base, "command": ["httpd", "-f", "-p", "8080"] } }
        });
        if let Some(post_start) = broken.get("post_start") {
            config["run"]["post_start"] = post_start.clone();
        }
        if let Some(image) = broken.get("sidecar_image") {
            config["services"]["web"]["image"] = image.clone();
        }
        let Some(project) = Project::new(1234, &config) else {
            return;
        };
        let network = status(&project)["container"].as_str().unwrap().to_owned();
        let up = project.envc(&["up"]);
        assert_ne!(up.code(), 0, "{case}: `up` fails:\n{}", up.stderr());
        assert_eq!(
            leftovers(&project, &network, &volume),
            Vec::<String>::new(),
            "{case}: nothing of the failed `up` is left:\n{}",
            up.stderr()
        );
    }
}
