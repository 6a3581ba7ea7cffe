//! `envc lock`: resolve floating inputs and write `envc.lock`; `--check` only says whether
//! the lock still fits the config.

use clap::Args;

use crate::exit::{Outcome, Report};
use std::path::Path;

use crate::build::pip_parent::PipParentBuilder;
use crate::lock::engine_resolver::{EngineResolver, HOST_CA_BUNDLE};
use crate::lock::file::{Freshness, LOCK_FILE, LockFile, freshness, orphans};
use crate::lock::walk::{LockingError, lock_entry};
use crate::spec;

use super::config_args::ConfigArgs;

/// Resolve floating inputs and write `envc.lock`.
#[derive(Debug, Args)]
pub struct LockArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Do not resolve: exit 1 when the lock is missing or stale, saying what changed.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: LockArgs) -> Result<Outcome, Report> {
    let path = args.config.config_path()?;
    let loaded = spec::load(&path, args.config.variant.as_deref()).map_err(Report::input)?;
    // Without `--variant`, the lock covers the config and every variant.
    let mut environments = vec![loaded];
    if args.config.variant.is_none() {
        let names: Vec<String> = environments[0]
            .spec
            .variants
            .keys()
            .map(|n| n.to_string())
            .collect();
        for name in names {
            environments.push(spec::load(&path, Some(&name)).map_err(Report::input)?);
        }
    }
    let root = environments[0].project_root.clone();
    let lock_path = root.join(LOCK_FILE);
    let lock = LockFile::read(&lock_path).map_err(Report::input)?;

    if args.check {
        let mut problems = Vec::new();
        for env in &environments {
            let which = match &env.variant {
                Some(v) => format!("variant `{v}`"),
                None => "the config".to_owned(),
            };
            match freshness(lock.as_ref(), &env.spec, env.variant.as_deref()) {
                Freshness::Fresh => {}
                Freshness::Missing if lock.is_none() => {
                    problems.push(format!("`{LOCK_FILE}` is missing"));
                    break;
                }
                Freshness::Missing => problems.push(format!("{which} has no entry")),
                Freshness::Stale(changes) => {
                    for change in changes {
                        problems.push(format!("{which}: {change}"));
                    }
                }
            }
        }
        // Every entry must belong to the config: one for a removed variant is stale too.
        if args.config.variant.is_none()
            && let Some(lock) = &lock
        {
            let names: Vec<String> = environments
                .iter()
                .filter_map(|e| e.variant.clone())
                .collect();
            for orphan in orphans(lock, &names) {
                problems.push(format!(
                    "variant `{orphan}` has an entry but the config has no such variant"
                ));
            }
        }
        if problems.is_empty() {
            eprintln!("`{LOCK_FILE}` is up to date");
            return Ok(Outcome::Success);
        }
        let mut message = format!("`{LOCK_FILE}` does not fit the config:");
        for p in &problems {
            message.push_str("\n  - ");
            message.push_str(p);
        }
        return Err(Report::found(miette::miette!(
            help = "run `envc lock` to update it",
            "{message}"
        )));
    }

    // One environment's failure (an unreachable download, say) does not stop the others:
    // what can be locked is written, what failed keeps its previous entry.
    let mut lock = lock.unwrap_or_default();
    let mut failures: Vec<(String, LockingError)> = Vec::new();
    for env in &environments {
        let spec = &env.spec;
        let mut resolver = EngineResolver::new(
            spec.platform.as_str(),
            crate::plan::planner::base_import_tag,
        )
        .map_err(to_report)?;
        if spec.build_host.ca_certificates && Path::new(HOST_CA_BUNDLE).is_file() {
            resolver.ca_bundle = Some(HOST_CA_BUNDLE.into());
        }
        if spec.build_host.proxy {
            resolver.env = crate::host::PROXY_VARIABLES
                .iter()
                .filter_map(|name| std::env::var(name).ok().map(|v| format!("{name}={v}")))
                .collect();
        }
        resolver.parent_builder = Some(Box::new(PipParentBuilder {
            spec: spec.clone(),
            project_root: root.clone(),
            variant: env.variant.clone(),
        }));
        match lock_entry(spec, &root, &mut resolver) {
            Ok(entry) => lock.set_entry(env.variant.as_deref(), entry),
            Err(error) => failures.push((which(env.variant.as_deref()), error)),
        }
    }
    let locked = environments.len() - failures.len();
    if locked > 0 {
        lock.write(&lock_path).map_err(Report::environment)?;
        eprintln!(
            "wrote `{LOCK_FILE}` ({locked} of {} environments)",
            environments.len()
        );
    }
    if failures.is_empty() {
        return Ok(Outcome::Success);
    }
    Err(lock_failures(failures, environments.len()))
}

/// `the config` or `variant `NAME``, as lock messages name an environment.
fn which(variant: Option<&str>) -> String {
    match variant {
        Some(v) => format!("variant `{}`", crate::spec::model::shown(v)),
        None => "the config".to_owned(),
    }
}

/// Every environment that could not be locked, each with its cause chain (which names the
/// URL, image or package), as one report; its exit code is the first failure's.
fn lock_failures(failures: Vec<(String, LockingError)>, total: usize) -> Report {
    let failure = failures[0].1.failure();
    let mut message = format!(
        "{} of {total} environments could not be locked:",
        failures.len()
    );
    for (which, error) in &failures {
        let mut cause = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(s) = source {
            cause.push_str(": ");
            cause.push_str(&s.to_string());
            source = s.source();
        }
        message.push_str(&format!("\n  - {which}: {cause}"));
    }
    Report::new(
        failure,
        miette::miette!(
            help = "the environments that failed keep their previous entries in `envc.lock`; fix the cause and run `envc lock` again",
            "{message}"
        ),
    )
}

fn to_report(error: LockingError) -> Report {
    Report::new(error.failure(), error)
}
