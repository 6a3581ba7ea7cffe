//! Operators with Nix's semantics: arithmetic (64-bit integers with overflow errors,
//! floats, int/float promotion), `+` on strings and paths, `++`, `//`, deep equality,
//! ordering of numbers, strings, paths and lists, and coercion to strings.

use std::cmp::Ordering;
use std::rc::Rc;

use super::error::{EvalError, EvalResult, WithHelp};
use super::eval::Eval;
use super::expr::{BinOp, Node};
use super::paths;
use super::pos::Pos;
use super::value::{Env, List, Value};

impl Eval {
    pub(crate) fn binop(
        &self,
        op: BinOp,
        lhs: &'static Node,
        rhs: &'static Node,
        env: &Rc<Env>,
        pos: Pos,
    ) -> EvalResult<Value> {
        match op {
            BinOp::And => {
                if !self.expect_bool(self.eval(lhs, env)?, lhs.pos, "`&&`")? {
                    return Ok(Value::Bool(false));
                }
                Ok(Value::Bool(self.expect_bool(
                    self.eval(rhs, env)?,
                    rhs.pos,
                    "`&&`",
                )?))
            }
            BinOp::Or => {
                if self.expect_bool(self.eval(lhs, env)?, lhs.pos, "`||`")? {
                    return Ok(Value::Bool(true));
                }
                Ok(Value::Bool(self.expect_bool(
                    self.eval(rhs, env)?,
                    rhs.pos,
                    "`||`",
                )?))
            }
            BinOp::Impl => {
                if !self.expect_bool(self.eval(lhs, env)?, lhs.pos, "`->`")? {
                    return Ok(Value::Bool(true));
                }
                Ok(Value::Bool(self.expect_bool(
                    self.eval(rhs, env)?,
                    rhs.pos,
                    "`->`",
                )?))
            }
            BinOp::PipeRight => {
                let arg = self.delay(lhs, env);
                let f = self.eval(rhs, env)?;
                self.call(f, arg, pos)
            }
            BinOp::PipeLeft => {
                let f = self.eval(lhs, env)?;
                let arg = self.delay(rhs, env);
                self.call(f, arg, pos)
            }
            _ => {
                let a = self.eval(lhs, env)?;
                let b = self.eval(rhs, env)?;
                self.apply_binop(op, a, b, pos)
            }
        }
    }

    fn expect_bool(&self, v: Value, pos: Pos, what: &str) -> EvalResult<bool> {
        match v {
            Value::Bool(b) => Ok(b),
            other => Err(EvalError::eval(
                format!(
                    "an operand of {what} is {} while a Boolean was expected",
                    other.describe()
                ),
                pos,
            )),
        }
    }

    /// A strict binary operator on two forced values.
    pub fn apply_binop(&self, op: BinOp, a: Value, b: Value, pos: Pos) -> EvalResult<Value> {
        // Integers are the hot case (counters, recursion): no forcing, no depth tracking.
        if let (Value::Int(x), Value::Int(y)) = (&a, &b) {
            let (x, y) = (*x, *y);
            let r = match op {
                BinOp::Less => Some(Value::Bool(x < y)),
                BinOp::LessEq => Some(Value::Bool(x <= y)),
                BinOp::More => Some(Value::Bool(x > y)),
                BinOp::MoreEq => Some(Value::Bool(x >= y)),
                BinOp::Eq => Some(Value::Bool(x == y)),
                BinOp::NotEq => Some(Value::Bool(x != y)),
                BinOp::Add => x.checked_add(y).map(Value::Int),
                BinOp::Sub => x.checked_sub(y).map(Value::Int),
                BinOp::Mul => x.checked_mul(y).map(Value::Int),
                _ => None,
            };
            if let Some(r) = r {
                return Ok(r);
            }
        }
        match op {
            BinOp::Add => self.add(a, b, pos),
            BinOp::Sub | BinOp::Mul | BinOp::Div => arith(op, &a, &b, pos),
            BinOp::Concat => match (a, b) {
                (Value::List(x), Value::List(y)) => {
                    self.reserve_items::<(Value, Pos)>(x.items.len() + y.items.len(), pos)?;
                    Ok(concat_lists(&x, &y))
                }
                (x, y) => {
                    let bad = if matches!(x, Value::List(_)) { y } else { x };
                    Err(EvalError::eval(
                        format!(
                            "cannot concatenate with `++`: a value is {} while a list was expected",
                            bad.describe()
                        ),
                        pos,
                    ))
                }
            },
            BinOp::Update => match (a, b) {
                (Value::Attrs(x), Value::Attrs(y)) => {
                    if y.is_empty() {
                        Ok(Value::Attrs(x))
                    } else if x.is_empty() {
                        Ok(Value::Attrs(y))
                    } else {
                        Ok(Value::Attrs(Rc::new(x.update(&y))))
                    }
                }
                (x, y) => {
                    let bad = if matches!(x, Value::Attrs(_)) { y } else { x };
                    Err(EvalError::eval(
                        format!(
                            "cannot update with `//`: a value is {} while a set was expected",
                            bad.describe()
                        ),
                        pos,
                    ))
                }
            },
            BinOp::Eq => Ok(Value::Bool(self.equal(&a, &b, pos)?)),
            BinOp::NotEq => Ok(Value::Bool(!self.equal(&a, &b, pos)?)),
            BinOp::Less => Ok(Value::Bool(self.compare(&a, &b, pos)? == Ordering::Less)),
            BinOp::LessEq => Ok(Value::Bool(self.compare(&a, &b, pos)? != Ordering::Greater)),
            BinOp::More => Ok(Value::Bool(self.compare(&a, &b, pos)? == Ordering::Greater)),
            BinOp::MoreEq => Ok(Value::Bool(self.compare(&a, &b, pos)? != Ordering::Less)),
            BinOp::And | BinOp::Or | BinOp::Impl | BinOp::PipeLeft | BinOp::PipeRight => {
                unreachable!("lazy operators are handled in `binop`")
            }
        }
    }

    fn add(&self, a: Value, b: Value, pos: Pos) -> EvalResult<Value> {
        match &a {
            Value::String(x) => {
                if let Value::String(y) = &b {
                    // The string and then its shared copy.
                    self.reserve((x.len() + y.len()).saturating_mul(2), pos)?;
                    let mut s = String::with_capacity(x.len() + y.len());
                    s.push_str(x);
                    s.push_str(y);
                    return Ok(Value::string(s));
                }
                let mut out = x.to_string();
                self.check_copyable(&b, pos)?;
                self.coerce_into(&mut out, &b, pos, false)?;
                Ok(Value::string(out))
            }
            Value::Path(p) => {
                let mut joined = p.to_string_lossy().into_owned();
                self.coerce_into(&mut joined, &b, pos, false)?;
                Ok(Value::Path(
                    paths::normalize(std::path::Path::new(&joined)).into(),
                ))
            }
            _ => arith(BinOp::Add, &a, &b, pos),
        }
    }

    /// Deep equality as `==` defines it (forcing as needed).
    pub fn equal(&self, a: &Value, b: &Value, pos: Pos) -> EvalResult<bool> {
        let _guard = self.enter_data(pos)?;
        let a = self.force(a)?;
        let b = self.force(b)?;
        Ok(match (&a, &b) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Int(x), Value::Int(y)) => x == y,
            (Value::Float(x), Value::Float(y)) => x == y,
            (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
                (*x as f64) == *y
            }
            (Value::String(x), Value::String(y)) => x == y,
            (Value::Path(x), Value::Path(y)) => x == y,
            (Value::List(x), Value::List(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                if x.items.len() != y.items.len() {
                    return Ok(false);
                }
                for (p, q) in x.items.iter().zip(y.items.iter()) {
                    if !identical(p, q) && !self.equal(p, q, pos)? {
                        return Ok(false);
                    }
                }
                true
            }
            (Value::Attrs(x), Value::Attrs(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                // Derivations compare by their output path, as in Nix.
                if let (Some(px), Some(py)) = (x.get("outPath"), y.get("outPath"))
                    && self.is_derivation(x)?
                    && self.is_derivation(y)?
                {
                    return self.equal(px, py, pos);
                }
                if x.len() != y.len() {
                    return Ok(false);
                }
                for (p, q) in x.entries.iter().zip(y.entries.iter()) {
                    if p.name != q.name {
                        return Ok(false);
                    }
                }
                for (p, q) in x.entries.iter().zip(y.entries.iter()) {
                    if !identical(&p.value, &q.value) && !self.equal(&p.value, &q.value, pos)? {
                        return Ok(false);
                    }
                }
                true
            }
            _ => false,
        })
    }

    fn is_derivation(&self, attrs: &super::value::Attrs) -> EvalResult<bool> {
        match attrs.get("type") {
            Some(t) => Ok(matches!(self.force(t)?, Value::String(s) if &*s == "derivation")),
            None => Ok(false),
        }
    }

    /// Ordering for `<` and friends: numbers, strings, paths, and lists (lexicographic).
    pub fn compare(&self, a: &Value, b: &Value, pos: Pos) -> EvalResult<Ordering> {
        let _guard = self.enter_data(pos)?;
        let a = self.force(a)?;
        let b = self.force(b)?;
        let incomparable = || {
            EvalError::eval(
                format!("cannot compare {} with {}", a.describe(), b.describe()),
                pos,
            )
        };
        match (&a, &b) {
            (Value::Int(x), Value::Int(y)) => Ok(x.cmp(y)),
            (Value::Float(x), Value::Float(y)) => x.partial_cmp(y).ok_or_else(incomparable),
            (Value::Int(x), Value::Float(y)) => (*x as f64).partial_cmp(y).ok_or_else(incomparable),
            (Value::Float(x), Value::Int(y)) => {
                x.partial_cmp(&(*y as f64)).ok_or_else(incomparable)
            }
            (Value::String(x), Value::String(y)) => Ok(x.as_bytes().cmp(y.as_bytes())),
            (Value::Path(x), Value::Path(y)) => Ok(x.as_os_str().cmp(y.as_os_str())),
            (Value::List(x), Value::List(y)) => {
                for (p, q) in x.items.iter().zip(y.items.iter()) {
                    // Nix compares elements with `==` first, so equal elements of
                    // incomparable types (two sets) do not fail.
                    if self.equal(p, q, pos)? {
                        continue;
                    }
                    return self.compare(p, q, pos);
                }
                Ok(x.items.len().cmp(&y.items.len()))
            }
            _ => Err(incomparable()),
        }
    }

    /// Append the string form of `v` to `out`. `more` is `toString`'s broader coercion
    /// (numbers, Booleans, null, lists); without it only strings, paths and sets with
    /// `__toString`/`outPath` are accepted, as in string interpolation.
    pub fn coerce_into(&self, out: &mut String, v: &Value, pos: Pos, more: bool) -> EvalResult<()> {
        let v = self.force(v)?;
        match &v {
            Value::String(s) => out.push_str(s),
            // envc has no store: a path stays the absolute path it names.
            Value::Path(p) => out.push_str(&p.to_string_lossy()),
            Value::Attrs(attrs) => {
                if let Some(f) = attrs.get("__toString") {
                    let f = self.force(f)?;
                    let r = self.call(f, v.clone(), pos)?;
                    return self.coerce_into(out, &r, pos, more);
                }
                if let Some(p) = attrs.get("outPath") {
                    return self.coerce_into(out, p, pos, more);
                }
                return Err(
                    EvalError::eval("cannot coerce a set to a string", pos).with_help(
                        "a set can be used as a string only if it has `__toString` or `outPath`",
                    ),
                );
            }
            Value::Int(i) if more => out.push_str(&i.to_string()),
            Value::Float(f) if more => out.push_str(&format!("{f:.6}")),
            Value::Bool(true) if more => out.push('1'),
            Value::Bool(false) | Value::Null if more => {}
            Value::List(items) if more => {
                let n = items.items.len();
                for (i, item) in items.items.iter().enumerate() {
                    self.coerce_into(out, item, pos, more)?;
                    // Nix puts a space after every element but the last, except after an
                    // empty list: `toString [ [] 1 null 2 ]` is "1  2".
                    let empty_list =
                        matches!(self.force(item)?, Value::List(l) if l.items.is_empty());
                    if i + 1 < n && !empty_list {
                        out.push(' ');
                    }
                }
            }
            other => {
                return Err(EvalError::eval(
                    format!("cannot coerce {} to a string", other.describe()),
                    pos,
                ));
            }
        }
        Ok(())
    }

    /// Where Nix would copy a path into the store (string interpolation, `"" + path`),
    /// the path must exist; envc keeps the path itself but checks the same.
    pub fn check_copyable(&self, v: &Value, pos: Pos) -> EvalResult<()> {
        if let Value::Path(p) = v {
            let exists = self
                .io
                .path_exists(p)
                .map_err(|e| super::eval::io_error(e, pos))?;
            if !exists {
                return Err(EvalError::new(
                    super::error::ErrorKind::Io,
                    format!("path `{}` does not exist", p.display()),
                    Some(pos),
                ));
            }
        }
        Ok(())
    }

    /// The string form of `v` (see `coerce_into`).
    pub fn coerce_to_string(&self, v: &Value, pos: Pos, more: bool) -> EvalResult<String> {
        let mut out = String::new();
        self.coerce_into(&mut out, v, pos, more)?;
        Ok(out)
    }
}

/// Whether two lazy values are the very same thunk or object (Nix's pointer-equality
/// shortcut for list elements and attribute values: `[ f ] == [ f ]` holds for a
/// function `f`, although `f == f` does not).
fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Thunk(x), Value::Thunk(y)) => Rc::ptr_eq(&x.0, &y.0),
        (Value::Lambda(x), Value::Lambda(y)) => Rc::ptr_eq(x, y),
        (Value::Builtin(x), Value::Builtin(y)) => Rc::ptr_eq(x, y),
        (Value::Attrs(x), Value::Attrs(y)) => Rc::ptr_eq(x, y),
        (Value::List(x), Value::List(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// `++`; an empty side returns the other list itself, as Nix does.
pub fn concat_lists(x: &Rc<List>, y: &Rc<List>) -> Value {
    if y.items.is_empty() {
        return Value::List(x.clone());
    }
    if x.items.is_empty() {
        return Value::List(y.clone());
    }
    let mut items = Vec::with_capacity(x.items.len() + y.items.len());
    items.extend_from_slice(&x.items);
    items.extend_from_slice(&y.items);
    let pos = match (&x.pos, &y.pos) {
        (Some(p), Some(q)) => {
            let mut v = Vec::with_capacity(p.len() + q.len());
            v.extend_from_slice(p);
            v.extend_from_slice(q);
            Some(v)
        }
        _ => None,
    };
    Value::List(Rc::new(List { items, pos }))
}

/// `+ - * /` on numbers: integers with overflow checks, floats otherwise.
pub fn arith(op: BinOp, a: &Value, b: &Value, pos: Pos) -> EvalResult<Value> {
    let sym = match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        _ => "/",
    };
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => {
            let r = match op {
                BinOp::Add => x.checked_add(*y),
                BinOp::Sub => x.checked_sub(*y),
                BinOp::Mul => x.checked_mul(*y),
                _ => {
                    if *y == 0 {
                        return Err(EvalError::eval("division by zero", pos));
                    }
                    x.checked_div(*y)
                }
            };
            r.map(Value::Int)
                .ok_or_else(|| EvalError::eval(format!("integer overflow in `{x} {sym} {y}`"), pos))
        }
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            let x = as_f64(a);
            let y = as_f64(b);
            Ok(Value::Float(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                _ => {
                    if y == 0.0 {
                        return Err(EvalError::eval("division by zero", pos));
                    }
                    x / y
                }
            }))
        }
        _ => {
            let _ = sym;
            let message = match op {
                BinOp::Add => format!("cannot add {} to {}", b.describe(), a.describe()),
                _ => {
                    let verb = match op {
                        BinOp::Sub => "subtract",
                        BinOp::Mul => "multiply",
                        _ => "divide",
                    };
                    let bad = if matches!(a, Value::Int(_) | Value::Float(_)) {
                        b
                    } else {
                        a
                    };
                    format!(
                        "cannot {verb}: a value is {} while an integer was expected",
                        bad.describe()
                    )
                }
            };
            Err(EvalError::eval(message, pos))
        }
    }
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => 0.0,
    }
}
