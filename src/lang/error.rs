//! Errors: the evaluator's internal error (cheap, with a compact position) and the public
//! [`LangError`] that renders with miette: file:line:col, the snippet with a caret, a
//! `help:` line, every parse error of a file, and the import trace of the failing file.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use super::pos::Pos;
use crate::source::Span;

/// What kind of failure; decides what `builtins.tryEval` may catch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file does not parse (or has a static error such as an undefined variable).
    Parse,
    /// `throw`: catchable by `tryEval`.
    Throw,
    /// A failed `assert`: catchable by `tryEval`.
    Assert,
    /// `abort`.
    Abort,
    /// A thunk was forced while being forced.
    InfiniteRecursion,
    /// Too deep, or more steps than allowed.
    Limit,
    /// A non-hermetic builtin or path was used.
    Hermetic,
    /// A file could not be read or is outside the root.
    Io,
    /// Any other evaluation error (type errors, missing attributes...).
    Eval,
}

/// An evaluation error inside the evaluator. Boxed in results to keep them small.
#[derive(Debug, Clone)]
pub struct EvalError {
    pub kind: ErrorKind,
    pub message: String,
    pub pos: Option<Pos>,
    pub help: Option<String>,
    /// Other places worth showing (for example an earlier definition).
    pub notes: Vec<(String, Pos)>,
    /// An already rendered error (a parse error in an imported file).
    pub rendered: Option<Box<LangError>>,
    /// Where the functions the error passed through were called, innermost first (a
    /// few; recursion through one call site is recorded once).
    pub calls: Vec<Pos>,
    /// Call sites left out of `calls`.
    pub more_calls: usize,
}

/// How many call sites an error remembers.
const MAX_CALLS: usize = 5;

impl EvalError {
    /// Record that the error passed out of a function called at `pos`.
    pub fn called_from(&mut self, pos: Pos) {
        if self.calls.last() == Some(&pos) || self.pos == Some(pos) {
            return;
        }
        if self.calls.len() < MAX_CALLS {
            self.calls.push(pos);
        } else {
            self.more_calls += 1;
        }
    }
}

pub type EvalResult<T> = Result<T, Box<EvalError>>;

impl EvalError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, pos: Option<Pos>) -> Box<EvalError> {
        Box::new(EvalError {
            kind,
            message: message.into(),
            pos,
            help: None,
            notes: Vec::new(),
            rendered: None,
            calls: Vec::new(),
            more_calls: 0,
        })
    }

    pub fn eval(message: impl Into<String>, pos: Pos) -> Box<EvalError> {
        Self::new(ErrorKind::Eval, message, Some(pos))
    }
}

/// Helpers to decorate boxed errors.
pub trait WithHelp {
    fn with_help(self, help: impl Into<String>) -> Self;
    /// Give the error this position if it has none yet.
    fn or_at(self, pos: Pos) -> Self;
}

impl WithHelp for Box<EvalError> {
    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    fn or_at(mut self, pos: Pos) -> Self {
        if self.pos.is_none() && self.rendered.is_none() {
            self.pos = Some(pos);
        }
        self
    }
}

/// A failure of the language front end, ready to render. Boxed so that results stay
/// small; the fields are reached through `Deref`.
#[derive(Debug, Clone)]
pub struct LangError(Box<LangErrorInner>);

impl std::ops::Deref for LangError {
    type Target = LangErrorInner;
    fn deref(&self) -> &LangErrorInner {
        &self.0
    }
}

impl std::ops::DerefMut for LangError {
    fn deref_mut(&mut self) -> &mut LangErrorInner {
        &mut self.0
    }
}

#[derive(Debug, Clone)]
pub struct LangErrorInner {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Option<Span>,
    pub label: Option<String>,
    pub help: Option<String>,
    /// Further diagnostics: the other parse errors of the file, an earlier definition,
    /// and the import trace (`imported from a.nix:3:5`).
    pub related: Vec<LangError>,
    /// The primary span's file as miette renders it (with its name).
    source: Option<crate::source::Snippets>,
}

impl LangError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Option<Span>) -> Self {
        LangError(Box::new(LangErrorInner {
            kind,
            message: message.into(),
            source: span
                .as_ref()
                .map(|s| crate::source::Snippets(s.file.clone())),
            span,
            label: None,
            help: None,
            related: Vec::new(),
        }))
    }

    /// `file:line:col` of the primary span, if any.
    pub fn location(&self) -> Option<String> {
        self.span.as_ref().map(Span::location)
    }
}

impl fmt::Display for LangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.span {
            // The location is part of the message so that it survives plain rendering
            // (no colour, no snippet) and test assertions.
            Some(span) => write!(f, "{} at {}", self.message, span.location()),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for LangError {}

impl Diagnostic for LangError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let code = match self.kind {
            ErrorKind::Parse => "envc::lang::parse",
            ErrorKind::Throw => "envc::lang::throw",
            ErrorKind::Assert => "envc::lang::assert",
            ErrorKind::Abort => "envc::lang::abort",
            ErrorKind::InfiniteRecursion => "envc::lang::infinite_recursion",
            ErrorKind::Limit => "envc::lang::limit",
            ErrorKind::Hermetic => "envc::lang::hermetic",
            ErrorKind::Io => "envc::lang::io",
            ErrorKind::Eval => "envc::lang::eval",
        };
        Some(Box::new(code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span.as_ref()?;
        let label = self.label.clone().unwrap_or_else(|| "here".into());
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(label), span.source_span()),
        )))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|e| e as &dyn Diagnostic)))
    }
}
