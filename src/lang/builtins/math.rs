//! Arithmetic builtins: `add sub mul div`, bit operations, `ceil floor`, `lessThan`.

use std::cmp::Ordering;

use crate::lang::error::{EvalError, EvalResult};
use crate::lang::eval::Eval;
use crate::lang::expr::BinOp;
use crate::lang::ops::arith;
use crate::lang::pos::Pos;
use crate::lang::value::Value;

fn numbers(e: &Eval, args: &[Value], name: &str, pos: Pos) -> EvalResult<(Value, Value)> {
    let a = e.force(&args[0])?;
    let b = e.force(&args[1])?;
    for v in [&a, &b] {
        if !matches!(v, Value::Int(_) | Value::Float(_)) {
            return Err(EvalError::eval(
                format!(
                    "`builtins.{name}`: an argument is {} while a number was expected",
                    v.describe()
                ),
                pos,
            ));
        }
    }
    Ok((a, b))
}

pub fn add(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let (a, b) = numbers(e, args, "add", pos)?;
    arith(BinOp::Add, &a, &b, pos)
}

pub fn sub(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let (a, b) = numbers(e, args, "sub", pos)?;
    arith(BinOp::Sub, &a, &b, pos)
}

pub fn mul(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let (a, b) = numbers(e, args, "mul", pos)?;
    arith(BinOp::Mul, &a, &b, pos)
}

pub fn div(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let (a, b) = numbers(e, args, "div", pos)?;
    arith(BinOp::Div, &a, &b, pos)
}

fn bits(
    e: &Eval,
    args: &[Value],
    name: &str,
    pos: Pos,
    f: fn(i64, i64) -> i64,
) -> EvalResult<Value> {
    let a = e.arg_int(&args[0], name, pos)?;
    let b = e.arg_int(&args[1], name, pos)?;
    Ok(Value::Int(f(a, b)))
}

pub fn bit_and(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    bits(e, args, "bitAnd", pos, |a, b| a & b)
}

pub fn bit_or(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    bits(e, args, "bitOr", pos, |a, b| a | b)
}

pub fn bit_xor(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    bits(e, args, "bitXor", pos, |a, b| a ^ b)
}

fn round(e: &Eval, args: &[Value], name: &str, pos: Pos, f: fn(f64) -> f64) -> EvalResult<Value> {
    match e.force(&args[0])? {
        Value::Int(i) => Ok(Value::Int(i)),
        Value::Float(x) => {
            let r = f(x);
            if r.is_finite() && r >= i64::MIN as f64 && r < i64::MAX as f64 {
                Ok(Value::Int(r as i64))
            } else {
                Err(EvalError::eval(
                    format!("`builtins.{name}`: {x} does not fit in an integer"),
                    pos,
                ))
            }
        }
        other => Err(EvalError::eval(
            format!(
                "`builtins.{name}`: the argument is {} while a number was expected",
                other.describe()
            ),
            pos,
        )),
    }
}

pub fn ceil(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    round(e, args, "ceil", pos, f64::ceil)
}

pub fn floor(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    round(e, args, "floor", pos, f64::floor)
}

pub fn less_than(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    Ok(Value::Bool(
        e.compare(&args[0], &args[1], pos)? == Ordering::Less,
    ))
}
