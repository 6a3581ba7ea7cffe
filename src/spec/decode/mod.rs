//! Decode a merged [`Located`] tree into the typed model, keeping the span of whatever
//! failed.
//!
//! This is a serde `Deserializer` over `Located`. Each value's deserializer attaches its own
//! span and attribute path to an error that has none yet, so an error always points at the
//! innermost definition that caused it: an unknown field at its binding, a wrong type at
//! the value, a missing field at the attribute set that lacks it. Checked strings
//! ([`crate::spec::model::checker`]) are checked here first so that their `help:` survives.
//!
//! The pieces: [`error`] (the error on its way up and how it reads), [`value`] (the
//! deserializer of one value), [`access`] (lists, attribute sets, attribute names, enums).

mod access;
mod error;
mod value;

use std::fmt;
use std::path::Path;
use std::rc::Rc;

use serde::de;

use crate::lang::Located;
use crate::spec::error::SpecError;

pub use error::DeError;
use value::De;

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
    if is_plain_key(key) {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// Whether an attribute name can be written without quotes.
pub fn is_plain_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''))
}

fn path_text(seg: &Seg) -> String {
    let text = seg.to_string();
    if text.is_empty() {
        "the config".to_string()
    } else {
        text
    }
}
