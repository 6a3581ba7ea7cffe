//! Which registry a run uses (flag > `ENVC_CACHE_REGISTRY` > `cache.registry`), and bad
//! values of each: input errors (exit 2) that say where and what, before anything runs.

use serde_json::json;

use super::{Project, base, prefix};
use crate::support::{envc, registry};

#[test]
fn a_bad_cache_registry_in_the_config_points_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("envc.nix"),
        "{\n  name = \"demo\";\n  base.image = \"debian:bookworm\";\n  cache.registry = \"ftp://cache.example.org/x\";\n}\n",
    )
    .unwrap();
    let out = envc().arg("check").current_dir(dir.path()).run();
    assert_eq!(out.code(), 2, "{}", out.stderr());
    let err = out.stderr();
    assert!(err.contains("envc.nix:4:"), "{err}");
    assert!(err.contains("ftp://"), "{err}");
    for hostile in [
        "cache.example.org/x:latest",
        "user:pw@cache.example.org/x",
        "cache.example.org/../x",
        "cache.example.org/x\nINJECTED",
        "team/cache",
    ] {
        let config = json!({"name": "demo", "base": {"image": "debian:bookworm"},
                            "cache": {"registry": hostile}});
        std::fs::write(dir.path().join("envc.json"), config.to_string()).unwrap();
        let out = envc()
            .args(["check", "-f", "envc.json"])
            .current_dir(dir.path())
            .run();
        assert_eq!(out.code(), 2, "{hostile}: {}", out.stderr());
        assert!(
            out.stderr().contains("cache.registry") || out.stderr().contains("registry"),
            "{}",
            out.stderr()
        );
    }
}

#[test]
fn a_bad_flag_or_variable_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"name": "demo", "base": {"image": "debian:bookworm"}});
    std::fs::write(dir.path().join("envc.json"), config.to_string()).unwrap();
    let flag = envc()
        .args(["push", "--cache-registry", "not a registry"])
        .current_dir(dir.path())
        .run();
    assert_eq!(flag.code(), 2, "{}", flag.stderr());
    let variable = envc()
        .args(["pull"])
        .env("ENVC_CACHE_REGISTRY", "Bad/Registry")
        .current_dir(dir.path())
        .run();
    assert_eq!(variable.code(), 2, "{}", variable.stderr());
    assert!(
        variable.stderr().contains("ENVC_CACHE_REGISTRY"),
        "{}",
        variable.stderr()
    );
    let none = envc()
        .args(["pull"])
        .env_remove_cache()
        .current_dir(dir.path())
        .run();
    assert_eq!(none.code(), 2, "{}", none.stderr());
    assert!(
        none.stderr().contains("no cache registry"),
        "{}",
        none.stderr()
    );
    let contradiction = envc()
        .args([
            "pull",
            "--insecure",
            "--cache-registry",
            "https://cache.example.org/x",
        ])
        .current_dir(dir.path())
        .run();
    assert_eq!(contradiction.code(), 2, "{}", contradiction.stderr());
}

#[test]
fn the_flag_beats_the_variable_which_beats_the_config() {
    let Some(base) = base() else { return };
    let registry = registry::shared();
    let good = prefix(registry);
    // Nothing listens there: a run that uses it warns and builds.
    let dead = "http://127.0.0.1:9/nothing";
    let project = Project::with(&base, |c| c["cache"] = json!({ "registry": dead }));
    project.build(&["--push", "--cache-registry", &good]);
    let uses = |out: &crate::support::Run, registry: &str| {
        out.stderr()
            .contains(&format!("cache registry `{registry}`"))
    };
    project.wipe();
    let from_config = project
        .envc(&["build", "--progress", "plain"])
        .env_remove_cache()
        .run();
    from_config.ok();
    assert!(uses(&from_config, dead), "{}", from_config.stderr());
    project.wipe();
    let from_env = project
        .envc(&["build", "--progress", "plain"])
        .env("ENVC_CACHE_REGISTRY", &good)
        .run();
    from_env.ok();
    assert!(uses(&from_env, &good), "{}", from_env.stderr());
    project.wipe();
    let from_flag = project
        .envc(&["build", "--progress", "plain", "--cache-registry", &good])
        .env("ENVC_CACHE_REGISTRY", dead)
        .run();
    from_flag.ok();
    assert!(uses(&from_flag, &good), "{}", from_flag.stderr());
}

trait RemoveCache {
    fn env_remove_cache(self) -> Self;
}

impl RemoveCache for crate::support::Envc {
    fn env_remove_cache(self) -> Self {
        self.env("ENVC_CACHE_REGISTRY", "")
    }
}
