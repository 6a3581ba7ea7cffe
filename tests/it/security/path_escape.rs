//! Project paths cannot leave the project (issue 15, item 2). A file source `etc/shadow`
//! with `etc -> /etc` copied the host's `/etc/shadow` into an image: only a symlink as the
//! last component was refused. Now every component is resolved beneath the root.

use std::os::unix::fs::symlink;

use serde_json::json;

use crate::build::project::{Project, docker};
use crate::support::{busybox, docker as engine, envc};

fn refused(project: &Project, fragment: &str) {
    let check = envc().current_dir(project.path()).arg("check").run();
    assert_eq!(check.code(), 2, "{}", check.stderr());
    assert!(check.stderr().contains(fragment), "{}", check.stderr());
    assert!(check.stderr().contains("help:"), "{}", check.stderr());
    let build = project.build(&[]);
    assert_eq!(build.code(), 2, "{}", build.stderr());
}

fn with_source(source: &str) -> Project {
    Project::new(&json!({
        "name": "escape",
        "base": { "image": "debian:bookworm" },
        "build": { "files": { "/stolen": { "source": source } } },
    }))
}

#[test]
fn a_symlinked_folder_to_etc_is_refused_at_check() {
    let project = with_source("etc/shadow");
    symlink("/etc", project.path().join("etc")).unwrap();
    refused(
        &project,
        "leaves the project through the symlink `etc` (-> `/etc`)",
    );
    // Also when the file under it does not exist: the way out is what is refused.
    let project = with_source("etc/no-such-file");
    symlink("/etc", project.path().join("etc")).unwrap();
    refused(&project, "leaves the project through the symlink");
}

#[test]
fn relative_climbs_and_loops_are_refused() {
    let project = with_source("a/b/up/etc/passwd");
    std::fs::create_dir_all(project.path().join("a/b")).unwrap();
    symlink("../../..", project.path().join("a/b/up")).unwrap();
    refused(&project, "leaves the project through the symlink `a/b/up`");

    let project = with_source("loop");
    symlink("loop2", project.path().join("loop")).unwrap();
    symlink("loop", project.path().join("loop2")).unwrap();
    refused(&project, "too many symlinks");
}

#[test]
fn the_evaluator_cannot_read_through_a_symlinked_folder() {
    let dir = tempfile::tempdir().unwrap();
    symlink("/etc", dir.path().join("etc")).unwrap();
    std::fs::write(
        dir.path().join("envc.nix"),
        "{ name = \"escape\"; base.image = \"debian:bookworm\";\n  build.files.\"/x\".text = builtins.readFile ./etc/hostname; }\n",
    )
    .unwrap();
    let check = envc().current_dir(dir.path()).arg("check").run();
    assert_eq!(check.code(), 2, "{}", check.stderr());
    assert!(
        check.stderr().contains("outside the project root"),
        "{}",
        check.stderr()
    );
    for expr in [
        "builtins.pathExists ./etc/hostname",
        "builtins.readDir ./etc",
    ] {
        let run = envc()
            .current_dir(dir.path())
            .args(["eval", "--root", "."])
            .args(["--expr", expr])
            .run();
        assert_eq!(run.code(), 2, "{expr}: {}", run.stdout());
    }
}

#[test]
fn symlinks_inside_a_copied_folder_are_copied_as_links_never_followed() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &engine);
    let project = Project::new(&json!({
        "name": crate::support::docker::unique_name("escape"),
        "base": { "image": base },
        "build": { "files": { "/opt/src": { "source": "src" } } },
    }));
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "host secret\n").unwrap();
    project.write("src/ok", "ok\n");
    symlink(
        outside.path().join("secret"),
        project.path().join("src/leak"),
    )
    .unwrap();
    symlink("../../..", project.path().join("src/up")).unwrap();
    let built = project.build(&[]);
    assert_eq!(built.code(), 0, "{}", built.stderr());
    let reference = built.stdout().lines().next().unwrap().to_owned();
    let shown = docker(&[
        "run",
        "--rm",
        &reference,
        "sh",
        "-c",
        "cat /opt/src/ok; test -L /opt/src/leak && readlink /opt/src/leak; test -L /opt/src/up && readlink /opt/src/up; cat /opt/src/leak 2>/dev/null || echo unreadable",
    ]);
    let secret = outside.path().join("secret").display().to_string();
    assert_eq!(shown, format!("ok\n{secret}\n../../..\nunreadable\n"));
}
