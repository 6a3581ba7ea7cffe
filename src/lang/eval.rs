//! The evaluator: walks lowered [`Node`]s in environments of slots, lazily.
//!
//! `eval` returns values in weak head normal form (never a `Thunk`); `delay` makes the
//! lazy value of a sub-expression without evaluating it (constants, variables and
//! lambdas need no thunk). Thunks are memoised in place and black-holed while being
//! forced, which is how infinite recursion is detected.
//!
//! Recursion uses the native stack: the public entry points run evaluation on a thread
//! with a large stack, and `depth` bounds the nesting well before that stack is gone.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use super::error::{ErrorKind, EvalError, EvalResult, LangError};
use super::expr::{AttrKey, AttrsExpr, BinOp, Expr, LambdaExpr, Node, Param};
use super::io::Io;
use super::lower::{Globals, Lowerer};
use super::parse;
use super::paths;
use super::pos::{Files, Pos};
use super::value::{
    Attr, Attrs, Closure, Env, List, PartialBuiltin, Slots, Thunk, ThunkState, Value,
};
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
    pub fn enter(&self, pos: Pos) -> EvalResult<DepthGuard<'_>> {
        let depth = self.depth.get() + 1;
        if depth > MAX_DEPTH || self.stack_base.saturating_sub(stack_position()) > STACK_BUDGET {
            return Err(EvalError::new(
                ErrorKind::Limit,
                "evaluation is nested too deeply (possible infinite recursion)",
                Some(pos),
            ));
        }
        self.depth.set(depth);
        if let Some(max) = self.max_steps {
            let steps = self.steps.get() + 1;
            self.steps.set(steps);
            if steps > max {
                self.depth.set(depth - 1);
                return Err(EvalError::new(
                    ErrorKind::Limit,
                    format!("evaluation took more than {max} steps"),
                    Some(pos),
                ));
            }
        }
        Ok(DepthGuard(&self.depth))
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

    // ---- forcing -----------------------------------------------------------------------

    #[inline]
    pub fn force(&self, v: &Value) -> EvalResult<Value> {
        match v {
            Value::Thunk(t) => self.force_thunk(t),
            other => Ok(other.clone()),
        }
    }

    fn force_thunk(&self, t: &Thunk) -> EvalResult<Value> {
        let mut state = t.0.borrow_mut();
        let pos = match &*state {
            ThunkState::Done(v) => return Ok(v.clone()),
            ThunkState::Pending(node, _) => node.pos,
            ThunkState::Apply(f, _) => f.1,
            ThunkState::Native(_, pos) => *pos,
            ThunkState::Blackhole(pos) => {
                return Err(EvalError::new(
                    ErrorKind::InfiniteRecursion,
                    "infinite recursion encountered",
                    Some(*pos),
                ));
            }
        };
        let old = std::mem::replace(&mut *state, ThunkState::Blackhole(pos));
        drop(state);
        let result = match &old {
            ThunkState::Pending(node, env) => self.eval(node, env),
            ThunkState::Apply(f, arg) => self.call(f.0.clone(), arg.clone(), f.1),
            ThunkState::Native(f, _) => f(self).and_then(|v| self.force(&v)),
            ThunkState::Blackhole(_) | ThunkState::Done(_) => unreachable!("handled above"),
        };
        match result {
            Ok(v) => {
                *t.0.borrow_mut() = ThunkState::Done(v.clone());
                Ok(v)
            }
            Err(e) => {
                // Forcing again must fail again (for `tryEval`), not report recursion.
                *t.0.borrow_mut() = old;
                Err(e)
            }
        }
    }

    /// The lazy value of `node` in `env`, without evaluating it.
    #[inline]
    pub fn delay(&self, node: &'static Node, env: &Rc<Env>) -> Value {
        match &node.kind {
            // A constant thunk (a refused builtin) is forced through `eval`, which gives
            // its error this position.
            Expr::Const(Value::Thunk(_)) => Thunk::pending(node, env.clone()),
            Expr::Const(v) => v.clone(),
            Expr::Var { depth, index } => env.ancestor(*depth).get(*index),
            Expr::Lambda(l) => Value::Lambda(Rc::new(Closure {
                lambda: l,
                env: env.clone(),
            })),
            Expr::BinOp(op, lhs, rhs) => match integer_now(*op, lhs, rhs, env) {
                Some(v) => v,
                None => Thunk::pending(node, env.clone()),
            },
            _ => Thunk::pending(node, env.clone()),
        }
    }

    /// Like `delay`, for a frame whose slots are still being filled: variables of that
    /// very frame (depth 0) must stay lazy.
    #[inline]
    fn delay_in_new_frame(&self, node: &'static Node, env: &Rc<Env>) -> Value {
        match &node.kind {
            Expr::Var { depth: 0, .. } => Thunk::pending(node, env.clone()),
            _ => self.delay(node, env),
        }
    }

    // ---- evaluation --------------------------------------------------------------------

    pub fn eval(&self, node: &'static Node, env: &Rc<Env>) -> EvalResult<Value> {
        let _guard = self.enter(node.pos)?;
        self.eval_node(node, env).map_err(|mut e| {
            // Errors raised without a position (a refused builtin reached through a
            // constant) point at the expression that reached them.
            if e.pos.is_none() && e.rendered.is_none() {
                e.pos = Some(node.pos);
            }
            e
        })
    }

    fn eval_node(&self, node: &'static Node, env: &Rc<Env>) -> EvalResult<Value> {
        let pos = node.pos;
        match &node.kind {
            Expr::Const(v) => self.force(v),
            Expr::Var { depth, index } => {
                let frame = env.ancestor(*depth);
                let slots = frame.slots.borrow();
                match &slots[*index as usize] {
                    Value::Thunk(t) => {
                        let t = t.clone();
                        drop(slots);
                        self.force_thunk(&t)
                    }
                    v => Ok(v.clone()),
                }
            }
            Expr::Lambda(l) => Ok(Value::Lambda(Rc::new(Closure {
                lambda: l,
                env: env.clone(),
            }))),
            Expr::Apply(f, arg) => {
                let f = self.eval(f, env)?;
                let arg = self.delay(arg, env);
                self.call(f, arg, pos)
            }
            Expr::Let(bindings, body) => {
                let frame = Env::new(Some(env.clone()), Slots::new());
                {
                    let values: Slots = bindings
                        .iter()
                        .map(|b| self.delay_in_new_frame(b, &frame))
                        .collect();
                    *frame.slots.borrow_mut() = values;
                }
                self.eval(body, &frame)
            }
            Expr::If(cond, then, otherwise) => {
                if self.eval_bool(cond, env, "the condition of `if`")? {
                    self.eval(then, env)
                } else {
                    self.eval(otherwise, env)
                }
            }
            Expr::With(ns, body) => {
                let frame = Env::new(Some(env.clone()), smallvec::smallvec![self.delay(ns, env)]);
                self.eval(body, &frame)
            }
            Expr::BinOp(op, lhs, rhs) => self.binop(*op, lhs, rhs, env, pos),
            Expr::Not(e) => Ok(Value::Bool(!self.eval_bool(
                e,
                env,
                "the operand of `!`",
            )?)),
            // Nix reads `-x` as `0 - x` (so `-0.0` is `0`).
            Expr::Negate(e) => {
                let v = self.eval(e, env)?;
                super::ops::arith(super::expr::BinOp::Sub, &Value::Int(0), &v, pos)
            }
            _ => self.eval_cold(node, env),
        }
    }

    /// The less frequent forms, kept out of `eval_node` so that its stack frame (paid
    /// at every level of recursion) stays small.
    #[inline(never)]
    fn eval_cold(&self, node: &'static Node, env: &Rc<Env>) -> EvalResult<Value> {
        let pos = node.pos;
        match &node.kind {
            Expr::CurPos => Ok(self.pos_value(pos)),
            Expr::WithVar { name, withs } => {
                for depth in withs.iter() {
                    let ns = env.ancestor(*depth).get(0);
                    let ns = self.force(&ns)?;
                    let Value::Attrs(attrs) = ns else {
                        return Err(EvalError::eval(
                            format!(
                                "the `with` namespace is {} while a set was expected",
                                ns.describe()
                            ),
                            pos,
                        ));
                    };
                    if let Some(v) = attrs.get(name) {
                        return self.force(v);
                    }
                }
                Err(EvalError::eval(format!("undefined variable `{name}`"), pos))
            }
            Expr::Attrs(a) => self.eval_attrs(a, env),
            Expr::List(items) => {
                let values = items.iter().map(|i| self.delay(i, env)).collect();
                let positions = items.iter().map(|i| i.pos).collect();
                Ok(Value::List(Rc::new(List {
                    items: values,
                    pos: Some(positions),
                })))
            }
            Expr::Select(target, path, default) => {
                let mut v = self.eval(target, env)?;
                for key in path.iter() {
                    let name = self.key_name(key, env)?;
                    let found = match &v {
                        Value::Attrs(attrs) => attrs.get(&name).cloned(),
                        _ => None,
                    };
                    match found {
                        Some(next) => v = self.force(&next)?,
                        None => {
                            if let Some(default) = default {
                                return self.eval(default, env);
                            }
                            return Err(self.missing_attr(&v, &name, pos));
                        }
                    }
                }
                Ok(v)
            }
            Expr::HasAttr(target, path) => {
                // Intermediate values are forced; the last attribute's value is not.
                let mut v = self.eval(target, env)?;
                let last = path.len() - 1;
                for (i, key) in path.iter().enumerate() {
                    let name = self.key_name(key, env)?;
                    let found = match &v {
                        Value::Attrs(attrs) => attrs.get(&name).cloned(),
                        _ => None,
                    };
                    match found {
                        Some(_) if i == last => return Ok(Value::Bool(true)),
                        Some(next) => v = self.force(&next)?,
                        None => return Ok(Value::Bool(false)),
                    }
                }
                Ok(Value::Bool(true))
            }
            Expr::Assert(cond, body) => {
                if self.eval_bool(cond, env, "the condition of `assert`")? {
                    self.eval(body, env)
                } else {
                    let text = self.files.span(cond.pos).snippet().to_string();
                    Err(EvalError::new(
                        ErrorKind::Assert,
                        format!("assertion `{text}` failed"),
                        Some(pos),
                    ))
                }
            }
            Expr::Interpolate(parts) => {
                let mut out = String::new();
                for part in parts.iter() {
                    let v = self.eval(part, env)?;
                    self.check_copyable(&v, part.pos)?;
                    self.coerce_into(&mut out, &v, part.pos, false)?;
                }
                Ok(Value::string(out))
            }
            Expr::PathInterpolate(dir, parts) => {
                let mut text = String::new();
                for part in parts.iter() {
                    let v = self.eval(part, env)?;
                    self.coerce_into(&mut text, &v, part.pos, false)?;
                }
                Ok(Value::Path(paths::resolve_literal(dir, &text).into()))
            }
            Expr::Error(kind, message, help) => {
                let mut e = EvalError::new(*kind, message.clone(), Some(pos));
                e.help = help.clone();
                Err(e)
            }

            _ => unreachable!("handled in `eval_node`"),
        }
    }

    fn eval_bool(&self, node: &'static Node, env: &Rc<Env>, what: &str) -> EvalResult<bool> {
        match self.eval(node, env)? {
            Value::Bool(b) => Ok(b),
            other => Err(EvalError::eval(
                format!(
                    "{what} is {} while a Boolean was expected",
                    other.describe()
                ),
                node.pos,
            )),
        }
    }

    pub fn key_name(&self, key: &'static AttrKey, env: &Rc<Env>) -> EvalResult<Rc<str>> {
        match key {
            AttrKey::Static(name) => Ok(name.clone()),
            AttrKey::Dynamic(node) => match self.eval(node, env)? {
                Value::String(s) => Ok(s),
                other => Err(EvalError::eval(
                    format!(
                        "an attribute name is {} while a string was expected",
                        other.describe()
                    ),
                    node.pos,
                )),
            },
        }
    }

    pub fn missing_attr(&self, v: &Value, name: &str, pos: Pos) -> Box<EvalError> {
        match v {
            Value::Attrs(attrs) => {
                let mut e = EvalError::eval(format!("attribute `{name}` missing"), pos);
                if let Some(similar) = similar_name(name, attrs.entries.iter().map(|a| &*a.name)) {
                    e.help = Some(format!("did you mean `{similar}`?"));
                }
                e
            }
            other => EvalError::eval(
                format!(
                    "cannot select attribute `{name}`: the value is {} while a set was expected",
                    other.describe()
                ),
                pos,
            ),
        }
    }

    #[inline(never)]
    fn eval_attrs(&self, a: &'static AttrsExpr, env: &Rc<Env>) -> EvalResult<Value> {
        let mut entries: Vec<Attr>;
        let scope = if a.rec {
            let frame = Env::new(Some(env.clone()), Slots::new());
            let values: Slots = a
                .statics
                .iter()
                .map(|s| self.delay_in_new_frame(&s.value, &frame))
                .collect();
            entries = a
                .statics
                .iter()
                .zip(values.iter())
                .map(|(s, v)| Attr {
                    name: s.name.clone(),
                    value: v.clone(),
                    pos: s.pos,
                })
                .collect();
            *frame.slots.borrow_mut() = values;
            frame
        } else {
            entries = a
                .statics
                .iter()
                .map(|s| Attr {
                    name: s.name.clone(),
                    value: self.delay(&s.value, env),
                    pos: s.pos,
                })
                .collect();
            env.clone()
        };
        for d in &a.dynamics {
            let name = match self.eval(&d.key, &scope)? {
                Value::String(s) => s,
                Value::Null => continue,
                other => {
                    return Err(EvalError::eval(
                        format!(
                            "a dynamic attribute name is {} while a string was expected",
                            other.describe()
                        ),
                        d.key.pos,
                    ));
                }
            };
            let value = self.delay(&d.value, &scope);
            match entries.binary_search_by(|e| (*e.name).cmp(&name)) {
                Ok(i) => {
                    let mut e = EvalError::eval(
                        format!("dynamic attribute `{name}` already defined"),
                        d.pos,
                    );
                    e.notes.push(("first defined here".into(), entries[i].pos));
                    return Err(e);
                }
                Err(i) => entries.insert(
                    i,
                    Attr {
                        name,
                        value,
                        pos: d.pos,
                    },
                ),
            }
        }
        Ok(Value::Attrs(Rc::new(Attrs::from_sorted(entries))))
    }

    // ---- calls -------------------------------------------------------------------------

    pub fn call(&self, f: Value, arg: Value, pos: Pos) -> EvalResult<Value> {
        match f {
            Value::Lambda(c) => self.call_lambda(&c, arg, pos),
            Value::Builtin(b) => {
                let mut args = Vec::with_capacity(b.args.len() + 1);
                args.extend(b.args.iter().cloned());
                args.push(arg);
                if args.len() == b.def.arity {
                    let _guard = self.enter(pos)?;
                    (b.def.func)(self, &args, pos)
                } else {
                    Ok(Value::Builtin(Rc::new(PartialBuiltin { def: b.def, args })))
                }
            }
            Value::Attrs(attrs) => match attrs.get("__functor") {
                Some(functor) => {
                    let functor = self.force(functor)?;
                    let g = self.call(functor, Value::Attrs(attrs.clone()), pos)?;
                    self.call(g, arg, pos)
                }
                None => Err(EvalError::eval(
                    "attempt to call something which is not a function but a set",
                    pos,
                )),
            },
            Value::Thunk(t) => {
                let f = self.force_thunk(&t)?;
                self.call(f, arg, pos)
            }
            other => Err(EvalError::eval(
                format!(
                    "attempt to call something which is not a function but {}",
                    other.describe()
                ),
                pos,
            )),
        }
    }

    /// Apply `f` to several arguments in turn.
    pub fn call_n(&self, f: &Value, args: &[Value], pos: Pos) -> EvalResult<Value> {
        let mut v = f.clone();
        for a in args {
            v = self.call(v, a.clone(), pos)?;
        }
        Ok(v)
    }

    fn call_lambda(&self, c: &Closure, arg: Value, pos: Pos) -> EvalResult<Value> {
        let _guard = self.enter_call(pos)?;
        let l: &'static LambdaExpr = c.lambda;
        let frame = match &l.param {
            Param::Ident(_) => Env::new(Some(c.env.clone()), smallvec::smallvec![arg]),
            Param::Formals {
                formals,
                ellipsis,
                at,
            } => {
                let forced = self.force(&arg)?;
                let Value::Attrs(attrs) = &forced else {
                    return Err(EvalError::eval(
                        format!(
                            "the function argument is {} while a set was expected",
                            forced.describe()
                        ),
                        pos,
                    ));
                };
                let frame = Env::new(Some(c.env.clone()), Slots::new());
                let mut slots = Slots::with_capacity(l.frame_size as usize);
                let mut defaults_used = 0;
                for formal in formals {
                    match attrs.get(&formal.name) {
                        Some(v) => slots.push(v.clone()),
                        None => match &formal.default {
                            Some(default) => {
                                defaults_used += 1;
                                slots.push(self.delay_in_new_frame(default, &frame));
                            }
                            None => {
                                let mut e = EvalError::eval(
                                    format!(
                                        "function called without required argument `{}`",
                                        formal.name
                                    ),
                                    pos,
                                );
                                e.notes.push(("the function is defined here".into(), l.pos));
                                return Err(e);
                            }
                        },
                    }
                }
                let present = slots.len() - defaults_used;
                if !ellipsis && attrs.len() > present {
                    for a in &attrs.entries {
                        if !formals.iter().any(|f| f.name == a.name) {
                            let mut e = EvalError::eval(
                                format!("function called with unexpected argument `{}`", a.name),
                                pos,
                            );
                            e.notes.push(("the function is defined here".into(), l.pos));
                            if let Some(s) = similar_name(&a.name, formals.iter().map(|f| &*f.name))
                            {
                                e.help = Some(format!("did you mean `{s}`?"));
                            }
                            return Err(e);
                        }
                    }
                }
                if at.is_some() {
                    slots.push(forced.clone());
                }
                *frame.slots.borrow_mut() = slots;
                frame
            }
        };
        self.eval(&l.body, &frame)
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

/// An already evaluated integer, if `node` is one right now (a constant, or a variable
/// whose value is known), without forcing anything.
#[inline]
fn known_int(node: &Node, env: &Rc<Env>) -> Option<i64> {
    match &node.kind {
        Expr::Const(Value::Int(i)) => Some(*i),
        Expr::Var { depth, index } => {
            let frame = env.ancestor(*depth);
            let slots = frame.slots.try_borrow().ok()?;
            match slots.get(*index as usize)? {
                Value::Int(i) => Some(*i),
                Value::Thunk(t) => match &*t.0.try_borrow().ok()? {
                    ThunkState::Done(Value::Int(i)) => Some(*i),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// Integer arithmetic and comparisons whose operands are already known are computed
/// at once instead of allocating a thunk (`f (n - 1)`): pure, total (overflow falls back
/// to the lazy path, which reports it if forced), so laziness is not observable.
#[inline]
fn integer_now(op: BinOp, lhs: &Node, rhs: &Node, env: &Rc<Env>) -> Option<Value> {
    if !matches!(
        op,
        BinOp::Add
            | BinOp::Sub
            | BinOp::Mul
            | BinOp::Less
            | BinOp::LessEq
            | BinOp::More
            | BinOp::MoreEq
            | BinOp::Eq
            | BinOp::NotEq
    ) {
        return None;
    }
    let x = known_int(lhs, env)?;
    let y = known_int(rhs, env)?;
    Some(match op {
        BinOp::Add => Value::Int(x.checked_add(y)?),
        BinOp::Sub => Value::Int(x.checked_sub(y)?),
        BinOp::Mul => Value::Int(x.checked_mul(y)?),
        BinOp::Less => Value::Bool(x < y),
        BinOp::LessEq => Value::Bool(x <= y),
        BinOp::More => Value::Bool(x > y),
        BinOp::MoreEq => Value::Bool(x >= y),
        BinOp::Eq => Value::Bool(x == y),
        _ => Value::Bool(x != y),
    })
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
        let d = edit_distance(name, c);
        if d <= 2.max(name.len() / 3) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}
