//! Real Debian without a registry: `debootstrap --variant=minbase bookworm` imported as an
//! image tagged by the hash of its recipe, and a derived image with `python3-pip` for the
//! pip tests. Each is built once per machine and reused (see [`super::once`]).
#![allow(dead_code)]

use std::process::Stdio;

use envc::engine::{CommitSpec, ContainerSpec, Engine};
use sha2::{Digest, Sha256};

use super::once;

const SUITE: &str = "bookworm";
const MIRROR: &str = "http://deb.debian.org/debian";
/// Bump when the way the image is made changes, so a stale image is not reused.
const RECIPE_VERSION: &str = "1";

fn recipe_tag(name: &str, recipe: &str) -> String {
    let hash = hex::encode(Sha256::digest(recipe.as_bytes()));
    format!("envc-test/{name}:{}", &hash[..16])
}

/// Whether this machine can build the Debian image at all.
pub fn available() -> bool {
    super::have_command("debootstrap")
}

/// Build (once) and return the bookworm minbase image's reference.
pub fn bookworm(rt: &tokio::runtime::Runtime, engine: &Engine) -> String {
    let recipe = format!("debootstrap --variant=minbase {SUITE} {MIRROR} v{RECIPE_VERSION}");
    let reference = recipe_tag(SUITE, &recipe);
    if exists(rt, engine, &reference) {
        return reference;
    }
    once::locked(SUITE, || {
        if exists(rt, engine, &reference) {
            return reference.clone();
        }
        // Deleted only once nothing debootstrap mounted is left in it (a failed run can
        // leave /proc mounted in the rootfs).
        let root = envc::build::mounts::BootstrapDir::new(
            tempfile::tempdir_in(once::cache_dir()).unwrap(),
        );
        let target = root.path().join("rootfs");
        let status = std::process::Command::new("debootstrap")
            .args(["--variant=minbase", SUITE])
            .arg(&target)
            .arg(MIRROR)
            .stdout(Stdio::null())
            .status()
            .expect("run debootstrap (scripts/setup installs it)");
        assert!(status.success(), "debootstrap failed");
        rt.block_on(async {
            // A deterministic tar: sorted names, fixed times, numeric owners.
            let mut tar = tokio::process::Command::new("tar")
                .args(["--sort=name", "--mtime=@0", "--numeric-owner", "-C"])
                .arg(&target)
                .args(["-c", "."])
                .stdout(Stdio::piped())
                .spawn()
                .expect("run tar");
            let stdout = tar.stdout.take().unwrap();
            let changes = vec![
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
                r#"CMD ["bash"]"#.to_string(),
            ];
            engine
                .import_rootfs_reader(stdout, &reference, &changes)
                .await
                .expect("import the bookworm rootfs");
            assert!(
                tar.wait().await.unwrap().success(),
                "tar of the rootfs failed"
            );
        });
        reference.clone()
    })
}

/// Build (once) bookworm plus `python3-pip` and return its reference.
pub fn bookworm_pip(rt: &tokio::runtime::Runtime, engine: &Engine) -> String {
    let base = bookworm(rt, engine);
    let reference = recipe_tag(
        "bookworm-pip",
        &format!("{base} + python3-pip v{RECIPE_VERSION}"),
    );
    if exists(rt, engine, &reference) {
        return reference;
    }
    once::locked("bookworm-pip", || {
        if exists(rt, engine, &reference) {
            return reference.clone();
        }
        rt.block_on(async {
            let spec = ContainerSpec {
                image: base.clone(),
                cmd: Some(vec![
                    "sh".into(),
                    "-e".into(),
                    "-c".into(),
                    "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                     --no-install-recommends python3-pip python3-venv && rm -rf /var/lib/apt/lists/*"
                        .into(),
                ]),
                ..Default::default()
            };
            let container = engine.create_container(&spec).await.unwrap();
            container.start().await.unwrap();
            let exit = container.wait().await.unwrap();
            assert!(exit.success(), "installing python3-pip failed: {exit:?}");
            let commit = CommitSpec {
                reference: Some(reference.clone()),
                config: envc::engine::models::ContainerConfig {
                    cmd: Some(vec!["bash".into()]),
                    ..Default::default()
                },
                ..Default::default()
            };
            engine.commit(container.id(), &commit).await.unwrap();
            container.remove().await.unwrap();
        });
        reference.clone()
    })
}

fn exists(rt: &tokio::runtime::Runtime, engine: &Engine, reference: &str) -> bool {
    rt.block_on(engine.find_image(reference))
        .expect("inspect a test image")
        .is_some()
}

/// A base of its own for one test run: `from` with one file more (`/etc/envc-base-nonce`),
/// tagged `envc-test/<unique name>:1`. A new tag alone keeps the image ID, and with it
/// the step keys an earlier run cached; a new image gives this run's steps keys of their
/// own, so what a test sees cached was built by this run.
pub fn fresh_base(from: &str, name: &str) -> String {
    let nonce = super::docker::unique_name(name);
    let maker = format!("envc-test-{nonce}");
    let tag = format!("envc-test/{nonce}:1");
    super::docker::cli(&[
        "run",
        "--name",
        &maker,
        "--network",
        "none",
        from,
        "sh",
        "-c",
        &format!("echo {nonce} >/etc/envc-base-nonce"),
    ]);
    super::docker::cli(&["commit", &maker, &tag]);
    super::docker::cli(&["rm", &maker]);
    tag
}
