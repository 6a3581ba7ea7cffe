//! envc's Dockerfile parser against BuildKit's own (Go, through the PyPI `dockerfile`
//! package): every fixture under tests/init/dockerfiles must give the same instructions —
//! words, flags, JSON form, line ranges, heredocs — or fail to parse in both.

use serde_json::{Value, json};

use envc::init::dockerfile::parse::{Instruction, parse};

use super::{fixture, venv_python};
use crate::support;

fn ours(ins: &Instruction) -> Value {
    let (cmd, sub) = match &ins.sub {
        Some(sub) => (ins.cmd.clone(), Some(sub.cmd.clone())),
        None => (ins.cmd.clone(), None),
    };
    json!({
        "cmd": cmd,
        "sub_cmd": sub,
        "json": ins.json,
        "start_line": ins.start_line,
        "end_line": ins.end_line,
        "flags": ins.flags,
        "value": ins.args,
        "heredocs": ins.heredocs.iter().map(|h| json!({"name": h.name, "content": h.content})).collect::<Vec<_>>(),
    })
}

/// BuildKit's view without the fields envc does not model the same way: `original` of
/// heredoc instructions (BuildKit appends the heredoc bodies to it) and ONBUILD's heredocs
/// (which the wrapper does not report).
fn theirs(ins: &Value) -> (Value, Option<String>) {
    let mut v = ins.clone();
    let original = v["original"].as_str().map(str::to_owned);
    let map = v.as_object_mut().unwrap();
    map.remove("original");
    if map["cmd"]
        .as_str()
        .is_some_and(|c| c.eq_ignore_ascii_case("onbuild"))
    {
        map.insert("heredocs".into(), json!([]));
    }
    let has_heredocs = !map["heredocs"].as_array().unwrap().is_empty();
    (v, if has_heredocs { None } else { original })
}

#[test]
fn dockerfile_parser_matches_buildkit_on_every_fixture() {
    let Some(python) = venv_python("dockerfile") else {
        support::require(
            "the PyPI `dockerfile` package (BuildKit's parser; scripts/setup)",
            false,
        );
        return;
    };
    let dir = fixture("dockerfiles");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "the corpus has its files");
    let out = std::process::Command::new(python)
        .arg(fixture("buildkit_parse.py"))
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut compared = 0;
    for (path, result) in files.iter().zip(&results) {
        let name = path.file_name().unwrap().to_string_lossy();
        let data = std::fs::read(path).unwrap();
        let mine = parse(&data);
        match (result["ok"].as_bool().unwrap(), mine) {
            (true, Ok(parsed)) => {
                let theirs_list = result["instructions"].as_array().unwrap();
                assert_eq!(
                    parsed.instructions.len(),
                    theirs_list.len(),
                    "{name}: instruction count"
                );
                for (m, t) in parsed.instructions.iter().zip(theirs_list) {
                    let (expected, original) = theirs(t);
                    assert_eq!(ours(m), expected, "{name}: line {}", m.start_line);
                    if let Some(original) = original {
                        assert_eq!(
                            m.original, original,
                            "{name}: original of line {}",
                            m.start_line
                        );
                    }
                    compared += 1;
                }
            }
            (false, Err(_)) => compared += 1,
            (true, Err(e)) => panic!("{name}: BuildKit parses it, envc does not: {e}"),
            (false, Ok(_)) => panic!(
                "{name}: BuildKit refuses it ({}), envc parses it",
                result["error"]
            ),
        }
    }
    assert!(compared > 100, "compared {compared} instructions");
}

/// Files BuildKit refuses are refused by envc too, each with its reason.
#[test]
fn dockerfile_parse_errors_match_buildkit() {
    let Some(python) = venv_python("dockerfile") else {
        support::require(
            "the PyPI `dockerfile` package (BuildKit's parser; scripts/setup)",
            false,
        );
        return;
    };
    let cases: &[&str] = &[
        "",
        "# just a comment\n",
        "RUN [\"a\", 1]\n",
        "ENV ONLYKEY\n",
        "LABEL a=b c\n",
        "RUN <<EOF\nnever ends\n",
        "# escape=x\nFROM a:1\n",
        "# escape=`\n# escape=\\\nFROM a:1\n",
        "FROM a:1\nCOPY [\"x\", {\"y\": 1}]\n",
        // Not compared: `CMD ["a"] trailing`. The PyPI package's BuildKit decodes the first
        // JSON value and ignores the rest (a JSON form); BuildKit today (`json.Unmarshal`,
        // followed by envc) reads it as the shell form.
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let p = dir.path().join(format!("{i}.Dockerfile"));
        std::fs::write(&p, case).unwrap();
        paths.push(p);
    }
    let out = std::process::Command::new(python)
        .arg(fixture("buildkit_parse.py"))
        .args(&paths)
        .output()
        .unwrap();
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    for ((case, result), path) in cases.iter().zip(&results).zip(&paths) {
        let mine = parse(&std::fs::read(path).unwrap());
        assert_eq!(
            result["ok"].as_bool().unwrap(),
            mine.is_ok(),
            "{case:?}: BuildKit {result}, envc {mine:?}"
        );
        if let (Some(theirs), Err(e)) = (result["error"].as_str(), &mine) {
            assert!(
                theirs.contains(&e.message) || e.message.contains(theirs),
                "{case:?}: BuildKit says {theirs:?}, envc {:?}",
                e.message
            );
        }
    }
}
