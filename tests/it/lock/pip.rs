use std::path::PathBuf;

use envc::lock::resolve::{PipOptions, download_sha256, pip_lock};

use crate::support::{debian, docker};

/// The host's bundle: PyPI is reached through TLS interception on these machines.
fn host_ca_bundle() -> Option<PathBuf> {
    let path = PathBuf::from("/etc/ssl/certs/ca-certificates.crt");
    path.exists().then_some(path)
}

#[test]
fn pip_requirements_resolve_to_versions_and_the_files_hashes() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    if !crate::support::require("debootstrap", debian::available()) {
        return;
    }
    let image = debian::bookworm_pip(&rt, &engine);
    let options = PipOptions {
        ca_bundle: host_ca_bundle(),
        ..Default::default()
    };
    let requirements = vec!["requests==2.31.0".to_string(), "six".to_string()];
    let packages = rt
        .block_on(pip_lock(&engine, &image, &requirements, &options))
        .unwrap();
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    // requests' dependencies come with it, sorted by name.
    for dep in [
        "certifi",
        "charset-normalizer",
        "idna",
        "requests",
        "six",
        "urllib3",
    ] {
        assert!(names.contains(&dep), "{dep} missing from {names:?}");
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let requests = packages.iter().find(|p| p.name == "requests").unwrap();
    assert_eq!(requests.version, "2.31.0");
    // The hash is the file's: download it independently and compare.
    let downloaded = rt.block_on(download_sha256(&requests.url)).unwrap();
    assert_eq!(
        requests.hashes,
        vec![format!("sha256:{}", downloaded.sha256)]
    );
    // charset-normalizer ships per-platform wheels: the target's interpreter chose one.
    let charset = packages
        .iter()
        .find(|p| p.name == "charset-normalizer")
        .unwrap();
    assert!(
        charset.url.contains("cp311") || charset.url.ends_with("py3-none-any.whl"),
        "{}",
        charset.url
    );
}

#[test]
fn an_unresolvable_requirement_fails_with_pips_reason() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    if !crate::support::require("debootstrap", debian::available()) {
        return;
    }
    let image = debian::bookworm_pip(&rt, &engine);
    let options = PipOptions {
        ca_bundle: host_ca_bundle(),
        ..Default::default()
    };
    let error = rt
        .block_on(pip_lock(
            &engine,
            &image,
            &["requests==0.0.0.404".to_string()],
            &options,
        ))
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("No matching distribution found for requests==0.0.0.404"),
        "{message}"
    );
}
