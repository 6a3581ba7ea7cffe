//! Evaluation of the syntax forms: variables, `let`, `if`, `with`, lists, selection,
//! `assert`, unary operators and string/path interpolation. The common forms are in
//! `eval_node`; the rare ones in `eval_cold`, which keeps the hot stack frame small.

use std::rc::Rc;

use super::Eval;
use crate::lang::error::{ErrorKind, EvalError, EvalResult};
use crate::lang::expr::Expr;
use crate::lang::expr::Node;
use crate::lang::paths;
use crate::lang::value::{Closure, Env, List, Slots, Value};

impl Eval {
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

    pub(super) fn eval_node(&self, node: &'static Node, env: &Rc<Env>) -> EvalResult<Value> {
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
                if let Expr::Apply(g, first) = &f.kind {
                    // `g first arg`: apply both at once.
                    let g = self.eval(g, env)?;
                    let first = self.delay(first, env);
                    let arg = self.delay(arg, env);
                    return self.call2(g, first, arg, pos);
                }
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
                crate::lang::ops::arith(crate::lang::expr::BinOp::Sub, &Value::Int(0), &v, pos)
            }
            _ => self.eval_cold(node, env),
        }
    }

    /// The less frequent forms, kept out of `eval_node` so that its stack frame (paid
    /// at every level of recursion) stays small.
    #[inline(never)]
    pub(super) fn eval_cold(&self, node: &'static Node, env: &Rc<Env>) -> EvalResult<Value> {
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

    pub(super) fn eval_bool(
        &self,
        node: &'static Node,
        env: &Rc<Env>,
        what: &str,
    ) -> EvalResult<bool> {
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
}
