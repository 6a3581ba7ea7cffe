//! Type predicates (`isInt`...), `typeOf`, and `functionArgs`.

use std::rc::Rc;

use super::attrs_value;
use crate::lang::error::{EvalError, EvalResult};
use crate::lang::eval::Eval;
use crate::lang::expr::Param;
use crate::lang::pos::Pos;
use crate::lang::value::{Attr, Value};

fn is(e: &Eval, v: &Value, f: fn(&Value) -> bool) -> EvalResult<Value> {
    Ok(Value::Bool(f(&e.force(v)?)))
}

pub fn is_attrs(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    is(e, &args[0], |v| matches!(v, Value::Attrs(_)))
}
pub fn is_bool(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    is(e, &args[0], |v| matches!(v, Value::Bool(_)))
}
pub fn is_float(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    is(e, &args[0], |v| matches!(v, Value::Float(_)))
}
pub fn is_function(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    is(e, &args[0], |v| {
        matches!(v, Value::Lambda(_) | Value::Builtin(_))
    })
}
pub fn is_int(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    is(e, &args[0], |v| matches!(v, Value::Int(_)))
}
pub fn is_list(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    is(e, &args[0], |v| matches!(v, Value::List(_)))
}
pub fn is_null(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    is(e, &args[0], |v| matches!(v, Value::Null))
}
pub fn is_path(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    is(e, &args[0], |v| matches!(v, Value::Path(_)))
}
pub fn is_string(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    is(e, &args[0], |v| matches!(v, Value::String(_)))
}

pub fn type_of(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    Ok(Value::string(e.force(&args[0])?.type_name()))
}

pub fn function_args(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    match e.force(&args[0])? {
        Value::Lambda(c) => match &c.lambda.param {
            Param::Ident(_) => Ok(attrs_value(Vec::new())),
            Param::Formals { formals, .. } => {
                let mut entries: Vec<Attr> = formals
                    .iter()
                    .map(|f| Attr {
                        name: f.name.clone(),
                        value: Value::Bool(f.default.is_some()),
                        pos: f.pos,
                    })
                    .collect();
                entries.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(Value::Attrs(Rc::new(
                    crate::lang::value::Attrs::from_sorted(entries),
                )))
            }
        },
        Value::Builtin(_) => Ok(attrs_value(Vec::new())),
        other => Err(EvalError::eval(
            format!(
                "`builtins.functionArgs`: the argument is {} while a function was expected",
                other.describe()
            ),
            pos,
        )),
    }
}
