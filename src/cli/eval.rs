//! `envc eval`: evaluate a file or an expression strictly and print the result as JSON
//! (like `nix-instantiate --eval --strict --json`) or in Nix syntax (`--nix`).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::exit::{Outcome, Report};
use crate::lang::{self, EvalOptions, Input, OutputFormat};

/// What the user typed.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The file to evaluate (a folder means its `default.nix`).
    #[arg(required_unless_present = "expr", conflicts_with = "expr")]
    pub file: Option<PathBuf>,
    /// Evaluate this expression instead of a file (relative paths resolve against the
    /// current folder).
    #[arg(long, value_name = "EXPR")]
    pub expr: Option<String>,
    /// The project root: files outside it cannot be read [default: the file's folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Print JSON (the default).
    #[arg(long, conflicts_with = "nix")]
    pub json: bool,
    /// Print in Nix's value syntax, exactly as `nix-instantiate --eval --strict` does.
    #[arg(long)]
    pub nix: bool,
}

/// The settled settings of one `envc eval` run.
struct Settings {
    input: Input,
    options: EvalOptions,
    format: OutputFormat,
}

impl Settings {
    fn from_args(args: EvalArgs) -> Result<Settings, Report> {
        let cwd = std::env::current_dir().map_err(|e| {
            Report::environment(miette::miette!("cannot read the current folder: {e}"))
        })?;
        let format = if args.nix {
            OutputFormat::Nix
        } else {
            OutputFormat::Json
        };
        let (input, mut options) = match (args.expr, args.file) {
            (Some(text), _) => (
                Input::Expr {
                    text,
                    base_dir: cwd.clone(),
                },
                EvalOptions::for_dir(&cwd),
            ),
            (None, Some(file)) => {
                let options = EvalOptions::for_file(&cwd.join(&file));
                (Input::File(cwd.join(file)), options)
            }
            (None, None) => {
                return Err(Report::input(miette::miette!(
                    "give a file to evaluate or `--expr`"
                )));
            }
        };
        if let Some(root) = args.root {
            options.root = cwd.join(root);
        }
        Ok(Settings {
            input,
            options,
            format,
        })
    }
}

pub fn run(args: EvalArgs) -> Result<Outcome, Report> {
    let settings = Settings::from_args(args)?;
    let text = lang::eval_to_string(settings.input, &settings.options, settings.format)
        .map_err(Report::input)?;
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`envc eval f | head -c1`) is not an error.
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => Ok(Outcome::Success),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Outcome::Success),
        Err(e) => Err(Report::environment(miette::miette!(
            "cannot write the result: {e}"
        ))),
    }
}
