//! Function application: lambdas (binding formals into a call frame), builtins
//! (partial application until their arity is reached), `__functor` sets, and the
//! two-argument fast path.

use std::rc::Rc;

use super::{Eval, similar_name};
use crate::lang::error::{EvalError, EvalResult};
use crate::lang::expr::{Expr, LambdaExpr, Param};
use crate::lang::pos::Pos;
use crate::lang::value::{Closure, Env, PartialBuiltin, Slots, Value};

impl Eval {
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

    pub(super) fn call_lambda(&self, c: &Closure, arg: Value, pos: Pos) -> EvalResult<Value> {
        let _guard = self.enter_call(pos)?;
        let frame = self.bind(c.lambda, &c.env, arg, pos)?;
        self.eval(&c.lambda.body, &frame).map_err(|mut e| {
            e.called_from(pos);
            e
        })
    }

    /// Apply a function to two arguments (`f a b`). For a builtin of two arguments and
    /// for a two-argument lambda (`a: b: ...`), this makes no intermediate partial
    /// application or closure.
    pub fn call2(&self, f: Value, a: Value, b: Value, pos: Pos) -> EvalResult<Value> {
        match &f {
            Value::Builtin(p) if p.args.is_empty() && p.def.arity == 2 => {
                let _guard = self.enter(pos)?;
                (p.def.func)(self, &[a, b], pos)
            }
            Value::Lambda(c) => {
                if let Expr::Lambda(inner) = &c.lambda.body.kind {
                    let _outer = self.enter_call(pos)?;
                    let frame = self.bind(c.lambda, &c.env, a, pos)?;
                    let _inner = self.enter_call(pos)?;
                    let frame = self.bind(inner, &frame, b, pos)?;
                    return self.eval(&inner.body, &frame).map_err(|mut e| {
                        e.called_from(pos);
                        e
                    });
                }
                let g = self.call(f, a, pos)?;
                self.call(g, b, pos)
            }
            _ => {
                let g = self.call(f, a, pos)?;
                self.call(g, b, pos)
            }
        }
    }

    /// The call frame of lambda `l` (closing over `env`) applied to `arg`.
    pub(super) fn bind(
        &self,
        l: &'static LambdaExpr,
        env: &Rc<Env>,
        arg: Value,
        pos: Pos,
    ) -> EvalResult<Rc<Env>> {
        Ok(match &l.param {
            Param::Ident(_) => Env::new(Some(env.clone()), smallvec::smallvec![arg]),
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
                let frame = Env::new(Some(env.clone()), Slots::new());
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
        })
    }
}
