//! Decode a merged [`Located`] tree into the typed model, keeping the span of whatever
//! failed.
//!
//! This is a serde `Deserializer` over `Located`. Each value's deserializer attaches its own
//! span and attribute path to an error that has none yet, so an error always points at the
//! innermost definition that caused it: an unknown field at its binding, a wrong type at
//! the value, a missing field at the attribute set that lacks it. Checked strings
//! ([`crate::spec::model::checker`]) are checked here first so that their `help:` survives.

use std::fmt;
use std::path::Path;
use std::rc::Rc;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use crate::lang::{Data, Located};
use crate::source::Span;
use crate::spec::error::{ErrorKind, SpecError};
use crate::spec::model::{ProjectPath, RunString, checker};
use crate::spec::suggest;

/// Decode `value` (defined under `prefix`, e.g. `variants.gpu`) into `T`.
pub fn decode<T: de::DeserializeOwned>(
    value: &Located,
    root: &Path,
    prefix: &[&str],
) -> Result<T, SpecError> {
    let ctx = Ctx { root };
    let path = Rc::new(Seg::Prefix(prefix.iter().map(|p| p.to_string()).collect()));
    let de = De {
        value,
        path,
        ctx: &ctx,
    };
    T::deserialize(de).map_err(DeError::into_spec_error)
}

struct Ctx<'a> {
    root: &'a Path,
}

/// The attribute path to a value, for messages (`build.steps[2].run`).
enum Seg {
    Prefix(Vec<String>),
    Key(Rc<Seg>, String),
    Index(Rc<Seg>, usize),
}

impl fmt::Display for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Prefix(parts) => f.write_str(&parts.join(".")),
            Seg::Key(parent, key) => {
                let parent_text = parent.to_string();
                let key = quote_key(key);
                if parent_text.is_empty() {
                    write!(f, "{key}")
                } else {
                    write!(f, "{parent_text}.{key}")
                }
            }
            Seg::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// Attribute names that are not plain identifiers are quoted, as Nix writes them.
pub fn quote_key(key: &str) -> String {
    let plain = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''));
    if plain {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

fn path_text(seg: &Seg) -> String {
    let text = seg.to_string();
    if text.is_empty() {
        "the config".to_string()
    } else {
        text
    }
}

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
struct DeInner {
    kind: DeKind,
    span: Option<Span>,
    at: Option<String>,
    found: Option<String>,
}

#[derive(Debug)]
enum DeKind {
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
    fn new(kind: DeKind) -> Self {
        DeError(Box::new(DeInner {
            kind,
            span: None,
            at: None,
            found: None,
        }))
    }

    /// Fill in where the error happened, unless an inner value already did.
    fn locate(mut self, value_span: Option<&Span>, at: &Seg, found: Option<&Data>) -> Self {
        let inner = &mut self.0;
        if inner.at.is_none() {
            inner.at = Some(path_text(at));
            inner.span = value_span.cloned();
            inner.found = found.map(describe);
        }
        self
    }

    fn into_spec_error(self) -> SpecError {
        let inner = *self.0;
        let at = inner.at.unwrap_or_else(|| "the config".into());
        let span = inner.span.as_ref();
        let found = inner.found.unwrap_or_else(|| "something else".into());
        match inner.kind {
            DeKind::Custom(message) => SpecError::new(ErrorKind::Invalid {
                at,
                message: message.clone(),
            })
            .at(span, message),
            DeKind::Checked { message, help } => SpecError::new(ErrorKind::Invalid {
                at,
                message: message.clone(),
            })
            .at(span, "defined here")
            .help_opt(help),
            DeKind::WrongType { expected } => {
                let expected = expected_text(&expected);
                SpecError::new(ErrorKind::WrongType {
                    at,
                    expected: expected.clone(),
                    found,
                })
                .at(span, format!("expected {expected}"))
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
                SpecError::new(ErrorKind::MissingField {
                    field: field.to_string(),
                    within: within_text(&at),
                })
                .at(span.map(first_line).as_ref(), label)
            }
            DeKind::EnumShape { expected } => {
                let names = list(expected);
                SpecError::new(ErrorKind::WrongType {
                    at,
                    expected: format!("an attribute set with exactly one of {names}"),
                    found,
                })
                .at(span, format!("expected exactly one of {names}"))
            }
        }
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

fn list(names: &[&str]) -> String {
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

/// The deserializer for one value.
struct De<'a> {
    value: &'a Located,
    path: Rc<Seg>,
    ctx: &'a Ctx<'a>,
}

impl<'a> De<'a> {
    fn locate(&self, e: DeError) -> DeError {
        e.locate(self.value.span.as_ref(), &self.path, Some(&self.value.data))
    }

    fn wrong_type(&self, expected: &str) -> DeError {
        self.locate(DeError::new(DeKind::WrongType {
            expected: expected.to_string(),
        }))
    }

    /// A checked string kind: run its check here, where the span is known.
    fn checked<V: Visitor<'a>>(self, name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        let text = match &self.value.data {
            Data::String(s) => s.clone(),
            Data::Path(p) => self.path_as_string(name, p)?,
            _ => return Err(self.wrong_type("a string")),
        };
        if let Some(check) = checker(name)
            && let Err(invalid) = check(&text)
        {
            return Err(self.locate(DeError::new(DeKind::Checked {
                message: invalid.message,
                help: invalid.help,
            })));
        }
        let de: de::value::StringDeserializer<DeError> = text.into_deserializer();
        visitor.visit_newtype_struct(de).map_err(|e| self.locate(e))
    }

    /// A Nix path literal where a string is expected: a project file becomes its path
    /// relative to the project root (`ProjectPath`) or under `{project}` (run-side strings),
    /// so that the spec never depends on where the project is checked out.
    fn path_as_string(&self, name: &str, path: &Path) -> Result<String, DeError> {
        let relative = path.strip_prefix(self.ctx.root).ok();
        match (name, relative) {
            (n, Some(rel)) if n == ProjectPath::NEWTYPE => Ok(rel.to_string_lossy().into_owned()),
            (n, Some(rel)) if n == RunString::NEWTYPE => {
                Ok(format!("{{project}}/{}", rel.to_string_lossy()))
            }
            (n, None) if n == ProjectPath::NEWTYPE || n == RunString::NEWTYPE => {
                Err(self.locate(DeError::new(DeKind::Checked {
                    message: format!("`{}` is outside the project", path.display()),
                    help: Some("only files inside the project root can be named by a path".into()),
                })))
            }
            _ => Err(self.wrong_type("a string")),
        }
    }
}

macro_rules! forward_to_any {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.deserialize_any(visitor)
        })*
    };
}

impl<'a> Deserializer<'a> for De<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.value.data {
            Data::Null => visitor.visit_unit(),
            Data::Bool(b) => visitor.visit_bool(*b),
            Data::Int(i) => visitor.visit_i64(*i),
            Data::Float(x) => visitor.visit_f64(*x),
            Data::String(s) => visitor.visit_str(s),
            Data::Path(_) => return Err(self.wrong_type(&visitor_expecting(&visitor))),
            Data::List(items) => visitor.visit_seq(Seq {
                items: items.iter().enumerate(),
                path: self.path.clone(),
                ctx: self.ctx,
            }),
            Data::Attrs(attrs) => visitor.visit_map(Map {
                entries: attrs.iter(),
                pending: None,
                path: self.path.clone(),
                ctx: self.ctx,
            }),
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value.data {
            Data::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name.starts_with("envc::") {
            return self.checked(name, visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let result = match &self.value.data {
            Data::String(s) => visitor.visit_enum(Enum {
                tag: s,
                tag_span: self.value.span.as_ref(),
                content: None,
                parent: self.path.clone(),
                path: self.path.clone(),
                ctx: self.ctx,
            }),
            Data::Attrs(attrs) if attrs.len() == 1 => {
                let (tag, content) = attrs.iter().next().expect("one entry");
                let child = Rc::new(Seg::Key(self.path.clone(), tag.clone()));
                // The content's errors name the path through the tag (`base.debootstrap.suite`).
                visitor
                    .visit_enum(Enum {
                        tag,
                        tag_span: content.span.as_ref(),
                        content: Some(content),
                        parent: self.path.clone(),
                        path: child.clone(),
                        ctx: self.ctx,
                    })
                    .map_err(|e| e.locate(content.span.as_ref(), &child, Some(&content.data)))
            }
            Data::Attrs(_) => {
                return Err(self.locate(DeError::new(DeKind::EnumShape { expected: variants })));
            }
            _ => {
                let all_unit = variants.iter().all(|v| !v.is_empty());
                let expected = if all_unit {
                    format!("one of {}", list(variants))
                } else {
                    "a string".into()
                };
                return Err(self.wrong_type(&expected));
            }
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    forward_to_any! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_bytes deserialize_byte_buf deserialize_seq
        deserialize_map deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple<V: Visitor<'a>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.value.data {
            Data::Attrs(_) => self.deserialize_any(visitor),
            _ => Err(self.wrong_type("an attribute set")),
        }
    }
}

/// What a visitor expects, as text (for path values, which no visitor accepts).
fn visitor_expecting<'a, V: Visitor<'a>>(visitor: &V) -> String {
    struct Expecting<'v, V>(&'v V);
    impl<'a, V: Visitor<'a>> fmt::Display for Expecting<'_, V> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.expecting(f)
        }
    }
    Expecting(visitor).to_string()
}

struct Seq<'a, I> {
    items: I,
    path: Rc<Seg>,
    ctx: &'a Ctx<'a>,
}

impl<'a, I: Iterator<Item = (usize, &'a Located)>> SeqAccess<'a> for Seq<'a, I> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some((index, item)) = self.items.next() else {
            return Ok(None);
        };
        let path = Rc::new(Seg::Index(self.path.clone(), index));
        let de = De {
            value: item,
            path: path.clone(),
            ctx: self.ctx,
        };
        seed.deserialize(de)
            .map(Some)
            .map_err(|e| e.locate(item.span.as_ref(), &path, Some(&item.data)))
    }
}

struct Map<'a, I> {
    entries: I,
    pending: Option<(&'a str, &'a Located)>,
    path: Rc<Seg>,
    ctx: &'a Ctx<'a>,
}

impl<'a, I: Iterator<Item = (&'a String, &'a Located)>> MapAccess<'a> for Map<'a, I> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some((key, value));
        let path = Seg::Key(self.path.clone(), key.clone());
        let de = Key { key };
        seed.deserialize(de)
            .map(Some)
            .map_err(|e| e.locate(value.span.as_ref(), &path, None))
    }

    fn next_value_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<T::Value, DeError> {
        let (key, value) = self
            .pending
            .take()
            .expect("serde asks for a value only after its key");
        let path = Rc::new(Seg::Key(self.path.clone(), key.to_string()));
        let de = De {
            value,
            path: path.clone(),
            ctx: self.ctx,
        };
        seed.deserialize(de)
            .map_err(|e| e.locate(value.span.as_ref(), &path, Some(&value.data)))
    }
}

/// The deserializer for an attribute name (a struct field, a map key, an enum tag). Its
/// errors get the binding's span from the caller, which knows it.
struct Key<'a> {
    key: &'a str,
}

impl<'de> Deserializer<'de> for Key<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.key)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if let Some(check) = checker(name)
            && let Err(invalid) = check(self.key)
        {
            return Err(DeError::new(DeKind::Checked {
                message: format!("attribute name {}", invalid.message),
                help: invalid.help,
            }));
        }
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct Enum<'a> {
    tag: &'a str,
    tag_span: Option<&'a Span>,
    content: Option<&'a Located>,
    /// The enum's own path (`base`), for errors about the tag.
    parent: Rc<Seg>,
    /// The content's path (`base.debootstrap`).
    path: Rc<Seg>,
    ctx: &'a Ctx<'a>,
}

impl<'a> EnumAccess<'a> for Enum<'a> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'a>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        let key = Key { key: self.tag };
        let value = seed
            .deserialize(key)
            .map_err(|e| e.locate(self.tag_span, &self.parent, None))?;
        Ok((value, self))
    }
}

impl<'a> VariantAccess<'a> for Enum<'a> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.content {
            None => Ok(()),
            Some(_) => Err(DeError::new(DeKind::WrongType {
                expected: format!("the string `{:?}`", self.tag),
            })),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<T::Value, DeError> {
        match self.content {
            Some(value) => seed.deserialize(De {
                value,
                path: self.path,
                ctx: self.ctx,
            }),
            None => Err(DeError::new(DeKind::WrongType {
                expected: format!("an attribute set `{{ {} = ...; }}`", self.tag),
            })),
        }
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        match self.content {
            Some(value) => De {
                value,
                path: self.path,
                ctx: self.ctx,
            }
            .deserialize_any(visitor),
            None => Err(DeError::new(DeKind::WrongType {
                expected: "a list".into(),
            })),
        }
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.content {
            Some(value) => De {
                value,
                path: self.path,
                ctx: self.ctx,
            }
            .deserialize_any(visitor),
            None => Err(DeError::new(DeKind::WrongType {
                expected: "an attribute set".into(),
            })),
        }
    }
}
