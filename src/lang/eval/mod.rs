//! The evaluator: walks lowered [`Node`]s in environments of slots, lazily.
//!
//! `eval` returns values in weak head normal form (never a `Thunk`); `delay` makes the
//! lazy value of a sub-expression without evaluating it (constants, variables and
//! lambdas need no thunk). Thunks are memoised in place and black-holed while being
//! forced, which is how infinite recursion is detected.
//!
//! Recursion uses the native stack: the public entry points run evaluation on a thread
//! with a large stack, and `depth` bounds the nesting well before that stack is gone.
//!
//! This file holds the evaluator's state, nesting bounds, file loading and error
//! rendering; `thunks` forces and delays values, `exprs` evaluates the syntax forms,
//! `attrsets` builds sets and selects from them, `calls` applies functions (binary
//! operators are in `ops`).

mod attrsets;
mod calls;
mod exprs;
mod thunks;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use super::budget;
use super::error::{ErrorKind, EvalError, EvalResult, LangError};
use super::expr::Node;
use super::io::Io;
use super::lower::{Globals, Lowerer};
use super::parse;
use super::paths;
use super::pos::{Files, Pos};
use super::value::{Env, Slots, Thunk, ThunkState, Value};
use crate::source::SourceFile;

/// Nesting depth at which evaluation stops with an error (a logical bound; the stack
/// bound below is what protects the native stack).
pub const MAX_DEPTH: u32 = 1_000_000;

/// How much of the evaluation thread's stack evaluation may use before it stops with an
/// error; the rest is headroom for the deepest builtin or drop below the last check.
pub const STACK_BUDGET: usize = STACK_SIZE - (128 << 20);

/// The stack of the evaluation thread. Memory is only committed as it is used.
/// `Eval::new` must run on that thread: it records where the stack starts.
pub const STACK_SIZE: usize = 1 << 30;

/// Nesting of function calls at which evaluation stops.
pub const MAX_CALL_DEPTH: u32 = 100_000;

/// Nesting of data walked recursively (`toJSON`, `deepSeq`, `==`, printing) at which
/// evaluation stops, as Nix's `max-call-depth` (10000) stops it.
pub const MAX_DATA_DEPTH: u32 = 10_000;

/// The address of a local: where the native stack is right now.
#[inline(always)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

pub struct Eval {
    pub files: Files,
    pub io: Box<dyn Io>,
    pub globals: Globals,
    /// Imported files by path: their (lazy) value, so each file is evaluated once.
    imports: RefCell<HashMap<PathBuf, Value>>,
    depth: Cell<u32>,
    call_depth: Cell<u32>,
    data_depth: Cell<u32>,
    /// Where the evaluation thread's stack started (stacks grow down).
    stack_base: usize,
    steps: Cell<u64>,
    max_steps: Option<u64>,
    /// Folders that file names in diagnostics are shown relative to, in order of
    /// preference (the entry file's folder, then the project root).
    name_bases: RefCell<Vec<PathBuf>>,
}

/// Decrements the depth counter when a nesting level ends, also on early returns.
pub struct DepthGuard<'a>(&'a Cell<u32>);

impl Drop for DepthGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

impl Eval {
    pub fn new(io: Box<dyn Io>, max_steps: Option<u64>, root: PathBuf) -> Eval {
        let mut eval = Eval {
            files: Files::default(),
            io,
            globals: Globals::new(),
            imports: RefCell::new(HashMap::new()),
            depth: Cell::new(0),
            call_depth: Cell::new(0),
            data_depth: Cell::new(0),
            stack_base: stack_position(),
            steps: Cell::new(0),
            max_steps,
            name_bases: RefCell::new(vec![root]),
        };
        eval.globals = super::builtins::globals();
        eval
    }

    /// Enter one nesting level: counts steps and depth.
    #[inline]
    pub fn enter(&self, pos: Pos) -> EvalResult<DepthGuard<'_>> {
        let depth = self.depth.get() + 1;
        if depth > MAX_DEPTH || self.stack_base.saturating_sub(stack_position()) > STACK_BUDGET {
            return Err(too_deep(pos));
        }
        if budget::exceeded() {
            return Err(out_of_memory(pos));
        }
        self.depth.set(depth);
        if let Some(max) = self.max_steps {
            let steps = self.steps.get() + 1;
            self.steps.set(steps);
            if steps > max {
                self.depth.set(depth - 1);
                return Err(EvalError::new(
                    ErrorKind::Limit,
                    format!("evaluation exceeded {max} steps"),
                    Some(pos),
                ));
            }
        }
        Ok(DepthGuard(&self.depth))
    }

    /// Ask the budget for `bytes` about to be allocated at once at `pos` (a builtin
    /// sizing its result): an error instead of an allocation past the ceiling.
    #[inline]
    pub fn reserve(&self, bytes: usize, pos: Pos) -> EvalResult<()> {
        budget::reserve(bytes).map_err(|_| out_of_memory(pos))
    }

    /// [`Eval::reserve`] for `n` values of type `T` (list items, attributes).
    #[inline]
    pub fn reserve_items<T>(&self, n: usize, pos: Pos) -> EvalResult<()> {
        budget::reserve_items(n, std::mem::size_of::<T>()).map_err(|_| out_of_memory(pos))
    }

    /// [`Eval::reserve`] for `n` lazy list items (a value and a thunk each).
    #[inline]
    pub fn reserve_lazy(&self, n: usize, pos: Pos) -> EvalResult<()> {
        const PER_ITEM: usize = std::mem::size_of::<Value>()
            + std::mem::size_of::<RefCell<ThunkState>>()
            + 2 * std::mem::size_of::<usize>();
        budget::reserve_items(n, PER_ITEM).map_err(|_| out_of_memory(pos))
    }

    /// Enter one function call.
    pub fn enter_call(&self, pos: Pos) -> EvalResult<DepthGuard<'_>> {
        let depth = self.call_depth.get() + 1;
        if depth > MAX_CALL_DEPTH {
            return Err(EvalError::new(
                ErrorKind::Limit,
                format!(
                    "stack overflow: function calls nested more than {MAX_CALL_DEPTH} deep (possible infinite recursion)"
                ),
                Some(pos),
            ));
        }
        self.call_depth.set(depth);
        Ok(DepthGuard(&self.call_depth))
    }

    /// Enter one level of recursive data walking.
    pub fn enter_data(&self, pos: Pos) -> EvalResult<DepthGuard<'_>> {
        let _stack = self.enter(pos)?;
        let depth = self.data_depth.get() + 1;
        if depth > MAX_DATA_DEPTH {
            return Err(EvalError::new(
                ErrorKind::Limit,
                format!("stack overflow: data nested more than {MAX_DATA_DEPTH} deep"),
                Some(pos),
            ));
        }
        self.data_depth.set(depth);
        Ok(DepthGuard(&self.data_depth))
    }

    // ---- files -------------------------------------------------------------------------

    /// Show file names relative to `dir` first (the entry file's folder).
    pub fn prefer_names_relative_to(&self, dir: PathBuf) {
        self.name_bases.borrow_mut().insert(0, dir);
    }

    /// How diagnostics name the file at `path`.
    pub fn file_name(&self, path: &Path) -> String {
        if paths::embedded_name(path).is_some() {
            return display_name(path);
        }
        for base in self.name_bases.borrow().iter() {
            if let Ok(rel) = path.strip_prefix(base)
                && !rel.as_os_str().is_empty()
            {
                return rel.display().to_string();
            }
        }
        path.display().to_string()
    }

    /// Parse and lower a source file; the root of its tree lives for the process.
    pub fn load(
        &self,
        file: Arc<SourceFile>,
        dir: &Path,
        imported_from: Option<Pos>,
    ) -> Result<&'static Node, LangError> {
        // Nix reads CR and CR LF as line ends, also inside strings.
        let file = if file.text.contains('\r') {
            let text = file.text.replace("\r\n", "\n").replace('\r', "\n");
            SourceFile::new(file.name.clone(), file.path.clone(), text)
        } else {
            file
        };
        let id = self.files.add(file.clone(), imported_from);
        let root = match parse::parse(&file) {
            Ok(root) => root,
            Err(mut e) => {
                self.append_trace(&mut e, id);
                return Err(e);
            }
        };
        let mut lowerer = Lowerer::new(id, Rc::from(dir), &self.globals);
        match lowerer.lower_root(&root) {
            Ok(node) => Ok(Box::leak(Box::new(node))),
            Err(e) => {
                let mut err = EvalError::new(ErrorKind::Parse, e.message, Some(e.pos));
                err.help = e.help;
                if let Some(other) = e.other {
                    err.notes.push(("first defined here".into(), other));
                }
                Err(self.to_lang_error(&err))
            }
        }
    }

    /// Evaluate a root expression in the empty environment.
    pub fn eval_root(&self, node: &'static Node) -> EvalResult<Value> {
        let env = Env::new(None, Slots::new());
        self.eval(node, &env)
    }

    /// `import path`: the value of the file, evaluated once per path.
    pub fn import(&self, path: &Path, pos: Pos) -> EvalResult<Value> {
        let mut path = path.to_path_buf();
        if matches!(self.io.kind(&path), Ok(super::io::FileKind::Directory)) {
            path = path.join("default.nix");
        }
        if let Some(v) = self.imports.borrow().get(&path) {
            return self.force(v);
        }
        let text = self.io.read_file(&path).map_err(|e| io_error(e, pos))?;
        let name = self.file_name(&path);
        let file = SourceFile::new(name, path.clone(), text);
        let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let node = self.load(file, &dir, Some(pos)).map_err(lang_to_eval)?;
        let env = Env::new(None, Slots::new());
        let value = Thunk::pending(node, env);
        self.imports.borrow_mut().insert(path, value.clone());
        self.force(&value)
    }

    // ---- errors ------------------------------------------------------------------------

    /// Render an internal error with spans, notes and the import trace.
    pub fn to_lang_error(&self, e: &EvalError) -> LangError {
        if let Some(rendered) = &e.rendered {
            return (**rendered).clone();
        }
        let span = e.pos.map(|p| self.files.span(p));
        let mut err = LangError::new(e.kind, e.message.clone(), span);
        err.help = e.help.clone();
        for (note, pos) in &e.notes {
            let mut related = LangError::new(e.kind, note.clone(), Some(self.files.span(*pos)));
            related.label = Some(note.clone());
            err.related.push(related);
        }
        if !e.calls.is_empty() {
            let mut lines: Vec<String> = e
                .calls
                .iter()
                .map(|p| format!("called from {}", self.files.span(*p).location()))
                .collect();
            if e.more_calls > 0 {
                lines.push(format!("… and {} more calls", e.more_calls));
            }
            let joined = lines.join("\n");
            err.help = Some(match err.help.take() {
                Some(h) => format!("{h}\n{joined}"),
                None => joined,
            });
        }
        if let Some(pos) = e.pos {
            self.append_trace(&mut err, pos.file);
        }
        err
    }

    /// Add "imported from a.nix:3:5" lines (help) and snippets (related) for `file`.
    fn append_trace(&self, err: &mut LangError, file: u32) {
        let trace = self.files.import_trace(file);
        if trace.is_empty() {
            return;
        }
        let lines: Vec<String> = trace
            .iter()
            .map(|s| format!("imported from {}", s.location()))
            .collect();
        let joined = lines.join("\n");
        err.help = Some(match err.help.take() {
            Some(h) => format!("{h}\n{joined}"),
            None => joined,
        });
        for s in trace {
            let mut related = LangError::new(err.kind, "imported from here", Some(s));
            related.label = Some("imported here".into());
            err.related.push(related);
        }
    }
}

/// The error of an evaluation past its memory ceiling, at the innermost expression or
/// call being evaluated.
#[cold]
#[inline(never)]
fn out_of_memory(pos: Pos) -> Box<EvalError> {
    let ceiling = budget::ceiling().map_or_else(|| "its".to_string(), budget::human);
    let mut e = EvalError::new(
        ErrorKind::Limit,
        format!("evaluation exceeded {ceiling} of memory"),
        Some(pos),
    );
    e.help = Some(
        "the expression allocates without bound here; if it really needs more, raise the ceiling with `--max-memory` or ENVC_EVAL_MAX_MEMORY"
            .into(),
    );
    e
}

#[cold]
#[inline(never)]
fn too_deep(pos: Pos) -> Box<EvalError> {
    EvalError::new(
        ErrorKind::Limit,
        "evaluation is nested too deeply (possible infinite recursion)",
        Some(pos),
    )
}

/// A parse or lowering error of an imported file, carried through evaluation with its
/// rendered form intact.
fn lang_to_eval(e: LangError) -> Box<EvalError> {
    let mut err = EvalError::new(e.kind, e.message.clone(), None);
    err.rendered = Some(Box::new(e));
    err
}

pub fn io_error(e: super::io::IoError, pos: Pos) -> Box<EvalError> {
    let outside = matches!(e, super::io::IoError::OutsideRoot { .. });
    let mut err = EvalError::new(ErrorKind::Io, e.to_string(), Some(pos));
    if outside {
        err.help = Some(
            "envc evaluation is hermetic: files must be inside the project root (see `--root`) or built-in modules (`<envc/NAME>`)"
                .into(),
        );
    }
    err
}

/// How a file is named in diagnostics: embedded modules as `<envc/NAME>`, others by path.
pub fn display_name(path: &Path) -> String {
    match paths::embedded_name(path) {
        Some(name) => format!("<envc/{name}>"),
        None => path.display().to_string(),
    }
}

/// The closest name (by edit distance) for "did you mean" help.
pub fn similar_name<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = strsim::levenshtein(name, c);
        if d <= 2.max(name.len() / 3) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}
