//! Issue 15, class 9: `envc gc` reached every project on the engine (22.7 GB, the image of
//! a running environment included). gc in one project removes only that project's images
//! that nothing current needs; `--dry-run` lists; `--all-projects` is explicit.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::build::project::{Project, image_exists, nonce};
use crate::support::{busybox, docker as engine, envc};

fn config(name: &str, base: &str, step: &str) -> Value {
    json!({
        "name": name,
        "base": { "image": base },
        "run": { "user": { "mode": "root" } },
        "build": { "steps": [{ "name": "mark", "run": format!("echo {step} > /mark") }] },
    })
}

/// Build `config` in `project` and return the finished image's reference.
fn build(project: &Project, config: &Value) -> String {
    project.config(config);
    let out = project.build(&[]).ok();
    out.lines().next().unwrap().to_owned()
}

#[test]
fn gc_in_one_project_leaves_other_projects_and_running_environments() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &engine);
    let (a_name, b_name) = (engine::unique_name("gc-a"), engine::unique_name("gc-b"));
    let n = nonce();
    let a = Project::new(&json!({}));
    let b = Project::new(&json!({}));
    let _cleanup = Cleanup(a.path().to_path_buf());
    let old = build(&a, &config(&a_name, &base, &format!("a0 {n}")));
    let running = build(&a, &config(&a_name, &base, &format!("a1 {n}")));
    envc().current_dir(a.path()).arg("up").run().ok();
    let current = build(&a, &config(&a_name, &base, &format!("a2 {n}")));
    let other = build(&b, &config(&b_name, &base, &format!("b {n}")));
    let images = [&old, &running, &current, &other];
    let _untag = Untag(
        a.path().to_path_buf(),
        images.iter().map(|s| s.to_string()).collect(),
    );

    let dry = envc().current_dir(a.path()).args(["gc", "--dry-run"]).run();
    let listed = dry.ok();
    assert!(listed.contains(&old), "{listed}");
    for kept in [&running, &current, &other] {
        assert!(!listed.contains(kept.as_str()), "{kept}: {listed}");
    }
    assert!(
        images.iter().all(|i| image_exists(i)),
        "dry run removed nothing"
    );

    envc().current_dir(a.path()).arg("gc").run().ok();
    assert!(!image_exists(&old), "A's unused image is removed");
    assert!(
        image_exists(&running),
        "the running environment's image stays"
    );
    assert!(image_exists(&current), "A's current image stays");
    assert!(image_exists(&other), "project B's image stays");
    // Still there for B: its whole chain, so B's next build runs no step.
    let again = b.build(&[]).ok();
    assert_eq!(again.lines().next().unwrap(), other);
    assert!(b.last_build().executed.is_empty(), "{:?}", b.last_build());

    // `--all-projects` is explicit, and then reaches B.
    let all = envc()
        .current_dir(a.path())
        .args(["gc", "--dry-run", "--all-projects"])
        .run()
        .ok();
    assert!(all.contains(&other), "{all}");
    assert!(!all.contains(&running), "{all}");
}

/// `envc down` and remove the images whatever happens.
struct Cleanup(std::path::PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_envc"))
            .arg("down")
            .current_dir(Path::new(&self.0))
            .stdin(Stdio::null())
            .output();
    }
}

/// `envc down` in the project, then remove the images.
struct Untag(std::path::PathBuf, Vec<String>);

impl Drop for Untag {
    fn drop(&mut self) {
        drop(Cleanup(self.0.clone()));
        let _ = Command::new("docker")
            .arg("rmi")
            .args(&self.1)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
