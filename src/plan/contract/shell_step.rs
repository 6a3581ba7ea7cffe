//! The commands of apt, pip and run steps, and of inline files.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::escape::shell::{printf_format, quote};
use crate::plan::Key;
use crate::plan::step::{AptStep, FileContent, FileStep, PipStep, RunStep};

use super::build_only::{APT_ARCHIVES, CA_PATH, CA_VARIABLES, PIP_CACHE, SOURCE_DATE_EPOCH};
use super::{Command, Runner, cache_volume};

/// A shell-like step as every builder runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellStep {
    /// The exact argv: the shell with its flags, then one script.
    pub argv: Vec<String>,
    /// The command as shown in messages (the script without its exports).
    pub display: String,
    /// Whether the step has the network (a builder that cannot switch it off says so).
    pub network: bool,
    /// Whether the host CA bundle is mounted at [`CA_PATH`] for the step.
    pub ca_bundle: bool,
    /// Whether the host's proxy variables reach the step (when the build lends them).
    pub proxies: bool,
    /// Whether build secrets (`--secret ID=PATH`) are mounted at `SECRETS_DIR/ID`: for
    /// every shell step of envc's executor; a Dockerfile or `.def` has no such flag.
    pub secrets: bool,
    /// Caches mounted for the step only.
    pub caches: Vec<Cache>,
}

/// A cache mounted into a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    /// The volume (executor) or cache id (BuildKit): [`cache_volume`].
    pub name: String,
    pub target: String,
    pub sharing: Sharing,
}

/// Who may use a cache at the same time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// Any number of steps (pip writes its entries atomically).
    Shared,
    /// One step at a time, across builds and processes: apt refuses a held archive lock
    /// at once instead of waiting (BuildKit's `sharing=locked`; a host lock in envc).
    Locked,
}

/// The default shell of apt and pip steps (a Dockerfile's shell form).
const SH: [&str; 2] = ["/bin/sh", "-c"];

/// `apt-get update && install` of the (locked) packages, with the package lists removed
/// afterwards; downloaded archives stay in the cache when the runner mounts one.
pub fn apt(step: &AptStep, base: &Key, runner: &Runner) -> ShellStep {
    let mut options = String::new();
    if runner.ca_bundle {
        let _ = write!(options, " -o Acquire::https::CAInfo={CA_PATH}");
    }
    if runner.apt_as_root {
        // Who downloads changes, not what is written (the lists are removed, and apt's
        // caches are outside the rootfs digest, see `crate::rootfs::exclude`).
        options.push_str(" -o APT::Sandbox::User=root");
    }
    // Debian's docker images delete downloaded archives after each install; with a cache
    // they are kept, so that a rebuild does not download them again.
    let keep = if runner.caches {
        " -o Binary::apt::APT::Keep-Downloaded-Packages=true -o APT::Keep-Downloaded-Packages=true"
    } else {
        ""
    };
    let packages: Vec<String> = step.packages.iter().map(|p| quote(p)).collect();
    let body = format!(
        "apt-get{options} update && DEBIAN_FRONTEND=noninteractive apt-get{options}{keep} install -y --no-install-recommends {} && rm -rf /var/lib/apt/lists/*",
        packages.join(" ")
    );
    let caches = runner
        .caches
        .then(|| Cache {
            name: cache_volume(base, "apt-archives"),
            target: APT_ARCHIVES.into(),
            sharing: Sharing::Locked,
        })
        .into_iter()
        .collect();
    let plan = StepEnv::new(runner, true, BTreeMap::new());
    shell_step(&SH, plan, &BTreeMap::new(), None, body, caches)
}

/// `pip install -r` of the (hashed) requirements through a temporary requirements file.
pub fn pip(step: &PipStep, base: &Key, runner: &Runner) -> ShellStep {
    let mut args = vec!["-m", "pip", "install"];
    if !runner.caches {
        args.push("--no-cache-dir");
    }
    if step.require_hashes {
        args.extend(["--require-hashes", "--no-deps"]);
    }
    let mut extra = String::new();
    if let Some(index) = &step.index_url {
        let _ = write!(extra, " --index-url {}", quote(index));
    }
    for index in &step.extra_index_urls {
        let _ = write!(extra, " --extra-index-url {}", quote(index));
    }
    let lines: Vec<String> = step.requirements.iter().map(|r| quote(r)).collect();
    let body = format!(
        "printf '%s\\n' {} > /tmp/envc-requirements.txt && {} {}{extra} -r /tmp/envc-requirements.txt && rm -f /tmp/envc-requirements.txt",
        lines.join(" "),
        quote(&step.python),
        args.join(" "),
    );
    let mut vars = BTreeMap::new();
    if runner.caches {
        vars.insert("PIP_CACHE_DIR".into(), PIP_CACHE.into());
    }
    vars.insert("PIP_DISABLE_PIP_VERSION_CHECK".into(), "1".into());
    vars.insert("PIP_ROOT_USER_ACTION".into(), "ignore".into());
    if step.break_system_packages {
        // The variable, not the flag: pips older than 23.0.1 refuse the unknown flag.
        vars.insert("PIP_BREAK_SYSTEM_PACKAGES".into(), "1".into());
    }
    let caches = runner
        .caches
        .then(|| Cache {
            name: cache_volume(base, "pip"),
            target: PIP_CACHE.into(),
            sharing: Sharing::Shared,
        })
        .into_iter()
        .collect();
    shell_step(
        &SH,
        StepEnv::new(runner, true, vars),
        &BTreeMap::new(),
        None,
        body,
        caches,
    )
}

/// A user's step: the configured shell, the step's env and working folder, its caches.
pub fn run(step: &RunStep, base: &Key, runner: &Runner) -> ShellStep {
    let caches = if runner.caches {
        step.caches
            .iter()
            .map(|c| Cache {
                name: cache_volume(base, &c.id),
                target: c.target.clone(),
                sharing: Sharing::Shared,
            })
            .collect()
    } else {
        Vec::new()
    };
    shell_step(
        &step.shell,
        StepEnv::new(runner, step.network, BTreeMap::new()),
        &step.env,
        step.workdir.as_deref(),
        step.script.clone(),
        caches,
    )
}

/// The command that writes an inline file and gives it its owner and mode: one line,
/// the text as a `printf` format (see [`printf_format`]). Project files and downloads
/// have no command: each builder copies them its own way.
pub fn text_file(file: &FileStep) -> Option<Command> {
    let FileContent::Text(text) = &file.source else {
        return None;
    };
    let dir = match file.target.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &file.target[..i],
    };
    let mode = format!("{:04o}", file.mode.unwrap_or(0o644));
    Some(
        Command::default()
            .word("mkdir")
            .word("-p")
            .word(dir)
            .op("&&")
            .word("printf")
            .word(printf_format(text, &[]))
            .op(">")
            .word(&file.target)
            .op("&&")
            .word("chown")
            .word(&file.owner)
            .word(&file.target)
            .op("&&")
            .word("chmod")
            .word(mode)
            .word(&file.target),
    )
}

/// What the plan decides about a step's environment before the step's own env.
struct StepEnv {
    network: bool,
    ca_bundle: bool,
    /// The CA variables when the bundle is lent, and the step kind's own settings.
    vars: BTreeMap<String, String>,
}

impl StepEnv {
    fn new(runner: &Runner, network: bool, mut vars: BTreeMap<String, String>) -> StepEnv {
        let ca_bundle = runner.ca_bundle && network;
        if ca_bundle {
            for name in CA_VARIABLES {
                vars.insert((*name).to_owned(), CA_PATH.to_owned());
            }
        }
        StepEnv {
            network,
            ca_bundle,
            vars,
        }
    }
}

fn shell_step<S: AsRef<str>>(
    shell: &[S],
    decided: StepEnv,
    env: &BTreeMap<String, String>,
    workdir: Option<&str>,
    body: String,
    caches: Vec<Cache>,
) -> ShellStep {
    let mut script = exports(&decided.vars, env);
    if let Some(dir) = workdir {
        let _ = writeln!(script, "mkdir -p {0} && cd {0}", quote(dir));
    }
    script.push_str(&body);
    let mut argv: Vec<String> = shell.iter().map(|s| s.as_ref().to_owned()).collect();
    argv.push(without_trailing_newlines(script));
    ShellStep {
        argv,
        display: body,
        network: decided.network,
        ca_bundle: decided.ca_bundle,
        proxies: decided.network,
        secrets: true,
        caches,
    }
}

/// `export NAME=value` lines: `SOURCE_DATE_EPOCH`, the plan's variables, then the step's
/// own (which win). A name that is not a shell identifier is exported as one quoted word,
/// which the shell refuses: it can never become a command.
fn exports(vars: &BTreeMap<String, String>, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "export SOURCE_DATE_EPOCH={SOURCE_DATE_EPOCH}");
    for (name, value) in vars.iter().chain(env) {
        if is_identifier(name) {
            let _ = writeln!(out, "export {name}={}", quote(value));
        } else {
            let _ = writeln!(out, "export {}", quote(&format!("{name}={value}")));
        }
    }
    out
}

/// A POSIX shell variable name.
pub fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A script's trailing newlines mean nothing to a shell, and the `.def` (whose `%post`
/// carries a multi-line script through command substitution) cannot keep them: no builder
/// gets them. Kept when the script ends with a `\` before them, where they do mean
/// something (a continuation at the end of the script).
fn without_trailing_newlines(script: String) -> String {
    let trimmed = script.trim_end_matches('\n');
    if trimmed.len() == script.len() || trimmed.ends_with('\\') {
        return script;
    }
    trimmed.to_owned()
}
