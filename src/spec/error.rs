//! Errors about configs: what went wrong ([`ErrorKind`]) and where ([`SpecError`]), rendered
//! by miette with the file, line, column, snippet and a `help:` line.
//!
//! A config's values come from several files (imports, built-in modules), so one error may
//! need snippets from two files (a conflict). Each span carries its own file, and notes in
//! other files are reported as related diagnostics.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, MietteError, SourceCode, SourceSpan, SpanContents};

use crate::source::{SourceFile, Span};

/// What is wrong with a config.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("no `envc.nix` or `envc.json` found from `{}`", dir.display())]
    NotFound { dir: PathBuf },
    #[error("cannot read `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is not a config file: expected a `.nix` or `.json` file", path.display())]
    UnknownFileKind { path: PathBuf },
    #[error("{message}")]
    Syntax { message: String },
    #[error("a config must be an attribute set, found {found}")]
    NotAttrs { found: String },
    #[error("unknown field `{field}` in {within}")]
    UnknownField { field: String, within: String },
    #[error("unknown {what} `{value}` for `{at}`")]
    UnknownValue {
        what: &'static str,
        value: String,
        at: String,
    },
    #[error("wrong type for `{at}`: expected {expected}, found {found}")]
    WrongType {
        at: String,
        expected: String,
        found: String,
    },
    #[error("missing field `{field}` in {within}")]
    MissingField { field: String, within: String },
    #[error("invalid value for `{at}`: {message}")]
    Invalid { at: String, message: String },
    #[error("conflicting definitions for `{at}`: {first} and {second}")]
    Conflict {
        at: String,
        first: String,
        second: String,
    },
    #[error("`{wrapper}` cannot be used here: {reason}")]
    MisplacedWrapper { wrapper: String, reason: String },
    #[error("cannot import `{import}`: {reason}")]
    Import { import: String, reason: String },
    #[error("import cycle: `{file}` imports itself through {chain}")]
    ImportCycle { file: String, chain: String },
    #[error("no variant `{name}`")]
    NoSuchVariant { name: String },
}

/// A config error and where it is (boxed: errors are rare, results are everywhere).
#[derive(Debug)]
pub struct SpecError(Box<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub kind: ErrorKind,
    /// The primary location and its label.
    pub at: Option<(Span, String)>,
    pub help: Option<String>,
    /// Further locations (the other side of a conflict), each with its label.
    pub notes: Vec<(Span, String)>,
    /// An evaluator error, reported as is.
    pub lang: Option<Box<dyn Diagnostic + Send + Sync>>,
    /// What envc was doing (`in variant `gpu``), shown before the message.
    pub context: Option<String>,
    related: Vec<Note>,
    source: Option<Src>,
}

impl SpecError {
    pub fn new(kind: ErrorKind) -> Self {
        SpecError(Box::new(Inner {
            kind,
            at: None,
            help: None,
            notes: Vec::new(),
            lang: None,
            context: None,
            related: Vec::new(),
            source: None,
        }))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// Point the error at `span` with a label (no-op without a span).
    pub fn at(mut self, span: Option<&Span>, label: impl Into<String>) -> Self {
        if let Some(span) = span {
            self.at = Some((span.clone(), label.into()));
        }
        self.finish()
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Add another location; shown in the same snippet when it is in the same file.
    pub fn note(mut self, span: Option<&Span>, label: impl Into<String>) -> Self {
        if let Some(span) = span {
            self.notes.push((span.clone(), label.into()));
        }
        self.finish()
    }

    /// An evaluator error, reported with its own spans.
    pub fn lang(error: impl Diagnostic + Send + Sync + 'static) -> Self {
        let mut e = SpecError::new(ErrorKind::Syntax {
            message: error.to_string(),
        });
        e.lang = Some(Box::new(error));
        e
    }

    /// Recompute the source and related notes after a location changed.
    fn finish(mut self) -> Self {
        self.source = self
            .at
            .as_ref()
            .map(|(span, _)| Src::new(span.file.clone()));
        let primary_file = self.at.as_ref().map(|(s, _)| s.file.clone());
        self.related = self
            .notes
            .iter()
            .filter(|(span, _)| {
                !primary_file
                    .as_ref()
                    .is_some_and(|f| Arc::ptr_eq(f, &span.file))
            })
            .map(|(span, label)| Note {
                message: format!("{label} ({})", span.location()),
                span: span.clone(),
                label: label.clone(),
                source: Src::new(span.file.clone()),
            })
            .collect();
        self
    }

    /// Say what envc was doing when the error happened.
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// `file:line:col` of the primary location, if any.
    pub fn location(&self) -> Option<String> {
        self.at.as_ref().map(|(s, _)| s.location())
    }
}

impl std::ops::Deref for SpecError {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl std::ops::DerefMut for SpecError {
    fn deref_mut(&mut self) -> &mut Inner {
        &mut self.0
    }
}

impl From<ErrorKind> for SpecError {
    fn from(kind: ErrorKind) -> Self {
        SpecError::new(kind)
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(context) = &self.context {
            write!(f, "{context}: ")?;
        }
        match &self.lang {
            Some(lang) => fmt::Display::fmt(lang, f),
            None => fmt::Display::fmt(&self.kind, f),
        }
    }
}

impl std::error::Error for SpecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Diagnostic for SpecError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.lang.as_ref().and_then(|l| l.code())
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if let Some(lang) = &self.lang {
            return lang.help().or_else(|| {
                Some(Box::new(
                    "the config's Nix expression fails here; `envc eval FILE` evaluates it on its own",
                ) as Box<dyn fmt::Display>)
            });
        }
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        if let Some(lang) = &self.lang {
            return lang.source_code();
        }
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if let Some(lang) = &self.lang {
            return lang.labels();
        }
        let (primary, label) = self.at.as_ref()?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(label.clone()),
            primary.source_span(),
        )];
        for (span, label) in &self.notes {
            if Arc::ptr_eq(&span.file, &primary.file) {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.clone()),
                    span.source_span(),
                ));
            }
        }
        Some(Box::new(labels.into_iter()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if let Some(lang) = &self.lang {
            return lang.related();
        }
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|n| n as &dyn Diagnostic)))
    }
}

/// A location in another file, shown as a related diagnostic.
#[derive(Debug)]
struct Note {
    message: String,
    span: Span,
    label: String,
    source: Src,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Note {}

impl Diagnostic for Note {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span.source_span()),
        )))
    }
}

/// A source file as miette reads it: the text, named as in diagnostics. Control characters
/// in the text are shown as `?` (one per byte, so that spans still point at the same bytes):
/// a config's raw ESC or C1 character must not reach the terminal through a snippet.
#[derive(Debug, Clone)]
struct Src(Arc<SourceFile>, Arc<str>);

impl Src {
    fn new(file: Arc<SourceFile>) -> Self {
        let shown = printable(&file.text);
        Src(file, shown.into())
    }
}

/// `text` with every control character but newline, tab and carriage return, and every
/// bidi control, replaced by as many `?` as it has bytes.
fn printable(text: &str) -> String {
    let hidden = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(hidden) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if hidden(c) {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl SourceCode for Src {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        crate::source::read_snippet(
            &self.0.name,
            &self.1,
            span,
            context_lines_before,
            context_lines_after,
        )
    }
}
