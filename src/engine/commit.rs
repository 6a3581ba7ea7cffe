//! Committing a container as an image: how every build step's result is recorded.
//!
//! The engine builds the new image's config by applying `changes` to `config` and then
//! merging in the *container's* config: empty fields are filled from it (`Cmd`,
//! `Entrypoint` unless given, even as `[]`, `WorkingDir`, `User`, …), labels and exposed
//! ports are unioned, and every container `Env` entry whose name `config.env` does not set
//! is appended. The history's "created by" is the container's `Cmd`. So build-only values
//! (a CA bundle path, proxies, secrets) must never be container env or command-line
//! arguments: give them to the step through exec env or a bind-mounted file, and pass the
//! image's intended `Env`, `Cmd` and `Entrypoint` here.

use std::collections::HashMap;

use bollard::models::ContainerConfig;
use bollard::query_parameters::CommitContainerOptions;

use super::image::split_reference;
use super::{Engine, EngineError};

/// What to commit a container as.
#[derive(Debug, Clone, Default)]
pub struct CommitSpec {
    /// `repo:tag` to tag the result with, if any.
    pub reference: Option<String>,
    /// Dockerfile instructions applied to the config (`ENV`, `WORKDIR`, `ENTRYPOINT`, …).
    pub changes: Vec<String>,
    /// Labels added to the image (merged over the container's labels).
    pub labels: HashMap<String, String>,
    /// The image config; fields left empty are filled from the container's config.
    pub config: ContainerConfig,
    /// Recorded in the image history.
    pub comment: Option<String>,
}

impl Engine {
    /// Commit container `id` and return the new image's ID.
    pub async fn commit(&self, id: &str, spec: &CommitSpec) -> Result<String, EngineError> {
        let (repo, tag) = match &spec.reference {
            Some(reference) => {
                let (repo, tag) = split_reference(reference);
                (
                    Some(repo.to_string()),
                    Some(tag.unwrap_or("latest").to_string()),
                )
            }
            None => (None, None),
        };
        let mut config = spec.config.clone();
        let mut changes = spec.changes.clone();
        if !spec.labels.is_empty() {
            config
                .labels
                .get_or_insert_with(HashMap::new)
                .extend(spec.labels.clone());
            // Podman's compatible API ignores the config's labels on commit but applies
            // `LABEL` changes; Docker applies both. Sorted, so the request is stable.
            let mut labels: Vec<_> = spec.labels.iter().collect();
            labels.sort();
            changes.extend(labels.into_iter().filter_map(|(k, v)| label_change(k, v)));
        }
        let options = CommitContainerOptions {
            container: Some(id.to_string()),
            repo,
            tag,
            comment: spec.comment.clone(),
            author: None,
            // The container has stopped; pausing a stopped container is an error on some engines.
            pause: false,
            changes: (!changes.is_empty()).then(|| changes.join("\n")),
        };
        let committed = self
            .docker_long()
            .commit_container(options, config)
            .await
            .map_err(|e| {
                self.fail_lookup("container", id, format!("commit container `{id}`"), e)
            })?;
        Ok(committed.id)
    }
}

/// `LABEL "key"="value"`, quoted as in envc's Dockerfiles (`crate::escape::dockerfile`). A
/// label with a line break or another control character cannot be written as a change; it
/// is set through the config only.
fn label_change(key: &str, value: &str) -> Option<String> {
    use crate::escape::dockerfile::quoted;
    let key = quoted("the label key", key).ok()?;
    let value = quoted("the label value", value).ok()?;
    Some(format!("LABEL {key}={value}"))
}

#[cfg(test)]
mod tests {
    use super::label_change;

    #[test]
    fn label_changes_are_quoted_for_the_dockerfile_parser() {
        assert_eq!(
            label_change("dev.envc.key", "abc").as_deref(),
            Some(r#"LABEL "dev.envc.key"="abc""#)
        );
        assert_eq!(
            label_change("k", r#"a "b" $HOME \ c"#).as_deref(),
            Some(r#"LABEL "k"="a \"b\" \$HOME \\ c""#)
        );
        assert_eq!(label_change("k", "two\nlines"), None);
    }
}
