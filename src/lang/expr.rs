//! The lowered expression tree the evaluator walks.
//!
//! Each file is lowered once from rnix's lossless syntax tree. Variables are resolved to
//! `(depth, index)` slots of environment frames; only names that no lexical scope or
//! builtin binds are looked up dynamically in enclosing `with` scopes. Literals are
//! pre-built values. Every node keeps its source position beside it.
//!
//! Lowered trees are leaked (`&'static`): they live as long as the process, which lets
//! thunks and closures point into them without reference counting.

use std::rc::Rc;

use super::pos::Pos;
use super::value::Value;

pub struct Node {
    pub kind: Expr,
    pub pos: Pos,
}

pub enum Expr {
    Const(Value),
    /// `__curPos`.
    CurPos,
    /// A lexically bound variable: `depth` frames up, slot `index`.
    Var {
        depth: u32,
        index: u32,
    },
    /// A name only `with` scopes can bind; `withs` are their frame depths, innermost first.
    WithVar {
        name: Rc<str>,
        withs: Box<[u32]>,
    },
    Lambda(Box<LambdaExpr>),
    Apply(Box<Node>, Box<Node>),
    /// `let` bindings: a new frame whose slots are the bindings, then the body in it.
    Let(Box<[Node]>, Box<Node>),
    Attrs(Box<AttrsExpr>),
    List(Box<[Node]>),
    Select(Box<Node>, Box<[AttrKey]>, Option<Box<Node>>),
    HasAttr(Box<Node>, Box<[AttrKey]>),
    If(Box<Node>, Box<Node>, Box<Node>),
    Assert(Box<Node>, Box<Node>),
    /// `with ns; body`: a frame with one slot, the namespace.
    With(Box<Node>, Box<Node>),
    BinOp(BinOp, Box<Node>, Box<Node>),
    Not(Box<Node>),
    Negate(Box<Node>),
    /// A string with interpolations: the parts are concatenated after coercion.
    Interpolate(Box<[Node]>),
    /// A path literal with interpolations, resolved against the file's folder.
    PathInterpolate(Rc<std::path::Path>, Box<[Node]>),
    /// A failure found while lowering that must only fire if evaluated (for example a
    /// `~/` path or an unknown search path), so that unused branches stay harmless.
    Error(super::error::ErrorKind, String, Option<String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Concat,
    Update,
    Eq,
    NotEq,
    Less,
    LessEq,
    More,
    MoreEq,
    And,
    Or,
    Impl,
    PipeRight,
    PipeLeft,
}

pub enum AttrKey {
    Static(Rc<str>),
    Dynamic(Node),
}

pub struct LambdaExpr {
    pub param: Param,
    pub body: Node,
    /// Slots in the call frame: one per formal (plus the `@` name), or one for `x:`.
    pub frame_size: u32,
    pub pos: Pos,
}

pub enum Param {
    Ident(Rc<str>),
    Formals {
        /// In source order; the frame slot of formal `i` is `i`.
        formals: Vec<Formal>,
        ellipsis: bool,
        /// The `@` name's slot (`formals.len()`), if any.
        at: Option<Rc<str>>,
    },
}

pub struct Formal {
    pub name: Rc<str>,
    pub default: Option<Node>,
    pub pos: Pos,
}

/// An attribute set literal (or a `let`'s bindings before lowering to `Let`).
pub struct AttrsExpr {
    /// `rec`: a frame whose slots are the static attributes, in `statics` order.
    pub rec: bool,
    /// Sorted by name, unique.
    pub statics: Vec<StaticAttr>,
    pub dynamics: Vec<DynamicAttr>,
}

pub struct StaticAttr {
    pub name: Rc<str>,
    pub value: Node,
    /// The definition (`name = value;` or the `inherit` item).
    pub pos: Pos,
}

pub struct DynamicAttr {
    pub key: Node,
    pub value: Node,
    pub pos: Pos,
}
