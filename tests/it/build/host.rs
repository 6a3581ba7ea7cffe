//! Build-only material (the host CA bundle, build secrets, a step's env) reaches the step and
//! never the image: not its config, not its history, not its files.

use std::io::Read;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::project::{Project, docker, nonce};
use crate::support::{busybox, docker as engine};

/// The host CA bundle the build lends (what `envc` finds first).
pub fn host_bundle() -> Option<Vec<u8>> {
    std::fs::read("/etc/ssl/certs/ca-certificates.crt").ok()
}

/// Assert that `reference` holds no trace of `needles` in its config or history, and no
/// file under `/dev/envc` or with the content of `forbidden`.
pub fn assert_clean(reference: &str, needles: &[&str], forbidden: &[&[u8]]) {
    let config = docker(&[
        "image",
        "inspect",
        "--format",
        "{{json .Config}}",
        reference,
    ]);
    let history = docker(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}} {{.Comment}}",
        reference,
    ]);
    for needle in needles {
        assert!(
            !config.contains(needle),
            "`{needle}` in the image config: {config}"
        );
        assert!(
            !history.contains(needle),
            "`{needle}` in the image history: {history}"
        );
    }
    let config: Value = serde_json::from_str(&config).unwrap();
    let env = config["Env"].as_array().cloned().unwrap_or_default();
    for var in [
        "SSL_CERT_FILE",
        "PIP_CERT",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
    ] {
        assert!(
            !env.iter()
                .any(|e| e.as_str().unwrap().starts_with(&format!("{var}="))),
            "{var} in the image env: {env:?}"
        );
    }

    let container = docker(&["create", reference, "true"]);
    let container = container.trim();
    let mut export = Command::new("docker")
        .args(["export", container])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut archive = tar::Archive::new(export.stdout.take().unwrap());
    let hashes: Vec<(usize, [u8; 32])> = forbidden
        .iter()
        .map(|f| (f.len(), Sha256::digest(f).into()))
        .collect();
    let mut entries = 0;
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        entries += 1;
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        assert!(!path.starts_with("dev/envc"), "`/{path}` is in the image");
        let size = entry.header().size().unwrap() as usize;
        if hashes.iter().any(|(len, _)| *len == size) {
            let mut contents = Vec::new();
            entry.read_to_end(&mut contents).unwrap();
            let digest: [u8; 32] = Sha256::digest(&contents).into();
            assert!(
                !hashes.iter().any(|(_, h)| *h == digest),
                "`/{path}` holds build-only content"
            );
        }
    }
    assert!(export.wait().unwrap().success());
    assert!(entries > 10, "the export listed the filesystem");
    docker(&["rm", container]);
}

#[test]
fn ca_bundle_secrets_and_step_env_reach_the_step_but_not_the_image() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    let Some(bundle) = host_bundle() else {
        crate::support::require(
            "the host CA bundle /etc/ssl/certs/ca-certificates.crt",
            false,
        );
        return;
    };
    let base = busybox::image(&rt, &engine);
    let nonce = nonce();
    let project = Project::new(&json!({
        "name": "host-test",
        "base": { "image": base },
        "build_host": { "ca_certificates": true },
        "build": {
            "steps": [{
                "name": "use host material",
                "env": { "STEP_ONLY": "step-only-value" },
                "run": format!(
                    "test -s \"$SSL_CERT_FILE\" && test \"$PIP_CERT\" = \"$SSL_CERT_FILE\" \
                     && wc -c < \"$REQUESTS_CA_BUNDLE\" > /bundle-size \
                     && cat /dev/envc/secrets/token > /token-seen \
                     && echo \"$STEP_ONLY\" > /step-env && echo {nonce} > /nonce"
                ),
            }]
        }
    }));
    let secret = project.write("secret-token.txt", "s3cret-value-that-must-not-leak\n");
    let run = project.build(&["--secret", &format!("token={}", secret.display())]);
    let out = run.ok();
    let reference = out.lines().next().unwrap();

    // The step saw everything.
    let seen = docker(&[
        "run",
        "--rm",
        reference,
        "cat",
        "/bundle-size",
        "/token-seen",
        "/step-env",
    ]);
    let mut lines = seen.lines();
    assert_eq!(lines.next().unwrap().trim(), bundle.len().to_string());
    assert_eq!(lines.next().unwrap(), "s3cret-value-that-must-not-leak");
    assert_eq!(lines.next().unwrap(), "step-only-value");

    // The image has none of it (the secret's value is in /token-seen by the step's own doing,
    // so only the bundle is checked by content).
    assert_clean(
        reference,
        &["STEP_ONLY", "/dev/envc", "SSL_CERT_FILE", "secret-token"],
        &[&bundle],
    );
}
