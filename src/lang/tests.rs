//! Tests of the public API other stages code against: spans on [`Located`] values, error
//! kinds and locations, hermetic refusals, the step limit, and output formats.

use std::path::Path;

use super::*;

fn expr(text: &str) -> Result<Located, LangError> {
    let dir = std::env::temp_dir();
    eval_expr(text, &dir, &EvalOptions::for_dir(&dir))
}

fn nix(text: &str) -> String {
    let dir = std::env::temp_dir();
    let input = Input::Expr {
        text: text.into(),
        base_dir: dir.clone(),
    };
    eval_to_string(input, &EvalOptions::for_dir(&dir), OutputFormat::Nix).unwrap()
}

#[test]
fn attribute_values_carry_the_span_of_their_binding() {
    assert!(expr("{ inherit (x) d; }").is_err(), "x is undefined");
    let v =
        expr("let x = { d = 4; }; in {\n  a = 1;\n  b.c = [ 2 3 ];\n  inherit (x) d;\n}").unwrap();
    let Data::Attrs(attrs) = &v.data else {
        panic!("not a set")
    };
    let a = &attrs["a"];
    assert_eq!(a.data, Data::Int(1));
    assert_eq!(a.span.as_ref().unwrap().snippet(), "a = 1;");
    assert_eq!(a.span.as_ref().unwrap().location(), "«expr»:2:3");
    let Data::Attrs(b) = &attrs["b"].data else {
        panic!("not a set")
    };
    let Data::List(items) = &b["c"].data else {
        panic!("not a list")
    };
    assert_eq!(items[1].span.as_ref().unwrap().snippet(), "3");
    assert_eq!(attrs["d"].span.as_ref().unwrap().snippet(), "d");
}

#[test]
fn files_imports_and_spans_in_imported_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.nix"), "{ x = import ./b.nix; }").unwrap();
    std::fs::write(dir.path().join("b.nix"), "{\n  y = ./c;\n}").unwrap();
    let v = eval_file(
        &dir.path().join("a.nix"),
        &EvalOptions::for_file(&dir.path().join("a.nix")),
    )
    .unwrap();
    let Data::Attrs(a) = &v.data else { panic!() };
    let Data::Attrs(b) = &a["x"].data else {
        panic!()
    };
    let y = &b["y"];
    assert!(matches!(&y.data, Data::Path(p) if p.ends_with("c")));
    assert_eq!(y.span.as_ref().unwrap().location(), "b.nix:2:3");
}

#[test]
fn errors_in_imported_files_show_where_they_were_imported_from() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.nix"), "let b = import ./b.nix; in\nb.v").unwrap();
    std::fs::write(dir.path().join("b.nix"), "{ v = 1 + \"s\"; }").unwrap();
    let path = dir.path().join("a.nix");
    let err = eval_file(&path, &EvalOptions::for_file(&path)).unwrap_err();
    assert_eq!(err.location().unwrap(), "b.nix:1:7");
    assert!(
        err.help
            .as_deref()
            .unwrap()
            .contains("imported from a.nix:1:9")
    );
}

#[test]
fn parse_errors_are_all_reported_and_nothing_is_evaluated() {
    let err = expr("{ a = ; b = throw \"no\"; c = ; }").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Parse);
    assert!(!err.related.is_empty(), "every parse error is listed");
}

#[test]
fn infinite_recursion_points_at_the_thunk() {
    let err = expr("let x = y; y = x; in x").unwrap_err();
    assert_eq!(err.kind, ErrorKind::InfiniteRecursion);
    assert!(err.to_string().contains("infinite recursion encountered"));
}

#[test]
fn deep_recursion_is_an_error_not_a_crash() {
    let err = expr("let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 1000000").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Limit);
    let ok = expr("let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 5000").unwrap();
    assert_eq!(ok.data, Data::Int(5000));
}

#[test]
fn non_hermetic_builtins_are_refused_by_name() {
    for (code, name) in [
        ("builtins.getEnv \"HOME\"", "getEnv"),
        ("builtins.currentSystem", "currentSystem"),
        ("fetchTarball \"https://x\"", "fetchTarball"),
        ("import <nixpkgs>", "<nixpkgs>"),
        ("~/x", "~/"),
    ] {
        let err = expr(code).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Hermetic, "{code}");
        assert!(err.message.contains(name), "{code}: {}", err.message);
        assert!(
            err.message.contains("envc evaluation is hermetic"),
            "{code}"
        );
    }
    // Present but unusable, as in Nix: code may test for it.
    assert_eq!(expr("builtins ? getEnv").unwrap().data, Data::Bool(true));
}

#[test]
fn files_outside_the_root_are_refused() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("project");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(outer.path().join("secret.nix"), "42").unwrap();
    std::fs::write(root.join("main.nix"), "import ../secret.nix").unwrap();
    let main = root.join("main.nix");
    let err = eval_file(&main, &EvalOptions::for_file(&main)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io);
    assert!(err.message.contains("outside the project root"));
    // With the outer folder as root it is allowed.
    let v = eval_file(&main, &EvalOptions::for_dir(outer.path())).unwrap();
    assert_eq!(v.data, Data::Int(42));
}

#[test]
fn the_step_limit_stops_runaway_evaluation() {
    let dir = std::env::temp_dir();
    let opts = EvalOptions {
        root: dir.clone(),
        max_steps: Some(10_000),
        max_memory: None,
    };
    let err = eval_expr(
        "let f = n: if n == 0 then 0 else f (n - 1); in f 100000000",
        &dir,
        &opts,
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Limit);
    assert_eq!(err.message, "evaluation exceeded 10000 steps");
}

#[test]
fn functions_are_not_data() {
    let err = expr("{ f = x: x; }").unwrap_err();
    assert!(err.message.contains("cannot convert a function to data"));
    assert_eq!(err.location().unwrap(), "«expr»:1:3");
}

#[test]
fn nix_output_matches_nix_instantiate() {
    assert_eq!(
        nix(
            "let x = [ 1 2 ]; in { a = x; b = x; c = \"q\\\"${\"$\"}{\"; d = 1.0; e = null; f = y: y; }"
        ),
        "{ a = [ 1 2 ]; b = «repeated»; c = \"q\\\"\\${\"; d = 1; e = null; f = <LAMBDA>; }"
    );
    assert_eq!(
        nix("[ (-0.0) 1.5e10 builtins.map (builtins.map (x: x)) ]"),
        "[ 0 1.5e+10 <PRIMOP> <PRIMOP-APP> ]"
    );
}

#[test]
fn operators_follow_nix() {
    let v = |s: &str| expr(s).unwrap().data;
    assert_eq!(v("[ 1 2 ] < [ 1 3 ]"), Data::Bool(true));
    assert_eq!(v("\"abc\" < \"abd\""), Data::Bool(true));
    assert_eq!(v("1 == 1.0"), Data::Bool(true));
    assert_eq!(v("{ a = [ 1 ]; } == { a = [ 1 ]; }"), Data::Bool(true));
    assert_eq!(v("false -> throw \"lazy\""), Data::Bool(true));
    assert_eq!(v("1 |> (x: x + 1)"), Data::Int(2));
    assert_eq!(v("(x: x * 2) <| 4"), Data::Int(8));
    assert!(matches!(v("./a + \"/b\""), Data::Path(p) if p.ends_with("a/b")));
    assert!(
        expr("9223372036854775807 + 1")
            .unwrap_err()
            .message
            .contains("overflow")
    );
    assert_eq!(v("({ a ? b, b ? 2 }: a) { }"), Data::Int(2));
    assert_eq!(
        v("(args@{ a, ... }: args.b) { a = 1; b = 3; }"),
        Data::Int(3)
    );
    assert_eq!(v("let { x = 1; body = x + 1; }"), Data::Int(2));
    assert_eq!(v("{ a.b.c = 1; } ? a.b.c"), Data::Bool(true));
    assert_eq!(v("{ a = 1; }.b or 5"), Data::Int(5));
    assert_eq!(v("let n = \"k\"; in { ${n} = 1; }.k"), Data::Int(1));
}

#[test]
fn root_default_is_the_entry_folder() {
    let opts = EvalOptions::for_file(Path::new("/some/where/envc.nix"));
    assert_eq!(opts.root, Path::new("/some/where"));
}
