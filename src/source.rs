//! Source files and byte spans, shared by every stage that reports errors about user input.
//!
//! A `Span` owns a handle to its file so that a diagnostic can render the snippet long
//! after the stage that produced it is gone (an error from an imported module, or a type
//! error found by the spec stage in a value the evaluator produced).

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents};

/// One loaded source file: where it came from and its full text.
pub struct SourceFile {
    /// The name shown in diagnostics (relative to the project root where possible).
    pub name: String,
    /// The file's path on disk, or a pseudo path (`<expr>`, `<envc/lib.nix>`).
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(
        name: impl Into<String>,
        path: impl Into<PathBuf>,
        text: impl Into<Arc<str>>,
    ) -> Arc<Self> {
        Arc::new(SourceFile {
            name: name.into(),
            path: path.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column (in chars) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// The file as miette wants it for rendering snippets.
    pub fn named_source(&self) -> NamedSource<Arc<str>> {
        NamedSource::new(self.name.clone(), self.text.clone()).with_language("nix")
    }
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("name", &self.name)
            .finish()
    }
}

/// A byte range in one source file.
#[derive(Clone)]
pub struct Span {
    pub file: Arc<SourceFile>,
    pub range: Range<usize>,
}

impl Span {
    pub fn new(file: Arc<SourceFile>, range: Range<usize>) -> Self {
        Span { file, range }
    }

    pub fn source_span(&self) -> SourceSpan {
        (self.range.start, self.range.end - self.range.start).into()
    }

    /// `file:line:col`, the form used in plain-text messages.
    pub fn location(&self) -> String {
        let (line, col) = self.file.line_col(self.range.start);
        format!("{}:{}:{}", self.file.name, line, col)
    }

    pub fn snippet(&self) -> &str {
        &self.file.text[self.range.clone()]
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.location())
    }
}

impl PartialEq for Span {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.file, &other.file) && self.range == other.range
    }
}

/// Lines longer than this many bytes are shown in snippets as a window around the span:
/// miette cannot place a label past column 65535 (it panics), and such a line is
/// unreadable in full anyway.
pub const LONG_LINE: usize = 1000;

/// How many bytes of a long line a snippet shows on each side of the span.
const WINDOW: usize = 120;

/// Read a snippet of `text` (named `name`) the way miette's `SourceCode` does, except
/// that a span on a line longer than [`LONG_LINE`] gets only that line, cut to a window
/// around the span (which keeps every label's column small).
pub fn read_snippet<'a>(
    name: &str,
    text: &'a str,
    span: &SourceSpan,
    context_lines_before: usize,
    context_lines_after: usize,
) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
    let start = span.offset().min(text.len());
    let end = (start + span.len()).min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    if line_end - line_start <= LONG_LINE {
        let inner = text.read_span(span, context_lines_before, context_lines_after)?;
        return Ok(Box::new(MietteSpanContents::new_named(
            name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )));
    }
    let mut from = start.saturating_sub(WINDOW).max(line_start);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = end.saturating_add(WINDOW).min(line_end);
    while !text.is_char_boundary(to) {
        to += 1;
    }
    let line = text[..line_start].matches('\n').count();
    let column = text[line_start..from].chars().count();
    Ok(Box::new(MietteSpanContents::new_named(
        name.to_string(),
        &text.as_bytes()[from..to],
        SourceSpan::new(from.into(), to - from),
        line,
        column,
        1,
    )))
}

/// A source file as miette reads it for snippets, through [`read_snippet`].
#[derive(Debug, Clone)]
pub struct Snippets(pub Arc<SourceFile>);

impl SourceCode for Snippets {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        read_snippet(
            &self.0.name,
            &self.0.text,
            span,
            context_lines_before,
            context_lines_after,
        )
    }
}
