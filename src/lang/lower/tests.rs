//! Unit tests of lowering: slots, frames, `with`, static errors, indented strings.

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

#[test]
fn a_path_broken_by_a_line_before_an_interpolation_is_a_syntax_error_not_a_panic() {
    // Found by the fuzz driver: rnix parses this without errors and then asserts in
    // `parts()`; Nix says "unexpected DOLLAR_CURLY".
    for src in ["[ ./a.nix\n${\"x\"} ]", "[ /a # c\n${\"x\"} ]"] {
        let parse = rnix::Root::parse(src);
        if !parse.errors().is_empty() {
            continue;
        }
        let Err(e) = lower_str(src) else {
            panic!("{src:?} lowered")
        };
        assert!(
            e.message.contains("a path is interrupted"),
            "{src:?}: {}",
            e.message
        );
    }
    assert!(lower_str("./dir/${\"x\"}").is_ok());
}
