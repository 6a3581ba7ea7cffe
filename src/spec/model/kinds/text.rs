//! Free text, and which control characters each kind of text may hold.
//!
//! A control character in a config is either meaningful or an attack on whoever reads it:
//! an ESC or OSC sequence in a description or an env value repaints the terminal of the
//! person running `envc show` or reading an error, a NUL cuts a string short in every C
//! API it reaches (argv, environ, the Engine's JSON is fine but `docker run -e` is not).
//!
//! - NUL is refused everywhere: no argv word, env value, file name or script can hold it.
//! - Scripts (`build.steps[].run`, `run.post_start`), argv words and file `text`s keep every
//!   other character: they are programs and file contents, where a raw ESC can be intended
//!   (a coloured prompt, a terminal test), and envc never prints them unescaped.
//! - Values (env values, label values) may hold tab and newline (a PEM bundle in an env
//!   variable), no other control character.
//! - Lines (a description, a step name) hold no control character at all, nor a bidi
//!   override (which makes text read differently from what it is).
//!
//! Control characters are those of Unicode category Cc: C0, DEL and C1 (U+0080–U+009F,
//! where U+009B is a CSI to many terminals). [`escape_controls`] is how envc shows them.

use super::{Check, Invalid, kind, shown};
use crate::spec::placeholder;

pub(super) const CHECKS: &[(&str, Check)] = &[
    (RunString::NEWTYPE, check_run_string),
    (BuildString::NEWTYPE, check_build_string),
    (Text::NEWTYPE, check_text),
    (BuildValue::NEWTYPE, check_build_value),
    (RunValue::NEWTYPE, check_run_value),
    (Line::NEWTYPE, check_line),
    (StepName::NEWTYPE, check_step_name),
];

kind!(
    /// A run-side string: may use the host placeholders `{user}`, `{uid}`, `{gid}`, `{home}`,
    /// `{project}`, `{project_slug}`, `{variant}` and `{env:NAME}`, filled when the environment
    /// starts. `{{` and `}}` are literal braces; `${...}` is left to the shell. No NUL.
    RunString,
    check_run_string,
    { "type": "string", "pattern": "^[^\\x00]*$" }
);

kind!(
    /// A build-side string: part of the image, so it may not use host placeholders
    /// (`{user}`, `{uid}`, ...), which are only known when the environment starts. No NUL.
    BuildString,
    check_build_string,
    { "type": "string", "pattern": "^[^\\x00]*$" }
);

kind!(
    /// A file's contents written out as given (build side: no host placeholders). Any
    /// character but NUL: a file with NUL bytes is binary, copy it with `source`.
    Text,
    check_text,
    { "type": "string", "pattern": "^[^\\x00]*$" }
);

kind!(
    /// An environment variable or label value baked into the image: tab and newline
    /// allowed, no other control character, no host placeholders.
    BuildValue,
    check_build_value,
    { "type": "string", "pattern": "^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*$" }
);

kind!(
    /// An environment variable value set when the environment starts: placeholders allowed,
    /// tab and newline allowed, no other control character.
    RunValue,
    check_run_value,
    { "type": "string", "pattern": "^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*$" }
);

kind!(
    /// One line of text for people (a description): no control characters, no newline,
    /// no bidi overrides, at most 500 characters.
    Line,
    check_line,
    { "type": "string", "maxLength": 500, "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]*$" }
);

kind!(
    /// A build step's name, shown in progress and written into emitted files as a comment:
    /// one line, no control characters, at most 100 characters.
    StepName,
    check_step_name,
    { "type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]+$" }
);

/// A bidi override or isolate: makes text display in another order than it is stored.
pub(super) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with control characters and bidi controls written as `\n`, `\t`, `\u{1b}`...:
/// what envc prints wherever a config's text reaches a terminal.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// The first character of `text` that `refused` matches, as an error about `what`.
pub(super) fn refuse_chars(
    text: &str,
    what: &str,
    refused: impl Fn(char) -> bool,
) -> Result<(), Invalid> {
    let Some(c) = text.chars().find(|c| refused(*c)) else {
        return Ok(());
    };
    let name = match c {
        '\0' => "a NUL character".to_owned(),
        '\n' => "a newline".to_owned(),
        '\u{1b}' => "an ESC character (a terminal escape sequence)".to_owned(),
        c if is_bidi_control(c) => format!("a bidi control character (U+{:04X})", c as u32),
        c => format!("a control character (U+{:04X})", c as u32),
    };
    Err(
        Invalid::new(format!("{what} `{}` contains {name}", shown(text))).help(
            "control characters act on the terminal that shows them; write them as escapes in a script, or leave them out",
        ),
    )
}

fn no_nul(text: &str, what: &str) -> Result<(), Invalid> {
    refuse_chars(text, what, |c| c == '\0')
}

fn from_placeholder(e: placeholder::PlaceholderError) -> Invalid {
    Invalid {
        message: e.message,
        help: e.help,
    }
}

pub(super) fn check_run_string(s: &str) -> Result<(), Invalid> {
    no_nul(s, "the string")?;
    placeholder::check_run(s).map_err(from_placeholder)
}

pub(super) fn check_build_string(s: &str) -> Result<(), Invalid> {
    no_nul(s, "the string")?;
    placeholder::check_build(s).map_err(from_placeholder)
}

fn check_text(s: &str) -> Result<(), Invalid> {
    no_nul(s, "the text").map_err(|e| {
        e.help("a file with NUL bytes is binary: copy it from the project with `source`")
    })?;
    check_build_string(s)
}

fn value_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

fn check_build_value(s: &str) -> Result<(), Invalid> {
    refuse_chars(s, "the value", value_control)?;
    check_build_string(s)
}

fn check_run_value(s: &str) -> Result<(), Invalid> {
    refuse_chars(s, "the value", value_control)?;
    check_run_string(s)
}

fn line_control(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn check_line(s: &str) -> Result<(), Invalid> {
    refuse_chars(s, "the text", line_control)?;
    if s.chars().count() > 500 {
        return Err(Invalid::new("the text is longer than 500 characters")
            .help("a description is one line; put more in a README"));
    }
    Ok(())
}

fn check_step_name(s: &str) -> Result<(), Invalid> {
    refuse_chars(s, "the step name", line_control)?;
    if s.trim().is_empty() {
        return Err(
            Invalid::new("a step name cannot be empty").help("leave `name` out to have none")
        );
    }
    if s.chars().count() > 100 {
        return Err(Invalid::new("the step name is longer than 100 characters")
            .help("a step name is a short label; describe more in a comment"));
    }
    check_build_string(s)
}
