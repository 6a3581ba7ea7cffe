//! One Dockerfile instruction (or a few, for the image config) per plan step.

use std::fmt::Write as _;

use crate::escape::Unrepresentable;
use crate::escape::dockerfile::{
    comment, env_name, exec_form, expanded_form, flag_value, quoted, reference, word,
};
use crate::plan::contract::{self, CA_PATH, Runner, Sharing, ShellStep};
use crate::plan::step::{BaseStep, ConfigStep, FileContent, FileStep};
use crate::plan::{Plan, Step, StepKind};
use crate::spec::Spec;

use super::super::labels::image_labels;

/// The hadolint findings that are deliberate for `step`, each with its reason.
pub fn hadolint_ignores(out: &mut String, step: &Step, follows_run: bool) {
    let mut ignores: Vec<(&str, &str)> = Vec::new();
    if follows_run {
        ignores.push((
            "DL3059",
            "one layer per envc step, so that layers match envc's step cache",
        ));
    }
    if matches!(&step.kind, StepKind::Run(r) if r.workdir.is_some()) {
        ignores.push((
            "DL3003",
            "the step's working directory holds for this step only, as in envc's executor",
        ));
    }
    if matches!(&step.kind, StepKind::Apt(a) if !a.pinned) {
        ignores.push(("DL3008", "versions are not locked yet: run `envc lock`"));
    }
    if ignores.is_empty() {
        return;
    }
    for (_, reason) in &ignores {
        let _ = writeln!(out, "# {reason}");
    }
    let codes: Vec<&str> = ignores.iter().map(|(code, _)| *code).collect();
    let _ = writeln!(out, "# hadolint ignore={}", codes.join(","));
}

/// The instruction(s) of one step.
pub fn instruction(
    out: &mut String,
    spec: &Spec,
    plan: &Plan,
    step: &Step,
    runner: &Runner,
) -> Result<(), Unrepresentable> {
    let base_key = &plan.steps[0].key;
    match &step.kind {
        StepKind::Base(base) => from(out, base, &plan.platform),
        StepKind::Apt(apt) => run(out, &contract::apt(apt, base_key, runner)),
        StepKind::Pip(pip) => run(out, &contract::pip(pip, base_key, runner)),
        StepKind::Run(step) => run(out, &contract::run(step, base_key, runner)),
        StepKind::File(file) => place(out, file, &spec.build.shell),
        StepKind::Config(config) => configure(out, spec, plan, step, config),
    }
}

fn from(out: &mut String, base: &BaseStep, platform: &str) -> Result<(), Unrepresentable> {
    let field = "the base image";
    match base {
        BaseStep::Image {
            reference: name,
            pinned: Some(p),
        } if super::super::is_local_image_id(p) => {
            let _ = writeln!(
                out,
                "# `{}` is a local image (no registry digest); `envc lock` pinned its image ID {}",
                comment(name),
                comment(p)
            );
            let _ = writeln!(out, "FROM {}", reference(field, name)?);
        }
        BaseStep::Image {
            pinned: Some(p), ..
        } => {
            let _ = writeln!(out, "FROM {}", reference(field, p)?);
        }
        BaseStep::Image {
            reference: name,
            pinned: None,
        } => {
            let _ = writeln!(out, "FROM {}", reference(field, name)?);
        }
        BaseStep::Debootstrap { suite, .. } => {
            let _ = writeln!(
                out,
                "# debootstrap `{}` has no registry image: `envc build` imports it as this tag",
                comment(suite)
            );
            let tag = base.import_tag(platform).unwrap_or_default();
            let _ = writeln!(out, "FROM {}", reference(field, &tag)?);
        }
        BaseStep::Archive { path, .. } => {
            let _ = writeln!(
                out,
                "# `{}` is loaded by `envc build` (or `docker load`) and tagged as below",
                comment(path)
            );
            let tag = base.import_tag(platform).unwrap_or_default();
            let _ = writeln!(out, "FROM {}", reference(field, &tag)?);
        }
    }
    Ok(())
}

/// `RUN [flags] [argv]`: the contract's step, its caches, the CA secret, the network.
fn run(out: &mut String, step: &ShellStep) -> Result<(), Unrepresentable> {
    let mut flags = Vec::new();
    if !step.network {
        flags.push("--network=none".to_owned());
    }
    for cache in &step.caches {
        let sharing = match cache.sharing {
            Sharing::Shared => "",
            Sharing::Locked => ",sharing=locked",
        };
        flags.push(format!(
            "--mount=type=cache,id={},target={}{sharing}",
            flag_value("the cache id", &cache.name)?,
            flag_value("the cache target", &cache.target)?
        ));
    }
    if step.ca_bundle {
        flags.push(format!(
            "--mount=type=secret,id=envc-ca,target={CA_PATH},required=true"
        ));
    }
    out.push_str("RUN ");
    for flag in &flags {
        let _ = write!(out, "{flag} \\\n    ");
    }
    let _ = writeln!(out, "{}", exec_form("the step's command", &step.argv)?);
    Ok(())
}

/// A file step: `COPY` a project file, `ADD` a download, or `RUN` the contract's command
/// that writes an inline file.
fn place(
    out: &mut String,
    file: &FileStep,
    build_shell: &[crate::spec::model::BuildString],
) -> Result<(), Unrepresentable> {
    let owner = flag_value("the file owner", &file.owner)?;
    match &file.source {
        FileContent::Project { path, .. } => {
            let chmod = file
                .mode
                .map(|m| format!(" --chmod={m:04o}"))
                .unwrap_or_default();
            let paths = expanded_form("the file path", &[path.as_str(), &file.target])?;
            let _ = writeln!(out, "COPY --chown={owner}{chmod} {paths}");
        }
        FileContent::Download { url, sha256 } => {
            // BuildKit fetches the URL and checks it against the pin before the layer is
            // made; an unpinned download (listed as UNPINNED above) takes what it gets.
            let checksum = sha256
                .map(|d| format!(" --checksum={d}"))
                .unwrap_or_default();
            let paths = expanded_form("the download", &[url.as_str(), &file.target])?;
            let _ = writeln!(
                out,
                "ADD{checksum} --chown={owner} --chmod={:04o} {paths}",
                file.mode.unwrap_or(0o644),
            );
        }
        FileContent::Text(_) => {
            let command = contract::text_file(file).expect("an inline file has a command");
            let mut argv: Vec<String> = build_shell.iter().map(|s| s.as_str().to_owned()).collect();
            argv.push(command.to_shell());
            let _ = writeln!(out, "RUN {}", exec_form("the file's command", &argv)?);
        }
    }
    Ok(())
}

/// The image configuration: env, workdir, labels (the config's and envc's), entrypoint, cmd.
fn configure(
    out: &mut String,
    spec: &Spec,
    plan: &Plan,
    step: &Step,
    config: &ConfigStep,
) -> Result<(), Unrepresentable> {
    for (name, value) in &config.env {
        let _ = writeln!(
            out,
            "ENV {}={}",
            env_name("the env name", name)?,
            quoted(&format!("the value of `{name}`"), value)?
        );
    }
    if let Some(workdir) = &config.workdir {
        let _ = writeln!(out, "WORKDIR {}", word("the workdir", workdir)?);
    }
    out.push_str("LABEL");
    for (i, (k, v)) in image_labels(spec, plan, step, config).iter().enumerate() {
        let sep = if i == 0 { " " } else { " \\\n      " };
        let _ = write!(
            out,
            "{sep}{}={}",
            quoted("the label key", k)?,
            quoted(&format!("the value of label `{k}`"), v)?
        );
    }
    out.push('\n');
    if let Some(entrypoint) = &config.entrypoint {
        let _ = writeln!(
            out,
            "ENTRYPOINT {}",
            exec_form("the entrypoint", entrypoint)?
        );
    }
    if let Some(cmd) = &config.cmd {
        let _ = writeln!(out, "CMD {}", exec_form("the cmd", cmd)?);
    }
    Ok(())
}
