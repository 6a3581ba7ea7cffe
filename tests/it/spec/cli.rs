//! `envc schema`, `envc show`, `envc check`: config discovery, variants, priorities, the
//! normalized output, and errors that are not about one field.

use std::path::Path;

use crate::support;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn show_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = support::envc()
        .args(["show", "--json"])
        .args(extra)
        .current_dir(dir)
        .run()
        .ok();
    serde_json::from_str(&out).unwrap()
}

#[test]
fn schema_is_draft_2020_12_and_documents_every_field() {
    let schema: serde_json::Value =
        serde_json::from_str(&support::envc().arg("schema").run().ok()).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["$id"].as_str().unwrap().starts_with("https://"));
    assert_eq!(schema["additionalProperties"], false);
    let mut undocumented = Vec::new();
    let mut walk = vec![("".to_string(), &schema)];
    while let Some((path, node)) = walk.pop() {
        // An enum variant `{ "image": ... }` is documented on the variant itself.
        let documented_variant = node.get("description").is_some()
            && node
                .get("properties")
                .and_then(|p| p.as_object())
                .is_some_and(|p| p.len() == 1);
        if documented_variant {
            continue;
        }
        if let Some(props) = node.get("properties").and_then(|p| p.as_object()) {
            for (name, prop) in props {
                if prop.get("description").is_none() {
                    undocumented.push(format!("{path}.{name}"));
                }
            }
        }
        if let Some(defs) = node.get("$defs").and_then(|d| d.as_object()) {
            for (name, def) in defs {
                walk.push((name.clone(), def));
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(items) = node.get(key).and_then(|i| i.as_array()) {
                walk.extend(items.iter().map(|i| (path.clone(), i)));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "fields without a description: {undocumented:?}"
    );
}

#[test]
fn show_is_sorted_stable_and_its_nix_form_evaluates_to_the_same_value() {
    let root = support::repo_root().join("examples/gpu-training");
    let first = support::envc()
        .args(["show", "--json"])
        .current_dir(&root)
        .run()
        .ok();
    let second = support::envc()
        .args(["show", "--json"])
        .current_dir(&root)
        .run()
        .ok();
    assert_eq!(first, second);
    fn sorted(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Object(m) => {
                let keys: Vec<&String> = m.keys().collect();
                keys.windows(2).all(|w| w[0] <= w[1]) && m.values().all(sorted)
            }
            serde_json::Value::Array(a) => a.iter().all(sorted),
            _ => true,
        }
    }
    let json: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert!(sorted(&json), "keys are not sorted");

    let nix = support::envc().arg("show").current_dir(&root).run().ok();
    let tmp = project(&[("shown.nix", &nix)]);
    let evaluated = support::envc()
        .args(["eval", "--json", "shown.nix"])
        .current_dir(tmp.path())
        .run()
        .ok();
    let evaluated: serde_json::Value = serde_json::from_str(&evaluated).unwrap();
    assert_eq!(evaluated, json);

    if support::require("nix-instantiate (Debian's nix-bin)", support::have_nix()) {
        let out = support::nix_instantiate()
            .args(["--eval", "--strict", "--json", "shown.nix"])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let by_nix: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            by_nix, json,
            "real Nix reads `envc show` output differently"
        );
    }
}

#[test]
fn show_fills_defaults_and_keeps_the_spec_host_independent() {
    let dir = project(&[
        ("files/app.conf", "x = 1\n"),
        (
            "envc.nix",
            r#"{
  name = "paths";
  base.debootstrap.suite = "bookworm";
  build.files."/etc/app.conf".source = ./files/app.conf;
  run.mounts = [ { source = ./data; target = "/data"; } ];
  run.env.LITERAL = "{{not-a-placeholder}} {home}";
}"#,
        ),
    ]);
    let spec = show_json(dir.path(), &[]);
    assert_eq!(
        spec["build"]["files"]["/etc/app.conf"]["source"],
        "files/app.conf"
    );
    assert_eq!(spec["build"]["files"]["/etc/app.conf"]["mode"], "0644");
    assert_eq!(spec["run"]["mounts"][0]["source"], "{project}/data");
    assert_eq!(spec["platform"], "linux/amd64");
    assert_eq!(spec["run"]["project"]["target"], "/repo");
    assert_eq!(
        spec["base"]["debootstrap"]["mirror"],
        "http://deb.debian.org/debian"
    );
    assert!(
        !serde_json::to_string(&spec)
            .unwrap()
            .contains(&dir.path().display().to_string())
    );
}

#[test]
fn priorities_and_list_order_follow_nixpkgs() {
    let dir = project(&[
        (
            "base.nix",
            r#"{ lib, ... }: {
  name = lib.mkDefault "from-module";
  base.image = lib.mkDefault "debian:bookworm";
  build.apt = [ "middle" ];
  run.shm_size = lib.mkForce "1g";
}"#,
        ),
        (
            "envc.nix",
            r#"{ lib, ... }: {
  imports = [ ./base.nix ];
  name = "mine";
  build.apt = lib.mkAfter [ "last" ];
  run.shm_size = "8g";
  run.x11 = lib.mkIf false true;
  variants.first.build.apt = lib.mkBefore [ "first" ];
}"#,
        ),
    ]);
    let spec = show_json(dir.path(), &[]);
    assert_eq!(spec["name"], "mine");
    assert_eq!(spec["base"]["image"], "debian:bookworm");
    assert_eq!(spec["build"]["apt"], serde_json::json!(["middle", "last"]));
    assert_eq!(spec["run"]["shm_size"], "1g");
    assert_eq!(spec["run"]["x11"], false);
    let variant = show_json(dir.path(), &["--variant", "first"]);
    assert_eq!(
        variant["build"]["apt"],
        serde_json::json!(["first", "middle", "last"])
    );
}

#[test]
fn check_applies_a_variant_and_checks_every_variant_without_one() {
    let root = support::repo_root().join("examples/gpu-training");
    let out = support::envc()
        .args(["check", "--variant", "source"])
        .current_dir(&root)
        .run()
        .ok();
    assert!(
        out.starts_with("ok: `gpu-training` (variant `source`)"),
        "{out}"
    );
    assert!(out.contains("nvidia/cuda:11.8.0"), "{out}");
    let out = support::envc().arg("check").current_dir(&root).run().ok();
    assert!(out.contains("variants: source (each checked)"), "{out}");

    let dir = project(&[(
        "envc.json",
        r#"{ "name": "v", "base": { "image": "debian:bookworm" },
             "variants": { "bad": { "run": { "gpu": "lots" } } } }"#,
    )]);
    let run = support::envc().arg("check").current_dir(dir.path()).run();
    assert_eq!(run.code(), 2, "a broken variant fails `check`");
    assert!(run.stderr().contains("envc.json:2:"), "{}", run.stderr());
}

#[test]
fn an_unknown_variant_names_the_known_ones() {
    let root = support::repo_root().join("examples/gpu-training");
    let run = support::envc()
        .args(["check", "--variant", "sourse"])
        .current_dir(&root)
        .run();
    assert_eq!(run.code(), 2);
    let stderr = run.stderr();
    assert!(stderr.contains("no variant `sourse`"), "{stderr}");
    assert!(stderr.contains("did you mean `source`?"), "{stderr}");
}

#[test]
fn discovery_errors_and_preferences() {
    let empty = tempfile::tempdir().unwrap();
    let run = support::envc().arg("check").current_dir(empty.path()).run();
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("no `envc.nix` or `envc.json`"),
        "{}",
        run.stderr()
    );

    let run = support::envc()
        .args(["check", "-f", "nope.nix"])
        .current_dir(empty.path())
        .run();
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("cannot read"), "{}", run.stderr());

    let both = project(&[
        (
            "envc.nix",
            r#"{ name = "from-nix"; base.image = "debian:bookworm"; }"#,
        ),
        (
            "envc.json",
            r#"{ "name": "from-json", "base": { "image": "debian:bookworm" } }"#,
        ),
    ]);
    assert_eq!(show_json(both.path(), &[])["name"], "from-nix");
    assert_eq!(
        show_json(both.path(), &["-f", "envc.json"])["name"],
        "from-json"
    );
}

#[test]
fn evaluation_stays_inside_the_project() {
    let dir = project(&[(
        "envc.nix",
        r#"{ name = builtins.readFile /etc/hostname; base.image = "debian:bookworm"; }"#,
    )]);
    let run = support::envc().arg("check").current_dir(dir.path()).run();
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("envc.nix:1:"), "{}", run.stderr());
}

#[test]
fn inline_modules_in_imports_merge_before_the_file() {
    let dir = project(&[
        ("extra.json", r#"{ "build": { "apt": ["from-json"] } }"#),
        (
            "envc.nix",
            r#"{
  imports = [
    { build.apt = [ "inline" ]; imports = [ ./extra.json ]; }
  ];
  name = "inline";
  base.image = "debian:bookworm";
  build.apt = [ "own" ];
}"#,
        ),
    ]);
    let spec = show_json(dir.path(), &[]);
    assert_eq!(
        spec["build"]["apt"],
        serde_json::json!(["from-json", "inline", "own"])
    );
}
