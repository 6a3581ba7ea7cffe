//! `envc verify --registry`: every key of the plan that the cache registry holds carries that
//! key and the content its rootfs digest says — checked from the registry's own bytes (every
//! layer downloaded, its files listed), without the engine. Keys the registry does not hold
//! are listed, not failed: a cache may be partial.

use super::Check;
use crate::error_chain::error_chain;
use crate::plan::Plan;
use crate::registry::client::RegistryClient;
use crate::registry::error::RegistryError;
use crate::registry::ops::chains;
use crate::registry::pull::check_entry;
use crate::registry::sif::pull_sif;
use crate::registry::target::Registry;

/// The registry checks of `plan` (and its SIF when `with_sif`): one per entry found, and one
/// listing what is absent.
pub async fn checks(client: &RegistryClient, plan: &Plan, with_sif: bool) -> Vec<Check> {
    match entries(client, plan, with_sif).await {
        Ok(checks) => checks,
        Err(e) => vec![Check::fail(
            format!("registry ({})", client.registry()),
            vec![error_chain(&e)],
        )],
    }
}

async fn entries(
    client: &RegistryClient,
    plan: &Plan,
    with_sif: bool,
) -> Result<Vec<Check>, RegistryError> {
    let registry = client.registry();
    let mut checks = Vec::new();
    let mut absent = Vec::new();
    let mut total = 0;
    for chain in chains(plan) {
        let count = chain.steps.len();
        for step in chain.steps {
            if matches!(
                step.kind,
                crate::plan::StepKind::Base(crate::plan::step::BaseStep::Image { .. })
            ) {
                continue;
            }
            total += 1;
            let reference = registry.step(&step.key);
            let shown = Registry::show(&reference);
            let Some(step_digest) = client.head(&reference).await? else {
                absent.push(shown);
                continue;
            };
            let name = format!(
                "registry: step {}/{count} `{}` of `{}`",
                step.index + 1,
                step.label,
                chain.image_name
            );
            checks.push(match check_entry(client, &reference, &step.key).await? {
                Ok(rootfs) => Check::pass(
                    name,
                    vec![format!("`{shown}`: key matches, files {rootfs}")],
                ),
                Err(refusal) => Check::fail(name, vec![refusal.to_string()]),
            });
            if Some(step.key) == chain.steps.last().map(|s| s.key) {
                let finished = registry.image(&chain.image_name, &step.key);
                let shown = Registry::show(&finished);
                let name = format!("registry: finished image `{}`", chain.image_name);
                match client.head(&finished).await? {
                    None => absent.push(shown),
                    // The same manifest as the step's, checked above.
                    Some(digest) if digest == step_digest => checks.push(Check::pass(
                        name,
                        vec![format!("`{shown}` is the step's manifest {digest}")],
                    )),
                    Some(_) => {
                        checks.push(match check_entry(client, &finished, &step.key).await? {
                            Ok(rootfs) => Check::pass(
                                name,
                                vec![format!("`{shown}`: key matches, files {rootfs}")],
                            ),
                            Err(refusal) => Check::fail(name, vec![refusal.to_string()]),
                        })
                    }
                }
            }
        }
    }
    let key = plan.key();
    let sif = registry.sif(&plan.image_name(), &key);
    let shown = Registry::show(&sif);
    total += usize::from(with_sif);
    if !with_sif {
    } else if client.head(&sif).await?.is_some() {
        let dir = tempfile::tempdir()
            .map_err(|e| RegistryError::io("create a folder for the SIF to check", e))?;
        let name = format!("registry: SIF of `{}`", plan.image_name());
        checks.push(
            match pull_sif(client, &sif, &key, &dir.path().join("check.sif")).await? {
                Ok(pulled) => Check::pass(
                    name,
                    vec![format!(
                        "`{shown}`: {}, key matches, files {}",
                        pulled.digest, pulled.rootfs
                    )],
                ),
                Err(refusal) => Check::fail(name, vec![refusal.to_string()]),
            },
        );
    } else {
        absent.push(shown);
    }
    let mut details = vec![format!(
        "{} of {total} entries present in `{registry}`",
        total - absent.len()
    )];
    details.extend(absent.into_iter().map(|a| format!("absent: `{a}`")));
    checks.insert(0, Check::pass(format!("registry ({registry})"), details));
    Ok(checks)
}
