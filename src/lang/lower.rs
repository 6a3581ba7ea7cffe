//! Lowering: rnix's syntax tree → our compact [`Node`] tree, once per file.
//!
//! Invariant: lowering only ever sees trees that parsed without errors (`parse.rs`
//! refuses the file otherwise), so the AST accessors' `Option`s that are `None` only in
//! broken trees are treated as internal errors, never as user-facing conditions.
//!
//! Here variables are resolved to frame slots, nested attribute paths (`a.b.c = 1;`)
//! are merged into nested set literals, and static mistakes (undefined variables,
//! duplicate attributes, dynamic attributes in `let`) are reported before anything is
//! evaluated, as Nix does.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use rnix::ast::{self, AstToken, HasEntry, InterpolPart};
use rowan::ast::AstNode;

use super::expr::{
    AttrKey, AttrsExpr, BinOp, DynamicAttr, Expr, Formal, LambdaExpr, Node, Param, StaticAttr,
};
use super::paths;
use super::pos::Pos;
use super::value::Value;

/// A mistake found while lowering: the file is not evaluated.
#[derive(Debug)]
pub struct LowerError {
    pub message: String,
    pub pos: Pos,
    pub help: Option<String>,
    /// A second location (the earlier definition of a duplicate attribute).
    pub other: Option<Pos>,
}

/// The names visible in every file: builtins and the top-level constants.
pub type Globals = HashMap<&'static str, Value>;

enum Scope {
    Frame(HashMap<Rc<str>, u32>),
    With,
}

pub struct Lowerer<'g> {
    file: u32,
    dir: Rc<Path>,
    globals: &'g Globals,
    scopes: Vec<Scope>,
}

type LResult<T> = Result<T, LowerError>;

/// Bindings of a set or `let` being collected, before their values are lowered.
#[derive(Default)]
struct Pending {
    /// A `rec` set literal that later paths extend (`a = rec { ... }; a.b = ...;`).
    rec: bool,
    statics: Vec<(Rc<str>, PendingValue, Pos)>,
    dynamics: Vec<(ast::Expr, PendingValue, Pos)>,
    index: HashMap<Rc<str>, usize>,
}

enum PendingValue {
    Expr(ast::Expr),
    Nested(Box<Pending>),
    /// `inherit name;` (from the enclosing scope) or `inherit (e) name;`.
    Inherit(Option<ast::Expr>),
}

enum KeyPart {
    Static(Rc<str>),
    Dynamic(ast::Expr),
}

fn internal(what: &str) -> LowerError {
    LowerError {
        message: format!("internal error: malformed syntax tree ({what})"),
        pos: Pos::default(),
        help: None,
        other: None,
    }
}

impl<'g> Lowerer<'g> {
    pub fn new(file: u32, dir: Rc<Path>, globals: &'g Globals) -> Self {
        Lowerer {
            file,
            dir,
            globals,
            scopes: Vec::new(),
        }
    }

    fn pos_of(&self, node: &rnix::SyntaxNode) -> Pos {
        let range = node.text_range();
        Pos::new(self.file, range.start().into(), range.end().into())
    }

    fn err(&self, pos: Pos, message: impl Into<String>) -> LowerError {
        LowerError {
            message: message.into(),
            pos,
            help: None,
            other: None,
        }
    }

    pub fn lower_root(&mut self, root: &ast::Root) -> LResult<Node> {
        let expr = root.expr().ok_or_else(|| internal("empty root"))?;
        self.lower(&expr)
    }

    fn node(&self, kind: Expr, pos: Pos) -> Node {
        Node { kind, pos }
    }

    fn lower_boxed(&mut self, expr: Option<ast::Expr>, what: &str) -> LResult<Box<Node>> {
        let expr = expr.ok_or_else(|| internal(what))?;
        Ok(Box::new(self.lower(&expr)?))
    }

    pub fn lower(&mut self, expr: &ast::Expr) -> LResult<Node> {
        let pos = self.pos_of(expr.syntax());
        let kind = match expr {
            ast::Expr::Paren(p) => {
                return self.lower(&p.expr().ok_or_else(|| internal("paren"))?);
            }
            ast::Expr::Root(r) => return self.lower_root(r),
            ast::Expr::Literal(lit) => self.literal(lit, pos)?,
            ast::Expr::Ident(ident) => {
                let name = ident_text(ident);
                self.resolve(&name, pos, 0)?
            }
            ast::Expr::Str(s) => self.string(s)?,
            ast::Expr::PathAbs(p) => self.path(p.parts(), PathKind::Abs, pos)?,
            ast::Expr::PathRel(p) => self.path(p.parts(), PathKind::Rel, pos)?,
            ast::Expr::PathHome(p) => self.path(p.parts(), PathKind::Home, pos)?,
            ast::Expr::PathSearch(p) => {
                let text = p
                    .content()
                    .map(|c| c.text().to_string())
                    .ok_or_else(|| internal("search path"))?;
                let name = text.trim_start_matches('<').trim_end_matches('>');
                paths::search_path(name)
            }
            ast::Expr::List(list) => {
                let items = list
                    .items()
                    .map(|item| self.lower(&item))
                    .collect::<LResult<Vec<_>>>()?;
                Expr::List(items.into_boxed_slice())
            }
            ast::Expr::Apply(app) => Expr::Apply(
                self.lower_boxed(app.lambda(), "apply function")?,
                self.lower_boxed(app.argument(), "apply argument")?,
            ),
            ast::Expr::IfElse(i) => Expr::If(
                self.lower_boxed(i.condition(), "if condition")?,
                self.lower_boxed(i.body(), "then")?,
                self.lower_boxed(i.else_body(), "else")?,
            ),
            ast::Expr::Assert(a) => Expr::Assert(
                self.lower_boxed(a.condition(), "assert condition")?,
                self.lower_boxed(a.body(), "assert body")?,
            ),
            ast::Expr::With(w) => {
                let ns = self.lower_boxed(w.namespace(), "with namespace")?;
                self.scopes.push(Scope::With);
                let body = self.lower_boxed(w.body(), "with body");
                self.scopes.pop();
                Expr::With(ns, body?)
            }
            ast::Expr::UnaryOp(u) => {
                let inner = self.lower_boxed(u.expr(), "unary operand")?;
                match u.operator().ok_or_else(|| internal("unary operator"))? {
                    ast::UnaryOpKind::Invert => Expr::Not(inner),
                    ast::UnaryOpKind::Negate => Expr::Negate(inner),
                }
            }
            ast::Expr::BinOp(b) => {
                let op = match b.operator().ok_or_else(|| internal("operator"))? {
                    ast::BinOpKind::Concat => BinOp::Concat,
                    ast::BinOpKind::Update => BinOp::Update,
                    ast::BinOpKind::Add => BinOp::Add,
                    ast::BinOpKind::Sub => BinOp::Sub,
                    ast::BinOpKind::Mul => BinOp::Mul,
                    ast::BinOpKind::Div => BinOp::Div,
                    ast::BinOpKind::And => BinOp::And,
                    ast::BinOpKind::Equal => BinOp::Eq,
                    ast::BinOpKind::Implication => BinOp::Impl,
                    ast::BinOpKind::Less => BinOp::Less,
                    ast::BinOpKind::LessOrEq => BinOp::LessEq,
                    ast::BinOpKind::More => BinOp::More,
                    ast::BinOpKind::MoreOrEq => BinOp::MoreEq,
                    ast::BinOpKind::NotEqual => BinOp::NotEq,
                    ast::BinOpKind::Or => BinOp::Or,
                    ast::BinOpKind::PipeRight => BinOp::PipeRight,
                    ast::BinOpKind::PipeLeft => BinOp::PipeLeft,
                };
                Expr::BinOp(
                    op,
                    self.lower_boxed(b.lhs(), "left operand")?,
                    self.lower_boxed(b.rhs(), "right operand")?,
                )
            }
            ast::Expr::Select(s) => {
                let mut target = self.lower_boxed(s.expr(), "select target")?;
                let mut path = self
                    .attrpath(&s.attrpath().ok_or_else(|| internal("attrpath"))?)?
                    .into_vec();
                // `builtins.NAME` (with `builtins` not shadowed) is a constant.
                if let Expr::Const(Value::Attrs(b)) = &target.kind
                    && let Some(Value::Attrs(global)) = self.globals.get("builtins")
                    && std::rc::Rc::ptr_eq(b, global)
                    && let Some(AttrKey::Static(name)) = path.first()
                    && let Some(v) = global.get(name)
                {
                    let v = v.clone();
                    path.remove(0);
                    if path.is_empty() {
                        return Ok(self.node(Expr::Const(v), pos));
                    }
                    target = Box::new(self.node(Expr::Const(v), target.pos));
                }
                let path = path.into_boxed_slice();
                let default = match s.default_expr() {
                    Some(d) => Some(Box::new(self.lower(&d)?)),
                    None => None,
                };
                Expr::Select(target, path, default)
            }
            ast::Expr::HasAttr(h) => {
                let target = self.lower_boxed(h.expr(), "has-attr target")?;
                let path = self.attrpath(&h.attrpath().ok_or_else(|| internal("attrpath"))?)?;
                Expr::HasAttr(target, path)
            }
            ast::Expr::Lambda(l) => Expr::Lambda(Box::new(self.lambda(l, pos)?)),
            ast::Expr::AttrSet(set) => {
                let rec = set.rec_token().is_some();
                let pending = self.collect(set, !rec)?;
                Expr::Attrs(Box::new(self.attrs(pending, rec)?))
            }
            ast::Expr::LetIn(l) => {
                let pending = self.collect(l, false)?;
                if let Some((_, _, pos)) = pending.dynamics.first() {
                    return Err(self.err(*pos, "dynamic attributes are not allowed in `let`"));
                }
                let names = pending.statics.iter().map(|(n, _, _)| n.clone()).collect();
                self.push_frame(names);
                let result = (|| {
                    let attrs = self.lower_pending(pending, true)?;
                    let body = self.lower_boxed(l.body(), "let body")?;
                    Ok::<_, LowerError>(Expr::Let(
                        attrs
                            .statics
                            .into_iter()
                            .map(|a| a.value)
                            .collect::<Vec<_>>()
                            .into_boxed_slice(),
                        body,
                    ))
                })();
                self.scopes.pop();
                result?
            }
            ast::Expr::LegacyLet(l) => {
                // `let { a = 1; body = a; }` is `(rec { a = 1; body = a; }).body`.
                let pending = self.collect(l, false)?;
                let attrs = self.attrs(pending, true)?;
                Expr::Select(
                    Box::new(self.node(Expr::Attrs(Box::new(attrs)), pos)),
                    vec![AttrKey::Static("body".into())].into_boxed_slice(),
                    None,
                )
            }
            ast::Expr::CurPos(_) => Expr::CurPos,
            ast::Expr::Error(_) => return Err(internal("error node")),
        };
        Ok(self.node(kind, pos))
    }

    fn literal(&self, lit: &ast::Literal, pos: Pos) -> LResult<Expr> {
        Ok(match lit.kind() {
            ast::LiteralKind::Integer(i) => match i.value() {
                Ok(v) => Expr::Const(Value::Int(v)),
                Err(_) => {
                    return Err(self.err(pos, format!("invalid integer `{}`", i.syntax().text())));
                }
            },
            ast::LiteralKind::Float(f) => match f.value() {
                Ok(v) => Expr::Const(Value::Float(v)),
                Err(_) => {
                    return Err(self.err(pos, format!("invalid float `{}`", f.syntax().text())));
                }
            },
            ast::LiteralKind::Uri(u) => Expr::Const(Value::string(u.syntax().text())),
        })
    }

    fn string(&mut self, s: &ast::Str) -> LResult<Expr> {
        let indented = s.syntax().first_token().is_some_and(|t| t.text() == "''");
        let parts = if indented {
            indented_parts(s)
        } else {
            s.normalized_parts()
        };
        if parts
            .iter()
            .any(|p| matches!(p, InterpolPart::Literal(t) if t.contains('\0')))
        {
            return Err(self.err(
                self.pos_of(s.syntax()),
                "a string cannot contain a NUL byte",
            ));
        }
        if parts.iter().all(|p| matches!(p, InterpolPart::Literal(_))) {
            let text: String = parts
                .into_iter()
                .map(|p| match p {
                    InterpolPart::Literal(s) => s,
                    InterpolPart::Interpolation(_) => String::new(),
                })
                .collect();
            return Ok(Expr::Const(Value::string(text)));
        }
        let mut nodes = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                InterpolPart::Literal(text) => {
                    if !text.is_empty() {
                        nodes.push(
                            self.node(Expr::Const(Value::string(text)), self.pos_of(s.syntax())),
                        );
                    }
                }
                InterpolPart::Interpolation(i) => {
                    let inner = i.expr().ok_or_else(|| internal("interpolation"))?;
                    nodes.push(self.lower(&inner)?);
                }
            }
        }
        Ok(Expr::Interpolate(nodes.into_boxed_slice()))
    }

    fn path(
        &mut self,
        parts: Vec<InterpolPart<ast::PathContent>>,
        kind: PathKind,
        pos: Pos,
    ) -> LResult<Expr> {
        if kind == PathKind::Home {
            return Ok(Expr::Error(
                super::error::ErrorKind::Hermetic,
                "`~/` paths are not available: envc evaluation is hermetic".into(),
                Some("use a path relative to the project, such as `./file`".into()),
            ));
        }
        if parts.iter().all(|p| matches!(p, InterpolPart::Literal(_))) {
            let text: String = parts
                .iter()
                .map(|p| match p {
                    InterpolPart::Literal(c) => c.text().to_string(),
                    InterpolPart::Interpolation(_) => String::new(),
                })
                .collect();
            let path = paths::resolve_literal(&self.dir, &text);
            return Ok(Expr::Const(Value::Path(path.into())));
        }
        let mut nodes = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                InterpolPart::Literal(c) => {
                    nodes.push(self.node(Expr::Const(Value::string(c.text())), pos))
                }
                InterpolPart::Interpolation(i) => {
                    let inner = i.expr().ok_or_else(|| internal("interpolation"))?;
                    nodes.push(self.lower(&inner)?);
                }
            }
        }
        Ok(Expr::PathInterpolate(
            self.dir.clone(),
            nodes.into_boxed_slice(),
        ))
    }

    fn push_frame(&mut self, names: Vec<Rc<str>>) {
        let map = names
            .into_iter()
            .enumerate()
            .map(|(i, n)| (n, i as u32))
            .collect();
        self.scopes.push(Scope::Frame(map));
    }

    /// Resolve a variable, ignoring the innermost `skip` scopes (for `inherit x;` inside
    /// `rec`/`let`, which refers to the enclosing scope).
    fn resolve(&self, name: &str, pos: Pos, skip: usize) -> LResult<Expr> {
        let visible = &self.scopes[..self.scopes.len() - skip];
        let mut withs = Vec::new();
        for (depth, scope) in visible.iter().rev().enumerate() {
            let depth = (depth + skip) as u32;
            match scope {
                Scope::Frame(names) => {
                    if let Some(&index) = names.get(name) {
                        return Ok(Expr::Var { depth, index });
                    }
                }
                Scope::With => withs.push(depth),
            }
        }
        if let Some(value) = self.globals.get(name) {
            return Ok(Expr::Const(value.clone()));
        }
        if withs.is_empty() {
            return Err(self.err(pos, format!("undefined variable `{name}`")));
        }
        Ok(Expr::WithVar {
            name: name.into(),
            withs: withs.into_boxed_slice(),
        })
    }

    fn lambda(&mut self, l: &ast::Lambda, pos: Pos) -> LResult<LambdaExpr> {
        let param = l.param().ok_or_else(|| internal("lambda parameter"))?;
        match param {
            ast::Param::IdentParam(p) => {
                let name: Rc<str> =
                    ident_text(&p.ident().ok_or_else(|| internal("lambda ident"))?).into();
                self.push_frame(vec![name.clone()]);
                let body = self.lower_boxed(l.body(), "lambda body");
                self.scopes.pop();
                Ok(LambdaExpr {
                    param: Param::Ident(name),
                    body: *body?,
                    frame_size: 1,
                    pos,
                })
            }
            ast::Param::Pattern(p) => {
                let mut names: Vec<Rc<str>> = Vec::new();
                let mut entries = Vec::new();
                for entry in p.pat_entries() {
                    let ident = entry.ident().ok_or_else(|| internal("formal"))?;
                    let name: Rc<str> = ident_text(&ident).into();
                    let epos = self.pos_of(entry.syntax());
                    if names.contains(&name) {
                        return Err(
                            self.err(epos, format!("duplicate formal function argument `{name}`"))
                        );
                    }
                    names.push(name.clone());
                    entries.push((name, entry.default(), epos));
                }
                let at: Option<Rc<str>> = p
                    .pat_bind()
                    .and_then(|b| b.ident())
                    .map(|i| ident_text(&i).into());
                if let Some(at) = &at {
                    if names.contains(at) {
                        return Err(
                            self.err(pos, format!("duplicate formal function argument `{at}`"))
                        );
                    }
                    names.push(at.clone());
                }
                let frame_size = names.len() as u32;
                self.push_frame(names);
                let result = (|| {
                    let mut formals = Vec::with_capacity(entries.len());
                    for (name, default, epos) in entries {
                        let default = match default {
                            Some(d) => Some(self.lower(&d)?),
                            None => None,
                        };
                        formals.push(Formal {
                            name,
                            default,
                            pos: epos,
                        });
                    }
                    let body = self.lower_boxed(l.body(), "lambda body")?;
                    Ok(LambdaExpr {
                        param: Param::Formals {
                            formals,
                            ellipsis: p.ellipsis_token().is_some(),
                            at,
                        },
                        body: *body,
                        frame_size,
                        pos,
                    })
                })();
                self.scopes.pop();
                result
            }
        }
    }

    fn key_part(&self, attr: &ast::Attr) -> LResult<KeyPart> {
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

    fn attrpath(&mut self, path: &ast::Attrpath) -> LResult<Box<[AttrKey]>> {
        let mut keys = Vec::new();
        for attr in path.attrs() {
            keys.push(match self.key_part(&attr)? {
                KeyPart::Static(name) => AttrKey::Static(name),
                KeyPart::Dynamic(e) => AttrKey::Dynamic(self.lower(&e)?),
            });
        }
        Ok(keys.into_boxed_slice())
    }

    /// Collect the bindings of a set, `let` or legacy `let`. `merge_literals` says whether
    /// a later `a.b = ...` may extend an earlier `a = { ... }` literal.
    fn collect(&self, node: &impl HasEntry, _nonrec: bool) -> LResult<Pending> {
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

    fn insert_static(
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
                let more = self.collect(set, true)?;
                return self.merge(nested, more);
            }
            return Err(self.duplicate(&name, pos, existing_pos));
        }
        pending.index.insert(name.clone(), pending.statics.len());
        pending.statics.push((name, value, pos));
        Ok(())
    }

    fn merge(&self, into: &mut Pending, more: Pending) -> LResult<()> {
        for (name, value, pos) in more.statics {
            self.insert_static(into, name, value, pos)?;
        }
        into.dynamics.extend(more.dynamics);
        Ok(())
    }

    fn duplicate(&self, name: &str, pos: Pos, earlier: Pos) -> LowerError {
        LowerError {
            message: format!("attribute `{name}` already defined"),
            pos,
            help: None,
            other: Some(earlier),
        }
    }

    /// Turn a pending value into a nested binding set if it is a non-`rec` set literal
    /// (or already nested); false if it cannot take more attributes.
    fn make_nested(&self, value: &mut PendingValue) -> bool {
        match value {
            PendingValue::Nested(_) => true,
            PendingValue::Expr(ast::Expr::AttrSet(set)) => match self.collect(set, true) {
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

    fn insert_path(
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
    fn attrs(&mut self, pending: Pending, rec: bool) -> LResult<AttrsExpr> {
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
    fn lower_pending(&mut self, pending: Pending, in_frame: bool) -> LResult<AttrsExpr> {
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

    fn pending_value(
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

/// A piece of an indented string as Nix's lexer sees it: literal text (with
/// `has_indentation` false for escapes such as `''\n`, which end a line's leading
/// whitespace without being indentation themselves) or an interpolation.
enum IndPiece {
    Text(String, bool),
    Interp(ast::Interpol),
}

/// Split the raw text of an indented string literal into Nix's lexer tokens.
fn lex_indented(raw: &str, out: &mut Vec<IndPiece>) {
    let mut text = String::new();
    let flush = |text: &mut String, out: &mut Vec<IndPiece>| {
        if !text.is_empty() {
            out.push(IndPiece::Text(std::mem::take(text), true));
        }
    };
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("''$") {
            flush(&mut text, out);
            out.push(IndPiece::Text("$".into(), false));
            rest = after;
        } else if let Some(after) = rest.strip_prefix("'''") {
            flush(&mut text, out);
            out.push(IndPiece::Text("''".into(), false));
            rest = after;
        } else if let Some(after) = rest.strip_prefix("''\\") {
            flush(&mut text, out);
            let Some(escaped) = after.chars().next() else {
                break;
            };
            let unescaped = match escaped {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                other => other,
            };
            out.push(IndPiece::Text(unescaped.to_string(), false));
            rest = &after[escaped.len_utf8()..];
        } else {
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    flush(&mut text, out);
}

/// The parts of an indented string after Nix's indentation stripping (the algorithm of
/// `stripIndentation` in Nix's parser, on Nix's lexer tokens).
fn indented_parts(s: &ast::Str) -> Vec<InterpolPart<String>> {
    let mut pieces = Vec::new();
    let mut first = true;
    for part in s.parts() {
        match part {
            InterpolPart::Literal(content) => {
                let mut raw = content.syntax().text();
                if first {
                    // The opening `''` swallows the rest of its line if that is blank.
                    if let Some(nl) = raw.find('\n')
                        && raw[..nl].chars().all(|c| c == ' ')
                    {
                        raw = &raw[nl + 1..];
                    }
                }
                lex_indented(raw, &mut pieces);
            }
            InterpolPart::Interpolation(i) => pieces.push(IndPiece::Interp(i)),
        }
        first = false;
    }

    // Minimum indentation over lines with content.
    let mut at_start = true;
    let mut min_indent = usize::MAX;
    let mut cur = 0;
    for piece in &pieces {
        match piece {
            IndPiece::Text(t, true) => {
                for c in t.chars() {
                    if at_start {
                        if c == ' ' {
                            cur += 1;
                        } else if c == '\n' {
                            cur = 0;
                        } else {
                            at_start = false;
                            min_indent = min_indent.min(cur);
                        }
                    } else if c == '\n' {
                        at_start = true;
                        cur = 0;
                    }
                }
            }
            _ => {
                if at_start {
                    at_start = false;
                    min_indent = min_indent.min(cur);
                }
            }
        }
    }

    // Strip it from every line.
    let mut out: Vec<InterpolPart<String>> = Vec::new();
    let mut at_start = true;
    let mut dropped = 0;
    let n = pieces.len();
    for (index, piece) in pieces.into_iter().enumerate() {
        match piece {
            IndPiece::Interp(i) => {
                at_start = false;
                dropped = 0;
                out.push(InterpolPart::Interpolation(i));
            }
            IndPiece::Text(t, _) => {
                let mut s2 = String::with_capacity(t.len());
                for c in t.chars() {
                    if at_start {
                        if c == ' ' {
                            if dropped >= min_indent {
                                s2.push(c);
                            }
                            dropped += 1;
                        } else if c == '\n' {
                            dropped = 0;
                            s2.push(c);
                        } else {
                            at_start = false;
                            dropped = 0;
                            s2.push(c);
                        }
                    } else {
                        s2.push(c);
                        if c == '\n' {
                            at_start = true;
                        }
                    }
                }
                // A whitespace-only last line is removed.
                if index + 1 == n
                    && let Some(p) = s2.rfind('\n')
                    && s2[p + 1..].chars().all(|c| c == ' ')
                {
                    s2.truncate(p + 1);
                }
                match out.last_mut() {
                    Some(InterpolPart::Literal(prev)) => prev.push_str(&s2),
                    _ => out.push(InterpolPart::Literal(s2)),
                }
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PathKind {
    Abs,
    Rel,
    Home,
}

fn ident_text(ident: &ast::Ident) -> String {
    ident
        .syntax()
        .first_token()
        .map(|t| t.text().to_string())
        .unwrap_or_default()
}

/// The text of a string literal without interpolations (`"a"`), if it is one.
fn static_string(s: &ast::Str) -> Option<String> {
    let mut out = String::new();
    for part in s.normalized_parts() {
        match part {
            InterpolPart::Literal(t) => out.push_str(&t),
            InterpolPart::Interpolation(_) => return None,
        }
    }
    Some(out)
}

/// Normalise `path` lexically (`.` and `..` removed), as Nix does for path literals.
pub fn normalize(path: &Path) -> PathBuf {
    paths::normalize(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower_str(src: &str) -> LResult<Node> {
        let parse = rnix::Root::parse(src);
        assert!(parse.errors().is_empty(), "{:?}", parse.errors());
        let globals = Globals::new();
        let mut l = Lowerer::new(0, Rc::from(Path::new("/p")), &globals);
        l.lower_root(&parse.tree())
    }

    #[test]
    fn let_variables_resolve_to_slots() {
        let node = lower_str("let a = 1; b = a; in b").unwrap();
        let Expr::Let(bindings, body) = node.kind else {
            panic!("not a let")
        };
        assert!(matches!(bindings[1].kind, Expr::Var { depth: 0, index: 0 }));
        assert!(matches!(body.kind, Expr::Var { depth: 0, index: 1 }));
    }

    #[test]
    fn lambda_inside_let_counts_frames() {
        let node = lower_str("let a = 1; in x: a").unwrap();
        let Expr::Let(_, body) = node.kind else {
            panic!("not a let")
        };
        let Expr::Lambda(l) = body.kind else {
            panic!("not a lambda")
        };
        assert!(matches!(l.body.kind, Expr::Var { depth: 1, index: 0 }));
    }

    #[test]
    fn with_variables_stay_dynamic_and_lexical_wins() {
        let node = lower_str("x: with x; [ x y ]").unwrap();
        let Expr::Lambda(l) = node.kind else { panic!() };
        let Expr::With(_, body) = &l.body.kind else {
            panic!()
        };
        let Expr::List(items) = &body.kind else {
            panic!()
        };
        assert!(matches!(items[0].kind, Expr::Var { depth: 1, index: 0 }));
        assert!(matches!(&items[1].kind, Expr::WithVar { withs, .. } if **withs == [0]));
    }

    #[test]
    fn undefined_variable_is_a_static_error() {
        let err = lower_str("let a = 1; in b").err().unwrap();
        assert_eq!(err.message, "undefined variable `b`");
    }

    #[test]
    fn rec_inherit_looks_past_its_own_frame() {
        let node = lower_str("x: rec { inherit x; y = x; }").unwrap();
        let Expr::Lambda(l) = node.kind else { panic!() };
        let Expr::Attrs(a) = &l.body.kind else {
            panic!()
        };
        assert!(matches!(
            a.statics[0].value.kind,
            Expr::Var { depth: 1, index: 0 }
        ));
        assert!(matches!(
            a.statics[1].value.kind,
            Expr::Var { depth: 0, index: 0 }
        ));
    }

    fn indented(src: &str) -> String {
        match lower_str(src).unwrap().kind {
            Expr::Const(Value::String(s)) => s.to_string(),
            _ => panic!("not a constant string"),
        }
    }

    #[test]
    fn indented_strings_strip_like_nix() {
        assert_eq!(indented("''\n  a\n    b\n  ''"), "a\n  b\n");
        assert_eq!(indented("''  x''"), "x");
        assert_eq!(indented("''\n  ''$ '''\n  ''\\t''"), "$ ''\n\t");
        assert_eq!(indented("''\n\n  a\n\n  b\n''"), "\na\n\nb\n");
        // An escaped newline starts a line whose indentation is stripped too.
        assert_eq!(indented("''\n  a ''\\n b\n  ''"), "a \nb\n");
    }

    #[test]
    fn duplicate_attributes_are_refused() {
        assert!(lower_str("{ a = 1; a = 2; }").is_err());
        assert!(lower_str("{ a.b = 1; a.c = 2; a = { d = 3; }; }").is_ok());
        assert!(lower_str("{ a = 1; a.b = 2; }").is_err());
    }
}
