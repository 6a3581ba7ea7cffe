//! A config error as LSP diagnostics: the same message `envc check` prints, at the range of
//! the span it points at (narrowed to the misspelled key for "did you mean"), published on
//! the file the span is in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types::{Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, Url};

use super::position::LineIndex;
use crate::lang::LangError;
use crate::source::Span;
use crate::spec::{ErrorKind, SpecError};

/// Diagnostics by the file they are in.
pub type ByFile = BTreeMap<PathBuf, Vec<Diagnostic>>;

/// The key the code action for a did-you-mean diagnostic writes in its `data`.
pub const REPLACEMENT: &str = "replacement";

/// Convert one error (and the notes it carries) into diagnostics. Errors without a span, or
/// in a built-in module, go on `config` at its first character.
pub fn from_error(error: &SpecError, config: &Path) -> ByFile {
    let mut out = ByFile::new();
    let help = miette::Diagnostic::help(error).map(|h| h.to_string());
    let message = match &help {
        Some(help) => format!("{error}\nhelp: {help}"),
        None => error.to_string(),
    };
    let lang = error
        .lang
        .as_deref()
        .and_then(|l| (l as &(dyn std::error::Error + 'static)).downcast_ref::<LangError>());
    let (span, related): (Option<Span>, Vec<(Span, String)>) = match lang {
        Some(lang) => (
            lang.span.clone(),
            lang.related
                .iter()
                .filter_map(|r| Some((r.span.clone()?, r.message.clone())))
                .collect(),
        ),
        None => (
            error.at.as_ref().map(|(s, _)| s.clone()),
            error.notes.clone(),
        ),
    };
    let fix = replacement(error, help.as_deref());
    let (path, range) = match span.as_ref().filter(|s| is_real(&s.file.path)) {
        Some(span) => {
            let narrowed = narrow(error, span);
            let index = LineIndex::new(&span.file.text);
            (span.file.path.clone(), index.range(narrowed))
        }
        None => (config.to_path_buf(), lsp_types::Range::default()),
    };
    let related_information: Vec<DiagnosticRelatedInformation> = related
        .iter()
        .filter(|(s, _)| is_real(&s.file.path))
        .filter_map(|(s, label)| {
            Some(DiagnosticRelatedInformation {
                location: Location::new(
                    Url::from_file_path(&s.file.path).ok()?,
                    LineIndex::new(&s.file.text).range(s.range.clone()),
                ),
                message: label.clone(),
            })
        })
        .collect();
    let diagnostic = Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        code: miette::Diagnostic::code(error)
            .map(|c| lsp_types::NumberOrString::String(c.to_string())),
        source: Some("envc".into()),
        message,
        related_information: (!related_information.is_empty()).then_some(related_information),
        data: fix.map(|f| serde_json::json!({ REPLACEMENT: f })),
        ..Diagnostic::default()
    };
    out.entry(path).or_default().push(diagnostic);
    out
}

/// A file the editor can open (not a built-in module or an evaluated expression).
fn is_real(path: &Path) -> bool {
    path.is_absolute() && !path.starts_with(crate::spec::modules::EMBEDDED_ROOT)
}

/// The replacement a did-you-mean help offers, for the errors whose range is the wrong name.
fn replacement(error: &SpecError, help: Option<&str>) -> Option<String> {
    if error.lang.is_some()
        || !matches!(
            error.kind(),
            ErrorKind::UnknownField { .. } | ErrorKind::UnknownValue { .. }
        )
    {
        return None;
    }
    let help = help?;
    let start = help.find("did you mean `")? + "did you mean `".len();
    let len = help[start..].find('`')?;
    Some(help[start..start + len].to_string())
}

/// The part of `span` that is the wrong name: an unknown field's span is its whole binding
/// (`aptt = [ ... ];`), but the fix replaces only the key.
fn narrow(error: &SpecError, span: &Span) -> std::ops::Range<usize> {
    let name = match error.kind() {
        ErrorKind::UnknownField { field, .. } => field,
        ErrorKind::UnknownValue { value, .. } => value,
        _ => return span.range.clone(),
    };
    let text = span.file.text.get(span.range.clone()).unwrap_or_default();
    match text.find(name.as_str()) {
        Some(at) if !name.is_empty() => {
            let start = span.range.start + at;
            start..start + name.len()
        }
        _ => span.range.clone(),
    }
}
