//! `envc sbom` and `envc provenance` of a real build (apt and pip on Debian bookworm),
//! checked by the formats' own tools, and `envc verify --sbom/--provenance` catching a
//! flipped byte in each.

use std::path::Path;

use serde_json::{Value, json};

use crate::build::project::{Project, docker, nonce};
use crate::support::docker::{self as engine, unique_name};
use crate::support::{debian, envc, require};

use super::checkers;

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn run_in(project: &Project, args: &[&str]) -> crate::support::Run {
    envc().args(args).current_dir(project.path()).run()
}

/// Flip one byte of the first `needle` in `path` into `replacement`.
fn tamper(path: &Path, needle: &str, replacement: u8) {
    let mut bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` in {}", path.display()));
    assert_ne!(bytes[at], replacement);
    bytes[at] = replacement;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn sbom_and_provenance_of_a_real_build_pass_the_official_checkers_and_tampering_is_caught() {
    let rt = engine::runtime();
    let Some(engine) = engine::engine(&rt) else {
        return;
    };
    if !require("debootstrap (Debian package)", debian::available()) {
        return;
    }
    let Some(python) = checkers::python() else {
        return;
    };
    if !require(
        "the host CA bundle /etc/ssl/certs/ca-certificates.crt",
        Path::new("/etc/ssl/certs/ca-certificates.crt").is_file(),
    ) {
        return;
    }
    let nonce = nonce();
    let base = format!("envc-test/supply-base-{nonce}:1");
    rt.block_on(engine.tag_image(&debian::bookworm_pip(&rt, &engine), &base))
        .unwrap();
    let project = Project::new(&json!({
        "name": unique_name("supply"),
        "base": { "image": base },
        "build_host": { "ca_certificates": true },
        "build": {
            "apt": ["hello"],
            "pip": { "packages": ["six==1.16.0"] },
            "files": { "/etc/envc-nonce": { "text": nonce } },
        }
    }));
    run_in(&project, &["lock"]).ok();
    let out = project.build(&[]).ok();
    let reference = out.lines().next().unwrap().to_owned();
    let id = docker(&["inspect", "--format", "{{.Id}}", &reference])
        .trim()
        .to_owned();
    let id_hex = id.strip_prefix("sha256:").unwrap().to_owned();

    // SPDX 2.3: SPDX's validator and the NTIA minimum elements.
    let spdx = project.path().join("sbom.spdx.json");
    run_in(
        &project,
        &["sbom", "--format", "spdx", "-o", "sbom.spdx.json"],
    )
    .ok();
    checkers::pyspdxtools(&spdx);
    checkers::ntia(&spdx);
    let doc = read_json(&spdx);
    let packages = doc["packages"].as_array().unwrap();
    let find = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("package `{name}` in {doc:#}"))
    };
    let image = &packages[0];
    assert_eq!(image["checksums"][0]["checksumValue"], id_hex.as_str());
    let hello = find("hello");
    let hello_purl = hello["externalRefs"][0]["referenceLocator"]
        .as_str()
        .unwrap();
    assert!(
        hello_purl.starts_with("pkg:deb/debian/hello@") && hello_purl.ends_with("?arch=amd64"),
        "{hello_purl}"
    );
    // grep's copyright file is DEP-5 (`License: GPL-3+`); hello's is free-form and points to
    // `/usr/share/common-licenses/GPL` (unversioned: declared as a `LicenseRef-`).
    assert_eq!(find("grep")["licenseDeclared"], "GPL-3.0-or-later");
    let hello_license = hello["licenseDeclared"].as_str().unwrap();
    assert!(hello_license.contains("LicenseRef-GPL"), "{hello_license}");
    assert!(
        doc["hasExtractedLicensingInfos"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["licenseId"] == "LicenseRef-GPL"),
        "{doc:#}"
    );
    let six = find("six");
    assert_eq!(
        six["externalRefs"][0]["referenceLocator"],
        "pkg:pypi/six@1.16.0"
    );
    assert_eq!(six["licenseDeclared"], "MIT");
    assert_eq!(six["checksums"][0]["algorithm"], "SHA256");
    let base_purl = packages
        .iter()
        .map(|p| p["externalRefs"][0]["referenceLocator"].as_str().unwrap())
        .find(|p| p.starts_with("pkg:oci/supply-base-"))
        .expect("the base as pkg:oci");
    assert!(base_purl.contains("@sha256%3A"), "{base_purl}");
    let contains = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["relatedSpdxElement"] == "SPDXRef-deb-hello")
        .unwrap();
    assert_eq!(contains["relationshipType"], "CONTAINS");
    assert!(
        contains["comment"].as_str().unwrap().contains("apt"),
        "{contains}"
    );

    // CycloneDX 1.5, strictly against the official schema.
    let cdx = project.path().join("sbom.cdx.json");
    run_in(
        &project,
        &["sbom", "--format", "cyclonedx", "-o", "sbom.cdx.json"],
    )
    .ok();
    checkers::cyclonedx_strict(&python, &cdx);
    let bom = read_json(&cdx);
    assert_eq!(
        bom["metadata"]["component"]["hashes"][0]["content"],
        id_hex.as_str()
    );
    assert!(
        bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["purl"] == "pkg:pypi/six@1.16.0"),
        "{bom:#}"
    );

    // Provenance: decoded by in-toto's own library; the subject is the engine's image ID.
    let prov = project.path().join("provenance.json");
    run_in(&project, &["provenance", "-o", "provenance.json"]).ok();
    assert_eq!(checkers::in_toto(&python, &prov), vec![id_hex.clone()]);
    let statement = read_json(&prov);
    let definition = &statement["predicate"]["buildDefinition"];
    assert_eq!(
        definition["internalParameters"]["envcVersion"],
        env!("CARGO_PKG_VERSION")
    );
    assert!(
        definition["resolvedDependencies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["uri"] == "pkg:pypi/six@1.16.0" && d["digest"]["sha256"].is_string())
    );
    let metadata = &statement["predicate"]["runDetails"]["metadata"];
    assert!(metadata["startedOn"].as_str().unwrap() <= metadata["finishedOn"].as_str().unwrap());

    // `envc build --sbom --provenance` (all cached) writes the same bytes into .envc/out/.
    project.build(&["-q", "--sbom", "--provenance"]).ok();
    let out = project.path().join(".envc/out");
    for (written, ours) in [
        ("sbom.spdx.json", &spdx),
        ("sbom.cdx.json", &cdx),
        ("provenance.json", &prov),
    ] {
        assert_eq!(
            std::fs::read(out.join(written)).unwrap(),
            std::fs::read(ours).unwrap(),
            "{written}"
        );
    }

    // `envc audit --sbom` summarises licenses and pins.
    let audit = run_in(&project, &["audit", "--sbom"]).ok();
    assert!(audit.contains("SBOM LICENSES"), "{audit}");
    assert!(audit.contains("GPL-3.0-or-later"), "{audit}");
    assert!(
        audit.contains("pypi      1 by hash, 0 by version only"),
        "{audit}"
    );

    // Untouched, all three verify (and the image holds what the lock pins).
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify"];
        args.extend_from_slice(extra);
        run_in(&project, &args)
    };
    let all = [
        "--sbom",
        "sbom.spdx.json",
        "--sbom",
        "sbom.cdx.json",
        "--provenance",
        "provenance.json",
    ];
    let ok = verify(&all).ok();
    assert!(ok.contains("pass  installed = locked"), "{ok}");
    assert!(ok.contains("pass  sbom `sbom.spdx.json`"), "{ok}");

    // One flipped byte in each is caught, and named.
    tamper(&spdx, "GPL-3.0-or-later", b'2');
    tamper(&cdx, "1.16.0\"", b'2');
    tamper(
        &prov,
        &id_hex[..16],
        if id_hex.as_bytes()[0] == b'0' {
            b'1'
        } else {
            b'0'
        },
    );
    let failed = verify(&all);
    assert_eq!(failed.code(), 1, "{}{}", failed.stdout(), failed.stderr());
    let text = failed.stdout();
    for file in ["sbom.spdx.json", "sbom.cdx.json", "provenance.json"] {
        assert!(
            text.contains(&format!("` {file}`")) || text.contains(file),
            "{text}"
        );
    }
    assert!(text.contains("differs at /packages/"), "{text}");
    assert!(text.contains("differs at /components/"), "{text}");
    assert!(
        text.contains("differs at /subject/0/digest/sha256"),
        "{text}"
    );
    assert_eq!(text.matches("FAIL").count(), 3, "{text}");
    rt.block_on(engine.remove_image(&base, false)).unwrap();
}

#[test]
fn an_sbom_needs_a_fresh_lock_and_provenance_a_built_image() {
    let project = Project::new(&json!({
        "name": unique_name("supply-nolock"),
        "base": { "image": "debian:bookworm" },
        "build": { "apt": ["hello"] },
    }));
    let out = run_in(&project, &["sbom"]);
    assert_eq!(out.code(), 2, "{}", out.stderr());
    assert!(out.stderr().contains("envc lock"), "{}", out.stderr());
    let out = run_in(&project, &["provenance"]);
    assert_eq!(out.code(), 2, "{}", out.stderr());
}
