//! The argument forms of Dockerfile instructions, as BuildKit's `line_parsers.go` reads
//! them: builder flags, shell words (quotes kept), `KEY=value` pairs, whitespace lists, JSON
//! arrays and `HEALTHCHECK`'s type word. Byte-wise where BuildKit is byte-wise.

use serde_json::Value;

use super::parse::byte_is_space;

/// `extractBuilderFlags`: leading `--name=value` words (quotes and escapes processed),
/// until a word that does not start with `--` or a bare `--`. Byte-wise, as BuildKit is.
pub(super) fn extract_flags(line: &[u8], escape: u8) -> (String, Vec<String>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = 0u8;
    let mut blank_ok = false;
    let rest = |pos: usize| String::from_utf8_lossy(&line[pos..]).into_owned();
    let mut pos = 0;
    while pos <= line.len() {
        let ch = line.get(pos).copied().unwrap_or(0);
        if phase == Phase::Spaces {
            if pos == line.len() {
                break;
            }
            if byte_is_space(ch) {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 == line.len() || line[pos + 1] != b'-' {
                return (rest(pos), words);
            }
            phase = Phase::Word;
        }
        if pos == line.len() {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if byte_is_space(ch) {
                phase = Phase::Spaces;
                if word == "--" {
                    return (rest(pos), words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            let mut c = ch;
            if c == escape {
                if pos + 1 == line.len() {
                    pos += 1;
                    continue;
                }
                pos += 1;
                c = line[pos];
            }
            word.push(c as char);
            pos += 1;
            continue;
        }
        // In a quote.
        if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        let mut c = ch;
        if c == escape {
            if pos + 1 == line.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            c = line[pos];
        }
        word.push(c as char);
        pos += 1;
    }
    (String::new(), words)
}

/// `parseWords`: words separated by whitespace, quotes and escapes kept (processed later).
pub(super) fn words(rest: &str, escape: u8) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let escape = escape as char;
    let chars: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut word = String::new();
    let mut pos = 0;
    while pos <= chars.len() {
        let ch = chars.get(pos).copied().unwrap_or('\0');
        if phase == Phase::Spaces {
            if pos == chars.len() {
                break;
            }
            if ch.is_whitespace() {
                pos += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if pos == chars.len() {
            if blank_ok || !word.is_empty() {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            let mut c = ch;
            if c == escape {
                if pos + 1 == chars.len() {
                    pos += 1;
                    continue;
                }
                word.push(c);
                pos += 1;
                c = chars[pos];
            }
            word.push(c);
            pos += 1;
            continue;
        }
        // In a quote.
        if ch == quote {
            phase = Phase::Word;
        }
        let mut c = ch;
        if c == escape && quote != '\'' {
            if pos + 1 == chars.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            word.push(c);
            c = chars[pos];
        }
        word.push(c);
        pos += 1;
    }
    words
}

/// `parseNameVal` for `ENV` and `LABEL`: `KEY=value ...` or the legacy `KEY value`.
pub(super) fn name_val(rest: &str, key: &str, escape: u8) -> Result<Vec<String>, String> {
    let ws = words(rest, escape);
    let Some(first) = ws.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let Some(i) = rest.find([' ', '\t', '\x0b', '\x0c', '\r']) else {
            return Err(format!("{key} must have two arguments"));
        };
        let value = rest[i..].trim_start_matches([' ', '\t', '\x0b', '\x0c', '\r']);
        return Ok(vec![rest[..i].to_owned(), value.to_owned()]);
    }
    let mut out = Vec::new();
    for word in ws {
        let Some((k, v)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {}. Must be of the form: name=value",
                go_quote(&word)
            ));
        };
        out.push(k.to_owned());
        out.push(v.to_owned());
    }
    Ok(out)
}

/// Go's `%q` for a message.
fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// `parseStringsWhitespaceDelimited`.
pub(super) fn whitespace_list(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        return Vec::new();
    }
    rest.split([' ', '\t', '\x0b', '\x0c', '\r'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

enum JsonArgs {
    Array(Vec<String>),
    NotArray,
}

/// `parseJSON`: a JSON array of strings; anything else that is an array is an error.
fn json_args(rest: &str) -> Result<JsonArgs, String> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Ok(JsonArgs::NotArray);
    }
    match serde_json::from_str::<Vec<Value>>(rest) {
        Ok(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(
                    "when using JSON array syntax, arrays must be comprised of strings only"
                        .to_owned(),
                ),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(JsonArgs::Array),
        Err(_) => Ok(JsonArgs::NotArray),
    }
}

pub(super) fn maybe_json(rest: &str) -> Result<(Vec<String>, bool), String> {
    if rest.is_empty() {
        return Ok((Vec::new(), false));
    }
    Ok(match json_args(rest)? {
        JsonArgs::Array(items) => (items, true),
        JsonArgs::NotArray => (vec![rest.to_owned()], false),
    })
}

pub(super) fn maybe_json_to_list(rest: &str) -> Result<(Vec<String>, bool), String> {
    Ok(match json_args(rest)? {
        JsonArgs::Array(items) => (items, true),
        JsonArgs::NotArray => (whitespace_list(rest), false),
    })
}

/// `parseHealthConfig`: the type word (`CMD` or `NONE`), then a command.
pub(super) fn health(rest: &str) -> Result<(Vec<String>, bool), String> {
    let bytes = rest.as_bytes();
    let sep = bytes
        .iter()
        .position(|&b| byte_is_space(b))
        .unwrap_or(bytes.len());
    if sep == 0 {
        return Ok((Vec::new(), false));
    }
    let next = bytes[sep..]
        .iter()
        .position(|&b| !byte_is_space(b))
        .map_or(bytes.len(), |i| sep + i);
    let typ = String::from_utf8_lossy(&bytes[..sep]).into_owned();
    let cmd = String::from_utf8_lossy(&bytes[next..]).into_owned();
    let (mut args, json) = maybe_json(&cmd)?;
    args.insert(0, typ);
    Ok((args, json))
}
