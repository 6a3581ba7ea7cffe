//! The builtins: the table of primitive operations, the `builtins` set, the names Nix
//! puts in the global scope, and the non-hermetic builtins envc refuses.
//!
//! A builtin is a plain function of its forced-or-lazy arguments; arguments arrive
//! unevaluated and each builtin forces exactly what Nix forces, so laziness matches.

mod attrs;
mod control;
mod hash;
mod json;
mod lists;
mod math;
mod strings;
mod types;
mod versions;

use std::rc::Rc;

use super::error::{ErrorKind, EvalError, EvalResult};
use super::eval::Eval;
use super::lower::Globals;
use super::pos::Pos;
use super::value::{Attr, Attrs, List, PartialBuiltin, Thunk, Value};

pub type BuiltinFn = fn(&Eval, &[Value], Pos) -> EvalResult<Value>;

/// A primitive operation: called once `arity` arguments have been applied.
pub struct BuiltinDef {
    pub name: &'static str,
    pub arity: usize,
    pub func: BuiltinFn,
}

macro_rules! builtin {
    ($name:expr, $arity:expr, $func:path) => {
        BuiltinDef {
            name: $name,
            arity: $arity,
            func: $func,
        }
    };
}

static BUILTINS: &[BuiltinDef] = &[
    builtin!("abort", 1, control::abort),
    builtin!("add", 2, math::add),
    builtin!("addErrorContext", 2, control::add_error_context),
    builtin!("all", 2, lists::all),
    builtin!("any", 2, lists::any),
    builtin!("attrNames", 1, attrs::attr_names),
    builtin!("attrValues", 1, attrs::attr_values),
    builtin!("baseNameOf", 1, strings::base_name_of),
    builtin!("bitAnd", 2, math::bit_and),
    builtin!("bitOr", 2, math::bit_or),
    builtin!("bitXor", 2, math::bit_xor),
    builtin!("break", 1, control::identity),
    builtin!("catAttrs", 2, attrs::cat_attrs),
    builtin!("ceil", 1, math::ceil),
    builtin!("compareVersions", 2, versions::compare_versions),
    builtin!("concatLists", 1, lists::concat_lists),
    builtin!("concatMap", 2, lists::concat_map),
    builtin!("concatStringsSep", 2, strings::concat_strings_sep),
    builtin!("deepSeq", 2, control::deep_seq),
    builtin!("dirOf", 1, strings::dir_of),
    builtin!("div", 2, math::div),
    builtin!("elem", 2, lists::elem),
    builtin!("elemAt", 2, lists::elem_at),
    builtin!("filter", 2, lists::filter),
    builtin!("floor", 1, math::floor),
    builtin!("foldl'", 3, lists::foldl),
    builtin!("fromJSON", 1, json::from_json),
    builtin!("functionArgs", 1, types::function_args),
    builtin!("genList", 2, lists::gen_list),
    builtin!("genericClosure", 1, lists::generic_closure),
    builtin!("getAttr", 2, attrs::get_attr),
    builtin!("groupBy", 2, lists::group_by),
    builtin!("hasAttr", 2, attrs::has_attr),
    builtin!("hashString", 2, hash::hash_string),
    builtin!("head", 1, lists::head),
    builtin!("import", 1, control::import),
    builtin!("intersectAttrs", 2, attrs::intersect_attrs),
    builtin!("isAttrs", 1, types::is_attrs),
    builtin!("isBool", 1, types::is_bool),
    builtin!("isFloat", 1, types::is_float),
    builtin!("isFunction", 1, types::is_function),
    builtin!("isInt", 1, types::is_int),
    builtin!("isList", 1, types::is_list),
    builtin!("isNull", 1, types::is_null),
    builtin!("isPath", 1, types::is_path),
    builtin!("isString", 1, types::is_string),
    builtin!("length", 1, lists::length),
    builtin!("lessThan", 2, math::less_than),
    builtin!("listToAttrs", 1, attrs::list_to_attrs),
    builtin!("map", 2, lists::map),
    builtin!("mapAttrs", 2, attrs::map_attrs),
    builtin!("match", 2, strings::match_),
    builtin!("mul", 2, math::mul),
    builtin!("parseDrvName", 1, versions::parse_drv_name),
    builtin!("partition", 2, lists::partition),
    builtin!("pathExists", 1, control::path_exists),
    builtin!("readDir", 1, control::read_dir),
    builtin!("readFile", 1, control::read_file),
    builtin!("removeAttrs", 2, attrs::remove_attrs),
    builtin!("replaceStrings", 3, strings::replace_strings),
    builtin!("seq", 2, control::seq),
    builtin!("sort", 2, lists::sort),
    builtin!("split", 2, strings::split),
    builtin!("splitVersion", 1, versions::split_version),
    builtin!("stringLength", 1, strings::string_length),
    builtin!("sub", 2, math::sub),
    builtin!("substring", 3, strings::substring),
    builtin!("tail", 1, lists::tail),
    builtin!("throw", 1, control::throw),
    builtin!("toJSON", 1, json::to_json),
    builtin!("toString", 1, strings::to_string),
    builtin!("trace", 2, control::trace),
    builtin!("tryEval", 1, control::try_eval),
    builtin!("typeOf", 1, types::type_of),
    builtin!("unsafeDiscardStringContext", 1, strings::discard_context),
    builtin!("unsafeGetAttrPos", 2, attrs::unsafe_get_attr_pos),
    builtin!("zipAttrsWith", 2, attrs::zip_attrs_with),
    builtin!("getContext", 1, strings::get_context),
    builtin!("hasContext", 1, strings::has_context),
    builtin!("appendContext", 2, strings::append_context),
    builtin!("unsafeDiscardOutputDependency", 1, strings::discard_context),
    builtin!("toPath", 1, strings::to_path),
    builtin!("fromTOML", 1, json::from_toml),
    builtin!("toXML", 1, json::to_xml),
];

/// Builtins that would make evaluation depend on the machine, the time, the network or
/// the Nix store. Using one is an error; `builtins ? getEnv` still holds, as in Nix.
const REFUSED: &[&str] = &[
    "currentSystem",
    "currentTime",
    "derivation",
    "derivationStrict",
    "exec",
    "fetchGit",
    "fetchMercurial",
    "fetchTarball",
    "fetchTree",
    "fetchurl",
    "filterSource",
    "findFile",
    "getEnv",
    "hashFile",
    "nixPath",
    "nixVersion",
    "path",
    "placeholder",
    "scopedImport",
    "storeDir",
    "storePath",
    "toFile",
];

/// Names Nix binds in the global scope besides `builtins`, `true`, `false`, `null`.
const GLOBAL: &[&str] = &[
    "abort",
    "baseNameOf",
    "break",
    "derivation",
    "dirOf",
    "fetchGit",
    "fetchMercurial",
    "fetchTarball",
    "fetchTree",
    "fromTOML",
    "import",
    "isNull",
    "map",
    "placeholder",
    "removeAttrs",
    "scopedImport",
    "throw",
    "toString",
];

fn refused(name: &'static str) -> Value {
    Thunk::native(
        move |_| {
            Err(EvalError::new(
                ErrorKind::Hermetic,
                format!("`builtins.{name}` is not available: envc evaluation is hermetic"),
                None,
            )
            .with_help_text(
                "envc evaluates the same way on every machine, so it offers no access to the environment, the clock, the network or a Nix store",
            ))
        },
        Pos::default(),
    )
}

trait HelpText {
    fn with_help_text(self, help: &str) -> Self;
}

impl HelpText for Box<EvalError> {
    fn with_help_text(mut self, help: &str) -> Self {
        self.help = Some(help.to_string());
        self
    }
}

/// The global scope: `builtins`, the top-level builtins and `__name` aliases.
pub fn globals() -> Globals {
    let mut entries: Vec<Attr> = Vec::new();
    for def in BUILTINS {
        entries.push(Attr {
            name: def.name.into(),
            value: Value::Builtin(Rc::new(PartialBuiltin {
                def,
                args: Vec::new(),
            })),
            pos: Pos::default(),
        });
    }
    for name in REFUSED {
        entries.push(Attr {
            name: (*name).into(),
            value: refused(name),
            pos: Pos::default(),
        });
    }
    for (name, value) in [
        ("true", Value::Bool(true)),
        ("false", Value::Bool(false)),
        ("null", Value::Null),
        ("langVersion", Value::Int(6)),
    ] {
        entries.push(Attr {
            name: name.into(),
            value,
            pos: Pos::default(),
        });
    }
    // `builtins.builtins` is `builtins` itself: a thunk filled once the set exists.
    let cell = Thunk::native(|_| Ok(Value::Null), Pos::default());
    entries.push(Attr {
        name: "builtins".into(),
        value: cell.clone(),
        pos: Pos::default(),
    });
    let attrs = Rc::new(Attrs::from_unsorted(entries));
    let builtins = Value::Attrs(attrs.clone());
    if let Value::Thunk(t) = &cell {
        *t.0.borrow_mut() = super::value::ThunkState::Done(builtins.clone());
    }

    let mut globals = Globals::new();
    for a in &attrs.entries {
        let name: &'static str = Box::leak(format!("__{}", a.name).into_boxed_str());
        globals.insert(name, a.value.clone());
    }
    for name in GLOBAL {
        if let Some(v) = attrs.get(name) {
            globals.insert(name, v.clone());
        }
    }
    globals.insert("builtins", builtins);
    globals.insert("true", Value::Bool(true));
    globals.insert("false", Value::Bool(false));
    globals.insert("null", Value::Null);
    globals
}

// ---- argument helpers shared by the builtin files ------------------------------------------

fn type_error(name: &str, v: &Value, expected: &str, pos: Pos) -> Box<EvalError> {
    EvalError::eval(
        format!(
            "`builtins.{name}`: the argument is {} while {expected} was expected",
            v.describe()
        ),
        pos,
    )
}

impl Eval {
    pub(crate) fn arg_int(&self, v: &Value, name: &str, pos: Pos) -> EvalResult<i64> {
        match self.force(v)? {
            Value::Int(i) => Ok(i),
            other => Err(type_error(name, &other, "an integer", pos)),
        }
    }

    pub(crate) fn arg_string(&self, v: &Value, name: &str, pos: Pos) -> EvalResult<Rc<str>> {
        match self.force(v)? {
            Value::String(s) => Ok(s),
            other => Err(type_error(name, &other, "a string", pos)),
        }
    }

    pub(crate) fn arg_list(&self, v: &Value, name: &str, pos: Pos) -> EvalResult<Rc<List>> {
        match self.force(v)? {
            Value::List(l) => Ok(l),
            other => Err(type_error(name, &other, "a list", pos)),
        }
    }

    pub(crate) fn arg_attrs(&self, v: &Value, name: &str, pos: Pos) -> EvalResult<Rc<Attrs>> {
        match self.force(v)? {
            Value::Attrs(a) => Ok(a),
            other => Err(type_error(name, &other, "a set", pos)),
        }
    }

    pub(crate) fn arg_function(&self, v: &Value, name: &str, pos: Pos) -> EvalResult<Value> {
        match self.force(v)? {
            f @ (Value::Lambda(_) | Value::Builtin(_)) => Ok(f),
            f @ Value::Attrs(_) => Ok(f),
            other => Err(EvalError::eval(
                format!(
                    "`builtins.{name}`: the argument is not a function but {}",
                    other.describe()
                ),
                pos,
            )),
        }
    }

    /// Call a predicate and insist on a Boolean result.
    pub(crate) fn call_bool(
        &self,
        f: &Value,
        arg: Value,
        name: &str,
        pos: Pos,
    ) -> EvalResult<bool> {
        match self.call(f.clone(), arg, pos)? {
            Value::Bool(b) => Ok(b),
            other => Err(EvalError::eval(
                format!(
                    "`builtins.{name}`: the function returned {} while a Boolean was expected",
                    other.describe()
                ),
                pos,
            )),
        }
    }
}

pub(crate) fn list(items: Vec<Value>) -> Value {
    Value::List(Rc::new(List::new(items)))
}

pub(crate) fn attrs_value(entries: Vec<Attr>) -> Value {
    Value::Attrs(Rc::new(Attrs::from_sorted(entries)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_are_unique() {
        let mut names: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
        names.extend(REFUSED);
        let before = names.len();
        names.sort();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
