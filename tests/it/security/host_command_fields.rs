//! Strings that reach host commands as root (issue 15, item 1). A debootstrap suite such as
//! `../../../../proc/self/cwd/evil` made the host's `debootstrap` source a project file as
//! root; now every such field is parsed by its kind at `envc check`, and nothing runs.

use serde_json::json;

use crate::build::project::Project;
use crate::support::envc;

/// The script a hostile suite pointed debootstrap at: it leaves a marker if it ever runs.
fn hostile_project(base: serde_json::Value) -> (Project, std::path::PathBuf) {
    let project = Project::new(&json!({ "name": "evil", "base": base }));
    let marker = project.path().join("ran-as-root");
    project.write(
        "evil",
        &format!(
            "#!/bin/sh\ntouch '{}'\nmirror_style release\n",
            marker.display()
        ),
    );
    (project, marker)
}

fn assert_refused(project: &Project, fragment: &str) {
    let check = envc().current_dir(project.path()).arg("check").run();
    assert_eq!(check.code(), 2, "{}", check.stderr());
    assert!(check.stderr().contains(fragment), "{}", check.stderr());
    assert!(
        check.stderr().contains("envc.json:"),
        "no location: {}",
        check.stderr()
    );
    assert!(check.stderr().contains("help:"), "{}", check.stderr());
    // `build` refuses it the same way, before any host command or engine call.
    let build = project.build(&[]);
    assert_eq!(build.code(), 2, "{}", build.stderr());
    assert!(build.stderr().contains(fragment), "{}", build.stderr());
}

#[test]
fn a_debootstrap_suite_that_is_a_path_never_reaches_debootstrap() {
    let (project, marker) =
        hostile_project(json!({ "debootstrap": { "suite": "../../../../proc/self/cwd/evil" } }));
    assert_refused(&project, "is not a Debian codename");
    assert!(!marker.exists(), "the project's script ran on the host");
}

#[test]
fn debootstrap_mirror_variant_and_components_are_parsed_by_kind() {
    for (base, fragment) in [
        (
            json!({ "suite": "bookworm", "mirror": "file:///etc" }),
            "is not an http(s) URL",
        ),
        (
            json!({ "suite": "bookworm", "mirror": "http://deb.debian.org/debian --keyring=/evil" }),
            "contains whitespace",
        ),
        (
            json!({ "suite": "bookworm", "variant": "--foreign" }),
            "is not a debootstrap variant",
        ),
        (
            json!({ "suite": "bookworm", "components": ["main,../../x"] }),
            "is not an archive component",
        ),
        (
            json!({ "suite": "bookworm", "include": ["--print-debs"] }),
            "is not a Debian package name",
        ),
        (
            json!({ "suite": "bookworm", "snapshot": "../../x" }),
            "is not a snapshot timestamp",
        ),
    ] {
        let (project, marker) = hostile_project(json!({ "debootstrap": base }));
        assert_refused(&project, fragment);
        assert!(!marker.exists());
    }
}

#[test]
fn requirements_and_packages_cannot_carry_options() {
    for (build, fragment) in [
        (
            json!({ "pip": { "packages": ["numpy --index-url http://127.0.0.1:1/simple"] } }),
            "option to pip",
        ),
        (
            json!({ "pip": { "packages": ["-r /etc/shadow"] } }),
            "is not a pip requirement",
        ),
        (
            json!({ "apt": ["-o", "APT::Get::AllowUnauthenticated=true"] }),
            "is not a Debian package name",
        ),
        (
            json!({ "pip": { "index_url": "https://user:secret@pypi.example/simple" } }),
            "holds credentials",
        ),
    ] {
        let project = Project::new(&json!({
            "name": "evil",
            "base": { "image": "debian:bookworm" },
            "build": build,
        }));
        let check = envc().current_dir(project.path()).arg("check").run();
        assert_eq!(check.code(), 2, "{}", check.stderr());
        assert!(check.stderr().contains(fragment), "{}", check.stderr());
        // The message names the URL without its password (the snippet is the user's own file).
        let message = check.stderr().lines().next().unwrap_or_default().to_owned();
        assert!(
            !message.contains("secret@"),
            "a credential was echoed: {message}"
        );
    }
}
