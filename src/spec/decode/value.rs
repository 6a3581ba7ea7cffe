//! The deserializer of one value of the merged tree. Checked string kinds are checked here,
//! where the span is known; a Nix path literal becomes a project-relative string.

use std::fmt;
use std::path::Path;
use std::rc::Rc;

use serde::de::{self, Deserializer, IntoDeserializer, Visitor};

use super::access::{Enum, Map, Seq};
use super::error::{DeError, DeKind, list};
use super::{Ctx, Seg};
use crate::lang::{Data, Located};
use crate::spec::model::{HostPath, ProjectPath, RunString, checker};

/// The deserializer for one value.
pub(super) struct De<'a> {
    pub(super) value: &'a Located,
    pub(super) path: Rc<Seg>,
    pub(super) ctx: &'a Ctx<'a>,
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
            (n, Some(rel)) if n == RunString::NEWTYPE || n == HostPath::NEWTYPE => {
                Ok(format!("{{project}}/{}", rel.to_string_lossy()))
            }
            (n, None)
                if n == ProjectPath::NEWTYPE
                    || n == RunString::NEWTYPE
                    || n == HostPath::NEWTYPE =>
            {
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
