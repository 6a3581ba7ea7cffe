//! The commands that shell-like steps (apt, pip, run) execute in their build container.
//!
//! Each becomes one argv: the configured shell followed by one script. The script begins
//! with the step's build-only exports (CA bundle variables, proxies, the step's own env)
//! and its `cd`, so that none of them is part of the container's config, which the engine
//! would copy into the committed image. The commands match the emitted Dockerfile's `RUN`
//! lines (`crate::emit::dockerfile`), so both builds give the same filesystem.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::plan::Key;
use crate::plan::step::{AptStep, PipStep, RunStep};

use super::host::{self, HostMaterial};

/// What to run in a step's container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepCommand {
    /// The container's entrypoint: shell followed by the script.
    pub argv: Vec<String>,
    /// The command as shown in messages (without build-only exports).
    pub display: String,
    /// Named cache volumes and where they are mounted.
    pub caches: Vec<CacheUse>,
    pub network: bool,
}

/// A cache volume mounted into a step's container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheUse {
    pub volume: String,
    pub target: String,
    /// Only one step at a time, across envc processes, may use it (apt's archive cache).
    pub exclusive: bool,
}

/// The default shell of apt and pip steps (the Dockerfile's shell form).
const SH: [&str; 2] = ["/bin/sh", "-c"];

/// `apt-get update && install` of the (locked) packages, lists removed afterwards; the
/// downloaded archives stay in a cache volume.
pub fn apt(step: &AptStep, base: &Key, host: &HostMaterial) -> StepCommand {
    let ca = if host.ca_bundle.is_some() {
        format!(" -o Acquire::https::CAInfo={}", host::CA_PATH)
    } else {
        String::new()
    };
    let packages: Vec<String> = step.packages.iter().map(|p| quote(p)).collect();
    let display = format!(
        "apt-get{ca} update && DEBIAN_FRONTEND=noninteractive apt-get{ca} install -y --no-install-recommends {} && rm -rf /var/lib/apt/lists/*",
        packages.join(" ")
    );
    // Debian's docker images delete downloaded archives after each install; with a cache
    // volume we want them kept, so that a rebuild does not download them again.
    let keep =
        "-o Binary::apt::APT::Keep-Downloaded-Packages=true -o APT::Keep-Downloaded-Packages=true";
    let script = format!(
        "{}apt-get{ca} update && DEBIAN_FRONTEND=noninteractive apt-get{ca} {keep} install -y --no-install-recommends {} && rm -rf /var/lib/apt/lists/*",
        exports(&host.variables(true), &BTreeMap::new()),
        packages.join(" ")
    );
    StepCommand {
        argv: with_shell(&SH, script),
        display,
        caches: vec![CacheUse {
            volume: host::cache_volume(base, "apt-archives"),
            target: "/var/cache/apt/archives".into(),
            exclusive: true,
        }],
        network: true,
    }
}

/// `pip install -r` of the (hashed) requirements through a temporary requirements file.
pub fn pip(step: &PipStep, base: &Key, host: &HostMaterial) -> StepCommand {
    let mut args = vec!["-m", "pip", "install"];
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
    let display = format!(
        "printf '%s\\n' {} > /tmp/envc-requirements.txt && {} {}{extra} -r /tmp/envc-requirements.txt && rm -f /tmp/envc-requirements.txt",
        lines.join(" "),
        quote(&step.python),
        args.join(" "),
    );
    let mut vars = host.variables(true);
    vars.insert("PIP_CACHE_DIR".into(), host::PIP_CACHE.into());
    vars.insert("PIP_DISABLE_PIP_VERSION_CHECK".into(), "1".into());
    vars.insert("PIP_ROOT_USER_ACTION".into(), "ignore".into());
    if step.break_system_packages {
        // The variable, not the flag: pips older than 23.0.1 refuse the unknown flag.
        vars.insert("PIP_BREAK_SYSTEM_PACKAGES".into(), "1".into());
    }
    let script = format!("{}{display}", exports(&vars, &BTreeMap::new()));
    StepCommand {
        argv: with_shell(&SH, script),
        display,
        // pip writes its cache entries atomically and is safe to share.
        caches: vec![CacheUse {
            volume: host::cache_volume(base, "pip"),
            target: host::PIP_CACHE.into(),
            exclusive: false,
        }],
        network: true,
    }
}

/// A user's step: the configured shell, the step's env and working folder, its caches.
pub fn run(step: &RunStep, base: &Key, host: &HostMaterial) -> StepCommand {
    let mut prelude = exports(&host.variables(step.network), &step.env);
    if let Some(dir) = &step.workdir {
        let _ = writeln!(prelude, "mkdir -p {0} && cd {0}", quote(dir));
    }
    let caches = step
        .caches
        .iter()
        .map(|c| CacheUse {
            volume: host::cache_volume(base, &c.id),
            target: c.target.clone(),
            exclusive: false,
        })
        .collect();
    StepCommand {
        argv: with_shell(&step.shell, format!("{prelude}{}", step.script)),
        display: step.script.clone(),
        caches,
        network: step.network,
    }
}

fn with_shell<S: AsRef<str>>(shell: &[S], script: String) -> Vec<String> {
    let mut argv: Vec<String> = shell.iter().map(|s| s.as_ref().to_owned()).collect();
    argv.push(script);
    argv
}

/// The `SOURCE_DATE_EPOCH` every step sees (1980-01-01, the earliest date zip files and
/// some packaging tools accept), so that tools that honour it write reproducible files:
/// Python's `py_compile` (used by pip) then writes hash-checked `.pyc` files instead of
/// embedding source mtimes, and build tools stamp this date instead of the build time.
/// It is a normalisation for `envc verify --rebuild`; a step's own env may override it.
pub const SOURCE_DATE_EPOCH: &str = "315532800";

/// `export NAME=value` lines: `SOURCE_DATE_EPOCH`, build-only variables, then the step's
/// own (which win).
fn exports(build_only: &BTreeMap<String, String>, step: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "export SOURCE_DATE_EPOCH={SOURCE_DATE_EPOCH}");
    for (name, value) in build_only.iter().chain(step) {
        let _ = writeln!(out, "export {name}={}", quote(value));
    }
    out
}

/// `text` as one POSIX shell word.
pub fn quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"%+,-./:=@_".contains(&b))
    {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::step::CacheMount;

    fn host_with_ca() -> HostMaterial {
        HostMaterial {
            ca_bundle: Some("/etc/ssl/certs/ca-certificates.crt".into()),
            ..Default::default()
        }
    }

    #[test]
    fn run_steps_export_env_in_the_script_not_the_container() {
        let step = RunStep {
            name: None,
            script: "make".into(),
            shell: vec!["/bin/sh".into(), "-c".into()],
            env: BTreeMap::from([("CC".into(), "gcc -O2".into())]),
            workdir: Some("/src".into()),
            network: true,
            caches: vec![CacheMount {
                id: "ccache".into(),
                target: "/root/.ccache".into(),
            }],
        };
        let command = run(&step, &Key([0; 32]), &host_with_ca());
        let script = command.argv.last().unwrap();
        assert!(script.contains("export CC='gcc -O2'\n"));
        assert!(script.contains(&format!("export SSL_CERT_FILE={}\n", host::CA_PATH)));
        assert!(script.ends_with("mkdir -p /src && cd /src\nmake"));
        assert_eq!(command.display, "make");
        assert_eq!(command.caches[0].target, "/root/.ccache");
    }

    #[test]
    fn offline_steps_get_no_network_material() {
        let step = RunStep {
            name: None,
            script: "true".into(),
            shell: vec!["/bin/sh".into(), "-c".into()],
            env: BTreeMap::new(),
            workdir: None,
            network: false,
            caches: vec![],
        };
        let command = run(&step, &Key([0; 32]), &host_with_ca());
        // Only the reproducibility normalisation, no CA bundle or proxy variables.
        let script = format!("export SOURCE_DATE_EPOCH={SOURCE_DATE_EPOCH}\ntrue");
        assert_eq!(command.argv, vec!["/bin/sh", "-c", script.as_str()]);
        assert!(!command.network);
    }

    #[test]
    fn pip_uses_a_cache_volume_and_hashes() {
        let step = PipStep {
            python: "/usr/bin/python3".into(),
            requirements: vec!["six==1.16.0 --hash=sha256:ab".into()],
            require_hashes: true,
            index_url: None,
            extra_index_urls: vec![],
            break_system_packages: true,
        };
        let command = pip(&step, &Key([0; 32]), &HostMaterial::default());
        let script = command.argv.last().unwrap();
        assert!(script.contains("--require-hashes --no-deps"));
        assert!(script.contains("export PIP_BREAK_SYSTEM_PACKAGES=1"));
        assert!(script.contains("'six==1.16.0 --hash=sha256:ab'"));
        assert_eq!(command.caches[0].target, host::PIP_CACHE);
    }
}
