use envc::engine::ContainerSpec;
use envc::lock::resolve::{AptOptions, ResolveError, apt_closure, parse_dpkg_query};
use futures_util::StreamExt;

use crate::support::{debian, docker};

#[test]
fn the_resolved_closure_is_what_apt_then_installs() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    if !crate::support::require("debootstrap", debian::available()) {
        return;
    }
    let base = debian::bookworm(&rt, &engine);
    let packages = vec!["curl".to_string()];
    let closure = rt
        .block_on(apt_closure(
            &engine,
            &base,
            &packages,
            &AptOptions::default(),
        ))
        .unwrap();
    assert!(
        closure.base.iter().any(|p| p.name == "dpkg"),
        "{:?}",
        closure.base
    );
    assert!(!closure.base.iter().any(|p| p.name == "curl"));
    let curl = closure
        .installed
        .iter()
        .find(|p| p.name == "curl")
        .expect("curl resolved");
    assert_eq!(curl.arch, "amd64");
    assert!(
        closure.installed.iter().any(|p| p.name == "libcurl4"),
        "{:?}",
        closure.installed
    );

    // The oracle: really install, then list what is installed.
    let installed = rt.block_on(async {
        let script = "apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends curl >/dev/null \
            && dpkg-query -W -f '${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\n'";
        let container = engine
            .create_container(&ContainerSpec {
                image: base.clone(),
                cmd: Some(vec!["sh".into(), "-c".into(), script.into()]),
                env: vec!["DEBIAN_FRONTEND=noninteractive".into()],
                ..Default::default()
            })
            .await
            .unwrap();
        container.start().await.unwrap();
        let mut out = Vec::new();
        let mut logs = engine.logs(container.id(), true);
        while let Some(chunk) = logs.next().await {
            if let envc::engine::LogChunk::Stdout(b) = chunk.unwrap() {
                out.extend_from_slice(&b);
            }
        }
        assert!(container.wait().await.unwrap().success());
        container.remove().await.unwrap();
        parse_dpkg_query(&String::from_utf8_lossy(&out))
    });
    let mut installed = installed;
    installed.sort();
    assert_eq!(closure.full(), installed);
}

#[test]
fn an_unknown_package_fails_with_apts_reason() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    if !crate::support::require("debootstrap", debian::available()) {
        return;
    }
    let base = debian::bookworm(&rt, &engine);
    let error = rt
        .block_on(apt_closure(
            &engine,
            &base,
            &["envc-no-such-package".to_string()],
            &AptOptions::default(),
        ))
        .unwrap_err();
    let ResolveError::Command { tail, code, .. } = &error else {
        panic!("{error:?}")
    };
    assert_ne!(*code, 0);
    assert!(
        tail.contains("Unable to locate package envc-no-such-package"),
        "{tail}"
    );
}

#[test]
fn installed_packages_lists_a_debootstrap_base_from_its_package_database() {
    let rt = docker::runtime();
    let Some(engine) = docker::engine(&rt) else {
        return;
    };
    if !crate::support::require("debootstrap", debian::available()) {
        return;
    }
    let base = debian::bookworm(&rt, &engine);
    let installed = rt
        .block_on(envc::lock::resolve::installed_packages(&engine, &base))
        .unwrap();
    let base_files = installed.iter().find(|p| p.name == "base-files").unwrap();
    assert!(base_files.version.starts_with("12."), "{base_files:?}");
    // minbase: no apt recommends, but apt itself.
    assert!(installed.iter().any(|p| p.name == "apt"));
    assert!(!installed.iter().any(|p| p.name == "curl"));
    let mut sorted = installed.clone();
    sorted.sort();
    assert_eq!(installed, sorted);
}
