//! `envc lock --check` notices an edited lock (issue 15, item 13): a base digest changed by
//! hand in `envc.lock` was "up to date", and a build used it.

use serde_json::{Value, json};

use crate::build::project::Project;
use crate::support::{busybox, docker as engine, envc};

fn locked_project(variants: Value) -> Option<Project> {
    let rt = engine::runtime();
    let engine = engine::engine(&rt)?;
    let base = busybox::image(&rt, &engine);
    let project = Project::new(&json!({
        "name": engine::unique_name("lockcheck"),
        "base": { "image": base },
        "variants": variants,
    }));
    let lock = envc().current_dir(project.path()).arg("lock").run();
    assert_eq!(lock.code(), 0, "{}", lock.stderr());
    let check = envc()
        .current_dir(project.path())
        .args(["lock", "--check"])
        .run();
    assert_eq!(check.code(), 0, "{}", check.stderr());
    Some(project)
}

fn edit_lock(project: &Project, edit: impl FnOnce(&mut Value)) {
    let path = project.path().join("envc.lock");
    let mut lock: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut lock);
    std::fs::write(&path, serde_json::to_string_pretty(&lock).unwrap()).unwrap();
}

#[test]
fn an_edited_base_digest_is_stale() {
    let Some(project) = locked_project(json!({})) else {
        return;
    };
    edit_lock(&project, |lock| {
        let digest = &mut lock["default"]["image"]["base"]["image"]["digest"];
        let forged = format!("sha256:{}", "0".repeat(64));
        assert!(digest.is_string(), "no base digest in the lock");
        assert_ne!(*digest, json!(forged));
        *digest = json!(forged);
    });
    let check = envc()
        .current_dir(project.path())
        .args(["lock", "--check"])
        .run();
    assert_eq!(check.code(), 1, "{}", check.stderr());
    assert!(
        check.stderr().contains("edited by hand"),
        "{}",
        check.stderr()
    );
    // A build refuses it instead of building from another image.
    let build = project.build(&[]);
    assert_eq!(build.code(), 2, "{}", build.stderr());
    assert!(build.stderr().contains("stale"), "{}", build.stderr());
}

#[test]
fn an_entry_whose_config_checksum_does_not_match_is_stale() {
    let Some(project) = locked_project(json!({})) else {
        return;
    };
    edit_lock(&project, |lock| {
        lock["default"]["config"] = json!(format!("sha256:{}", "1".repeat(64)));
    });
    let check = envc()
        .current_dir(project.path())
        .args(["lock", "--check"])
        .run();
    assert_eq!(check.code(), 1, "{}", check.stderr());
    assert!(
        check.stderr().contains("`config` checksum"),
        "{}",
        check.stderr()
    );
}

#[test]
fn an_entry_for_a_removed_variant_is_reported() {
    let Some(project) = locked_project(json!({ "extra": {} })) else {
        return;
    };
    let mut config: Value =
        serde_json::from_str(&std::fs::read_to_string(project.path().join("envc.json")).unwrap())
            .unwrap();
    config["variants"] = json!({});
    project.config(&config);
    let check = envc()
        .current_dir(project.path())
        .args(["lock", "--check"])
        .run();
    assert_eq!(check.code(), 1, "{}", check.stderr());
    assert!(
        check.stderr().contains("variant `extra` has an entry"),
        "{}",
        check.stderr()
    );
}
