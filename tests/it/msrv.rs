//! The minimum supported Rust version: 1.91, the rustc of the nixpkgs release the flake
//! pins (nixos-25.11). Every package in Cargo.lock must build with it, so a dependency
//! update that raises its `rust-version` fails here instead of in a Nix build. And envc's
//! own environment (`envc.nix`) must have a rustc at least that new: its lock pins one, and
//! the built environment runs it.

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

/// `rust-version` from Cargo.toml.
fn cargo_msrv() -> (u64, u64, u64) {
    let text = std::fs::read_to_string(support::repo_root().join("Cargo.toml")).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    parse_version(
        doc["package"]["rust-version"]
            .as_str()
            .expect("rust-version"),
    )
}

/// `1.97.1+dfsg1-1~bpo13+1` (Debian) or `rustc 1.97.1 (...)` (rustc) as a version triple.
fn rustc_version(text: &str) -> (u64, u64, u64) {
    let v = text.trim().trim_start_matches("rustc ");
    let end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    parse_version(&v[..end])
}

#[test]
fn the_dev_environment_lock_pins_a_rustc_that_meets_the_msrv() {
    let root = support::repo_root();
    // The flake's package source holds no envc.nix / envc.lock (they are not built).
    if !support::require(
        "envc.nix and envc.lock of the checkout",
        root.join("envc.lock").is_file() && !support::offline(),
    ) {
        return;
    }
    // The lock belongs to envc.nix as it is now.
    support::envc()
        .current_dir(&root)
        .args(["lock", "--check"])
        .run()
        .ok();
    let lock: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("envc.lock")).unwrap()).unwrap();
    let text = lock.to_string();
    let at = text.find("\"rustc\":\"").expect("envc.lock pins rustc");
    let version = &text[at + 9..];
    let version = &version[..version.find('"').unwrap()];
    assert!(
        rustc_version(version) >= cargo_msrv(),
        "envc.lock pins rustc {version}, older than Cargo.toml's rust-version {:?}",
        cargo_msrv()
    );
}

#[test]
fn the_dev_environment_runs_a_rustc_that_meets_the_msrv() {
    if !support::require("a Docker engine", support::have_command("docker"))
        || !support::require("debootstrap (scripts/setup)", support::have_command("debootstrap"))
        // SAFETY: a libc getter without arguments.
        || !support::require("root, which debootstrap needs", unsafe { libc::geteuid() } == 0)
    {
        return;
    }
    // A copy of the config and its lock: the environment's image is shared with a
    // checkout's own `envc up`, and the test writes nothing into the source tree.
    let dir = tempfile::tempdir().unwrap();
    for file in ["envc.nix", "envc.lock"] {
        std::fs::copy(support::repo_root().join(file), dir.path().join(file)).unwrap();
    }
    let build = || {
        support::envc()
            .current_dir(dir.path())
            .args(["build", "--locked", "-q"])
            .run()
    };
    let built = build();
    if built.code() != 0 && built.stderr().contains("run `envc lock`") {
        // Backports keeps only its newest rustc: the committed lock names a version the
        // mirror dropped since. What this test checks is the environment envc.nix gives
        // today, so pin what the mirror has — and say loudly that envc.lock needs the same.
        eprintln!(
            "WARNING: envc.lock pins apt versions the mirror no longer has; re-locking a copy \
             (run `envc lock` in the checkout and commit envc.lock):\n{}",
            built.stderr()
        );
        support::envc()
            .current_dir(dir.path())
            .arg("lock")
            .run()
            .ok();
        build().ok();
    } else {
        built.ok();
    }
    let out = support::envc()
        .current_dir(dir.path())
        .args(["run", "--", "rustc", "--version"])
        .run()
        .ok();
    assert!(
        rustc_version(&out) >= cargo_msrv(),
        "the environment's `{}` is older than Cargo.toml's rust-version {:?}",
        out.trim(),
        cargo_msrv()
    );
    let cargo = support::envc()
        .current_dir(dir.path())
        .args(["run", "--", "cargo", "--version"])
        .run()
        .ok();
    assert!(
        rustc_version(cargo.trim_start_matches("cargo ")) >= cargo_msrv(),
        "{cargo}"
    );
}

#[test]
fn debian_and_rustc_versions_parse() {
    assert_eq!(rustc_version("1.97.1+dfsg1-1~bpo13+1"), (1, 97, 1));
    assert_eq!(
        rustc_version("rustc 1.97.1 (8bab26f4f 2026-07-14)"),
        (1, 97, 1)
    );
    assert!(rustc_version("1.85.1+dfsg1-1+deb13u1") < (1, 91, 0));
}
