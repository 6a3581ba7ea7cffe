//! Named volumes: build caches (apt archives, pip caches) and an environment's data volumes.

use std::collections::HashMap;

use bollard::models::VolumeCreateRequest;
use bollard::query_parameters::{ListVolumesOptionsBuilder, RemoveVolumeOptionsBuilder};

use super::{Engine, EngineError};

/// A volume to create.
#[derive(Debug, Clone, Default)]
pub struct VolumeSpec {
    pub name: String,
    pub labels: HashMap<String, String>,
}

impl Engine {
    /// Create the volume if missing (creating an existing volume is a no-op in the engine).
    pub async fn ensure_volume(&self, spec: &VolumeSpec) -> Result<(), EngineError> {
        let request = VolumeCreateRequest {
            name: Some(spec.name.clone()),
            labels: Some(spec.labels.clone()),
            ..Default::default()
        };
        self.docker
            .create_volume(request)
            .await
            .map(|_| ())
            .map_err(|e| self.fail(format!("create volume `{}`", spec.name), e))
    }

    /// Whether the volume exists.
    pub async fn volume_exists(&self, name: &str) -> Result<bool, EngineError> {
        match self.docker.inspect_volume(name).await {
            Ok(_) => Ok(true),
            Err(e) if super::error::is_not_found(&e) => Ok(false),
            Err(e) => Err(self.fail(format!("inspect volume `{name}`"), e)),
        }
    }

    /// Remove a volume; one that does not exist is not an error.
    pub async fn remove_volume(&self, name: &str) -> Result<(), EngineError> {
        let options = RemoveVolumeOptionsBuilder::new().force(false).build();
        match self.docker.remove_volume(name, Some(options)).await {
            Ok(()) => Ok(()),
            Err(e) if super::error::is_not_found(&e) => Ok(()),
            Err(e) => Err(self.fail(format!("remove volume `{name}`"), e)),
        }
    }

    /// Names of the containers (running or not) that mount volume `name`.
    pub async fn containers_using_volume(&self, name: &str) -> Result<Vec<String>, EngineError> {
        let containers = self.list_containers_where("volume", name, true).await?;
        Ok(containers
            .into_iter()
            .map(|c| {
                c.names
                    .and_then(|n| n.into_iter().next())
                    .map(|n| n.trim_start_matches('/').to_owned())
                    .or(c.id)
                    .unwrap_or_default()
            })
            .collect())
    }

    /// Names of volumes carrying label `key=value`.
    pub async fn list_volumes_by_label(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Vec<String>, EngineError> {
        let filter = format!("{key}={value}");
        let filters = HashMap::from([("label", vec![filter.as_str()])]);
        let options = ListVolumesOptionsBuilder::new().filters(&filters).build();
        let volumes = self
            .docker
            .list_volumes(Some(options))
            .await
            .map_err(|e| self.fail(format!("list volumes with label `{filter}`"), e))?;
        Ok(volumes
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.name)
            .collect())
    }
}
