//! Host-user mapping: files made through `envc run` belong to the host user, also when the
//! image has another user at the same uid and when it has no `useradd` (busybox).

use std::os::unix::fs::MetadataExt;

use super::{Project, busybox_image, config};
use crate::support::{debian, docker as engine, require};

fn check_owner(project: &Project, file: &str) {
    let meta = std::fs::metadata(project.path().join(file)).unwrap();
    assert_eq!(
        (meta.uid(), meta.gid()),
        (project.uid, project.uid),
        "`{file}` belongs to the host user"
    );
}

#[test]
fn one_shot_and_up_map_the_host_user_on_busybox_without_useradd() {
    let Some(base) = busybox_image() else { return };
    let Some(project) = Project::new(1234, &config("map-busybox", &base)) else {
        return;
    };
    let out = project.envc(&["run", "--", "sh", "-c", "id -u; id -g; echo x > one-shot"]);
    assert_eq!(out.ok(), "1234\n1234\n");
    check_owner(&project, "one-shot");

    project.envc(&["up"]).ok();
    let out = project.envc(&["run", "--", "sh", "-c", "id -un; echo $HOME; echo x > exec"]);
    assert_eq!(out.ok(), "user1234\n/home/user1234\n");
    check_owner(&project, "exec");
    let home = project.envc(&["run", "--", "sh", "-c", "touch ~/ok && stat -c %u ~/ok"]);
    assert_eq!(home.ok(), "1234\n");
    project.envc(&["down"]).ok();
}

#[test]
fn a_uid_already_taken_in_the_image_is_shared_and_its_entry_kept() {
    // The busybox test image has `user` at uid/gid 1000; the mapped user is added beside it
    // (#16.4: an image's entry is never rewritten).
    let Some(base) = busybox_image() else { return };
    let Some(project) = Project::new(1000, &config("map-conflict", &base)) else {
        return;
    };
    let out = project.envc(&[
        "run",
        "--",
        "sh",
        "-c",
        "id -u; id -g; grep '^user:' /etc/passwd; echo x > f",
    ]);
    assert_eq!(
        out.ok(),
        "1000\n1000\nuser:x:1000:1000:user:/home/user:/bin/sh\n"
    );
    check_owner(&project, "f");
}

#[test]
fn debian_base_maps_with_useradd() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    if !require("debootstrap", debian::available()) {
        return;
    }
    let base = debian::bookworm(&rt, &engine);
    let Some(project) = Project::new(1234, &config("map-debian", &base)) else {
        return;
    };
    let out = project.envc(&[
        "run",
        "--",
        "sh",
        "-c",
        "id -u; getent passwd 1234 | cut -d: -f1; echo x > f",
    ]);
    assert_eq!(out.ok(), "1234\nuser1234\n");
    check_owner(&project, "f");
}
