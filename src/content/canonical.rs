//! Canonical JSON: the one byte form of a JSON value that content keys are hashed over.
//!
//! Two documents that mean the same thing must give the same bytes, or equal inputs would get
//! different keys. The form: object keys sorted by their UTF-8 bytes, no whitespace outside
//! strings, strings escaped as `serde_json` escapes them (only `"`, `\` and control characters;
//! everything else is raw UTF-8), and one number format — integers in plain decimal, a float
//! that holds an integer value below 2^53 written as that integer, any other float in the
//! shortest form that reads back to the same `f64`, as Rust's `{:?}` prints it (`1.5`, `1e300`).
//!
//! The key-schema version (see `key.rs`) must change whenever this form changes.

use serde_json::Value;

/// The canonical bytes of `value`.
pub fn to_vec(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write(&mut out, value);
    out
}

/// The canonical form of `value` as a string (always valid UTF-8).
pub fn to_string(value: &Value) -> String {
    // The writer only ever appends UTF-8 from `str`s and ASCII, so this cannot fail.
    String::from_utf8(to_vec(value)).unwrap_or_default()
}

/// Sorted keys, pretty-printed with two-space indents and a trailing newline: the stable
/// and reviewable form of the files envc writes for people (lock, manifest, emitted JSON).
pub fn to_pretty(value: &Value) -> Vec<u8> {
    let sorted: Value = serde_json::from_slice(&to_vec(value)).unwrap_or(Value::Null);
    let mut out = serde_json::to_vec_pretty(&sorted).unwrap_or_default();
    out.push(b'\n');
    out
}

fn write(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // The crate is built with `preserve_order`, so maps keep insertion order: sort here.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, key);
                out.push(b':');
                write(out, item);
            }
            out.push(b'}');
        }
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    // serde_json's string escaping is fixed and minimal; writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Largest integer every `f64` below which is exact: floats past it keep their float form.
const EXACT_INT_LIMIT: f64 = 9_007_199_254_740_992.0;

fn write_number(out: &mut Vec<u8>, n: &serde_json::Number) {
    if let Some(i) = n.as_i64() {
        out.extend_from_slice(i.to_string().as_bytes());
    } else if let Some(u) = n.as_u64() {
        out.extend_from_slice(u.to_string().as_bytes());
    } else if let Some(f) = n.as_f64() {
        if f.fract() == 0.0 && f.abs() < EXACT_INT_LIMIT {
            // `-0.0` and `0.0` are the same number; both print as `0`.
            out.extend_from_slice((f as i64).to_string().as_bytes());
        } else {
            // Rust's `{:?}` for f64: shortest round-trip digits, exponent form outside
            // 1e-5..1e16. Written by us, not by serde_json, whose float printer has changed.
            out.extend_from_slice(format!("{f:?}").as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_at_every_depth_and_drops_whitespace() {
        let v = json!({"b": 1, "a": {"z": [1, 2, {"y": null, "x": true}], "c": "s"}});
        assert_eq!(
            to_string(&v),
            r#"{"a":{"c":"s","z":[1,2,{"x":true,"y":null}]},"b":1}"#
        );
    }

    #[test]
    fn insertion_order_does_not_matter() {
        let mut a = serde_json::Map::new();
        a.insert("one".into(), json!(1));
        a.insert("two".into(), json!(2));
        let mut b = serde_json::Map::new();
        b.insert("two".into(), json!(2));
        b.insert("one".into(), json!(1));
        assert_eq!(to_vec(&Value::Object(a)), to_vec(&Value::Object(b)));
    }

    #[test]
    fn one_number_format() {
        assert_eq!(to_string(&json!(1.0)), "1");
        assert_eq!(to_string(&json!(-0.0)), "0");
        assert_eq!(to_string(&json!(1)), "1");
        assert_eq!(to_string(&json!(1.5)), "1.5");
        assert_eq!(to_string(&json!(u64::MAX)), "18446744073709551615");
        assert_eq!(to_string(&json!(1e300)), "1e300");
    }

    #[test]
    fn escapes_only_what_json_requires() {
        assert_eq!(
            to_string(&json!("a\"b\\c\nd\u{1}é")),
            r#""a\"b\\c\nd\u0001é""#
        );
    }

    #[test]
    fn keys_sort_by_bytes_not_by_locale() {
        let v = json!({"b": 0, "B": 0, "é": 0, "a": 0});
        assert_eq!(to_string(&v), r#"{"B":0,"a":0,"b":0,"é":0}"#);
    }
}
