//! The `.def` sections, each from the plan: `%setup` and `%files` (files placed before
//! `%post`), `%post`, `%environment`, `%labels`, `%runscript`, `%help`.
//!
//! Apptainer copies `%files` (and runs `%setup`) before any of `%post`. A project file or
//! download the plan places after a run step (`after` in the config) is therefore staged
//! under [`STAGE`] and moved to its target in `%post` at its place in the plan, so that the
//! steps before it do not see it, as in envc's executor and the Dockerfile.

use std::fmt::Write as _;

use crate::content::Digest;
use crate::escape::Unrepresentable;
use crate::escape::deffile::{
    comment, files_path, help_lines, label_key, label_value, shell_line, shell_word,
};
use crate::plan::contract::{self, Runner, UMASK, is_identifier};
use crate::plan::step::{BaseStep, ConfigStep, FileContent, FileStep};
use crate::plan::tree::EntryKind;
use crate::plan::{Plan, Step, StepKind};
use crate::spec::Spec;

use super::super::labels::image_labels;

/// Files placed before `%post`: downloads fetched in `%setup`, project files in `%files`,
/// and the `%post` lines that give both their owner and mode.
pub struct Placed {
    pub setup: String,
    pub files: String,
    pub fixups: String,
}

/// Where late files wait in the image between `%files` and their place in `%post`.
pub const STAGE: &str = "/.envc-files";

/// The staging path of a late file step, or `None` for a file placed before every step
/// (and for inline texts, which `%post` writes at their place anyway).
fn staged(plan: &Plan, step: &Step) -> Option<String> {
    let StepKind::File(file) = &step.kind else {
        return None;
    };
    let late = plan.steps[..step.index]
        .iter()
        .any(|s| matches!(s.kind, StepKind::Run(_)));
    (late && !matches!(file.source, FileContent::Text(_)))
        .then(|| format!("{STAGE}/{}", step.index))
}

/// The placed files of `plan`, in plan order.
pub fn placed(plan: &Plan) -> Result<Placed, Unrepresentable> {
    let mut placed = Placed {
        setup: String::new(),
        files: String::new(),
        fixups: String::new(),
    };
    for step in &plan.steps {
        let StepKind::File(file) = &step.kind else {
            continue;
        };
        let stage = staged(plan, step);
        let to = stage.as_deref().unwrap_or(&file.target);
        match &file.source {
            FileContent::Project { path, .. } => {
                let _ = writeln!(
                    placed.files,
                    "    {} {}",
                    files_path("the project file", path)?,
                    files_path("the file target", to)?
                );
            }
            FileContent::Download { url, sha256 } => {
                download(&mut placed.setup, step, to, url, sha256.as_ref())?;
            }
            FileContent::Text(_) => continue,
        }
        if stage.is_none() {
            fixups(&mut placed.fixups, file)?;
        }
    }
    Ok(placed)
}

/// The `%post` lines that give a placed file its owner and mode.
fn fixups(out: &mut String, file: &FileStep) -> Result<(), Unrepresentable> {
    let _ = writeln!(
        out,
        "    {}",
        shell_line(
            "the file owner",
            &["chown", "-R", &file.owner, &file.target]
        )?
    );
    if let Some(mode) = file.mode {
        let mode = format!("{mode:04o}");
        let _ = writeln!(
            out,
            "    {}",
            shell_line("the file target", &["chmod", &mode, &file.target])?
        );
    }
    Ok(())
}

/// The `%post` lines that move a staged file to its target, then give it owner and mode.
fn unstage(out: &mut String, file: &FileStep, stage: &str) -> Result<(), Unrepresentable> {
    let is_dir = matches!(
        &file.source,
        FileContent::Project { tree, .. }
            if matches!(tree.entries.first().map(|e| &e.kind), Some(EntryKind::Dir))
    );
    let target = file.target.as_str();
    let lines: Vec<Vec<String>> = if is_dir {
        vec![
            vec!["mkdir".into(), "-p".into(), target.into()],
            vec![
                "cp".into(),
                "-a".into(),
                format!("{stage}/."),
                format!("{target}/"),
            ],
        ]
    } else {
        let dir = match target.rsplit_once('/') {
            Some(("", _)) | None => "/",
            Some((dir, _)) => dir,
        };
        vec![
            vec!["mkdir".into(), "-p".into(), dir.into()],
            vec!["cp".into(), "-a".into(), stage.into(), target.into()],
        ]
    };
    for argv in lines
        .iter()
        .chain([&vec!["rm".into(), "-rf".into(), stage.into()]])
    {
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let _ = writeln!(out, "    {}", shell_line("the file target", &argv)?);
    }
    fixups(out, file)
}

/// The `%setup` lines that fetch one download into the container's root filesystem and
/// check it against its pin (an unpinned download is taken as served).
fn download(
    out: &mut String,
    step: &Step,
    target: &str,
    url: &str,
    sha256: Option<&Digest>,
) -> Result<(), Unrepresentable> {
    let _ = writeln!(out, "    # step {}: {}", step.index, comment(&step.label));
    let dir = match target.rsplit_once('/') {
        Some(("", _)) | None => "/",
        Some((dir, _)) => dir,
    };
    let in_root = |path: &str| -> Result<String, Unrepresentable> {
        Ok(format!(
            "\"${{APPTAINER_ROOTFS}}\"{}",
            shell_word("the file target", path)?
        ))
    };
    let (dir, file, url) = (
        in_root(dir)?,
        in_root(target)?,
        shell_word("the download URL", url)?,
    );
    let _ = writeln!(out, "    mkdir -p {dir}");
    let _ = writeln!(
        out,
        "    if command -v curl >/dev/null; then curl -fsSL -o {file} {url}; else wget -q -O {file} {url}; fi"
    );
    match sha256 {
        Some(sha256) => {
            let _ = writeln!(
                out,
                "    echo '{}  '{file} | sha256sum -c - || {{ rm -f {file}; exit 1; }}",
                sha256.hex()
            );
        }
        None => {
            let _ = writeln!(
                out,
                "    # UNPINNED: run `envc lock` to check this download"
            );
        }
    }
    Ok(())
}

/// `%post`: the placed files' owners and modes, then every apt, pip, inline-file and run
/// step in plan order, each the contract's command on one line.
pub fn post(plan: &Plan, fixups: &str) -> Result<String, Unrepresentable> {
    let runner = Runner::APPTAINER;
    let base = &plan.steps[0].key;
    let mut out = String::from("\n%post\n    set -e\n");
    // Steps in envc's executor and BuildKit run with umask 022; `%post` inherits the
    // caller's (often 002), which would make every file a step creates group-writable.
    let _ = writeln!(out, "    umask {UMASK}");
    // Apptainer's debootstrap agent has no `--extra-suites`: add their sources as
    // debootstrap writes them (`deb MIRROR SUITE COMPONENTS`), after the suite's own line.
    if let StepKind::Base(BaseStep::Debootstrap {
        mirror,
        components,
        extra_suites,
        ..
    }) = &plan.steps[0].kind
    {
        for suite in extra_suites {
            let line = format!("deb {mirror} {suite} {}", components.join(" "));
            let _ = writeln!(
                out,
                "    printf '%s\\n' {} >> /etc/apt/sources.list",
                shell_word("the apt source", &line)?
            );
        }
    }
    out.push_str(fixups);
    for step in &plan.steps {
        let line = match &step.kind {
            StepKind::Apt(apt) => {
                shell_line("the apt step", &contract::apt(apt, base, &runner).argv)?
            }
            StepKind::Pip(pip) => {
                shell_line("the pip step", &contract::pip(pip, base, &runner).argv)?
            }
            StepKind::Run(run) => shell_line(
                "the step's command",
                &contract::run(run, base, &runner).argv,
            )?,
            StepKind::File(file) => match (contract::text_file(file), staged(plan, step)) {
                // `%post` is itself a POSIX shell: the command runs there.
                (Some(command), _) => command.render(|w| shell_word("the inline file", w))?,
                (None, Some(stage)) => {
                    let _ = writeln!(out, "    # step {}: {}", step.index, comment(&step.label));
                    unstage(&mut out, file, &stage)?;
                    continue;
                }
                (None, None) => continue,
            },
            StepKind::Base(_) | StepKind::Config(_) => continue,
        };
        let _ = writeln!(out, "    # step {}: {}", step.index, comment(&step.label));
        let _ = writeln!(out, "    {line}");
    }
    if plan.steps.iter().any(|s| staged(plan, s).is_some()) {
        let _ = writeln!(out, "    rmdir {STAGE}");
    }
    Ok(out)
}

/// `%environment`: the image env, sourced by the container's shell at start.
pub fn environment(config: &ConfigStep) -> Result<String, Unrepresentable> {
    if config.env.is_empty() {
        return Ok(String::new());
    }
    let mut out = String::from("\n%environment\n");
    for (name, value) in &config.env {
        if !is_identifier(name) {
            return Err(Unrepresentable::new(
                "an Apptainer definition file",
                "the env name",
                name,
                "`%environment` is a shell script: a name is letters, digits and `_`",
            ));
        }
        let value = shell_word(&format!("the value of `{name}`"), value)?;
        let _ = writeln!(out, "    export {name}={value}");
    }
    Ok(out)
}

/// `%labels`: the config's labels and envc's, one `key value` a line.
pub fn labels(
    spec: &Spec,
    plan: &Plan,
    last: &Step,
    config: &ConfigStep,
) -> Result<String, Unrepresentable> {
    let mut out = String::from("\n%labels\n");
    // The key first: spython reads header words anywhere in a section's first line, and
    // this line is envc's own.
    let mut labels = image_labels(spec, plan, last, config);
    labels.sort_by_key(|(k, _)| k != "dev.envc.key");
    for (k, v) in labels {
        let key = label_key("the label key", &k)?;
        let value = label_value(&format!("the value of label `{k}`"), &v)?;
        if value.is_empty() {
            let _ = writeln!(out, "    {key}");
        } else {
            let _ = writeln!(out, "    {key} {value}");
        }
    }
    Ok(out)
}

/// `%runscript`: the workdir, then the entrypoint with the cmd as default arguments
/// (arguments replace the cmd, as `docker run IMAGE ARGS` does).
pub fn runscript(config: &ConfigStep) -> Result<String, Unrepresentable> {
    let mut out = String::from("\n%runscript\n");
    if let Some(dir) = &config.workdir {
        let _ = writeln!(out, "    cd {}", shell_word("the workdir", dir)?);
    }
    let entrypoint = config.entrypoint.clone().unwrap_or_default();
    match (&config.cmd, entrypoint.is_empty()) {
        (Some(cmd), _) => {
            let _ = writeln!(
                out,
                "    if [ $# -eq 0 ]; then set -- {}; fi",
                shell_line("the cmd", cmd)?
            );
        }
        (None, true) => out.push_str("    if [ $# -eq 0 ]; then set -- /bin/sh; fi\n"),
        (None, false) => {}
    }
    let mut words = Vec::new();
    if !entrypoint.is_empty() {
        words.push(shell_line("the entrypoint", &entrypoint)?);
    }
    words.push("\"$@\"".to_owned());
    let _ = writeln!(out, "    exec {}", words.join(" "));
    Ok(out)
}

/// `%help`: the description and the plan key.
pub fn help(spec: &Spec, plan: &Plan) -> Result<String, Unrepresentable> {
    let mut out = String::from("\n%help\n");
    let description = spec
        .description
        .as_deref()
        .unwrap_or("An environment built by envc.");
    // envc's line first: spython reads header words anywhere in a section's first line.
    let about = format!("envc environment `{}`, plan key {}.", plan.name, plan.key());
    let lines = help_lines("the name", &about)?
        .into_iter()
        .chain(help_lines("the description", description)?);
    for line in lines {
        let _ = writeln!(out, "    {line}");
    }
    Ok(out)
}
