//! `envc lock`: resolve floating inputs and write `envc.lock`; `--check` only says whether
//! the lock still fits the config.

use clap::Args;

use crate::exit::{Outcome, Report};
use std::collections::BTreeMap;

use crate::lock::file::{Freshness, LOCK_FILE, LockFile, PipPin, freshness};
use crate::lock::locking::{Resolve, ResolveError, lock_entry};
use crate::plan::Digest;
use crate::spec;
use crate::spec::model::{DebootstrapBase, PipSpec};

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

    let mut lock = lock.unwrap_or_default();
    let mut resolver = Unresolved;
    for env in &environments {
        let entry = lock_entry(&env.spec, &root, &mut resolver).map_err(Report::environment)?;
        lock.set_entry(env.variant.as_deref(), entry);
    }
    lock.write(&lock_path).map_err(Report::environment)?;
    eprintln!("wrote `{LOCK_FILE}` ({} environments)", environments.len());
    Ok(Outcome::Success)
}

/// The resolver of this build: inputs that pin themselves (image references with a digest,
/// archives with their hash) lock without one; anything else is refused with the reason.
struct Unresolved;

impl Unresolved {
    fn refuse<T>(what: String) -> Result<T, ResolveError> {
        Err(ResolveError {
            what,
            message: "resolving it needs the Docker engine resolvers, which are not part of this build yet; pin it in the config (`repo:tag@sha256:...`, `name=version`) or lock later".into(),
        })
    }
}

impl Resolve for Unresolved {
    fn image_digest(&mut self, reference: &str, _: &str) -> Result<Digest, ResolveError> {
        Self::refuse(format!("image `{reference}`"))
    }
    fn debootstrap_packages(
        &mut self,
        base: &DebootstrapBase,
    ) -> Result<BTreeMap<String, String>, ResolveError> {
        Self::refuse(format!("debootstrap `{}`", base.suite))
    }
    fn apt_closure(
        &mut self,
        _: &str,
        packages: &[String],
    ) -> Result<BTreeMap<String, String>, ResolveError> {
        Self::refuse(format!("apt packages `{}`", packages.join(" ")))
    }
    fn pip_pins(
        &mut self,
        _: &str,
        pip: &PipSpec,
    ) -> Result<BTreeMap<String, PipPin>, ResolveError> {
        let names: Vec<&str> = pip.packages.iter().map(|p| p.as_str()).collect();
        Self::refuse(format!("pip requirements `{}`", names.join(" ")))
    }
}
