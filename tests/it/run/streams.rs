//! Exit codes, stdin, argument quoting, working directory and signals, through both paths
//! (one-shot container and exec into a running environment).

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use super::{Project, busybox_image, config};

fn checks(project: &Project) {
    assert_eq!(project.envc(&["run", "--", "sh", "-c", "exit 7"]).code(), 7);
    assert_eq!(project.envc(&["run", "--", "no-such-command"]).code(), 127);
    assert_eq!(project.envc(&["run", "--", "/etc/passwd"]).code(), 126);
    let out = project.envc(&[
        "run",
        "--",
        "sh",
        "-c",
        r#"printf '<%s>' "$@""#,
        "x",
        "a b",
        "$HOME",
        "q'\"x",
        "--",
    ]);
    assert_eq!(out.ok(), "<a b><$HOME><q'\"x><-->");
    std::fs::create_dir_all(project.path().join("sub/dir")).unwrap();
    super::chown_tree(project.path(), project.uid);
    let out = project.envc_in(&["run", "--", "pwd"], &project.path().join("sub/dir"));
    assert_eq!(out.ok(), "/repo/sub/dir\n");

    let mut child = project
        .command(&["run", "--", "sh", "-c", "tr a-z A-Z"], project.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"piped input\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "PIPED INPUT\n");

    let child = project
        .command(&["run", "--", "sleep", "60"], project.path())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait_with_output().unwrap().status;
    assert_eq!(status.code(), Some(130), "SIGINT stops the command");
}

#[test]
fn one_shot_streams_codes_and_signals() {
    let Some(base) = busybox_image() else { return };
    let Some(project) = Project::new(1234, &config("streams-oneshot", &base)) else {
        return;
    };
    checks(&project);
}

#[test]
fn exec_streams_codes_and_signals() {
    let Some(base) = busybox_image() else { return };
    let Some(project) = Project::new(1234, &config("streams-exec", &base)) else {
        return;
    };
    project.envc(&["up"]).ok();
    checks(&project);
}
