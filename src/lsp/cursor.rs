//! Where in the config's shape a cursor is: the attribute path of the enclosing set, the key
//! being typed, or the field whose value is being typed.
//!
//! An editor asks while the text is half written (`build.` with nothing after it), so this is
//! a tolerant scan of the text before the cursor — strings, comments, brackets, `=` and `;`
//! (or `:` and `,` in JSON) — not a parse. A segment `[]` stands for "an element of a list".
//! Anything the scan cannot place (a `let` block, parentheses) gives no path, and so no
//! completion, rather than a wrong one.

/// What the cursor is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// Typing a key: `path` is the attribute set it goes in, `prefix` what is typed of it.
    Key { path: Vec<String>, prefix: String },
    /// Typing the value of the field at `path`; `prefix` is what is typed of it.
    Value { path: Vec<String>, prefix: String },
    /// Somewhere the scan cannot place.
    Unknown,
}

/// The language of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nix,
    Json,
}

#[derive(Debug, Clone)]
struct Frame {
    /// The attribute path this bracket's contents sit at; `None`: cannot be placed.
    path: Option<Vec<String>>,
    /// `[`: a list, whose `{` elements are at `path` (already ending in `[]`).
    list: bool,
    /// The key read so far in this set, and whether `=` (or `:`) followed it.
    key: Vec<String>,
    in_value: bool,
}

impl Frame {
    fn new(path: Option<Vec<String>>, list: bool) -> Self {
        Frame {
            path,
            list,
            key: Vec::new(),
            in_value: false,
        }
    }

    fn value_path(&self) -> Option<Vec<String>> {
        let mut path = self.path.clone()?;
        path.extend(self.key.iter().cloned());
        Some(path)
    }
}

/// Where `offset` (a byte offset into `text`) is.
pub fn at(text: &str, offset: usize, lang: Lang) -> Cursor {
    let offset = offset.min(text.len());
    let before = &text[..floor_boundary(text, offset)];
    // The word being typed is not scanned (it is the prefix, not a finished key).
    let word = trailing_word(before, lang);
    let mut scan = Scan {
        frames: vec![Frame::new(Some(Vec::new()), false)],
        lang,
        open_string: None,
    };
    scan.run(&before[..before.len() - word.len()]);
    let Some(frame) = scan.frames.last() else {
        return Cursor::Unknown;
    };
    let Some(path) = frame.path.clone() else {
        return Cursor::Unknown;
    };
    let prefix = match &scan.open_string {
        Some(s) => format!("{s}{word}"),
        None => word.to_string(),
    };
    if frame.in_value {
        return match frame.value_path() {
            Some(path) => Cursor::Value { path, prefix },
            None => Cursor::Unknown,
        };
    }
    if frame.list {
        return Cursor::Value { path, prefix };
    }
    // In Nix `build.pi` is a key being typed under `build`; the dotted parts before the last
    // are part of the path.
    let mut path = path;
    let mut prefix = prefix;
    if lang == Lang::Nix && scan.open_string.is_none() {
        let mut parts: Vec<&str> = prefix.split('.').collect();
        let last = parts.pop().unwrap_or("").to_string();
        path.extend(frame.key.iter().cloned());
        path.extend(parts.iter().map(|p| p.to_string()));
        prefix = last;
    }
    Cursor::Key { path, prefix }
}

/// The attribute path of the key under `offset` (for hover and go-to-definition), and the
/// byte range of that key's last segment.
pub fn key_at(
    text: &str,
    offset: usize,
    lang: Lang,
) -> Option<(Vec<String>, std::ops::Range<usize>)> {
    let offset = floor_boundary(text, offset.min(text.len()));
    let is_word = |c: char| word_char(c, lang) || c == '.';
    let start = text[..offset]
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_word(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[offset..]
        .char_indices()
        .find(|&(_, c)| !is_word(c))
        .map_or(text.len(), |(i, _)| offset + i);
    if start >= end {
        return None;
    }
    let word = &text[start..end];
    let (head, mut path) = match at(text, start, lang) {
        Cursor::Key { path, .. } => (true, path),
        Cursor::Value { path, .. } => (false, path),
        Cursor::Unknown => return None,
    };
    if !head {
        return None;
    }
    // Only the dotted segments up to the one under the cursor.
    let mut seg_start = start;
    for part in word.split('.') {
        let seg_end = seg_start + part.len();
        path.push(part.trim_matches('"').to_string());
        if offset <= seg_end {
            return Some((path, seg_start..seg_end));
        }
        seg_start = seg_end + 1;
    }
    None
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn word_char(c: char, lang: Lang) -> bool {
    match lang {
        Lang::Nix => c.is_alphanumeric() || matches!(c, '_' | '-' | '\'' | '.'),
        Lang::Json => c.is_alphanumeric() || matches!(c, '_' | '-' | '$'),
    }
}

fn trailing_word(text: &str, lang: Lang) -> &str {
    let start = text
        .char_indices()
        .rev()
        .find(|&(_, c)| !word_char(c, lang))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &text[start..]
}

struct Scan {
    frames: Vec<Frame>,
    lang: Lang,
    /// The text of a string the cursor is inside, so far.
    open_string: Option<String>,
}

impl Scan {
    fn top(&mut self) -> &mut Frame {
        if self.frames.is_empty() {
            self.frames.push(Frame::new(None, false));
        }
        self.frames.last_mut().expect("just ensured")
    }

    fn run(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            match c {
                b'#' if self.lang == Lang::Nix => {
                    i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                    continue;
                }
                b'/' if self.lang == Lang::Nix && bytes.get(i + 1) == Some(&b'*') => {
                    i = text[i + 2..]
                        .find("*/")
                        .map_or(bytes.len(), |n| i + 2 + n + 2);
                    continue;
                }
                b'"' => {
                    let (end, body) = string_end(text, i + 1, b'"');
                    match end {
                        Some(end) => {
                            self.word(body);
                            i = end;
                        }
                        None => {
                            self.open_string = Some(body.to_string());
                            return;
                        }
                    }
                    continue;
                }
                b'\'' if self.lang == Lang::Nix && bytes.get(i + 1) == Some(&b'\'') => {
                    match text[i + 2..].find("''") {
                        Some(n) => i = i + 2 + n + 2,
                        None => {
                            self.open_string = Some(String::new());
                            return;
                        }
                    }
                    self.value_token();
                    continue;
                }
                b'{' => {
                    let frame = self.top();
                    let path = if frame.list {
                        frame.path.clone()
                    } else if frame.in_value {
                        frame.value_path()
                    } else if frame.key.is_empty() {
                        // A function's argument pattern, or a set at the top: same place.
                        frame.path.clone()
                    } else {
                        None
                    };
                    self.frames.push(Frame::new(path, false));
                }
                b'[' => {
                    let frame = self.top();
                    let path = if frame.list {
                        frame.path.clone()
                    } else if frame.in_value {
                        frame.value_path()
                    } else {
                        None
                    }
                    .map(|mut p| {
                        p.push("[]".into());
                        p
                    });
                    self.frames.push(Frame::new(path, true));
                }
                b'(' => self.frames.push(Frame::new(None, false)),
                b'}' | b']' | b')' => {
                    if self.frames.len() > 1 {
                        self.frames.pop();
                    }
                    self.value_token();
                }
                b'=' if self.lang == Lang::Nix => {
                    if bytes.get(i + 1) == Some(&b'=') {
                        i += 2;
                        continue;
                    }
                    self.top().in_value = true;
                }
                b':' if self.lang == Lang::Json => self.top().in_value = true,
                b':' if self.lang == Lang::Nix => {
                    // `{ lib, ... }: { ... }` — what follows is the module's set.
                    let frame = self.top();
                    frame.key.clear();
                    frame.in_value = false;
                }
                b';' if self.lang == Lang::Nix => self.end_binding(),
                b',' if self.lang == Lang::Json => self.end_binding(),
                _ if (c as char).is_ascii_alphabetic() || c == b'_' => {
                    let end = text[i..]
                        .char_indices()
                        .find(|&(_, ch)| !(ch.is_alphanumeric() || matches!(ch, '_' | '-' | '\'')))
                        .map_or(bytes.len(), |(n, _)| i + n);
                    let word = &text[i..end];
                    self.ident(word);
                    i = end;
                    continue;
                }
                b'.' => {}
                _ => {}
            }
            i += 1;
        }
    }

    fn end_binding(&mut self) {
        let frame = self.top();
        frame.key.clear();
        frame.in_value = false;
    }

    fn value_token(&mut self) {}

    fn ident(&mut self, word: &str) {
        if self.lang == Lang::Json {
            return;
        }
        {
            match word {
                "let" => {
                    self.frames.push(Frame::new(None, false));
                    return;
                }
                "in" => {
                    if self.frames.len() > 1 {
                        self.frames.pop();
                    }
                    return;
                }
                "inherit" => {
                    self.top().in_value = true;
                    return;
                }
                _ => {}
            }
        }
        self.word(word);
    }

    /// A key segment (identifier or string) where a key is expected; ignored in a value.
    fn word(&mut self, word: &str) {
        let lang = self.lang;
        let frame = self.top();
        if !frame.in_value && !frame.list {
            if lang == Lang::Json {
                frame.key = vec![word.to_string()];
            } else {
                frame.key.push(word.to_string());
            }
        }
    }
}

/// The end (just after the closing quote) of a string whose body starts at `start`, and the
/// body; `None` for a string that is still open.
fn string_end(text: &str, start: usize, quote: u8) -> (Option<usize>, &str) {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return (Some(i + 1), &text[start..i]),
            _ => i += 1,
        }
    }
    (None, &text[start.min(text.len())..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(path: &[&str], prefix: &str) -> Cursor {
        Cursor::Key {
            path: path.iter().map(|s| s.to_string()).collect(),
            prefix: prefix.into(),
        }
    }

    fn value(path: &[&str], prefix: &str) -> Cursor {
        Cursor::Value {
            path: path.iter().map(|s| s.to_string()).collect(),
            prefix: prefix.into(),
        }
    }

    fn nix(text: &str) -> Cursor {
        let at_ = text.find('|').unwrap();
        at(&text.replace('|', ""), at_, Lang::Nix)
    }

    fn json(text: &str) -> Cursor {
        let at_ = text.find('|').unwrap();
        at(&text.replace('|', ""), at_, Lang::Json)
    }

    #[test]
    fn nix_keys_at_any_depth() {
        assert_eq!(nix("{ na| }"), key(&[], "na"));
        assert_eq!(nix("{ build.| }"), key(&["build"], ""));
        assert_eq!(nix("{ build = { pi| }; }"), key(&["build"], "pi"));
        assert_eq!(
            nix("{ name = \"x\"; run.user = { mo| }"),
            key(&["run", "user"], "mo")
        );
        assert_eq!(
            nix("{ lib, ... }: { build.steps = [ { ru| } ]; }"),
            key(&["build", "steps", "[]"], "ru")
        );
        assert_eq!(nix("{ build = lib.mkForce { a| }; }"), key(&["build"], "a"));
        assert_eq!(nix("# { x = {\n{ /* { */ b| }"), key(&[], "b"));
        assert_eq!(nix("let x = { a| }; in {}"), Cursor::Unknown);
    }

    #[test]
    fn nix_values() {
        assert_eq!(
            nix("{ run.user.mode = \"ho|"),
            value(&["run", "user", "mode"], "ho")
        );
        assert_eq!(nix("{ platform = |"), value(&["platform"], ""));
        assert_eq!(
            nix("{ build.apt = [ \"a\" | ]; }"),
            value(&["build", "apt", "[]"], "")
        );
    }

    #[test]
    fn json_keys_and_values() {
        assert_eq!(json("{ \"bu|"), key(&[], "bu"));
        assert_eq!(
            json("{ \"build\": { \"pip\": {}, \"a|"),
            key(&["build"], "a")
        );
        assert_eq!(
            json("{ \"run\": { \"user\": { \"mode\": \"h|"),
            value(&["run", "user", "mode"], "h")
        );
        assert_eq!(
            json("{ \"build\": { \"steps\": [ { \"r|"),
            key(&["build", "steps", "[]"], "r")
        );
    }

    #[test]
    fn key_under_the_cursor() {
        let text = "{ build.apt = [ ]; run = { user.mode = \"host\"; }; }";
        let at_ = text.find("apt").unwrap() + 1;
        let (path, range) = key_at(text, at_, Lang::Nix).unwrap();
        assert_eq!(path, ["build", "apt"]);
        assert_eq!(&text[range], "apt");
        let at_ = text.find("mode").unwrap();
        assert_eq!(
            key_at(text, at_, Lang::Nix).unwrap().0,
            ["run", "user", "mode"]
        );
        let text = "{ \"build\": { \"apt\": [] } }";
        let at_ = text.find("apt").unwrap();
        assert_eq!(key_at(text, at_, Lang::Json).unwrap().0, ["build", "apt"]);
    }
}
