//! POSIX shell words: the one quoting of every string envc puts into a shell command (step
//! scripts, `%post` lines, `--dry-run` output, start-time scripts).

/// `text` as one shell word: as it is when it holds only characters no shell treats
/// specially, else single-quoted (a `'` written as `'\''`). Inside single quotes every byte
/// stands for itself, newlines included.
pub fn quote(text: &str) -> String {
    if is_plain(text) {
        return text.to_owned();
    }
    quote_always(text)
}

/// True when `text` is a non-empty word of characters that need no quoting.
pub fn is_plain(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"%+,-./:=@_".contains(&b))
}

/// `text` single-quoted, even when it needs no quotes.
pub fn quote_always(text: &str) -> String {
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

/// A `printf` command that prints `text` exactly, written on one line of printable ASCII:
/// `\` and `%` are doubled, newline and tab become `\n` and `\t`, and every other control
/// character, and every character in `also`, becomes a `\ooo` octal escape of its bytes.
/// For line-based formats (Apptainer's `%post`), where a raw newline could start a section.
pub fn printf_exact(text: &str, also: &[char]) -> String {
    format!("printf {}", quote_always(&printf_format(text, also)))
}

/// The format string of [`printf_exact`], unquoted. A leading `-` is escaped too, so that
/// no `printf` (bash's takes `-v NAME`) reads the format as an option.
pub fn printf_format(text: &str, also: &[char]) -> String {
    let mut format = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        match c {
            '-' if i == 0 => format.push_str("\\055"),
            '\\' => format.push_str("\\\\"),
            '%' => format.push_str("%%"),
            '\n' => format.push_str("\\n"),
            '\t' => format.push_str("\\t"),
            c if c.is_control() || also.contains(&c) => {
                let mut bytes = [0; 4];
                for b in c.encode_utf8(&mut bytes).bytes() {
                    format.push_str(&format!("\\{b:03o}"));
                }
            }
            c => format.push(c),
        }
    }
    format
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
        assert_eq!(printf_exact("a\n50% \\", &[]), r"printf 'a\n50%% \\'");
        assert_eq!(printf_exact("-v x", &[]), r"printf '\055v x'");
        assert_eq!(
            printf_exact("\u{1b}{x}\r", &['{']),
            r"printf '\033\173x}\015'"
        );
    }

    /// A real shell reads every quoted word back as the original bytes.
    #[test]
    fn a_shell_reads_quoted_words_and_printf_output_back_exactly() {
        let hostile = [
            "plain",
            "",
            "it's",
            "a\nb",
            "$(touch /tmp/x) `id` ${HOME}",
            "\\ \" ' \t;|&<>*?[]#~",
            "trailing newline\n\n",
            "\u{1b}]0;title\u{7}\u{85}\u{2028}é",
            "%s %% \\n",
            "-v x",
        ];
        for text in hostile {
            let script = format!(
                "printf '%s' {}; printf '\\001'; {}",
                quote(text),
                printf_exact(text, &['{', '}'])
            );
            let out = std::process::Command::new("sh")
                .args(["-c", &script])
                .output()
                .unwrap();
            assert!(out.status.success());
            let expected = format!("{text}\u{1}{text}");
            assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{text:?}");
        }
    }
}
