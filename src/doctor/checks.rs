//! The checks about container runtimes and the config: the Docker engine and access to its
//! socket, Apptainer, a GPU runtime, and whether the config loads.

use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::process::Command;

use crate::engine::{Endpoint, Engine};
use crate::spec::model::{Base, Gpu};

use super::{Check, Needs};

/// The engine answers, and at which versions.
pub async fn docker() -> (Option<Engine>, Check) {
    let endpoint = match Endpoint::from_env() {
        Ok(e) => e,
        Err(e) => {
            return (
                None,
                Check::fail(
                    "docker",
                    format!("no engine endpoint: {e}"),
                    "check `DOCKER_HOST` / `DOCKER_CONTEXT`",
                ),
            );
        }
    };
    let engine = match Engine::connect_to(endpoint.clone(), std::time::Duration::from_secs(10))
        .await
    {
        Ok(engine) => engine,
        Err(e) => {
            let hint = match &endpoint {
                Endpoint::Unix(path) if !path.exists() => format!(
                    "no socket at `{}`: start the engine (`sudo systemctl start docker`) or point `DOCKER_HOST` at it",
                    path.display()
                ),
                _ => "start the engine, or point `DOCKER_HOST` at one that runs (Docker 20.10 / API 1.41 or newer)".into(),
            };
            return (
                None,
                Check::fail("docker", format!("cannot reach {endpoint}: {e}"), hint),
            );
        }
    };
    let (api_major, api_minor) = engine.api_version();
    let server = engine
        .docker()
        .version()
        .await
        .ok()
        .and_then(|v| v.version)
        .unwrap_or_else(|| "unknown".into());
    let check = Check::pass(
        "docker",
        format!("engine {server} at {endpoint}, API {api_major}.{api_minor}"),
    );
    (Some(engine), check)
}

/// Access to a local socket: root, the socket's owner (rootless Docker, Podman), or a
/// member of its group.
pub fn docker_access() -> Check {
    const NAME: &str = "docker-access";
    let endpoint = match Endpoint::from_env() {
        Ok(e) => e,
        Err(e) => {
            return Check::fail(
                NAME,
                format!("no engine endpoint: {e}"),
                "check `DOCKER_HOST`",
            );
        }
    };
    let Endpoint::Unix(socket) = endpoint else {
        return Check::pass(
            NAME,
            format!("{endpoint}: access is decided by the remote engine"),
        );
    };
    let meta = match std::fs::metadata(&socket) {
        Ok(m) => m,
        Err(e) => {
            return Check::fail(
                NAME,
                format!("cannot see `{}`: {e}", socket.display()),
                "start the engine, or set `DOCKER_HOST=unix:///path/to/docker.sock`",
            );
        }
    };
    // SAFETY: plain libc getters without arguments.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    if uid == 0 {
        return Check::pass(NAME, format!("running as root; `{}`", socket.display()));
    }
    if meta.uid() == uid {
        return Check::pass(
            NAME,
            format!("you own `{}` (rootless engine)", socket.display()),
        );
    }
    let groups = supplementary_groups();
    if meta.gid() == gid || groups.contains(&meta.gid()) {
        return Check::pass(
            NAME,
            format!("member of the socket's group (gid {})", meta.gid()),
        );
    }
    Check::fail(
        NAME,
        format!(
            "`{}` belongs to gid {}, which you are not in",
            socket.display(),
            meta.gid()
        ),
        "`sudo usermod -aG docker $USER` and log in again, or use rootless Docker / Podman",
    )
}

fn supplementary_groups() -> Vec<u32> {
    // SAFETY: the first call asks for the count; the second fills a buffer of that size.
    unsafe {
        let n = libc::getgroups(0, std::ptr::null_mut());
        if n <= 0 {
            return Vec::new();
        }
        let mut groups = vec![0 as libc::gid_t; n as usize];
        let got = libc::getgroups(n, groups.as_mut_ptr());
        groups.truncate(got.max(0) as usize);
        groups
    }
}

/// Apptainer (or Singularity) and its version.
pub fn apptainer(needs: &Needs) -> Check {
    const NAME: &str = "apptainer";
    let found = crate::apptainer::tool::find().or_else(|| which("singularity"));
    let Some(binary) = found else {
        return Check::missing(
            NAME,
            needs.apptainer,
            "no `apptainer` or `singularity` on PATH (nor `ENVC_APPTAINER`)",
            "install Apptainer (Debian: `apptainer` from sid), load its module on a cluster, or set `ENVC_APPTAINER`; only the Apptainer target needs it",
        );
    };
    match Command::new(&binary).arg("--version").output() {
        Ok(out) if out.status.success() => Check::pass(
            NAME,
            format!(
                "{} ({})",
                String::from_utf8_lossy(&out.stdout).trim(),
                binary.display()
            ),
        ),
        Ok(out) => Check::missing(
            NAME,
            needs.apptainer,
            format!(
                "`{} --version` failed: {}",
                binary.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            "reinstall Apptainer or fix `ENVC_APPTAINER`",
        ),
        Err(e) => Check::missing(
            NAME,
            needs.apptainer,
            format!("cannot run `{}`: {e}", binary.display()),
            "reinstall Apptainer or fix `ENVC_APPTAINER`",
        ),
    }
}

/// An NVIDIA runtime for Docker (`--gpus`) and the driver for Apptainer's `--nv`.
pub async fn gpu(engine: Option<&Engine>, needs: &Needs) -> Check {
    const NAME: &str = "gpu";
    let runtime = match engine {
        Some(engine) => engine.gpu_support().await.ok(),
        None => None,
    };
    let toolkit = which("nvidia-container-cli").or_else(|| which("nvidia-ctk"));
    let driver = which("nvidia-smi");
    match (runtime, toolkit, driver) {
        (Some(s), _, Some(_)) if s.nvidia_runtime || s.cdi_devices => Check::pass(
            NAME,
            "the engine has an NVIDIA runtime and the driver is installed (`--gpus`, `--nv`)",
        ),
        (_, Some(_), Some(_)) => Check::warn(
            NAME,
            "nvidia-container-toolkit and the driver are installed, but the engine lists no NVIDIA runtime",
            "`sudo nvidia-ctk runtime configure --runtime=docker` and restart the engine",
        ),
        _ => Check::missing(
            NAME,
            needs.gpu,
            "no NVIDIA driver or container runtime",
            "install the NVIDIA driver and nvidia-container-toolkit for `run.gpu`; Apptainer's `--nv` needs the driver (`nvidia-smi`); not needed without a GPU",
        ),
    }
}

/// The config's checks, and what it needs of the machine.
pub struct ConfigCheck {
    pub check: Check,
    pub needs: Needs,
}

pub fn config(given: Option<&Path>) -> ConfigCheck {
    const NAME: &str = "config";
    let path = match given {
        Some(p) if p.is_dir() => crate::spec::discover(p).ok(),
        Some(p) => Some(p.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|cwd| crate::spec::discover(&cwd).ok()),
    };
    let Some(path) = path else {
        return ConfigCheck {
            check: Check::warn(
                NAME,
                "no `envc.nix` or `envc.json` here or above",
                "`envc init` writes one from the project's files",
            ),
            needs: Needs::default(),
        };
    };
    match crate::spec::load(&path, None) {
        Ok(loaded) => {
            let spec = &loaded.spec;
            let needs = Needs {
                apptainer: spec.targets.apptainer.enable,
                debootstrap: matches!(spec.base, Base::Debootstrap(_)),
                gpu: !matches!(spec.run.gpu, Gpu::None | Gpu::Auto) || spec.targets.apptainer.nv,
                ca_certificates: spec.build_host.ca_certificates || spec.run.ca_certificates,
            };
            ConfigCheck {
                check: Check::pass(NAME, format!("`{}` checks ({})", path.display(), spec.name)),
                needs,
            }
        }
        Err(e) => ConfigCheck {
            check: Check::fail(
                NAME,
                format!("`{}` does not check: {e}", path.display()),
                format!("`envc check -f {}` shows where and why", path.display()),
            ),
            needs: Needs::default(),
        },
    }
}

/// A program on PATH (and the sbin folders, where root's tools live).
pub fn which(program: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(std::path::PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| {
                m.is_file()
                    && std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
            })
        })
}
