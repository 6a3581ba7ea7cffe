//! Conformance over the Nix project's own language tests (`$ENVC_NIX_LANG_TESTS`, by default
//! `../shared/nix-lang-tests` beside the repository; see that folder's README).
//!
//! - `eval-okay-NAME`: `envc eval --nix` must print `NAME.exp` (Nix's value syntax).
//! - `eval-fail-NAME`: `envc eval` must fail with exit 2, without a panic.
//! - `parse-okay-NAME`: `envc eval` must not report a parse error (`envc::lang::parse`);
//!   it may fail to evaluate, since these files only exercise the parser.
//! - `parse-fail-NAME`: `envc eval` must fail with exit 2 and a parse error.
//!
//! Cases that use what envc deliberately leaves out (derivations, the store, fetchers,
//! environment access, XML output, command-line flags...) are found by scanning their
//! source and classified as unsupported with the reason. Every other case must pass,
//! unless `tests/lang/conformance-known-failures.txt` lists it with a one-line reason: that
//! file is the honest worklist of the evaluator, and a listed case that passes must be
//! taken off it.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::lang_cases::{envc_eval, excerpt, judge, known_failures, short_diff};

/// The evaluator's worklist for this suite, in `tests/lang/`.
const KNOWN_FAILURES: &str = "conformance-known-failures.txt";
use crate::support;

/// The builtins issue 2 asks for, plus the constants; `builtins.NAME` of these is supported.
const SUPPORTED_BUILTINS: &[&str] = &[
    "abort",
    "add",
    "all",
    "any",
    "attrNames",
    "attrValues",
    "baseNameOf",
    "bitAnd",
    "bitOr",
    "bitXor",
    "catAttrs",
    "ceil",
    "compareVersions",
    "concatLists",
    "concatMap",
    "concatStringsSep",
    "deepSeq",
    "dirOf",
    "div",
    "elem",
    "elemAt",
    "filter",
    "floor",
    "foldl'",
    "fromJSON",
    "functionArgs",
    "genList",
    "genericClosure",
    "getAttr",
    "groupBy",
    "hasAttr",
    "hashString",
    "head",
    "import",
    "intersectAttrs",
    "isAttrs",
    "isBool",
    "isFloat",
    "isFunction",
    "isInt",
    "isList",
    "isNull",
    "isPath",
    "isString",
    "length",
    "lessThan",
    "listToAttrs",
    "map",
    "mapAttrs",
    "match",
    "mul",
    "parseDrvName",
    "partition",
    "pathExists",
    "readFile",
    "removeAttrs",
    "replaceStrings",
    "seq",
    "sort",
    "split",
    "splitVersion",
    "stringLength",
    "sub",
    "substring",
    "tail",
    "throw",
    "toJSON",
    "toString",
    "trace",
    "tryEval",
    "typeOf",
    "zipAttrsWith",
    "true",
    "false",
    "null",
    "builtins",
];

/// Nix builtins envc leaves out on purpose (hermeticity, the store, string contexts, other
/// formats, debugging aids), with why. Matched as `builtins.NAME`, `__NAME`, and as bare
/// names under `with builtins;`.
const UNSUPPORTED_BUILTINS: &[(&str, &str)] = &[
    ("derivation", "derivations (hermetic: no store)"),
    ("derivationStrict", "derivations (hermetic: no store)"),
    ("placeholder", "derivation output placeholders"),
    ("storePath", "the store (hermetic)"),
    ("storeDir", "the store (`builtins.storeDir`)"),
    ("toFile", "writing to the store"),
    ("filterSource", "copying sources to the store"),
    ("path", "copying sources to the store (`builtins.path`)"),
    ("toPath", "deprecated `toPath`"),
    ("fetchurl", "fetchers (hermetic)"),
    ("fetchTarball", "fetchers (hermetic)"),
    ("fetchGit", "fetchers (hermetic)"),
    ("fetchTree", "fetchers (hermetic)"),
    ("fetchClosure", "fetchers (hermetic)"),
    ("fetchMercurial", "fetchers (hermetic)"),
    ("getFlake", "flakes"),
    ("parseFlakeRef", "flakes"),
    ("flakeRefToString", "flakes"),
    ("getEnv", "environment access (hermetic)"),
    ("currentTime", "the clock (hermetic)"),
    ("currentSystem", "the host system (hermetic)"),
    ("exec", "running programs (hermetic)"),
    ("importNative", "native plugins"),
    ("nixVersion", "Nix's own version"),
    ("langVersion", "Nix's own language version"),
    ("nixPath", "search paths (`NIX_PATH`)"),
    ("findFile", "search paths (`NIX_PATH`)"),
    ("scopedImport", "`scopedImport`"),
    ("readDir", "`readDir`"),
    ("readFileType", "`readFileType`"),
    ("hashFile", "`hashFile`"),
    ("convertHash", "`convertHash` (SRI and nix32 hashes)"),
    ("toXML", "XML output"),
    ("fromTOML", "TOML input"),
    ("getContext", "string contexts"),
    ("hasContext", "string contexts"),
    ("appendContext", "string contexts"),
    ("unsafeDiscardStringContext", "string contexts"),
    ("unsafeDiscardOutputDependency", "string contexts"),
    ("addDrvOutputDependencies", "string contexts"),
    ("outputOf", "dynamic derivations"),
    ("unsafeGetAttrPos", "source positions as values"),
    ("curPos", "`__curPos` (source positions as values)"),
    ("addErrorContext", "`addErrorContext` (error traces)"),
    ("break", "the debugger (`break`)"),
    ("warn", "`warn`"),
    ("traceVerbose", "`traceVerbose`"),
    ("overrides", "`__overrides` in rec attrsets"),
    ("structuredAttrs", "derivations (hermetic: no store)"),
    ("contentAddressed", "derivations (hermetic: no store)"),
    ("impure", "derivations (hermetic: no store)"),
    ("ignoreNulls", "derivations (hermetic: no store)"),
];

/// Cases whose data did not survive the copy into `nix-lang-tests`.
const DATA_ISSUES: &[(&str, &str)] = &[(
    "eval-okay-symlink-resolution",
    "the copy of the test data lost its symlinks (`symlink-resolution/foo/overlays` is a plain file)",
)];

/// Names Nix binds at the top level (without `builtins.`) that envc leaves out.
const UNSUPPORTED_GLOBALS: &[&str] = &[
    "derivation",
    "fetchTarball",
    "scopedImport",
    "placeholder",
    "fetchMercurial",
];

static BUILTIN_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\bbuiltins\.|\b__)([A-Za-z_][A-Za-z0-9_'-]*)").unwrap());
static IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[^A-Za-z0-9_'.-])([A-Za-z_][A-Za-z0-9_'-]*)").unwrap());
static SEARCH_PATH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([A-Za-z_][A-Za-z0-9._+/-]*)>").unwrap());
static PATH_INTERPOLATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{\s*(\.\.?)?/[A-Za-z0-9._/-]*\s*\}").unwrap());
static HOME_PATH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(^|[\s(\[])~/").unwrap());

/// The source with the text of strings and comments blanked out (interpolations kept), so
/// that words in prose or in test data (`"/path/to"`, `''<name>''`) are not taken for code.
fn code_only(source: &str) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum Str {
        Plain,
        Indented,
    }
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    // Open strings, innermost last, each with the brace depth of the interpolation in it.
    let mut strings: Vec<(Str, usize)> = Vec::new();
    let mut in_string = false;
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if in_string {
            let kind = strings.last().map(|s| s.0).unwrap_or(Str::Plain);
            match (kind, c, next) {
                (_, '$', Some('{')) => {
                    out.push_str("${");
                    if let Some(top) = strings.last_mut() {
                        top.1 = 1;
                    }
                    in_string = false;
                    i += 2;
                }
                (Str::Plain, '\\', Some(n)) => {
                    out.push(' ');
                    out.push(blank(n));
                    i += 2;
                }
                (Str::Plain, '"', _) => {
                    strings.pop();
                    in_string = false;
                    out.push('"');
                    i += 1;
                }
                (Str::Indented, '\'', Some('\'')) => match chars.get(i + 2) {
                    Some('$') | Some('\'') => {
                        out.push_str("   ");
                        i += 3;
                    }
                    Some('\\') => {
                        out.push_str("   ");
                        out.push(chars.get(i + 3).copied().map(blank).unwrap_or(' '));
                        i += 4;
                    }
                    _ => {
                        strings.pop();
                        in_string = false;
                        out.push_str("''");
                        i += 2;
                    }
                },
                _ => {
                    out.push(blank(c));
                    i += 1;
                }
            }
            continue;
        }
        match (c, next) {
            ('#', _) => {
                while i < chars.len() && chars[i] != '\n' {
                    out.push(' ');
                    i += 1;
                }
                continue;
            }
            ('/', Some('*')) => {
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    out.push(blank(chars[i]));
                    i += 1;
                }
                out.push_str("  ");
                i += 2;
                continue;
            }
            ('"', _) => {
                strings.push((Str::Plain, 0));
                in_string = true;
                out.push('"');
            }
            ('\'', Some('\'')) => {
                strings.push((Str::Indented, 0));
                in_string = true;
                out.push_str("''");
                i += 2;
                continue;
            }
            ('{', _) => {
                if let Some(top) = strings.last_mut() {
                    top.1 += 1;
                }
                out.push(c);
            }
            ('}', _) => {
                if let Some(top) = strings.last_mut() {
                    top.1 -= 1;
                    if top.1 == 0 {
                        in_string = true;
                    }
                }
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Why a case is out of envc's scope, if it is: the first reason found.
fn unsupported_reason(dir: &Path, stem: &str, source: &str) -> Option<String> {
    if let Some((_, why)) = DATA_ISSUES.iter().find(|(s, _)| *s == stem) {
        return Some(why.to_string());
    }
    if stem.starts_with("parse-") {
        return None; // only the parser is exercised: what the code would call does not matter
    }
    let source = &code_only(source);
    let has = |ext: &str| dir.join(format!("{stem}{ext}")).exists();
    if has(".flags") {
        let flags = std::fs::read_to_string(dir.join(format!("{stem}.flags"))).unwrap_or_default();
        return Some(format!(
            "needs command-line flags (`.flags`: {})",
            excerpt(&flags, 60)
        ));
    }
    if stem.starts_with("eval-okay-") && !has(".exp") {
        if has(".exp.xml") {
            return Some("expected output in XML (`.exp.xml`)".into());
        }
        return Some("no `.exp` expected output".into());
    }
    for m in BUILTIN_REF.captures_iter(source) {
        let name = &m[1];
        if SUPPORTED_BUILTINS.contains(&name) {
            continue;
        }
        if let Some((_, why)) = UNSUPPORTED_BUILTINS.iter().find(|(n, _)| *n == name) {
            return Some(format!("builtin `{name}`: {why}"));
        }
    }
    let with_builtins = source.contains("with builtins");
    for m in IDENT.captures_iter(source) {
        let name = &m[2];
        if UNSUPPORTED_GLOBALS.contains(&name) {
            return Some(format!("builtin `{name}`"));
        }
        if with_builtins
            && let Some((_, why)) = UNSUPPORTED_BUILTINS.iter().find(|(n, _)| *n == name)
        {
            return Some(format!("builtin `{name}` (under `with builtins`): {why}"));
        }
    }
    if let Some(m) = SEARCH_PATH.captures(source)
        && !m[1].starts_with("envc/")
    {
        return Some(format!("search path `<{}>` (`NIX_PATH`)", &m[1]));
    }
    if PATH_INTERPOLATION.is_match(source) {
        return Some("interpolating a path literal (Nix copies it to the store)".into());
    }
    if HOME_PATH.is_match(source) {
        return Some("home-relative path `~/` (hermetic)".into());
    }
    if stem.starts_with("eval-okay-") {
        let exp = std::fs::read_to_string(dir.join(format!("{stem}.exp"))).unwrap_or_default();
        if exp.contains("/nix/store") {
            return Some("store paths in the expected output".into());
        }
        if exp.contains("«lambda") || exp.contains("«primop") {
            return Some("functions in the expected output (`«lambda»`)".into());
        }
    }
    None
}

/// The Nix language tests folder, if present.
fn tests_dir() -> PathBuf {
    match std::env::var_os("ENVC_NIX_LANG_TESTS") {
        Some(dir) => PathBuf::from(dir),
        None => support::repo_root().join("../shared/nix-lang-tests"),
    }
}

/// Run one supported case; `Err` is a short reason with a diff where useful.
fn check(dir: &Path, stem: &str) -> Result<(), String> {
    let file = format!("{stem}.nix");
    let parse_error = |stderr: &str| stderr.contains("envc::lang::parse");
    if stem.starts_with("eval-okay-") {
        let expected = std::fs::read_to_string(dir.join(format!("{stem}.exp"))).unwrap_or_default();
        let ran = envc_eval(dir, &file, &["--nix"]);
        if ran.crashed() || ran.code != Some(0) {
            return Err(format!("`envc eval --nix` failed: {}", ran.describe()));
        }
        // Nix's harness runs the tests from `tests/functional` and rewrites that folder to
        // `/pwd` in the output, so the lang folder prints as `/pwd/lang`.
        let actual = ran.stdout.replace(&*dir.to_string_lossy(), "/pwd/lang");
        if actual.trim_end() != expected.trim_end() {
            return Err(format!(
                "output differs:\n      {}",
                short_diff(&expected, &actual)
            ));
        }
        return Ok(());
    }
    let ran = envc_eval(dir, &file, &[]);
    if ran.crashed() {
        return Err(format!("crashed: {}", ran.describe()));
    }
    if stem.starts_with("parse-okay-") {
        if parse_error(&ran.stderr) {
            return Err(format!(
                "reported a parse error: {}",
                excerpt(&ran.stderr, 400)
            ));
        }
        return Ok(());
    }
    if ran.code != Some(2) {
        return Err(format!(
            "must fail with exit 2, got {}; stdout: {}",
            ran.describe(),
            excerpt(&ran.stdout, 200)
        ));
    }
    if stem.starts_with("parse-fail-") && !parse_error(&ran.stderr) {
        return Err(format!(
            "failed, but not with a parse error: {}",
            excerpt(&ran.stderr, 400)
        ));
    }
    Ok(())
}

#[test]
fn conformance_nix_lang_tests() {
    if !support::require("`envc eval`", crate::lang_cases::have_eval()) {
        return;
    }
    let dir = tests_dir();
    let dir = dir.canonicalize().unwrap_or(dir);
    if !support::require(
        &format!(
            "the Nix language tests at {} (ENVC_NIX_LANG_TESTS)",
            dir.display()
        ),
        dir.is_dir(),
    ) {
        return;
    }
    let mut stems: Vec<String> = std::fs::read_dir(&dir)
        .expect("read the Nix language tests")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".nix")?;
            ["eval-okay-", "eval-fail-", "parse-okay-", "parse-fail-"]
                .iter()
                .any(|p| stem.starts_with(p))
                .then(|| stem.to_string())
        })
        .collect();
    stems.sort();
    let known = known_failures(KNOWN_FAILURES);

    let (mut passed, mut unsupported, mut failed) = (Vec::new(), Vec::new(), Vec::new());
    for stem in &stems {
        // Some cases are deliberately not UTF-8 (NUL bytes, Latin-1): scan them lossily.
        let source = String::from_utf8_lossy(
            &std::fs::read(dir.join(format!("{stem}.nix"))).unwrap_or_default(),
        )
        .into_owned();
        if let Some(reason) = unsupported_reason(&dir, stem, &source) {
            unsupported.push(format!("  {stem}: {reason}"));
            continue;
        }
        match check(&dir, stem) {
            Ok(()) => passed.push(stem.clone()),
            Err(why) => failed.push((stem.clone(), why)),
        }
    }

    let mut report = format!(
        "{} passed, {} failed, {} unsupported (of {} Nix language tests in {})\n",
        passed.len(),
        failed.len(),
        unsupported.len(),
        stems.len(),
        dir.display()
    );
    report += "\nunsupported:\n";
    report += &unsupported.join("\n");
    report += "\n\nfailed:\n";
    for (stem, why) in &failed {
        let mark = if known.contains_key(stem) {
            "known"
        } else {
            "NEW"
        };
        report += &format!("  [{mark}] {stem}: {why}\n");
    }
    eprintln!("{report}");

    if let Err(msg) = judge(&failed, &known, KNOWN_FAILURES) {
        panic!("{report}\n{msg}");
    }
}

#[test]
fn conformance_classifier_names_what_is_out_of_scope() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("eval-okay-a.exp"), "1\n").unwrap();
    let reason = |stem: &str, src: &str| unsupported_reason(dir, stem, src).unwrap_or_default();
    assert!(reason("eval-okay-a", "builtins.getEnv \"HOME\"").contains("`getEnv`"));
    assert!(reason("eval-okay-a", "with builtins; fromTOML \"\"").contains("`fromTOML`"));
    assert!(reason("eval-okay-a", "__curPos").contains("`curPos`"));
    assert!(reason("eval-okay-a", "derivation { }").contains("`derivation`"));
    assert!(reason("eval-okay-a", "import <nixpkgs>").contains("`<nixpkgs>`"));
    assert!(reason("eval-okay-a", "import ~/x.nix").contains("`~/`"));
    assert!(reason("eval-okay-b", "1").contains("no `.exp`"));
    std::fs::write(dir.join("eval-okay-c.exp.xml"), "<x/>").unwrap();
    assert!(reason("eval-okay-c", "1").contains("`.exp.xml`"));
    assert!(reason("eval-fail-a", "\"${./fnord}/xyzzy\"").contains("store"));
    assert!(reason("eval-okay-a", "\"${builtins.getEnv \"X\"}\"").contains("`getEnv`"));
    // Words in strings and comments are not code.
    for src in [
        "with builtins; [ \"path\" ''<name>'' ] # derivation",
        "/* fetchurl */ \"a ${\"b\"} derivation ${{ x = \"c\"; }.x}\"",
        "''a ''${derivation} '''derivation'' + \"\\\"derivation\"",
    ] {
        assert_eq!(unsupported_reason(dir, "eval-okay-a", src), None, "{src}");
    }
    // Supported builtins, envc's own search path and ordinary code are in scope.
    for src in [
        "builtins.map (x: x) [ ]",
        "import <envc/lib.nix>",
        "a < b",
        "builtins.foldl' builtins.add 0 [ ]",
        "{ __functor = self: x: x; }",
    ] {
        assert_eq!(unsupported_reason(dir, "eval-okay-a", src), None, "{src}");
    }
}
