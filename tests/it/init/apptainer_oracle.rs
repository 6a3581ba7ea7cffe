//! envc's reading of Apptainer definition files against spython's (the Singularity
//! recipe parser from PyPI): the same base, the same `%environment` variables, and the apt
//! packages of the same `%post` lines. spython reads `Bootstrap: docker` files only; the
//! debootstrap one is a project shape in `projects.rs`.

use serde_json::Value;

use envc::init::detect::apptainer::parse;
use envc::init::shell;

use super::{fixture, venv_python};
use crate::support;

const SCRIPT: &str = r#"
import json, sys
from spython.main.parse.parsers import SingularityParser
out = []
for path in sys.argv[1:]:
    recipe = list(SingularityParser(path).recipe.values())[-1]
    out.append({"from": recipe.fromHeader, "environ": recipe.environ, "install": recipe.install})
json.dump(out, sys.stdout)
"#;

#[test]
fn definition_files_read_as_spython_reads_them() {
    let Some(python) = venv_python("spython") else {
        support::require("spython (PyPI, installed by scripts/setup)", false);
        return;
    };
    let dir = fixture("definitions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "def"))
        .collect();
    files.sort();
    files.push(fixture("projects/apptainer-def/lammps.def"));
    let out = std::process::Command::new(python)
        .args(["-c", SCRIPT])
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    for (path, t) in files.iter().zip(&theirs) {
        let name = path.file_name().unwrap().to_string_lossy();
        let def = parse(&std::fs::read_to_string(path).unwrap());
        assert_eq!(
            def.header("from").map(|(v, _)| v),
            t["from"].as_str(),
            "{name}: From"
        );
        // spython keeps `NAME=value` (with `export` removed) per line.
        let their_env: Vec<String> = t["environ"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| {
                l.as_str()?
                    .split_once('=')
                    .map(|(n, _)| n.trim().to_owned())
            })
            .collect();
        let our_env: Vec<String> = def
            .sections("environment")
            .flat_map(|(_, body)| body.lines().map(str::to_owned).collect::<Vec<_>>())
            .filter_map(|l| {
                let l = l.trim();
                let l = l.strip_prefix("export ").unwrap_or(l);
                l.split_once('=').map(|(n, _)| n.trim().to_owned())
            })
            .collect();
        assert_eq!(our_env, their_env, "{name}: %environment");
        let their_post: Vec<&str> = t["install"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let ours: Vec<String> = def
            .sections("post")
            .flat_map(|(_, body)| shell::analyse(body).apt)
            .collect();
        assert_eq!(
            ours,
            shell::analyse(&their_post.join("\n")).apt,
            "{name}: %post apt packages"
        );
        assert!(
            !ours.is_empty() || name.contains("no-apt"),
            "{name}: found packages"
        );
    }
}
