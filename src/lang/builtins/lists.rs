//! List builtins. Results stay lazy where Nix's are (`map`, `genList` make thunks of
//! applications); predicates and comparators are forced as Nix forces them.

use std::rc::Rc;

use super::list;
use crate::lang::error::{EvalError, EvalResult};
use crate::lang::eval::Eval;
use crate::lang::pos::Pos;
use crate::lang::value::{Attr, Attrs, List, Thunk, Value};

pub fn length(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    Ok(Value::Int(
        e.arg_list(&args[0], "length", pos)?.items.len() as i64
    ))
}

pub fn head(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let l = e.arg_list(&args[0], "head", pos)?;
    match l.items.first() {
        Some(v) => e.force(v),
        None => Err(EvalError::eval(
            "`builtins.head`: index 0 is out of bounds: the list is empty",
            pos,
        )),
    }
}

pub fn tail(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let l = e.arg_list(&args[0], "tail", pos)?;
    if l.items.is_empty() {
        return Err(EvalError::eval(
            "`builtins.tail`: index 0 is out of bounds: the list is empty",
            pos,
        ));
    }
    Ok(Value::List(Rc::new(List {
        items: l.items[1..].to_vec(),
        pos: l.pos.as_ref().map(|p| p[1..].to_vec()),
    })))
}

pub fn elem_at(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let l = e.arg_list(&args[0], "elemAt", pos)?;
    let i = e.arg_int(&args[1], "elemAt", pos)?;
    if i < 0 || i as usize >= l.items.len() {
        return Err(EvalError::eval(
            format!(
                "`builtins.elemAt`: index {i} is out of bounds for a list of length {}",
                l.items.len()
            ),
            pos,
        ));
    }
    e.force(&l.items[i as usize])
}

pub fn elem(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let l = e.arg_list(&args[1], "elem", pos)?;
    for item in &l.items {
        if e.equal(&args[0], item, pos)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

pub fn map(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = Rc::new((e.arg_function(&args[0], "map", pos)?, pos));
    let l = e.arg_list(&args[1], "map", pos)?;
    e.reserve_lazy(l.items.len(), pos)?;
    let items = l
        .items
        .iter()
        .map(|x| Thunk::apply(&f, x.clone()))
        .collect();
    Ok(Value::List(Rc::new(List {
        items,
        pos: l.pos.clone(),
    })))
}

pub fn filter(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = e.arg_function(&args[0], "filter", pos)?;
    let l = e.arg_list(&args[1], "filter", pos)?;
    let mut items = Vec::new();
    let mut positions = l.pos.as_ref().map(|_| Vec::new());
    for (i, x) in l.items.iter().enumerate() {
        if e.call_bool(&f, x.clone(), "filter", pos)? {
            items.push(x.clone());
            if let (Some(out), Some(p)) = (positions.as_mut(), l.pos.as_ref()) {
                out.push(p[i]);
            }
        }
    }
    if items.len() == l.items.len() {
        return Ok(Value::List(l));
    }
    Ok(Value::List(Rc::new(List {
        items,
        pos: positions,
    })))
}

pub fn all(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = e.arg_function(&args[0], "all", pos)?;
    let l = e.arg_list(&args[1], "all", pos)?;
    for x in &l.items {
        if !e.call_bool(&f, x.clone(), "all", pos)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

pub fn any(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = e.arg_function(&args[0], "any", pos)?;
    let l = e.arg_list(&args[1], "any", pos)?;
    for x in &l.items {
        if e.call_bool(&f, x.clone(), "any", pos)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

pub fn concat_lists(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let l = e.arg_list(&args[0], "concatLists", pos)?;
    let mut lists = Vec::with_capacity(l.items.len());
    for x in &l.items {
        lists.push(e.arg_list(x, "concatLists", pos)?);
    }
    concat_all(e, &lists, pos)
}

/// Concatenate lists; a single non-empty list is returned as is (as Nix does).
fn concat_all(e: &Eval, lists: &[Rc<List>], pos: Pos) -> EvalResult<Value> {
    let non_empty: Vec<&Rc<List>> = lists.iter().filter(|l| !l.items.is_empty()).collect();
    if non_empty.len() == 1 {
        return Ok(Value::List(non_empty[0].clone()));
    }
    let total = non_empty
        .iter()
        .fold(0usize, |n, l| n.saturating_add(l.items.len()));
    let keep_pos = non_empty.iter().all(|l| l.pos.is_some());
    if keep_pos {
        e.reserve_items::<(Value, Pos)>(total, pos)?;
    } else {
        e.reserve_items::<Value>(total, pos)?;
    }
    let mut items = Vec::with_capacity(total);
    let mut positions = Vec::with_capacity(if keep_pos { total } else { 0 });
    for l in non_empty {
        items.extend_from_slice(&l.items);
        if keep_pos && let Some(p) = &l.pos {
            positions.extend_from_slice(p);
        }
    }
    Ok(Value::List(Rc::new(List {
        items,
        pos: keep_pos.then_some(positions),
    })))
}

pub fn concat_map(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = e.arg_function(&args[0], "concatMap", pos)?;
    let l = e.arg_list(&args[1], "concatMap", pos)?;
    let mut lists = Vec::with_capacity(l.items.len());
    for x in &l.items {
        let r = e.call(f.clone(), x.clone(), pos)?;
        lists.push(e.arg_list(&r, "concatMap", pos)?);
    }
    concat_all(e, &lists, pos)
}

pub fn foldl(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = e.arg_function(&args[0], "foldl'", pos)?;
    let l = e.arg_list(&args[2], "foldl'", pos)?;
    // The initial accumulator is not forced (only the results of `op` are).
    if l.items.is_empty() {
        return e.force(&args[1]);
    }
    let mut acc = args[1].clone();
    for x in &l.items {
        acc = e.call2(f.clone(), acc, x.clone(), pos)?;
    }
    Ok(acc)
}

pub fn gen_list(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = Rc::new((e.arg_function(&args[0], "genList", pos)?, pos));
    let n = e.arg_int(&args[1], "genList", pos)?;
    if n < 0 {
        return Err(EvalError::eval(
            format!("`builtins.genList`: cannot create a list of negative length {n}"),
            pos,
        ));
    }
    e.reserve_lazy(usize::try_from(n).unwrap_or(usize::MAX), pos)?;
    let items = (0..n).map(|i| Thunk::apply(&f, Value::Int(i))).collect();
    Ok(list(items))
}

pub fn partition(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = e.arg_function(&args[0], "partition", pos)?;
    let l = e.arg_list(&args[1], "partition", pos)?;
    let (mut right, mut wrong) = (Vec::new(), Vec::new());
    for x in &l.items {
        if e.call_bool(&f, x.clone(), "partition", pos)? {
            right.push(x.clone());
        } else {
            wrong.push(x.clone());
        }
    }
    Ok(super::attrs_value(vec![
        Attr {
            name: "right".into(),
            value: list(right),
            pos,
        },
        Attr {
            name: "wrong".into(),
            value: list(wrong),
            pos,
        },
    ]))
}

pub fn group_by(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = e.arg_function(&args[0], "groupBy", pos)?;
    let l = e.arg_list(&args[1], "groupBy", pos)?;
    let mut groups: Vec<(Rc<str>, Vec<Value>)> = Vec::new();
    let mut index: std::collections::HashMap<Rc<str>, usize> = std::collections::HashMap::new();
    for x in &l.items {
        let key = e.call(f.clone(), x.clone(), pos)?;
        let key = e.arg_string(&key, "groupBy", pos)?;
        match index.get(&key) {
            Some(&i) => groups[i].1.push(x.clone()),
            None => {
                index.insert(key.clone(), groups.len());
                groups.push((key, vec![x.clone()]));
            }
        }
    }
    let entries = groups
        .into_iter()
        .map(|(name, items)| Attr {
            name,
            value: list(items),
            pos,
        })
        .collect();
    Ok(Value::Attrs(Rc::new(Attrs::from_unsorted(entries))))
}

pub fn sort(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let f = e.arg_function(&args[0], "sort", pos)?;
    let l = e.arg_list(&args[1], "sort", pos)?;
    let mut items: Vec<(Value, Option<Pos>)> = l
        .items
        .iter()
        .enumerate()
        .map(|(i, v)| (v.clone(), l.pos.as_ref().map(|p| p[i])))
        .collect();
    let less = |x: &Value, y: &Value| -> EvalResult<bool> {
        match e.call2(f.clone(), x.clone(), y.clone(), pos)? {
            Value::Bool(b) => Ok(b),
            other => Err(EvalError::eval(
                format!(
                    "`builtins.sort`: the comparator returned {} while a Boolean was expected",
                    other.describe()
                ),
                pos,
            )),
        }
    };
    // Our own stable merge sort: the comparator is user code that may fail or be
    // inconsistent, which `slice::sort_by` does not tolerate.
    merge_sort(&mut items, &mut |a, b| less(&a.0, &b.0))?;
    let keep_pos = l.pos.is_some();
    let positions = keep_pos.then(|| items.iter().map(|(_, p)| p.unwrap_or(pos)).collect());
    Ok(Value::List(Rc::new(List {
        items: items.into_iter().map(|(v, _)| v).collect(),
        pos: positions,
    })))
}

pub fn generic_closure(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let spec = e.arg_attrs(&args[0], "genericClosure", pos)?;
    let start = spec.get("startSet").ok_or_else(|| {
        EvalError::eval(
            "`builtins.genericClosure`: attribute `startSet` missing",
            pos,
        )
    })?;
    let op = spec.get("operator").ok_or_else(|| {
        EvalError::eval(
            "`builtins.genericClosure`: attribute `operator` missing",
            pos,
        )
    })?;
    let op = e.force(op)?;
    let mut work: std::collections::VecDeque<Value> = e
        .arg_list(start, "genericClosure", pos)?
        .items
        .iter()
        .cloned()
        .collect();
    // Keys are kept sorted with Nix's `<` ordering: keys that cannot be compared (a
    // set, or an integer and a string) are an error, as in Nix.
    let mut keys: Vec<Value> = Vec::new();
    let mut result = Vec::new();
    while let Some(item) = work.pop_front() {
        let attrs = e.arg_attrs(&item, "genericClosure", pos)?;
        let key = attrs.get("key").ok_or_else(|| {
            EvalError::eval(
                "`builtins.genericClosure`: attribute `key` missing in an element",
                pos,
            )
        })?;
        let key = e.force(key)?;
        let (mut lo, mut hi) = (0, keys.len());
        let mut fresh = true;
        while lo < hi {
            let mid = (lo + hi) / 2;
            match e.compare(&keys[mid], &key, pos)? {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    fresh = false;
                    break;
                }
            }
        }
        if fresh {
            if keys.is_empty()
                && matches!(
                    key,
                    Value::Attrs(_)
                        | Value::List(_)
                        | Value::Null
                        | Value::Bool(_)
                        | Value::Lambda(_)
                        | Value::Builtin(_)
                )
            {
                // A lone key is never compared; check it is comparable at all.
                e.compare(&key, &key, pos)?;
            }
            keys.insert(lo, key);
        }
        if !fresh {
            continue;
        }
        result.push(item.clone());
        let next = e.call(op.clone(), item, pos)?;
        let next = e.arg_list(&next, "genericClosure", pos)?;
        work.extend(next.items.iter().cloned());
    }
    Ok(list(result))
}

/// Stable merge sort with a fallible "less than"; an element moves before an earlier one
/// only if it is strictly less, as with C++'s `std::stable_sort`.
fn merge_sort<T: Clone>(
    items: &mut Vec<T>,
    less: &mut dyn FnMut(&T, &T) -> EvalResult<bool>,
) -> EvalResult<()> {
    let n = items.len();
    if n < 2 {
        return Ok(());
    }
    // Insertion sort for short runs keeps the number of comparator calls low.
    if n <= 8 {
        for i in 1..n {
            let mut j = i;
            while j > 0 && less(&items[j], &items[j - 1])? {
                items.swap(j, j - 1);
                j -= 1;
            }
        }
        return Ok(());
    }
    let mut right = items.split_off(n / 2);
    merge_sort(items, less)?;
    merge_sort(&mut right, less)?;
    let left = std::mem::take(items);
    let mut out = Vec::with_capacity(n);
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if less(&right[j], &left[i])? {
            out.push(right[j].clone());
            j += 1;
        } else {
            out.push(left[i].clone());
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    *items = out;
    Ok(())
}
