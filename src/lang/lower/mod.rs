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
//!
//! This file holds the lowerer, the expression dispatch, scopes and lambdas;
//! `strings` lowers literals, strings and paths, `attrs` sets, `let` and attribute paths.

mod attrs;
mod strings;

use strings::PathKind;

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use rnix::ast;
use rowan::ast::AstNode;

use super::expr::{AttrKey, BinOp, Expr, Formal, LambdaExpr, Node, Param};
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
    /// How many `lower` calls are open: bounded by [`MAX_LOWER_DEPTH`].
    depth: usize,
}

/// How deeply expressions may nest in the syntax tree (`1 + 1 + ... + 1` nests once per
/// operator, which the token pass in `parse.rs` does not see): far beyond real configs,
/// and well inside the lowering's and the evaluator's stacks.
pub const MAX_LOWER_DEPTH: usize = 10_000;

type LResult<T> = Result<T, LowerError>;

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
            depth: 0,
        }
    }

    fn pos_of(&self, node: &rnix::SyntaxNode) -> Pos {
        let range = node.text_range();
        Pos::new(self.file, range.start().into(), range.end().into())
    }

    /// A path is path text and interpolations, touching. rnix's parser also lets trivia
    /// (spaces, a line break, a comment) into a path node when an interpolation follows it
    /// (`./a.nix\n${x}`), which Nix refuses and rnix's `parts()` asserts against: refuse it
    /// here as the syntax error it is, before asking for the parts.
    fn check_path(&self, node: &rnix::SyntaxNode) -> LResult<()> {
        use rnix::SyntaxKind::{NODE_INTERPOL, TOKEN_PATH_ABS, TOKEN_PATH_HOME, TOKEN_PATH_REL};
        for child in node.children_with_tokens() {
            let kind = child.kind();
            if matches!(
                kind,
                TOKEN_PATH_ABS | TOKEN_PATH_REL | TOKEN_PATH_HOME | NODE_INTERPOL
            ) {
                continue;
            }
            let range = child.text_range();
            let mut e = self.err(
                Pos::new(self.file, range.start().into(), range.end().into()),
                "syntax error: a path is interrupted by whitespace or a comment before `${`",
            );
            e.help = Some("write the interpolation right after the path text, as in `./dir/${name}`, or put a space-separated path in a list".into());
            return Err(e);
        }
        Ok(())
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
        if self.depth >= MAX_LOWER_DEPTH {
            let mut e = self.err(
                self.pos_of(expr.syntax()),
                format!("the expression is nested more than {MAX_LOWER_DEPTH} levels deep"),
            );
            e.help = Some(
                "split the expression: build long chains with `builtins.foldl'` or a list instead of writing them out"
                    .into(),
            );
            return Err(e);
        }
        self.depth += 1;
        let node = self.lower_expr(expr);
        self.depth -= 1;
        node
    }

    fn lower_expr(&mut self, expr: &ast::Expr) -> LResult<Node> {
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
            ast::Expr::PathAbs(p) => {
                self.check_path(p.syntax())?;
                self.path(p.parts(), PathKind::Abs, pos)?
            }
            ast::Expr::PathRel(p) => {
                self.check_path(p.syntax())?;
                self.path(p.parts(), PathKind::Rel, pos)?
            }
            ast::Expr::PathHome(p) => {
                self.check_path(p.syntax())?;
                self.path(p.parts(), PathKind::Home, pos)?
            }
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
                let pending = self.collect(set)?;
                Expr::Attrs(Box::new(self.attrs(pending, rec)?))
            }
            ast::Expr::LetIn(l) => {
                let pending = self.collect(l)?;
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
                let pending = self.collect(l)?;
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
}

fn ident_text(ident: &ast::Ident) -> String {
    ident
        .syntax()
        .first_token()
        .map(|t| t.text().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
