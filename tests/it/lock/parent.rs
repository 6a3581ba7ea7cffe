//! `envc lock` resolves pip requirements where the pip step runs: on the base with the apt
//! packages installed, not on the bare base. The user's base has no Python; apt installs
//! `python3-pip`, then pip installs their package.

use serde_json::json;

use crate::build::project::{Project, docker, nonce};
use crate::support::{debian, docker as engine, require};

#[test]
fn pip_is_locked_in_the_image_apt_made() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    if !require("debootstrap (Debian package)", debian::available()) {
        return;
    }
    let bundle = std::path::Path::new("/etc/ssl/certs/ca-certificates.crt");
    if !require("the host CA bundle", bundle.is_file()) {
        return;
    }
    let nonce = nonce();
    // A base of its own, so that no earlier run's apt or pip step image has this run's
    // keys: what is cached below was built by this `envc lock`.
    let base = debian::fresh_base(&debian::bookworm(&rt, &engine), "bare-base");
    let project = Project::new(&json!({
        "name": "pip-parent",
        "base": { "image": base },
        "build_host": { "ca_certificates": true },
        "build": {
            "apt": ["python3-pip"],
            "pip": { "packages": ["six==1.16.0"] },
            "files": { "/etc/envc-nonce": { "text": nonce } },
        }
    }));
    let run = crate::support::envc()
        .current_dir(project.path())
        .arg("lock")
        .run();
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(project.path().join("envc.lock")).unwrap())
            .unwrap();
    let six = &lock["default"]["image"]["pip"]["six"];
    assert_eq!(six["version"], "1.16.0", "{lock}");
    assert!(
        lock["default"]["image"]["apt"]["python3-pip"].is_string(),
        "{lock}"
    );

    // The build sees what the lock saw: the apt step is the image lock built (a cache
    // hit), and pip installs the locked, hash-checked requirement on it.
    let out = project.build(&[]).ok();
    let events = project.last_build();
    let apt = events.index_of("apt");
    assert!(events.cached.contains(&apt), "{events:?}");
    assert!(
        events.executed.contains(&events.index_of("pip")),
        "{events:?}"
    );
    let reference = out.lines().next().unwrap();
    assert_eq!(
        docker(&[
            "run",
            "--rm",
            reference,
            "python3",
            "-c",
            "import six; print(six.__version__)"
        ]),
        "1.16.0\n"
    );
    rt.block_on(engine.remove_image(&base, false)).unwrap();
}
