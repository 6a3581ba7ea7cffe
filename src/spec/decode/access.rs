//! serde's access traits over the merged tree: list items, attribute set entries, attribute
//! names (struct fields, map keys, enum tags) and enums written as a string or as a
//! one-attribute set.

use std::rc::Rc;

use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use super::error::{DeError, DeKind};
use super::value::De;
use super::{Ctx, Seg};
use crate::lang::Located;
use crate::source::Span;
use crate::spec::model::checker;

pub(super) struct Seq<'a, I> {
    pub(super) items: I,
    pub(super) path: Rc<Seg>,
    pub(super) ctx: &'a Ctx<'a>,
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

pub(super) struct Map<'a, I> {
    pub(super) entries: I,
    pub(super) pending: Option<(&'a str, &'a Located)>,
    pub(super) path: Rc<Seg>,
    pub(super) ctx: &'a Ctx<'a>,
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
pub(super) struct Key<'a> {
    pub(super) key: &'a str,
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
                message: invalid.message,
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

pub(super) struct Enum<'a> {
    pub(super) tag: &'a str,
    pub(super) tag_span: Option<&'a Span>,
    pub(super) content: Option<&'a Located>,
    /// The enum's own path (`base`), for errors about the tag.
    pub(super) parent: Rc<Seg>,
    /// The content's path (`base.debootstrap`).
    pub(super) path: Rc<Seg>,
    pub(super) ctx: &'a Ctx<'a>,
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
