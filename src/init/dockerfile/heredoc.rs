//! Heredocs on `RUN`, `COPY` and `ADD` lines (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`), found
//! the way BuildKit's `heredocsFromLine` finds them: the line's shell words, each matched
//! against `^(\d*)<<(-?)\s*([^<]*)$`, the terminator unquoted to know whether the body
//! expands.

use super::parse::{Heredoc, is_re_space};

/// The heredocs a `RUN`/`COPY`/`ADD` line opens, in order (BuildKit's `heredocsFromLine`).
pub(super) fn heredocs_from_line(line: &str) -> Result<Vec<Heredoc>, String> {
    // Lexing errors (an unterminated quote) mean "no heredocs", as in BuildKit.
    let Ok(ws) = shell_words(line, true, true) else {
        return Ok(Vec::new());
    };
    let mut docs = Vec::new();
    for word in ws {
        if let Some(doc) = heredoc_word(&word)? {
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// `^(\d*)<<(-?)\s*([^<]*)$` on one word, then the terminator unquoted.
fn heredoc_word(word: &str) -> Result<Option<Heredoc>, String> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let Some(after) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, after) = match after.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, after),
    };
    let rest = after.trim_start_matches(is_re_space);
    if rest.is_empty() || rest.contains('<') {
        return Ok(None);
    }
    let fd = word[..digits].parse::<u32>().unwrap_or(0);
    let plain = shell_words(rest, false, false)?;
    let [name] = plain.as_slice() else {
        return Ok(None);
    };
    let raw = shell_words(rest, true, false)?;
    if raw.len() != plain.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let quotes = |s: &str| s.matches(['\'', '"']).count();
    Ok(Some(Heredoc {
        name: name.clone(),
        fd,
        expand: quotes(name) == quotes(&raw[0]),
        chomp,
        content: String::new(),
    }))
}

/// BuildKit's shell lexer reduced to what heredoc detection needs: words split on unquoted
/// whitespace, quotes and `\` escapes processed (or kept with `raw_quotes`/`raw_escapes`),
/// `$` expansions kept as written (no variable is set), `<<` joined to the blanks after it.
pub(super) fn shell_words(
    src: &str,
    raw_quotes: bool,
    raw_escapes: bool,
) -> Result<Vec<String>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut i = 0;
    let flush = |word: &mut String, in_word: &mut bool, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
        *in_word = false;
    };
    while i < chars.len() {
        let ch = chars[i];
        match ch {
            '$' => {
                let (text, next) = dollar(&chars, i)?;
                i = next;
                for c in text.chars() {
                    if c.is_whitespace() {
                        if in_word {
                            flush(&mut word, &mut in_word, &mut words);
                        }
                    } else {
                        word.push(c);
                        in_word = true;
                    }
                }
            }
            '<' => {
                i += 1;
                if chars.get(i) == Some(&'<') {
                    i += 1;
                    word.push_str("<<");
                    while i < chars.len() && is_re_space(chars[i]) {
                        word.push(chars[i]);
                        i += 1;
                    }
                } else {
                    word.push('<');
                }
                in_word = true;
            }
            '\'' => {
                i += 1;
                if raw_quotes {
                    word.push('\'');
                }
                loop {
                    match chars.get(i) {
                        None => {
                            return Err("unexpected end of statement while looking for matching single-quote".into());
                        }
                        Some('\'') => {
                            i += 1;
                            if raw_quotes {
                                word.push('\'');
                            }
                            break;
                        }
                        Some(&c) => {
                            word.push(c);
                            i += 1;
                        }
                    }
                }
                in_word = true;
            }
            '"' => {
                i += 1;
                if raw_quotes {
                    word.push('"');
                }
                loop {
                    match chars.get(i) {
                        None => {
                            return Err("unexpected end of statement while looking for matching double-quote".into());
                        }
                        Some('"') => {
                            i += 1;
                            if raw_quotes {
                                word.push('"');
                            }
                            break;
                        }
                        Some('$') => {
                            let (text, next) = dollar(&chars, i)?;
                            word.push_str(&text);
                            i = next;
                        }
                        Some('\\') => {
                            i += 1;
                            if raw_escapes {
                                word.push('\\');
                            }
                            match chars.get(i) {
                                None => {}
                                Some(&c @ ('"' | '$' | '\\')) => {
                                    word.push(c);
                                    i += 1;
                                }
                                Some(_) if raw_escapes => {}
                                Some(_) => word.push('\\'),
                            }
                        }
                        Some(&c) => {
                            word.push(c);
                            i += 1;
                        }
                    }
                }
                in_word = true;
            }
            '\\' => {
                i += 1;
                if raw_escapes {
                    word.push('\\');
                }
                match chars.get(i) {
                    None => break,
                    Some(&c) => {
                        word.push(c);
                        in_word = true;
                        i += 1;
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    flush(&mut word, &mut in_word, &mut words);
                }
                i += 1;
            }
            c => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    Ok(words)
}

/// A `$` expansion of an unset variable, kept as written: `$NAME`, `$1`, `$@`, `${...}`.
fn dollar(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let mut i = start + 1;
    if chars.get(i) != Some(&'{') {
        let begin = i;
        match chars.get(i) {
            Some(c) if c.is_ascii_digit() => {
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
            }
            Some('@' | '*' | '#' | '?' | '-' | '$' | '!') => i += 1,
            _ => {
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_')
                {
                    i += 1;
                }
            }
        }
        let name: String = chars[begin..i].iter().collect();
        return Ok((format!("${name}"), i));
    }
    i += 1;
    match chars.get(i) {
        None => return Err("syntax error: missing '}'".into()),
        Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
        _ => {}
    }
    let mut depth = 1;
    let begin = start;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((chars[begin..i].iter().collect(), i));
                }
            }
            _ => {}
        }
    }
    Err("syntax error: missing '}'".into())
}
