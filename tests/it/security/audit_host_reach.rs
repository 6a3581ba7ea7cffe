//! `envc audit` reports settings that reach into the host (issue 15, item 6), in the table,
//! in JSON, and as a `--strict` failure, also when every input is pinned.

use serde_json::json;

use crate::build::project::Project;
use crate::support::envc;

fn hostile() -> Project {
    Project::new(&json!({
        "name": "reach",
        "base": { "image": format!("debian@sha256:{}", "a".repeat(64)) },
        "run": {
            "mounts": [
                { "source": "/", "target": "/host" },
                { "source": "/etc", "target": "/host-etc" },
                { "source": "/srv/ci/run/docker.sock", "target": "/tmp/engine", "readonly": true },
                { "source": "{home}/.ssh", "target": "/keys", "readonly": true },
                { "source": "{home}", "target": "/h" },
            ],
            "caches": [{ "host": "/usr/local/envc-cache", "target": "/c" }],
            "pass_env": ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "TERM"],
            "cap_add": ["SYS_ADMIN"],
            "ipc": "host",
            "network": { "name": "host" },
            "devices": ["/dev/sda"],
        },
        "targets": { "apptainer": { "binds": ["/root:/r"] } },
    }))
}

#[test]
fn host_reaching_settings_are_listed_and_fail_strict() {
    let project = hostile();
    let run = envc()
        .current_dir(project.path())
        .args(["audit", "--json"])
        .run();
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let report: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(report["unpinned"], 0, "{report}");
    let host: Vec<String> = report["risks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["host"] == true)
        .map(|r| {
            format!(
                "{} {}",
                r["setting"].as_str().unwrap(),
                r["reason"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "run.mounts.0.source read-write bind of `/`",
        "run.mounts.1.source read-write bind of `/etc`",
        "run.mounts.2.source `/srv/ci/run/docker.sock` is a container engine's socket",
        "run.mounts.3.source `{home}/.ssh` holds credentials",
        "run.mounts.4.source read-write bind of the home folder",
        "run.caches.0.host host cache folder `/usr/local/envc-cache` is under a system path",
        "run.pass_env passes the host's `GITHUB_TOKEN`",
        "run.pass_env passes the host's `AWS_SECRET_ACCESS_KEY`",
        "run.cap_add `SYS_ADMIN`",
        "run.ipc host IPC namespace",
        "run.network.name host network",
        "run.devices `/dev/sda` gives raw access",
        "targets.apptainer.binds.0 read-write bind of `/root`",
    ] {
        assert!(
            host.iter().any(|h| h.starts_with(expected)),
            "missing `{expected}` in {host:#?}"
        );
    }
    assert!(!host.iter().any(|h| h.contains("`TERM`")), "{host:#?}");
    assert_eq!(report["host_reaching"], host.len());

    let table = envc().current_dir(project.path()).arg("audit").run();
    assert!(
        table.stdout().contains("HOST read-write bind of `/`"),
        "{}",
        table.stdout()
    );
    let strict = envc()
        .current_dir(project.path())
        .args(["audit", "--strict"])
        .run();
    assert_eq!(strict.code(), 1, "{}", strict.stderr());
    assert!(
        strict.stderr().contains("reach into the host"),
        "{}",
        strict.stderr()
    );
}

#[test]
fn a_plain_config_has_no_host_reach() {
    let project = Project::new(&json!({
        "name": "plain",
        "base": { "image": format!("debian@sha256:{}", "a".repeat(64)) },
        "run": {
            "mounts": [{ "source": "{project}/data", "target": "/data" }],
            "caches": [{ "host": "{home}/.cache/envc/pip", "target": "/root/.cache/pip" }],
            "pass_env": ["TERM", "LANG"],
        },
    }));
    let strict = envc()
        .current_dir(project.path())
        .args(["audit", "--strict"])
        .run();
    assert_eq!(strict.code(), 0, "{}\n{}", strict.stdout(), strict.stderr());
}
