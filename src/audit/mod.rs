//! `envc audit`: every input of an environment with the pin that fixes it, and every setting
//! that widens what the environment can reach, each with a one-line reason.
//!
//! It reads the plan (which already carries the lock's pins), so it reports exactly what a
//! build would use, and the spec's run side for the risky settings. `--strict` turns any
//! unpinned input into a failure, for CI.

use std::fmt::Write as _;

use serde::Serialize;

use crate::plan::step::{BaseStep, FileContent};
use crate::plan::{Plan, ServiceImage, Step, StepKind};
use crate::spec::Spec;
use crate::spec::model::{Ipc, UserMode};

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

    /// The plain-text report.
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
            let _ = writeln!(out, "  {:w_setting$}  {}", r.setting, r.reason);
        }
        let _ = writeln!(
            out,
            "\n{} inputs, {} unpinned, {} risky settings",
            self.inputs.len(),
            self.unpinned(),
            self.risks.len()
        );
        out
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
                            });
                        }
                    }
                }
            },
            StepKind::Run(_) | StepKind::Config(_) => {}
        }
    }
}

/// Names of env variables that usually hold secrets.
fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "ACCESS_KEY",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

/// A value that is only a host lookup (`{env:NAME}`) is not a secret written in the config.
fn is_env_lookup(value: &str) -> bool {
    value.starts_with("{env:") && value.ends_with('}') && value.matches('{').count() == 1
}

fn run_risks(spec: &Spec, risks: &mut Vec<Risk>) {
    let mut add = |setting: String, reason: String| risks.push(Risk { setting, reason });
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
    if run.docker_socket {
        add(
            "run.docker_socket".into(),
            "the Docker socket gives the container root-equivalent control of the host".into(),
        );
    }
    for cap in &run.cap_add {
        let reason = if cap.as_str() == "ALL" {
            "every capability: about as powerful as `--privileged`".to_owned()
        } else {
            format!("adds capability `{cap}` beyond Docker's default set")
        };
        add("run.cap_add".into(), reason);
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
    if run
        .network
        .name
        .as_ref()
        .is_some_and(|n| n.as_str() == "host")
    {
        add(
            "run.network.name".into(),
            "host network: the container shares the host's interfaces and ports".into(),
        );
    }
    if run.ipc == Some(Ipc::Host) {
        add(
            "run.ipc".into(),
            "host IPC namespace: shared memory with host processes".into(),
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
