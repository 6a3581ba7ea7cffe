//! Forcing and delaying: thunks are memoised in place and black-holed while being
//! forced; `delay` makes the lazy value of a sub-expression, allocating no thunk for
//! constants, variables, lambdas and integer arithmetic whose operands are known.

use std::rc::Rc;

use super::Eval;
use crate::lang::error::{ErrorKind, EvalError, EvalResult};
use crate::lang::expr::{BinOp, Expr, Node};
use crate::lang::value::{Closure, Env, Thunk, ThunkState, Value};

impl Eval {
    #[inline]
    pub fn force(&self, v: &Value) -> EvalResult<Value> {
        match v {
            Value::Thunk(t) => self.force_thunk(t),
            other => Ok(other.clone()),
        }
    }

    pub(super) fn force_thunk(&self, t: &Thunk) -> EvalResult<Value> {
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
    pub(super) fn delay_in_new_frame(&self, node: &'static Node, env: &Rc<Env>) -> Value {
        match &node.kind {
            Expr::Var { depth: 0, .. } => Thunk::pending(node, env.clone()),
            _ => self.delay(node, env),
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
