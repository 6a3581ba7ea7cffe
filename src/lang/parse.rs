//! Parsing with rnix. A file with parse errors is never lowered or evaluated: every
//! error is reported (the first as the primary diagnostic, the rest as related ones).

use std::sync::Arc;

use rnix::ParseError;

use super::error::{ErrorKind, LangError};
use crate::source::{SourceFile, Span};

/// Parse `file`; `Ok` only for an error-free tree, which is what makes the AST
/// accessors' invariants hold in `lower.rs`.
pub fn parse(file: &Arc<SourceFile>) -> Result<rnix::ast::Root, LangError> {
    let parse = rnix::Root::parse(&file.text);
    if parse.errors().is_empty() {
        return Ok(parse.tree());
    }
    let mut errors: Vec<LangError> = parse.errors().iter().map(|e| describe(file, e)).collect();
    let mut first = errors.remove(0);
    if !errors.is_empty() {
        first.help = Some(format!(
            "{} more parse error{} below",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        ));
    }
    first.related = errors;
    Err(first)
}

fn describe(file: &Arc<SourceFile>, error: &ParseError) -> LangError {
    let end = file.text.len();
    let span = |range: rnix::TextRange| {
        let start: usize = range.start().into();
        let stop: usize = range.end().into();
        Span::new(file.clone(), start..stop.max(start))
    };
    // Point at the last character: a zero-width span past the end shows no snippet.
    let last = file.text[..end]
        .char_indices()
        .next_back()
        .map_or(0, |(i, _)| i);
    let eof = || Span::new(file.clone(), last..end);
    let (message, at) = match error {
        ParseError::Unexpected(r) => ("unexpected input".to_string(), span(*r)),
        ParseError::UnexpectedExtra(r) => (
            "unexpected input after the end of the expression".to_string(),
            span(*r),
        ),
        ParseError::UnexpectedWanted(got, r, wanted) => (
            format!(
                "unexpected {}, expected {}",
                token_name(*got),
                wanted_list(wanted)
            ),
            span(*r),
        ),
        ParseError::UnexpectedDoubleBind(r) => (
            "a pattern cannot be bound twice with `@`".to_string(),
            span(*r),
        ),
        ParseError::UnexpectedEOF => ("unexpected end of file".to_string(), eof()),
        ParseError::UnexpectedEOFWanted(wanted) => (
            format!("unexpected end of file, expected {}", wanted_list(wanted)),
            eof(),
        ),
        ParseError::DuplicatedArgs(r, name) => (
            format!("duplicate formal function argument `{name}`"),
            span(*r),
        ),
        ParseError::RecursionLimitExceeded => {
            ("the expression is nested too deeply".to_string(), eof())
        }
        other => (other.to_string(), eof()),
    };
    let mut e = LangError::new(
        ErrorKind::Parse,
        format!("syntax error: {message}"),
        Some(at),
    );
    e.label = Some("here".into());
    e
}

fn wanted_list(kinds: &[rnix::SyntaxKind]) -> String {
    let names: Vec<String> = kinds.iter().map(|k| token_name(*k)).collect();
    match names.len() {
        0 => "something else".into(),
        1 => names[0].clone(),
        _ => format!("one of {}", names.join(", ")),
    }
}

/// A readable name for a token kind (`TOKEN_SEMICOLON` → `` `;` ``).
fn token_name(kind: rnix::SyntaxKind) -> String {
    use rnix::SyntaxKind::*;
    let text = match kind {
        TOKEN_SEMICOLON => "`;`",
        TOKEN_COLON => "`:`",
        TOKEN_COMMA => "`,`",
        TOKEN_DOT => "`.`",
        TOKEN_ELLIPSIS => "`...`",
        TOKEN_QUESTION => "`?`",
        TOKEN_AT => "`@`",
        TOKEN_ASSIGN => "`=`",
        TOKEN_L_BRACE => "`{`",
        TOKEN_R_BRACE => "`}`",
        TOKEN_L_BRACK => "`[`",
        TOKEN_R_BRACK => "`]`",
        TOKEN_L_PAREN => "`(`",
        TOKEN_R_PAREN => "`)`",
        TOKEN_IN => "`in`",
        TOKEN_THEN => "`then`",
        TOKEN_ELSE => "`else`",
        TOKEN_IDENT => "an identifier",
        TOKEN_STRING_END => "the end of the string",
        TOKEN_INTERPOL_END => "`}`",
        other => return format!("{other:?}").to_lowercase().replace('_', " "),
    };
    text.to_string()
}
