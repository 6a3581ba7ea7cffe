//! Files and steps in the order the user wrote them (`files.<target>.after`): the dual-mode
//! user's code file placed after the expensive step, so that editing the code re-runs only
//! what follows it, in envc's executor, and in the Dockerfile and `.def` emitted from it.

use serde_json::json;

use super::project::{Project, docker, nonce};
use crate::support::{busybox, docker as engine, envc};

fn busybox_base() -> Option<String> {
    let rt = engine::runtime();
    let engine = engine::engine(&rt)?;
    Some(busybox::image(&rt, &engine))
}

/// A source build of a dependency (slow, reads only its pin file) and the project's code,
/// which changes every day, placed after it.
fn config(base: &str, nonce: &str) -> serde_json::Value {
    json!({
        "name": "order-test",
        "base": { "image": base },
        "build": {
            "files": {
                "/opt/deps/pins.txt": { "text": format!("dep 1.0 {nonce}\n") },
                "/opt/app": { "source": "app", "after": "build deps" },
                "/opt/app.conf": { "source": "app.conf", "after": "install app" },
            },
            "steps": [
                {
                    "name": "build deps",
                    // The code is not there yet: this step cannot depend on it.
                    "run": "test ! -e /opt/app && cat /opt/deps/pins.txt > /opt/deps/built"
                },
                { "name": "install app", "run": "cat /opt/app/main.py > /installed" },
            ],
        }
    })
}

fn project(base: &str) -> Project {
    let project = Project::new(&config(base, &nonce()));
    project.write("app/main.py", "print('v1')\n");
    project.write("app.conf", "level = 1\n");
    project
}

#[test]
fn files_and_steps_run_in_the_written_order() {
    let Some(base) = busybox_base() else { return };
    let project = project(&base);
    project.build(&[]).ok();
    let events = project.last_build();
    let labels: Vec<String> = events.plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        labels[1..],
        [
            "file /opt/deps/pins.txt",
            "run build deps",
            "file /opt/app",
            "run install app",
            "file /opt/app.conf",
            "image config",
        ],
        "{labels:?}"
    );
}

#[test]
fn editing_a_late_file_reruns_only_the_steps_after_it() {
    let Some(base) = busybox_base() else { return };
    let project = project(&base);
    project.build(&[]).ok();

    project.write("app/main.py", "print('v2')\n");
    let out = project.build(&[]).ok();
    let events = project.last_build();
    let deps = events.index_of("run build deps");
    let code = events.index_of("file /opt/app");
    assert_eq!(code, deps + 1);
    // The expensive step and everything before it come from the cache; the code file and
    // every step after it run again.
    assert_eq!(events.cached.iter().max(), Some(&deps), "{events:?}");
    assert_eq!(
        events.executed,
        (code..events.len()).collect::<Vec<_>>(),
        "{events:?}"
    );
    let reference = out.lines().next().unwrap();
    assert_eq!(
        docker(&["run", "--rm", reference, "cat", "/installed"]),
        "print('v2')\n"
    );

    // The last file is after the last step: editing it re-runs no step at all.
    project.write("app.conf", "level = 2\n");
    project.build(&[]).ok();
    let events = project.last_build();
    let conf = events.index_of("file /opt/app.conf");
    assert_eq!(
        events.executed,
        (conf..events.len()).collect::<Vec<_>>(),
        "{events:?}"
    );
}

#[test]
fn the_dockerfile_and_the_def_place_files_where_the_plan_does() {
    let Some(base) = busybox_base() else { return };
    let project = project(&base);
    let out = project.path().join("out");
    envc()
        .current_dir(project.path())
        .args(["emit", "--out"])
        .arg(&out)
        .run()
        .ok();
    let dockerfile = std::fs::read_to_string(out.join("Dockerfile")).unwrap();
    let at = |text: &str, what: &str| {
        text.find(what)
            .unwrap_or_else(|| panic!("no `{what}` in\n{text}"))
    };
    assert!(at(&dockerfile, "build deps") < at(&dockerfile, "/opt/app/"));
    assert!(at(&dockerfile, "/opt/app/") < at(&dockerfile, "/installed"));

    // Apptainer copies `%files` before `%post`: the late file waits in a staging folder
    // and moves to its target between the two steps.
    let def = std::fs::read_to_string(out.join("apptainer.def")).unwrap();
    let post = at(&def, "%post");
    assert!(at(&def, "/.envc-files/") < post, "{def}");
    let deps = at(&def, "/opt/deps/built");
    let moved = def[post..].find("cp -a /.envc-files/").unwrap() + post;
    assert!(deps < moved && moved < at(&def, "/installed"), "{def}");
    assert!(def.contains("rmdir /.envc-files"), "{def}");
}
