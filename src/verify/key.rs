//! Key integrity: the cached images of the current plan carry the keys recomputation gives,
//! and older images of the same environment are named stale, with the step that changed.
//!
//! The executor records no canonical step payloads, only each step's key and its parent's
//! (`dev.envc.key`, `dev.envc.parent`), so staleness is explained by the first step of the
//! current plan whose key is not in the old image's chain: that step's own inputs (or, for
//! the base, the base) changed, and every later key changed only because it follows it.

use std::collections::BTreeSet;

use crate::build::cache::{KEY_LABEL, PARENT_LABEL, image_tag, step_tag};
use crate::engine::{Engine, EngineError, ImageInfo};
use crate::plan::{Key, Plan};

use super::Check;

/// The key integrity check of `plan`.
pub async fn check(engine: &Engine, plan: &Plan) -> Result<Check, EngineError> {
    let name = "key integrity";
    let key = plan.key();
    let mut problems = Vec::new();
    let mut details = Vec::new();
    let reference = image_tag(&plan.image_name(), &key);
    match engine.find_image(&reference).await? {
        None => problems.push(format!(
            "`{reference}` is not built: run `envc build` (nothing to verify)"
        )),
        Some(image) => match image.labels.get(KEY_LABEL) {
            Some(found) if *found == key.hex() => {
                details.push(format!("`{reference}` carries key {}", key.short()))
            }
            Some(found) => problems.push(format!(
                "`{reference}` carries key `{found}` but its inputs give `{}`",
                key.hex()
            )),
            None => problems.push(format!("`{reference}` has no `{KEY_LABEL}` label")),
        },
    }
    for step in &plan.steps {
        let tag = step_tag(&step.key);
        if let Some(image) = engine.find_image(&tag).await?
            && image.labels.get(KEY_LABEL) != Some(&step.key.hex())
        {
            problems.push(format!(
                "step {} `{}`: `{tag}` carries key `{}` instead",
                step.index + 1,
                step.label,
                image.labels.get(KEY_LABEL).map_or("(none)", String::as_str)
            ));
        }
    }
    for line in stale(engine, plan).await? {
        details.push(line);
    }
    Ok(if problems.is_empty() {
        Check::pass(name, details)
    } else {
        problems.extend(details);
        Check::fail(name, problems)
    })
}

/// One line per older image of this environment (same image name, other key), naming the
/// first step whose inputs changed since it was built.
pub async fn stale(engine: &Engine, plan: &Plan) -> Result<Vec<String>, EngineError> {
    let repository = format!("{}:", plan.image_name());
    let key = plan.key();
    let mut lines = Vec::new();
    for image in engine.list_images_by_label(KEY_LABEL, None).await? {
        let Some(tag) = image.repo_tags.iter().find(|t| t.starts_with(&repository)) else {
            continue;
        };
        let Some(old_key) = image.labels.get(KEY_LABEL) else {
            continue;
        };
        if *old_key == key.hex() {
            continue;
        }
        let chain = old_chain(engine, &image).await?;
        let changed = plan.steps.iter().find(|s| !chain.contains(&s.key.hex()));
        let why = match changed {
            Some(step) => format!(
                "the inputs of step {} `{}` ({}) changed",
                step.index + 1,
                step.label,
                step.kind.name()
            ),
            None => "it has steps the current plan does not".to_owned(),
        };
        lines.push(format!("stale: `{tag}` (key {}): {why}", short(old_key)));
    }
    lines.sort();
    Ok(lines)
}

/// The keys of an image's chain: its own, and its parents' as far as their step images
/// (or, for the first one missing, the parent label naming it) can be followed.
async fn old_chain(engine: &Engine, image: &ImageInfo) -> Result<BTreeSet<String>, EngineError> {
    let mut keys = BTreeSet::new();
    let mut labels = image.labels.clone();
    // Bounded by the number of distinct keys seen, so a label cycle cannot loop forever.
    let mut visited = BTreeSet::new();
    while let Some(key) = labels.get(KEY_LABEL).cloned() {
        if !visited.insert(key.clone()) {
            break;
        }
        keys.insert(key);
        let Some(parent) = labels.get(PARENT_LABEL).cloned() else {
            break;
        };
        keys.insert(parent.clone());
        let Ok(parent_key) = parent.parse::<Key>() else {
            break;
        };
        match engine.find_image(&step_tag(&parent_key)).await? {
            Some(found) if found.labels.get(KEY_LABEL) == Some(&parent) => labels = found.labels,
            _ => break,
        }
    }
    Ok(keys)
}

fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}
