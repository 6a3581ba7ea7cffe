//! String builtins, including `match` and `split` (POSIX extended regular expressions,
//! translated by `lang::regex`). envc has no string contexts: the context builtins exist
//! so that code written for Nix runs, and treat every string as context-free.

use std::rc::Rc;

use super::{attrs_value, list};
use crate::lang::error::{EvalError, EvalResult};
use crate::lang::eval::Eval;
use crate::lang::paths;
use crate::lang::pos::Pos;
use crate::lang::regex::compile_posix;
use crate::lang::value::Value;

pub fn to_string(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    Ok(Value::string(e.coerce_to_string(&args[0], pos, true)?))
}

pub fn string_length(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let s = e.coerce_to_string(&args[0], pos, false)?;
    Ok(Value::Int(s.len() as i64))
}

pub fn substring(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let start = e.arg_int(&args[0], "substring", pos)?;
    let len = e.arg_int(&args[1], "substring", pos)?;
    let s = e.coerce_to_string(&args[2], pos, false)?;
    if start < 0 {
        return Err(EvalError::eval(
            format!("`builtins.substring`: negative start position {start}"),
            pos,
        ));
    }
    let bytes = s.as_bytes();
    let start = (start as usize).min(bytes.len());
    let end = if len < 0 {
        bytes.len()
    } else {
        start.saturating_add(len as usize).min(bytes.len())
    };
    // Nix works on bytes; keep that, and repair a cut through a UTF-8 sequence lossily.
    Ok(Value::string(
        String::from_utf8_lossy(&bytes[start..end]).into_owned(),
    ))
}

pub fn concat_strings_sep(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let sep = e.arg_string(&args[0], "concatStringsSep", pos)?;
    let l = e.arg_list(&args[1], "concatStringsSep", pos)?;
    let mut out = String::new();
    for (i, x) in l.items.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        let x = e.force(x)?;
        if let Value::String(s) = &x
            && out.len() + s.len() > out.capacity()
        {
            // Growing doubles the buffer: ask for that before it happens.
            e.reserve((out.len() + s.len()).saturating_mul(2), pos)?;
        }
        e.check_copyable(&x, pos)?;
        e.coerce_into(&mut out, &x, pos, false)?;
    }
    Ok(Value::string(out))
}

pub fn replace_strings(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let from_l = e.arg_list(&args[0], "replaceStrings", pos)?;
    let to_l = e.arg_list(&args[1], "replaceStrings", pos)?;
    let s = e.coerce_to_string(&args[2], pos, false)?;
    if from_l.items.len() != to_l.items.len() {
        return Err(EvalError::eval(
            "`builtins.replaceStrings`: the two lists have different lengths",
            pos,
        ));
    }
    let mut from = Vec::with_capacity(from_l.items.len());
    for x in &from_l.items {
        from.push(e.coerce_to_string(x, pos, false)?);
    }
    // Replacements are forced only when used, as in Nix.
    let mut to: Vec<Option<String>> = vec![None; to_l.items.len()];
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut plain_start = 0;
    while i <= bytes.len() {
        let mut matched = false;
        for (k, pat) in from.iter().enumerate() {
            if bytes[i..].starts_with(pat.as_bytes()) {
                out.push_str(&s[plain_start..i]);
                if to[k].is_none() {
                    to[k] = Some(e.coerce_to_string(&to_l.items[k], pos, false)?);
                }
                let replacement = to[k].as_deref().unwrap_or_default();
                if out.len() + replacement.len() > out.capacity() {
                    e.reserve((out.len() + replacement.len()).saturating_mul(2), pos)?;
                }
                out.push_str(replacement);
                if pat.is_empty() {
                    // An empty pattern matches between characters: copy one and go on.
                    if i < bytes.len() {
                        let ch_len = s[i..].chars().next().map_or(1, char::len_utf8);
                        out.push_str(&s[i..i + ch_len]);
                        i += ch_len;
                    } else {
                        i += 1;
                    }
                } else {
                    i += pat.len();
                }
                plain_start = i.min(bytes.len());
                matched = true;
                break;
            }
        }
        if !matched {
            if i >= bytes.len() {
                break;
            }
            i += s[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if plain_start < bytes.len() {
        out.push_str(&s[plain_start..]);
    }
    Ok(Value::string(out))
}

pub fn base_name_of(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let s = e.coerce_to_string(&args[0], pos, false)?;
    let trimmed = s.strip_suffix('/').unwrap_or(&s);
    let base = match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    };
    Ok(Value::string(base))
}

pub fn dir_of(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let v = e.force(&args[0])?;
    let is_path = matches!(v, Value::Path(_));
    let s = e.coerce_to_string(&v, pos, false)?;
    let dir = match s.rfind('/') {
        Some(0) => "/".to_string(),
        Some(i) => s[..i].to_string(),
        None => ".".to_string(),
    };
    if is_path {
        Ok(Value::Path(
            paths::normalize(std::path::Path::new(&dir)).into(),
        ))
    } else {
        Ok(Value::string(dir))
    }
}

pub fn to_path(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let s = e.coerce_to_string(&args[0], pos, false)?;
    if !s.starts_with('/') {
        return Err(EvalError::eval(
            format!("`builtins.toPath`: string `{s}` does not represent an absolute path"),
            pos,
        ));
    }
    Ok(Value::string(
        paths::normalize(std::path::Path::new(&s))
            .to_string_lossy()
            .into_owned(),
    ))
}

fn groups_value(s: &str, groups: &[Option<(usize, usize)>]) -> Value {
    list(
        groups
            .iter()
            .map(|g| match g {
                Some((a, b)) => Value::string(&s[*a..*b]),
                None => Value::Null,
            })
            .collect(),
    )
}

pub fn match_(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let re = e.arg_string(&args[0], "match", pos)?;
    let s = e.coerce_to_string(&args[1], pos, false)?;
    let regex = compile_posix(&re, true).map_err(|m| {
        EvalError::eval(
            format!("`builtins.match`: invalid regular expression `{re}`: {m}"),
            pos,
        )
    })?;
    match regex.find_at(&s, 0) {
        None => Ok(Value::Null),
        Some(m) => Ok(groups_value(&s, &m.groups)),
    }
}

/// `split`: iterates like C++'s `std::sregex_iterator`: an empty match may follow a
/// non-empty one directly, and after an empty match the search moves on one character.
pub fn split(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let re = e.arg_string(&args[0], "split", pos)?;
    let s = e.coerce_to_string(&args[1], pos, false)?;
    let regex = compile_posix(&re, false).map_err(|m| {
        EvalError::eval(
            format!("`builtins.split`: invalid regular expression `{re}`: {m}"),
            pos,
        )
    })?;
    let mut out = Vec::new();
    let mut last = 0;
    let mut from = 0;
    while from <= s.len() {
        let Some(m) = regex.find_at(&s, from) else {
            break;
        };
        out.push(Value::string(&s[last..m.start]));
        out.push(groups_value(&s, &m.groups));
        last = m.end;
        from = if m.end == m.start {
            match s[m.end..].chars().next() {
                Some(c) => m.end + c.len_utf8(),
                None => break,
            }
        } else {
            m.end
        };
    }
    out.push(Value::string(&s[last..]));
    Ok(list(out))
}

pub fn discard_context(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    Ok(Value::String(e.arg_string(
        &args[0],
        "unsafeDiscardStringContext",
        pos,
    )?))
}

pub fn get_context(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    e.arg_string(&args[0], "getContext", pos)?;
    Ok(attrs_value(Vec::new()))
}

pub fn has_context(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    e.arg_string(&args[0], "hasContext", pos)?;
    Ok(Value::Bool(false))
}

pub fn append_context(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let s = e.arg_string(&args[0], "appendContext", pos)?;
    let c = e.arg_attrs(&args[1], "appendContext", pos)?;
    if !c.is_empty() {
        return Err(EvalError::eval(
            "`builtins.appendContext`: envc strings carry no store context",
            pos,
        ));
    }
    Ok(Value::String(Rc::clone(&s)))
}
