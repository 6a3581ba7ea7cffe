//! Running the environment's SIF with Apptainer: `envc run --target apptainer -- CMD` and
//! `envc shell --target apptainer`.
//!
//! The command line is made from the same resolved plan as the Docker side (placeholders
//! filled for this host) plus the manifest's `apptainer` settings: the project bound at
//! its target (`/repo`), the spec's bind mounts and `targets.apptainer.binds`, the env as
//! `--env` (so it survives `--cleanenv`), `--home`, `--containall`, `--nv` and
//! `--writable-tmpfs`. Apptainer runs as the calling user, so there is no user mapping.
//! The line is plain `apptainer …` with an absolute SIF path, so `--dry-run` output can go
//! into a batch script unchanged.

use std::path::Path;

use super::env_plan::{EnvPlan, GpuPlan, MountKind};
use crate::escape::shell;
use crate::plan::RunManifest;
use crate::run::HostFacts;
use crate::run::host::FillError;

/// What to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `apptainer exec SIF CMD…`.
    Exec(Vec<String>),
    /// `apptainer shell SIF`.
    Shell,
}

/// The full argument list, program name first (`apptainer`).
pub fn command_line(
    manifest: &RunManifest,
    plan: &EnvPlan,
    facts: &HostFacts,
    sif: &Path,
    workdir: Option<&str>,
    action: &Action,
) -> Result<Vec<String>, FillError> {
    let settings = &manifest.apptainer;
    let mut argv = vec!["apptainer".to_owned()];
    argv.push(match action {
        Action::Exec(_) => "exec".to_owned(),
        Action::Shell => "shell".to_owned(),
    });
    if settings.containall {
        argv.push("--containall".into());
    }
    if settings.cleanenv {
        argv.push("--cleanenv".into());
    }
    if settings.nv || wants_gpu(&plan.gpu) {
        argv.push("--nv".into());
    }
    if settings.writable_tmpfs {
        argv.push("--writable-tmpfs".into());
    }
    if let Some(home) = &settings.home {
        argv.push("--home".into());
        argv.push(facts.fill(home.as_str())?);
    }
    // One bind per container path: the first wins (the project, then mounts, then binds).
    let mut targets: Vec<String> = Vec::new();
    let mut bind = |argv: &mut Vec<String>, spec: String, target: String| {
        if !targets.contains(&target) {
            targets.push(target);
            argv.push("--bind".into());
            argv.push(spec);
        }
    };
    if let Some(target) = &plan.project_target {
        let ro = if manifest.run.project.readonly {
            ":ro"
        } else {
            ""
        };
        bind(
            &mut argv,
            format!("{}:{target}{ro}", facts.project.display()),
            target.clone(),
        );
    }
    for mount in &plan.mounts {
        if mount.kind == MountKind::Bind {
            let ro = if mount.readonly { ":ro" } else { "" };
            bind(
                &mut argv,
                format!("{}:{}{ro}", mount.source, mount.target),
                mount.target.clone(),
            );
        }
    }
    for extra in &settings.binds {
        let spec = facts.fill(extra.as_str())?;
        let mut parts = spec.splitn(3, ':');
        let source = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().map_or(source.clone(), str::to_owned);
        bind(&mut argv, spec, target);
    }
    for (name, value) in &plan.all_env() {
        argv.push("--env".into());
        // Apptainer expands `$`, `$(...)` and backticks in the value: escaped, it arrives as is.
        argv.push(format!(
            "{name}={}",
            crate::escape::apptainer_env::value(value)
        ));
    }
    if let Some(dir) = workdir {
        argv.push("--pwd".into());
        argv.push(dir.to_owned());
    }
    argv.push(sif.display().to_string());
    if let Action::Exec(command) = action {
        argv.extend(command.iter().cloned());
    }
    Ok(argv)
}

/// GPUs asked for in `run.gpu`: explicit requests, or `auto` on a host with NVIDIA devices.
fn wants_gpu(gpu: &GpuPlan) -> bool {
    match gpu {
        GpuPlan::None => false,
        GpuPlan::All | GpuPlan::Count(_) | GpuPlan::Devices(_) => true,
        GpuPlan::Auto => Path::new("/dev/nvidiactl").exists(),
    }
}

/// The command line as one shell line, for `--dry-run`.
pub fn shell_line(argv: &[String]) -> String {
    format!("{}\n", shell::join(argv))
}
