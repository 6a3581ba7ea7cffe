//! `envc verify [--variant V] [--rebuild] [--cross] [--registry] [--sbom FILE]
//! [--provenance FILE] [--json]`: check that the cached artifacts of the current config are
//! what their inputs say (see [`crate::verify`]), that the image holds what the lock pins
//! ([`crate::supply::drift`]), and that SBOM and provenance files are what envc makes of
//! them ([`crate::supply::documents`]); exit 0 only when every check passes, 1 when one
//! fails.

use clap::Args;
use serde_json::json;

use crate::exit::{Outcome, Report};
use crate::verify::{self, Check};

use super::config_args::ConfigArgs;

/// Verify the cache.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also build the environment again from scratch and compare the files.
    #[arg(long)]
    pub rebuild: bool,
    /// Also build the emitted Dockerfile with BuildKit and the emitted `.def` with
    /// `apptainer build`, and compare their files with envc's image.
    #[arg(long)]
    pub cross: bool,
    /// Also check every key of the plan that the cache registry holds: its key and its
    /// files, from the registry's own bytes.
    #[arg(long)]
    pub registry: bool,
    #[command(flatten)]
    pub registry_args: super::registry_args::RegistryArgs,
    /// Also check that FILE (an SBOM envc wrote) is byte for byte what the lock and the
    /// image give (repeatable).
    #[arg(long, value_name = "FILE")]
    pub sbom: Vec<std::path::PathBuf>,
    /// Also check that FILE (a provenance statement envc wrote) is byte for byte what the
    /// lock, the image and the build give (repeatable).
    #[arg(long, value_name = "FILE")]
    pub provenance: Vec<std::path::PathBuf>,
    /// Print the checks as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: VerifyArgs) -> Result<Outcome, Report> {
    let loaded = args.config.load()?;
    let planned = crate::plan::plan_project(
        &loaded.spec,
        &loaded.project_root,
        loaded.variant.as_deref(),
        crate::plan::LockPolicy::UnpinnedIfStale,
    )
    .map_err(Report::input)?;
    let plan = planned.plan;
    let entry = match planned.lock {
        crate::lock::file::Freshness::Fresh => crate::lock::file::LockFile::read(
            &loaded.project_root.join(crate::lock::file::LOCK_FILE),
        )
        .ok()
        .flatten()
        .and_then(|lock| lock.entry(loaded.variant.as_deref()).cloned()),
        _ => None,
    };
    let registry = match args.registry {
        true => Some(args.registry_args.require(&loaded.spec)?),
        false => None,
    };
    let checks = super::gc::with_engine(|engine| async move {
        let found = |e: &dyn std::error::Error| {
            Report::found(miette::miette!("{}", crate::error_chain::error_chain(e)))
        };
        let mut checks = vec![
            verify::key::check(&engine, &plan)
                .await
                .map_err(Report::from)?,
        ];
        let (content, listing) = verify::content::check(&engine, &plan)
            .await
            .map_err(|e| found(&e))?;
        checks.push(content);
        checks.extend(verify::sif::checks(&plan, listing.as_ref()));
        checks.extend(
            crate::supply::drift::check(&engine, &plan, entry.as_ref())
                .await
                .map_err(Report::from)?,
        );
        if !args.sbom.is_empty() || !args.provenance.is_empty() {
            let gathered = crate::supply::gather(Some(&engine), &loaded, true)
                .await
                .map_err(Report::from)?;
            for path in &args.sbom {
                checks.push(crate::supply::documents::check(&gathered, path, "sbom"));
            }
            for path in &args.provenance {
                checks.push(crate::supply::documents::check(
                    &gathered,
                    path,
                    "provenance",
                ));
            }
        }
        if args.cross {
            checks.push(
                verify::buildkit::check(
                    &engine,
                    &loaded.spec,
                    &plan,
                    &loaded.project_root,
                    listing.as_ref(),
                )
                .await,
            );
            checks.push(verify::apptainer::check(
                &loaded.spec,
                &plan,
                &loaded.project_root,
                listing.as_ref(),
            ));
        }
        if let Some(registry) = &registry {
            let client = crate::registry::RegistryClient::connect(registry)?;
            let with_sif = loaded.spec.targets.apptainer.enable;
            checks.extend(verify::registry::checks(&client, &plan, with_sif).await);
        }
        if args.rebuild {
            checks.push(
                verify::rebuild::check(&engine, &loaded.spec, &plan, &loaded.project_root)
                    .await
                    .map_err(|e| found(&e))?,
            );
        }
        Ok(checks)
    })?;
    let passed = checks.iter().all(|c| c.passed);
    let text = if args.json {
        serde_json::to_string_pretty(&json!({ "passed": passed, "checks": checks }))
            .expect("checks serialize")
            + "\n"
    } else {
        human(&checks)
    };
    super::print_stdout(&text)?;
    Ok(if passed {
        Outcome::Success
    } else {
        // A failed check is a found problem: exit 1, as for any other finding.
        Outcome::Status(1)
    })
}

fn human(checks: &[Check]) -> String {
    let mut out = String::new();
    for check in checks {
        let verdict = if check.passed { "pass" } else { "FAIL" };
        out.push_str(&format!("{verdict}  {}\n", check.name));
        for line in &check.details {
            out.push_str(&format!("      {line}\n"));
        }
    }
    out
}
