//! The committed schemas under `schema/` are what `envc schema` prints, describe every field
//! (`description` and `markdownDescription`), are valid draft-07 and 2020-12 schemas by an
//! independent validator, and accept every example `envc.json`.

use std::path::PathBuf;
use std::process::Command;

use crate::spec::check_jsonschema;
use crate::support;

fn committed(name: &str) -> PathBuf {
    support::repo_root().join("schema").join(name)
}

const FILES: [(&str, &[&str]); 2] = [
    ("envc.schema.json", &["schema"]),
    ("envc.draft-07.schema.json", &["schema", "--draft", "7"]),
];

#[test]
fn committed_schemas_equal_envc_schema_output() {
    for (file, args) in FILES {
        let printed = support::envc().args(args).run().ok();
        let on_disk = std::fs::read_to_string(committed(file)).unwrap();
        assert!(
            printed == on_disk,
            "schema/{file} is not `envc {}`: regenerate it with `envc {} > schema/{file}`",
            args.join(" "),
            args.join(" ")
        );
    }
}

#[test]
fn every_field_has_a_description_and_markdown_description() {
    fn walk(node: &serde_json::Value, at: &str, missing: &mut Vec<String>) {
        match node {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                    for (name, prop) in props {
                        for key in ["description", "markdownDescription"] {
                            if prop
                                .get(key)
                                .and_then(|d| d.as_str())
                                .is_none_or(str::is_empty)
                            {
                                missing.push(format!("{at}.{name}: {key}"));
                            }
                        }
                    }
                }
                for (k, v) in map {
                    walk(v, &format!("{at}/{k}"), missing);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, at, missing)),
            _ => {}
        }
    }
    for (file, _) in FILES {
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(committed(file)).unwrap()).unwrap();
        assert!(
            schema["$id"]
                .as_str()
                .unwrap()
                .starts_with("https://envc.dev/schema/")
        );
        let mut missing = Vec::new();
        walk(&schema, "", &mut missing);
        assert!(missing.is_empty(), "{file}: {missing:#?}");
    }
    let draft7: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(committed(FILES[1].0)).unwrap()).unwrap();
    assert_eq!(draft7["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(!serde_json::to_string(&draft7).unwrap().contains("#/$defs/"));
}

#[test]
fn committed_schemas_are_valid_and_accept_the_examples() {
    let Some(checker) = check_jsonschema() else {
        support::require("check-jsonschema (PyPI, installed by scripts/setup)", false);
        return;
    };
    // Each is checked against the metaschema its `$schema` names (draft-07, 2020-12).
    let out = Command::new(&checker)
        .arg("--check-metaschema")
        .args(FILES.map(|(f, _)| committed(f)))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut examples = Vec::new();
    for entry in std::fs::read_dir(support::repo_root().join("examples")).unwrap() {
        let json = entry.unwrap().path().join("envc.json");
        if json.is_file() {
            examples.push(json);
        }
    }
    assert!(!examples.is_empty());
    for (file, _) in FILES {
        let out = Command::new(&checker)
            .arg("--schemafile")
            .arg(committed(file))
            .args(&examples)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // And they reject what `envc check` rejects.
    let bad = support::repo_root().join("tests/spec/bad/unknown-field-top.json");
    for (file, _) in FILES {
        let out = Command::new(&checker)
            .arg("--schemafile")
            .arg(committed(file))
            .arg(&bad)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{file} accepts {}", bad.display());
    }
}
