//! A Dev Containers config (`.devcontainer/devcontainer.json` or `.devcontainer.json`,
//! JSONC: comments and trailing commas allowed): `image` or `build.dockerfile`, the
//! features envc has a Debian counterpart for, `forwardPorts`, `mounts`, `containerEnv`,
//! `remoteEnv`, `remoteUser`/`containerUser`, `workspaceFolder`, `postCreateCommand` /
//! `postStartCommand`, and the `runArgs` envc's own `envc emit` writes, so that an emitted
//! devcontainer.json reads back to the same run settings.
//!
//! Dev Containers variables become envc placeholders: `${localWorkspaceFolder}` →
//! `{project}`, `${localWorkspaceFolderBasename}` → `{project_slug}`, `${localEnv:HOME}` →
//! `{home}`, `${localEnv:USER}` → `{user}`, `${localEnv:NAME}` → `{env:NAME}`.

use jsonc_parser::{JsonValue, ParseOptions};
use serde_json::Value;

use crate::init::draft::{Draft, Found, MountDraft, Origin, PortDraft, UserDraft, short};
use crate::init::files::Project;

/// Where Dev Containers tools look, in their order.
const LOCATIONS: &[&str] = &[".devcontainer/devcontainer.json", ".devcontainer.json"];

/// The proxy variables `run.proxy` passes (as `envc emit` lists them in `remoteEnv`).
const PROXY: &[&str] = crate::emit::devcontainer::REMOTE_PROXY;

/// Features with a Debian counterpart: (feature name, apt packages).
const FEATURES: &[(&str, &[&str])] = &[
    ("python", &["python3", "python3-pip", "python3-venv"]),
    ("node", &["nodejs", "npm"]),
    ("git", &["git"]),
    ("git-lfs", &["git-lfs"]),
    ("github-cli", &["gh"]),
    ("go", &["golang-go"]),
    ("java", &["default-jdk"]),
    ("rust", &["cargo", "rustc"]),
    (
        "common-utils",
        &["bash", "ca-certificates", "curl", "less", "procps", "sudo"],
    ),
    ("docker-outside-of-docker", &["docker.io"]),
    ("docker-in-docker", &["docker.io"]),
    ("sshd", &["openssh-server"]),
];

pub fn detect(project: &Project, draft: &mut Draft) {
    let Some(rel) = LOCATIONS.iter().find(|l| project.has(l)).copied() else {
        return;
    };
    let origin = Origin::new(rel, None);
    let Some(text) = super::read_text(project, draft, rel) else {
        return;
    };
    let doc = match parse_jsonc(&text) {
        Ok(Value::Object(doc)) => doc,
        Ok(_) => {
            draft.skip(&origin, "not read: not a JSON object");
            return;
        }
        Err(why) => {
            draft.skip(&origin, format!("not read: {}", short(&why)));
            return;
        }
    };
    draft.sources.push(rel.to_owned());
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    let workspace = doc
        .get("workspaceFolder")
        .and_then(Value::as_str)
        .filter(|w| w.starts_with('/') && !w.contains("${"));
    let ctx = Ctx { workspace };
    for (key, value) in &doc {
        let at = Origin::new(rel, line_of(&text, key));
        match key.as_str() {
            "$schema"
            | "updateRemoteUserUID"
            | "workspaceMount"
            | "overrideCommand"
            | "shutdownAction" => {}
            "name" => {
                if let Some(name) = value.as_str() {
                    draft.name.get_or_insert_with(|| {
                        crate::init::doc::Text::new(super::slug(name)).expect("a slug is plain")
                    });
                }
            }
            "image" => match value.as_str() {
                Some(image) => {
                    draft.set_image(&at, image);
                }
                None => draft.skip(&at, "`image` is not a string"),
            },
            "build" | "dockerFile" | "dockerfile" => {
                let file = match value {
                    Value::String(s) => Some(s.as_str()),
                    Value::Object(b) => b.get("dockerfile").and_then(Value::as_str),
                    _ => None,
                };
                match file {
                    Some(file) => {
                        let path = join(dir, file);
                        super::dockerfile::detect(project, draft, &path);
                    }
                    None => draft.skip(&at, "`build` without a `dockerfile`"),
                }
            }
            "features" => features(draft, &at, value),
            "forwardPorts" | "appPort" => ports(draft, &at, value),
            "mounts" => {
                for m in value.as_array().into_iter().flatten() {
                    mount(draft, &at, &ctx, m);
                }
            }
            "containerEnv" => env(draft, &at, &ctx, value, false),
            "remoteEnv" => env(draft, &at, &ctx, value, true),
            "remoteUser" | "containerUser" => user(draft, &at, value),
            "workspaceFolder" => match workspace {
                Some(w) => {
                    if let Some(t) = draft.run_text(&at, "workspace folder", w) {
                        draft.project_target = Some(Found {
                            value: t,
                            origin: at.clone(),
                        });
                    }
                }
                None => draft.skip(&at, "`workspaceFolder` is not an absolute path"),
            },
            "postCreateCommand" | "postStartCommand" => {
                commands(draft, &at, &ctx, value, false);
                draft.noted(
                    &at,
                    format!("`{key}` as `run.post_start`: envc runs it as root at every start (lifecycle hooks are not in envc yet)"),
                );
            }
            "runArgs" => super::devcontainer_run::run_args(draft, &at, value),
            "customizations" => {
                if let Some(cmds) = value.pointer("/envc/postStartAsRoot") {
                    commands(draft, &at, &ctx, cmds, true);
                }
            }
            _ => draft.skip(&at, format!("`{key}`: has no counterpart in envc")),
        }
    }
    // `envc emit` lists the proxy variables in `remoteEnv`; read them back as `run.proxy`.
    if PROXY
        .iter()
        .all(|p| draft.pass_env.iter().any(|e| e.value.as_str() == *p))
    {
        draft
            .pass_env
            .retain(|e| !PROXY.contains(&e.value.as_str()));
        draft.proxy = Some(origin.clone());
    }
}

struct Ctx<'a> {
    workspace: Option<&'a str>,
}

/// JSONC (comments, trailing commas) to a JSON value; nesting is bounded by the parser.
pub fn parse_jsonc(text: &str) -> Result<Value, String> {
    let value = jsonc_parser::parse_to_value(text, &ParseOptions::default())
        .map_err(|e| e.to_string())?
        .ok_or("the file is empty")?;
    Ok(to_json(value))
}

fn to_json(value: JsonValue<'_>) -> Value {
    match value {
        JsonValue::String(s) => Value::String(s.into_owned()),
        JsonValue::Number(n) => n
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| n.parse::<f64>().map(Value::from))
            .unwrap_or(Value::Null),
        JsonValue::Boolean(b) => Value::Bool(b),
        JsonValue::Null => Value::Null,
        JsonValue::Array(items) => {
            Value::Array(items.take_inner().into_iter().map(to_json).collect())
        }
        JsonValue::Object(map) => Value::Object(
            map.take_inner()
                .into_iter()
                .map(|(k, v)| (k.into_owned(), to_json(v)))
                .collect(),
        ),
    }
}

/// The line of `"key"` in the text (for the report), when it appears once.
fn line_of(text: &str, key: &str) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let mut hits = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(&needle));
    let first = hits.next()?;
    Some(first.0 + 1)
}

fn join(dir: &str, file: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in file.split('/') {
        match part {
            "" | "." => {}
            // Leaving the root is caught by the project reader; keep the `..`s for it.
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." => parts.push(".."),
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// A Dev Containers string with its variables as envc placeholders; `None` when it uses a
/// variable envc has no counterpart for.
fn translate(s: &str, ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(['$', '{', '}']) {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        if let Some(body) = after.strip_prefix("${") {
            let Some(end) = body.find('}') else {
                return Err(format!("unterminated `${{` in `{}`", short(s)));
            };
            let var = &body[..end];
            let replacement = match var {
                "localWorkspaceFolder" => "{project}".to_owned(),
                "localWorkspaceFolderBasename" => "{project_slug}".to_owned(),
                "containerWorkspaceFolder" => ctx.workspace.unwrap_or("/repo").to_owned(),
                "localEnv:HOME" => "{home}".to_owned(),
                "localEnv:USER" => "{user}".to_owned(),
                _ => match var.strip_prefix("localEnv:") {
                    Some(name) => {
                        let name = name.split(':').next().unwrap_or(name);
                        format!("{{env:{name}}}")
                    }
                    None => return Err(format!("`${{{var}}}` has no counterpart in envc")),
                },
            };
            out.push_str(&replacement);
            rest = &body[end + 1..];
        } else {
            // A literal brace; `$` alone stays as it is.
            match &after[..1] {
                "{" => out.push_str("{{"),
                "}" => out.push_str("}}"),
                other => out.push_str(other),
            }
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn features(draft: &mut Draft, at: &Origin, value: &Value) {
    let Some(map) = value.as_object() else {
        draft.skip(at, "`features` is not an object");
        return;
    };
    for id in map.keys() {
        // `ghcr.io/devcontainers/features/python:1` → `python`.
        let name = id
            .rsplit('/')
            .next()
            .unwrap_or(id)
            .split([':', '@'])
            .next()
            .unwrap_or(id);
        match FEATURES.iter().find(|(n, _)| *n == name) {
            Some((_, packages)) => {
                for p in *packages {
                    draft.add_apt(at, p);
                }
                if name.starts_with("docker-") {
                    draft.docker_socket = Some(at.clone());
                }
                draft.noted(
                    at,
                    format!(
                        "feature `{}` as Debian packages {}",
                        short(id),
                        packages.join(", ")
                    ),
                );
            }
            None => draft.skip(
                at,
                format!(
                    "feature `{}`: envc installs no Dev Containers features",
                    short(id)
                ),
            ),
        }
    }
}

fn ports(draft: &mut Draft, at: &Origin, value: &Value) {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for item in items {
        let port = match item {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(s) => s.parse::<u16>().ok(),
            _ => None,
        };
        match port.filter(|p| *p > 0) {
            Some(container) => draft.add_port(
                at,
                PortDraft {
                    container,
                    host: None,
                    udp: false,
                },
            ),
            None => draft.skip(
                at,
                format!(
                    "port `{}`: only ports of the container itself are published",
                    short(&item.to_string())
                ),
            ),
        }
    }
}

/// `source=...,target=...,type=bind[,readonly]` or `{ "source", "target", "type" }`.
fn mount(draft: &mut Draft, at: &Origin, ctx: &Ctx<'_>, value: &Value) {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut readonly = false;
    match value {
        Value::String(s) => {
            for part in s.split(',') {
                match part.split_once('=') {
                    Some((k, v)) => fields.push((k.trim().to_owned(), v.trim().to_owned())),
                    None if matches!(part.trim(), "readonly" | "ro") => readonly = true,
                    None => {}
                }
            }
        }
        Value::Object(o) => {
            for (k, v) in o {
                match v {
                    Value::String(s) => fields.push((k.clone(), s.clone())),
                    Value::Bool(b) if k == "readonly" => readonly = *b,
                    _ => {}
                }
            }
        }
        _ => {}
    }
    let get = |names: &[&str]| {
        fields
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.clone())
    };
    if get(&["readonly", "ro"]).is_some_and(|v| v != "false" && v != "0") {
        readonly = true;
    }
    let kind = get(&["type"]).unwrap_or_else(|| "bind".into());
    let (Some(source), Some(target)) = (
        get(&["source", "src"]),
        get(&["target", "dst", "destination"]),
    ) else {
        if kind == "tmpfs" {
            draft.skip(
                at,
                format!(
                    "mount `{}`: tmpfs mounts are not carried over",
                    short(&value.to_string())
                ),
            );
        } else {
            draft.skip(
                at,
                format!(
                    "mount `{}`: needs a source and a target",
                    short(&value.to_string())
                ),
            );
        }
        return;
    };
    if kind != "bind" && kind != "volume" {
        draft.skip(at, format!("mount of type `{kind}`"));
        return;
    }
    if source == "/var/run/docker.sock" && target == "/var/run/docker.sock" {
        draft.docker_socket = Some(at.clone());
        return;
    }
    let (source, target) = match (translate(&source, ctx), translate(&target, ctx)) {
        (Ok(s), Ok(t)) => (s, t),
        (Err(why), _) | (_, Err(why)) => {
            draft.skip(at, format!("mount: {why}"));
            return;
        }
    };
    let (Some(source), Some(target)) = (
        draft.run_text(at, "mount source", &source),
        draft.run_text(at, "mount target", &target),
    ) else {
        return;
    };
    draft.mounts.push(Found {
        value: MountDraft {
            source,
            target,
            readonly,
            volume: kind == "volume",
        },
        origin: at.clone(),
    });
}

/// `containerEnv` (set in the container) or `remoteEnv` (`passthrough`: where
/// `NAME: ${localEnv:NAME}` means "the host's value when it has one", envc's `pass_env`).
fn env(draft: &mut Draft, at: &Origin, ctx: &Ctx<'_>, value: &Value, passthrough: bool) {
    let Some(map) = value.as_object() else {
        draft.skip(at, "environment is not an object");
        return;
    };
    for (name, v) in map {
        let Some(v) = v.as_str() else {
            draft.skip(at, format!("`{name}`: not a string"));
            continue;
        };
        if passthrough && v == format!("${{localEnv:{name}}}") {
            if let Some(t) = draft.text(at, "variable", name) {
                if crate::spec::model::EnvName::new(name).is_ok() {
                    if !draft.pass_env.iter().any(|p| p.value == t) {
                        draft.pass_env.push(Found {
                            value: t,
                            origin: at.clone(),
                        });
                    }
                } else {
                    draft.skip(at, format!("`{}` is not a variable name", short(name)));
                }
            }
            continue;
        }
        match translate(v, ctx) {
            Ok(value) => draft.set_run_env(at, name, &value),
            Err(why) => draft.skip(at, format!("`{name}`: {why}")),
        }
    }
}

fn user(draft: &mut Draft, at: &Origin, value: &Value) {
    let Some(name) = value.as_str() else {
        draft.skip(at, "the user is not a string");
        return;
    };
    let plain = name.split(':').next().unwrap_or(name);
    if plain == "root" || plain == "0" {
        draft.user = Some(Found {
            value: UserDraft::Root,
            origin: at.clone(),
        });
    } else if plain.chars().all(|c| c.is_ascii_digit()) {
        draft.skip(
            at,
            format!("user `{name}`: envc maps your own uid at start"),
        );
    } else if draft.user.is_none()
        && let Some(t) = draft.run_text(at, "user name", plain)
    {
        draft.user_name = Some(Found {
            value: t,
            origin: at.clone(),
        });
    }
}

/// A command: a string (run by a shell), an argument list, or an object of named commands.
fn commands(draft: &mut Draft, at: &Origin, ctx: &Ctx<'_>, value: &Value, list: bool) {
    let mut scripts = Vec::new();
    match value {
        Value::String(s) => scripts.push(s.clone()),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            let words = items.iter().filter_map(Value::as_str);
            if list {
                // envc's own `postStartAsRoot`: one command per element.
                scripts.extend(words.map(str::to_owned));
            } else {
                // The spec's array form is one command given as its arguments.
                scripts.push(words.map(sh_quote).collect::<Vec<_>>().join(" "));
            }
        }
        Value::Object(map) => {
            for v in map.values() {
                commands(draft, at, ctx, v, false);
            }
        }
        _ => draft.skip(at, "a command that is not a string, list or object"),
    }
    for script in scripts {
        match translate(&script, ctx) {
            Ok(s) => {
                if let Some(t) = draft.run_text(at, "command", &s) {
                    draft.post_start.push(Found {
                        value: t,
                        origin: at.clone(),
                    });
                }
            }
            Err(why) => draft.skip(at, format!("command: {why}")),
        }
    }
}

/// A word for `sh`: as it is when it is safe, else in single quotes.
fn sh_quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_become_placeholders() {
        let ctx = Ctx {
            workspace: Some("/work"),
        };
        assert_eq!(
            translate(
                "${localWorkspaceFolder}/data:${containerWorkspaceFolder}",
                &ctx
            )
            .unwrap(),
            "{project}/data:/work"
        );
        assert_eq!(translate("${localEnv:TOKEN}", &ctx).unwrap(), "{env:TOKEN}");
        assert_eq!(translate("a{b}c $X", &ctx).unwrap(), "a{{b}}c $X");
        assert!(translate("${containerEnv:PATH}", &ctx).is_err());
    }

    #[test]
    fn jsonc_comments_and_trailing_commas() {
        let v = parse_jsonc("{\n // c\n \"a\": [1, 2,], /* b */ \"b\": \"x\",\n}").unwrap();
        assert_eq!(v, serde_json::json!({"a": [1, 2], "b": "x"}));
        assert!(parse_jsonc(&"[".repeat(100_000)).is_err());
    }
}
