//! A Dockerfile parser that follows BuildKit's own (`frontend/dockerfile/parser`) rule by
//! rule: parser directives (`# escape=`, `# syntax=`, `# check=`) before anything else,
//! comment lines (also inside continuations), the escape token as line continuation (with
//! trailing blanks, and not when escaped), empty continuation lines skipped, builder flags
//! (`--mount=...`) split off the front, the per-instruction argument forms (JSON arrays or
//! shell form, `KEY=value` pairs or the legacy `KEY value`, whitespace-separated lists), and
//! heredocs (`<<EOF`, `<<-EOF`, quoted terminators, several per line) on `RUN`, `COPY` and
//! `ADD`.
//!
//! The result is the raw instruction list (`tests/it/init/dockerfile_oracle.rs` compares it
//! with BuildKit's parser through the PyPI `dockerfile` package); [`super::stages`] gives it
//! meaning (variables, stages).

use super::args::{
    extract_flags, health, maybe_json, maybe_json_to_list, name_val, whitespace_list, words,
};
use super::heredoc::heredocs_from_line;

/// BuildKit's limit on one physical line (Go's `bufio.Scanner` buffer).
const MAX_LINE: usize = 64 * 1024;

/// A heredoc attached to an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The terminator word, unquoted.
    pub name: String,
    /// The file descriptor (`3<<EOF`), 0 when not given.
    pub fd: u32,
    /// The terminator was unquoted, so the content is subject to expansion.
    pub expand: bool,
    /// `<<-`: leading tabs are removed from the content.
    pub chomp: bool,
    /// The content, every line with its newline, up to the terminator line.
    pub content: String,
}

/// One instruction, as BuildKit's parser gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The instruction word as written (`RUN`, `run`, ...).
    pub cmd: String,
    /// For `ONBUILD`: the instruction it wraps.
    pub sub: Option<Box<Instruction>>,
    /// The arguments were a JSON array.
    pub json: bool,
    /// The logical line, continuations joined.
    pub original: String,
    /// First and last physical line, 1-based.
    pub start_line: usize,
    pub end_line: usize,
    /// Builder flags such as `--from=build` or `--mount=type=cache,target=/x`.
    pub flags: Vec<String>,
    /// The arguments; for `ENV` and `LABEL`, key and value alternate.
    pub args: Vec<String>,
    pub heredocs: Vec<Heredoc>,
}

impl Instruction {
    /// The instruction word in lowercase.
    pub fn keyword(&self) -> String {
        self.cmd.to_ascii_lowercase()
    }
}

/// A parse error with its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub message: String,
    /// 1-based; 0 when the error is about the file as a whole.
    pub line: usize,
}

impl ParseError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        ParseError {
            message: message.into(),
            line,
        }
    }
}

/// The parse of a whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub instructions: Vec<Instruction>,
    pub escape: char,
}

struct Directives {
    escape: u8,
    done: bool,
    seen: Vec<String>,
}

impl Directives {
    /// BuildKit's `possibleParserDirective`: directives come first, each once; the first line
    /// that is not one ends them.
    fn check(&mut self, line: &[u8]) -> Result<bool, String> {
        if self.done {
            return Ok(false);
        }
        let Some(rest) = line.strip_prefix(b"#") else {
            self.done = true;
            return Ok(false);
        };
        let rest = String::from_utf8_lossy(rest);
        let rest = rest.trim_start();
        // `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
        let name_len = rest
            .char_indices()
            .take_while(|(i, c)| {
                if *i == 0 {
                    c.is_ascii_alphabetic()
                } else {
                    c.is_ascii_alphanumeric()
                }
            })
            .count();
        let (name, after) = rest.split_at(name_len);
        let after = after.trim_start_matches(is_re_space);
        let value = after.strip_prefix('=').map(|v| {
            v.trim_start_matches(is_re_space)
                .trim_end_matches(is_re_space)
        });
        let (Some(value), false) = (value, name.is_empty()) else {
            self.done = true;
            return Ok(false);
        };
        if value.is_empty() {
            self.done = true;
            return Ok(false);
        }
        let key = name.to_ascii_lowercase();
        if !matches!(key.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(false);
        }
        if self.seen.contains(&key) {
            return Err(format!("only one {key} parser directive can be used"));
        }
        self.seen.push(key.clone());
        if key == "escape" {
            match value {
                "`" => self.escape = b'`',
                "\\" => self.escape = b'\\',
                other => {
                    return Err(format!(
                        "invalid escape token '{other}' does not match ` or \\"
                    ));
                }
            }
        }
        Ok(true)
    }
}

/// Go's `\s` in RE2: ASCII whitespace only.
pub(super) fn is_re_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r')
}

/// Go's `unicode.IsSpace` on a byte taken as a rune (what BuildKit's byte loops do).
pub(super) fn byte_is_space(b: u8) -> bool {
    (b as char).is_whitespace()
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    &line[..end]
}

fn trim_leading_space(line: &[u8]) -> &[u8] {
    let text = String::from_utf8_lossy(line);
    let trimmed = text.trim_start();
    &line[line.len() - trimmed.len().min(line.len())..]
}

fn is_comment(line: &[u8]) -> bool {
    trim_leading_space(line).first() == Some(&b'#')
}

/// The escape token at the end of a line (after blanks), not preceded by another escape
/// token: `([^E])E[ \t]*$|^E[ \t]*$`. Returns the line without it.
fn trim_continuation(line: &[u8], escape: u8) -> (Vec<u8>, bool) {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    if end > 0 && line[end - 1] == escape && (end == 1 || line[end - 2] != escape) {
        return (line[..end - 1].to_vec(), false);
    }
    (line.to_vec(), true)
}

/// Physical lines with their line endings, as Go's `scanLines` variant gives them.
fn lines(src: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < src.len() {
        let end = src[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(src.len(), |i| start + i + 1);
        out.push(&src[start..end]);
        start = end;
    }
    out
}

/// Parse a Dockerfile.
pub fn parse(src: &[u8]) -> Result<Parsed, ParseError> {
    let src = src.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(src);
    let all = lines(src);
    if let Some(i) = all.iter().position(|l| l.len() > MAX_LINE) {
        return Err(ParseError::at(
            i + 1,
            format!(
                "dockerfile line greater than max allowed size of {}",
                MAX_LINE - 1
            ),
        ));
    }
    let mut d = Directives {
        escape: b'\\',
        done: false,
        seen: Vec::new(),
    };
    let mut out = Vec::new();
    let mut next = 0;
    let mut current = 0;
    while next < all.len() {
        let raw = all[next];
        next += 1;
        let token = trim_leading_space(trim_newline(raw));
        d.check(token).map_err(|e| ParseError::at(current, e))?;
        let token: &[u8] = if is_comment(token) { b"" } else { token };
        current += 1;
        let start_line = current;
        let (first, mut end_of_line) = trim_continuation(token, d.escape);
        if end_of_line && first.is_empty() {
            continue;
        }
        let mut buf = first;
        while !end_of_line && next < all.len() {
            let raw = all[next];
            next += 1;
            let token = trim_newline(raw);
            d.check(token).map_err(|e| ParseError::at(current, e))?;
            current += 1;
            if is_comment(raw) {
                continue;
            }
            if trim_leading_space(token).is_empty() {
                continue;
            }
            let (part, eol) = trim_continuation(token, d.escape);
            end_of_line = eol;
            buf.extend_from_slice(&part);
        }
        let line = String::from_utf8_lossy(&buf).into_owned();
        let mut node =
            node_from_line(&line, d.escape).map_err(|e| ParseError::at(start_line, e))?;
        if can_contain_heredoc(&node) && line.contains("<<") {
            let docs = heredocs_from_line(&line).map_err(|e| ParseError::at(start_line, e))?;
            for mut doc in docs {
                let mut content = Vec::new();
                let mut terminated = false;
                while next < all.len() {
                    let raw = all[next];
                    next += 1;
                    current += 1;
                    let mut candidate = trim_newline(raw);
                    if doc.chomp {
                        while let [b'\t', rest @ ..] = candidate {
                            candidate = rest;
                        }
                    }
                    if candidate == doc.name.as_bytes() {
                        terminated = true;
                        break;
                    }
                    content.extend_from_slice(raw);
                }
                if !terminated {
                    return Err(ParseError::at(start_line, "unterminated heredoc"));
                }
                doc.content = String::from_utf8_lossy(&content).into_owned();
                node.heredocs.push(doc);
            }
        }
        node.start_line = start_line;
        node.end_line = current;
        out.push(node);
    }
    if out.is_empty() {
        return Err(ParseError::at(current, "file with no instructions"));
    }
    Ok(Parsed {
        instructions: out,
        escape: d.escape as char,
    })
}

fn can_contain_heredoc(node: &Instruction) -> bool {
    let node = match &node.sub {
        Some(sub) if node.keyword() == "onbuild" => sub,
        _ => node,
    };
    matches!(node.keyword().as_str(), "add" | "copy" | "run") && !node.json
}

/// `splitCommand`: the instruction word, its builder flags and the rest.
fn node_from_line(line: &str, escape: u8) -> Result<Instruction, String> {
    let trimmed = line.trim();
    let (cmd, rest) = match trimmed.find([' ', '\t', '\x0b', '\x0c', '\r']) {
        Some(i) => (
            &trimmed[..i],
            trimmed[i..].trim_start_matches([' ', '\t', '\x0b', '\x0c', '\r']),
        ),
        None => (trimmed, ""),
    };
    let (args, flags) = extract_flags(rest.as_bytes(), escape);
    let args = args.trim().to_owned();
    let mut node = Instruction {
        cmd: cmd.to_owned(),
        sub: None,
        json: false,
        original: line.to_owned(),
        start_line: 0,
        end_line: 0,
        flags,
        args: Vec::new(),
        heredocs: Vec::new(),
    };
    match cmd.to_ascii_lowercase().as_str() {
        "add" | "copy" | "volume" => {
            let (args, json) = maybe_json_to_list(&args)?;
            node.args = args;
            node.json = json;
        }
        "cmd" | "entrypoint" | "run" | "shell" => {
            let (args, json) = maybe_json(&args)?;
            node.args = args;
            node.json = json;
        }
        "arg" => node.args = words(&args, escape),
        "env" => node.args = name_val(&args, "ENV", escape)?,
        "label" => node.args = name_val(&args, "LABEL", escape)?,
        "expose" | "from" => node.args = whitespace_list(&args),
        "healthcheck" => {
            let (args, json) = health(&args)?;
            node.args = args;
            node.json = json;
        }
        "maintainer" | "stopsignal" | "user" | "workdir" => {
            if !args.is_empty() {
                node.args = vec![args];
            }
        }
        "onbuild" => {
            if !args.is_empty() {
                let child = node_from_line(&args, escape)?;
                node.args = child.args.clone();
                node.json = child.json;
                node.sub = Some(Box::new(child));
            }
        }
        // BuildKit keeps unknown instructions with one empty argument (and fails on them
        // later, when it builds).
        _ => node.args = vec![String::new()],
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Instruction {
        let parsed = parse(src.as_bytes()).unwrap();
        assert_eq!(parsed.instructions.len(), 1, "{parsed:?}");
        parsed.instructions.into_iter().next().unwrap()
    }

    #[test]
    fn continuations_comments_and_empty_lines() {
        let i = one(
            "RUN apt-get update && \\\n# a comment\n\n    apt-get install -y curl \\  \n  git\n",
        );
        assert_eq!(
            i.args,
            ["apt-get update &&     apt-get install -y curl   git"]
        );
        assert_eq!((i.start_line, i.end_line), (1, 5));
    }

    #[test]
    fn escape_directive_switches_the_continuation_token() {
        let p = parse(b"# escape=`\nFROM x:1\nRUN dir c:\\ `\n  && echo\n").unwrap();
        assert_eq!(p.escape, '`');
        assert_eq!(p.instructions[1].args, ["dir c:\\   && echo"]);
        // Directives only count before anything else.
        let p = parse(b"FROM x:1\n# escape=`\nRUN a `\n").unwrap();
        assert_eq!(p.escape, '\\');
    }

    #[test]
    fn an_escaped_escape_is_not_a_continuation() {
        let p = parse(b"RUN echo a\\\\\nRUN b\n").unwrap();
        assert_eq!(p.instructions.len(), 2);
    }

    #[test]
    fn flags_env_forms_and_json() {
        let i = one("COPY --from=build --chown=\"a b\" /src /dst");
        assert_eq!(i.flags, ["--from=build", "--chown=a b"]);
        assert_eq!(i.args, ["/src", "/dst"]);
        let i = one("ENV A=1 B=\"two words\" C=x\\ y");
        assert_eq!(i.args, ["A", "1", "B", "\"two words\"", "C", "x\\ y"]);
        let i = one("ENV LEGACY some value here");
        assert_eq!(i.args, ["LEGACY", "some value here"]);
        let i = one("CMD [\"python\", \"-m\", \"app\"]");
        assert!(i.json);
        assert_eq!(i.args, ["python", "-m", "app"]);
        let i = one("CMD [\"broken\",]");
        assert!(!i.json);
        assert!(parse(b"RUN [\"a\", 1]").is_err());
        assert!(parse(b"ENV X").is_err());
    }

    #[test]
    fn heredocs() {
        let p = parse(
            b"RUN <<EOF bash\nset -e\necho hi\nEOF\nCOPY <<-\"A\" 3<<B /x\n\tone\n\tA\ntwo\nB\n",
        )
        .unwrap();
        let run = &p.instructions[0];
        assert_eq!(run.heredocs.len(), 1);
        assert_eq!(run.heredocs[0].content, "set -e\necho hi\n");
        assert!(run.heredocs[0].expand);
        let copy = &p.instructions[1];
        assert_eq!(copy.heredocs.len(), 2);
        assert_eq!(copy.heredocs[0].name, "A");
        assert!(copy.heredocs[0].chomp && !copy.heredocs[0].expand);
        assert_eq!(copy.heredocs[1].fd, 3);
        assert_eq!((copy.start_line, copy.end_line), (5, 9));
        assert_eq!(
            parse(b"RUN <<EOF\nno end\n").unwrap_err().message,
            "unterminated heredoc"
        );
    }

    #[test]
    fn garbage_is_an_error_or_ignored_never_a_panic() {
        assert!(parse(b"").is_err());
        assert!(parse(b"# only a comment\n").is_err());
        let _ = parse(b"\xff\xfe\x00RUN \xc3\n");
        let _ = parse("FROM --\u{a0}\u{821}x".as_bytes());
        let long = format!("RUN {}\n", "x".repeat(MAX_LINE + 10));
        assert!(parse(long.as_bytes()).is_err());
    }
}
