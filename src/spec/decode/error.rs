//! A decode error on its way up: it gets its span and attribute path from the innermost
//! value that has one, and becomes a [`SpecError`] with a message in Nix/JSON terms (not
//! serde's Rust terms) and a `help:` line (did-you-mean for unknown fields and values).

use std::fmt;

use serde::de;

use super::{Seg, path_text};
use crate::lang::Data;
use crate::source::Span;
use crate::spec::error::{ErrorKind, SpecError};
use crate::spec::suggest;

/// How a value's kind is named in messages (Nix vocabulary, with scalars shown).
fn describe(data: &Data) -> String {
    match data {
        Data::Null => "null".into(),
        Data::Bool(b) => format!("a boolean (`{b}`)"),
        Data::Int(i) => format!("an integer (`{i}`)"),
        Data::Float(x) => format!("a float (`{x}`)"),
        Data::String(s) if s.chars().count() <= 40 => format!("a string (`{s:?}`)"),
        Data::String(_) => "a string".into(),
        Data::Path(_) => "a path".into(),
        Data::List(_) => "a list".into(),
        Data::Attrs(_) => "an attribute set".into(),
    }
}

/// serde names what it expected in Rust terms; users read Nix/JSON terms.
fn expected_text(expected: &str) -> String {
    let e = expected.trim();
    if e.starts_with("struct ") || e == "a map" || e == "map" {
        return "an attribute set".into();
    }
    if e == "a sequence" || e.starts_with("a sequence") || e == "sequence" {
        return "a list".into();
    }
    if e == "a boolean" || e == "bool" {
        return "a boolean".into();
    }
    if let Some(range) = int_range(e) {
        return format!("an integer from {} to {}", range.0, range.1);
    }
    e.to_string()
}

fn int_range(e: &str) -> Option<(i128, i128)> {
    Some(match e {
        "u8" => (0, u8::MAX as i128),
        "u16" => (0, u16::MAX as i128),
        "u32" => (0, u32::MAX as i128),
        "u64" => (0, u64::MAX as i128),
        "i32" => (i32::MIN as i128, i32::MAX as i128),
        "i64" => (i64::MIN as i128, i64::MAX as i128),
        _ => return None,
    })
}

/// A decode error on its way up; gets its span and path from the innermost value.
#[derive(Debug)]
pub struct DeError(Box<DeInner>);

#[derive(Debug)]
pub(super) struct DeInner {
    kind: DeKind,
    span: Option<Span>,
    at: Option<String>,
    found: Option<String>,
}

#[derive(Debug)]
pub(super) enum DeKind {
    Custom(String),
    Checked {
        message: String,
        help: Option<String>,
    },
    WrongType {
        expected: String,
    },
    InvalidValue {
        unexpected: String,
        expected: String,
    },
    UnknownField {
        field: String,
        expected: &'static [&'static str],
    },
    UnknownVariant {
        variant: String,
        expected: &'static [&'static str],
    },
    MissingField {
        field: &'static str,
    },
    EnumShape {
        expected: &'static [&'static str],
    },
}

impl DeError {
    pub(super) fn new(kind: DeKind) -> Self {
        DeError(Box::new(DeInner {
            kind,
            span: None,
            at: None,
            found: None,
        }))
    }

    /// Fill in where the error happened, unless an inner value already did.
    pub(super) fn locate(
        mut self,
        value_span: Option<&Span>,
        at: &Seg,
        found: Option<&Data>,
    ) -> Self {
        let inner = &mut self.0;
        if inner.at.is_none() {
            inner.at = Some(path_text(at));
            inner.span = value_span.cloned();
            inner.found = found.map(describe);
        }
        self
    }

    pub(super) fn into_spec_error(self) -> SpecError {
        let inner = *self.0;
        let at = inner.at.unwrap_or_else(|| "the config".into());
        let span = inner.span.as_ref();
        let found = inner.found.unwrap_or_else(|| "something else".into());
        match inner.kind {
            DeKind::Custom(message) => SpecError::new(ErrorKind::Invalid {
                at,
                message: message.clone(),
            })
            .at(span, message)
            .help(SCHEMA_HELP),
            DeKind::Checked { message, help } => SpecError::new(ErrorKind::Invalid {
                at,
                message: message.clone(),
            })
            .at(span, "defined here")
            .help_opt(help),
            DeKind::WrongType { expected } => {
                let expected = expected_text(&expected);
                let help = type_help(&expected, &found);
                SpecError::new(ErrorKind::WrongType {
                    at,
                    expected: expected.clone(),
                    found,
                })
                .at(span, format!("expected {expected}"))
                .help(help)
            }
            DeKind::InvalidValue {
                unexpected,
                expected,
            } => {
                let expected = expected_text(&expected);
                SpecError::new(ErrorKind::Invalid {
                    at,
                    message: format!("expected {expected}, found {unexpected}"),
                })
                .at(span, format!("expected {expected}"))
                .help(format!("write {expected}; {SCHEMA_HELP}"))
            }
            DeKind::UnknownField { field, expected } => {
                let within = parent_of(&at);
                let help = did_you_mean(&field, expected, "fields");
                SpecError::new(ErrorKind::UnknownField { field, within })
                    .at(span, "unknown field")
                    .help(help)
            }
            DeKind::UnknownVariant { variant, expected } => {
                let help = did_you_mean(&variant, expected, "values");
                SpecError::new(ErrorKind::UnknownValue {
                    what: "value",
                    value: variant,
                    at,
                })
                .at(span, "unknown value")
                .help(help)
            }
            DeKind::MissingField { field } => {
                let label = format!("`{field}` is required here");
                let within = within_text(&at);
                SpecError::new(ErrorKind::MissingField {
                    field: field.to_string(),
                    within: within.clone(),
                })
                .at(span.map(first_line).as_ref(), label)
                .help(format!("add `{field}` to {within}; {SCHEMA_HELP}"))
            }
            DeKind::EnumShape { expected } => {
                let names = list(expected);
                SpecError::new(ErrorKind::WrongType {
                    at,
                    expected: format!("an attribute set with exactly one of {names}"),
                    found,
                })
                .at(span, format!("expected exactly one of {names}"))
                .help(format!("keep one of {names} and remove the others"))
            }
        }
    }
}

/// Where to read what a field takes.
const SCHEMA_HELP: &str = "`envc schema` describes every field and what it takes";

/// How to write a value of the expected type, given what was found.
fn type_help(expected: &str, found: &str) -> String {
    let quoted = found.starts_with("a string");
    if expected.starts_with("an integer") && quoted {
        "write the number without quotes".into()
    } else if expected.contains("string")
        && (found.starts_with("an integer") || found.starts_with("a float"))
    {
        "write the value in quotes, as a string".into()
    } else if expected == "a boolean" {
        "write `true` or `false`, without quotes".into()
    } else if expected == "a list" {
        "write a list: `[ ... ]` in Nix, `[ ... ]` in JSON, even for one item".into()
    } else if expected == "an attribute set" {
        "write an attribute set: `{ name = value; }` in Nix, `{ \"name\": value }` in JSON".into()
    } else if expected.starts_with("an integer") && found.starts_with("a float") {
        "write a whole number".into()
    } else {
        format!("write {expected}; {SCHEMA_HELP}")
    }
}

/// The attribute set a field belongs to, as shown in messages.
fn parent_of(at: &str) -> String {
    match at.rfind('.') {
        Some(i) => format!("`{}`", &at[..i]),
        None => "the config".to_string(),
    }
}

fn within_text(at: &str) -> String {
    if at == "the config" {
        at.to_string()
    } else {
        format!("`{at}`")
    }
}

pub(super) fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn did_you_mean(wrong: &str, expected: &[&str], what: &str) -> String {
    match suggest::closest(wrong, expected.iter().copied()) {
        Some(best) => format!("did you mean `{best}`? valid {what}: {}", list(expected)),
        None => format!("valid {what}: {}", list(expected)),
    }
}

/// The first line of a span: a missing field is reported at the opening of its attribute
/// set, not across all of it.
fn first_line(span: &Span) -> Span {
    let text = span.snippet();
    let end = text
        .find('\n')
        .map_or(span.range.end, |i| span.range.start + i);
    Span::new(span.file.clone(), span.range.start..end)
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            DeKind::Custom(m) | DeKind::Checked { message: m, .. } => f.write_str(m),
            DeKind::WrongType { expected } => write!(f, "expected {expected}"),
            DeKind::InvalidValue { expected, .. } => write!(f, "expected {expected}"),
            DeKind::UnknownField { field, .. } => write!(f, "unknown field `{field}`"),
            DeKind::UnknownVariant { variant, .. } => write!(f, "unknown value `{variant}`"),
            DeKind::MissingField { field } => write!(f, "missing field `{field}`"),
            DeKind::EnumShape { .. } => f.write_str("expected exactly one attribute"),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::new(DeKind::Custom(msg.to_string()))
    }

    fn invalid_type(_unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        DeError::new(DeKind::WrongType {
            expected: exp.to_string(),
        })
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        let unexpected = match unexp {
            de::Unexpected::Signed(i) => format!("`{i}`"),
            de::Unexpected::Unsigned(i) => format!("`{i}`"),
            de::Unexpected::Str(s) => format!("`{s:?}`"),
            other => other.to_string(),
        };
        DeError::new(DeKind::InvalidValue {
            unexpected,
            expected: exp.to_string(),
        })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        DeError::new(DeKind::UnknownField {
            field: field.to_string(),
            expected,
        })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        DeError::new(DeKind::UnknownVariant {
            variant: variant.to_string(),
            expected,
        })
    }

    fn missing_field(field: &'static str) -> Self {
        DeError::new(DeKind::MissingField { field })
    }
}
