//! POSIX extended regular expressions (what Nix's `match` and `split` use, through
//! C++'s `std::regex::extended`) translated to the `regex` crate's syntax.
//!
//! Handled: bracket expressions with POSIX classes (`[[:alpha:]]`), a literal `]` first
//! in a bracket, backslash as a literal inside brackets (POSIX) and as an escape outside,
//! `.` matching newlines, and characters that are special to the `regex` crate but not to
//! POSIX inside brackets (`&&`, `--`, `~~`, nested `[`).
//!
//! POSIX picks the leftmost-*longest* match, the `regex` crate the leftmost-*first* (by
//! alternative order). Match extents follow POSIX: a lazy DFA in "all matches" mode finds
//! the longest match at the leftmost position. Known difference: *within* a match,
//! capture groups of ambiguous patterns (`(a|ab)(c|bcd)`) are filled leftmost-first, where
//! POSIX would prefer the longest earlier group. Back-references are not supported.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use regex::Regex;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::{Anchored, Input, MatchKind};

/// A compiled POSIX expression: the `regex` crate for finding and capturing, plus a lazy
/// DFA in "all matches" mode to find the longest match at a position (POSIX semantics).
pub struct PosixRegex {
    /// Unanchored (for `split`) or anchored to the whole string (for `match`).
    pub regex: Regex,
    /// `^(?:re)$`, to fill capture groups of a match already known to span a range.
    whole: Regex,
    longest: Option<(DFA, RefCell<Cache>)>,
}

/// One match: its byte range and its capture groups (`None` for groups that did not
/// take part).
pub struct PosixMatch {
    pub start: usize,
    pub end: usize,
    pub groups: Vec<Option<(usize, usize)>>,
}

impl PosixRegex {
    /// The leftmost-longest match starting at or after `from`.
    pub fn find_at(&self, hay: &str, from: usize) -> Option<PosixMatch> {
        let first = self.regex.find_at(hay, from)?;
        let start = first.start();
        let mut end = first.end();
        if let Some((dfa, cache)) = &self.longest {
            let input = Input::new(hay).range(start..).anchored(Anchored::Yes);
            if let Ok(Some(m)) = dfa.try_search_fwd(&mut cache.borrow_mut(), &input)
                && m.offset() > end
            {
                end = m.offset();
            }
        }
        // Capture groups of exactly that span; fall back to the leftmost-first ones if
        // the expression needs context outside the span (anchors, word boundaries).
        let groups = match self.whole.captures(&hay[start..end]) {
            Some(c) if end != first.end() => (1..c.len())
                .map(|i| c.get(i).map(|m| (start + m.start(), start + m.end())))
                .collect(),
            _ => {
                let c = self.regex.captures_at(hay, start)?;
                (1..c.len())
                    .map(|i| c.get(i).map(|m| (m.start(), m.end())))
                    .collect()
            }
        };
        Some(PosixMatch { start, end, groups })
    }
}

thread_local! {
    /// Compiled expressions by (pattern, anchored): configurations call `match` in loops.
    static CACHE: RefCell<HashMap<(String, bool), Rc<PosixRegex>>> = RefCell::new(HashMap::new());
}

/// Compile a POSIX ERE; `anchored` makes it match the whole string (`builtins.match`).
pub fn compile_posix(pattern: &str, anchored: bool) -> Result<Rc<PosixRegex>, String> {
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
    let regex = Regex::new(&full).map_err(|e| e.to_string())?;
    let whole = Regex::new(&format!("(?s)^(?:{translated})$")).map_err(|e| e.to_string())?;
    let longest = DFA::builder()
        .configure(DFA::config().match_kind(MatchKind::All))
        .build(&full)
        .ok()
        .map(|dfa| {
            let cache = RefCell::new(dfa.create_cache());
            (dfa, cache)
        });
    let re = Rc::new(PosixRegex {
        regex,
        whole,
        longest,
    });
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
        r.find_at(s, 0).map(|m| {
            m.groups
                .iter()
                .map(|g| g.map(|(a, b)| s[a..b].to_string()))
                .collect()
        })
    }

    #[test]
    fn matches_are_leftmost_longest() {
        let r = compile_posix("(a|ab)", false).unwrap();
        let m = r.find_at("xabx", 0).unwrap();
        assert_eq!((m.start, m.end), (1, 3));
        assert_eq!(m.groups, vec![Some((1, 3))]);
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
