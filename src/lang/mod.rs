//! The Nix-like language: parse with rnix, lower to our own expression tree, and
//! evaluate lazily and hermetically.
//!
//! The rest of envc sees only [`Data`]: the strict, fully evaluated result with the
//! source span of each value's definition, so that later stages can point errors at
//! the line that caused them.
//!
//! Pipeline inside: `parse` (rnix, all errors reported) → `lower` (slots, merged
//! attribute paths, static errors) → `eval` (lazy, memoised thunks, builtins) → `print`
//! (Nix syntax, JSON, or [`Data`]). Evaluation runs on its own thread with a large stack
//! and a depth bound, so deep recursion is an error and never a crash.

pub mod budget;
pub mod builtins;
pub mod data;
pub mod embedded;
pub mod error;
pub mod eval;
pub mod expr;
pub mod io;
pub mod lower;
pub mod ops;
pub mod parse;
pub mod paths;
pub mod pos;
pub mod print;
pub mod regex;
pub mod value;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use data::{Data, Located};
pub use embedded::embedded_module;
pub use error::{ErrorKind, LangError};

use self::error::EvalError;
use self::eval::Eval;
use self::io::{Io, RootedFs};
use self::value::{Attr, Attrs, Value};
use crate::source::SourceFile;

/// Options for one evaluation.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    /// Project root: `import`, `readFile`, `pathExists` may only reach files under it
    /// (and the embedded `modules/` via `<envc/NAME>`). Default: the entry file's folder.
    pub root: PathBuf,
    /// Abort with an error after this many evaluation steps (fuzzing, untrusted input).
    pub max_steps: Option<u64>,
    /// The memory ceiling of the evaluation in bytes (see [`budget`]); `None` means the
    /// process's ([`budget::process_ceiling`]), which the CLI sets from `--max-memory`,
    /// `ENVC_EVAL_MAX_MEMORY` or the machine's size: the evaluator reads no environment.
    pub max_memory: Option<u64>,
}

impl EvalOptions {
    /// The default options for evaluating `file`: its folder is the root.
    pub fn for_file(file: &Path) -> Self {
        let abs = absolute(file);
        EvalOptions {
            root: abs.parent().unwrap_or(Path::new("/")).to_path_buf(),
            max_steps: None,
            max_memory: None,
        }
    }

    /// The default options for an expression evaluated in `dir`.
    pub fn for_dir(dir: &Path) -> Self {
        EvalOptions {
            root: absolute(dir),
            max_steps: None,
            max_memory: None,
        }
    }
}

/// What to evaluate.
#[derive(Clone, Debug)]
pub enum Input {
    File(PathBuf),
    /// An expression, as if it were a file in the folder.
    Expr {
        text: String,
        base_dir: PathBuf,
    },
}

/// How to present a strict result as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// `nix-instantiate --eval --strict --json`.
    Json,
    /// `nix-instantiate --eval --strict`.
    Nix,
}

/// Evaluate a file strictly (deep-forced, like `nix-instantiate --eval --strict`).
pub fn eval_file(path: &Path, opts: &EvalOptions) -> Result<Located, LangError> {
    run(Input::File(path.to_path_buf()), opts, Mode::Data).map(data)
}

/// Evaluate an expression string as if it were a file in `base_dir`.
pub fn eval_expr(expr: &str, base_dir: &Path, opts: &EvalOptions) -> Result<Located, LangError> {
    let input = Input::Expr {
        text: expr.to_string(),
        base_dir: base_dir.to_path_buf(),
    };
    run(input, opts, Mode::Data).map(data)
}

/// Like [`eval_expr`], with file access through `io` (made on the evaluation thread).
pub fn eval_expr_with_io(
    expr: &str,
    base_dir: &Path,
    opts: &EvalOptions,
    io: impl FnOnce() -> Box<dyn Io> + Send + 'static,
) -> Result<Located, LangError> {
    let input = Input::Expr {
        text: expr.to_string(),
        base_dir: base_dir.to_path_buf(),
    };
    run_with(input, opts, Mode::Data, io).map(data)
}

/// Evaluate a config/module file: if it evaluates to a function, apply it to
/// `{ lib = import <envc/lib.nix>; }` (nixpkgs-module style; `...` lets modules ignore
/// extra args), then force strictly.
pub fn eval_module(path: &Path, opts: &EvalOptions) -> Result<Located, LangError> {
    run(Input::File(path.to_path_buf()), opts, Mode::Module).map(data)
}

/// Evaluate and print the strict result as `nix-instantiate --eval --strict [--json]`
/// would (what `envc eval` prints).
pub fn eval_to_string(
    input: Input,
    opts: &EvalOptions,
    format: OutputFormat,
) -> Result<String, LangError> {
    match run(input, opts, Mode::Text(format))? {
        Output::Text(s) => Ok(s),
        Output::Data(_) => unreachable!("text mode returns text"),
    }
}

/// Like [`eval_to_string`], with file access through `io` instead of the real file
/// system (tests, sandboxes). `io` is made on the evaluation thread.
pub fn eval_to_string_with_io(
    input: Input,
    opts: &EvalOptions,
    format: OutputFormat,
    io: impl FnOnce() -> Box<dyn Io> + Send + 'static,
) -> Result<String, LangError> {
    match run_with(input, opts, Mode::Text(format), io)? {
        Output::Text(s) => Ok(s),
        Output::Data(_) => unreachable!("text mode returns text"),
    }
}

#[derive(Clone, Copy)]
enum Mode {
    Data,
    Module,
    Text(OutputFormat),
}

enum Output {
    Data(Located),
    Text(String),
}

fn run(input: Input, opts: &EvalOptions, mode: Mode) -> Result<Output, LangError> {
    let root = absolute(&opts.root);
    run_with(input, opts, mode, move || Box::new(RootedFs::new(&root)))
}

fn data(output: Output) -> Located {
    match output {
        Output::Data(d) => d,
        Output::Text(_) => unreachable!("data mode returns data"),
    }
}

fn run_with(
    input: Input,
    opts: &EvalOptions,
    mode: Mode,
    io: impl FnOnce() -> Box<dyn Io> + Send + 'static,
) -> Result<Output, LangError> {
    let opts = opts.clone();
    let handle = std::thread::Builder::new()
        .name("envc-eval".into())
        .stack_size(eval::STACK_SIZE)
        .spawn(move || evaluate(input, opts, mode, io()))
        .map_err(|e| {
            LangError::new(
                ErrorKind::Limit,
                format!("cannot start the evaluation thread: {e}"),
                None,
            )
        })?;
    match handle.join() {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    paths::normalize(&abs)
}

fn evaluate(
    input: Input,
    opts: EvalOptions,
    mode: Mode,
    io: Box<dyn Io>,
) -> Result<Output, LangError> {
    let root = absolute(&opts.root);
    // Before anything of the evaluation is allocated; dropped after the last value.
    let _ceiling =
        budget::Ceiling::install(opts.max_memory.unwrap_or_else(budget::process_ceiling));
    let steps = opts.max_steps.or_else(budget::process_steps);
    let eval = Eval::new(io, steps, root.clone());
    let (file, dir) = match &input {
        Input::File(path) => {
            let path = absolute(path);
            let path = if path.is_dir() {
                path.join("default.nix")
            } else {
                path
            };
            let text = eval
                .io
                .read_entry(&path)
                .map_err(|e| LangError::new(ErrorKind::Io, e.to_string(), None))?;
            let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
            eval.prefer_names_relative_to(dir.clone());
            let name = eval.file_name(&path);
            (SourceFile::new(name, path, text), dir)
        }
        Input::Expr { text, base_dir } => {
            let dir = absolute(base_dir);
            (
                SourceFile::new("«expr»", dir.join("«expr»"), text.as_str()),
                dir,
            )
        }
    };
    let node = eval.load(file, &dir, None)?;
    let fail = |e: Box<EvalError>| eval.to_lang_error(&e);
    let value = eval.eval_root(node).map_err(fail)?;
    let top = node.pos;
    match mode {
        Mode::Data => Ok(Output::Data(eval.to_data(&value, Some(top)).map_err(fail)?)),
        Mode::Module => {
            let value = match value {
                f @ (Value::Lambda(_) | Value::Builtin(_)) => {
                    let lib_path = Path::new(paths::EMBEDDED_ROOT).join("lib.nix");
                    let lib = eval.import(&lib_path, top).map_err(fail)?;
                    let arg = Value::Attrs(std::rc::Rc::new(Attrs::from_sorted(vec![Attr {
                        name: "lib".into(),
                        value: lib,
                        pos: top,
                    }])));
                    eval.call(f, arg, top).map_err(fail)?
                }
                other => other,
            };
            Ok(Output::Data(eval.to_data(&value, Some(top)).map_err(fail)?))
        }
        Mode::Text(OutputFormat::Json) => {
            Ok(Output::Text(eval.to_json(&value, top).map_err(fail)?))
        }
        Mode::Text(OutputFormat::Nix) => {
            Ok(Output::Text(eval.print_nix(&value, top).map_err(fail)?))
        }
    }
}
