//! `envc submit [--variant V] [SBATCH OPTIONS] -- CMD`: CMD as a Slurm batch job in the
//! environment's SIF (see [`crate::slurm`]), and `envc run --slurm` through `srun`.
//!
//! Neither calls a container engine: the key comes from the config, the SIF's digest from
//! the shared SIF folder, envc's SIF cache or the cache registry's manifest.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Args;

use super::config_args::ConfigArgs;
use super::registry_args::RegistryArgs;
use super::run_apptainer::SifEnvironment;
use super::up::Project;
use crate::apptainer::cache;
use crate::exit::{Outcome, Report};
use crate::registry::RegistryClient;
use crate::registry::client::IMAGE_MANIFEST_TYPES;
use crate::registry::manifest::read_manifest;
use crate::run::apptainer::Action;
use crate::slurm::{JobRecord, JobScript, jobs, wants_gpu};

/// Submit a command as a Slurm batch job in the environment.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Write the job script on stdout instead of submitting it.
    #[arg(long)]
    pub print: bool,
    /// The folder every node sees that holds SIFs by key (default: the config's
    /// `cache.sif_dir`, else envc's SIF cache).
    #[arg(long, value_name = "DIR")]
    pub sif_dir: Option<PathBuf>,
    /// sbatch options (`--array=0-3`, `--time=1:00:00`, `--partition=P`, `--gres=gpu:1`,
    /// `--cpus-per-task=4`, ...), passed to sbatch as they are, then `--` and the command
    /// and its arguments.
    #[arg(
        value_name = "SBATCH_OPTION... -- COMMAND",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub rest: Vec<OsString>,
}

impl SubmitArgs {
    /// The sbatch options and the command: `rest` split at its first `--`; envc's own
    /// `--print` among the options is taken out.
    fn split(&mut self) -> Result<(Vec<String>, Vec<String>), Report> {
        let rest = strings(&self.rest);
        let at = match rest.iter().position(|a| a == "--") {
            Some(at) => at,
            // `envc submit [--print] -- CMD`: clap took the `--`, so all of it is the command.
            None if rest.first().is_some_and(|a| !a.starts_with('-')) => {
                return Ok((Vec::new(), rest));
            }
            None => {
                return Err(Report::input(miette::miette!(
                    help = "write `envc submit [SBATCH OPTIONS] -- COMMAND [ARGS]`",
                    "no `--` before the command"
                )));
            }
        };
        let command = rest[at + 1..].to_vec();
        if command.is_empty() {
            return Err(Report::input(miette::miette!(
                help = "write `envc submit [SBATCH OPTIONS] -- COMMAND [ARGS]`",
                "no command after `--`"
            )));
        }
        let mut options = Vec::new();
        for option in &rest[..at] {
            match option.as_str() {
                "--print" => self.print = true,
                _ => options.push(option.clone()),
            }
        }
        Ok((options, command))
    }
}

/// A job ready to go: its script and what is recorded about it.
pub struct Prepared {
    pub project: Project,
    pub key: String,
    pub digest: String,
    /// The script without `#SBATCH` lines (options go on the command line).
    pub script: String,
    /// The script with the options as `#SBATCH` lines, for `--print`.
    pub printed: String,
}

/// Where the SIFs are and how to reach the registry, shared by `submit` and `run --slurm`.
pub struct Source<'a> {
    pub config: &'a ConfigArgs,
    pub registry: &'a RegistryArgs,
    pub sif_dir: Option<&'a Path>,
}

pub fn run(mut args: SubmitArgs) -> Result<Outcome, Report> {
    let (sbatch, command) = args.split()?;
    let source = Source {
        config: &args.config,
        registry: &args.registry,
        sif_dir: args.sif_dir.as_deref(),
    };
    let prepared = prepare(&source, &sbatch, &command)?;
    if args.print {
        super::print_stdout(&prepared.printed)?;
        return Ok(Outcome::Success);
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| prepared.project.root.clone());
    let mut options = sbatch;
    if !options
        .iter()
        .any(|o| o == "-J" || o.starts_with("--job-name") || (o.starts_with("-J") && o.len() > 2))
    {
        let name = prepared
            .project
            .root
            .file_name()
            .map_or("envc".into(), |n| n.to_string_lossy().into_owned());
        options.insert(0, format!("--job-name=envc-{name}"));
    }
    let job_id = jobs::sbatch(&options, &prepared.script, &cwd).map_err(slurm_failed)?;
    let record = JobRecord::new(
        job_id.clone(),
        prepared.key.clone(),
        prepared.digest.clone(),
        prepared.project.variant.clone(),
        command,
    );
    if let Err(e) = jobs::append(&jobs::events_path(&prepared.project.root), &record) {
        eprintln!("warning: {}", crate::error_chain::error_chain(&e));
    }
    eprintln!(
        "submitted job {job_id}: env key {}, SIF {}",
        prepared.key, prepared.digest
    );
    super::print_stdout(&format!("{job_id}\n"))?;
    Ok(Outcome::Success)
}

/// `envc run --slurm [--srun OPT]... -- CMD`: the job script as an `srun` step, its exit
/// status the command's.
pub fn srun(
    source: &Source<'_>,
    options: &[String],
    command: &[String],
) -> Result<Outcome, Report> {
    let prepared = prepare(source, options, command)?;
    let mut args: Vec<String> = options.to_vec();
    args.extend([
        "/bin/sh".into(),
        "-c".into(),
        prepared.script,
        "envc-job".into(),
    ]);
    let status = std::process::Command::new("srun")
        .args(&args)
        .status()
        .map_err(|e| {
            slurm_failed(jobs::SlurmError::Spawn {
                program: "srun".into(),
                source: e,
            })
        })?;
    let code = status.code().unwrap_or(1);
    Ok(Outcome::Status(u8::try_from(code).unwrap_or(1)))
}

/// Evaluate the config and write the job script for `command`.
pub fn prepare(
    source: &Source<'_>,
    options: &[String],
    command: &[String],
) -> Result<Prepared, Report> {
    // Options a `#SBATCH` line cannot carry are refused before anything is looked up.
    for option in options {
        crate::escape::sbatch::directive_word(option).map_err(Report::input)?;
    }
    let env = SifEnvironment::open(source.config)?;
    let mut argv = env.command_line(Path::new("/envc-sif"), &Action::Exec(command.to_vec()))?;
    let SifEnvironment {
        project,
        loaded,
        key,
        facts,
        plan,
        ..
    } = env;
    argv.truncate(argv.len() - command.len() - 1);
    if wants_gpu(options) && !argv.iter().any(|a| a == "--nv") {
        argv.insert(2, "--nv".into());
    }
    crate::run::lifecycle::host_dirs(&plan).map_err(Report::from)?;
    let sif_dir = match (source.sif_dir, &loaded.spec.cache.sif_dir) {
        (Some(dir), _) => std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
        (None, Some(dir)) => project
            .root
            .join(facts.fill(dir.as_str()).map_err(Report::input)?),
        (None, None) => cache::sif_dir(),
    };
    let registry = source.registry.resolve(&loaded.spec)?;
    let digest = recorded_digest(
        &sif_dir,
        &key,
        registry.as_ref(),
        &plan_image_name(&loaded)?,
    )?;
    let envc = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("envc"));
    let mut pull_args = vec!["-f".to_owned(), project.config.display().to_string()];
    if let Some(variant) = &project.variant {
        pull_args.extend(["--variant".into(), variant.clone()]);
    }
    if let Some(reference) = &source.registry.cache_registry {
        pull_args.extend(["--cache-registry".into(), reference.as_str().to_owned()]);
    }
    if source.registry.insecure {
        pull_args.push("--insecure".into());
    }
    let hex = key.hex();
    let script = JobScript {
        key: &hex,
        digest: &digest,
        sif_dir: &sif_dir,
        project: &project.root,
        envc: &envc,
        pull_args: &pull_args,
        apptainer: &argv,
        command,
        sbatch: &[],
    };
    let printed = JobScript {
        sbatch: options,
        ..script.clone()
    }
    .render()
    .map_err(Report::input)?;
    let script = script.render().map_err(Report::input)?;
    Ok(Prepared {
        project,
        key: hex,
        digest,
        script,
        printed,
    })
}

fn plan_image_name(loaded: &crate::spec::LoadedSpec) -> Result<String, Report> {
    Ok(super::build::plan_for_build(loaded, false)?
        .plan
        .image_name())
}

/// The `sha256:` digest of the key's SIF: the shared folder's copy, envc's cached one, or
/// the layer the cache registry's SIF manifest names.
fn recorded_digest(
    sif_dir: &Path,
    key: &crate::plan::Key,
    registry: Option<&crate::registry::Registry>,
    image_name: &str,
) -> Result<String, Report> {
    for path in [
        sif_dir.join(format!("{}.sif", key.hex())),
        cache::sif_path(key),
    ] {
        if cache::is_current(&path, key) {
            let (digest, _) = crate::registry::sif::file_digest(&path).map_err(|e| {
                Report::environment(miette::miette!("cannot read `{}`: {e}", path.display()))
            })?;
            return Ok(digest);
        }
    }
    let missing = || {
        Report::environment(miette::miette!(
            help = "build it with `envc build --target apptainer`, and push it with \
                    `envc push --target apptainer` so the nodes can pull it",
            "no SIF of the key {key} in `{}`, envc's SIF cache or a cache registry",
            sif_dir.display()
        ))
    };
    let Some(registry) = registry else {
        return Err(missing());
    };
    let reference = registry.sif(image_name, key);
    let found = super::registry_args::runtime()?.block_on(async {
        let client = RegistryClient::connect(registry)?;
        client.manifest(&reference, IMAGE_MANIFEST_TYPES).await
    })?;
    let Some((bytes, _)) = found else {
        return Err(missing());
    };
    let manifest = read_manifest(&bytes).map_err(|reason| {
        Report::environment(miette::miette!(
            "the cache registry's SIF manifest `{}` cannot be read: {reason}",
            crate::registry::Registry::show(&reference)
        ))
    })?;
    match manifest.layers.as_slice() {
        [layer] => Ok(layer.digest.clone()),
        layers => Err(Report::environment(miette::miette!(
            "the cache registry's SIF manifest `{}` has {} layers, not one",
            crate::registry::Registry::show(&reference),
            layers.len()
        ))),
    }
}

fn slurm_failed(e: jobs::SlurmError) -> Report {
    Report::environment(miette::miette!("{}", crate::error_chain::error_chain(&e)))
}

fn strings(args: &[OsString]) -> Vec<String> {
    args.iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}
