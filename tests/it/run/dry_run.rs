//! `--dry-run` prints the equivalent `docker` commands and starts nothing.

use serde_json::json;

use super::{Project, busybox_image};

#[test]
fn dry_run_prints_docker_commands_and_starts_nothing() {
    let Some(base) = busybox_image() else { return };
    let config = json!({
        "name": "dry-run",
        "base": { "image": base },
        "run": { "env": { "GREETING": "hello {user}" }, "shm_size": "1g" }
    });
    let Some(project) = Project::new(1234, &config) else {
        return;
    };
    let up = project.envc(&["up", "--dry-run"]).ok();
    assert!(up.contains("docker run --detach --name envc-"), "{up}");
    assert!(up.contains("--env 'GREETING=hello user1234'"), "{up}");
    assert!(up.contains("--shm-size 1073741824"), "{up}");
    assert!(up.contains("docker exec --user 0:0"), "{up}");
    let run = project
        .envc(&["run", "--dry-run", "--", "echo", "a b", "$x"])
        .ok();
    assert!(run.starts_with("docker run --rm --interactive"), "{run}");
    assert!(run.ends_with(" envc echo 'a b' '$x'\n"), "{run}");
    let status: serde_json::Value =
        serde_json::from_str(&project.envc(&["status", "--json"]).ok()).unwrap();
    assert_eq!(status["containers"], json!([]), "nothing was started");
}
