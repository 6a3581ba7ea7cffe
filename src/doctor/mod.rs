//! `envc doctor`: is this machine ready for envc, and if not, what to do about it.
//!
//! Each check looks at one thing (the engine, access to its socket, Apptainer, user
//! namespaces, debootstrap, free disk, proxy and CA settings, a GPU runtime, the cache
//! registry, the config) and says `pass`, `warn` or `fail` with a one-line summary and,
//! unless it passed, a hint that says how to fix it. What is only needed for some configs
//! (Apptainer, debootstrap, a GPU) fails when the config in hand needs it and warns
//! otherwise. Nothing here changes the machine, and no secret is printed: a proxy URL's
//! credentials are replaced by `***`.
//!
//! `--json` prints [`DoctorReport`] (documented in the README, `"schema": 1`).

mod checks;
mod host;
mod network;

use std::path::PathBuf;

use serde::Serialize;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// A stable identifier (`docker`, `docker-access`, ...).
    pub name: &'static str,
    pub status: Status,
    /// What was found, in one line.
    pub summary: String,
    /// How to fix it; `None` when the check passed.
    pub hint: Option<String>,
}

impl Check {
    pub fn pass(name: &'static str, summary: impl Into<String>) -> Self {
        Check {
            name,
            status: Status::Pass,
            summary: summary.into(),
            hint: None,
        }
    }

    pub fn warn(name: &'static str, summary: impl Into<String>, hint: impl Into<String>) -> Self {
        Check {
            name,
            status: Status::Warn,
            summary: summary.into(),
            hint: Some(hint.into()),
        }
    }

    pub fn fail(name: &'static str, summary: impl Into<String>, hint: impl Into<String>) -> Self {
        Check {
            name,
            status: Status::Fail,
            summary: summary.into(),
            hint: Some(hint.into()),
        }
    }

    /// `fail` when `needed`, else `warn`.
    pub fn missing(
        name: &'static str,
        needed: bool,
        summary: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        if needed {
            Check::fail(name, summary, hint)
        } else {
            Check::warn(name, summary, hint)
        }
    }
}

/// Every check, and the worst status among them.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    /// The version of this JSON shape; bumped only when a field changes meaning.
    pub schema: u32,
    pub status: Status,
    pub checks: Vec<Check>,
}

/// What the checks may look at.
#[derive(Debug, Clone, Default)]
pub struct DoctorOptions {
    /// The config to check (`None`: found from the current folder; none found is a warning).
    pub config: Option<PathBuf>,
}

/// Run every check.
pub fn diagnose(options: &DoctorOptions) -> DoctorReport {
    let config = checks::config(options.config.as_deref());
    let needs = config.needs.clone();
    let mut all = Vec::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    match runtime {
        Ok(rt) => {
            let (engine, engine_check) = rt.block_on(checks::docker());
            all.push(engine_check);
            all.push(checks::docker_access());
            all.push(checks::apptainer(&needs));
            all.push(host::user_namespaces(&needs));
            all.push(host::debootstrap(&needs));
            all.push(host::disk());
            all.push(network::proxy());
            all.push(network::ca_certificates(&needs));
            all.push(rt.block_on(checks::gpu(engine.as_ref(), &needs)));
            all.push(rt.block_on(network::cache_registry()));
        }
        Err(e) => all.push(Check::fail(
            "docker",
            format!("cannot start an event loop: {e}"),
            "this is an operating-system limit (threads, file descriptors)",
        )),
    }
    all.push(config.check);
    let status = all.iter().map(|c| c.status).max().unwrap_or(Status::Pass);
    DoctorReport {
        schema: 1,
        status,
        checks: all,
    }
}

/// What the config asks of the machine.
#[derive(Debug, Clone, Default)]
pub struct Needs {
    pub apptainer: bool,
    pub debootstrap: bool,
    pub gpu: bool,
    pub ca_certificates: bool,
}
