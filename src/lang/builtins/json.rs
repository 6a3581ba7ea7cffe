//! `toJSON` and `fromJSON`; `fromTOML` and `toXML` are named but not supported.

use std::rc::Rc;

use super::list;
use crate::lang::error::{EvalError, EvalResult};
use crate::lang::eval::Eval;
use crate::lang::pos::Pos;
use crate::lang::value::{Attr, Attrs, Value};

pub fn to_json(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    Ok(Value::string(e.to_json(&args[0], pos)?))
}

pub fn from_json(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let text = e.arg_string(&args[0], "fromJSON", pos)?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|err| EvalError::eval(format!("`builtins.fromJSON`: invalid JSON: {err}"), pos))?;
    convert(&json, pos)
}

fn no_nul(s: &str, pos: Pos) -> EvalResult<()> {
    if s.contains('\0') {
        return Err(EvalError::eval(
            "`builtins.fromJSON`: a string cannot contain a NUL byte",
            pos,
        ));
    }
    Ok(())
}

fn convert(json: &serde_json::Value, pos: Pos) -> EvalResult<Value> {
    Ok(match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None if n.is_u64() => {
                return Err(EvalError::eval(
                    format!("`builtins.fromJSON`: integer {n} overflows a 64-bit integer"),
                    pos,
                ));
            }
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => {
            no_nul(s, pos)?;
            Value::string(s.as_str())
        }
        serde_json::Value::Array(items) => list(
            items
                .iter()
                .map(|j| convert(j, pos))
                .collect::<EvalResult<Vec<_>>>()?,
        ),
        serde_json::Value::Object(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map {
                no_nul(k, pos)?;
                entries.push(Attr {
                    name: k.as_str().into(),
                    value: convert(v, pos)?,
                    pos,
                });
            }
            Value::Attrs(Rc::new(Attrs::from_unsorted(entries)))
        }
    })
}

pub fn from_toml(_: &Eval, _: &[Value], pos: Pos) -> EvalResult<Value> {
    Err(EvalError::eval(
        "`builtins.fromTOML` is not supported by envc",
        pos,
    ))
}

pub fn to_xml(_: &Eval, _: &[Value], pos: Pos) -> EvalResult<Value> {
    Err(EvalError::eval(
        "`builtins.toXML` is not supported by envc",
        pos,
    ))
}
