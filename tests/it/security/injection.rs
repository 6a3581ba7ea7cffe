//! Issue 15, class 3: no string of a config adds structure to an emitted file.
//!
//! Regression: a newline in a file target, label key, step name, owner, workdir or cache id
//! put a `%setup` section into `apptainer.def` (which `apptainer build` runs on the host)
//! and an extra `RUN` into the Dockerfile.
//!
//! Every emitted file is read back by its real reader — BuildKit's Dockerfile parser, spython
//! and Apptainer's own rules for the `.def` — and compared with the same config holding a
//! harmless value in the same place: a hostile value is either refused (a typed error, exit
//! 2) or written so that the structure is exactly the harmless one's.

use envc::plan::Plan;
use envc::plan::contract::{self, Runner};
use envc::plan::step::{FileContent, StepKind};
use envc::spec::Spec;
use serde_json::{Value, json};

use crate::contract::rich;
use crate::support::envc;
use crate::support::readers::{python as readers, read_back, shell_words, unquote};

/// A multi-line value with everything that ever opened a section, a stage, an instruction
/// or a template.
const MULTI_LINE: &str = "x\n%setup\n    touch /tmp/envc-pwned\nRUN touch /tmp/envc-pwned\nBootstrap: docker\n{{ HOME }}";
/// A one-line value with quotes, expansions, templates, stage headers and CSV separators.
const ONE_LINE: &str =
    "x %setup it's \"q\" $HOME `id` \\ {{ HOME }} Bootstrap: x ,source=/,target=/ =";

/// The Dockerfile's shape: instruction, flag names (and `--mount` field keys, split at
/// commas as BuildKit's CSV reader does for unquoted values), JSON form, number of values.
fn docker_shape(read: &Value) -> Vec<String> {
    read["dockerfile"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let flags: Vec<String> = c["flags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let f = f.as_str().unwrap();
                    match f.split_once('=') {
                        Some(("--mount", value)) => {
                            let keys: Vec<&str> = value
                                .split(',')
                                .map(|field| field.split('=').next().unwrap())
                                .collect();
                            format!("--mount[{}]", keys.join(","))
                        }
                        Some((name, _)) => name.to_owned(),
                        None => f.to_owned(),
                    }
                })
                .collect();
            format!(
                "{} {:?} json={} values={}",
                c["cmd"].as_str().unwrap(),
                flags,
                c["json"],
                c["value"].as_array().unwrap().len()
            )
        })
        .collect()
}

/// The `.def`'s shape: Apptainer's sections and stages, and what spython finds.
fn def_shape(read: &Value) -> Value {
    let apptainer = &read["apptainer"];
    assert_eq!(
        apptainer["templates"],
        json!([]),
        "a template Apptainer would fill"
    );
    let spython = &read["spython"];
    json!({
        "sections": apptainer["sections"],
        "stages": apptainer["stages"],
        "spython": spython["sections"],
        "labels": spython["labels"].as_array().unwrap().len(),
        "files": spython["files"].as_array().unwrap().len(),
        "environ": spython["environ"].as_array().unwrap().len(),
        "install": spython["install"].as_array().unwrap().len(),
    })
}

type Mutation = fn(&mut Spec, &mut Plan, &str);

fn each_kind(plan: &mut Plan, mut f: impl FnMut(&mut StepKind)) {
    for step in &mut plan.steps {
        f(&mut step.kind);
    }
}

/// Where a hostile value goes, and whether the Dockerfile and the `.def` must keep (`K`)
/// or refuse (`R`) it, for the multi-line and the one-line value.
const CASES: &[(&str, Mutation, [char; 2], [char; 2])] = &[
    (
        "inline file target",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::File(f) = k
                    && matches!(f.source, FileContent::Text(_))
                {
                    f.target = format!("/etc/{v}")
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "inline file text",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::File(f) = k
                    && let FileContent::Text(t) = &mut f.source
                {
                    *t = v.to_owned()
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "project file target",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::File(f) = k
                    && matches!(f.source, FileContent::Project { .. })
                {
                    f.target = format!("/opt/{v}")
                }
            })
        },
        ['R', 'K'],
        ['R', 'R'],
    ),
    (
        "project file source",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::File(f) = k
                    && let FileContent::Project { path, .. } = &mut f.source
                {
                    *path = v.to_owned()
                }
            })
        },
        ['R', 'K'],
        ['R', 'R'],
    ),
    (
        "download URL",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::File(f) = k
                    && let FileContent::Download { url, .. } = &mut f.source
                {
                    *url = format!("https://example.org/{v}")
                }
            })
        },
        ['R', 'K'],
        ['K', 'K'],
    ),
    (
        "file owner",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::File(f) = k {
                    f.owner = v.to_owned()
                }
            })
        },
        ['R', 'R'],
        ['K', 'K'],
    ),
    (
        "step name",
        |_, p, v| {
            for s in &mut p.steps {
                if matches!(s.kind, StepKind::Run(_)) {
                    s.label = format!("run {v}")
                }
            }
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "run script",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Run(r) = k {
                    r.script = v.to_owned()
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "run env value",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Run(r) = k {
                    r.env.insert("CC".into(), v.to_owned());
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "run env name",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Run(r) = k {
                    r.env.insert(v.to_owned(), "1".into());
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "run workdir",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Run(r) = k {
                    r.workdir = Some(format!("/opt/{v}"))
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "cache id",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Run(r) = k
                    && let Some(c) = r.caches.first_mut()
                {
                    c.id = v.to_owned()
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "cache target",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Run(r) = k
                    && let Some(c) = r.caches.first_mut()
                {
                    c.target = format!("/root/{v}")
                }
            })
        },
        ['R', 'R'],
        ['K', 'K'],
    ),
    (
        "run shell",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Run(r) = k {
                    r.shell[0] = v.to_owned()
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "apt package",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Apt(a) = k {
                    a.packages[0] = v.to_owned()
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "pip requirement",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Pip(r) = k {
                    r.requirements[0] = v.to_owned()
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "pip index",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Pip(r) = k {
                    r.index_url = Some(v.to_owned())
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "image env value",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Config(c) = k {
                    c.env.insert("LANG".into(), v.to_owned());
                }
            })
        },
        ['R', 'K'],
        ['K', 'K'],
    ),
    (
        "image env name",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Config(c) = k {
                    c.env.insert(v.to_owned(), "1".into());
                }
            })
        },
        ['R', 'R'],
        ['R', 'R'],
    ),
    (
        "label key",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Config(c) = k {
                    c.labels.insert(v.to_owned(), "1".into());
                }
            })
        },
        ['R', 'K'],
        ['R', 'R'],
    ),
    (
        "label value",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Config(c) = k {
                    c.labels.insert("org.example.team".into(), v.to_owned());
                }
            })
        },
        ['R', 'K'],
        ['R', 'R'],
    ),
    (
        "image workdir",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Config(c) = k {
                    c.workdir = Some(format!("/opt/{v}"))
                }
            })
        },
        ['R', 'K'],
        ['K', 'K'],
    ),
    (
        "entrypoint",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Config(c) = k {
                    c.entrypoint = Some(vec![v.to_owned()])
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "cmd",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Config(c) = k {
                    c.cmd = Some(vec![v.to_owned(), v.to_owned()])
                }
            })
        },
        ['K', 'K'],
        ['K', 'K'],
    ),
    (
        "description",
        |s, _, v| s.description = Some(v.to_owned()),
        ['K', 'K'],
        ['R', 'R'],
    ),
    (
        "environment name",
        |_, p, v| p.name = v.to_owned(),
        ['R', 'K'],
        ['R', 'R'],
    ),
    (
        "base image",
        |_, p, v| {
            each_kind(p, |k| {
                if let StepKind::Base(envc::plan::step::BaseStep::Image { reference, .. }) = k {
                    *reference = v.to_owned()
                }
            })
        },
        ['R', 'R'],
        ['R', 'R'],
    ),
];

/// Library level, below any check of the config: the emitters are safe on their own.
#[test]
fn every_emitted_string_keeps_the_structure_or_is_refused() {
    let Some(python) = readers() else { return };
    let (_dir, spec, plan) = rich();
    for (field, mutate, docker_expect, def_expect) in CASES {
        let emit = |value: &str| {
            let (mut spec, mut plan) = (spec.clone(), plan.clone());
            mutate(&mut spec, &mut plan, value);
            let docker = envc::emit::dockerfile::dockerfile(&spec, &plan).map(|d| d.dockerfile);
            let def = envc::emit::apptainer::definition(&spec, &plan);
            (docker, def)
        };
        let (docker, def) = emit("benign");
        let (docker, def) = (docker.unwrap(), def.unwrap());
        let harmless = read_back(&python, Some(&docker), Some(&def));
        for (i, value) in [MULTI_LINE, ONE_LINE].into_iter().enumerate() {
            let (docker, def) = emit(value);
            let label = format!("{field} = {value:?}");
            match (&docker, docker_expect[i]) {
                (Ok(text), 'K') => {
                    let read = read_back(&python, Some(text), None);
                    assert_eq!(
                        docker_shape(&read),
                        docker_shape(&harmless),
                        "{label}\n{text}"
                    );
                }
                (Err(e), 'R') => assert!(e.source.text.contains('x'), "{label}: {e:?}"),
                (other, expected) => {
                    panic!("{label}: the Dockerfile must be {expected}: {other:?}")
                }
            }
            match (&def, def_expect[i]) {
                (Ok(text), 'K') => {
                    let read = read_back(&python, None, Some(text));
                    assert_eq!(def_shape(&read), def_shape(&harmless), "{label}\n{text}");
                }
                (Err(e), 'R') => assert!(e.source.text.contains('x'), "{label}: {e:?}"),
                (other, expected) => panic!("{label}: the .def must be {expected}: {other:?}"),
            }
        }
    }
}

/// What is kept is kept exactly: the hostile script is the step's argv in the Dockerfile
/// (as BuildKit reads it) and in the `.def` (as `sh` reads its `%post` line), and a label
/// value is the label BuildKit reads.
#[test]
fn kept_values_read_back_exactly() {
    let Some(python) = readers() else { return };
    let (_dir, spec, mut plan) = rich();
    for value in [MULTI_LINE, ONE_LINE] {
        each_kind(&mut plan, |k| {
            if let StepKind::Run(r) = k {
                r.script = value.to_owned()
            }
        });
        // The `.def` refuses this label value (spython would read `Bootstrap:` in it).
        let def = envc::emit::apptainer::definition(&spec, &plan).unwrap();
        let mut plan = plan.clone();
        each_kind(&mut plan, |k| {
            if let StepKind::Config(c) = k {
                c.labels.insert("org.example.team".into(), ONE_LINE.into());
            }
        });
        let (index, run) = plan
            .steps
            .iter()
            .find_map(|s| match &s.kind {
                StepKind::Run(r) => Some((s.index, r.clone())),
                _ => None,
            })
            .unwrap();
        let base = plan.steps[0].key;
        let docker = envc::emit::dockerfile::dockerfile(&spec, &plan).unwrap();
        let read = read_back(&python, Some(&docker.dockerfile), None);
        let runs: Vec<&Value> = read["dockerfile"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["cmd"] == "RUN")
            .collect();
        let expected = contract::run(&run, &base, &Runner::docker(&spec.build_host)).argv;
        assert!(expected.last().unwrap().ends_with(value));
        assert!(
            runs.iter().any(|c| c["value"] == json!(expected)),
            "{}",
            docker.dockerfile
        );
        let label = read["dockerfile"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["cmd"] == "LABEL")
            .unwrap();
        let values: Vec<String> = label["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| unquote(v.as_str().unwrap()))
            .collect();
        let team = values.iter().position(|v| v == "org.example.team").unwrap();
        assert_eq!(values[team + 1], ONE_LINE);

        let marker = format!("# step {index}: ");
        let line = def
            .lines()
            .skip_while(|l| !l.trim_start().starts_with(&marker))
            .nth(1)
            .unwrap();
        let expected = contract::run(&run, &base, &Runner::APPTAINER).argv;
        assert_eq!(shell_words(line), expected, "{line}");
    }
}

/// Through the real binary, with the config's checks: `envc emit` either refuses the value
/// (exit 2, nothing written) or writes files whose structure is the harmless config's.
#[test]
fn envc_emit_never_writes_injected_structure() {
    let Some(python) = readers() else { return };
    let hostile = "x\n%setup\n    touch /tmp/envc-pwned\nRUN touch /tmp/envc-pwned";
    let fields = [
        "file target",
        "label key",
        "label value",
        "step name",
        "file owner",
        "image workdir",
        "step workdir",
        "cache id",
        "cache target",
        "env value",
        "step script",
    ];
    for field in fields {
        let emit = |value: &str| {
            let project = tempfile::tempdir().unwrap();
            std::fs::write(project.path().join("x.txt"), "x").unwrap();
            let mut full = cli_config(field, value);
            full["name"] = json!("inject-cli");
            full["base"] = json!({ "image": "debian:bookworm" });
            full["targets"] = json!({ "apptainer": { "enable": true } });
            std::fs::write(project.path().join("envc.json"), full.to_string()).unwrap();
            let out = project.path().join("out");
            let run = envc()
                .current_dir(project.path())
                .args(["emit", "--out"])
                .arg(&out)
                .run();
            let read = |name: &str| std::fs::read_to_string(out.join(name)).ok();
            (run, read("Dockerfile"), read("apptainer.def"), project)
        };
        let (run, docker, def, _p) = emit("benign");
        run.ok();
        let harmless = read_back(&python, docker.as_deref(), def.as_deref());
        let (run, docker, def, _p) = emit(hostile);
        match run.code() {
            2 => assert!(
                docker.is_none() && def.is_none(),
                "{field}: refused, but files were written"
            ),
            0 => {
                let read = read_back(&python, docker.as_deref(), def.as_deref());
                assert_eq!(
                    docker_shape(&read),
                    docker_shape(&harmless),
                    "{field}: {docker:?}"
                );
                assert_eq!(def_shape(&read), def_shape(&harmless), "{field}: {def:?}");
            }
            code => panic!("{field}: exit {code}: {}", run.stderr()),
        }
    }
}

/// A config with `value` in `field`.
fn cli_config(field: &str, v: &str) -> Value {
    let step = |extra: Value| {
        let mut step = json!({ "run": "true" });
        step.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "build": { "steps": [step] } })
    };
    match field {
        "file target" => json!({ "build": { "files": { format!("/etc/{v}"): { "text": "hi" } } } }),
        "label key" => json!({ "build": { "labels": { v: "1" } } }),
        "label value" => json!({ "build": { "labels": { "k": v } } }),
        "step name" => step(json!({ "name": v })),
        "file owner" => {
            json!({ "build": { "files": { "/etc/x": { "source": "x.txt", "owner": v } } } })
        }
        "image workdir" => json!({ "build": { "workdir": format!("/opt/{v}") } }),
        "step workdir" => step(json!({ "workdir": format!("/opt/{v}") })),
        "cache id" => step(json!({ "caches": [{ "id": v, "target": "/c" }] })),
        "cache target" => step(json!({ "caches": [{ "id": "c", "target": format!("/c/{v}") }] })),
        "env value" => json!({ "build": { "env": { "X": v } } }),
        "step script" => step(json!({ "run": v })),
        other => unreachable!("{other}"),
    }
}
