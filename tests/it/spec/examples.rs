//! The examples and built-in modules: each checks, its JSON form validates against
//! `envc schema` with an independent validator, and each `.nix` file evaluates to the same
//! JSON under real Nix as under envc.

use std::path::Path;

use super::{builtin_modules, check_jsonschema, example_configs, short};
use crate::support;

#[test]
fn every_example_passes_check() {
    for config in example_configs() {
        let out = support::envc().arg("check").arg("-f").arg(&config).run();
        let stdout = out.ok();
        assert!(stdout.starts_with("ok: "), "{}: {stdout}", short(&config));
    }
}

#[test]
fn the_repository_config_is_found_from_a_subfolder_and_needs_no_registry() {
    let root = support::repo_root();
    let out = support::envc()
        .arg("check")
        .current_dir(root.join("src/spec"))
        .run();
    let stdout = out.ok();
    assert!(stdout.contains("ok: `envc-dev` from"), "{stdout}");
    assert!(stdout.contains("base:     debootstrap trixie"), "{stdout}");
    let show = support::envc()
        .args(["show", "--json"])
        .current_dir(&root)
        .run()
        .ok();
    let spec: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(spec["run"]["project"]["target"], "/repo");
    let apt = spec["build"]["apt"].as_array().unwrap();
    for needed in ["cargo", "rustc", "build-essential", "sudo"] {
        assert!(
            apt.iter()
                .any(|p| p == needed || *p == format!("{needed}/trixie-backports"))
                || (needed == "sudo" && spec["build"]["sudo"] == true),
            "`{needed}` missing from {apt:?}"
        );
    }
}

#[test]
fn example_json_forms_validate_against_the_schema() {
    let Some(checker) = check_jsonschema() else {
        support::require("check-jsonschema (PyPI, installed by scripts/setup)", false);
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("envc.schema.json");
    std::fs::write(&schema, support::envc().arg("schema").run().ok()).unwrap();
    let mut files = Vec::new();
    for (i, config) in example_configs().into_iter().enumerate() {
        let mut args = vec!["show".to_string(), "--json".into(), "-f".into()];
        args.push(config.display().to_string());
        let shown = dir.path().join(format!("{i}-show.json"));
        std::fs::write(&shown, support::envc().args(&args).run().ok()).unwrap();
        files.push(shown);
        // Every variant's applied form is a valid config too.
        let names: Vec<String> = {
            let spec: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&files[files.len() - 1]).unwrap()).unwrap();
            spec["variants"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        for name in names {
            let shown = dir.path().join(format!("{i}-{name}-show.json"));
            let out = support::envc()
                .args(&args)
                .args(["--variant", &name])
                .run()
                .ok();
            std::fs::write(&shown, out).unwrap();
            files.push(shown);
        }
        // Hand-written JSON configs validate as they are.
        if config.extension().is_some_and(|e| e == "json") {
            files.push(config);
        }
    }
    let out = std::process::Command::new(checker)
        .arg("--schemafile")
        .arg(&schema)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "check-jsonschema failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_schema_rejects_what_check_rejects() {
    let Some(checker) = check_jsonschema() else {
        support::require("check-jsonschema (PyPI, installed by scripts/setup)", false);
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("envc.schema.json");
    std::fs::write(&schema, support::envc().arg("schema").run().ok()).unwrap();
    let bad = support::repo_root().join("tests/spec/bad");
    for name in [
        "unknown-field-top.json",
        "wrong-type-list.json",
        "missing-name.json",
        "base-unknown-kind.json",
        "image-without-tag.json",
        "unknown-platform.json",
        "bad-size.json",
    ] {
        let out = std::process::Command::new(&checker)
            .arg("--schemafile")
            .arg(&schema)
            .arg(bad.join(name))
            .output()
            .unwrap();
        assert!(!out.status.success(), "the schema accepts {name}");
    }
}

/// Run an expression under real Nix with `<envc/...>` naming the repository's `modules/`.
fn nix_json(expr: &str, dir: &Path) -> String {
    let modules = support::repo_root().join("modules");
    let out = support::nix_instantiate()
        .arg("-I")
        .arg(format!("envc={}", modules.display()))
        .args(["--eval", "--strict", "--json", "--expr", expr])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "nix failed on {expr}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn envc_json(expr: &str, dir: &Path) -> String {
    support::envc()
        .args(["eval", "--json", "--expr", expr])
        .current_dir(dir)
        .run()
        .ok()
        .trim()
        .to_string()
}

/// A config's value with `lib` applied and `imports` shown as file names: the JSON that
/// both evaluators must agree on (real Nix would copy imported paths to its store).
const CONFIG_VALUE: &str = r#"let
  c = import ./FILE;
  v = if builtins.isFunction c then c { lib = import <envc/lib.nix>; } else c;
in v // { imports = map (p: baseNameOf (toString p)) (v.imports or [ ]); }"#;

#[test]
fn nix_examples_evaluate_the_same_under_real_nix() {
    if !support::require("nix-instantiate (Debian's nix-bin)", support::have_nix()) {
        return;
    }
    for config in example_configs() {
        if config.extension().is_none_or(|e| e != "nix") {
            continue;
        }
        let dir = config.parent().unwrap();
        let expr = CONFIG_VALUE.replace("FILE", "envc.nix");
        let ours = envc_json(&expr, dir);
        let theirs = nix_json(&expr, dir);
        assert_eq!(ours, theirs, "{} evaluates differently", short(&config));
    }
}

#[test]
fn builtin_modules_evaluate_the_same_under_real_nix() {
    if !support::require("nix-instantiate (Debian's nix-bin)", support::have_nix()) {
        return;
    }
    let dir = support::repo_root();
    for name in builtin_modules() {
        let expr = format!("import <envc/{name}.nix> {{ lib = import <envc/lib.nix>; }}");
        assert_eq!(
            envc_json(&expr, &dir),
            nix_json(&expr, &dir),
            "module `{name}`"
        );
    }
}

/// The spec a config gives when real Nix evaluates it: each file (the config and the
/// built-in modules it imports) evaluated by `nix-instantiate` into a JSON module, then
/// merged and checked by envc. It must equal the spec envc makes from the `.nix` files.
#[test]
fn the_spec_is_the_same_when_real_nix_evaluates_the_files() {
    if !support::require("nix-instantiate (Debian's nix-bin)", support::have_nix()) {
        return;
    }
    let modules = support::repo_root().join("modules");
    for config in example_configs() {
        if config.extension().is_none_or(|e| e != "nix") {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        // The example's project files (what `build.files` copies) come along.
        copy_project_files(config.parent().unwrap(), tmp.path());
        for name in builtin_modules() {
            let expr = format!("import <envc/{name}.nix> {{ lib = import <envc/lib.nix>; }}");
            let json = nix_json(&expr, &modules);
            std::fs::write(tmp.path().join(format!("{name}.json")), json).unwrap();
        }
        let expr = r#"let
  c = import ./envc.nix;
  v = if builtins.isFunction c then c { lib = import <envc/lib.nix>; } else c;
in v // { imports = map (p: "./" + builtins.replaceStrings [ ".nix" ] [ ".json" ] (baseNameOf (toString p))) (v.imports or [ ]); }"#;
        let json = nix_json(expr, config.parent().unwrap());
        std::fs::write(tmp.path().join("envc.json"), json).unwrap();

        let show = |file: &Path, variant: Option<&str>| {
            let mut cmd = support::envc().args(["show", "--json", "-f"]).arg(file);
            if let Some(v) = variant {
                cmd = cmd.args(["--variant", v]);
            }
            cmd.run().ok()
        };
        let ours = show(&config, None);
        assert_eq!(
            ours,
            show(&tmp.path().join("envc.json"), None),
            "{}",
            short(&config)
        );
        let spec: serde_json::Value = serde_json::from_str(&ours).unwrap();
        for variant in spec["variants"].as_object().unwrap().keys() {
            assert_eq!(
                show(&config, Some(variant)),
                show(&tmp.path().join("envc.json"), Some(variant)),
                "{} variant {variant}",
                short(&config)
            );
        }
    }
}

#[test]
fn every_builtin_module_merges_and_checks_from_nix_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    for name in builtin_modules() {
        let nix = tmp.path().join(format!("{name}.nix"));
        std::fs::write(
            &nix,
            format!(
                "{{ imports = [ <envc/{name}.nix> ]; name = \"t-{name}\"; base.debootstrap.suite = \"bookworm\"; }}"
            ),
        )
        .unwrap();
        let out = support::envc().args(["check", "-f"]).arg(&nix).run().ok();
        assert!(out.contains(&format!("<envc/{name}.nix>")), "{out}");

        let json = tmp.path().join(format!("{name}.json"));
        std::fs::write(
            &json,
            format!(
                r#"{{ "imports": ["<envc/{name}>"], "name": "t-{name}", "base": {{ "image": "debian:bookworm" }} }}"#
            ),
        )
        .unwrap();
        support::envc().args(["check", "-f"]).arg(&json).run().ok();
    }
}

#[test]
fn lib_helpers_evaluate_the_same_under_real_nix() {
    if !support::require("nix-instantiate (Debian's nix-bin)", support::have_nix()) {
        return;
    }
    let expr = r#"let lib = import <envc/lib.nix>; in {
  force = lib.mkForce 1;
  default = lib.mkDefault "x";
  override = lib.mkOverride 10 [ 1 ];
  before = lib.mkBefore [ 1 ];
  after = lib.mkAfter [ 2 ];
  order = lib.mkOrder 700 [ 3 ];
  when = lib.mkIf true { a = 1; };
  merged = lib.mkMerge [ { a = 1; } { b = 2; } ];
  optional = lib.optional true 1 ++ lib.optional false 2;
  optionals = lib.optionals true [ 1 2 ];
  optionalString = lib.optionalString false "x" + lib.optionalString true "y";
  optionalAttrs = lib.optionalAttrs true { a = 1; } // lib.optionalAttrs false { b = 2; };
  mapAttrsToList = lib.mapAttrsToList (n: v: n + v) { x = "1"; y = "2"; };
  concatMapStringsSep = lib.concatMapStringsSep "," toString [ 1 2 ];
  concatStringsSep = lib.concatStringsSep "-" [ "a" "b" ];
  concatLines = lib.concatLines [ "a" "b" ];
  unique = lib.unique [ 1 2 1 3 ];
  flatten = lib.flatten [ 1 [ 2 [ 3 ] ] ];
  splitString = lib.splitString "." "a.b.c";
  hasPrefix = lib.hasPrefix "ab" "abc";
  hasSuffix = lib.hasSuffix ".nix" "x.nix";
  removePrefix = lib.removePrefix "ab" "abc";
  recursiveUpdate = lib.recursiveUpdate { a = { b = 1; c = 2; }; } { a = { b = 3; }; };
  filterAttrs = lib.filterAttrs (n: v: v > 1) { x = 1; y = 2; };
  genAttrs = lib.genAttrs [ "a" "b" ] (x: x + x);
  toUpper = lib.toUpper "abc";
  toLower = lib.toLower "ABC";
  range = lib.range 1 3;
  reverseList = lib.reverseList [ 1 2 3 ];
  imap1 = lib.imap1 (i: v: i * v) [ 5 5 ];
  foldr = lib.foldr (a: b: a - b) 0 [ 1 2 3 ];
  attrByPath = lib.attrByPath [ "a" "b" ] 0 { a.b = 7; };
  last = lib.last [ 1 2 ];
  boolToString = lib.boolToString true;
}"#;
    let dir = support::repo_root();
    assert_eq!(envc_json(expr, &dir), nix_json(expr, &dir));
}

/// Copy the folders beside an example's config (its project files, not envc's own `.envc`
/// state) into `to`.
fn copy_project_files(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&source, &target);
        } else if kind.is_file() {
            std::fs::copy(&source, &target).unwrap();
        }
    }
}
