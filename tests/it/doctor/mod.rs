//! `envc doctor`: every check reported with name, status, summary and hint, in a stable
//! JSON shape; each check broken on purpose fails (or warns) with its hint; exit 0 when
//! nothing fails, 1 when something does; secrets never printed.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::{self, Envc, http::FileServer, registry};

/// The checks, in the order `envc doctor` runs them (part of the `--json` contract).
const CHECKS: &[&str] = &[
    "docker",
    "docker-access",
    "apptainer",
    "user-namespaces",
    "debootstrap",
    "disk",
    "proxy",
    "ca-certificates",
    "gpu",
    "cache-registry",
    "config",
];

/// `envc doctor --json` in `dir` with `setup` applied; (exit code, report).
fn doctor(dir: &Path, setup: impl FnOnce(Envc) -> Envc) -> (i32, Value) {
    let cmd = support::envc()
        .current_dir(dir)
        .args(["doctor", "--json"])
        .env("ENVC_APPTAINER", "");
    let run = setup(cmd).run();
    let report: Value = serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("doctor --json: {e}\n{}\n{}", run.stdout(), run.stderr()));
    (run.code(), report)
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check `{name}` in {report}"))
}

fn no_proxy(cmd: Envc) -> Envc {
    [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ]
    .iter()
    .fold(cmd, |c, v| c.env(v, ""))
}

#[test]
fn doctor_json_lists_every_check_in_a_stable_shape() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = doctor(dir.path(), no_proxy);
    assert_eq!(report["schema"], 1);
    let checks = report["checks"].as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, CHECKS);
    for c in checks {
        let status = c["status"].as_str().unwrap();
        assert!(["pass", "warn", "fail"].contains(&status), "{c}");
        assert!(!c["summary"].as_str().unwrap().is_empty(), "{c}");
        assert_eq!(
            c["hint"].is_string(),
            status != "pass",
            "a hint exactly when not passing: {c}"
        );
        assert_eq!(
            c.as_object().unwrap().len(),
            4,
            "name, status, summary, hint: {c}"
        );
    }
    let worst = if checks.iter().any(|c| c["status"] == "fail") {
        "fail"
    } else if checks.iter().any(|c| c["status"] == "warn") {
        "warn"
    } else {
        "pass"
    };
    assert_eq!(report["status"], worst);
    assert_eq!(code, if worst == "fail" { 1 } else { 0 }, "{report}");
    // No config here: a warning that names `envc init`, not a failure.
    let config = check(&report, "config");
    assert_eq!(config["status"], "warn");
    assert!(config["hint"].as_str().unwrap().contains("envc init"));
}

#[test]
fn doctor_text_output_shows_status_and_hints() {
    let dir = tempfile::tempdir().unwrap();
    let run = support::envc()
        .current_dir(dir.path())
        .arg("doctor")
        .env("DOCKER_HOST", "unix:///nonexistent/envc-doctor.sock")
        .run();
    assert_eq!(run.code(), 1);
    let out = run.stdout();
    assert!(out.contains("FAIL  docker "), "{out}");
    assert!(
        out.contains("hint: no socket at `/nonexistent/envc-doctor.sock`"),
        "{out}"
    );
}

#[test]
fn doctor_fails_without_an_engine() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = doctor(dir.path(), |c| {
        c.env("DOCKER_HOST", "unix:///nonexistent/envc-doctor.sock")
    });
    assert_eq!(code, 1);
    let docker = check(&report, "docker");
    assert_eq!(docker["status"], "fail");
    assert!(
        docker["hint"]
            .as_str()
            .unwrap()
            .contains("start the engine"),
        "{docker}"
    );
    assert_eq!(check(&report, "docker-access")["status"], "fail");
    // A TCP endpoint nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, report) = doctor(dir.path(), |c| {
        c.env("DOCKER_HOST", format!("tcp://127.0.0.1:{port}"))
    });
    assert_eq!(code, 1);
    assert_eq!(check(&report, "docker")["status"], "fail");
}

#[test]
fn doctor_apptainer_fails_only_when_the_config_needs_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = "/nonexistent-bin";
    let (_, report) = doctor(dir.path(), |c| c.env("PATH", path));
    let apptainer = check(&report, "apptainer");
    assert_eq!(apptainer["status"], "warn", "{apptainer}");
    std::fs::write(
        dir.path().join("envc.json"),
        r#"{ "name": "needs-apptainer", "base": { "image": "debian:bookworm" },
             "targets": { "apptainer": { "enable": true } } }"#,
    )
    .unwrap();
    let (code, report) = doctor(dir.path(), |c| c.env("PATH", path));
    let apptainer = check(&report, "apptainer");
    assert_eq!(apptainer["status"], "fail", "{apptainer}");
    assert!(
        apptainer["hint"]
            .as_str()
            .unwrap()
            .contains("ENVC_APPTAINER"),
        "{apptainer}"
    );
    assert_eq!(code, 1);
    assert_eq!(check(&report, "config")["status"], "pass");
    // A debootstrap base needs debootstrap.
    std::fs::write(
        dir.path().join("envc.json"),
        r#"{ "name": "needs-debootstrap", "base": { "debootstrap": { "suite": "trixie" } } }"#,
    )
    .unwrap();
    let (_, report) = doctor(dir.path(), |c| c.env("PATH", path));
    // The sbin folders are looked in too (root's tools); only absent there is it missing.
    let deboot = check(&report, "debootstrap");
    if !Path::new("/usr/sbin/debootstrap").exists() {
        assert_eq!(deboot["status"], "fail", "{deboot}");
    }
}

#[test]
fn doctor_proxy_checks_shape_and_hides_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = doctor(dir.path(), |c| {
        no_proxy(c).env("HTTPS_PROXY", "proxy.corp:3128")
    });
    let proxy = check(&report, "proxy");
    assert_eq!(proxy["status"], "fail", "{proxy}");
    assert!(
        proxy["summary"].as_str().unwrap().contains("has no scheme"),
        "{proxy}"
    );
    assert!(
        proxy["hint"].as_str().unwrap().contains("http://"),
        "{proxy}"
    );
    assert_eq!(code, 1);

    let secret = "s3cr3t-pa55";
    let url = format!("http://alice:{secret}@proxy.corp:3128");
    let (_, report) = doctor(dir.path(), |c| no_proxy(c).env("HTTPS_PROXY", &url));
    let proxy = check(&report, "proxy");
    assert_eq!(proxy["status"], "warn", "{proxy}");
    assert!(
        proxy["summary"]
            .as_str()
            .unwrap()
            .contains("http://***@proxy.corp:3128"),
        "{proxy}"
    );
    let run = support::envc()
        .current_dir(dir.path())
        .arg("doctor")
        .env("HTTPS_PROXY", &url)
        .env(
            "ENVC_CACHE_REGISTRY",
            format!("http://alice:{secret}@127.0.0.1:1"),
        )
        .run();
    for text in [run.stdout(), run.stderr(), report.to_string()] {
        assert!(!text.contains(secret), "the password leaked: {text}");
        assert!(!text.contains("alice"), "the user name leaked: {text}");
    }
}

#[test]
fn doctor_disk_fails_on_a_missing_or_full_cache() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let (code, report) = doctor(dir.path(), |c| c.env("XDG_CACHE_HOME", file.join("cache")));
    let disk = check(&report, "disk");
    assert_eq!(disk["status"], "fail", "{disk}");
    assert!(
        disk["summary"]
            .as_str()
            .unwrap()
            .contains("is not a folder"),
        "{disk}"
    );
    assert!(
        disk["hint"].as_str().unwrap().contains("XDG_CACHE_HOME"),
        "{disk}"
    );
    assert_eq!(code, 1);
    // "Full": less free than the minimum asked for.
    let (_, report) = doctor(dir.path(), |c| {
        c.env("XDG_CACHE_HOME", dir.path())
            .env("ENVC_MIN_FREE_DISK", u64::MAX.to_string())
    });
    let disk = check(&report, "disk");
    assert_eq!(disk["status"], "fail", "{disk}");
    assert!(disk["hint"].as_str().unwrap().contains("envc gc"), "{disk}");
    // A missing cache folder that can be made is fine.
    let (_, report) = doctor(dir.path(), |c| {
        c.env("XDG_CACHE_HOME", dir.path().join("not/yet"))
            .env("ENVC_MIN_FREE_DISK", "1")
    });
    assert_eq!(check(&report, "disk")["status"], "pass");
}

#[test]
fn doctor_ca_check_fails_on_a_bundle_that_is_not_there() {
    let dir = tempfile::tempdir().unwrap();
    let (_, report) = doctor(dir.path(), |c| {
        c.env("SSL_CERT_FILE", "/nonexistent/ca.pem")
    });
    let ca = check(&report, "ca-certificates");
    assert_eq!(ca["status"], "fail", "{ca}");
    assert!(
        ca["hint"].as_str().unwrap().contains("SSL_CERT_FILE"),
        "{ca}"
    );
}

#[test]
fn doctor_config_failure_points_at_envc_check() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("envc.nix"), "{ name = \"x\"; base = ; }\n").unwrap();
    let (code, report) = doctor(dir.path(), |c| c);
    let config = check(&report, "config");
    assert_eq!(config["status"], "fail", "{config}");
    assert!(
        config["hint"].as_str().unwrap().contains("envc check"),
        "{config}"
    );
    assert_eq!(code, 1);
    std::fs::write(
        dir.path().join("envc.nix"),
        "{ name = \"x\"; base.image = \"debian:bookworm\"; build.apt = [ \"Not A Package\" ]; }\n",
    )
    .unwrap();
    let (_, report) = doctor(dir.path(), |c| c);
    assert_eq!(check(&report, "config")["status"], "fail");
}

#[test]
fn doctor_cache_registry_is_reached_with_a_get_of_v2() {
    let dir = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, report) = doctor(dir.path(), |c| {
        c.env("ENVC_CACHE_REGISTRY", format!("127.0.0.1:{closed}"))
    });
    let reg = check(&report, "cache-registry");
    assert_eq!(reg["status"], "fail", "{reg}");
    assert!(
        reg["hint"]
            .as_str()
            .unwrap()
            .contains("ENVC_CACHE_REGISTRY"),
        "{reg}"
    );
    assert_eq!(code, 1);
    // An HTTP server that is not a registry.
    let mut server = FileServer::start(BTreeMap::new());
    let base = server.url("");
    let (_, report) = doctor(dir.path(), |c| {
        c.env("ENVC_CACHE_REGISTRY", base.trim_end_matches('/'))
    });
    assert_eq!(check(&report, "cache-registry")["status"], "fail");
    server.stop();
    // The reference registry answers.
    if support::require(
        "docker-registry (Debian; scripts/setup)",
        registry::available(),
    ) {
        let reg = registry::Registry::start();
        let (_, report) = doctor(dir.path(), |c| c.env("ENVC_CACHE_REGISTRY", reg.address()));
        let check = check(&report, "cache-registry");
        assert_eq!(check["status"], "pass", "{check}");
        assert!(
            check["summary"].as_str().unwrap().contains("registry/2.0"),
            "{check}"
        );
    }
}
