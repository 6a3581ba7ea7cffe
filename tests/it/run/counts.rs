//! `envc up` plans once and opens one engine connection, and `build --target apptainer`
//! plans once (#14): a command hands the plan and the connection it already has to the
//! build instead of making them again. Counted from the debug log (`-vv`), which names each
//! plan and each connection.

use serde_json::json;

use super::{Project, busybox_image};

fn count(stderr: &str, what: &str) -> usize {
    stderr.lines().filter(|l| l.contains(what)).count()
}

fn config(base: &str) -> serde_json::Value {
    json!({
        "name": "counts",
        "base": { "image": base },
        "build": { "steps": [ { "name": "stamp", "run": "echo counted >/counted" } ] }
    })
}

#[test]
fn up_plans_once_and_opens_one_engine_connection() {
    let Some(base) = busybox_image() else { return };
    let Some(project) = Project::new(1234, &config(&base)) else {
        return;
    };
    // The first `up` builds and starts; the second finds the environment current.
    for round in ["builds and starts", "reuses"] {
        let out = project.envc(&["-vv", "up"]);
        out.ok();
        let log = out.stderr();
        assert_eq!(
            count(&log, "planning the project"),
            1,
            "`up` that {round} plans once:\n{log}"
        );
        assert_eq!(
            count(&log, "connected to the engine"),
            1,
            "`up` that {round} opens one engine connection:\n{log}"
        );
    }
    project.envc(&["down"]).ok();
}

#[test]
fn build_for_apptainer_plans_once() {
    let Some(base) = busybox_image() else { return };
    let mut config = config(&base);
    config["targets"] = json!({ "apptainer": { "enable": true } });
    let Some(project) = Project::new(1234, &config) else {
        return;
    };
    let out = project.envc(&["-vv", "build", "--target", "apptainer"]);
    out.ok();
    let log = out.stderr();
    assert_eq!(count(&log, "planning the project"), 1, "{log}");
    assert_eq!(count(&log, "connected to the engine"), 1, "{log}");
}
