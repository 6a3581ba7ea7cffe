//! Merge module definitions the way nixpkgs' module system does, over [`Located`] trees.
//!
//! Every file (the config, its imports, built-in modules, a variant) contributes one
//! definition. Attribute sets merge recursively; lists concatenate in module order (imports
//! before the importing file); equal scalars agree; different scalars are a conflict that
//! names both definitions. Priorities are the nixpkgs shapes `lib.mkOverride` produces —
//! `{ _type = "override"; priority; content; }`, where lower numbers win (`mkForce` = 50,
//! plain = 100, `mkDefault` = 1000) — and list order is `{ _type = "order"; priority;
//! content; }` (`mkBefore` = 500, plain = 1000, `mkAfter` = 1500). `mkIf` and `mkMerge`
//! are understood too. Because these are plain attribute sets, real Nix evaluates a config
//! to the same JSON as envc does.

use std::collections::BTreeMap;

use crate::lang::{Data, Located};
use crate::source::Span;
use crate::spec::error::{ErrorKind, SpecError};

/// The priority of a plain definition (nixpkgs' `defaultOverridePriority`).
pub const DEFAULT_PRIORITY: i64 = 100;
/// The list order of a plain definition (nixpkgs' `defaultOrderPriority`).
pub const DEFAULT_ORDER: i64 = 1000;

/// Merge definitions given in module order.
pub fn merge(defs: Vec<Located>, path: &[String]) -> Result<Option<Located>, SpecError> {
    let mut path = path.to_vec();
    merge_at(&mut path, defs)
}

/// One definition after its wrappers were taken off.
struct Def {
    value: Located,
    priority: i64,
    order: i64,
}

fn merge_at(path: &mut Vec<String>, defs: Vec<Located>) -> Result<Option<Located>, SpecError> {
    let mut unwrapped = Vec::new();
    for def in defs {
        unwrap(def, None, None, path, &mut unwrapped)?;
    }
    let Some(best) = unwrapped.iter().map(|d| d.priority).min() else {
        return Ok(None);
    };
    let mut kept: Vec<Def> = unwrapped
        .into_iter()
        .filter(|d| d.priority == best)
        .collect();

    if kept.iter().all(|d| matches!(d.value.data, Data::Attrs(_))) {
        let span = kept.last().and_then(|d| d.value.span.clone());
        let mut by_key: BTreeMap<String, Vec<Located>> = BTreeMap::new();
        for def in kept {
            let Data::Attrs(attrs) = def.value.data else {
                unreachable!("checked above")
            };
            for (key, value) in attrs {
                by_key.entry(key).or_default().push(value);
            }
        }
        let mut merged = BTreeMap::new();
        for (key, values) in by_key {
            path.push(key.clone());
            let value = merge_at(path, values)?;
            path.pop();
            if let Some(value) = value {
                merged.insert(key, value);
            }
        }
        return Ok(Some(Located::new(Data::Attrs(merged), span)));
    }

    if kept.iter().all(|d| matches!(d.value.data, Data::List(_))) {
        // A stable sort keeps module order among equal orders, as nixpkgs' `sortProperties`.
        kept.sort_by_key(|d| d.order);
        let span = kept.last().and_then(|d| d.value.span.clone());
        let mut items = Vec::new();
        for def in kept {
            let Data::List(list) = def.value.data else {
                unreachable!("checked above")
            };
            for item in list {
                items.push(check_no_wrappers(item, path)?);
            }
        }
        return Ok(Some(Located::new(Data::List(items), span)));
    }

    let first = kept.remove(0);
    for other in &kept {
        if !same_data(&first.value.data, &other.value.data) {
            return Err(conflict(path, &first.value, &other.value));
        }
    }
    let last = kept.pop().map_or(first.value, |d| d.value);
    Ok(Some(last))
}

/// Take the nixpkgs wrappers off one definition. The result keeps the span of the outermost
/// binding — the user's `x = lib.mkForce ...;` — not the `content` binding inside `lib.nix`.
fn unwrap(
    def: Located,
    priority: Option<i64>,
    order: Option<i64>,
    path: &[String],
    out: &mut Vec<Def>,
) -> Result<(), SpecError> {
    let Some(kind) = wrapper_type(&def) else {
        out.push(Def {
            value: def,
            priority: priority.unwrap_or(DEFAULT_PRIORITY),
            order: order.unwrap_or(DEFAULT_ORDER),
        });
        return Ok(());
    };
    let span = def.span.clone();
    let Data::Attrs(mut attrs) = def.data else {
        unreachable!("wrapper_type only matches attribute sets")
    };
    match kind.as_str() {
        "override" => {
            let p = int_field(&attrs, "priority", "lib.mkOverride", &span, path)?;
            let content = content_field(&mut attrs, "content", "lib.mkOverride", &span, path)?;
            // The outermost override decides, as in nixpkgs (`getPrio` looks at one level).
            unwrap(content, priority.or(Some(p)), order, path, out)
        }
        "order" => {
            let o = int_field(&attrs, "priority", "lib.mkOrder", &span, path)?;
            let content = content_field(&mut attrs, "content", "lib.mkOrder", &span, path)?;
            unwrap(content, priority, order.or(Some(o)), path, out)
        }
        "if" => {
            let condition = match attrs.get("condition").map(|c| &c.data) {
                Some(Data::Bool(b)) => *b,
                _ => {
                    return Err(malformed("lib.mkIf", "`condition` must be a boolean", &span, path));
                }
            };
            let content = content_field(&mut attrs, "content", "lib.mkIf", &span, path)?;
            if condition {
                unwrap(content, priority, order, path, out)?;
            }
            Ok(())
        }
        "merge" => {
            let contents = content_field(&mut attrs, "contents", "lib.mkMerge", &span, path)?;
            let Data::List(items) = contents.data else {
                return Err(malformed("lib.mkMerge", "`contents` must be a list", &span, path));
            };
            for item in items {
                let item = with_span(item, &span);
                unwrap(item, priority, order, path, out)?;
            }
            Ok(())
        }
        other => Err(SpecError::new(ErrorKind::MisplacedWrapper {
            wrapper: format!("_type = \"{other}\""),
            reason: "envc understands `override`, `order`, `if` and `merge`".into(),
        })
        .at(span.as_ref(), "unknown `_type`")
        .help("use `lib.mkDefault`, `lib.mkForce`, `lib.mkOverride`, `lib.mkBefore`, `lib.mkAfter`, `lib.mkIf` or `lib.mkMerge`")),
    }
}

fn wrapper_type(value: &Located) -> Option<String> {
    match &value.data {
        Data::Attrs(attrs) => match attrs.get("_type").map(|t| &t.data) {
            Some(Data::String(kind)) => Some(kind.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn int_field(
    attrs: &BTreeMap<String, Located>,
    name: &str,
    wrapper: &str,
    span: &Option<Span>,
    path: &[String],
) -> Result<i64, SpecError> {
    match attrs.get(name).map(|v| &v.data) {
        Some(Data::Int(i)) => Ok(*i),
        _ => Err(malformed(
            wrapper,
            &format!("`{name}` must be an integer"),
            span,
            path,
        )),
    }
}

fn content_field(
    attrs: &mut BTreeMap<String, Located>,
    name: &str,
    wrapper: &str,
    span: &Option<Span>,
    path: &[String],
) -> Result<Located, SpecError> {
    match attrs.remove(name) {
        Some(content) => Ok(with_span(content, span)),
        None => Err(malformed(
            wrapper,
            &format!("`{name}` is missing"),
            span,
            path,
        )),
    }
}

/// Give a wrapper's content the span of the wrapper's own binding (when it has one).
fn with_span(mut value: Located, span: &Option<Span>) -> Located {
    if span.is_some() {
        value.span = span.clone();
    }
    value
}

fn malformed(wrapper: &str, reason: &str, span: &Option<Span>, path: &[String]) -> SpecError {
    SpecError::new(ErrorKind::MisplacedWrapper {
        wrapper: format!("`{wrapper}` at `{}`", dotted(path)),
        reason: format!("malformed wrapper: {reason}"),
    })
    .at(span.as_ref(), "defined here")
}

/// List elements are not merged, so a priority inside one has no meaning.
fn check_no_wrappers(item: Located, path: &[String]) -> Result<Located, SpecError> {
    if let Some(kind) = wrapper_type(&item) {
        let wrapper = match kind.as_str() {
            "override" => "lib.mkOverride",
            "order" => "lib.mkOrder",
            "if" => "lib.mkIf",
            "merge" => "lib.mkMerge",
            _ => return Ok(item),
        };
        return Err(SpecError::new(ErrorKind::MisplacedWrapper {
            wrapper: wrapper.into(),
            reason: format!("it is inside the list `{}`", dotted(path)),
        })
        .at(item.span.as_ref(), "inside a list")
        .help("put the wrapper around the whole list: `x = lib.mkAfter [ ... ];`"));
    }
    Ok(item)
}

fn conflict(path: &[String], first: &Located, second: &Located) -> SpecError {
    let first_text = summary(&first.data);
    let second_text = summary(&second.data);
    let first_at = first
        .span
        .as_ref()
        .map_or_else(|| "unknown location".to_string(), Span::location);
    let second_at = second
        .span
        .as_ref()
        .map_or_else(|| "unknown location".to_string(), Span::location);
    SpecError::new(ErrorKind::Conflict {
        at: dotted(path),
        first: format!("{first_text} ({first_at})"),
        second: format!("{second_text} ({second_at})"),
    })
    .at(second.span.as_ref(), format!("defined as {second_text} here"))
    .note(first.span.as_ref(), format!("and as {first_text} here"))
    .help("keep one definition, or give one a priority: `lib.mkForce` to override, `lib.mkDefault` to yield")
}

/// A short rendering of a value for conflict messages.
fn summary(data: &Data) -> String {
    match data {
        Data::Null => "`null`".into(),
        Data::Bool(b) => format!("`{b}`"),
        Data::Int(i) => format!("`{i}`"),
        Data::Float(x) => format!("`{x}`"),
        Data::String(s) if s.chars().count() <= 40 => format!("`{s:?}`"),
        Data::String(_) => "a long string".into(),
        Data::Path(p) => format!("`{}`", p.display()),
        Data::List(_) => "a list".into(),
        Data::Attrs(_) => "an attribute set".into(),
    }
}

pub fn dotted(path: &[String]) -> String {
    if path.is_empty() {
        "the config".into()
    } else {
        path.join(".")
    }
}

/// Equality of data, ignoring where it was defined.
pub fn same_data(a: &Data, b: &Data) -> bool {
    match (a, b) {
        (Data::List(x), Data::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_data(&a.data, &b.data))
        }
        (Data::Attrs(x), Data::Attrs(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, a), (kb, b))| ka == kb && same_data(&a.data, &b.data))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn json(name: &str, text: &str) -> Located {
        crate::spec::json::parse(&SourceFile::new(name, name, text)).unwrap()
    }

    fn merged(defs: &[(&str, &str)]) -> Result<serde_json::Value, SpecError> {
        let defs = defs.iter().map(|(n, t)| json(n, t)).collect();
        let value = merge(defs, &[])?.unwrap();
        Ok(crate::spec::to_json(&value, std::path::Path::new("/")))
    }

    #[test]
    fn attrs_merge_and_lists_concatenate_in_order() {
        let v = merged(&[
            ("a.json", r#"{"build": {"apt": ["a"]}, "name": "x"}"#),
            (
                "b.json",
                r#"{"build": {"apt": ["b"], "sudo": true}, "name": "x"}"#,
            ),
        ])
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"build": {"apt": ["a", "b"], "sudo": true}, "name": "x"})
        );
    }

    #[test]
    fn priorities_decide_and_order_sorts() {
        let v = merged(&[
            ("a.json", r#"{"name": {"_type": "override", "priority": 1000, "content": "d"}, "l": ["x"]}"#),
            ("b.json", r#"{"name": "mine", "l": {"_type": "order", "priority": 500, "content": ["first"]}}"#),
            ("c.json", r#"{"name": {"_type": "override", "priority": 50, "content": "forced"}}"#),
        ])
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"name": "forced", "l": ["first", "x"]})
        );
    }

    #[test]
    fn different_scalars_conflict_with_both_locations() {
        let err = merged(&[
            ("a.json", r#"{"name": "a"}"#),
            ("b.json", r#"{"name": "b"}"#),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"conflicting definitions for `name`: `"a"` (a.json:1:2) and `"b"` (b.json:1:2)"#
        );
        assert_eq!(err.location().unwrap(), "b.json:1:2");
    }

    #[test]
    fn mk_if_and_mk_merge() {
        let v = merged(&[(
            "a.json",
            r#"{"x": {"_type": "merge", "contents": [
                {"_type": "if", "condition": false, "content": {"a": 1}},
                {"_type": "if", "condition": true, "content": {"b": 2}}]}}"#,
        )])
        .unwrap();
        assert_eq!(v, serde_json::json!({"x": {"b": 2}}));
    }
}
