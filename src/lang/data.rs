//! The evaluator's output to the rest of envc: plain data with definition spans.

use std::collections::BTreeMap;

use crate::source::Span;

/// A fully evaluated value, as the spec stage consumes it (from `.nix` or `.json`).
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    /// An absolute path (a Nix path literal, resolved against its file).
    Path(std::path::PathBuf),
    List(Vec<Located>),
    Attrs(BTreeMap<String, Located>),
}

/// A value and where it was defined (the attribute binding or list element), if known.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub data: Data,
    pub span: Option<Span>,
}

impl Located {
    pub fn new(data: Data, span: Option<Span>) -> Self {
        Located { data, span }
    }
}
