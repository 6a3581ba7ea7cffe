//! Installed = locked: a package a `run` step installs is named, with its step, as a failed
//! `envc verify` check (real engine, Debian bookworm).

use serde_json::json;

use crate::build::project::{Project, nonce};
use crate::support::docker::{self as engine, unique_name};
use crate::support::{debian, envc, require};

#[test]
fn verify_names_a_package_a_run_step_installed_and_its_step() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    if !require("debootstrap (Debian package)", debian::available()) {
        return;
    }
    let nonce = nonce();
    let base = debian::fresh_base(&debian::bookworm(&rt, &engine), "drift-base");
    let project = Project::new(&json!({
        "name": unique_name("drift"),
        "base": { "image": base },
        "build": {
            "apt": ["hello"],
            "files": { "/etc/envc-nonce": { "text": nonce } },
            "steps": [{
                "name": "sneak",
                "run": "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tree && rm -rf /var/lib/apt/lists/*",
            }],
        }
    }));
    let run = |args: &[&str]| envc().args(args).current_dir(project.path()).run();
    run(&["lock"]).ok();
    project.build(&[]).ok();
    let out = run(&["verify"]);
    let text = out.stdout();
    assert_eq!(out.code(), 1, "{text}{}", out.stderr());
    assert!(text.contains("FAIL  installed = locked"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("`tree`"))
        .unwrap_or_else(|| panic!("tree named in {text}"));
    assert!(line.contains("is installed but not locked"), "{line}");
    assert!(line.contains("run sneak"), "{line}");
    // hello is locked and installed as locked: not named.
    assert!(!text.contains("`hello`"), "{text}");
    // The other checks still pass: only the lock's promise is broken.
    assert!(text.contains("pass  key integrity"), "{text}");
    rt.block_on(engine.remove_image(&base, false)).unwrap();
}
