//! Lowering of attribute sets, `let` bindings and attribute paths: nested paths
//! (`a.b.c = 1;`) are merged into nested set literals, `inherit` is resolved, and
//! duplicate attributes are refused before anything is evaluated.

use std::collections::HashMap;
use std::rc::Rc;

use rnix::ast::{self, HasEntry};
use rowan::ast::AstNode;

use super::strings::static_string;
use super::{LResult, LowerError, Lowerer, Scope, ident_text, internal};
use crate::lang::expr::{AttrKey, AttrsExpr, DynamicAttr, Expr, Node, StaticAttr};
use crate::lang::pos::Pos;

/// Bindings of a set or `let` being collected, before their values are lowered.
#[derive(Default)]
pub(super) struct Pending {
    /// A `rec` set literal that later paths extend (`a = rec { ... }; a.b = ...;`).
    pub(super) rec: bool,
    pub(super) statics: Vec<(Rc<str>, PendingValue, Pos)>,
    pub(super) dynamics: Vec<(ast::Expr, PendingValue, Pos)>,
    pub(super) index: HashMap<Rc<str>, usize>,
}

pub(super) enum PendingValue {
    Expr(ast::Expr),
    Nested(Box<Pending>),
    /// `inherit name;` (from the enclosing scope) or `inherit (e) name;`.
    Inherit(Option<ast::Expr>),
}

pub(super) enum KeyPart {
    Static(Rc<str>),
    Dynamic(ast::Expr),
}

impl Lowerer<'_> {
    pub(super) fn key_part(&self, attr: &ast::Attr) -> LResult<KeyPart> {
        Ok(match attr {
            ast::Attr::Ident(i) => KeyPart::Static(ident_text(i).into()),
            ast::Attr::Str(s) => match static_string(s) {
                Some(text) => KeyPart::Static(text.into()),
                None => KeyPart::Dynamic(ast::Expr::Str(s.clone())),
            },
            ast::Attr::Dynamic(d) => {
                let inner = d.expr().ok_or_else(|| internal("dynamic attribute"))?;
                match &inner {
                    ast::Expr::Str(s) => match static_string(s) {
                        Some(text) => KeyPart::Static(text.into()),
                        None => KeyPart::Dynamic(inner),
                    },
                    _ => KeyPart::Dynamic(inner),
                }
            }
        })
    }

    pub(super) fn attrpath(&mut self, path: &ast::Attrpath) -> LResult<Box<[AttrKey]>> {
        let mut keys = Vec::new();
        for attr in path.attrs() {
            keys.push(match self.key_part(&attr)? {
                KeyPart::Static(name) => AttrKey::Static(name),
                KeyPart::Dynamic(e) => AttrKey::Dynamic(self.lower(&e)?),
            });
        }
        Ok(keys.into_boxed_slice())
    }

    /// Collect the bindings of a set, `let` or legacy `let`, merging nested attribute
    /// paths (`a.b = 1; a.c = 2;`) and set literals they extend.
    pub(super) fn collect(&self, node: &impl HasEntry) -> LResult<Pending> {
        let mut pending = Pending::default();
        for entry in node.entries() {
            match entry {
                ast::Entry::Inherit(inherit) => {
                    let from = inherit.from().and_then(|f| f.expr());
                    for attr in inherit.attrs() {
                        let apos = self.pos_of(attr.syntax());
                        let name = match self.key_part(&attr)? {
                            KeyPart::Static(name) => name,
                            KeyPart::Dynamic(_) => {
                                return Err(self
                                    .err(apos, "dynamic attributes are not allowed in `inherit`"));
                            }
                        };
                        self.insert_static(
                            &mut pending,
                            name,
                            PendingValue::Inherit(from.clone()),
                            apos,
                        )?;
                    }
                }
                ast::Entry::AttrpathValue(apv) => {
                    let pos = self.pos_of(apv.syntax());
                    let path = apv.attrpath().ok_or_else(|| internal("binding path"))?;
                    let value = apv.value().ok_or_else(|| internal("binding value"))?;
                    let parts = path
                        .attrs()
                        .map(|a| self.key_part(&a))
                        .collect::<LResult<Vec<_>>>()?;
                    self.insert_path(&mut pending, parts, value, pos)?;
                }
            }
        }
        Ok(pending)
    }

    pub(super) fn insert_static(
        &self,
        pending: &mut Pending,
        name: Rc<str>,
        value: PendingValue,
        pos: Pos,
    ) -> LResult<()> {
        if let Some(&i) = pending.index.get(&name) {
            // `a = { x = 1; }; a = { y = 2; };` is allowed when both are plain set literals.
            let existing_pos = pending.statics[i].2;
            if let PendingValue::Expr(ast::Expr::AttrSet(set)) = &value
                && self.make_nested(&mut pending.statics[i].1)
            {
                let PendingValue::Nested(nested) = &mut pending.statics[i].1 else {
                    return Err(internal("nested"));
                };
                let more = self.collect(set)?;
                return self.merge(nested, more);
            }
            return Err(self.duplicate(&name, pos, existing_pos));
        }
        pending.index.insert(name.clone(), pending.statics.len());
        pending.statics.push((name, value, pos));
        Ok(())
    }

    pub(super) fn merge(&self, into: &mut Pending, more: Pending) -> LResult<()> {
        for (name, value, pos) in more.statics {
            self.insert_static(into, name, value, pos)?;
        }
        into.dynamics.extend(more.dynamics);
        Ok(())
    }

    pub(super) fn duplicate(&self, name: &str, pos: Pos, earlier: Pos) -> LowerError {
        LowerError {
            message: format!("attribute `{name}` already defined"),
            pos,
            help: None,
            other: Some(earlier),
        }
    }

    /// Turn a pending value into a nested binding set if it is a non-`rec` set literal
    /// (or already nested); false if it cannot take more attributes.
    pub(super) fn make_nested(&self, value: &mut PendingValue) -> bool {
        match value {
            PendingValue::Nested(_) => true,
            PendingValue::Expr(ast::Expr::AttrSet(set)) => match self.collect(set) {
                Ok(mut p) => {
                    p.rec = set.rec_token().is_some();
                    *value = PendingValue::Nested(Box::new(p));
                    true
                }
                Err(_) => false,
            },
            _ => false,
        }
    }

    pub(super) fn insert_path(
        &self,
        pending: &mut Pending,
        mut parts: Vec<KeyPart>,
        value: ast::Expr,
        pos: Pos,
    ) -> LResult<()> {
        if parts.is_empty() {
            return Err(internal("empty attribute path"));
        }
        let first = parts.remove(0);
        if parts.is_empty() {
            return match first {
                KeyPart::Static(name) => {
                    self.insert_static(pending, name, PendingValue::Expr(value), pos)
                }
                KeyPart::Dynamic(key) => {
                    pending.dynamics.push((key, PendingValue::Expr(value), pos));
                    Ok(())
                }
            };
        }
        match first {
            KeyPart::Static(name) => {
                let i = match pending.index.get(&name) {
                    Some(&i) => {
                        if !self.make_nested(&mut pending.statics[i].1) {
                            return Err(self.duplicate(&name, pos, pending.statics[i].2));
                        }
                        i
                    }
                    None => {
                        pending.index.insert(name.clone(), pending.statics.len());
                        pending
                            .statics
                            .push((name, PendingValue::Nested(Box::default()), pos));
                        pending.statics.len() - 1
                    }
                };
                let PendingValue::Nested(nested) = &mut pending.statics[i].1 else {
                    return Err(internal("nested"));
                };
                self.insert_path(nested, parts, value, pos)
            }
            KeyPart::Dynamic(key) => {
                let mut nested = Pending::default();
                self.insert_path(&mut nested, parts, value, pos)?;
                pending
                    .dynamics
                    .push((key, PendingValue::Nested(Box::new(nested)), pos));
                Ok(())
            }
        }
    }

    /// Lower a set literal; for `rec`, inside a new frame of its static attributes.
    pub(super) fn attrs(&mut self, pending: Pending, rec: bool) -> LResult<AttrsExpr> {
        if !rec {
            let mut attrs = self.lower_pending(pending, false)?;
            attrs.rec = false;
            return Ok(attrs);
        }
        // Frame slots follow the sorted order of the statics.
        let mut names: Vec<Rc<str>> = pending.statics.iter().map(|(n, _, _)| n.clone()).collect();
        names.sort();
        self.push_frame(names);
        let result = self.lower_pending(pending, true);
        self.scopes.pop();
        let mut attrs = result?;
        attrs.rec = true;
        Ok(attrs)
    }

    /// Lower collected bindings. `in_frame`: the innermost scope is the frame of these
    /// very bindings (rec set or `let`), so plain `inherit x;` must look past it.
    /// The statics come out sorted by name; for a `let`, the frame was pushed with the
    /// same names in collection order, so the caller maps them back.
    pub(super) fn lower_pending(&mut self, pending: Pending, in_frame: bool) -> LResult<AttrsExpr> {
        let frame_order: Option<HashMap<Rc<str>, u32>> = match (in_frame, self.scopes.last()) {
            (true, Some(Scope::Frame(map))) => Some(map.clone()),
            _ => None,
        };
        let mut statics = Vec::with_capacity(pending.statics.len());
        for (name, value, pos) in pending.statics {
            let node = self.pending_value(&name, value, pos, in_frame)?;
            statics.push(StaticAttr {
                name,
                value: node,
                pos,
            });
        }
        match frame_order {
            // Order statics by their frame slot so that slot i is statics[i].
            Some(map) => statics.sort_by_key(|s| map.get(&s.name).copied().unwrap_or(u32::MAX)),
            None => statics.sort_by(|a, b| a.name.cmp(&b.name)),
        }
        let mut dynamics = Vec::with_capacity(pending.dynamics.len());
        for (key, value, pos) in pending.dynamics {
            let key = self.lower(&key)?;
            let value = self.pending_value("", value, pos, in_frame)?;
            dynamics.push(DynamicAttr { key, value, pos });
        }
        Ok(AttrsExpr {
            rec: false,
            statics,
            dynamics,
        })
    }

    pub(super) fn pending_value(
        &mut self,
        name: &str,
        value: PendingValue,
        pos: Pos,
        in_frame: bool,
    ) -> LResult<Node> {
        match value {
            PendingValue::Expr(e) => self.lower(&e),
            PendingValue::Nested(p) => {
                let rec = p.rec;
                let attrs = self.attrs(*p, rec)?;
                Ok(self.node(Expr::Attrs(Box::new(attrs)), pos))
            }
            PendingValue::Inherit(None) => {
                let kind = self.resolve(name, pos, usize::from(in_frame))?;
                Ok(self.node(kind, pos))
            }
            PendingValue::Inherit(Some(from)) => {
                let target = self.lower(&from)?;
                Ok(self.node(
                    Expr::Select(
                        Box::new(target),
                        vec![AttrKey::Static(name.into())].into_boxed_slice(),
                        None,
                    ),
                    pos,
                ))
            }
        }
    }
}
