//! Base sources: where the first step's image comes from.
//!
//! - An image reference: used when the engine has it (by digest when the lock pins one),
//!   pulled through the engine otherwise, with the Docker config file's credentials. Not re-tagged: the image is already named by its
//!   digest.
//! - debootstrap: the host's `debootstrap` makes a root filesystem, which is imported
//!   through a deterministic tar (sorted names, fixed times, numeric owners) and tagged by
//!   the base key. When the lock records the package set, the bootstrapped one must match.
//! - An image archive in the project: its SHA-256 is checked against the pin, it is loaded
//!   through the Engine API and re-committed with the key labels.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::content::Digest;
use crate::engine::{CommitSpec, Engine, EngineError, interrupt};
use crate::plan::Key;
use crate::plan::step::BaseStep;

use super::cache::{step_labels, step_tag};
use super::error::BuildError;

/// The `PATH` an imported root filesystem gets (Debian's default for root).
const ROOTFS_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Make sure an image reference base is in the engine; returns the image ID.
pub async fn image(
    engine: &Engine,
    reference: &str,
    pinned: Option<&str>,
) -> Result<String, BuildError> {
    let wanted = pinned.unwrap_or(reference);
    if let Some(found) = engine.find_image(wanted).await? {
        return Ok(found.id);
    }
    // Credentials for the image's registry come from the Docker config file, as for `docker pull`.
    let credentials = crate::engine::registry_credentials(wanted)?;
    engine.pull(wanted, credentials).await?;
    let found = engine
        .find_image(wanted)
        .await?
        .ok_or_else(|| EngineError::NotFound {
            kind: "image",
            name: wanted.to_owned(),
        })?;
    Ok(found.id)
}

/// Bootstrap `base`, import it tagged by `key`, and return the image ID.
pub async fn debootstrap(
    engine: &Engine,
    base: &BaseStep,
    key: &Key,
    output: &mut dyn FnMut(&[u8]),
) -> Result<String, BuildError> {
    let BaseStep::Debootstrap {
        suite,
        variant,
        mirror,
        components,
        include,
        extra_suites,
        snapshot,
        packages,
    } = base
    else {
        unreachable!("debootstrap() is called for debootstrap bases only")
    };
    let program = which("debootstrap").ok_or(BuildError::MissingProgram {
        program: "debootstrap",
        package: "debootstrap",
    })?;
    // Not /tmp: it is often a tmpfs mounted `nodev`, where debootstrap cannot make /dev.
    let work = tempfile::Builder::new()
        .prefix("envc-debootstrap-")
        .tempdir_in("/var/tmp")
        .or_else(|_| tempfile::tempdir())
        .map_err(|e| BuildError::io("create a folder for debootstrap", e))?;
    // Deleted only once nothing debootstrap mounted is left in it (a failed or interrupted
    // run can leave /proc, /sys or a bind of /dev there).
    let work = super::mounts::BootstrapDir::new(work);
    let rootfs = work.path().join("rootfs");
    let mirror = match snapshot {
        Some(stamp) => format!("http://snapshot.debian.org/archive/debian/{stamp}/"),
        None => mirror.clone(),
    };
    let mut args: Vec<String> = Vec::new();
    if variant != "-" {
        args.push(format!("--variant={variant}"));
    }
    if !components.is_empty() {
        args.push(format!("--components={}", components.join(",")));
    }
    if !include.is_empty() {
        args.push(format!("--include={}", include.join(",")));
    }
    // Also written into the root filesystem's sources.list, after the suite.
    if !extra_suites.is_empty() {
        args.push(format!("--extra-suites={}", extra_suites.join(",")));
    }
    args.push(suite.clone());
    args.push(rootfs.display().to_string());
    args.push(mirror);
    tracing::debug!("running {} {}", program.display(), args.join(" "));
    let tail = run_logged(&program, &args, output).await;
    match tail {
        Ok(_) => {}
        Err(Outcome::Failed { code, tail }) => {
            return Err(BuildError::Debootstrap {
                suite: suite.clone(),
                code,
                tail,
            });
        }
        Err(Outcome::Error(e)) => return Err(e),
    }
    if let Some(locked) = packages {
        let status = std::fs::read_to_string(rootfs.join("var/lib/dpkg/status"))
            .map_err(|e| BuildError::io("read the bootstrapped package list", e))?;
        let differences = package_drift(locked, &installed_packages(&status));
        if !differences.is_empty() {
            return Err(BuildError::DebootstrapDrift {
                suite: suite.clone(),
                differences,
            });
        }
    }
    clean_apt_state(&rootfs);
    let labels = step_labels(key, None, "base");
    let mut changes = vec![
        format!("ENV PATH={ROOTFS_PATH}"),
        r#"CMD ["bash"]"#.to_owned(),
    ];
    let mut sorted: Vec<_> = labels.into_iter().collect();
    sorted.sort();
    for (name, value) in sorted {
        changes.push(format!("LABEL {name}={value}"));
    }
    let mut tar = tokio::process::Command::new("tar")
        .args(["--sort=name", "--mtime=@0", "--numeric-owner", "-C"])
        .arg(&rootfs)
        .args(["-c", "."])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| BuildError::io("run `tar` on the bootstrapped root filesystem", e))?;
    let stdout = tar.stdout.take().expect("stdout is piped");
    let imported = engine
        .import_rootfs_reader(stdout, &step_tag(key), &changes)
        .await?;
    let status = tar
        .wait()
        .await
        .map_err(|e| BuildError::io("wait for `tar`", e))?;
    if !status.success() {
        // The import may have taken a truncated stream: never leave it claiming the key.
        let _ = engine.remove_image(&step_tag(key), false).await;
        return Err(BuildError::io(
            "`tar` of the bootstrapped root filesystem failed",
            std::io::Error::other(format!("{status}")),
        ));
    }
    Ok(imported)
}

/// Remove what debootstrap leaves that an image should not carry: the downloaded package
/// archives and the package lists (as Debian's own images do). Best effort: a leftover file
/// makes the image bigger, not wrong.
fn clean_apt_state(rootfs: &Path) {
    for (dir, keep) in [
        ("var/cache/apt/archives", &["lock", "partial"][..]),
        ("var/lib/apt/lists", &["lock", "partial", "auxfiles"][..]),
    ] {
        let Ok(entries) = std::fs::read_dir(rootfs.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file && !keep.iter().any(|k| name == *k) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Check, load and label an image archive base; returns the image ID.
pub async fn archive(
    engine: &Engine,
    project_root: &Path,
    path: &str,
    sha256: &Digest,
    key: &Key,
) -> Result<String, BuildError> {
    // Opened once beneath the project root (no symlink leaving it), hashed, rewound and
    // loaded from the same descriptor: what is loaded is what was checked.
    let file = crate::project_fs::ProjectRoot::open(project_root)
        .and_then(|root| root.open_file(Path::new(path)))
        .map_err(|e| BuildError::io(format!("open `{path}`"), std::io::Error::other(e)))?;
    let (found, file) = hash_file(file, path).await?;
    if found != *sha256 {
        return Err(BuildError::ArchiveMismatch {
            path: path.to_owned(),
            expected: sha256.hex(),
            found: found.hex(),
        });
    }
    let reader = tokio::fs::File::from_std(file);
    let loaded = engine.load_archive_reader(reader).await?;
    let image = loaded.first().cloned().unwrap_or_default();
    relabel(engine, &image, key).await
}

/// The image imported earlier under `import_tag` (see `BaseStep::import_tag`: the same
/// before and after locking), labelled and tagged for `key`; `None` when there is none. A
/// locked debootstrap base must hold exactly the locked packages.
pub async fn reuse_import(
    engine: &Engine,
    base: &BaseStep,
    import_tag: &str,
    key: &Key,
) -> Result<Option<String>, BuildError> {
    let Some(image) = engine.find_image(import_tag).await? else {
        return Ok(None);
    };
    if let BaseStep::Debootstrap {
        suite,
        packages: Some(locked),
        ..
    } = base
    {
        let container = engine.create_unstarted(&image.id).await?;
        let status = engine
            .read_container_file(container.id(), "/var/lib/dpkg/status")
            .await?
            .unwrap_or_default();
        container.remove().await?;
        let differences = package_drift(
            locked,
            &installed_packages(&String::from_utf8_lossy(&status)),
        );
        if !differences.is_empty() {
            return Err(BuildError::DebootstrapDrift {
                suite: suite.clone(),
                differences,
            });
        }
    }
    relabel(engine, &image.id, key).await.map(Some)
}

/// Commit `image` unchanged but for the base key labels, tagged by `key`.
async fn relabel(engine: &Engine, image: &str, key: &Key) -> Result<String, BuildError> {
    let inspect = engine.inspect_image_raw(image).await?;
    let parent = inspect.config.unwrap_or_default();
    let container = engine.create_unstarted(image).await?;
    let config = super::commit_config::unchanged(&parent, step_labels(key, None, "base"));
    let id = engine
        .commit(
            container.id(),
            &CommitSpec {
                reference: Some(step_tag(key)),
                config,
                comment: Some(format!("envc base {}", key.short())),
                ..Default::default()
            },
        )
        .await?;
    container.remove().await?;
    Ok(id)
}

/// The SHA-256 of an open file, and the file rewound to its start.
async fn hash_file(
    mut file: std::fs::File,
    shown: &str,
) -> Result<(Digest, std::fs::File), BuildError> {
    let shown = shown.to_owned();
    tokio::task::spawn_blocking(move || {
        use sha2::{Digest as _, Sha256};
        use std::io::Seek as _;
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)
            .map_err(|e| BuildError::io(format!("read `{shown}`"), e))?;
        file.rewind()
            .map_err(|e| BuildError::io(format!("read `{shown}`"), e))?;
        Ok((Digest(hasher.finalize().into()), file))
    })
    .await
    .map_err(|e| BuildError::io("hash the image archive", std::io::Error::other(e)))?
}

/// `name → version` of the installed packages in a dpkg status file.
pub fn installed_packages(status: &str) -> BTreeMap<String, String> {
    crate::lock::resolve::dpkg_status::installed(status)
        .filter_map(|p| Some((p.field("Package:")?, p.field("Version:")?)))
        .collect()
}

/// Differences between the locked and the installed package sets, one line each.
pub fn package_drift(
    locked: &BTreeMap<String, String>,
    installed: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (name, version) in locked {
        match installed.get(name) {
            Some(v) if v == version => {}
            Some(v) => out.push(format!("`{name}` {version} → {v}")),
            None => out.push(format!("`{name}` missing")),
        }
    }
    for name in installed.keys().filter(|n| !locked.contains_key(*n)) {
        out.push(format!("`{name}` added"));
    }
    out
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(std::path::PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

enum Outcome {
    Failed { code: i32, tail: Vec<String> },
    Error(BuildError),
}

/// Run a host program, handing its output to `output`, stoppable by Ctrl-C.
async fn run_logged(
    program: &Path,
    args: &[String],
    output: &mut dyn FnMut(&[u8]),
) -> Result<(), Outcome> {
    use tokio::io::AsyncReadExt;
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Outcome::Error(BuildError::io(format!("run `{}`", program.display()), e)))?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let mut tail = super::tail::Tail::new(20);
    let mut out_buf = [0u8; 8192];
    let mut err_buf = [0u8; 8192];
    let (mut out_open, mut err_open) = (true, true);
    while out_open || err_open {
        let read = tokio::select! {
            n = stdout.read(&mut out_buf), if out_open => n.map(|n| (n, true)),
            n = stderr.read(&mut err_buf), if err_open => n.map(|n| (n, false)),
            signal = interrupt::wait() => {
                let _ = child.kill().await;
                return Err(Outcome::Error(EngineError::Interrupted { signal }.into()));
            }
        };
        match read {
            Ok((0, true)) => out_open = false,
            Ok((0, false)) => err_open = false,
            Ok((n, true)) => {
                output(&out_buf[..n]);
                tail.push(&out_buf[..n]);
            }
            Ok((n, false)) => {
                output(&err_buf[..n]);
                tail.push(&err_buf[..n]);
            }
            Err(e) => {
                return Err(Outcome::Error(BuildError::io(
                    "read debootstrap's output",
                    e,
                )));
            }
        }
    }
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .map_err(|_| {
            Outcome::Error(BuildError::io(
                "wait for debootstrap",
                std::io::ErrorKind::TimedOut.into(),
            ))
        })?
        .map_err(|e| Outcome::Error(BuildError::io("wait for debootstrap", e)))?;
    if status.success() {
        Ok(())
    } else {
        Err(Outcome::Failed {
            code: status.code().unwrap_or(-1),
            tail: tail.lines(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_status_gives_installed_versions_and_drift() {
        let status = "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\n\n\
                      Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n\
                      Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13\n";
        let installed = installed_packages(status);
        assert_eq!(installed.len(), 2);
        assert_eq!(installed["bash"], "5.2.15-2+b2");
        let mut locked = installed.clone();
        assert!(package_drift(&locked, &installed).is_empty());
        locked.insert("bash".into(), "5.2.15-2".into());
        locked.insert("dash".into(), "0.5".into());
        let drift = package_drift(&locked, &installed);
        assert_eq!(drift.len(), 2);
    }
}
