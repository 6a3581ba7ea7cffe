//! What a Dockerfile's final image is made of: its stages (`FROM ... AS name`), the build
//! arguments before the first `FROM`, and for the last stage — through the stages it is
//! built `FROM` — the base image, the packages its `RUN`s install, its `ENV`, `LABEL`,
//! `WORKDIR`, `EXPOSE`, `USER`, `CMD` and `ENTRYPOINT`. Stages the final one only copies
//! from (`COPY --from=build`) leave nothing in it but files, which are reported.

use std::collections::BTreeMap;

use super::parse::Instruction;
use super::words::{Expanded, process};
use crate::init::shell;

/// A value with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtLine<T> {
    pub value: T,
    pub line: usize,
}

fn at<T>(value: T, line: usize) -> AtLine<T> {
    AtLine { value, line }
}

/// The final image as the Dockerfile describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Image {
    /// The registry image at the root of the final stage's chain (`None`: `scratch`).
    pub base: Option<AtLine<String>>,
    pub apt: Vec<AtLine<String>>,
    pub apk: Vec<AtLine<String>>,
    pub env: Vec<AtLine<(String, String)>>,
    pub labels: Vec<AtLine<(String, String)>>,
    pub workdir: Option<AtLine<String>>,
    pub user: Option<AtLine<String>>,
    /// `(port, udp)`.
    pub expose: Vec<AtLine<(u16, bool)>>,
    pub cmd: Option<AtLine<Vec<String>>>,
    pub entrypoint: Option<AtLine<Vec<String>>>,
    /// What could not be carried over, with the reason.
    pub skipped: Vec<AtLine<String>>,
}

#[derive(Debug, Clone, Default)]
struct Stage {
    name: Option<String>,
    image: Image,
    vars: BTreeMap<String, String>,
}

/// Interpret the parsed instructions.
pub fn final_image(instructions: &[Instruction], escape: char) -> Image {
    let mut meta_args: BTreeMap<String, String> = BTreeMap::new();
    let mut stages: Vec<Stage> = Vec::new();
    let mut pre_skipped = Vec::new();
    for ins in instructions {
        let line = ins.start_line;
        let keyword = ins.keyword();
        if keyword == "from" {
            stages.push(from(ins, &meta_args, &stages, escape));
            continue;
        }
        let Some(stage) = stages.last_mut() else {
            match keyword.as_str() {
                "arg" => {
                    for word in &ins.args {
                        if let Some((name, value)) = arg(word, &meta_args, escape) {
                            meta_args.insert(name, value);
                        }
                    }
                }
                _ => pre_skipped.push(at(format!("`{}` before the first `FROM`", ins.cmd), line)),
            }
            continue;
        };
        instruction(stage, ins, &meta_args, escape);
    }
    let mut image = stages.pop().map(|s| s.image).unwrap_or_default();
    image.skipped.splice(0..0, pre_skipped);
    image
}

/// `ARG NAME[=default]`: the default (expanded), or the value a meta argument gives it.
fn arg(word: &str, vars: &BTreeMap<String, String>, escape: char) -> Option<(String, String)> {
    let (name, default) = match word.split_once('=') {
        Some((n, d)) => (n.to_owned(), Some(d)),
        None => (word.to_owned(), None),
    };
    let value = match default {
        Some(d) => match process(d, vars, escape) {
            Expanded::Known(v) => v,
            _ => return None,
        },
        None => vars.get(&name)?.clone(),
    };
    Some((name, value))
}

fn from(
    ins: &Instruction,
    meta: &BTreeMap<String, String>,
    stages: &[Stage],
    escape: char,
) -> Stage {
    let line = ins.start_line;
    let mut stage = Stage::default();
    let Some(raw) = ins.args.first() else {
        stage
            .image
            .skipped
            .push(at("`FROM` without an image".into(), line));
        return stage;
    };
    if ins.args.len() >= 3 && ins.args[1].eq_ignore_ascii_case("as") {
        stage.name = Some(ins.args[2].to_ascii_lowercase());
    }
    let name = match process(raw, meta, escape) {
        Expanded::Known(n) => n,
        Expanded::Unknown(vars) => {
            stage.image.skipped.push(at(
                format!(
                    "base image `{raw}`: uses {} without a default",
                    list_vars(&vars)
                ),
                line,
            ));
            return stage;
        }
        Expanded::Invalid(e) => {
            stage
                .image
                .skipped
                .push(at(format!("base image `{raw}`: {e}"), line));
            return stage;
        }
    };
    // A stage of this file, by name or index, carries over everything it has.
    let parent = stages
        .iter()
        .rev()
        .find(|s| s.name.as_deref() == Some(name.to_ascii_lowercase().as_str()))
        .or_else(|| name.parse::<usize>().ok().and_then(|i| stages.get(i)));
    if let Some(parent) = parent {
        stage.image = parent.image.clone();
        stage.vars = parent.vars.clone();
        return stage;
    }
    if name != "scratch" {
        stage.image.base = Some(at(name, line));
    }
    stage
}

fn list_vars(vars: &[String]) -> String {
    vars.iter()
        .map(|v| format!("`${v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn instruction(
    stage: &mut Stage,
    ins: &Instruction,
    meta: &BTreeMap<String, String>,
    escape: char,
) {
    let line = ins.start_line;
    let keyword = ins.keyword();
    let image = &mut stage.image;
    let expand =
        |vars: &BTreeMap<String, String>, what: &str, raw: &str| -> Result<String, String> {
            match process(raw, vars, escape) {
                Expanded::Known(v) => Ok(v),
                Expanded::Unknown(names) => Err(format!(
                    "{what} `{raw}`: uses {}, which only the base image or the build command knows",
                    list_vars(&names)
                )),
                Expanded::Invalid(e) => Err(format!("{what} `{raw}`: {e}")),
            }
        };
    match keyword.as_str() {
        "arg" => {
            for word in &ins.args {
                let mut scope = meta.clone();
                scope.extend(stage.vars.clone());
                // A stage sees a meta argument only when it declares it again.
                let (name, _) = word.split_once('=').unwrap_or((word, ""));
                let from_meta = meta.get(name).cloned();
                match arg(word, &scope, escape) {
                    Some((n, v)) => {
                        stage.vars.insert(n, v);
                    }
                    None => {
                        if let Some(v) = from_meta {
                            stage.vars.insert(name.to_owned(), v);
                        }
                    }
                }
            }
        }
        "env" => {
            // Every value of one `ENV` sees the variables as they were before it.
            let before = stage.vars.clone();
            for pair in ins.args.chunks(2) {
                let [name, raw] = pair else { continue };
                match expand(&before, &format!("`ENV {name}`"), raw) {
                    Ok(value) => {
                        stage.vars.insert(name.clone(), value.clone());
                        let image = &mut stage.image;
                        image.env.retain(|e| e.value.0 != *name);
                        image.env.push(at((name.clone(), value), line));
                    }
                    Err(why) => stage.image.skipped.push(at(why, line)),
                }
            }
        }
        "label" => {
            for pair in ins.args.chunks(2) {
                let [raw_name, raw] = pair else { continue };
                let name = expand(&stage.vars, "label name", raw_name);
                let value = expand(&stage.vars, &format!("label `{raw_name}`"), raw);
                match (name, value) {
                    (Ok(name), Ok(value)) => {
                        image.labels.retain(|l| l.value.0 != name);
                        image.labels.push(at((name, value), line));
                    }
                    (Err(why), _) | (_, Err(why)) => image.skipped.push(at(why, line)),
                }
            }
        }
        "workdir" => {
            let Some(raw) = ins.args.first() else { return };
            match expand(&stage.vars, "`WORKDIR`", raw) {
                Ok(dir) => {
                    let dir = if dir.starts_with('/') {
                        dir
                    } else {
                        let parent = image.workdir.as_ref().map_or("/", |w| w.value.as_str());
                        format!("{}/{dir}", parent.trim_end_matches('/'))
                    };
                    image.workdir = Some(at(dir, line));
                }
                Err(why) => image.skipped.push(at(why, line)),
            }
        }
        "user" => {
            let Some(raw) = ins.args.first() else { return };
            match expand(&stage.vars, "`USER`", raw) {
                Ok(user) => image.user = Some(at(user, line)),
                Err(why) => image.skipped.push(at(why, line)),
            }
        }
        "expose" => {
            for raw in &ins.args {
                match expand(&stage.vars, "`EXPOSE`", raw) {
                    Ok(port) => match parse_port(&port) {
                        Some(p) => image.expose.push(at(p, line)),
                        None => image
                            .skipped
                            .push(at(format!("`EXPOSE {port}`: not a port"), line)),
                    },
                    Err(why) => image.skipped.push(at(why, line)),
                }
            }
        }
        "cmd" | "entrypoint" => {
            let argv = if ins.json {
                ins.args.clone()
            } else {
                match ins.args.first() {
                    Some(script) => vec!["/bin/sh".into(), "-c".into(), script.clone()],
                    None => Vec::new(),
                }
            };
            let value = Some(at(argv, line));
            if keyword == "cmd" {
                image.cmd = value;
            } else {
                image.entrypoint = value;
                // As Docker does: a new entrypoint resets an inherited command.
                image.cmd = None;
            }
        }
        "run" => run(image, ins),
        "copy" | "add" => {
            let from = ins
                .flags
                .iter()
                .find_map(|f| f.strip_prefix("--from="))
                .map(|f| format!(" from stage `{f}`"))
                .unwrap_or_default();
            image.skipped.push(at(
                format!(
                    "`{} {}`{from}: files are not copied by `envc init`; list them in `build.files`",
                    ins.cmd,
                    ins.args.join(" ")
                ),
                line,
            ));
        }
        _ => image.skipped.push(at(
            format!("`{}`: has no counterpart in envc", ins.cmd),
            line,
        )),
    }
}

fn run(image: &mut Image, ins: &Instruction) {
    let line = ins.start_line;
    let mut scripts: Vec<shell::Script> = Vec::new();
    if ins.json {
        scripts.push(shell::analyse_argv(&ins.args));
    } else {
        let text = ins.args.first().cloned().unwrap_or_default();
        // A heredoc on the `RUN` line is the script itself (`RUN <<EOF` ... `EOF`).
        if ins.heredocs.is_empty() {
            scripts.push(shell::analyse(&text));
        } else {
            for doc in &ins.heredocs {
                scripts.push(shell::analyse(&doc.content));
            }
        }
    }
    for script in scripts {
        for p in script.apt {
            if !image.apt.iter().any(|a| a.value == p) {
                image.apt.push(at(p, line));
            }
        }
        for p in script.apk {
            if !image.apk.iter().any(|a| a.value == p) {
                image.apk.push(at(p, line));
            }
        }
        for word in script.unresolved {
            image.skipped.push(at(
                format!("package `{word}`: not a plain package name"),
                line,
            ));
        }
        for command in script.other {
            image.skipped.push(at(
                format!("`RUN {command}`: only package installs are carried over; add it to `build.steps` if the image needs it"),
                line,
            ));
        }
    }
}

/// `80`, `80/tcp`, `53/udp`.
fn parse_port(s: &str) -> Option<(u16, bool)> {
    let (port, proto) = s.split_once('/').unwrap_or((s, "tcp"));
    let udp = match proto.to_ascii_lowercase().as_str() {
        "tcp" => false,
        "udp" => true,
        _ => return None,
    };
    let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
    Some((port, udp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::dockerfile::parse::parse;

    fn image(src: &str) -> Image {
        let p = parse(src.as_bytes()).unwrap();
        final_image(&p.instructions, p.escape)
    }

    #[test]
    fn multi_stage_follows_the_final_chain() {
        let img = image(
            "ARG PY=3.12\n\
             FROM python:${PY}-slim AS base\n\
             RUN apt-get update && apt-get install -y --no-install-recommends libpq5\n\
             ENV APP_HOME=/srv/app PATH=/srv/app/bin:$PATH\n\
             FROM golang:1.22 AS tools\n\
             RUN apt-get install -y protobuf-compiler\n\
             FROM base AS final\n\
             ARG PY\n\
             WORKDIR $APP_HOME\n\
             COPY --from=tools /go/bin/x /usr/local/bin/x\n\
             EXPOSE 8000 9000/udp\n\
             USER app\n\
             CMD [\"gunicorn\", \"app:app\"]\n",
        );
        assert_eq!(img.base.unwrap().value, "python:3.12-slim");
        assert_eq!(
            img.apt.iter().map(|a| a.value.as_str()).collect::<Vec<_>>(),
            ["libpq5"]
        );
        assert_eq!(img.env.len(), 1, "{:?}", img.env);
        assert_eq!(img.env[0].value, ("APP_HOME".into(), "/srv/app".into()));
        assert_eq!(img.workdir.unwrap().value, "/srv/app");
        assert_eq!(
            img.expose.iter().map(|e| e.value).collect::<Vec<_>>(),
            [(8000, false), (9000, true)]
        );
        assert_eq!(img.user.unwrap().value, "app");
        assert_eq!(img.cmd.unwrap().value, ["gunicorn", "app:app"]);
        // `$PATH` belongs to the base image; the COPY is reported.
        assert!(img.skipped.iter().any(|s| s.value.contains("$PATH")));
        assert!(
            img.skipped
                .iter()
                .any(|s| s.value.contains("from stage `tools`"))
        );
    }
}
