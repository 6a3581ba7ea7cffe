//! A JSON reader that keeps source spans, for `envc.json` configs and JSON modules.
//!
//! serde_json forgets where a value came from, and the spec stage must point errors at the
//! line that caused them, in `.json` files as in `.nix` files. This reader produces the same
//! [`Located`] tree the evaluator produces: an object member's span covers `"key": value`
//! (like a Nix binding), a list element's span covers the element. It accepts exactly
//! RFC 8259 JSON and rejects duplicate keys, which JSON allows but would silently drop a
//! definition.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::lang::{Data, Located};
use crate::source::{SourceFile, Span};

/// A syntax error in a JSON file.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct JsonError {
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
}

/// Parse a whole JSON document.
pub fn parse(file: &Arc<SourceFile>) -> Result<Located, JsonError> {
    let mut reader = Reader {
        file,
        text: file.text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    reader.skip_ws();
    let start = reader.pos;
    let data = reader.value()?;
    let end = reader.pos;
    reader.skip_ws();
    if reader.pos < reader.text.len() {
        return Err(reader.error_here("trailing characters after the JSON value"));
    }
    Ok(Located::new(
        data,
        Some(Span::new(file.clone(), start..end)),
    ))
}

/// Nesting deeper than this is refused instead of overflowing the stack.
const MAX_DEPTH: usize = 256;

struct Reader<'a> {
    file: &'a Arc<SourceFile>,
    text: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Reader<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file.clone(), start..end)
    }

    fn error_at(&self, start: usize, end: usize, message: impl Into<String>) -> JsonError {
        JsonError {
            message: message.into(),
            span: self.span(start, end.max(start)),
            help: None,
        }
    }

    fn error_here(&self, message: impl Into<String>) -> JsonError {
        // Cover the whole character at `pos`, so the span ends on a char boundary.
        let width = self.file.text[self.pos..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        self.error_at(self.pos, self.pos + width, message)
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    fn unexpected(&self, what: &str) -> JsonError {
        match self.peek() {
            None => self.error_here(format!("unexpected end of file, expected {what}")),
            Some(_) => {
                let found = self.file.text[self.pos..].chars().next().unwrap_or(' ');
                self.error_here(format!("expected {what}, found `{found}`"))
            }
        }
    }

    fn value(&mut self) -> Result<Data, JsonError> {
        match self.peek() {
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => Ok(Data::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.keyword("true", Data::Bool(true)),
            Some(b'f') => self.keyword("false", Data::Bool(false)),
            Some(b'n') => self.keyword("null", Data::Null),
            _ => Err(self.unexpected("a JSON value")),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Data, JsonError>) -> Result<Data, JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(format!("JSON nested deeper than {MAX_DEPTH} levels")));
        }
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn keyword(&mut self, word: &str, data: Data) -> Result<Data, JsonError> {
        if self.text[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(data)
        } else {
            Err(self.unexpected("a JSON value"))
        }
    }

    fn object(&mut self) -> Result<Data, JsonError> {
        self.pos += 1; // `{`
        let mut members: BTreeMap<String, Located> = BTreeMap::new();
        let mut first_spans: BTreeMap<String, Span> = BTreeMap::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Data::Attrs(members));
        }
        loop {
            self.skip_ws();
            let key_start = self.pos;
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a member name in double quotes"));
            }
            let key = self.string()?;
            let key_end = self.pos;
            self.skip_ws();
            self.expect(b':', "`:`")?;
            self.skip_ws();
            let value = self.value()?;
            let span = self.span(key_start, self.pos);
            if let Some(first) = first_spans.get(&key) {
                let mut err = self.error_at(key_start, key_end, format!("duplicate key `{key}`"));
                err.help = Some(format!(
                    "`{key}` is already defined at {}",
                    first.location()
                ));
                return Err(err);
            }
            first_spans.insert(key.clone(), span.clone());
            members.insert(key, Located::new(value, Some(span)));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Data::Attrs(members));
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }

    fn array(&mut self) -> Result<Data, JsonError> {
        self.pos += 1; // `[`
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Data::List(items));
        }
        loop {
            self.skip_ws();
            let start = self.pos;
            let value = self.value()?;
            items.push(Located::new(value, Some(self.span(start, self.pos))));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Data::List(items));
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is a `str`, and we only stop at ASCII bytes, so this is a char boundary.
            out.push_str(&self.file.text[run_start..self.pos]);
            match self.peek() {
                None => return Err(self.error_at(start, self.pos, "unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => {
                    return Err(self.error_here("control character in a string; write it escaped"));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let first = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&first) {
                    if !self.text[self.pos..].starts_with(b"\\u") {
                        return Err(self.error_here("unpaired surrogate in `\\u` escape"));
                    }
                    self.pos += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(self.error_here("unpaired surrogate in `\\u` escape"));
                    }
                    char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
                } else {
                    char::from_u32(first)
                };
                match c {
                    Some(c) => out.push(c),
                    None => return Err(self.error_here("invalid `\\u` escape")),
                }
                return Ok(());
            }
            _ => return Err(self.error_here("invalid escape in a string")),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok());
        match digits {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.error_here("expected four hex digits after `\\u`")),
        }
    }

    fn number(&mut self) -> Result<Data, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.unexpected("a digit")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit after `.`"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            integer = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit in the exponent"));
            }
            self.digits();
        }
        let text = &self.file.text[start..self.pos];
        if integer && let Ok(i) = text.parse::<i64>() {
            return Ok(Data::Int(i));
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Data::Float(f)),
            _ => Err(self.error_at(start, self.pos, format!("number `{text}` is out of range"))),
        }
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Located, JsonError> {
        parse(&SourceFile::new("t.json", "t.json", text))
    }

    #[test]
    fn values_and_spans() {
        let text = r#"{ "a": [1, -2.5e1, "x\u00e9\ud83d\ude00"], "b": {"c": null, "d": true} }"#;
        let v = parse_str(text).unwrap();
        let Data::Attrs(top) = &v.data else { panic!() };
        let a = &top["a"];
        assert_eq!(
            a.span.as_ref().unwrap().snippet(),
            r#""a": [1, -2.5e1, "x\u00e9\ud83d\ude00"]"#
        );
        let Data::List(items) = &a.data else { panic!() };
        assert_eq!(items[0].data, Data::Int(1));
        assert_eq!(items[1].data, Data::Float(-25.0));
        assert_eq!(items[2].data, Data::String("xé😀".into()));
        assert_eq!(items[1].span.as_ref().unwrap().snippet(), "-2.5e1");
    }

    #[test]
    fn errors_point_at_the_problem() {
        for (text, message, at) in [
            (
                "{\"a\": 1,}",
                "expected a member name in double quotes, found `}`",
                8,
            ),
            ("{\"a\": 1, \"a\": 2}", "duplicate key `a`", 9),
            ("[1 2]", "expected `,` or `]`, found `2`", 3),
            ("\"abc", "unterminated string", 0),
            ("01", "trailing characters after the JSON value", 1),
            (
                "{",
                "unexpected end of file, expected a member name in double quotes",
                1,
            ),
        ] {
            let err = parse_str(text).unwrap_err();
            assert_eq!(err.message, message, "{text}");
            assert_eq!(err.span.range.start, at, "{text}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000);
        assert!(
            parse_str(&text)
                .unwrap_err()
                .message
                .contains("nested deeper")
        );
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// Every prefix and every one-byte corruption of a document is an error or a value,
    /// never a panic (spans must stay on char boundaries).
    #[test]
    fn truncated_and_corrupted_input_never_panics() {
        let doc =
            r#"{"name": "dé😀mo", "n": [1, -2.5e-3, true, null], "s": "a\"b\\c\u00e9", "o": {}}"#;
        for end in 0..=doc.len() {
            if doc.is_char_boundary(end) {
                let _ = parse(&SourceFile::new("t.json", "t.json", &doc[..end]));
            }
        }
        for (i, _) in doc.char_indices() {
            for replacement in ["", "\"", "\\", "{", "]", ",", "é", "0"] {
                let mut text = doc.to_string();
                let next = doc[i..].chars().next().map_or(0, char::len_utf8);
                text.replace_range(i..i + next, replacement);
                if let Err(e) = parse(&SourceFile::new("t.json", "t.json", text.as_str())) {
                    let _ = e.span.snippet();
                    let _ = e.span.location();
                }
            }
        }
    }
}
