//! Attribute-set builtins. Attribute order is always by name, so results that Nix
//! builds from sorted sets come out in the same order here.

use std::rc::Rc;

use super::{attrs_value, list};
use crate::lang::error::{EvalError, EvalResult};
use crate::lang::eval::Eval;
use crate::lang::pos::Pos;
use crate::lang::value::{Attr, Attrs, Thunk, Value};

pub fn attr_names(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let a = e.arg_attrs(&args[0], "attrNames", pos)?;
    Ok(list(
        a.entries
            .iter()
            .map(|x| Value::String(x.name.clone()))
            .collect(),
    ))
}

pub fn attr_values(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let a = e.arg_attrs(&args[0], "attrValues", pos)?;
    Ok(Value::List(Rc::new(crate::lang::value::List {
        items: a.entries.iter().map(|x| x.value.clone()).collect(),
        pos: Some(a.entries.iter().map(|x| x.pos).collect()),
    })))
}

pub fn get_attr(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let name = e.arg_string(&args[0], "getAttr", pos)?;
    let a = e.arg_attrs(&args[1], "getAttr", pos)?;
    match a.get(&name) {
        Some(v) => e.force(v),
        None => Err(e.missing_attr(&Value::Attrs(a.clone()), &name, pos)),
    }
}

pub fn has_attr(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let name = e.arg_string(&args[0], "hasAttr", pos)?;
    let a = e.arg_attrs(&args[1], "hasAttr", pos)?;
    Ok(Value::Bool(a.get(&name).is_some()))
}

pub fn cat_attrs(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let name = e.arg_string(&args[0], "catAttrs", pos)?;
    let l = e.arg_list(&args[1], "catAttrs", pos)?;
    let mut out = Vec::new();
    for x in &l.items {
        let a = e.arg_attrs(x, "catAttrs", pos)?;
        if let Some(v) = a.get(&name) {
            out.push(v.clone());
        }
    }
    Ok(list(out))
}

pub fn intersect_attrs(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let a = e.arg_attrs(&args[0], "intersectAttrs", pos)?;
    let b = e.arg_attrs(&args[1], "intersectAttrs", pos)?;
    let entries = b
        .entries
        .iter()
        .filter(|x| a.get(&x.name).is_some())
        .cloned()
        .collect();
    Ok(attrs_value(entries))
}

pub fn remove_attrs(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let a = e.arg_attrs(&args[0], "removeAttrs", pos)?;
    let l = e.arg_list(&args[1], "removeAttrs", pos)?;
    let mut names = Vec::with_capacity(l.items.len());
    for x in &l.items {
        names.push(e.arg_string(x, "removeAttrs", pos)?);
    }
    if names.is_empty() {
        return Ok(Value::Attrs(a));
    }
    let entries = a
        .entries
        .iter()
        .filter(|x| !names.contains(&x.name))
        .cloned()
        .collect();
    Ok(attrs_value(entries))
}

pub fn list_to_attrs(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let l = e.arg_list(&args[0], "listToAttrs", pos)?;
    let mut entries = Vec::with_capacity(l.items.len());
    for (i, x) in l.items.iter().enumerate() {
        let a = e.arg_attrs(x, "listToAttrs", pos)?;
        let name = a.get("name").ok_or_else(|| {
            EvalError::eval(
                "`builtins.listToAttrs`: attribute `name` missing in an element",
                pos,
            )
        })?;
        let name = e.arg_string(name, "listToAttrs", pos)?;
        let value = a.get("value").cloned().ok_or_else(|| {
            EvalError::eval(
                "`builtins.listToAttrs`: attribute `value` missing in an element",
                pos,
            )
        })?;
        let at = a
            .get_attr("value")
            .map(|v| v.pos)
            .or_else(|| l.pos.as_ref().map(|p| p[i]))
            .unwrap_or(pos);
        entries.push(Attr {
            name,
            value,
            pos: at,
        });
    }
    // The first definition of a name wins.
    Ok(Value::Attrs(Rc::new(Attrs::from_unsorted(entries))))
}

pub fn map_attrs(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = e.arg_function(&args[0], "mapAttrs", pos)?;
    let a = e.arg_attrs(&args[1], "mapAttrs", pos)?;
    let entries = a
        .entries
        .iter()
        .map(|x| {
            let f = f.clone();
            let name = Value::String(x.name.clone());
            let value = x.value.clone();
            Attr {
                name: x.name.clone(),
                value: Thunk::native(
                    move |e| {
                        let g = e.call(f.clone(), name.clone(), pos)?;
                        e.call(g, value.clone(), pos)
                    },
                    pos,
                ),
                pos: x.pos,
            }
        })
        .collect();
    Ok(attrs_value(entries))
}

pub fn zip_attrs_with(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = e.arg_function(&args[0], "zipAttrsWith", pos)?;
    let l = e.arg_list(&args[1], "zipAttrsWith", pos)?;
    let mut groups: Vec<(Rc<str>, Vec<Value>, Pos)> = Vec::new();
    let mut index: std::collections::HashMap<Rc<str>, usize> = std::collections::HashMap::new();
    for x in &l.items {
        let a = e.arg_attrs(x, "zipAttrsWith", pos)?;
        for attr in &a.entries {
            match index.get(&attr.name) {
                Some(&i) => groups[i].1.push(attr.value.clone()),
                None => {
                    index.insert(attr.name.clone(), groups.len());
                    groups.push((attr.name.clone(), vec![attr.value.clone()], attr.pos));
                }
            }
        }
    }
    let entries = groups
        .into_iter()
        .map(|(name, values, at)| {
            let f = f.clone();
            let n = Value::String(name.clone());
            let vs = list(values);
            Attr {
                name,
                value: Thunk::native(
                    move |e| {
                        let g = e.call(f.clone(), n.clone(), pos)?;
                        e.call(g, vs.clone(), pos)
                    },
                    pos,
                ),
                pos: at,
            }
        })
        .collect();
    Ok(Value::Attrs(Rc::new(Attrs::from_unsorted(entries))))
}

pub fn unsafe_get_attr_pos(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let name = e.arg_string(&args[0], "unsafeGetAttrPos", pos)?;
    let a = e.arg_attrs(&args[1], "unsafeGetAttrPos", pos)?;
    match a.get_attr(&name) {
        None => Ok(Value::Null),
        Some(attr) => Ok(e.pos_value(attr.pos)),
    }
}

impl Eval {
    /// `{ file, line, column }` for a position, as `unsafeGetAttrPos`/`__curPos` give it.
    pub fn pos_value(&self, pos: Pos) -> Value {
        let file = self.files.file(pos.file);
        let (line, column) = file.line_col(pos.start as usize);
        attrs_value(vec![
            Attr {
                name: "column".into(),
                value: Value::Int(column as i64),
                pos,
            },
            Attr {
                name: "file".into(),
                value: Value::string(file.path.to_string_lossy().into_owned()),
                pos,
            },
            Attr {
                name: "line".into(),
                value: Value::Int(line as i64),
                pos,
            },
        ])
    }
}
