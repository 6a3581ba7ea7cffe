//! Issue 15, class 4: no proxy, CA bundle, `--secret` or pass-through value in any image envc
//! creates, the intermediate step images included.
//!
//! Regression: the step script, with `export HTTPS_PROXY=http://user:pass@...` in it, was the
//! build container's entrypoint; the engine copies a committed container's config into the
//! image (`container_config`), so every apt/pip/run step image kept the password, visible
//! with `docker inspect` and `docker save`.

use std::io::Read;
use std::process::{Command, Stdio};

use regex::bytes::Regex;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::build::project::{Project, docker, nonce};
use crate::support::{debian, docker as engine, envc, require};

/// The password in the proxy URL: it must be found nowhere.
const PASSWORD: &str = "secretpass";
const SECRET: &str = "s3cret-token-that-must-not-leak";

#[test]
fn proxy_passwords_secrets_and_the_ca_bundle_reach_steps_but_no_image() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    if !require("debootstrap (Debian package)", debian::available()) {
        return;
    }
    let Ok(bundle) = std::fs::read("/etc/ssl/certs/ca-certificates.crt") else {
        require(
            "the host CA bundle /etc/ssl/certs/ca-certificates.crt",
            false,
        );
        return;
    };
    // A base of its own, so that every step really runs.
    let nonce = nonce();
    let base = format!("envc-test/secrets-base-{nonce}:1");
    rt.block_on(engine.tag_image(&debian::bookworm_pip(&rt, &engine), &base))
        .unwrap();
    let project = Project::new(&json!({
        "name": "secrets-test",
        "base": { "image": base },
        "build_host": { "proxy": true, "ca_certificates": true },
        "build": {
            "apt": ["hello"],
            "pip": { "packages": ["six==1.16.0"] },
            "steps": [{
                "name": "sees the host material",
                // The step proves it got the proxy, the secret and the bundle, without
                // writing any of them.
                "run": format!(
                    "case \"$HTTPS_PROXY\" in *@127.0.0.1:9/) ;; *) echo no proxy; exit 1;; esac\n\
                     test -s /dev/envc/secrets/token\n\
                     cmp -s \"$SSL_CERT_FILE\" /dev/envc/ca-certificates.crt\n\
                     echo {nonce} > /nonce"
                ),
            }],
        }
    }));
    let secret = project.write("token.txt", &format!("{SECRET}\n"));
    let proxy = format!("http://user:{PASSWORD}@127.0.0.1:9/");
    // The steps reach Debian's mirror and PyPI directly (the proxy is not listening): the
    // value is lent to them, which is what must not be recorded.
    let direct = "deb.debian.org,pypi.org,files.pythonhosted.org,localhost,127.0.0.1";
    let mut run = envc()
        .current_dir(project.path())
        .args(["build", "--progress", "plain", "--secret"])
        .arg(format!("token={}", secret.display()));
    for name in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"] {
        run = run.env(name, &proxy);
    }
    for name in ["NO_PROXY", "no_proxy"] {
        run = run.env(name, direct);
    }
    let out = run.run().ok();
    let reference = out.lines().next().unwrap().to_owned();
    let events = project.last_build();
    assert_eq!(events.executed.len(), events.len() - 1, "{events:?}");

    // Every image envc made: each step's (the base is not envc's) and the finished one.
    let mut images: Vec<String> = (1..events.len())
        .map(|i| format!("envc/step:{}", events.key(i)))
        .collect();
    images.push(reference.clone());
    // Removed whatever happens: should one hold the test's fake secrets, it leaves nothing
    // on the shared engine.
    let _remove = Untag(images.clone());

    let needles = Regex::new(&format!("{PASSWORD}|{SECRET}")).unwrap();
    for image in &images {
        let inspect = docker(&["image", "inspect", image]);
        assert!(
            !needles.is_match(inspect.as_bytes()),
            "`{image}`: {inspect}"
        );
        for build_only in ["/dev/envc", "SSL_CERT_FILE", "HTTPS_PROXY", "token.txt"] {
            assert!(
                !inspect.contains(build_only),
                "`{build_only}` in `docker inspect {image}`: {inspect}"
            );
        }
        let history = docker(&["history", "--no-trunc", "--format", "{{json .}}", image]);
        assert!(!needles.is_match(history.as_bytes()), "{history}");
        assert!(!history.contains("/dev/envc"), "{history}");
    }
    let scanned = scan_saved(&images, &needles, &bundle);
    assert!(scanned.layers >= images.len(), "{scanned:?}");
    assert!(scanned.configs >= images.len(), "{scanned:?}");
    assert!(
        scanned.layer_files > 1000,
        "the layers were read: {scanned:?}"
    );
    rt.block_on(engine.remove_image(&base, false)).unwrap();
}

/// Removes the tags it holds when dropped.
struct Untag(Vec<String>);

impl Drop for Untag {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .arg("rmi")
            .args(&self.0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[derive(Debug, Default)]
struct Scanned {
    configs: usize,
    layers: usize,
    layer_files: usize,
}

/// `docker save` of `images`, every file of it and of every layer in it searched for
/// `needles`, and no layer file with the CA bundle's content.
fn scan_saved(images: &[String], needles: &Regex, bundle: &[u8]) -> Scanned {
    let bundle_hash: [u8; 32] = Sha256::digest(bundle).into();
    let mut save = Command::new("docker")
        .arg("save")
        .args(images)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut archive = tar::Archive::new(save.stdout.take().unwrap());
    let mut scanned = Scanned::default();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        if path.ends_with("layer.tar") || path.ends_with(".tar") {
            scanned.layers += 1;
            let mut layer = tar::Archive::new(&mut entry);
            for file in layer.entries().unwrap() {
                let mut file = file.unwrap();
                let name = file.path().unwrap().to_string_lossy().into_owned();
                assert!(!name.starts_with("dev/envc"), "`/{name}` is in a layer");
                let mut contents = Vec::new();
                file.read_to_end(&mut contents).unwrap();
                scanned.layer_files += 1;
                assert!(
                    !needles.is_match(&contents),
                    "`/{name}` in a layer of the saved images holds a build-only value"
                );
                if contents.len() == bundle.len() {
                    let digest: [u8; 32] = Sha256::digest(&contents).into();
                    assert_ne!(digest, bundle_hash, "`/{name}` is the host CA bundle");
                }
            }
        } else {
            let mut contents = Vec::new();
            entry.read_to_end(&mut contents).unwrap();
            if path.ends_with(".json") {
                scanned.configs += 1;
            }
            assert!(
                !needles.is_match(&contents),
                "`{path}` of the saved images holds a build-only value: {}",
                String::from_utf8_lossy(&contents)
            );
            assert!(
                !String::from_utf8_lossy(&contents).contains("/dev/envc"),
                "`{path}` names the build-only mounts: {}",
                String::from_utf8_lossy(&contents)
            );
        }
    }
    assert!(save.wait().unwrap().success());
    scanned
}
