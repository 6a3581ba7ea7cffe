//! Parsing with rnix. A file with parse errors is never lowered or evaluated: every
//! error is reported (the first as the primary diagnostic, the rest as related ones).
//!
//! Before rnix sees a file, one pass over its tokens bounds how deeply it nests
//! (brackets, parentheses, braces, interpolations, runs of `-` and `!`): rnix bounds
//! only some of its recursion, and a 100k-deep list would otherwise be parsed, lowered
//! and evaluated level by level before any limit is reached.

use std::sync::Arc;

use rnix::ParseError;

use super::error::{ErrorKind, LangError};
use crate::source::{SourceFile, Span};

/// Parse `file`; `Ok` only for an error-free tree, which is what makes the AST
/// accessors' invariants hold in `lower.rs`.
pub fn parse(file: &Arc<SourceFile>) -> Result<rnix::ast::Root, LangError> {
    check_nesting(file)?;
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

/// How deeply a file may nest: far beyond any real config, and well inside what the
/// parser, the lowering and the evaluator handle on their stacks.
pub const MAX_NESTING: usize = 1000;

/// Refuse a file nested more than [`MAX_NESTING`] levels deep, pointing at the opening
/// token past the bound. Linear in the file's size; unbalanced closers are left to the
/// parser to report.
fn check_nesting(file: &Arc<SourceFile>) -> Result<(), LangError> {
    use rnix::SyntaxKind::*;
    let mut depth = 0usize;
    let mut unary_run = 0usize;
    let mut offset = 0usize;
    for (kind, text) in rnix::tokenize(&file.text) {
        let start = offset;
        offset += text.len();
        match kind {
            TOKEN_L_BRACK | TOKEN_L_PAREN | TOKEN_L_BRACE | TOKEN_INTERPOL_START => depth += 1,
            TOKEN_R_BRACK | TOKEN_R_PAREN | TOKEN_R_BRACE | TOKEN_INTERPOL_END => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        match kind {
            TOKEN_SUB | TOKEN_INVERT => unary_run += 1,
            TOKEN_WHITESPACE | TOKEN_COMMENT => {}
            _ => unary_run = 0,
        }
        if depth > MAX_NESTING || unary_run > MAX_NESTING {
            let mut e = LangError::new(
                ErrorKind::Parse,
                format!("the expression is nested more than {MAX_NESTING} levels deep"),
                Some(Span::new(file.clone(), start..offset)),
            );
            e.label = Some("this level is too deep".into());
            e.help = Some(
                "nest less deeply: build deep data with functions such as `builtins.foldl'` instead of writing it out"
                    .into(),
            );
            return Err(e);
        }
    }
    Ok(())
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
