//! The minimum supported Rust version: 1.91, the rustc of the nixpkgs release the flake
//! pins (nixos-25.11). Every package in Cargo.lock must build with it, so a dependency
//! update that raises its `rust-version` fails here instead of in a Nix build.

use std::process::Command;

use serde_json::Value;

use crate::support;

const MSRV: (u64, u64, u64) = (1, 91, 0);

/// `1.85` or `1.85.1` as (major, minor, patch); a missing patch is 0.
fn parse_version(v: &str) -> (u64, u64, u64) {
    let mut parts = v.split('.').map(|p| {
        p.parse::<u64>()
            .unwrap_or_else(|_| panic!("`{v}` is not a rust-version"))
    });
    let major = parts.next().unwrap();
    let minor = parts.next().unwrap_or(0);
    let patch = parts.next().unwrap_or(0);
    assert!(parts.next().is_none(), "`{v}` is not a rust-version");
    (major, minor, patch)
}

#[test]
fn rust_version_parses_like_cargo() {
    assert_eq!(parse_version("1.91"), (1, 91, 0));
    assert_eq!(parse_version("1.88.0"), (1, 88, 0));
    assert!(parse_version("1.92") > MSRV);
    assert!(parse_version("1.91.1") > MSRV);
    assert!(parse_version("1.91.0") <= MSRV);
}

#[test]
fn no_locked_dependency_needs_a_newer_rust_than_the_msrv() {
    // `cargo metadata` reads every locked package's manifest, so it needs their sources
    // (the crates.io registry or cargo's cache): not available in a hermetic build.
    if !support::require(
        "the locked dependencies' sources for `cargo metadata`",
        !support::offline(),
    ) {
        return;
    }
    let out = Command::new(env!("CARGO"))
        .current_dir(support::repo_root())
        .args(["metadata", "--format-version", "1", "--locked"])
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata --locked failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    assert!(packages.len() > 1, "cargo metadata lists the dependencies");

    let ours = packages
        .iter()
        .find(|p| p["name"] == "envc" && p["source"].is_null())
        .expect("envc itself");
    assert_eq!(ours["rust_version"], "1.91", "envc's own rust-version");

    let too_new: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let rv = p["rust_version"].as_str()?;
            (parse_version(rv) > MSRV)
                .then(|| format!("{} {} needs Rust {rv}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "dependencies newer than the MSRV 1.91 (pin an older version with \
         `cargo update -p NAME --precise VERSION`):\n{}",
        too_new.join("\n")
    );
}
