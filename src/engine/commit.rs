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
        let options = CommitContainerOptions {
            container: Some(id.to_string()),
            repo,
            tag,
            comment: spec.comment.clone(),
            author: None,
            // The container has stopped; pausing a stopped container is an error on some engines.
            pause: false,
            changes: (!spec.changes.is_empty()).then(|| spec.changes.join("\n")),
        };
        let mut config = spec.config.clone();
        if !spec.labels.is_empty() {
            config
                .labels
                .get_or_insert_with(HashMap::new)
                .extend(spec.labels.clone());
        }
        let committed = self
            .docker
            .commit_container(options, config)
            .await
            .map_err(|e| {
                self.fail_lookup("container", id, format!("commit container `{id}`"), e)
            })?;
        Ok(committed.id)
    }
}
