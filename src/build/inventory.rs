//! envc's images in the engine: what `envc images` lists and `envc gc` removes.
//!
//! Every image envc commits carries the `dev.envc.key` label, so the inventory is one
//! label-filtered listing. An image is *current* when its key is a step of a current
//! config's plan; `gc` removes the others by their tags (the engine then deletes every image
//! that no tag and no child holds any more), newest first so that children go before their
//! parents.

use std::collections::{BTreeSet, HashMap};

use bollard::query_parameters::ListImagesOptionsBuilder;

use crate::engine::{Engine, EngineError};
use crate::plan::{Key, Plan, ServiceImage};

use super::cache::{KEY_LABEL, KIND_LABEL, PARENT_LABEL, STEP_REPOSITORY};

/// One image envc made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvcImage {
    pub id: String,
    pub key: Option<Key>,
    /// The key of the step this one was built on (`None` for a base).
    pub parent: Option<Key>,
    /// The step kind (`base`, `apt`, ..., `config`).
    pub kind: String,
    /// `repo:tag` names, sorted.
    pub tags: Vec<String>,
    /// Bytes on disk, shared layers included.
    pub size: i64,
    /// Seconds since the epoch.
    pub created: i64,
}

impl EnvcImage {
    /// The finished-image names (`envc/<name>:<short key>`), without step tags.
    pub fn names(&self) -> Vec<&str> {
        self.tags
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with(OWN_PREFIX) && !t.starts_with(&format!("{STEP_REPOSITORY}:")))
            .collect()
    }

    /// envc's own tags (`envc/...`), the only ones `gc` removes.
    pub fn own_tags(&self) -> Vec<&str> {
        self.tags
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with(OWN_PREFIX))
            .collect()
    }
}

/// The repository prefix of every tag envc gives.
pub const OWN_PREFIX: &str = "envc/";

/// Every image carrying envc's key label and an `envc/` tag, newest first.
///
/// The label alone does not make an image envc's: images built `FROM` an envc image (and the
/// layers `docker build` caches for an emitted Dockerfile) inherit it. Those are the user's,
/// and neither listed nor removed.
pub async fn list(engine: &Engine) -> Result<Vec<EnvcImage>, EngineError> {
    let filters = HashMap::from([("label", vec![KEY_LABEL])]);
    let options = ListImagesOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    let summaries = engine
        .docker()
        .list_images(Some(options))
        .await
        .map_err(|e| EngineError::Api {
            action: "list envc's images".into(),
            source: e,
        })?;
    let mut images: Vec<EnvcImage> = summaries
        .into_iter()
        .map(|s| {
            let mut tags: Vec<String> = s
                .repo_tags
                .into_iter()
                .filter(|t| t != "<none>:<none>")
                .collect();
            tags.sort();
            EnvcImage {
                id: s.id,
                key: s.labels.get(KEY_LABEL).and_then(|k| k.parse().ok()),
                parent: s.labels.get(PARENT_LABEL).and_then(|k| k.parse().ok()),
                kind: s.labels.get(KIND_LABEL).cloned().unwrap_or_default(),
                tags,
                size: s.size,
                created: s.created,
            }
        })
        .filter(|image: &EnvcImage| !image.own_tags().is_empty())
        .collect();
    images.sort_by(|a, b| b.created.cmp(&a.created).then(a.id.cmp(&b.id)));
    Ok(images)
}

/// Every key of a plan: its steps and its built services' steps.
pub fn plan_keys(plan: &Plan) -> BTreeSet<Key> {
    let mut keys: BTreeSet<Key> = plan.steps.iter().map(|s| s.key).collect();
    for service in plan.services.values() {
        if let ServiceImage::Build { steps } = service {
            keys.extend(steps.iter().map(|s| s.key));
        }
    }
    keys
}

/// What `gc` would remove: images whose key no current plan has, except the `keep` newest
/// finished images among them.
pub fn unreachable<'a>(
    images: &'a [EnvcImage],
    current: &BTreeSet<Key>,
    keep: usize,
) -> Vec<&'a EnvcImage> {
    let mut kept = 0;
    let mut out = Vec::new();
    for image in images {
        if image.key.is_some_and(|k| current.contains(&k)) {
            continue;
        }
        if !image.names().is_empty() && kept < keep {
            kept += 1;
            continue;
        }
        out.push(image);
    }
    out
}

/// Remove envc's tags of `image`. The engine deletes the image with its last tag (other tags
/// the user gave it keep it); an image that children still use stays, untagged, until they go.
pub async fn remove(engine: &Engine, image: &EnvcImage) -> Result<(), EngineError> {
    for tag in image.own_tags() {
        engine.remove_image(tag, false).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(key: u8, tags: &[&str], created: i64) -> EnvcImage {
        EnvcImage {
            id: format!("sha256:{key}"),
            key: Some(Key([key; 32])),
            parent: None,
            kind: "run".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            size: 1,
            created,
        }
    }

    #[test]
    fn gc_spares_current_keys_and_the_newest_finished_images() {
        let images = vec![
            image(1, &["envc/step:1", "envc/demo:1"], 30),
            image(2, &["envc/step:2", "envc/demo:2"], 20),
            image(3, &["envc/step:3"], 10),
            image(4, &["envc/step:4", "envc/demo:4", "mine:1"], 5),
        ];
        assert_eq!(images[3].names(), vec!["envc/demo:4"]);
        assert_eq!(images[3].own_tags(), vec!["envc/step:4", "envc/demo:4"]);
        let current = BTreeSet::from([Key([1; 32])]);
        let removed: Vec<&str> = unreachable(&images, &current, 1)
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(removed, vec!["sha256:3", "sha256:4"]);
        assert_eq!(unreachable(&images, &current, 0).len(), 3);
    }
}
