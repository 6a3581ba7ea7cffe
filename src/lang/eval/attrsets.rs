//! Attribute sets: building set literals (`rec`, dynamic names, duplicate checks),
//! attribute names of selections, and the "attribute missing" error with its hint.

use std::rc::Rc;

use super::{Eval, similar_name};
use crate::lang::error::{EvalError, EvalResult};
use crate::lang::expr::{AttrKey, AttrsExpr};
use crate::lang::pos::Pos;
use crate::lang::value::{Attr, Attrs, Env, Slots, Value};

impl Eval {
    pub fn key_name(&self, key: &'static AttrKey, env: &Rc<Env>) -> EvalResult<Rc<str>> {
        match key {
            AttrKey::Static(name) => Ok(name.clone()),
            AttrKey::Dynamic(node) => match self.eval(node, env)? {
                Value::String(s) => Ok(s),
                other => Err(EvalError::eval(
                    format!(
                        "an attribute name is {} while a string was expected",
                        other.describe()
                    ),
                    node.pos,
                )),
            },
        }
    }

    pub fn missing_attr(&self, v: &Value, name: &str, pos: Pos) -> Box<EvalError> {
        match v {
            Value::Attrs(attrs) => {
                let mut e = EvalError::eval(format!("attribute `{name}` missing"), pos);
                if let Some(similar) = similar_name(name, attrs.entries.iter().map(|a| &*a.name)) {
                    e.help = Some(format!("did you mean `{similar}`?"));
                }
                e
            }
            other => EvalError::eval(
                format!(
                    "cannot select attribute `{name}`: the value is {} while a set was expected",
                    other.describe()
                ),
                pos,
            ),
        }
    }

    #[inline(never)]
    pub(super) fn eval_attrs(&self, a: &'static AttrsExpr, env: &Rc<Env>) -> EvalResult<Value> {
        let mut entries: Vec<Attr>;
        let scope = if a.rec {
            let frame = Env::new(Some(env.clone()), Slots::new());
            let values: Slots = a
                .statics
                .iter()
                .map(|s| self.delay_in_new_frame(&s.value, &frame))
                .collect();
            entries = a
                .statics
                .iter()
                .zip(values.iter())
                .map(|(s, v)| Attr {
                    name: s.name.clone(),
                    value: v.clone(),
                    pos: s.pos,
                })
                .collect();
            *frame.slots.borrow_mut() = values;
            frame
        } else {
            entries = a
                .statics
                .iter()
                .map(|s| Attr {
                    name: s.name.clone(),
                    value: self.delay(&s.value, env),
                    pos: s.pos,
                })
                .collect();
            env.clone()
        };
        for d in &a.dynamics {
            let name = match self.eval(&d.key, &scope)? {
                Value::String(s) => s,
                Value::Null => continue,
                other => {
                    return Err(EvalError::eval(
                        format!(
                            "a dynamic attribute name is {} while a string was expected",
                            other.describe()
                        ),
                        d.key.pos,
                    ));
                }
            };
            let value = self.delay(&d.value, &scope);
            match entries.binary_search_by(|e| (*e.name).cmp(&name)) {
                Ok(i) => {
                    let mut e = EvalError::eval(
                        format!("dynamic attribute `{name}` already defined"),
                        d.pos,
                    );
                    e.notes.push(("first defined here".into(), entries[i].pos));
                    return Err(e);
                }
                Err(i) => entries.insert(
                    i,
                    Attr {
                        name,
                        value,
                        pos: d.pos,
                    },
                ),
            }
        }
        Ok(Value::Attrs(Rc::new(Attrs::from_sorted(entries))))
    }
}
