//! Reading package installs out of shell scripts (a Dockerfile's `RUN`, a `.def`'s `%post`):
//! the script is split into simple commands at `&&`, `||`, `;`, `|` and newlines, each
//! command into words (quotes and backslashes as POSIX `sh` reads them), and the commands
//! that install packages — `apt-get install`, `apt install`, `apk add` — give their package
//! words. Anything the script does besides is not guessed at: the caller reports it.

/// What one script installs, and the commands it runs besides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    pub apt: Vec<String>,
    pub apk: Vec<String>,
    /// Package words that are not plain names (`$PKGS`, `$(cat list)`, globs).
    pub unresolved: Vec<String>,
    /// Commands other than package installs and the usual housekeeping around them.
    pub other: Vec<String>,
}

/// Analyse a POSIX shell script.
pub fn analyse(script: &str) -> Script {
    let mut out = Script::default();
    for command in commands(script) {
        if command.is_empty() {
            continue;
        }
        analyse_command(&command, &mut out);
    }
    out
}

/// Analyse one command given as an argument vector (a JSON-form `RUN`).
pub fn analyse_argv(argv: &[String]) -> Script {
    let mut out = Script::default();
    let words: Vec<Word> = argv
        .iter()
        .map(|a| Word {
            text: a.clone(),
            literal: true,
        })
        .collect();
    analyse_command(&words, &mut out);
    out
}

/// One shell word: its text with quotes removed, and whether it had no expansion in it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    text: String,
    literal: bool,
}

fn analyse_command(words: &[Word], out: &mut Script) {
    // Leading `VAR=value` assignments and wrappers that run the rest as a command.
    let mut i = 0;
    while i < words.len() {
        let w = &words[i].text;
        let assignment = w
            .split_once('=')
            .is_some_and(|(name, _)| is_name(name) && !name.is_empty());
        if assignment || matches!(w.as_str(), "sudo" | "env" | "command" | "exec" | "nice") {
            i += 1;
            continue;
        }
        break;
    }
    let words = &words[i..];
    let Some(program) = words.first() else {
        return;
    };
    let name = program.text.rsplit('/').next().unwrap_or(&program.text);
    let display = || {
        words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    // (subcommand, options that take a separate value) of each package manager.
    let manager: Option<(&str, &[&str], bool)> = match name {
        "apt-get" | "apt" | "aptitude" => Some((
            "install",
            &[
                "-t",
                "--target-release",
                "--default-release",
                "-o",
                "--option",
                "-c",
                "--config-file",
            ],
            true,
        )),
        "apk" => Some((
            "add",
            &[
                "-t",
                "--virtual",
                "-X",
                "--repository",
                "--arch",
                "-p",
                "--root",
            ],
            false,
        )),
        _ => None,
    };
    match manager {
        Some((sub, valued, apt)) => {
            let Some(at) = words.iter().position(|w| w.text == sub) else {
                if !is_housekeeping(words) {
                    out.other.push(display());
                }
                return;
            };
            let mut skip_next = false;
            for w in &words[at + 1..] {
                if std::mem::take(&mut skip_next) {
                    continue;
                }
                if w.text.starts_with('-') {
                    skip_next = valued.contains(&w.text.as_str());
                    continue;
                }
                let list = if apt { &mut out.apt } else { &mut out.apk };
                push_package(list, &mut out.unresolved, w);
            }
        }
        None if is_housekeeping(words) => {}
        None => out.other.push(display()),
    }
}

fn push_package(list: &mut Vec<String>, unresolved: &mut Vec<String>, w: &Word) {
    let plain = w.literal
        && !w.text.is_empty()
        && !w
            .text
            .contains(['*', '?', '[', '$', '`', '(', ')', '<', '>', ' ']);
    if plain {
        if !list.contains(&w.text) {
            list.push(w.text.clone());
        }
    } else {
        unresolved.push(w.text.clone());
    }
}

/// The commands that go with package installs and change nothing a config describes.
fn is_housekeeping(words: &[Word]) -> bool {
    let name = words[0].text.rsplit('/').next().unwrap_or("");
    let sub = words.get(1).map(|w| w.text.as_str()).unwrap_or("");
    match name {
        "apt-get" | "apt" => {
            matches!(
                sub,
                "update" | "clean" | "autoclean" | "autoremove" | "-y" | "-qq" | "-q"
            ) || words
                .iter()
                .any(|w| matches!(w.text.as_str(), "update" | "clean" | "autoremove"))
        }
        "apk" => matches!(sub, "update" | "cache"),
        "rm" => words.iter().any(|w| {
            w.text.starts_with("/var/lib/apt/lists") || w.text.starts_with("/var/cache/apk")
        }),
        "set" | "true" | ":" | "export" | "cd" => true,
        _ => false,
    }
}

fn is_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Split a script into simple commands of words. Control operators end a command; a
/// backslash-newline joins lines; `#` at a word start comments to the end of the line.
fn commands(script: &str) -> Vec<Vec<Word>> {
    let chars: Vec<char> = script.chars().collect();
    let mut out: Vec<Vec<Word>> = vec![Vec::new()];
    let mut word = String::new();
    let mut literal = true;
    let mut in_word = false;
    let mut i = 0;
    let end_word =
        |out: &mut Vec<Vec<Word>>, word: &mut String, literal: &mut bool, in_word: &mut bool| {
            if *in_word {
                out.last_mut().expect("never empty").push(Word {
                    text: std::mem::take(word),
                    literal: *literal,
                });
            }
            *literal = true;
            *in_word = false;
        };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if chars.get(i + 1) == Some(&'\n') => i += 2,
            '\\' => {
                if let Some(&n) = chars.get(i + 1) {
                    word.push(n);
                }
                in_word = true;
                i += 2;
            }
            '\'' => {
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    word.push(chars[i]);
                    i += 1;
                }
                i += 1;
                in_word = true;
            }
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && matches!(chars.get(i + 1), Some('"' | '\\' | '$' | '`'))
                    {
                        i += 1;
                    } else if matches!(chars[i], '$' | '`') {
                        literal = false;
                    }
                    word.push(chars[i]);
                    i += 1;
                }
                i += 1;
                in_word = true;
            }
            '$' | '`' => {
                literal = false;
                // Keep `$(...)` and `${...}` together as one word.
                let close = match (c, chars.get(i + 1)) {
                    ('$', Some('(')) => Some(')'),
                    ('$', Some('{')) => Some('}'),
                    ('`', _) => Some('`'),
                    _ => None,
                };
                word.push(c);
                i += 1;
                if let Some(close) = close {
                    if c == '$' {
                        word.push(chars[i]);
                        i += 1;
                    }
                    while i < chars.len() && chars[i] != close {
                        word.push(chars[i]);
                        i += 1;
                    }
                    if i < chars.len() {
                        word.push(close);
                        i += 1;
                    }
                }
                in_word = true;
            }
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '&' | '|' | ';' | '\n' | '(' | ')' => {
                end_word(&mut out, &mut word, &mut literal, &mut in_word);
                out.push(Vec::new());
                i += 1;
            }
            c if c.is_whitespace() => {
                end_word(&mut out, &mut word, &mut literal, &mut in_word);
                i += 1;
            }
            c => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    end_word(&mut out, &mut word, &mut literal, &mut in_word);
    out.retain(|c| !c.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_chains_with_options_and_cleanup() {
        let s = analyse(
            "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\\n \
             curl 'git' \"libssl-dev\" python3=3.11.2-1 -t bookworm-backports \\\n \
             && rm -rf /var/lib/apt/lists/* && pip install flask",
        );
        assert_eq!(s.apt, ["curl", "git", "libssl-dev", "python3=3.11.2-1"]);
        assert_eq!(s.other, ["pip install flask"]);
        assert!(s.unresolved.is_empty());
    }

    #[test]
    fn apk_and_unresolved_words() {
        let s = analyse("apk add --no-cache --virtual .deps gcc musl-dev $EXTRA; apk del .deps");
        assert_eq!(s.apk, ["gcc", "musl-dev"]);
        assert_eq!(s.unresolved, ["$EXTRA"]);
        assert_eq!(s.other, ["apk del .deps"]);
        let s = analyse("sudo apt install -y $(cat /tmp/pkgs) vim # editor\n");
        assert_eq!(s.apt, ["vim"]);
        assert_eq!(s.unresolved, ["$(cat /tmp/pkgs)"]);
    }

    #[test]
    fn argv_form() {
        let argv: Vec<String> = ["apt-get", "install", "-y", "make"]
            .map(String::from)
            .into();
        assert_eq!(analyse_argv(&argv).apt, ["make"]);
    }
}
