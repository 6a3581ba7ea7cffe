//! Control and effects: `throw abort tryEval seq deepSeq trace`, and the file builtins
//! `import readFile pathExists readDir`, which reach files only through the confined
//! I/O layer.

use std::path::PathBuf;
use std::rc::Rc;

use super::attrs_value;
use crate::lang::error::{ErrorKind, EvalError, EvalResult};
use crate::lang::eval::{Eval, io_error};
use crate::lang::pos::Pos;
use crate::lang::value::{Attr, Attrs, Value};

pub fn throw(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let msg = e.coerce_to_string(&args[0], pos, false)?;
    Err(EvalError::new(ErrorKind::Throw, msg, Some(pos)))
}

pub fn abort(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let msg = e.coerce_to_string(&args[0], pos, false)?;
    Err(EvalError::new(
        ErrorKind::Abort,
        format!("evaluation aborted with the following error message: `{msg}`"),
        Some(pos),
    ))
}

pub fn identity(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    e.force(&args[0])
}

pub fn add_error_context(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    e.force(&args[1])
}

pub fn try_eval(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let (success, value) = match e.force(&args[0]) {
        Ok(v) => (true, v),
        Err(err) if matches!(err.kind, ErrorKind::Throw | ErrorKind::Assert) => {
            (false, Value::Bool(false))
        }
        Err(err) => return Err(err),
    };
    Ok(attrs_value(vec![
        Attr {
            name: "success".into(),
            value: Value::Bool(success),
            pos,
        },
        Attr {
            name: "value".into(),
            value,
            pos,
        },
    ]))
}

pub fn seq(e: &Eval, args: &[Value], _: Pos) -> EvalResult<Value> {
    e.force(&args[0])?;
    e.force(&args[1])
}

pub fn deep_seq(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    e.deep_force(&args[0], pos)?;
    e.force(&args[1])
}

pub fn trace(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let v = e.force(&args[0])?;
    let shown = match &v {
        Value::String(s) => s.to_string(),
        other => e.print_nix(other, pos)?,
    };
    eprintln!("trace: {shown}");
    e.force(&args[1])
}

impl Eval {
    /// Force a value and everything inside it (cycles are visited once).
    pub fn deep_force(&self, v: &Value, pos: Pos) -> EvalResult<()> {
        self.deep_force_seen(v, pos, &mut std::collections::HashSet::new())
    }

    fn deep_force_seen(
        &self,
        v: &Value,
        pos: Pos,
        seen: &mut std::collections::HashSet<usize>,
    ) -> EvalResult<()> {
        let _guard = self.enter_data(pos)?;
        match self.force(v)? {
            Value::Attrs(a) if seen.insert(Rc::as_ptr(&a) as usize) => {
                for attr in &a.entries {
                    self.deep_force_seen(&attr.value, attr.pos, seen)?;
                }
            }
            Value::List(l) if seen.insert(Rc::as_ptr(&l) as usize) => {
                for item in &l.items {
                    self.deep_force_seen(item, pos, seen)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The path a file builtin was given: a path, or a string holding an absolute path.
    fn arg_path(&self, v: &Value, name: &str, pos: Pos) -> EvalResult<PathBuf> {
        match self.force(v)? {
            Value::Path(p) => Ok(p.to_path_buf()),
            Value::String(s) if s.starts_with('/') => {
                Ok(crate::lang::paths::normalize(std::path::Path::new(&*s)))
            }
            Value::String(s) => Err(EvalError::eval(
                format!("`builtins.{name}`: string `{s}` is not an absolute path"),
                pos,
            )),
            v @ Value::Attrs(_) => {
                let s = self.coerce_to_string(&v, pos, false)?;
                self.arg_path(&Value::string(s), name, pos)
            }
            other => Err(EvalError::eval(
                format!(
                    "`builtins.{name}`: the argument is {} while a path was expected",
                    other.describe()
                ),
                pos,
            )),
        }
    }
}

pub fn import(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let path = e.arg_path(&args[0], "import", pos)?;
    e.import(&path, pos)
}

pub fn read_file(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let path = e.arg_path(&args[0], "readFile", pos)?;
    let text = e.io.read_file(&path).map_err(|err| io_error(err, pos))?;
    Ok(Value::string(text))
}

pub fn path_exists(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let path = e.arg_path(&args[0], "pathExists", pos)?;
    let exists = e.io.path_exists(&path).map_err(|err| io_error(err, pos))?;
    Ok(Value::Bool(exists))
}

pub fn read_dir(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let path = e.arg_path(&args[0], "readDir", pos)?;
    let entries = e.io.read_dir(&path).map_err(|err| io_error(err, pos))?;
    let attrs = entries
        .into_iter()
        .map(|(name, kind)| Attr {
            name: name.into(),
            value: Value::string(kind.nix_name()),
            pos,
        })
        .collect();
    Ok(Value::Attrs(Rc::new(Attrs::from_unsorted(attrs))))
}
