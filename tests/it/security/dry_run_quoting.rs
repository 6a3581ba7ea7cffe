//! Issue 15, class 12: `--dry-run` prints commands that a shell and the docker CLI read back
//! as exactly what envc means.
//!
//! Regression: a mount source holding `,source=/` was printed as
//! `--mount type=bind,source=/p/data,source=/,target=/data`, which the docker CLI reads as a
//! bind of the host's `/` (the last `source` wins).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{busybox, docker as engine, envc};

/// The argv of every `docker` command in `script`, as a real `sh` parses it (`docker` and
/// `mkdir` replaced by functions that print their arguments).
fn docker_commands(script: &str) -> Vec<Vec<String>> {
    let out = Command::new("sh")
        .args([
            "-c",
            r#"docker() { printf '%s\0' "$@"; printf '\036\0'; }; mkdir() { :; }; eval "$1""#,
            "sh",
            script,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sh could not read the output: {out:?}"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.split("\u{1e}\0")
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.trim_end_matches('\0')
                .split('\0')
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// The `--mount` values of the `docker run` in `commands`.
fn mounts(commands: &[Vec<String>]) -> Vec<String> {
    let run = commands
        .iter()
        .find(|c| c.first().map(String::as_str) == Some("run"))
        .expect("a `docker run` line");
    run.windows(2)
        .filter(|w| w[0] == "--mount")
        .map(|w| w[1].clone())
        .collect()
}

/// What the docker CLI makes of `--mount VALUE`: the container's one mount.
fn cli_reads(image: &str, value: &str) -> Value {
    let created = Command::new("docker")
        .args(["create", "--mount", value, image, "true"])
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "docker create --mount {value:?}: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    let id = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    let inspect = engine::cli(&["container", "inspect", "--format", "{{json .Mounts}}", &id]);
    engine::cli(&["rm", &id]);
    let mounts: Value = serde_json::from_str(&inspect).unwrap();
    assert_eq!(mounts.as_array().unwrap().len(), 1, "{value:?} → {mounts}");
    mounts[0].clone()
}

fn project_with_mounts(image: &str, sources: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mounts: Vec<Value> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| json!({ "source": format!("{{project}}/{s}"), "target": format!("/m{i}") }))
        .collect();
    let config = json!({
        "name": "dry-run-quoting",
        "base": { "image": image },
        "run": { "mounts": mounts },
    });
    std::fs::write(dir.path().join("envc.json"), config.to_string()).unwrap();
    for source in sources {
        std::fs::create_dir_all(dir.path().join(source)).unwrap();
    }
    dir
}

fn check_round_trip(image: &str, project: &Path, sources: &[&str], args: &[&str]) {
    let run = envc().current_dir(project).args(args).run();
    let printed = run.ok();
    let commands = docker_commands(&printed);
    let values = mounts(&commands);
    let root = std::fs::canonicalize(project).unwrap();
    // The project itself (at /repo), then the config's mounts in order.
    assert_eq!(values.len(), sources.len() + 1, "{values:?}");
    for (i, source) in sources.iter().enumerate() {
        let mount = cli_reads(image, &values[i + 1]);
        // The CLI cleans the path (`/x/` is `/x`), as the engine would.
        let expected = root.join(source.trim_end_matches('/'));
        assert_eq!(
            mount["Source"].as_str().unwrap(),
            expected.to_str().unwrap(),
            "`{}` printed as {:?}",
            args.join(" "),
            values[i + 1]
        );
        assert_eq!(mount["Destination"], format!("/m{i}"));
        assert_eq!(mount["Type"], "bind");
    }
}

#[test]
fn dry_run_mounts_read_back_as_one_field_each() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    // (`data,source=/` itself ends in `/`, which `envc check` refuses as a path; the comma
    // and `source=` are what the docker CLI would misread.)
    let sources = [
        "data,source=/etc",
        "with spaces",
        "it's \"quoted\" $HOME `id`",
        "a,\"b\",c=d",
    ];
    let project = project_with_mounts(&image, &sources);
    check_round_trip(&image, project.path(), &sources, &["up", "--dry-run"]);
    check_round_trip(
        &image,
        project.path(),
        &sources,
        &["run", "--dry-run", "--", "echo", "a b"],
    );
}

/// A newline in a mount source: refused by `envc check` (exit 2), or printed so that both
/// readers still see one mount of that exact path.
#[test]
fn a_newline_in_a_mount_source_is_refused_or_kept_exactly() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let image = busybox::image(&rt, &engine);
    let sources = ["line\nbreak,source=/"];
    let project = project_with_mounts(&image, &sources);
    let run = envc()
        .current_dir(project.path())
        .args(["up", "--dry-run"])
        .run();
    if run.code() == 2 {
        assert!(run.stdout().is_empty(), "{}", run.stdout());
        return;
    }
    check_round_trip(&image, project.path(), &sources, &["up", "--dry-run"]);
}
