//! Dockerfile text: the words, flag values, JSON arrays and comments of the emitted
//! Dockerfile, and the patterns of its `.dockerignore`.
//!
//! What BuildKit does with each part decides its escaping:
//!
//! - every instruction is one line (a trailing `\` joins the next one), and no escape makes
//!   a newline inside a word, so no value may hold a line break or another control
//!   character;
//! - `ENV`, `LABEL` and `WORKDIR` expand `$VAR` and remove quotes: their words are
//!   double-quoted with `\`, `"` and `$` escaped;
//! - `COPY` and `ADD` expand variables and remove quotes *even in JSON form*
//!   (`COPY ["it's", "/x"]` fails looking for the closing quote): their JSON strings carry a
//!   backslash before `\`, `$`, `'` and `"`;
//! - `RUN`, `CMD` and `ENTRYPOINT` in JSON (exec) form take each string as it is;
//! - flag values (`--chown=`, `--mount=` fields) lose quotes and backslashes to the flag
//!   reader, are split at commas and then expanded, differently across BuildKit versions:
//!   only characters none of those steps changes are accepted.

use super::{Unrepresentable, shown};

const FORMAT: &str = "a Dockerfile";

/// A `#` comment's text, kept on its line: control characters are written as escapes.
pub fn comment(text: &str) -> String {
    shown(text)
}

fn refuse_controls(field: &str, text: &str) -> Result<(), Unrepresentable> {
    if text.chars().any(char::is_control) {
        return Err(Unrepresentable::new(
            FORMAT,
            field,
            text,
            "a Dockerfile instruction is one line and cannot hold a newline or other control character",
        ));
    }
    Ok(())
}

/// A double-quoted word of an instruction that expands variables (`ENV`/`LABEL` keys and
/// values, `WORKDIR`).
pub fn quoted(field: &str, text: &str) -> Result<String, Unrepresentable> {
    refuse_controls(field, text)?;
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

/// A word of an instruction that expands variables: as it is when it holds only
/// characters no step of BuildKit's reading changes, else [`quoted`].
pub fn word(field: &str, text: &str) -> Result<String, Unrepresentable> {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._+@:-".contains(c));
    if plain {
        return Ok(text.to_owned());
    }
    quoted(field, text)
}

/// A JSON array whose strings reach the process as they are (`RUN`, `CMD`, `ENTRYPOINT`).
pub fn exec_form<S: AsRef<str>>(field: &str, items: &[S]) -> Result<String, Unrepresentable> {
    let strings: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    if let Some(bad) = strings.iter().find(|s| s.contains('\0')) {
        return Err(Unrepresentable::new(
            FORMAT,
            field,
            bad,
            "a command argument cannot hold a NUL byte",
        ));
    }
    Ok(serde_json::to_string(&strings).expect("a list of strings serializes"))
}

/// A JSON array of `COPY`/`ADD` sources and destination, escaped for BuildKit's variable
/// expansion and quote removal.
pub fn expanded_form<S: AsRef<str>>(field: &str, items: &[S]) -> Result<String, Unrepresentable> {
    let mut escaped = Vec::with_capacity(items.len());
    for item in items {
        let item = item.as_ref();
        refuse_controls(field, item)?;
        let mut out = String::with_capacity(item.len());
        for c in item.chars() {
            if matches!(c, '\\' | '$' | '\'' | '"') {
                out.push('\\');
            }
            out.push(c);
        }
        escaped.push(out);
    }
    Ok(serde_json::to_string(&escaped).expect("a list of strings serializes"))
}

/// Characters that survive flag reading, comma splitting and expansion unchanged.
fn flag_safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._-:/+@~".contains(c)
}

/// The value of a flag (`--chown=VALUE`) or of a `--mount=` field (`target=VALUE`).
pub fn flag_value(field: &str, text: &str) -> Result<String, Unrepresentable> {
    if text.is_empty() || !text.chars().all(flag_safe) {
        return Err(Unrepresentable::new(
            FORMAT,
            field,
            text,
            "a flag value may hold only letters, digits and `._-:/+@~`",
        ));
    }
    Ok(text.to_owned())
}

/// An image reference after `FROM`.
pub fn reference(field: &str, text: &str) -> Result<String, Unrepresentable> {
    let valid = !text.is_empty()
        && !text.starts_with('-')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-:/@".contains(c));
    if !valid {
        return Err(Unrepresentable::new(
            FORMAT,
            field,
            text,
            "an image reference holds only letters, digits and `._-:/@`",
        ));
    }
    Ok(text.to_owned())
}

/// A variable name after `ENV`.
pub fn env_name(field: &str, text: &str) -> Result<String, Unrepresentable> {
    let valid = !text.is_empty()
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if !valid {
        return Err(Unrepresentable::new(
            FORMAT,
            field,
            text,
            "a variable name holds only letters, digits and `_.-` and does not start with a digit",
        ));
    }
    Ok(text.to_owned())
}

/// A `.dockerignore` pattern that matches exactly the project path `path` (glob characters
/// escaped). The reader trims white space around a pattern and reads one per line.
pub fn ignore_pattern(field: &str, path: &str) -> Result<String, Unrepresentable> {
    refuse_controls(field, path)?;
    if path.trim() != path || path.is_empty() {
        return Err(Unrepresentable::new(
            "a .dockerignore file",
            field,
            path,
            "the reader trims white space around a pattern",
        ));
    }
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '\\' | '*' | '?' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

/// One line of a plain list file (`context.txt`).
pub fn list_line(field: &str, text: &str) -> Result<String, Unrepresentable> {
    if text.chars().any(char::is_control) {
        return Err(Unrepresentable::new(
            "a list file (one entry a line)",
            field,
            text,
            "an entry cannot hold a newline or other control character",
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_escape_expansion_and_refuse_line_breaks() {
        assert_eq!(
            quoted("v", r#"$PATH "x" \"#).unwrap(),
            r#""\$PATH \"x\" \\""#
        );
        assert!(quoted("v", "a\nRUN id").is_err());
        assert_eq!(
            expanded_form("p", &["it's $x", "/t"]).unwrap(),
            r#"["it\\'s \\$x","/t"]"#
        );
        assert_eq!(exec_form("c", &["a\nb"]).unwrap(), r#"["a\nb"]"#);
        assert!(exec_form("c", &["a\0"]).is_err());
        assert!(flag_value("o", "root:root").is_ok());
        assert!(flag_value("o", "root\nRUN id").is_err());
        assert!(flag_value("t", "/x,source=/").is_err());
        assert!(reference("r", "debian:bookworm@sha256:ab").is_ok());
        assert!(reference("r", "debian AS x").is_err());
        assert_eq!(ignore_pattern("p", "a*[b]").unwrap(), r"a\*\[b\]");
        assert!(ignore_pattern("p", " a").is_err());
        assert_eq!(comment("a\nRUN id"), r"a\nRUN id");
    }
}
