//! The Apptainer target end to end: `envc build --target apptainer` on a real Docker build
//! (the busybox test image), read back by `siftool` and `unsquashfs`, rebuilt to the same
//! bytes, and run by a real Apptainer with the command line `envc run --dry-run` prints.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::support::{self, apptainer, busybox, docker as engine, envc};

fn busybox_base() -> Option<String> {
    let rt = engine::runtime();
    let engine = engine::engine(&rt)?;
    Some(busybox::image(&rt, &engine))
}

/// A unique value, so each test run gets fresh keys in the shared engine cache.
fn nonce() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}-{nanos}", std::process::id())
}

fn config(base: &str, text: &str) -> serde_json::Value {
    json!({
        "name": "sif-target-test",
        "base": { "image": base },
        "build": {
            "files": { "/opt/hello.txt": { "text": text } },
            "env": { "GREETING": "from the image" },
            "labels": { "org.example.test": "apptainer-target" },
            "entrypoint": ["/bin/echo", "runscript:"],
            "cmd": ["default"],
        },
        "run": { "env": { "FROM_SPEC": "spec env" } },
        "targets": { "apptainer": {
            "enable": true,
            "containall": true,
            "cleanenv": true,
            "binds": ["{project}/data:/data:ro"],
        } },
    })
}

/// `envc ARGS` in `dir` with the SIF cache under `dir/cache`.
fn envc_in(dir: &Path, args: &[&str]) -> support::Run {
    envc()
        .args(args)
        .current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .run()
}

fn write_config(dir: &Path, config: &serde_json::Value) {
    std::fs::write(
        dir.join("envc.json"),
        serde_json::to_string_pretty(config).unwrap(),
    )
    .unwrap();
}

fn tool_output(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn build_target_apptainer_is_read_by_siftool_and_deterministic() {
    if !support::require("siftool", support::have_command("siftool"))
        || !support::require("unsquashfs", support::have_command("unsquashfs"))
    {
        return;
    }
    let Some(base) = busybox_base() else { return };
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let text = format!("hello {}\n", nonce());
    write_config(dir, &config(&base, &text));
    let out = envc_in(dir, &["build", "--target", "apptainer", "-o", "first.sif"]).ok();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("first.sif"));
    let key = lines.next().unwrap().to_owned();
    let cached = dir.join(format!("cache/envc/sif/{key}.sif"));
    assert!(cached.exists(), "the SIF is cached under its plan key");
    let first = std::fs::read(dir.join("first.sif")).unwrap();
    assert_eq!(first, std::fs::read(&cached).unwrap());

    // siftool reads it: the definition, two JSON objects, the squashfs system partition.
    let list = tool_output(
        "siftool",
        &["list", dir.join("first.sif").to_str().unwrap()],
    );
    assert!(list.contains("Def.FILE"), "{list}");
    assert!(list.contains("JSON.Generic"), "{list}");
    assert!(list.contains("FS (Squashfs/*System/amd64)"), "{list}");
    let info = tool_output(
        "siftool",
        &["info", "3", dir.join("first.sif").to_str().unwrap()],
    );
    assert!(info.contains("Squashfs"), "{info}");
    // unsquashfs lists the partition at the offset siftool gives.
    let offset = list
        .lines()
        .find(|l| l.contains("FS (Squashfs"))
        .and_then(|l| l.split('|').nth(3))
        .and_then(|pos| pos.trim().split('-').next())
        .unwrap()
        .to_owned();
    let files = tool_output(
        "unsquashfs",
        &[
            "-o",
            &offset,
            "-l",
            "-d",
            "r",
            dir.join("first.sif").to_str().unwrap(),
        ],
    );
    for path in [
        "r/opt/hello.txt",
        "r/.singularity.d/runscript",
        "r/bin/busybox",
    ] {
        assert!(files.lines().any(|l| l == path), "{path} missing:\n{files}");
    }
    // envc's reader agrees and finds its metadata with the key.
    let inspect = envc_in(dir, &["inspect", "--json", "first.sif"]).ok();
    assert!(inspect.contains(&key), "{inspect}");

    // The recorded key matches: reused without a build.
    let again = envc_in(dir, &["build", "--target", "apptainer"]);
    assert!(again.stderr().contains("reused"), "{}", again.stderr());

    // From scratch (no SIF, every step re-run): the same bytes.
    std::fs::remove_dir_all(dir.join("cache/envc/sif")).unwrap();
    envc_in(
        dir,
        &[
            "build",
            "--target",
            "apptainer",
            "--no-cache",
            "-o",
            "second.sif",
        ],
    )
    .ok();
    assert!(
        first == std::fs::read(dir.join("second.sif")).unwrap(),
        "a rebuild gives a byte-identical SIF"
    );

    // A changed input: another key and another SIF.
    write_config(dir, &config(&base, &format!("changed {text}")));
    let out = envc_in(dir, &["build", "--target", "apptainer", "-o", "third.sif"]).ok();
    let third_key = out.lines().nth(1).unwrap();
    assert_ne!(third_key, key);
    assert!(first != std::fs::read(dir.join("third.sif")).unwrap());
}

#[test]
fn run_target_apptainer_without_apptainer_is_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), &config("envc-test/none:1", "x\n"));
    let run = envc()
        .args(["run", "--target", "apptainer", "--", "true"])
        .current_dir(dir.path())
        .env("PATH", "/nonexistent")
        .run();
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(run.stderr().contains("apptainer"), "{}", run.stderr());
}

#[test]
fn real_apptainer_runs_the_sif_with_the_dry_run_command_line() {
    let image = apptainer::image();
    if !support::require(
        &format!(
            "a real Apptainer ({})",
            image.as_ref().err().map(String::as_str).unwrap_or("")
        ),
        image.is_ok(),
    ) {
        return;
    }
    let image = image.unwrap();
    let Some(base) = busybox_base() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_config(dir, &config(&base, &format!("hello {}\n", nonce())));
    std::fs::create_dir(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/visible.txt"), "bound from the host\n").unwrap();
    std::fs::write(dir.join("in-project.txt"), "project file\n").unwrap();
    let out = envc_in(dir, &["build", "--target", "apptainer"]).ok();
    let key = out.lines().nth(1).unwrap().to_owned();
    let sif = dir.join(format!("cache/envc/sif/{key}.sif"));

    let line = |command: &[&str]| {
        let mut args = vec!["run", "--target", "apptainer", "--dry-run", "--"];
        args.extend_from_slice(command);
        envc_in(dir, &args).ok()
    };
    let exec = line(&[
        "sh",
        "-c",
        "id -u; echo \"$FROM_SPEC\"; cat /data/visible.txt; cat in-project.txt; pwd",
    ]);
    assert!(
        exec.starts_with("apptainer exec --containall --cleanenv "),
        "{exec}"
    );
    let failing = line(&["sh", "-c", "exit 7"]);
    let script = format!(
        "set -e\ncd /tmp\n{exec}set +e\n{failing}echo \"status: $?\"\nset -e\n\
         apptainer -s run {sif} a b\napptainer inspect {sif}\n",
        sif = sif.display()
    );
    // The project is mounted at the same path, so the printed lines run unchanged.
    for path in [dir.to_path_buf(), dir.join("cache"), dir.join("cache/envc")] {
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
    }
    let output = apptainer::run_as_user_at(&image, dir, dir, &script);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let expected = "1000\nspec env\nbound from the host\nproject file\n/repo\n";
    assert!(stdout.starts_with(expected), "{stdout}\n{stderr}");
    assert!(stdout.contains("status: 7"), "{stdout}");
    assert!(stdout.contains("runscript: a b"), "{stdout}");
    assert!(
        stdout.contains("org.example.test: apptainer-target"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("dev.envc.key: {key}")), "{stdout}");
}

/// `targets.*.enable` decide what is built and entered: a disabled target named with
/// `--target` is an input error, and an Apptainer-only config runs with Apptainer by default.
#[test]
fn disabled_targets_are_refused_and_enabled_ones_are_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config("envc-test/none:1", "x\n");
    cfg["targets"]["apptainer"]["enable"] = json!(false);
    write_config(dir.path(), &cfg);
    for args in [
        &["build", "--target", "apptainer"][..],
        &["run", "--target", "apptainer", "--dry-run", "--", "true"][..],
        &["shell", "--target", "apptainer", "--dry-run"][..],
    ] {
        let run = envc_in(dir.path(), args);
        assert_eq!(run.code(), 2, "envc {args:?}: {}", run.stderr());
        assert!(
            run.stderr().contains("the Apptainer target is not enabled"),
            "{}",
            run.stderr()
        );
        assert!(
            run.stderr().contains("targets.apptainer.enable"),
            "{}",
            run.stderr()
        );
    }

    cfg["targets"]["apptainer"]["enable"] = json!(true);
    cfg["targets"]["docker"] = json!({ "enable": false });
    write_config(dir.path(), &cfg);
    let run = envc_in(dir.path(), &["run", "--dry-run", "--", "true"]);
    assert!(run.ok().starts_with("apptainer exec"), "{}", run.stdout());
    for args in [
        &["up", "--dry-run"][..],
        &["run", "--target", "docker", "--", "true"][..],
    ] {
        let run = envc_in(dir.path(), args);
        assert!(
            run.stderr().contains("the Docker target is not enabled"),
            "envc {args:?}: {}",
            run.stderr()
        );
        assert_ne!(run.code(), 0);
    }
}
