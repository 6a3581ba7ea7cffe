//! Dockerfile word processing as BuildKit's shell lexer does it for `FROM`, `ENV`, `LABEL`,
//! `WORKDIR`, `EXPOSE`, `USER` and `ARG`: quotes removed, the escape token honoured, and
//! `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`
//! expanded from the variables the Dockerfile itself defines (`ARG`, `ENV`). A reference
//! to a variable the Dockerfile does not define (the base image's `PATH`, a build
//! argument given on the command line) is reported, never silently made empty.

use std::collections::BTreeMap;

/// The expanded text, or why it cannot be known from the Dockerfile alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expanded {
    Known(String),
    /// Refers to these variables, which the Dockerfile does not set.
    Unknown(Vec<String>),
    Invalid(String),
}

/// Process one word (quotes, escapes, variables).
pub fn process(src: &str, vars: &BTreeMap<String, String>, escape: char) -> Expanded {
    let chars: Vec<char> = src.chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        pos: 0,
        vars,
        escape,
        unknown: Vec::new(),
    };
    match lexer.run(None) {
        Ok(text) if lexer.unknown.is_empty() => Expanded::Known(text),
        Ok(_) => {
            let mut unknown = lexer.unknown;
            unknown.dedup();
            Expanded::Unknown(unknown)
        }
        Err(e) => Expanded::Invalid(e),
    }
}

struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
    vars: &'a BTreeMap<String, String>,
    escape: char,
    unknown: Vec<String>,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.pos += 1;
        c
    }

    fn run(&mut self, stop: Option<char>) -> Result<String, String> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.next();
                return Ok(out);
            }
            match c {
                '$' => out.push_str(&self.dollar()?),
                '\'' => {
                    self.next();
                    loop {
                        match self.next() {
                            None => return Err("unterminated single quote".into()),
                            Some('\'') => break,
                            Some(c) => out.push(c),
                        }
                    }
                }
                '"' => {
                    self.next();
                    loop {
                        match self.peek() {
                            None => return Err("unterminated double quote".into()),
                            Some('"') => {
                                self.next();
                                break;
                            }
                            Some('$') => out.push_str(&self.dollar()?),
                            Some(c) => {
                                self.next();
                                if c == self.escape {
                                    match self.peek() {
                                        None => continue,
                                        Some(n) if n == '"' || n == '$' || n == self.escape => {
                                            self.next();
                                            out.push(n);
                                            continue;
                                        }
                                        Some(_) => {}
                                    }
                                }
                                out.push(c);
                            }
                        }
                    }
                }
                c if c == self.escape => {
                    self.next();
                    match self.next() {
                        None => break,
                        Some(n) => out.push(n),
                    }
                }
                c => {
                    self.next();
                    out.push(c);
                }
            }
        }
        if let Some(stop) = stop {
            return Err(format!("missing `{stop}`"));
        }
        Ok(out)
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                while let Some(c) = self.peek().filter(char::is_ascii_digit) {
                    self.next();
                    name.push(c);
                }
                return name;
            }
            Some(c @ ('@' | '*' | '#' | '?' | '-' | '$' | '!')) => {
                self.next();
                return c.to_string();
            }
            _ => {}
        }
        while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_') {
            self.next();
            name.push(c);
        }
        name
    }

    fn lookup(&mut self, name: &str) -> Option<String> {
        let found = self.vars.get(name).cloned();
        if found.is_none() {
            self.unknown.push(name.to_owned());
        }
        found
    }

    fn dollar(&mut self) -> Result<String, String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(self.lookup(&name).unwrap_or_default());
        }
        self.next();
        if matches!(self.peek(), None | Some('{' | '}' | ':')) {
            return Err("bad substitution".into());
        }
        let name = self.name();
        let op = match self.next() {
            Some('}') => return Ok(self.lookup(&name).unwrap_or_default()),
            Some(':') => match self.next() {
                Some(c @ ('-' | '+' | '?')) => format!(":{c}"),
                _ => return Err(format!("unsupported modifier in `${{{name}:`")),
            },
            Some(c @ ('-' | '+' | '?')) => c.to_string(),
            Some(c) => return Err(format!("unsupported modifier `{c}` in `${{{name}`")),
            None => return Err("missing `}`".into()),
        };
        let word = self.run(Some('}'))?;
        let value = self.vars.get(&name).cloned();
        let empty_is_unset = op.starts_with(':');
        let set = match &value {
            Some(v) => !(empty_is_unset && v.is_empty()),
            None => false,
        };
        Ok(match op.trim_start_matches(':') {
            "-" => {
                if set {
                    value.unwrap_or_default()
                } else {
                    word
                }
            }
            "+" => {
                if set {
                    word
                } else {
                    String::new()
                }
            }
            _ => {
                if set {
                    value.unwrap_or_default()
                } else {
                    return Err(format!("`{name}` is not set: {word}"));
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_escapes_and_variables() {
        let vars: BTreeMap<String, String> = [("V".to_string(), "3.12".to_string())].into();
        let p = |s: &str| process(s, &vars, '\\');
        assert_eq!(p("\"two words\""), Expanded::Known("two words".into()));
        assert_eq!(p("a\\ b"), Expanded::Known("a b".into()));
        assert_eq!(p("'$V'"), Expanded::Known("$V".into()));
        assert_eq!(
            p("python:${V}-slim"),
            Expanded::Known("python:3.12-slim".into())
        );
        assert_eq!(p("${X:-dflt}"), Expanded::Known("dflt".into()));
        assert_eq!(p("${V:+set}"), Expanded::Known("set".into()));
        assert_eq!(p("/opt/bin:$PATH"), Expanded::Unknown(vec!["PATH".into()]));
        assert!(matches!(p("${"), Expanded::Invalid(_)));
        assert!(matches!(p("\"open"), Expanded::Invalid(_)));
    }
}
