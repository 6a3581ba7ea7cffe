//! Output of strict results: Nix's own value syntax (byte-for-byte what
//! `nix-instantiate --eval --strict` prints), JSON (what `--json` prints and what
//! `builtins.toJSON` returns), and conversion to [`Data`] with definition spans.
//!
//! All three force as they go, in the same order Nix does (attributes by name, list
//! elements in order), so the first error reported is the one Nix would report.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::rc::Rc;

use super::data::{Data, Located};
use super::error::{EvalError, EvalResult};
use super::eval::Eval;
use super::pos::Pos;
use super::value::Value;

/// Format a float as Nix prints it: C's `%g` (six significant digits, trailing zeros
/// removed, exponent form below 1e-4 and from 1e6).
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Round to 6 significant digits first: the exponent is that of the rounded value.
    let sci = format!("{f:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let mantissa = strip_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (5 - exp).max(0) as usize;
        strip_zeros(&format!("{f:.decimals$}")).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// A string literal in Nix syntax.
pub fn nix_string(s: &str, out: &mut String) {
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A string in JSON, escaped as Nix escapes it.
pub fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether an attribute name prints bare in Nix syntax.
fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '_') {
        return false;
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '-')) {
        return false;
    }
    // Nix 2.8 quotes only this keyword (checked against `nix-instantiate`).
    name != "if"
}

impl Eval {
    /// Print `v` deeply forced, as `nix-instantiate --eval --strict` does.
    pub fn print_nix(&self, v: &Value, pos: Pos) -> EvalResult<String> {
        let mut out = String::new();
        let mut seen = HashSet::new();
        self.print_nix_into(v, pos, &mut out, &mut seen)?;
        Ok(out)
    }

    fn print_nix_into(
        &self,
        v: &Value,
        pos: Pos,
        out: &mut String,
        seen: &mut HashSet<usize>,
    ) -> EvalResult<()> {
        let _guard = self.enter_data(pos)?;
        let v = self.force(v).map_err(|e| e.or_at(pos))?;
        match &v {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&format_float(*f)),
            Value::String(s) => nix_string(s, out),
            Value::Path(p) => out.push_str(&p.to_string_lossy()),
            Value::Attrs(attrs) => {
                // Nix prints a set or list it has already printed as `«repeated»`.
                if !attrs.is_empty() && !seen.insert(Rc::as_ptr(attrs) as usize) {
                    out.push_str("«repeated»");
                    return Ok(());
                }
                out.push_str("{ ");
                for a in &attrs.entries {
                    if is_plain_identifier(&a.name) {
                        out.push_str(&a.name);
                    } else {
                        nix_string(&a.name, out);
                    }
                    out.push_str(" = ");
                    self.print_nix_into(&a.value, a.pos, out, seen)?;
                    out.push_str("; ");
                }
                out.push('}');
            }
            Value::List(list) => {
                if !list.items.is_empty() && !seen.insert(Rc::as_ptr(list) as usize) {
                    out.push_str("«repeated»");
                    return Ok(());
                }
                out.push_str("[ ");
                for (i, item) in list.items.iter().enumerate() {
                    let p = list.pos.as_ref().map_or(pos, |ps| ps[i]);
                    self.print_nix_into(item, p, out, seen)?;
                    out.push(' ');
                }
                out.push(']');
            }
            Value::Lambda(_) => out.push_str("<LAMBDA>"),
            Value::Builtin(b) => out.push_str(if b.args.is_empty() {
                "<PRIMOP>"
            } else {
                "<PRIMOP-APP>"
            }),
            Value::Thunk(_) => out.push_str("<CODE>"),
        }
        Ok(())
    }

    /// JSON as `builtins.toJSON` and `--json` produce it.
    pub fn to_json(&self, v: &Value, pos: Pos) -> EvalResult<String> {
        let mut out = String::new();
        self.json_into(v, pos, &mut out)?;
        Ok(out)
    }

    fn json_into(&self, v: &Value, pos: Pos, out: &mut String) -> EvalResult<()> {
        let _guard = self.enter_data(pos)?;
        let v = self.force(v).map_err(|e| e.or_at(pos))?;
        match &v {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&format_float(*f)),
            Value::String(s) => json_string(s, out),
            Value::Path(p) => json_string(&p.to_string_lossy(), out),
            Value::Attrs(attrs) => {
                if let Some(f) = attrs.get("__toString") {
                    let f = self.force(f)?;
                    let s = self.call(f, v.clone(), pos)?;
                    let s = self.coerce_to_string(&s, pos, false)?;
                    json_string(&s, out);
                    return Ok(());
                }
                if let Some(p) = attrs.get("outPath") {
                    return self.json_into(p, pos, out);
                }
                out.push('{');
                for (i, a) in attrs.entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_string(&a.name, out);
                    out.push(':');
                    self.json_into(&a.value, a.pos, out)?;
                }
                out.push('}');
            }
            Value::List(list) => {
                out.push('[');
                for (i, item) in list.items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let p = list.pos.as_ref().map_or(pos, |ps| ps[i]);
                    self.json_into(item, p, out)?;
                }
                out.push(']');
            }
            Value::Lambda(_) | Value::Builtin(_) | Value::Thunk(_) => {
                return Err(EvalError::eval("cannot convert a function to JSON", pos));
            }
        }
        Ok(())
    }

    /// Deeply force `v` into plain data, keeping each value's definition span.
    pub fn to_data(&self, v: &Value, pos: Option<Pos>) -> EvalResult<Located> {
        let at = pos.unwrap_or_default();
        let _guard = self.enter_data(at)?;
        let v = self.force(v).map_err(|e| e.or_at(at))?;
        let data = match &v {
            Value::Null => Data::Null,
            Value::Bool(b) => Data::Bool(*b),
            Value::Int(i) => Data::Int(*i),
            Value::Float(f) => Data::Float(*f),
            Value::String(s) => Data::String(s.to_string()),
            Value::Path(p) => Data::Path(p.to_path_buf()),
            Value::Attrs(attrs) => {
                let mut map = BTreeMap::new();
                for a in &attrs.entries {
                    map.insert(a.name.to_string(), self.to_data(&a.value, Some(a.pos))?);
                }
                Data::Attrs(map)
            }
            Value::List(list) => {
                let mut items = Vec::with_capacity(list.items.len());
                for (i, item) in list.items.iter().enumerate() {
                    let p = list.pos.as_ref().map(|ps| ps[i]).or(pos);
                    items.push(self.to_data(item, p)?);
                }
                Data::List(items)
            }
            Value::Lambda(_) | Value::Builtin(_) | Value::Thunk(_) => {
                return Err(EvalError::new(
                    super::error::ErrorKind::Eval,
                    "cannot convert a function to data",
                    pos,
                )
                .with_help("a configuration must evaluate to plain data; did you forget to apply a function?"));
            }
        };
        Ok(Located::new(data, pos.map(|p| self.files.span(p))))
    }
}

use super::error::WithHelp;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_printf_g() {
        assert_eq!(format_float(1.0), "1");
        assert_eq!(format_float(0.1), "0.1");
        assert_eq!(format_float(1.5), "1.5");
        assert_eq!(format_float(123456789.0), "1.23457e+08");
        assert_eq!(format_float(1e20), "1e+20");
        assert_eq!(format_float(1e-7), "1e-07");
        assert_eq!(format_float(100000.0), "100000");
        assert_eq!(format_float(1000000.0), "1e+06");
        assert_eq!(format_float(1.234567891), "1.23457");
        assert_eq!(format_float(0.0001), "0.0001");
        assert_eq!(format_float(0.00001), "1e-05");
        assert_eq!(format_float(999999.5), "1e+06");
        assert_eq!(format_float(-2.5), "-2.5");
        assert_eq!(format_float(1.5e300), "1.5e+300");
    }

    #[test]
    fn strings_escape_like_nix() {
        let mut s = String::new();
        nix_string("a\tb${\"\\ $x", &mut s);
        assert_eq!(s, r#""a\tb\${\"\\ $x""#);
        let mut j = String::new();
        json_string("é\u{1}\n", &mut j);
        assert_eq!(j, "\"é\\u0001\\n\"");
    }

    #[test]
    fn attribute_names_quote_when_needed() {
        assert!(is_plain_identifier("a'"));
        assert!(is_plain_identifier("x-y"));
        assert!(!is_plain_identifier("if"));
        assert!(is_plain_identifier("inherit"));
        assert!(!is_plain_identifier("1a"));
        assert!(!is_plain_identifier("a b"));
        assert!(!is_plain_identifier(""));
    }
}
