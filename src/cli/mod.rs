//! The command line: clap definitions, one file per command, and the dispatch.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit::{Outcome, Report, to_exit_code};

pub mod audit;
pub mod build;
pub mod build_sif;
pub mod check;
mod completions;
pub mod config_args;
pub mod digest;
pub mod doctor;
pub mod down;
pub mod emit;
pub mod eval;
pub mod gc;
pub mod images;
pub mod init;
pub mod inspect;
pub mod lock;
pub mod lsp;
pub mod plan;
pub mod provenance;
pub mod pull;
pub mod push;
pub mod registry_args;
pub mod run;
pub mod run_apptainer;
pub mod sbom;
pub mod schema;
pub mod shell;
pub mod show;
pub mod status;
pub mod submit;
pub mod targets;
pub mod up;
pub mod verify;

/// envc — a declarative environment compiler.
#[derive(Debug, Parser)]
#[command(name = "envc", version, about, propagate_version = true)]
pub struct Cli {
    /// More output on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Stop evaluating a `.nix` file with an error once it has allocated this much memory
    /// (`2G`, `512M`) [default: 2 GiB, or half of the machine's memory if less].
    #[arg(long, global = true, value_name = "SIZE", env = "ENVC_EVAL_MAX_MEMORY",
          value_parser = crate::lang::budget::parse_size)]
    pub max_memory: Option<u64>,
    /// Stop evaluating a `.nix` file with an error after this many evaluation steps
    /// [default: no bound].
    #[arg(long, global = true, value_name = "N", env = "ENVC_EVAL_MAX_STEPS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_eval_steps: Option<u64>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the shell completion script for SHELL on stdout.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the envc(1) man page (roff) on stdout.
    Man,
    /// Write a first config from the project's Dockerfile, devcontainer.json, requirements, ...
    Init(init::InitArgs),
    /// Check the machine: Docker, Apptainer, debootstrap, disk, proxy and CA, GPU, cache, config.
    Doctor(doctor::DoctorArgs),
    /// Print the JSON Schema for `envc.json` files.
    Schema(schema::SchemaArgs),
    /// Check the config: evaluate, merge, validate; print a summary or the errors.
    Check(check::CheckArgs),
    /// Print the normalized spec (sorted, every default filled in).
    Show(show::ShowArgs),
    /// Show the build steps and their content keys.
    Plan(plan::PlanArgs),
    /// Resolve floating inputs and write `envc.lock` (`--check`: is it up to date?).
    Lock(lock::LockArgs),
    /// Write the Dockerfile, Apptainer .def, manifest.json and devcontainer.json.
    Emit(emit::EmitArgs),
    /// List every input with its pin and every risky setting.
    Audit(audit::AuditArgs),
    /// Write the SBOM (SPDX or CycloneDX) of the locked environment and its image.
    Sbom(sbom::SbomArgs),
    /// Write the SLSA provenance (an in-toto statement) of the built image.
    Provenance(provenance::ProvenanceArgs),
    /// Evaluate a file or expression strictly and print the result (JSON or Nix syntax).
    Eval(eval::EvalArgs),
    /// Print the rootfs digest of a filesystem tar or a SIF, and what it left out.
    Digest(digest::DigestArgs),
    /// List a SIF file's objects and the envc metadata in it.
    Inspect(inspect::InspectArgs),
    /// Build the Docker image from the longest cached prefix of its plan.
    Build(build::BuildArgs),
    /// List envc's images with keys, sizes and which the current config uses.
    Images(images::ImagesArgs),
    /// Remove envc's images that no current config uses.
    Gc(gc::GcArgs),
    /// Push the built environment (step images, finished image, SIF) to the cache registry.
    Push(push::PushArgs),
    /// Pull the current key's environment from the cache registry, verified.
    Pull(pull::PullArgs),
    /// Check that cached images and SIFs are what their inputs and recorded digests say.
    Verify(verify::VerifyArgs),
    /// Start the environment: build if needed, start services, map the host user.
    Up(up::UpArgs),
    /// Run a command as the mapped user in the environment (`envc run -- CMD ARGS...`).
    Run(run::RunArgs),
    /// Open an interactive login shell in the environment.
    Shell(shell::ShellArgs),
    /// Stop and remove the environment's containers and network.
    Down(down::DownArgs),
    /// Show the environment's containers and whether the config changed since `up`.
    Status(status::StatusArgs),
    /// Submit a command as a Slurm batch job in the environment's SIF (`envc submit
    /// [SBATCH OPTIONS] -- CMD`; `--print` writes the job script).
    Submit(submit::SubmitArgs),
    /// Run the language server for `envc.nix` and `envc.json` on stdin/stdout.
    Lsp(lsp::LspArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    crate::lang::budget::set_process_steps(cli.max_eval_steps);
    crate::lang::budget::set_process_ceiling(
        cli.max_memory
            .unwrap_or_else(crate::lang::budget::default_ceiling),
    );
    // Keep each diagnostic message on one line (greppable, copyable, testable).
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
    }));
    to_exit_code(dispatch(cli.command))
}

fn dispatch(command: Command) -> Result<Outcome, Report> {
    match command {
        Command::Completions { shell } => completions::completions(shell),
        Command::Man => completions::man(),
        Command::Init(args) => init::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Check(args) => check::run(args),
        Command::Show(args) => show::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Lock(args) => lock::run(args),
        Command::Emit(args) => emit::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Sbom(args) => sbom::run(args),
        Command::Provenance(args) => provenance::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Digest(args) => digest::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Build(args) => build::run(args),
        Command::Images(args) => images::run(args),
        Command::Gc(args) => gc::run(args),
        Command::Push(args) => push::run(args),
        Command::Pull(args) => pull::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Up(args) => up::run(args),
        Command::Run(args) => run::run(args),
        Command::Shell(args) => shell::run(args),
        Command::Down(args) => down::run(args),
        Command::Status(args) => status::run(args),
        Command::Submit(args) => submit::run(args),
        Command::Lsp(args) => lsp::run(args),
    }
}

fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("ENVC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("envc={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}

/// Write data to stdout; a closed pipe (`envc show | head`) is not an error.
pub fn print_stdout(text: &str) -> Result<(), Report> {
    use std::io::{IsTerminal, Write};
    let mut out = std::io::stdout().lock();
    // A terminal acts on control characters (a script's ESC in `envc show`): show them
    // escaped there, line by line; a pipe or a file gets the bytes as they are.
    let shown;
    let text = if out.is_terminal() && text.chars().any(|c| c.is_control() && c != '\n') {
        shown = text
            .split('\n')
            .map(crate::spec::model::escape_controls)
            .collect::<Vec<_>>()
            .join("\n");
        shown.as_str()
    } else {
        text
    };
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Report::environment(miette::miette!(
            "cannot write to stdout: {e}"
        ))),
    }
}
