//! Runtime values of the evaluator: the small `Value` enum, attribute sets, lists,
//! closures, partially applied builtins, and lazy thunks.
//!
//! Everything big sits behind an `Rc`, so cloning a value is a reference-count bump;
//! `//` and `++` copy only the top-level vectors. Identity of lists and attribute sets
//! (the `Rc` pointer) is observable only through Nix's `«repeated»` printing.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use super::builtins::BuiltinDef;
use super::expr::{LambdaExpr, Node};
use super::pos::Pos;

/// A Nix value. `Thunk` appears only inside containers and environments; the evaluator's
/// `eval` and `force` always return something else.
#[derive(Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(Rc<str>),
    /// An absolute, normalised path.
    Path(Rc<Path>),
    Attrs(Rc<Attrs>),
    List(Rc<List>),
    Lambda(Rc<Closure>),
    Builtin(Rc<PartialBuiltin>),
    Thunk(Thunk),
}

impl Value {
    pub fn string(s: impl Into<Rc<str>>) -> Value {
        Value::String(s.into())
    }

    /// The name `builtins.typeOf` gives this (forced) value's type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Path(_) => "path",
            Value::Attrs(_) => "set",
            Value::List(_) => "list",
            Value::Lambda(_) | Value::Builtin(_) => "lambda",
            Value::Thunk(_) => "thunk",
        }
    }

    /// How error messages name this type (as Nix does: "a string", "an integer").
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a Boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::String(_) => "a string",
            Value::Path(_) => "a path",
            Value::Attrs(_) => "a set",
            Value::List(_) => "a list",
            Value::Lambda(_) => "a function",
            Value::Builtin(_) => "a built-in function",
            Value::Thunk(_) => "a thunk",
        }
    }
}

/// One attribute: its name, its (possibly lazy) value, and where it was defined.
#[derive(Clone)]
pub struct Attr {
    pub name: Rc<str>,
    pub value: Value,
    pub pos: Pos,
}

/// An attribute set: entries sorted by name (byte order, as Nix sorts them), no duplicates.
#[derive(Clone, Default)]
pub struct Attrs {
    pub entries: Vec<Attr>,
}

impl Attrs {
    /// Build from entries in any order; later duplicates are dropped by the caller's contract.
    pub fn from_sorted(entries: Vec<Attr>) -> Attrs {
        debug_assert!(entries.windows(2).all(|w| w[0].name < w[1].name));
        Attrs { entries }
    }

    /// Sort entries by name and keep the first definition of each name.
    pub fn from_unsorted(mut entries: Vec<Attr>) -> Attrs {
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        entries.dedup_by(|later, earlier| later.name == earlier.name);
        Attrs { entries }
    }

    /// Like `from_unsorted`, but the last definition of a name wins (`listToAttrs` keeps the
    /// first; `//` and `mapAttrs` do not need this).
    pub fn index(&self, name: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|a| (*a.name).cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.index(name).ok().map(|i| &self.entries[i].value)
    }

    pub fn get_attr(&self, name: &str) -> Option<&Attr> {
        self.index(name).ok().map(|i| &self.entries[i])
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `self // other`: a merge of two sorted vectors, right side winning.
    pub fn update(&self, other: &Attrs) -> Attrs {
        let (a, b) = (&self.entries, &other.entries);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].name.cmp(&b[j].name) {
                std::cmp::Ordering::Less => {
                    out.push(a[i].clone());
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.push(b[j].clone());
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    out.push(b[j].clone());
                    i += 1;
                    j += 1;
                }
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        Attrs { entries: out }
    }
}

/// A list, with the source position of each element when it came from a list literal
/// (or a concatenation of them), so that the output can say where an element was written.
#[derive(Clone, Default)]
pub struct List {
    pub items: Vec<Value>,
    pub pos: Option<Vec<Pos>>,
}

impl List {
    pub fn new(items: Vec<Value>) -> List {
        List { items, pos: None }
    }
}

/// A lambda together with the environment it closes over.
pub struct Closure {
    pub lambda: &'static LambdaExpr,
    pub env: Rc<Env>,
}

/// A builtin and the arguments it has received so far (fewer than its arity).
pub struct PartialBuiltin {
    pub def: &'static BuiltinDef,
    pub args: Vec<Value>,
}

/// One frame of variables: a `let`, a `rec` set, a lambda's arguments, or a `with` scope
/// (whose single slot holds the namespace). Slots are filled right after the frame is
/// made, before anything can be evaluated in it, so the `RefCell` is never contended.
pub struct Env {
    /// Most frames (lambda calls, `with`) have one or two slots: keep those inline, so
    /// that a call costs one allocation.
    pub slots: RefCell<Slots>,
    pub parent: Option<Rc<Env>>,
}

pub type Slots = smallvec::SmallVec<[Value; 2]>;

impl Env {
    pub fn new(parent: Option<Rc<Env>>, slots: Slots) -> Rc<Env> {
        Rc::new(Env {
            slots: RefCell::new(slots),
            parent,
        })
    }

    pub fn ancestor(self: &Rc<Env>, depth: u32) -> &Rc<Env> {
        let mut env = self;
        for _ in 0..depth {
            env = env
                .parent
                .as_ref()
                .expect("lowering resolved variables to existing frames");
        }
        env
    }

    #[inline]
    pub fn get(&self, index: u32) -> Value {
        self.slots.borrow()[index as usize].clone()
    }
}

/// A suspended computation, memoised in place when forced.
#[derive(Clone)]
pub struct Thunk(pub Rc<RefCell<ThunkState>>);

/// A lazy computation made by a builtin.
pub type NativeFn = Rc<dyn Fn(&super::eval::Eval) -> super::error::EvalResult<Value>>;

pub enum ThunkState {
    /// An expression to evaluate in an environment.
    Pending(&'static Node, Rc<Env>),
    /// A function application made lazily by a builtin (`map f xs`, `genList`...).
    /// The function and call position are shared by all the elements of one call.
    Apply(Rc<(Value, Pos)>, Value),
    /// A lazy computation made by a builtin (`mapAttrs`, `zipAttrsWith`...).
    Native(NativeFn, Pos),
    /// Being forced right now: forcing it again is infinite recursion.
    Blackhole(Pos),
    Done(Value),
}

impl Thunk {
    pub fn pending(node: &'static Node, env: Rc<Env>) -> Value {
        Value::Thunk(Thunk(Rc::new(RefCell::new(ThunkState::Pending(node, env)))))
    }

    pub fn apply(f: &Rc<(Value, Pos)>, arg: Value) -> Value {
        Value::Thunk(Thunk(Rc::new(RefCell::new(ThunkState::Apply(
            f.clone(),
            arg,
        )))))
    }

    pub fn native(
        f: impl Fn(&super::eval::Eval) -> super::error::EvalResult<Value> + 'static,
        pos: Pos,
    ) -> Value {
        Value::Thunk(Thunk(Rc::new(RefCell::new(ThunkState::Native(
            Rc::new(f),
            pos,
        )))))
    }
}
