//! The generated config as a small tree of values with comments, written out as `envc.nix`
//! (Nix syntax, with the comments) or `envc.json` (the same values, without them).
//!
//! Everything in it came from files `envc init` does not trust, so every string goes
//! through one escaping function per format: [`nix_string`] for Nix string literals,
//! [`nix_key`] for attribute names, [`comment_text`] for `#` comments, and serde_json for
//! JSON. A [`Text`] cannot hold a character those formats cannot carry exactly (Nix has no
//! escape for control characters or NUL), so the written file evaluates to exactly the
//! detected values.

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// The longest string `envc init` copies into a config; longer values are reported as not
/// mapped (a 10 MB `ENV` line is not something to paste into a file people read).
pub const MAX_TEXT: usize = 64 * 1024;

/// A string every output format can carry exactly: no NUL and no control characters but
/// tab and newline, at most [`MAX_TEXT`] bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(String);

impl Text {
    /// Check `s`; the error says why it cannot be copied.
    pub fn new(s: impl Into<String>) -> Result<Text, String> {
        let s = s.into();
        if s.len() > MAX_TEXT {
            return Err(format!("is longer than {} KiB", MAX_TEXT / 1024));
        }
        if let Some(c) = s
            .chars()
            .find(|&c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(format!("contains the control character U+{:04X}", c as u32));
        }
        Ok(Text(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One value of the generated config.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Str(Text),
    Bool(bool),
    Int(i64),
    List(Vec<Item>),
    Attrs(Vec<Entry>),
}

/// A list element, with an optional comment above it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub value: Node,
    pub comment: Option<String>,
}

/// An attribute, with an optional comment above it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Text,
    pub value: Node,
    pub comment: Option<String>,
}

impl Node {
    /// The value as JSON (what `envc eval` and `nix-instantiate --eval --json` print).
    pub fn to_json(&self) -> Value {
        match self {
            Node::Str(s) => Value::String(s.as_str().to_owned()),
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::List(items) => Value::Array(items.iter().map(|i| i.value.to_json()).collect()),
            Node::Attrs(entries) => {
                let mut map = Map::new();
                for e in entries {
                    map.insert(e.key.as_str().to_owned(), e.value.to_json());
                }
                Value::Object(map)
            }
        }
    }
}

/// A Nix double-quoted string literal that evaluates to exactly `text`.
///
/// In Nix strings `\` escapes, `"` ends the string and `${` starts an interpolation; `\n`,
/// `\r` and `\t` are the only escapes that mean a control character (any other `\c` is
/// `c`), which is why a [`Text`] holds no other control character.
pub fn nix_string(text: &Text) -> String {
    let mut out = String::with_capacity(text.as_str().len() + 2);
    out.push('"');
    let mut chars = text.as_str().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Nix's keywords: not usable as bare attribute names.
const KEYWORDS: &[&str] = &[
    "assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with",
];

/// An attribute name: bare when it is a Nix identifier, else a string literal.
pub fn nix_key(key: &Text) -> String {
    let k = key.as_str();
    let ident = k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''))
        && !KEYWORDS.contains(&k);
    if ident { k.to_owned() } else { nix_string(key) }
}

/// Comment text on one line: control characters (a newline would end the comment and
/// start code) become `?`.
pub fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// The Nix text of a whole file: a header comment and the top-level attribute set.
pub fn to_nix(header: &[String], root: &[Entry]) -> String {
    let mut out = String::new();
    for line in header {
        let _ = writeln!(out, "# {}", comment_text(line));
    }
    out.push_str("{\n");
    write_entries(&mut out, root, 1);
    out.push_str("}\n");
    out
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_comment(out: &mut String, comment: Option<&String>, depth: usize) {
    if let Some(comment) = comment {
        for line in comment.lines() {
            indent(out, depth);
            let _ = writeln!(out, "# {}", comment_text(line));
        }
    }
}

fn write_entries(out: &mut String, entries: &[Entry], depth: usize) {
    for entry in entries {
        write_comment(out, entry.comment.as_ref(), depth);
        indent(out, depth);
        // `a.b.c = v;` for chains of single, uncommented attributes: easier to read.
        let mut path = vec![nix_key(&entry.key)];
        let mut value = &entry.value;
        while let Node::Attrs(inner) = value {
            match inner.as_slice() {
                [only] if only.comment.is_none() => {
                    path.push(nix_key(&only.key));
                    value = &only.value;
                }
                _ => break,
            }
        }
        let _ = write!(out, "{} = ", path.join("."));
        write_value(out, value, depth);
        out.push_str(";\n");
    }
}

fn write_value(out: &mut String, value: &Node, depth: usize) {
    match value {
        Node::Str(s) => out.push_str(&nix_string(s)),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // A negative literal needs parentheses in a list (`[ -1 ]` is fine, but be plain).
        Node::Int(i) if *i < 0 => {
            let _ = write!(out, "({i})");
        }
        Node::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Node::List(items) if items.is_empty() => out.push_str("[ ]"),
        Node::List(items) => {
            out.push_str("[\n");
            for item in items {
                write_comment(out, item.comment.as_ref(), depth + 1);
                indent(out, depth + 1);
                // A function application or negative number in a list would need
                // parentheses; the values here are literals, attribute sets and lists.
                write_value(out, &item.value, depth + 1);
                out.push('\n');
            }
            indent(out, depth);
            out.push(']');
        }
        Node::Attrs(entries) if entries.is_empty() => out.push_str("{ }"),
        Node::Attrs(entries) => {
            out.push_str("{\n");
            write_entries(out, entries, depth + 1);
            indent(out, depth);
            out.push('}');
        }
    }
}

/// The JSON text of the same values (`envc init --json`).
pub fn to_json(root: &[Entry]) -> String {
    let value = Node::Attrs(root.to_vec()).to_json();
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Text {
        Text::new(s).unwrap()
    }

    #[test]
    fn strings_escape_what_nix_reads_specially() {
        assert_eq!(nix_string(&t(r#"a"b\c"#)), r#""a\"b\\c""#);
        assert_eq!(nix_string(&t("${x} $y $")), r#""\${x} $y $""#);
        assert_eq!(nix_string(&t("l1\nl2\tx")), r#""l1\nl2\tx""#);
        // `$${` is a literal `$` then an escaped interpolation start.
        assert_eq!(nix_string(&t("$${a}")), r#""$\${a}""#);
    }

    #[test]
    fn text_refuses_what_no_format_carries() {
        assert!(Text::new("a\u{0}b").is_err());
        assert!(Text::new("\u{1b}[31m").is_err());
        assert!(Text::new("a\rb").is_err());
        assert!(Text::new("x".repeat(MAX_TEXT + 1)).is_err());
        assert!(Text::new("tab\tand\nnewline ü").is_ok());
    }

    #[test]
    fn keys_are_bare_only_when_nix_allows() {
        assert_eq!(nix_key(&t("PATH")), "PATH");
        assert_eq!(nix_key(&t("if")), "\"if\"");
        assert_eq!(nix_key(&t("org.label")), "\"org.label\"");
        assert_eq!(nix_key(&t("1x")), "\"1x\"");
        assert_eq!(nix_key(&t("/etc/x")), "\"/etc/x\"");
    }

    #[test]
    fn comments_stay_on_their_line() {
        assert_eq!(comment_text("a\n}; evil = 1; #"), "a?}; evil = 1; #");
    }

    #[test]
    fn nested_single_attributes_are_dotted() {
        let root = vec![Entry {
            key: t("base"),
            value: Node::Attrs(vec![Entry {
                key: t("image"),
                value: Node::Str(t("debian:trixie")),
                comment: None,
            }]),
            comment: Some("from Dockerfile:1".into()),
        }];
        assert_eq!(
            to_nix(&["h".into()], &root),
            "# h\n{\n  # from Dockerfile:1\n  base.image = \"debian:trixie\";\n}\n"
        );
    }
}
