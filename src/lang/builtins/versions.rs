//! Version strings as Nix sees them: `splitVersion`, `compareVersions`, `parseDrvName`
//! (the exact component rules of Nix's `names.cc`).

use super::{attrs_value, list};
use crate::lang::error::EvalResult;
use crate::lang::eval::Eval;
use crate::lang::pos::Pos;
use crate::lang::value::{Attr, Value};

/// The next version component: a run of digits, or a run of other characters; `.` and
/// `-` separate components.
fn next_component<'a>(s: &'a str, p: &mut usize) -> &'a str {
    let b = s.as_bytes();
    while *p < b.len() && (b[*p] == b'.' || b[*p] == b'-') {
        *p += 1;
    }
    let start = *p;
    if *p < b.len() && b[*p].is_ascii_digit() {
        while *p < b.len() && b[*p].is_ascii_digit() {
            *p += 1;
        }
    } else {
        while *p < b.len() && !b[*p].is_ascii_digit() && b[*p] != b'.' && b[*p] != b'-' {
            *p += 1;
        }
    }
    &s[start..*p]
}

fn components_lt(c1: &str, c2: &str) -> bool {
    // Nix parses components as C `int`s; longer digit runs compare as strings.
    let n1 = c1.parse::<i32>().ok();
    let n2 = c2.parse::<i32>().ok();
    match (n1, n2) {
        (Some(a), Some(b)) => a < b,
        _ if c1.is_empty() && n2.is_some() => true,
        _ if c1 == "pre" && c2 != "pre" => true,
        _ if c2 == "pre" => false,
        (_, Some(_)) => true,
        (Some(_), _) => false,
        _ => c1 < c2,
    }
}

pub fn compare(v1: &str, v2: &str) -> i64 {
    let (mut p1, mut p2) = (0, 0);
    while p1 < v1.len() || p2 < v2.len() {
        let c1 = next_component(v1, &mut p1);
        let c2 = next_component(v2, &mut p2);
        if components_lt(c1, c2) {
            return -1;
        }
        if components_lt(c2, c1) {
            return 1;
        }
    }
    0
}

pub fn compare_versions(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let a = e.arg_string(&args[0], "compareVersions", pos)?;
    let b = e.arg_string(&args[1], "compareVersions", pos)?;
    Ok(Value::Int(compare(&a, &b)))
}

pub fn split_version(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let s = e.arg_string(&args[0], "splitVersion", pos)?;
    let mut p = 0;
    let mut out = Vec::new();
    while p < s.len() {
        let c = next_component(&s, &mut p);
        if c.is_empty() {
            break;
        }
        out.push(Value::string(c));
    }
    Ok(list(out))
}

pub fn parse_drv_name(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let s = e.arg_string(&args[0], "parseDrvName", pos)?;
    let b = s.as_bytes();
    let mut name = &s[..];
    let mut version = "";
    for i in 0..b.len() {
        if b[i] == b'-' && i + 1 < b.len() && !b[i + 1].is_ascii_alphabetic() {
            name = &s[..i];
            version = &s[i + 1..];
            break;
        }
    }
    Ok(attrs_value(vec![
        Attr {
            name: "name".into(),
            value: Value::string(name),
            pos,
        },
        Attr {
            name: "version".into(),
            value: Value::string(version),
            pos,
        },
    ]))
}

#[cfg(test)]
mod tests {
    use super::compare;

    #[test]
    fn versions_compare_like_nix() {
        assert_eq!(compare("1.0", "2.3"), -1);
        assert_eq!(compare("2.1", "2.3"), -1);
        assert_eq!(compare("2.3", "2.3"), 0);
        assert_eq!(compare("2.5", "2.3"), 1);
        assert_eq!(compare("3.1", "2.3"), 1);
        assert_eq!(compare("2.3.1", "2.3"), 1);
        assert_eq!(compare("2.3.1", "2.3a"), 1);
        assert_eq!(compare("2.3pre1", "2.3"), -1);
        assert_eq!(compare("2.3pre3", "2.3pre12"), -1);
        assert_eq!(compare("2.3a", "2.3c"), -1);
        assert_eq!(compare("2.3pre1", "2.3c"), -1);
        assert_eq!(compare("2.3pre1", "2.3q"), -1);
    }
}
