//! One resolved identity (#16.4): as host root with `USER=root` and a `fixed` uid, commands
//! run as the mapped uid, the image's `root` and uid-1000 entries stay as they were, and the
//! per-user cache volume is named after the mapped user, not after `$USER`.

use serde_json::json;

use super::{Out, Project, busybox_image};
use crate::support::docker as engine;

/// The busybox test image's own entries (`tests/it/support/busybox.rs`).
const ROOT_ENTRY: &str = "root:x:0:0:root:/root:/bin/sh";
const USER_ENTRY: &str = "user:x:1000:1000:user:/home/user:/bin/sh";

fn as_host_root(project: &Project, args: &[&str]) -> Out {
    let out = project
        .command(args, project.path())
        .env("USER", "root")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Out(out)
}

#[test]
fn regression_16_4_host_root_with_user_root_runs_as_the_mapped_identity() {
    let Some(base) = busybox_image() else { return };
    let volume = engine::unique_name("envc-test-cache-{user}");
    let config = json!({
        "name": "identity",
        "base": { "image": base },
        "run": {
            "user": { "mode": "fixed", "uid": 1000, "gid": 1000, "name": "{user}" },
            "volumes": [ { "name": volume, "target": "/cache", "chown": true } ],
            "env": { "WHO": "{user}:{uid}:{home}" }
        }
    });
    // uid 0: envc itself runs as host root.
    let Some(project) = Project::new(0, &config) else {
        return;
    };
    let script = "id -u; id -g; echo \"$USER $HOME $WHO\"; grep -c . /etc/passwd; \
                  grep '^root:' /etc/passwd; grep '^user:' /etc/passwd; \
                  touch /cache/x && stat -c %u /cache/x";
    let expected = format!(
        "1000\n1000\nuser1000 /home/user1000 user1000:1000:/home/user1000\n4\n{ROOT_ENTRY}\n{USER_ENTRY}\n1000\n"
    );
    let oneshot = as_host_root(&project, &["run", "--", "sh", "-c", script]);
    assert_eq!(oneshot.ok(), expected, "one-shot container");

    as_host_root(&project, &["up"]).ok();
    let exec = as_host_root(&project, &["run", "--", "sh", "-c", script]);
    assert_eq!(exec.ok(), expected, "exec in the environment");
    let mapped = volume.replace("{user}", "user1000");
    let volumes = engine::cli(&["volume", "ls", "-q"]);
    assert!(
        volumes.lines().any(|v| v == mapped),
        "the cache volume is named after the mapped user (`{mapped}`): {volumes}"
    );
    assert!(
        !volumes
            .lines()
            .any(|v| v == volume.replace("{user}", "root")),
        "no volume named after `$USER`"
    );
    as_host_root(&project, &["down", "--volumes"]).ok();
}
