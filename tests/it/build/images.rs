//! `envc images` marks the current config's image; `envc gc --dry-run` offers the images of
//! an older config and never the current one's. (`gc` itself is not run here: the engine is
//! shared with other tests, whose images it would rightly remove.)

use serde_json::json;

use super::project::{Project, nonce};
use crate::support::{busybox, docker as engine, envc};

#[test]
fn images_marks_the_current_image_and_gc_offers_only_old_ones() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let base = busybox::image(&rt, &engine);
    let config = |text: &str| {
        json!({
            "name": "images-test",
            "base": { "image": base },
            "build": { "files": { "/etc/version": { "text": text } } }
        })
    };
    let nonce = nonce();
    let project = Project::new(&config(&format!("old {nonce}")));
    let old = project.build(&[]).ok();
    let old = old.lines().next().unwrap().to_owned();
    project.config(&config(&format!("new {nonce}")));
    let new = project.build(&[]).ok();
    let new = new.lines().next().unwrap().to_owned();

    let images = envc().arg("images").current_dir(project.path()).run().ok();
    let line = |reference: &str| {
        images
            .lines()
            .find(|l| l.starts_with(reference))
            .unwrap_or_else(|| panic!("`{reference}` not listed:\n{images}"))
            .to_owned()
    };
    assert!(line(&new).ends_with("yes"), "{images}");
    assert!(!line(&old).ends_with("yes"), "{images}");

    let gc = envc()
        .args(["gc", "--dry-run"])
        .current_dir(project.path())
        .run()
        .ok();
    assert!(gc.contains(&format!("would remove {old}")), "{gc}");
    assert!(!gc.contains(&new), "{gc}");
}
