//! POSIX shell quoting for the commands emitters write into `RUN` lines and `%post`.

/// `text` as one single-quoted shell word (`'` written as `'\''`).
pub fn quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"%+,-./:=@_".contains(&b))
    {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Words quoted and joined with spaces.
pub fn join<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| quote(w.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A `printf` command that prints `text` exactly, written on one line: newlines become `\n`
/// in the format string. For formats whose sections are line-based (Apptainer's `%post`),
/// where a raw newline in a quoted string could start a new section.
pub fn printf_exact(text: &str) -> String {
    let mut format = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => format.push_str("\\\\"),
            '%' => format.push_str("%%"),
            '\n' => format.push_str("\\n"),
            c => format.push(c),
        }
    }
    format!("printf {}", quote_always(&format))
}

fn quote_always(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(quote("curl=7.88.1-10"), "curl=7.88.1-10");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's $HOME"), r"'it'\''s $HOME'");
    }

    #[test]
    fn printf_exact_keeps_one_line() {
        assert_eq!(printf_exact("a\n50% \\"), r"printf 'a\n50%% \\'");
    }
}
