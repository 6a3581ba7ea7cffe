//! The image config a step's commit records.
//!
//! When the engine commits a container it starts from the config it is given and fills every
//! empty field from the *container's* config (and adds container `Env` entries the given one
//! lacks). A step container's config differs from its image's only in what envc sets to run
//! the step (the entrypoint), so every commit passes the parent image's `Env`, `Cmd`,
//! `Entrypoint`, `WorkingDir` and `User` explicitly; an empty parent entrypoint is passed as
//! `[]` (not absent), which the engine keeps instead of copying the step's. Image-config
//! steps change the config here, field by field, with the Dockerfile's semantics.

use std::collections::HashMap;

use crate::engine::models::{ContainerConfig, ImageConfig};
use crate::plan::step::ConfigStep;

/// The parent's config with `labels` added, for a step that changes only files.
pub fn unchanged(parent: &ImageConfig, labels: HashMap<String, String>) -> ContainerConfig {
    let mut all = parent.labels.clone().unwrap_or_default();
    all.extend(labels);
    ContainerConfig {
        env: Some(parent.env.clone().unwrap_or_default()),
        cmd: parent.cmd.clone(),
        entrypoint: Some(parent.entrypoint.clone().unwrap_or_default()),
        working_dir: Some(parent.working_dir.clone().unwrap_or_default()),
        user: Some(parent.user.clone().unwrap_or_default()),
        labels: Some(all),
        ..Default::default()
    }
}

/// The parent's config with an image-config step applied (env, labels, workdir,
/// entrypoint, cmd), plus `labels`.
pub fn configured(
    parent: &ImageConfig,
    step: &ConfigStep,
    labels: HashMap<String, String>,
) -> ContainerConfig {
    let mut config = unchanged(parent, HashMap::new());
    let env = config.env.get_or_insert_with(Vec::new);
    for (name, value) in &step.env {
        let entry = format!("{name}={value}");
        match env
            .iter_mut()
            .find(|e| e.split_once('=').map_or(e.as_str(), |(n, _)| n) == name)
        {
            Some(existing) => *existing = entry,
            None => env.push(entry),
        }
    }
    let all = config.labels.get_or_insert_with(HashMap::new);
    all.extend(step.labels.clone());
    all.extend(labels);
    if let Some(dir) = &step.workdir {
        config.working_dir = Some(dir.clone());
    }
    if let Some(entrypoint) = &step.entrypoint {
        config.entrypoint = Some(entrypoint.clone());
        // As in a Dockerfile: a new entrypoint drops the inherited command.
        config.cmd = None;
    }
    if let Some(cmd) = &step.cmd {
        config.cmd = Some(cmd.clone());
    }
    config
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn parent() -> ImageConfig {
        ImageConfig {
            env: Some(vec!["PATH=/bin".into(), "LANG=C".into()]),
            cmd: Some(vec!["bash".into()]),
            labels: Some(HashMap::from([("a".into(), "1".into())])),
            ..Default::default()
        }
    }

    #[test]
    fn file_steps_keep_the_parent_config_explicitly() {
        let config = unchanged(&parent(), HashMap::from([("k".into(), "v".into())]));
        assert_eq!(config.env, parent().env);
        assert_eq!(config.cmd, parent().cmd);
        assert_eq!(config.entrypoint, Some(vec![]));
        assert_eq!(config.working_dir.as_deref(), Some(""));
        let labels = config.labels.unwrap();
        assert_eq!(labels["a"], "1");
        assert_eq!(labels["k"], "v");
    }

    #[test]
    fn config_steps_follow_dockerfile_semantics() {
        let step = ConfigStep {
            env: BTreeMap::from([("LANG".into(), "C.UTF-8".into()), ("X".into(), "1".into())]),
            labels: BTreeMap::from([("b".into(), "2".into())]),
            workdir: Some("/work".into()),
            entrypoint: Some(vec!["/entry".into()]),
            cmd: None,
        };
        let config = configured(&parent(), &step, HashMap::new());
        assert_eq!(
            config.env.unwrap(),
            vec!["PATH=/bin", "LANG=C.UTF-8", "X=1"]
        );
        assert_eq!(config.cmd, None);
        assert_eq!(config.entrypoint, Some(vec!["/entry".to_owned()]));
        assert_eq!(config.working_dir.as_deref(), Some("/work"));
        assert_eq!(config.labels.unwrap()["b"], "2");
    }
}
