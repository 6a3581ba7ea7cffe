//! Installed = locked: `envc verify`'s check that the finished image holds exactly the
//! packages the lock pins.
//!
//! The lock pins the base by digest (so what the base contains is pinned with it) and the
//! apt and pip packages installed on it. Everything else in the image's dpkg database or
//! pip-installed Python metadata — a package a `run` step installed, upgraded or removed —
//! is an input the lock does not know, and a reviewer reading the SBOM would not see. Each
//! such package is named with the step that brought it in, found by reading the step
//! images in order.

use std::collections::BTreeMap;

use crate::engine::Engine;
use crate::lock::file::{BasePin, LockEntry};
use crate::plan::Plan;
use crate::plan::manifest::{image_tag, step_tag};
use crate::verify::Check;

use super::SupplyError;
use super::gather::python_of;
use super::installed::{self, Installed, Reading};

const NAME: &str = "installed = locked";

/// The check, or `None` when there is nothing to compare (no lock entry, or no image:
/// the key check reports that).
pub async fn check(
    engine: &Engine,
    plan: &Plan,
    entry: Option<&LockEntry>,
) -> Result<Option<Check>, SupplyError> {
    let Some(entry) = entry else {
        return Ok(None);
    };
    let Some(image) = engine
        .find_image(&image_tag(&plan.image_name(), &plan.key()))
        .await?
    else {
        return Ok(None);
    };
    let python = python_of(plan);
    let reading = Reading {
        python,
        licenses: false,
    };
    let found = installed::read(engine, &image.id, reading).await?;
    let base = match super::gather::base_image(engine, plan, entry).await? {
        Some(id) => read_step(engine, &id, python).await?,
        None => None,
    }
    .unwrap_or_default();
    let (deb, pip) = expected(entry, &base);
    let mut problems = compare("apt", &deb, &debs(&found));
    problems.extend(compare("pip", &pip, &pips(&found)));
    if problems.is_empty() {
        return Ok(Some(Check::pass(
            NAME,
            vec![format!(
                "{} Debian packages and {} Python distributions, each as locked",
                found.deb.len(),
                found.pip_installed().count()
            )],
        )));
    }
    let mut steps: Vec<(String, Installed)> = Vec::new();
    for step in plan.steps.iter().skip(1) {
        if let Some(seen) = read_step(engine, &step_tag(&step.key), python).await? {
            steps.push((format!("{} {}", step.index, step.label), seen));
        }
    }
    let details = problems
        .iter()
        .map(|p| p.describe(&steps))
        .collect::<Vec<_>>();
    Ok(Some(Check::fail(NAME, details)))
}

/// The image of one step, when it is still cached. A step before Python exists has no
/// distributions (its interpreter fails to start).
async fn read_step(
    engine: &Engine,
    reference: &str,
    python: Option<&str>,
) -> Result<Option<Installed>, SupplyError> {
    let Some(image) = engine.find_image(reference).await? else {
        return Ok(None);
    };
    let reading = Reading {
        python,
        licenses: false,
    };
    match installed::read(engine, &image.id, reading).await {
        Ok(found) => Ok(Some(found)),
        Err(SupplyError::Resolve(_)) => {
            let reading = Reading {
                python: None,
                licenses: false,
            };
            installed::read(engine, &image.id, reading).await.map(Some)
        }
        Err(e) => Err(e),
    }
}

type Versions = BTreeMap<String, String>;

fn debs(found: &Installed) -> Versions {
    found
        .deb
        .iter()
        .map(|(n, p)| (n.clone(), p.version.clone()))
        .collect()
}

fn pips(found: &Installed) -> Versions {
    found
        .pip_installed()
        .map(|(n, d)| (n.clone(), d.version.clone()))
        .collect()
}

/// What the lock says the image holds: the base's own packages (pinned with the base), with
/// the lock's apt and pip pins over them.
fn expected(entry: &LockEntry, base: &Installed) -> (Versions, Versions) {
    let mut deb = debs(base);
    if let Some(BasePin::Debootstrap { packages, .. }) = &entry.image.base {
        deb.extend(packages.clone());
    }
    deb.extend(entry.image.apt.clone());
    let mut pip = pips(base);
    pip.extend(
        entry
            .image
            .pip
            .iter()
            .map(|(n, p)| (n.clone(), p.version.clone())),
    );
    (deb, pip)
}

/// One package that is not as locked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Problem {
    ecosystem: &'static str,
    name: String,
    locked: Option<String>,
    found: Option<String>,
}

impl Problem {
    fn describe(&self, steps: &[(String, Installed)]) -> String {
        let what = format!("{} package `{}`", self.ecosystem, self.name);
        let by = self
            .step(steps)
            .map_or(String::new(), |s| format!(" (step {s})"));
        match (&self.locked, &self.found) {
            (None, Some(found)) => format!("{what} {found} is installed but not locked{by}"),
            (Some(locked), Some(found)) => {
                format!("{what} is {found}, locked at {locked}{by}")
            }
            (Some(locked), None) => format!("{what} {locked} is locked but not installed{by}"),
            (None, None) => what,
        }
    }

    /// The first step after which the package is as found (a missing package: none).
    fn step<'a>(&self, steps: &'a [(String, Installed)]) -> Option<&'a str> {
        self.found.as_ref()?;
        steps
            .iter()
            .find(|(_, seen)| {
                let versions = match self.ecosystem {
                    "apt" => debs(seen),
                    _ => pips(seen),
                };
                versions.get(&self.name) == self.found.as_ref()
            })
            .map(|(label, _)| label.as_str())
    }
}

fn compare(ecosystem: &'static str, locked: &Versions, found: &Versions) -> Vec<Problem> {
    let mut out = Vec::new();
    for (name, version) in found {
        if locked.get(name) != Some(version) {
            out.push(Problem {
                ecosystem,
                name: name.clone(),
                locked: locked.get(name).cloned(),
                found: Some(version.clone()),
            });
        }
    }
    for (name, version) in locked {
        if !found.contains_key(name) {
            out.push(Problem {
                ecosystem,
                name: name.clone(),
                locked: Some(version.clone()),
                found: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(pairs: &[(&str, &str)]) -> Versions {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unlocked_other_version_and_missing_are_each_named() {
        let locked = versions(&[("a", "1"), ("b", "2"), ("c", "3")]);
        let found = versions(&[("a", "1"), ("b", "2.1"), ("x", "9")]);
        let problems = compare("apt", &locked, &found);
        let lines: Vec<String> = problems.iter().map(|p| p.describe(&[])).collect();
        assert_eq!(
            lines,
            vec![
                "apt package `b` is 2.1, locked at 2",
                "apt package `x` 9 is installed but not locked",
                "apt package `c` 3 is locked but not installed",
            ]
        );
    }
}
