//! The Docker side of the content-addressed cache: how step images are named and found.
//!
//! Every step result is an image tagged `envc/step:<full key>` (the scheme of
//! [`crate::plan::manifest::step_tag`], which emitted Dockerfiles start from) and labelled
//! `dev.envc.key=<key>`. A tag alone is not trusted: anyone can tag an image, so a cache
//! entry counts only when the image also carries the key label. Images tagged
//! `envc/<name>[-<variant>]:<short key>` are the finished images people use.

use std::collections::HashMap;

use crate::engine::{Engine, EngineError, ImageInfo};
use crate::plan::Key;
pub use crate::plan::manifest::{image_tag, step_tag};

/// The label holding a step image's key.
pub const KEY_LABEL: &str = "dev.envc.key";
/// The label holding the parent step's key.
pub const PARENT_LABEL: &str = "dev.envc.parent";
/// The label holding the step kind (`base`, `apt`, `pip`, `file`, `run`, `config`).
pub const KIND_LABEL: &str = "dev.envc.step";
/// The repository of step images.
pub const STEP_REPOSITORY: &str = "envc/step";

/// Where a build tags its images: envc's cache (`envc/step:<key>`, `envc/<name>:<short>`),
/// or an isolated namespace (`<ns>/step:<key>`, `<ns>/<name>:<short>`) that shares nothing
/// with it but the base — what `envc verify --rebuild` builds in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags {
    namespace: Option<String>,
}

impl Tags {
    /// Tags under the repository prefix `namespace` (a valid repository path component,
    /// such as `envc-verify-1234`).
    pub fn isolated(namespace: &str) -> Tags {
        Tags {
            namespace: Some(namespace.to_owned()),
        }
    }

    /// The tag of the step image of `key`.
    pub fn step(&self, key: &Key) -> String {
        match &self.namespace {
            None => step_tag(key),
            Some(ns) => format!("{ns}/step:{}", key.hex()),
        }
    }

    /// The tag of the finished image `image_name` (`envc/<name>`) of `key`.
    pub fn image(&self, image_name: &str, key: &Key) -> String {
        match &self.namespace {
            None => image_tag(image_name, key),
            Some(ns) => {
                let name = image_name.strip_prefix("envc/").unwrap_or(image_name);
                image_tag(&format!("{ns}/{name}"), key)
            }
        }
    }
}

/// The cached image of `key` in envc's cache, if one exists with a matching label.
pub async fn lookup(engine: &Engine, key: &Key) -> Result<Option<ImageInfo>, EngineError> {
    lookup_in(engine, &Tags::default(), key).await
}

/// The image of `key` under `tags`, if one exists with a matching label.
pub async fn lookup_in(
    engine: &Engine,
    tags: &Tags,
    key: &Key,
) -> Result<Option<ImageInfo>, EngineError> {
    let found = engine.find_image(&tags.step(key)).await?;
    Ok(found.filter(|image| labels_match(&image.labels, key)))
}

/// Whether `labels` claim `key`.
pub fn labels_match(labels: &HashMap<String, String>, key: &Key) -> bool {
    labels.get(KEY_LABEL).is_some_and(|v| *v == key.hex())
}

/// The labels envc puts on the image of a step.
pub fn step_labels(key: &Key, parent: Option<&Key>, kind: &str) -> HashMap<String, String> {
    let mut labels = HashMap::from([
        (KEY_LABEL.to_owned(), key.hex()),
        (KIND_LABEL.to_owned(), kind.to_owned()),
    ]);
    if let Some(parent) = parent {
        labels.insert(PARENT_LABEL.to_owned(), parent.hex());
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_matching_label_makes_a_cache_entry() {
        let key = Key([3; 32]);
        let labels = step_labels(&key, None, "run");
        assert!(labels_match(&labels, &key));
        assert!(!labels_match(&labels, &Key([4; 32])));
        assert!(!labels_match(&HashMap::new(), &key));
        assert_eq!(step_tag(&key), format!("envc/step:{}", key.hex()));
    }

    #[test]
    fn an_isolated_namespace_shares_no_tag_with_the_cache() {
        let key = Key([5; 32]);
        let (cache, isolated) = (Tags::default(), Tags::isolated("envc-verify-7"));
        assert_eq!(cache.step(&key), step_tag(&key));
        assert_eq!(cache.image("envc/demo", &key), image_tag("envc/demo", &key));
        assert_eq!(
            isolated.step(&key),
            format!("envc-verify-7/step:{}", key.hex())
        );
        assert_eq!(
            isolated.image("envc/demo", &key),
            format!("envc-verify-7/demo:{}", key.short())
        );
    }
}
