//! Lowering of literals, strings (plain and indented, with interpolations) and path
//! literals: the syntax kinds whose text needs decoding before it becomes a node.

use rnix::ast::{self, AstToken, InterpolPart};
use rowan::ast::AstNode;

use super::{LResult, Lowerer, internal};
use crate::lang::expr::Expr;
use crate::lang::paths;
use crate::lang::pos::Pos;
use crate::lang::value::Value;

impl Lowerer<'_> {
    pub(super) fn literal(&self, lit: &ast::Literal, pos: Pos) -> LResult<Expr> {
        Ok(match lit.kind() {
            ast::LiteralKind::Integer(i) => match i.value() {
                Ok(v) => Expr::Const(Value::Int(v)),
                Err(_) => {
                    return Err(self.err(pos, format!("invalid integer `{}`", i.syntax().text())));
                }
            },
            ast::LiteralKind::Float(f) => match f.value() {
                Ok(v) => Expr::Const(Value::Float(v)),
                Err(_) => {
                    return Err(self.err(pos, format!("invalid float `{}`", f.syntax().text())));
                }
            },
            ast::LiteralKind::Uri(u) => Expr::Const(Value::string(u.syntax().text())),
        })
    }

    pub(super) fn string(&mut self, s: &ast::Str) -> LResult<Expr> {
        let indented = s.syntax().first_token().is_some_and(|t| t.text() == "''");
        let parts = if indented {
            indented_parts(s)
        } else {
            s.normalized_parts()
        };
        if parts
            .iter()
            .any(|p| matches!(p, InterpolPart::Literal(t) if t.contains('\0')))
        {
            return Err(self.err(
                self.pos_of(s.syntax()),
                "a string cannot contain a NUL byte",
            ));
        }
        if parts.iter().all(|p| matches!(p, InterpolPart::Literal(_))) {
            let text: String = parts
                .into_iter()
                .map(|p| match p {
                    InterpolPart::Literal(s) => s,
                    InterpolPart::Interpolation(_) => String::new(),
                })
                .collect();
            return Ok(Expr::Const(Value::string(text)));
        }
        let mut nodes = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                InterpolPart::Literal(text) => {
                    if !text.is_empty() {
                        nodes.push(
                            self.node(Expr::Const(Value::string(text)), self.pos_of(s.syntax())),
                        );
                    }
                }
                InterpolPart::Interpolation(i) => {
                    let inner = i.expr().ok_or_else(|| internal("interpolation"))?;
                    nodes.push(self.lower(&inner)?);
                }
            }
        }
        Ok(Expr::Interpolate(nodes.into_boxed_slice()))
    }

    pub(super) fn path(
        &mut self,
        parts: Vec<InterpolPart<ast::PathContent>>,
        kind: PathKind,
        pos: Pos,
    ) -> LResult<Expr> {
        if kind == PathKind::Home {
            return Ok(Expr::Error(
                crate::lang::error::ErrorKind::Hermetic,
                "`~/` paths are not available: envc evaluation is hermetic".into(),
                Some("use a path relative to the project, such as `./file`".into()),
            ));
        }
        if parts.iter().all(|p| matches!(p, InterpolPart::Literal(_))) {
            let text: String = parts
                .iter()
                .map(|p| match p {
                    InterpolPart::Literal(c) => c.text().to_string(),
                    InterpolPart::Interpolation(_) => String::new(),
                })
                .collect();
            let path = paths::resolve_literal(&self.dir, &text);
            return Ok(Expr::Const(Value::Path(path.into())));
        }
        let mut nodes = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                InterpolPart::Literal(c) => {
                    nodes.push(self.node(Expr::Const(Value::string(c.text())), pos))
                }
                InterpolPart::Interpolation(i) => {
                    let inner = i.expr().ok_or_else(|| internal("interpolation"))?;
                    nodes.push(self.lower(&inner)?);
                }
            }
        }
        Ok(Expr::PathInterpolate(
            self.dir.clone(),
            nodes.into_boxed_slice(),
        ))
    }
}

/// A piece of an indented string as Nix's lexer sees it: literal text (with
/// `has_indentation` false for escapes such as `''\n`, which end a line's leading
/// whitespace without being indentation themselves) or an interpolation.
pub(super) enum IndPiece {
    Text(String, bool),
    Interp(ast::Interpol),
}

/// Split the raw text of an indented string literal into Nix's lexer tokens.
pub(super) fn lex_indented(raw: &str, out: &mut Vec<IndPiece>) {
    let mut text = String::new();
    let flush = |text: &mut String, out: &mut Vec<IndPiece>| {
        if !text.is_empty() {
            out.push(IndPiece::Text(std::mem::take(text), true));
        }
    };
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("''$") {
            flush(&mut text, out);
            out.push(IndPiece::Text("$".into(), false));
            rest = after;
        } else if let Some(after) = rest.strip_prefix("'''") {
            flush(&mut text, out);
            out.push(IndPiece::Text("''".into(), false));
            rest = after;
        } else if let Some(after) = rest.strip_prefix("''\\") {
            flush(&mut text, out);
            let Some(escaped) = after.chars().next() else {
                break;
            };
            let unescaped = match escaped {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                other => other,
            };
            out.push(IndPiece::Text(unescaped.to_string(), false));
            rest = &after[escaped.len_utf8()..];
        } else {
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    flush(&mut text, out);
}

/// The parts of an indented string after Nix's indentation stripping (the algorithm of
/// `stripIndentation` in Nix's parser, on Nix's lexer tokens).
pub(super) fn indented_parts(s: &ast::Str) -> Vec<InterpolPart<String>> {
    let mut pieces = Vec::new();
    let mut first = true;
    for part in s.parts() {
        match part {
            InterpolPart::Literal(content) => {
                let mut raw = content.syntax().text();
                if first {
                    // The opening `''` swallows the rest of its line if that is blank.
                    if let Some(nl) = raw.find('\n')
                        && raw[..nl].chars().all(|c| c == ' ')
                    {
                        raw = &raw[nl + 1..];
                    }
                }
                lex_indented(raw, &mut pieces);
            }
            InterpolPart::Interpolation(i) => pieces.push(IndPiece::Interp(i)),
        }
        first = false;
    }

    // Minimum indentation over lines with content.
    let mut at_start = true;
    let mut min_indent = usize::MAX;
    let mut cur = 0;
    for piece in &pieces {
        match piece {
            IndPiece::Text(t, true) => {
                for c in t.chars() {
                    if at_start {
                        if c == ' ' {
                            cur += 1;
                        } else if c == '\n' {
                            cur = 0;
                        } else {
                            at_start = false;
                            min_indent = min_indent.min(cur);
                        }
                    } else if c == '\n' {
                        at_start = true;
                        cur = 0;
                    }
                }
            }
            _ => {
                if at_start {
                    at_start = false;
                    min_indent = min_indent.min(cur);
                }
            }
        }
    }

    // Strip it from every line.
    let mut out: Vec<InterpolPart<String>> = Vec::new();
    let mut at_start = true;
    let mut dropped = 0;
    let n = pieces.len();
    for (index, piece) in pieces.into_iter().enumerate() {
        match piece {
            IndPiece::Interp(i) => {
                at_start = false;
                dropped = 0;
                out.push(InterpolPart::Interpolation(i));
            }
            IndPiece::Text(t, _) => {
                let mut s2 = String::with_capacity(t.len());
                for c in t.chars() {
                    if at_start {
                        if c == ' ' {
                            if dropped >= min_indent {
                                s2.push(c);
                            }
                            dropped += 1;
                        } else if c == '\n' {
                            dropped = 0;
                            s2.push(c);
                        } else {
                            at_start = false;
                            dropped = 0;
                            s2.push(c);
                        }
                    } else {
                        s2.push(c);
                        if c == '\n' {
                            at_start = true;
                        }
                    }
                }
                // A whitespace-only last line is removed.
                if index + 1 == n
                    && let Some(p) = s2.rfind('\n')
                    && s2[p + 1..].chars().all(|c| c == ' ')
                {
                    s2.truncate(p + 1);
                }
                match out.last_mut() {
                    Some(InterpolPart::Literal(prev)) => prev.push_str(&s2),
                    _ => out.push(InterpolPart::Literal(s2)),
                }
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum PathKind {
    Abs,
    Rel,
    Home,
}

/// The text of a string literal without interpolations (`"a"`), if it is one.
pub(super) fn static_string(s: &ast::Str) -> Option<String> {
    let mut out = String::new();
    for part in s.normalized_parts() {
        match part {
            InterpolPart::Literal(t) => out.push_str(&t),
            InterpolPart::Interpolation(_) => return None,
        }
    }
    Some(out)
}
