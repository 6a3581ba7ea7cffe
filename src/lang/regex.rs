//! POSIX extended regular expressions (what Nix's `match` and `split` use, through
//! C++'s `std::regex::extended`) translated to the `regex` crate's syntax.
//!
//! Handled: bracket expressions with POSIX classes (`[[:alpha:]]`), a literal `]` first
//! in a bracket, backslash as a literal inside brackets (POSIX) and as an escape outside,
//! `.` matching newlines, and characters that are special to the `regex` crate but not to
//! POSIX inside brackets (`&&`, `--`, `~~`, nested `[`).
//!
//! Known difference: POSIX picks the leftmost-*longest* match, the `regex` crate the
//! leftmost-*first* (by alternative order). For `match`, which must cover the whole
//! string, this only changes which alternative fills a capture group in ambiguous
//! patterns; for `split`, an alternation whose earlier branch is a prefix of a later one
//! (`a|ab`) can split differently. Order such alternatives longest first to be portable.
//! Back-references do not exist in POSIX ERE and are refused by the `regex` crate too.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

thread_local! {
    /// Compiled expressions by (pattern, anchored): configurations call `match` in loops.
    static CACHE: RefCell<HashMap<(String, bool), Regex>> = RefCell::new(HashMap::new());
}

/// Compile a POSIX ERE; `anchored` makes it match the whole string (`builtins.match`).
pub fn compile_posix(pattern: &str, anchored: bool) -> Result<Regex, String> {
    let key = (pattern.to_string(), anchored);
    if let Some(re) = CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return Ok(re);
    }
    let translated = translate(pattern)?;
    let full = if anchored {
        format!("(?s)^(?:{translated})$")
    } else {
        format!("(?s){translated}")
    };
    let re = Regex::new(&full).map_err(|e| e.to_string())?;
    CACHE.with(|c| c.borrow_mut().insert(key, re.clone()));
    Ok(re)
}

/// Rewrite POSIX ERE syntax into `regex` crate syntax.
pub fn translate(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Err("trailing backslash".into());
                };
                if next.is_ascii_alphanumeric() {
                    // `\d`-style classes are not POSIX; keep the few that mean the same
                    // thing everywhere, treat other letters as themselves.
                    if matches!(next, 'w' | 'W' | 's' | 'S' | 'd' | 'D' | 'b' | 'B') {
                        out.push('\\');
                        out.push(next);
                    } else if next.is_ascii_digit() {
                        return Err("back-references are not supported".into());
                    } else {
                        out.push(next);
                    }
                } else {
                    out.push_str(&regex::escape(&next.to_string()));
                }
                i += 2;
            }
            '[' => {
                i = bracket(&chars, i, &mut out)?;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Translate the bracket expression starting at `chars[start] == '['`; returns the index
/// after its closing `]`.
fn bracket(chars: &[char], start: usize, out: &mut String) -> Result<usize, String> {
    let mut i = start + 1;
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    // A `]` right after `[` or `[^` is a literal.
    if chars.get(i) == Some(&']') {
        out.push_str("\\]");
        i += 1;
    }
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("unterminated bracket expression".into());
        };
        match c {
            ']' => {
                out.push(']');
                return Ok(i + 1);
            }
            '[' if matches!(chars.get(i + 1), Some(':' | '=' | '.')) => {
                let kind = chars[i + 1];
                // Copy `[:name:]` through to its closing `:]`.
                let mut j = i + 2;
                while j + 1 < chars.len() && !(chars[j] == kind && chars[j + 1] == ']') {
                    j += 1;
                }
                if j + 1 >= chars.len() {
                    return Err("unterminated character class".into());
                }
                let name: String = chars[i + 2..j].iter().collect();
                match kind {
                    ':' => {
                        out.push_str("[:");
                        out.push_str(&name);
                        out.push_str(":]");
                    }
                    // Equivalence classes and collating symbols: the character itself.
                    _ => out.push_str(&regex::escape(&name)),
                }
                i = j + 2;
            }
            '\\' | '[' | '&' | '~' => {
                out.push('\\');
                out.push(c);
                i += 1;
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                out.push_str("\\-");
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(re: &str, s: &str) -> Option<Vec<Option<String>>> {
        let r = compile_posix(re, true).unwrap();
        r.captures(s).map(|c| {
            (1..c.len())
                .map(|i| c.get(i).map(|m| m.as_str().to_string()))
                .collect()
        })
    }

    #[test]
    fn posix_classes_and_brackets() {
        assert!(m("[[:alpha:]]+", "abc").is_some());
        assert!(m("[[:digit:]]+", "abc").is_none());
        assert!(m("[]a]+", "]a]").is_some());
        assert!(m("[\\]+", "\\\\").is_some());
        assert!(m("[^/]*", "a/b").is_none());
        assert!(m("[a&&b]+", "a&b").is_some());
    }

    #[test]
    fn dot_matches_newline_and_match_is_anchored() {
        assert!(m("a.b", "a\nb").is_some());
        assert!(m("b", "abc").is_none());
        assert_eq!(m("(a)(b)?", "a"), Some(vec![Some("a".into()), None]));
    }

    #[test]
    fn escapes() {
        assert!(m("a\\{", "a{").is_some());
        assert!(m("a\\.b", "a.b").is_some());
        assert!(m("a\\.b", "axb").is_none());
        assert!(compile_posix("(a)\\1", true).is_err());
    }
}
