//! Apptainer definition-file text: header values, section lines, `%files` paths, labels
//! and shell words.
//!
//! How Apptainer reads a `.def` decides the rules (its parser, `pkg/build/types/parser`):
//!
//! - any line whose first word starts with `%` opens a section, however it is indented, and
//!   a line starting with `Bootstrap:` opens a new build stage; spython (the ecosystem's
//!   Python reader) ends a section at any line that holds `bootstrap:`;
//! - before parsing, `{{ NAME }}` anywhere outside a comment line is replaced by a build
//!   argument (or fails the build when none is given);
//! - header values end at `#`, continue on the next line after a trailing `\`;
//! - a `%labels` line is trimmed and split at its first space; `%files` lines are split at
//!   white space outside double quotes, which have no escape.
//!
//! So every line envc writes is one line, starts with a word envc chose, and holds no
//! `{{` or `bootstrap:`; shell words that would need any of these are written through
//! `printf` escapes instead, and other strings that cannot be written exactly are refused.

use super::shell;
use super::{Unrepresentable, shown};

const FORMAT: &str = "an Apptainer definition file";

/// Words spython reads as a header anywhere in the first line of a section (and
/// `bootstrap:` in any line); Apptainer reads them only at the start of a line.
const SPYTHON_HEADERS: [&str; 3] = ["bootstrap", "from:", "stage:"];

/// True when `text` holds something Apptainer or spython would read as structure:
/// a template (`{{`) or a stage header (`bootstrap:`, any case).
fn has_structure(text: &str) -> bool {
    text.contains("{{") || text.to_ascii_lowercase().contains("bootstrap:")
}

/// True when a shell word must be written through `printf` escapes: it holds a template
/// or any word spython may read as a header.
fn needs_escapes(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    text.contains("{{") || SPYTHON_HEADERS.iter().any(|w| lower.contains(w))
}

/// `text` with the first letter of every [`SPYTHON_HEADERS`] word replaced by `escape`.
fn break_headers(text: &str, escape: impl Fn(char) -> String) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        if SPYTHON_HEADERS.iter().any(|w| lower[i..].starts_with(w)) {
            out.push_str(&escape(c));
        } else {
            out.push(c);
        }
        i += c.len_utf8();
    }
    out
}

fn refuse(field: &str, text: &str, reason: &'static str) -> Unrepresentable {
    Unrepresentable::new(FORMAT, field, text, reason)
}

fn refuse_structure(field: &str, text: &str) -> Result<(), Unrepresentable> {
    if text.chars().any(char::is_control) {
        return Err(refuse(
            field,
            text,
            "a definition-file line cannot hold a newline or other control character",
        ));
    }
    if has_structure(text) {
        return Err(refuse(
            field,
            text,
            "`{{` (a build-argument template) and `bootstrap:` (a stage header) are read as structure",
        ));
    }
    Ok(())
}

/// A `#` comment's text: control characters escaped, and the words spython reads as
/// headers anywhere in a line (`bootstrap`, `from:`, `stage:`) written with their first
/// letter escaped, so the comment stays a comment for every reader.
pub fn comment(text: &str) -> String {
    break_headers(&shown(text), |c| format!("\\u{{{:x}}}", c as u32))
}

/// One shell word of a section script (`%setup`, `%post`, `%environment`, `%runscript`):
/// quoted as usual when that keeps the line safe, else `"$(printf '…')"` with every
/// control character, `{{` and the words spython reads as headers escaped. A word that ends with a newline and needs the
/// `printf` form is refused: command substitution drops trailing newlines.
pub fn shell_word(field: &str, text: &str) -> Result<String, Unrepresentable> {
    if text.contains('\0') {
        return Err(refuse(field, text, "a shell word cannot hold a NUL byte"));
    }
    let structure = needs_escapes(text);
    if shell::is_plain(text) && !text.starts_with('%') && !structure {
        return Ok(text.to_owned());
    }
    if !text.chars().any(char::is_control) && !structure {
        return Ok(shell::quote_always(text));
    }
    if text.ends_with('\n') {
        return Err(refuse(
            field,
            text,
            "a multi-line word is written through command substitution, which drops a trailing newline",
        ));
    }
    let format = without_structure(&shell::printf_format(text, &[]));
    Ok(format!("\"$(printf {})\"", shell::quote_always(&format)))
}

/// A `printf` format with `{{` and the words spython reads as headers written with octal
/// escapes, which print the same characters. (A format's backslashes all start escapes
/// envc wrote, none of which ends in `{` or a letter of those words, so the replacements
/// never split one.)
fn without_structure(format: &str) -> String {
    let format = format.replace("{{", "\\173\\173");
    break_headers(&format, |c| format!("\\{:03o}", c as u32))
}

/// Words of one command line, each a [`shell_word`].
pub fn shell_line<S: AsRef<str>>(field: &str, words: &[S]) -> Result<String, Unrepresentable> {
    let words: Result<Vec<String>, _> = words
        .iter()
        .map(|w| shell_word(field, w.as_ref()))
        .collect();
    Ok(words?.join(" "))
}

/// A header value (`From:`, `OSVersion:`, `MirrorURL:`, one `Include:` package).
pub fn header_value(field: &str, text: &str) -> Result<String, Unrepresentable> {
    refuse_structure(field, text)?;
    if text.is_empty() || text.contains(char::is_whitespace) || text.contains(['#', '\\']) {
        return Err(refuse(
            field,
            text,
            "a header value is one word without `#` (a comment) or `\\` (a continuation)",
        ));
    }
    Ok(text.to_owned())
}

/// A path of a `%files` line, double-quoted.
pub fn files_path(field: &str, text: &str) -> Result<String, Unrepresentable> {
    refuse_structure(field, text)?;
    if text.is_empty() || text.contains('"') {
        return Err(refuse(
            field,
            text,
            "a `%files` path is double-quoted, and a double quote cannot be escaped there",
        ));
    }
    Ok(format!("\"{text}\""))
}

/// A `%labels` key.
pub fn label_key(field: &str, text: &str) -> Result<String, Unrepresentable> {
    refuse_structure(field, text)?;
    if text.is_empty() || text.contains(char::is_whitespace) || text.starts_with(['#', '%']) {
        return Err(refuse(
            field,
            text,
            "a label key is one word that does not start with `#` or `%`",
        ));
    }
    Ok(text.to_owned())
}

/// A `%labels` value: the rest of the line, which Apptainer trims.
pub fn label_value(field: &str, text: &str) -> Result<String, Unrepresentable> {
    refuse_structure(field, text)?;
    if text.trim() != text {
        return Err(refuse(
            field,
            text,
            "Apptainer trims white space around a label value",
        ));
    }
    Ok(text.to_owned())
}

/// The lines of `%help` text.
pub fn help_lines(field: &str, text: &str) -> Result<Vec<String>, Unrepresentable> {
    text.lines()
        .map(|line| {
            refuse_structure(field, line)?;
            if line.trim_start().starts_with('%') {
                return Err(refuse(
                    field,
                    line,
                    "a line whose first word starts with `%` opens a section",
                ));
            }
            Ok(line.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_never_open_a_section_or_a_template() {
        assert_eq!(shell_word("w", "/bin/sh").unwrap(), "/bin/sh");
        assert_eq!(shell_word("w", "%setup").unwrap(), "'%setup'");
        assert_eq!(shell_word("w", "it's").unwrap(), r"'it'\''s'");
        assert_eq!(
            shell_word("w", "a\n%setup\n{{ X }}").unwrap(),
            r#""$(printf 'a\n%%setup\n\173\173 X }}')""#
        );
        assert_eq!(
            shell_word("w", "Bootstrap: docker").unwrap(),
            r#""$(printf '\102ootstrap: docker')""#
        );
        assert!(shell_word("w", "a\n").is_err());
        assert!(shell_word("w", "a\0").is_err());
    }

    /// A real shell reads every word back as the original text, and no line of it opens a
    /// section, a stage or a template.
    #[test]
    fn shell_words_read_back_exactly() {
        let hostile = [
            "plain",
            "%post",
            "a\n%setup\n    touch /host-pwned",
            "{{ X }} {{{Y}}} ${HOME}",
            "x\nBootstrap: docker\nFrom: evil",
            "tab\there \u{1b}]0;t\u{7} \u{85}%x \u{a0}%y '\"\\",
            "bootStrap:bootstrap:",
        ];
        for text in hostile {
            let word = shell_word("w", text).unwrap();
            for line in word.lines() {
                let first = line.split_whitespace().next().unwrap_or("");
                assert!(!first.starts_with('%'), "{word}");
                assert!(!has_structure(line), "{word}");
            }
            assert_eq!(word.lines().count(), 1, "{word}");
            let out = std::process::Command::new("sh")
                .args(["-c", &format!("printf '%s' {word}")])
                .output()
                .unwrap();
            assert_eq!(String::from_utf8(out.stdout).unwrap(), text, "{word}");
        }
    }

    #[test]
    fn values_that_would_change_the_structure_are_refused() {
        assert!(label_key("k", "a b").is_err());
        assert!(label_key("k", "%post").is_err());
        assert!(label_value("v", "x\n%setup").is_err());
        assert!(label_value("v", " x").is_err());
        assert_eq!(label_value("v", "a b").unwrap(), "a b");
        assert!(files_path("p", "a\"b").is_err());
        assert_eq!(files_path("p", "a b").unwrap(), "\"a b\"");
        assert!(header_value("h", "x # y").is_err());
        assert!(help_lines("h", "ok\n  %setup").is_err());
        assert_eq!(
            comment("x\nBootstrap: y FROM: z"),
            r"x\n\u{42}ootstrap: y \u{46}ROM: z"
        );
    }
}
