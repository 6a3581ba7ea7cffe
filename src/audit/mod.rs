//! `envc audit`: every input of an environment with the pin that fixes it, and every setting
//! that widens what the environment can reach, each with a one-line reason.
//!
//! It reads the plan (which already carries the lock's pins), so it reports exactly what a
//! build would use, and the spec's run side for the risky settings. Settings that reach into
//! the host ([`host_reach`]) are marked; `--strict` turns any unpinned input and any
//! host-reaching setting into a failure, for CI.

mod host_reach;

use std::fmt::Write as _;

use serde::Serialize;

use crate::plan::step::{BaseStep, FileContent};
use crate::plan::{Plan, ServiceImage, Step, StepKind};
use crate::spec::Spec;
use crate::spec::model::UserMode;

/// How an input is pinned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Pin {
    /// By content digest (images, archives, project files, downloads).
    Digest(String),
    /// By exact version (apt packages, pip requirements without hashes).
    Version(String),
    /// By exact version and distribution hashes (locked pip requirements).
    Hash(String),
    /// Written inline in the config.
    Inline,
    /// Not pinned: the input can change under the same config.
    Unpinned,
}

impl std::fmt::Display for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pin::Digest(d) => write!(f, "digest {d}"),
            Pin::Version(v) => write!(f, "version {v}"),
            Pin::Hash(h) => write!(f, "hash {h}"),
            Pin::Inline => f.write_str("inline"),
            Pin::Unpinned => f.write_str("UNPINNED"),
        }
    }
}

/// One input of one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Input {
    /// `main`, or `service NAME`.
    pub image: String,
    /// `base`, `apt`, `pip`, `file`, `download`.
    pub kind: &'static str,
    pub name: String,
    pub pin: Pin,
}

/// A risky setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    /// Where it is set, as a config path.
    pub setting: String,
    /// Why it matters, in one line.
    pub reason: String,
    /// It reaches into the host (its files, engine, kernel or secrets): `--strict` fails.
    pub host: bool,
}

/// The audit of one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    pub inputs: Vec<Input>,
    pub risks: Vec<Risk>,
}

impl Audit {
    /// Number of unpinned inputs.
    pub fn unpinned(&self) -> usize {
        self.inputs
            .iter()
            .filter(|i| i.pin == Pin::Unpinned)
            .count()
    }

    /// Number of settings that reach into the host.
    pub fn host_reaching(&self) -> usize {
        self.risks.iter().filter(|r| r.host).count()
    }

    /// The plain-text report (config text escaped: nothing in it can drive the terminal).
    pub fn to_text(&self) -> String {
        let mut out = String::from("INPUTS\n");
        let w_image = self.inputs.iter().map(|i| i.image.len()).max().unwrap_or(0);
        let w_kind = self.inputs.iter().map(|i| i.kind.len()).max().unwrap_or(0);
        let w_name = self.inputs.iter().map(|i| i.name.len()).max().unwrap_or(0);
        for i in &self.inputs {
            let _ = writeln!(
                out,
                "  {:w_image$}  {:w_kind$}  {:w_name$}  {}",
                i.image, i.kind, i.name, i.pin
            );
        }
        out.push_str("\nRISKS\n");
        if self.risks.is_empty() {
            out.push_str("  none\n");
        }
        let w_setting = self
            .risks
            .iter()
            .map(|r| r.setting.len())
            .max()
            .unwrap_or(0);
        for r in &self.risks {
            let mark = if r.host { "HOST " } else { "" };
            let _ = writeln!(out, "  {:w_setting$}  {mark}{}", r.setting, r.reason);
        }
        let _ = writeln!(
            out,
            "\n{} inputs, {} unpinned, {} risky settings ({} reach the host)",
            self.inputs.len(),
            self.unpinned(),
            self.risks.len(),
            self.host_reaching()
        );
        escape_controls_keeping_lines(&out)
    }
}

/// Audit `plan`, made from `spec`.
pub fn audit(spec: &Spec, plan: &Plan) -> Audit {
    let mut inputs = Vec::new();
    let mut risks = Vec::new();
    image_inputs("main", "", &plan.steps, &mut inputs, &mut risks);
    for (name, service) in &plan.services {
        let image = format!("service {name}");
        match service {
            ServiceImage::Image { reference, pinned } => {
                inputs.push(Input {
                    image: image.clone(),
                    kind: "base",
                    name: reference.clone(),
                    pin: digest_pin(pinned.as_deref()),
                });
                if pinned.is_none() {
                    risks.push(Risk {
                        setting: format!("services.{name}.image"),
                        reason: format!("floating tag: `{reference}` can point to another image tomorrow; run `envc lock`"),
                        host: false,
                    });
                }
            }
            ServiceImage::Build { steps } => image_inputs(
                &image,
                &format!("services.{name}.build."),
                steps,
                &mut inputs,
                &mut risks,
            ),
        }
    }
    run_risks(spec, &mut risks);
    host_reach::host_risks(spec, &mut risks);
    Audit { inputs, risks }
}

/// The pin of an image from its pinned reference: `repo@sha256:...`, or a bare local image ID.
fn digest_pin(pinned: Option<&str>) -> Pin {
    match pinned {
        Some(p) if p.starts_with("sha256:") => Pin::Digest(format!("{p} (local image ID)")),
        Some(p) => match p.split_once('@') {
            Some((_, digest)) => Pin::Digest(digest.to_owned()),
            None => Pin::Unpinned,
        },
        None => Pin::Unpinned,
    }
}

fn image_inputs(
    image: &str,
    at: &str,
    steps: &[Step],
    inputs: &mut Vec<Input>,
    risks: &mut Vec<Risk>,
) {
    let mut push = |kind, name: String, pin| {
        inputs.push(Input {
            image: image.to_owned(),
            kind,
            name,
            pin,
        })
    };
    for step in steps {
        match &step.kind {
            StepKind::Base(BaseStep::Image { reference, pinned }) => {
                push("base", reference.clone(), digest_pin(pinned.as_deref()));
                if pinned.is_none() {
                    risks.push(Risk {
                        setting: format!("{at}base.image"),
                        reason: format!("floating tag: `{reference}` can point to another image tomorrow; run `envc lock`"),
                        host: false,
                    });
                }
            }
            StepKind::Base(BaseStep::Debootstrap {
                suite,
                snapshot,
                packages,
                ..
            }) => {
                let pin = match (packages, snapshot) {
                    (Some(p), _) => Pin::Version(format!("{} packages locked", p.len())),
                    (None, Some(s)) => Pin::Version(format!("snapshot {s}")),
                    (None, None) => Pin::Unpinned,
                };
                push("base", format!("debootstrap {suite}"), pin);
            }
            StepKind::Base(BaseStep::Archive { path, sha256, .. }) => {
                push("base", path.clone(), Pin::Digest(sha256.to_string()));
            }
            StepKind::Apt(apt) => {
                for package in &apt.packages {
                    match package.split_once('=') {
                        Some((name, version)) => {
                            push("apt", name.to_owned(), Pin::Version(version.to_owned()))
                        }
                        None => {
                            push("apt", package.clone(), Pin::Unpinned);
                            risks.push(Risk {
                                setting: format!("{at}build.apt"),
                                reason: format!("unversioned package `{package}`: each build may install another version; run `envc lock`"),
                                host: false,
                            });
                        }
                    }
                }
            }
            StepKind::Pip(pip) => {
                for requirement in &pip.requirements {
                    let mut words = requirement.split_whitespace();
                    let spec = words.next().unwrap_or_default();
                    let hashes = words.filter(|w| w.starts_with("--hash=")).count();
                    let (name, pin) = match spec.split_once("==") {
                        Some((name, version)) if hashes > 0 => {
                            (name, Pin::Hash(format!("{version} ({hashes} hashes)")))
                        }
                        Some((name, version)) => (name, Pin::Version(version.to_owned())),
                        None => (spec, Pin::Unpinned),
                    };
                    if hashes == 0 {
                        risks.push(Risk {
                            setting: format!("{at}build.pip.packages"),
                            reason: format!("`{spec}` has no distribution hash: the index can serve other files under the same name; run `envc lock`"),
                            host: false,
                        });
                    }
                    push("pip", name.to_owned(), pin);
                }
            }
            StepKind::File(file) => match &file.source {
                FileContent::Project { path, tree } => push(
                    "file",
                    format!("{path} -> {}", file.target),
                    Pin::Digest(tree.digest.to_string()),
                ),
                FileContent::Text(_) => push("file", file.target.clone(), Pin::Inline),
                FileContent::Download { url, sha256 } => {
                    let name = format!("{url} -> {}", file.target);
                    match sha256 {
                        Some(sha256) => push("download", name, Pin::Digest(sha256.to_string())),
                        None => {
                            push("download", name, Pin::Unpinned);
                            risks.push(Risk {
                                setting: format!("{at}build.files.\"{}\".url", file.target),
                                reason: format!("download without hash: `{url}` can serve another file tomorrow; set `sha256` or run `envc lock`"),
                                host: false,
                            });
                        }
                    }
                }
            },
            StepKind::Run(run) if !run.reproducible => risks.push(Risk {
                setting: format!("{at}build.steps"),
                reason: format!(
                    "step `{}` is marked `reproducible = false`: `envc verify --rebuild` does not compare the files it writes",
                    step.label.strip_prefix("run ").unwrap_or(&step.label)
                ),
                host: false,
            }),
            StepKind::Run(_) | StepKind::Config(_) => {}
        }
    }
}

/// Names of env variables that usually hold secrets.
fn looks_secret(name: &str) -> bool {
    host_reach::secret_name(name)
}

/// A value that is only a host lookup (`{env:NAME}`) is not a secret written in the config.
fn is_env_lookup(value: &str) -> bool {
    value.starts_with("{env:") && value.ends_with('}') && value.matches('{').count() == 1
}

fn run_risks(spec: &Spec, risks: &mut Vec<Risk>) {
    let mut add = |setting: String, reason: String| {
        risks.push(Risk {
            setting,
            reason,
            host: false,
        })
    };
    let run = &spec.run;
    for (name, value) in &spec.build.env {
        if looks_secret(name.as_str()) {
            add(
                format!("build.env.{name}"),
                "a secret as a plain value is baked into the image for everyone who pulls it"
                    .into(),
            );
        }
        let _ = value;
    }
    for (i, step) in spec.build.steps.iter().enumerate() {
        for name in step.env.keys() {
            if looks_secret(name.as_str()) {
                add(format!("build.steps.{i}.env.{name}"), "a secret as a plain value is part of the config and the image key's inputs; use a build secret".into());
            }
        }
    }
    for (name, value) in &run.env {
        if looks_secret(name.as_str()) && !is_env_lookup(value.as_str()) {
            add(format!("run.env.{name}"), "a secret as a plain value is written in the config and the run manifest; use `{env:NAME}` or `pass_env`".into());
        }
    }
    for (service, s) in &spec.services {
        for (name, value) in &s.env {
            if looks_secret(name.as_str()) && !is_env_lookup(value.as_str()) {
                add(format!("services.{service}.env.{name}"), "a secret as a plain value is written in the config and the run manifest; use `{env:NAME}`".into());
            }
        }
        for (i, port) in s.ports.iter().enumerate() {
            if let Some(host) = port.publish {
                add(
                    format!("services.{service}.ports.{i}"),
                    format!(
                        "published on {}:{host}{}",
                        port.address,
                        exposure(&port.address)
                    ),
                );
            }
        }
    }
    for cap in &run.cap_add {
        if !host_reach::escapes(cap.as_str()) {
            add(
                "run.cap_add".into(),
                format!("adds capability `{cap}` beyond Docker's default set"),
            );
        }
    }
    for device in &run.devices {
        add(
            "run.devices".into(),
            format!("host device `{device}` is reachable from the container"),
        );
    }
    for (i, port) in run.ports.iter().enumerate() {
        add(
            format!("run.ports.{i}"),
            format!(
                "published on {}:{}{}",
                port.address,
                port.host.unwrap_or(port.container),
                exposure(&port.address)
            ),
        );
    }
    if run.x11 {
        add(
            "run.x11".into(),
            "X11 access lets the container read the host display and keystrokes".into(),
        );
    }
    if run.user.mode == UserMode::Root {
        add(
            "run.user.mode".into(),
            "commands run as root, and files in the project mount become root's".into(),
        );
    }
    if spec.build.sudo {
        add(
            "build.sudo".into(),
            "the mapped user gets passwordless sudo inside the container".into(),
        );
    }
}

/// Control characters of config text shown escaped, line breaks of the report kept.
fn escape_controls_keeping_lines(text: &str) -> String {
    text.split('\n')
        .map(crate::spec::model::escape_controls)
        .collect::<Vec<_>>()
        .join("\n")
}

fn exposure(address: &str) -> &'static str {
    if address.starts_with("127.") || address == "::1" || address == "localhost" {
        " (this machine only)"
    } else {
        " (reachable from other machines)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_pins_and_risks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.conf"), "x").unwrap();
        let spec: Spec = serde_json::from_value(json!({
            "name": "t",
            "base": {"image": "debian:bookworm"},
            "build": {"apt": ["curl", "git=1:2.39"], "pip": {"packages": ["numpy==1.26.4"]},
                      "files": {"/etc/a.conf": {"source": "a.conf"}, "/etc/b": {"text": "b"}}},
            "run": {"docker_socket": true, "env": {"API_TOKEN": "abc", "GH_TOKEN": "{env:GH_TOKEN}"},
                    "ports": [{"container": 80, "address": "0.0.0.0"}]},
            "services": {"db": {"image": "postgres:16"}}
        }))
        .unwrap();
        let mut files = crate::plan::ProjectFiles::open(dir.path()).unwrap();
        let plan = crate::plan::plan(&spec, None, &mut files, None).unwrap();
        let audit = audit(&spec, &plan);
        let text = audit.to_text();
        // Compare with runs of spaces squeezed: column widths are not the point here.
        let text = text
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(audit.unpinned(), 3, "{text}");
        assert!(
            text.contains("main base debian:bookworm UNPINNED"),
            "{text}"
        );
        assert!(text.contains("git version 1:2.39"), "{text}");
        assert!(text.contains("run.docker_socket"), "{text}");
        assert!(text.contains("\n base.image floating tag"), "{text}");
        assert!(text.contains("run.env.API_TOKEN"), "{text}");
        assert!(!text.contains("GH_TOKEN"), "{text}");
        assert!(text.contains("(reachable from other machines)"), "{text}");
        assert!(text.contains("services.db.image"), "{text}");
    }
}
