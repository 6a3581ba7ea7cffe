//! An existing Dockerfile: its final image's base, apt and apk packages, `ENV`, `LABEL`,
//! `WORKDIR`, `EXPOSE`, `USER`, `CMD` and `ENTRYPOINT` (see `init::dockerfile`). apk
//! packages (Alpine) become a build step, since envc's `build.apt` is Debian's.

use crate::init::dockerfile::{self, stages::Image};
use crate::init::draft::{Draft, Origin, PortDraft, StepDraft, UserDraft, short};
use crate::init::files::{Project, Unreadable};

/// Read the Dockerfile at `rel` (relative to the project root) into `draft`.
pub fn detect(project: &Project, draft: &mut Draft, rel: &str) {
    let data = match project.read_bytes(rel) {
        Ok(d) => d,
        // The root Dockerfile is optional; one a devcontainer.json names is not.
        Err(Unreadable::Missing) if rel == "Dockerfile" => return,
        Err(Unreadable::Missing) => {
            draft.skip(&Origin::new(rel, None), "not read: no such file");
            return;
        }
        Err(Unreadable::Refused(why)) => {
            draft.skip(&Origin::new(rel, None), format!("not read: {why}"));
            return;
        }
    };
    if std::str::from_utf8(&data).is_err() {
        draft.skip(&Origin::new(rel, None), "not read: not UTF-8 text");
        return;
    }
    let parsed = match dockerfile::parse::parse(&data) {
        Ok(p) => p,
        Err(e) => {
            draft.skip(
                &Origin::new(rel, Some(e.line).filter(|l| *l > 0)),
                format!("not read: {}", short(&e.message)),
            );
            return;
        }
    };
    draft.sources.push(rel.to_owned());
    let image = dockerfile::stages::final_image(&parsed.instructions, parsed.escape);
    apply(draft, rel, image);
}

fn apply(draft: &mut Draft, rel: &str, image: Image) {
    let at = |line: usize| Origin::new(rel, Some(line));
    match &image.base {
        Some(base) => {
            draft.set_image(&at(base.line), &base.value);
        }
        None => draft.skip(&Origin::new(rel, None), "no base image (`FROM scratch`)"),
    }
    for p in &image.apt {
        draft.add_apt(&at(p.line), &p.value);
    }
    if !image.apk.is_empty() {
        let line = image.apk[0].line;
        let names: Vec<&str> = image.apk.iter().map(|p| p.value.as_str()).collect();
        let run = format!("apk add --no-cache {}", names.join(" "));
        let origin = at(line);
        if let (Some(name), Some(run)) = (
            draft.build_text(&origin, "step name", "apk packages"),
            draft.build_text(&origin, "apk packages", &run),
        ) {
            draft.steps.push(crate::init::draft::Found {
                value: StepDraft { name, run },
                origin: origin.clone(),
            });
            draft.noted(
                &origin,
                "apk packages as a build step (`envc lock` pins apt packages, not apk ones)",
            );
        }
    }
    for e in &image.env {
        draft.set_build_env(&at(e.line), &e.value.0, &e.value.1);
    }
    for l in &image.labels {
        draft.set_label(&at(l.line), &l.value.0, &l.value.1);
    }
    if let Some(w) = &image.workdir {
        draft.set_workdir(&at(w.line), &w.value);
    }
    if let Some(u) = &image.user {
        let origin = at(u.line);
        let name = u.value.split(':').next().unwrap_or("");
        if name == "root" || name == "0" {
            draft.user = Some(crate::init::draft::Found {
                value: UserDraft::Root,
                origin,
            });
        } else if name.chars().all(|c| c.is_ascii_digit()) {
            draft.skip(
                &origin,
                format!(
                    "`USER {}`: envc runs as you (your uid, mapped at start); set `run.user.mode = \"fixed\"` with a uid to change that",
                    u.value
                ),
            );
        } else if let Some(text) = draft.run_text(&origin, "user name", name) {
            draft.user_name = Some(crate::init::draft::Found {
                value: text,
                origin: origin.clone(),
            });
            draft.noted(
                &origin,
                format!("`USER {name}`: your uid, mapped at start under the name `{name}`"),
            );
        }
    }
    for p in &image.expose {
        draft.add_port(
            &at(p.line),
            PortDraft {
                container: p.value.0,
                host: None,
                udp: p.value.1,
            },
        );
    }
    if let Some(e) = &image.entrypoint {
        let origin = at(e.line);
        if let Some(argv) = draft.build_argv(&origin, "entrypoint", &e.value) {
            draft.entrypoint = Some(crate::init::draft::Found {
                value: argv,
                origin,
            });
        }
    }
    if let Some(c) = &image.cmd {
        let origin = at(c.line);
        if let Some(argv) = draft.build_argv(&origin, "command", &c.value) {
            draft.cmd = Some(crate::init::draft::Found {
                value: argv,
                origin,
            });
        }
    }
    for s in image.skipped {
        draft.skip(&at(s.line), s.value);
    }
}
