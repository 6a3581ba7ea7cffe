//! `envc run -- CMD ARGS...`: run a command as the mapped user in the project's environment,
//! by exec into it when it is up (the fast path: cached evaluation, no version negotiation,
//! one exec), else in a one-shot container removed afterwards.
//!
//! The exit status is the command's own; 125 means envc itself failed, 126 the command could
//! not be executed and 127 it was not found (as `docker run` does).

use std::ffi::OsString;

use clap::Args;

use super::build_sif::TargetArg;
use super::config_args::ConfigArgs;
use super::up::{
    Project, build_if_needed, check_image, connect, evaluate, evaluate_cached, runtime,
};
use crate::engine::{Engine, EngineError, ExecSpec};
use crate::exit::{Outcome, Report};
use crate::plan::Key;
use crate::run::Evaluated;
use crate::run::apptainer::Action;
use crate::run::evaluated::up_record_path;
use crate::run::session::{Forward, relay};
use crate::run::{EnvPlan, RunError, container_config, dry_run, lifecycle, resolve, terminal};

/// envc's own failure, as `docker run` reports it.
pub const ENVC_FAILED: u8 = 125;

/// Run a command in the environment.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print the equivalent `docker` command instead of running anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Where to run: the Docker environment, or the SIF with `apptainer exec` (default:
    /// Docker, unless the config enables only the Apptainer target).
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// Run in the SIF as a Slurm job step with `srun` (in the current allocation, or a new
    /// one), the SIF found or pulled and checked as `envc submit` does.
    #[arg(long, conflicts_with_all = ["target", "dry_run"])]
    pub slurm: bool,
    /// An `srun` option for `--slurm` (repeat it: `--srun=--time=10 --srun=--gres=gpu:1`).
    #[arg(
        long,
        value_name = "OPTION",
        allow_hyphen_values = true,
        requires = "slurm"
    )]
    pub srun: Vec<String>,
    /// The command and its arguments (after `--`), passed through as they are.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<OsString>,
}

pub fn run(args: RunArgs) -> Result<Outcome, Report> {
    let command: Vec<String> = args
        .command
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if args.slurm {
        let source = super::submit::Source {
            config: &args.config,
            registry: &Default::default(),
            sif_dir: None,
        };
        return super::submit::srun(&source, &args.srun, &command);
    }
    if args.target == Some(TargetArg::Apptainer) {
        return super::run_apptainer::enter(&args.config, Action::Exec(command), args.dry_run);
    }
    enter(&args.config, command, args.dry_run, None, args.target)
}

/// Run `command` (or, with `login_shell`, the user's login shell) in the environment of
/// target `asked` (default: Docker unless only Apptainer is enabled), reporting envc's own
/// errors in the Docker environment as status 125.
pub fn enter(
    config: &ConfigArgs,
    command: Vec<String>,
    dry_run: bool,
    login_shell: Option<()>,
    asked: Option<TargetArg>,
) -> Result<Outcome, Report> {
    let evaluated = Project::locate(config)
        .and_then(|project| Ok((evaluate_cached(config, &project)?, project)));
    let (evaluated, project) = match evaluated {
        Ok(found) => found,
        Err(report) => return Ok(failed(report)),
    };
    if super::targets::to_enter(&evaluated.manifest.images, asked, &project.config)?
        == TargetArg::Apptainer
    {
        let action = match login_shell {
            Some(()) => Action::Shell,
            None => Action::Exec(command),
        };
        return super::run_apptainer::enter(config, action, dry_run);
    }
    match try_enter(config, project, evaluated, command, dry_run, login_shell) {
        Ok(outcome) => Ok(outcome),
        Err(report) => Ok(failed(report)),
    }
}

/// envc's own failure, printed, as the status `docker run` gives it.
fn failed(report: Report) -> Outcome {
    eprintln!("{:?}", report.diagnostic);
    Outcome::Status(ENVC_FAILED)
}

fn try_enter(
    config: &ConfigArgs,
    project: Project,
    mut evaluated: Evaluated,
    mut command: Vec<String>,
    dry_run: bool,
    login_shell: Option<()>,
) -> Result<Outcome, Report> {
    let facts = project.facts();
    let plan = resolve(&evaluated.manifest, &facts, evaluated.sudo).map_err(RunError::from)?;
    if login_shell.is_some() {
        let shell = plan
            .user
            .as_ref()
            .map_or("/bin/sh".to_owned(), |u| u.shell.clone());
        command = vec![shell, "-l".into()];
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| project.root.clone());
    let workdir = plan.workdir(&project.root, &cwd);
    let tty = terminal::wants_tty();
    let rt = runtime()?;
    if dry_run {
        let running = rt.block_on(async {
            match Engine::connect().await {
                Ok(engine) => matches!(
                    lifecycle::find(&engine, &plan.container).await,
                    Ok(Some(e)) if e.running
                ),
                Err(_) => false,
            }
        });
        super::print_stdout(
            &dry_run::run(&plan, running, &command, workdir.as_deref(), tty)
                .map_err(Report::input)?,
        )?;
        return Ok(Outcome::Success);
    }
    // Held while the command runs, so that `down` or a recreating `up` waits for it.
    let _lock = project.lock(crate::run::env_lock::Access::Shared)?;
    warn_if_stale(&project, &plan);
    let engine = rt.block_on(connect(&evaluated))?;
    if evaluated.api_version.is_none() {
        evaluated.api_version = Some(engine.api_version());
        evaluated.store(&project.root, project.variant.as_deref());
    }
    let status = rt.block_on(async {
        match exec(&engine, &plan, &command, workdir.clone(), tty).await {
            Ok(status) => Ok(Some(status)),
            Err(e) if not_running(&e) => Ok(None),
            Err(e) => Err(Report::from(e)),
        }
    })?;
    if let Some(status) = status {
        return Ok(Outcome::Status(status));
    }
    // One-shot: the image of the current inputs. Project files enter its key and the cached
    // evaluation does not watch them, so evaluate afresh (cheap next to starting a
    // container), build the image if it is missing, and check it before starting it.
    let (loaded, mut fresh) = evaluate(config)?;
    fresh.api_version = evaluated.api_version;
    fresh.store(&project.root, project.variant.as_deref());
    let plan = resolve(&fresh.manifest, &facts, fresh.sudo).map_err(RunError::from)?;
    let image_present = rt
        .block_on(engine.find_image(&plan.image))
        .map_err(Report::from)?
        .is_some();
    if !image_present && let Some(status) = build_if_needed(&loaded)? {
        return Ok(Outcome::Status(status));
    }
    let key = image_key(&fresh);
    rt.block_on(check_image(&engine, &plan.image, key.as_ref()))?;
    let status = rt.block_on(oneshot(&engine, &plan, &command, workdir, tty))?;
    Ok(Outcome::Status(status))
}

/// The key of the Docker image the evaluation names.
fn image_key(evaluated: &Evaluated) -> Option<Key> {
    evaluated.manifest.images.docker.as_ref().map(|d| d.key)
}

/// Say so when the running environment was started from another configuration.
fn warn_if_stale(project: &Project, plan: &EnvPlan) {
    let record = up_record_path(&project.root, project.variant.as_deref());
    let Ok(bytes) = std::fs::read(record) else {
        return;
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return;
    };
    if value["hash"].as_str().is_some_and(|h| h != plan.hash()) {
        eprintln!("note: the configuration changed since `envc up`; run `envc up` to apply it");
    }
}

/// The environment container is missing or stopped.
fn not_running(e: &EngineError) -> bool {
    match e {
        EngineError::NotFound { .. } => true,
        EngineError::Api {
            source: bollard::errors::Error::DockerResponseServerError { status_code, .. },
            ..
        } => *status_code == 409,
        _ => false,
    }
}

fn status_of(code: i64) -> u8 {
    u8::try_from(code).unwrap_or(ENVC_FAILED)
}

async fn exec(
    engine: &Engine,
    plan: &EnvPlan,
    command: &[String],
    workdir: Option<String>,
    tty: bool,
) -> Result<u8, EngineError> {
    let token = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let mut cmd = vec![
        "/bin/sh".to_owned(),
        "-c".to_owned(),
        crate::run::user_script::EXEC_WRAPPER.to_owned(),
        "envc".to_owned(),
    ];
    cmd.extend(command.iter().cloned());
    let mut env = plan.env_list();
    env.push(format!("ENVC_EXEC={token}"));
    if tty && let Ok(term) = std::env::var("TERM") {
        env.push(format!("TERM={term}"));
    }
    let spec = ExecSpec {
        cmd,
        env,
        user: plan.user.as_ref().map(|u| format!("{}:{}", u.uid, u.gid)),
        working_dir: workdir,
        tty,
        stdin: true,
    };
    let session = engine.exec_session(&plan.container, &spec).await?;
    let id = session.id.clone();
    relay(
        engine,
        session,
        tty,
        Forward::Exec {
            container: &plan.container,
            token: &token,
        },
    )
    .await?;
    // The output ends when the command does; the engine may record the status a moment later.
    for _ in 0..200 {
        if let Some(code) = engine.exec_exit_code(&id).await? {
            return Ok(status_of(code));
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    Ok(ENVC_FAILED)
}

async fn oneshot(
    engine: &Engine,
    plan: &EnvPlan,
    command: &[String],
    workdir: Option<String>,
    tty: bool,
) -> Result<u8, Report> {
    lifecycle::host_dirs(plan)?;
    lifecycle::network(engine, plan).await?;
    let gpus = lifecycle::gpus(engine, plan).await.map_err(Report::from)?;
    let spec = container_config::oneshot(plan, gpus, command, workdir, tty);
    let guard = engine.create_container(&spec).await.map_err(Report::from)?;
    let session = engine
        .attach_session(guard.id(), true)
        .await
        .map_err(Report::from)?;
    guard.start().await.map_err(Report::from)?;
    let id = guard.id().to_owned();
    relay(engine, session, tty, Forward::Container { id: &id })
        .await
        .map_err(Report::from)?;
    let mut status = ENVC_FAILED;
    for _ in 0..400 {
        let inspect = engine.inspect_container(&id).await.map_err(Report::from)?;
        if let Some(state) = inspect.state
            && state.running != Some(true)
        {
            status = status_of(state.exit_code.unwrap_or(i64::from(ENVC_FAILED)));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    guard.remove().await.map_err(Report::from)?;
    Ok(status)
}
