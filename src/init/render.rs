//! The draft as a config tree ([`doc::Entry`]s): the fields `envc check` knows, in the
//! order a person reads them, each with a comment naming where its value came from.

use super::doc::{Entry, Item, Node, Text};
use super::draft::{BaseDraft, Draft, Found, UserDraft};

fn t(s: &str) -> Text {
    Text::new(s).expect("literal config text")
}

fn entry(key: &str, value: Node, comment: Option<String>) -> Entry {
    Entry {
        key: t(key),
        value,
        comment,
    }
}

fn keyed(key: &Text, value: Node, comment: Option<String>) -> Entry {
    Entry {
        key: key.clone(),
        value,
        comment,
    }
}

fn s(text: &Text) -> Node {
    Node::Str(text.clone())
}

fn from<T>(found: &Found<T>) -> Option<String> {
    Some(format!("from {}", found.origin))
}

/// List items with a comment at each change of origin file.
fn items<T>(found: &[Found<T>], value: impl Fn(&T) -> Node) -> Node {
    let mut out = Vec::new();
    let mut last: Option<&str> = None;
    for f in found {
        let comment =
            (last != Some(f.origin.file.as_str())).then(|| format!("from {}", f.origin.file));
        last = Some(f.origin.file.as_str());
        out.push(Item {
            value: value(&f.value),
            comment,
        });
    }
    Node::List(out)
}

fn pairs(found: &[Found<(Text, Text)>]) -> Node {
    Node::Attrs(
        found
            .iter()
            .map(|f| keyed(&f.value.0, s(&f.value.1), from(f)))
            .collect(),
    )
}

/// The whole config.
pub fn render(draft: &Draft, name: &Text) -> Vec<Entry> {
    let mut root = vec![entry("name", s(name), None)];
    root.push(base(draft));

    let mut build = Vec::new();
    if !draft.apt.is_empty() {
        build.push(entry(
            "apt",
            items(&draft.apt, s),
            Some("Debian packages; `envc lock` pins each to an exact version".into()),
        ));
    }
    if !draft.pip.is_empty() {
        build.push(entry(
            "pip",
            Node::Attrs(vec![entry("packages", items(&draft.pip, s), None)]),
            Some("Python packages; `envc lock` pins versions and hashes".into()),
        ));
    }
    if !draft.steps.is_empty() {
        build.push(entry(
            "steps",
            Node::List(
                draft
                    .steps
                    .iter()
                    .map(|step| Item {
                        value: Node::Attrs(vec![
                            entry("name", s(&step.value.name), None),
                            entry("run", s(&step.value.run), None),
                        ]),
                        comment: from(step),
                    })
                    .collect(),
            ),
            None,
        ));
    }
    if !draft.build_env.is_empty() {
        build.push(entry(
            "env",
            pairs(&draft.build_env),
            Some("Variables baked into the image".into()),
        ));
    }
    if !draft.labels.is_empty() {
        build.push(entry("labels", pairs(&draft.labels), None));
    }
    if let Some(w) = &draft.workdir {
        build.push(entry("workdir", s(&w.value), from(w)));
    }
    if let Some(e) = &draft.entrypoint {
        build.push(entry("entrypoint", Node::List(plain(&e.value)), from(e)));
    }
    if let Some(c) = &draft.cmd {
        build.push(entry("cmd", Node::List(plain(&c.value)), from(c)));
    }
    if !build.is_empty() {
        root.push(entry(
            "build",
            Node::Attrs(build),
            Some("What is built into the image (the only input of its key, with the base)".into()),
        ));
    }

    let run = run(draft);
    if !run.is_empty() {
        root.push(entry(
            "run",
            Node::Attrs(run),
            Some(
                "How the environment starts; applied at `envc up`, never baked into the image"
                    .into(),
            ),
        ));
    }
    root
}

fn plain(values: &[Text]) -> Vec<Item> {
    values
        .iter()
        .map(|v| Item {
            value: s(v),
            comment: None,
        })
        .collect()
}

fn base(draft: &Draft) -> Entry {
    match &draft.base {
        Some(
            found @ Found {
                value: BaseDraft::Image(image),
                ..
            },
        ) => entry(
            "base",
            Node::Attrs(vec![entry("image", s(image), None)]),
            Some(format!(
                "{}; `envc lock` pins its digest",
                from(found).unwrap_or_default()
            )),
        ),
        Some(Found {
            value:
                BaseDraft::Debootstrap {
                    suite,
                    extra_suites,
                },
            origin,
        }) => {
            let mut fields = vec![entry("suite", s(suite), None)];
            if !extra_suites.is_empty() {
                fields.push(entry(
                    "extra_suites",
                    Node::List(plain(extra_suites)),
                    Some("enabled, but used only for packages named `NAME/SUITE`".into()),
                ));
            }
            entry(
                "base",
                Node::Attrs(vec![entry("debootstrap", Node::Attrs(fields), None)]),
                Some(format!(
                    "A Debian root filesystem made with debootstrap (no registry needed), for {origin}"
                )),
            )
        }
        None => entry(
            "base",
            Node::Attrs(vec![entry(
                "debootstrap",
                Node::Attrs(vec![entry("suite", Node::Str(t("trixie")), None)]),
                None,
            )]),
            Some(
                "No base was found: Debian trixie made with debootstrap (no registry needed). \
                 For a registry image write `base.image = \"debian:trixie\";`"
                    .into(),
            ),
        ),
    }
}

fn run(draft: &Draft) -> Vec<Entry> {
    let mut run = Vec::new();
    let mut user = Vec::new();
    if let Some(u) = &draft.user
        && u.value == UserDraft::Root
    {
        user.push(entry("mode", Node::Str(t("root")), from(u)));
    } else if let Some(n) = &draft.user_name {
        user.push(entry("name", s(&n.value), from(n)));
    }
    if !user.is_empty() {
        run.push(entry("user", Node::Attrs(user), None));
    }
    if let Some(p) = &draft.project_target {
        run.push(entry(
            "project",
            Node::Attrs(vec![entry("target", s(&p.value), None)]),
            from(p),
        ));
    }
    if !draft.ports.is_empty() {
        run.push(entry(
            "ports",
            items(&draft.ports, |p| {
                let mut fields = vec![entry("container", Node::Int(i64::from(p.container)), None)];
                if let Some(host) = p.host {
                    fields.push(entry("host", Node::Int(i64::from(host)), None));
                }
                if p.udp {
                    fields.push(entry("protocol", Node::Str(t("udp")), None));
                }
                Node::Attrs(fields)
            }),
            Some("Published on 127.0.0.1 only; set `address` to open one wider".into()),
        ));
    }
    let binds: Vec<_> = draft
        .mounts
        .iter()
        .filter(|m| !m.value.volume)
        .cloned()
        .collect();
    if !binds.is_empty() {
        run.push(entry(
            "mounts",
            items(&binds, |m| {
                let mut f = vec![
                    entry("source", s(&m.source), None),
                    entry("target", s(&m.target), None),
                ];
                if m.readonly {
                    f.push(entry("readonly", Node::Bool(true), None));
                }
                Node::Attrs(f)
            }),
            None,
        ));
    }
    let volumes: Vec<_> = draft
        .mounts
        .iter()
        .filter(|m| m.value.volume)
        .cloned()
        .collect();
    if !volumes.is_empty() {
        run.push(entry(
            "volumes",
            items(&volumes, |m| {
                let mut f = vec![
                    entry("name", s(&m.source), None),
                    entry("target", s(&m.target), None),
                ];
                if m.readonly {
                    f.push(entry("readonly", Node::Bool(true), None));
                }
                Node::Attrs(f)
            }),
            None,
        ));
    }
    if !draft.run_env.is_empty() {
        run.push(entry("env", pairs(&draft.run_env), None));
    }
    if !draft.pass_env.is_empty() {
        run.push(entry("pass_env", items(&draft.pass_env, s), None));
    }
    if let Some(origin) = &draft.proxy {
        run.push(entry(
            "proxy",
            Node::Bool(true),
            Some(format!("from {origin}")),
        ));
    }
    if let Some(n) = &draft.network {
        run.push(entry(
            "network",
            Node::Attrs(vec![entry("name", s(&n.value), None)]),
            from(n),
        ));
    }
    if let Some(origin) = &draft.gpu_all {
        run.push(entry(
            "gpu",
            Node::Str(t("all")),
            Some(format!("from {origin}")),
        ));
    }
    if !draft.devices.is_empty() {
        run.push(entry("devices", items(&draft.devices, s), None));
    }
    if !draft.cap_add.is_empty() {
        run.push(entry("cap_add", items(&draft.cap_add, s), None));
    }
    if !draft.cap_drop.is_empty() {
        run.push(entry("cap_drop", items(&draft.cap_drop, s), None));
    }
    if let Some(shm) = &draft.shm_size {
        run.push(entry("shm_size", s(&shm.value), from(shm)));
    }
    if let Some(origin) = &draft.x11 {
        run.push(entry(
            "x11",
            Node::Bool(true),
            Some(format!("from {origin}")),
        ));
    }
    if let Some(origin) = &draft.docker_socket {
        run.push(entry(
            "docker_socket",
            Node::Bool(true),
            Some(format!("from {origin}")),
        ));
    }
    if !draft.post_start.is_empty() {
        run.push(entry(
            "post_start",
            items(&draft.post_start, s),
            Some("Run as root each time the environment starts".into()),
        ));
    }
    run
}
