//! `envc build --target apptainer`: the SIF of the environment, kept in envc's cache by
//! plan key (`<XDG cache>/envc/sif/<key>.sif`) and optionally copied to `-o FILE`.
//!
//! Natively (the default) the Docker image is built or taken from the step cache and its
//! filesystem is assembled into a SIF without Apptainer; a cached SIF whose recorded key
//! matches is reused without touching the engine. `--builder apptainer` runs
//! `apptainer build` on the emitted `.def` instead.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::ValueEnum;

use crate::apptainer::{cache, from_def, native, tool};
use crate::build::ProgressMode;
use crate::engine::Engine;
use crate::exit::{Outcome, Report};

use super::build::{
    BuildArgs, BuildFailure, BuildSettings, build_planned, build_runtime, plan_for_build,
};
use crate::plan::Planned;
use crate::spec::LoadedSpec;

/// `--target` values of `envc build`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// The Docker image.
    Docker,
    /// An Apptainer SIF made from the Docker image.
    Apptainer,
}

/// `--builder` values: who makes the SIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuilderArg {
    /// envc assembles the SIF itself from the Docker image (no Apptainer needed).
    Native,
    /// `apptainer build` from the emitted `.def`.
    Apptainer,
}

pub fn run(args: &BuildArgs, loaded: &LoadedSpec) -> Result<Outcome, Report> {
    let settings = args.settings();
    let quiet = settings.options.progress == ProgressMode::Quiet;
    let planned = plan_for_build(loaded, settings.locked)?;
    let plan = &planned.plan;
    let key = plan.key();
    let started = Instant::now();
    let dir = cache::sif_dir();
    std::fs::create_dir_all(&dir).map_err(|e| {
        Report::environment(miette::miette!(
            "cannot create the SIF cache `{}`: {e}",
            dir.display()
        ))
    })?;
    crate::leftovers::reap_temp_files(&dir, "sif");

    let path = match args.builder {
        BuilderArg::Native => {
            let path = cache::sif_path(&key);
            let intact = cache::is_intact(&path);
            if !intact {
                eprintln!(
                    "`{}` is damaged (its checksum differs from the one recorded when it was \
                     built): rebuilding it",
                    path.display()
                );
            }
            if !args.no_cache && intact && cache::is_current(&path, &key) {
                if !quiet {
                    eprintln!("reused `{}` (its recorded key matches)", path.display());
                }
            } else {
                if let Some(status) = ensure_native_sif(loaded, &planned, &settings, &path)? {
                    return Ok(Outcome::Status(status));
                }
                cache::record_checksum(&path);
            }
            path
        }
        BuilderArg::Apptainer => {
            let apptainer = tool::apptainer("build a SIF with `--builder apptainer`")?;
            let path = dir.join(format!("{}.apptainer.sif", key.hex()));
            let def =
                crate::emit::apptainer::definition(&loaded.spec, plan).map_err(Report::input)?;
            let manifest = serde_json::to_value(crate::plan::manifest(&loaded.spec, plan))
                .unwrap_or(serde_json::Value::Null);
            let output = if quiet {
                from_def::ToolOutput::Captured
            } else {
                from_def::ToolOutput::Stderr
            };
            let built = from_def::apptainer_build(
                &apptainer,
                &def,
                &loaded.project_root,
                &path,
                (&key.hex(), manifest),
                output,
            )
            .map_err(|e| match e {
                from_def::ApptainerBuildError::Failed { .. } => Report::found(e),
                other => Report::environment(other),
            })?;
            if !quiet {
                eprintln!(
                    "built `{}` with `apptainer build` in {:.1}s (rootfs {})",
                    path.display(),
                    started.elapsed().as_secs_f64(),
                    built.listing.digest()
                );
            }
            path
        }
    };
    let shown = match &args.output {
        Some(output) => {
            copy_atomically(&path, output)?;
            output.clone()
        }
        None => path,
    };
    super::print_stdout(&format!("{}\n{}\n", shown.display(), key))?;
    Ok(Outcome::Success)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Build (or take from the step cache) the Docker image of `loaded` and assemble its SIF
/// at `path`. `Some(status)` when the build was interrupted.
pub fn ensure_native_sif(
    loaded: &LoadedSpec,
    planned: &Planned,
    settings: &BuildSettings,
    path: &Path,
) -> Result<Option<u8>, Report> {
    let quiet = settings.options.progress == ProgressMode::Quiet;
    let started = Instant::now();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            Report::environment(miette::miette!(
                "cannot create the SIF cache `{}`: {e}",
                dir.display()
            ))
        })?;
    }
    // One plan (the caller's) and one connection for the image and the SIF made from it.
    let done = build_runtime()?.block_on(async {
        let engine = Engine::connect().await.map_err(Report::from)?;
        let built = build_planned(&engine, loaded, planned, settings).await?;
        native::build_sif(&engine, &loaded.spec, &planned.plan, &built.image.id, path)
            .await
            .map(|assembled| (built, assembled))
            .map_err(|e| {
                BuildFailure::Report(match e {
                    native::NativeError::Emit(e) => Report::input(e),
                    e => Report::found(e),
                })
            })
    });
    let (built, assembled) = match done {
        Ok(done) => done,
        Err(BuildFailure::Interrupted(status)) => {
            eprintln!("envc: build interrupted; no SIF was written");
            return Ok(Some(status));
        }
        Err(BuildFailure::Report(report)) => return Err(report),
    };
    if !quiet {
        eprintln!(
            "built `{}` from `{}`: {:.1} MiB (squashfs {:.1} MiB) in {:.1}s",
            path.display(),
            built.image.reference,
            mib(assembled.sif_bytes),
            mib(assembled.squashfs_bytes),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(None)
}

/// Copy `from` to `to` under a temporary name in `to`'s folder, then rename it into place.
fn copy_atomically(from: &Path, to: &PathBuf) -> Result<(), Report> {
    let dir = match to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let fail = |e: std::io::Error| {
        Report::environment(miette::miette!("cannot write `{}`: {e}", to.display()))
    };
    let partial = tempfile::Builder::new()
        .prefix(&crate::leftovers::temp_prefix("sif"))
        .tempfile_in(dir)
        .map_err(fail)?;
    let mut source = std::fs::File::open(from).map_err(fail)?;
    std::io::copy(&mut source, &mut partial.as_file()).map_err(fail)?;
    partial
        .as_file()
        .set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .map_err(fail)?;
    partial.persist(to).map_err(|e| fail(e.error))?;
    Ok(())
}
