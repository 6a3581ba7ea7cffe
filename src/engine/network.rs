//! Networks: the private network an environment's services share.

use std::collections::HashMap;

use bollard::models::NetworkCreateRequest;
use bollard::query_parameters::ListNetworksOptionsBuilder;

use super::{Engine, EngineError};

/// A network to create.
#[derive(Debug, Clone, Default)]
pub struct NetworkSpec {
    pub name: String,
    /// `bridge` when `None`.
    pub driver: Option<String>,
    /// No route to the outside world.
    pub internal: bool,
    pub labels: HashMap<String, String>,
}

impl Engine {
    /// Create the network unless one with this name exists; return its ID.
    pub async fn ensure_network(&self, spec: &NetworkSpec) -> Result<String, EngineError> {
        if let Some(id) = self.network_id(&spec.name).await? {
            return Ok(id);
        }
        let request = NetworkCreateRequest {
            name: spec.name.clone(),
            driver: Some(spec.driver.clone().unwrap_or_else(|| "bridge".into())),
            internal: Some(spec.internal),
            labels: Some(spec.labels.clone()),
            ..Default::default()
        };
        let created = self
            .docker
            .create_network(request)
            .await
            .map_err(|e| self.fail(format!("create network `{}`", spec.name), e))?;
        Ok(created.id)
    }

    /// The ID of the network named exactly `name`, if it exists.
    pub async fn network_id(&self, name: &str) -> Result<Option<String>, EngineError> {
        match self.docker.inspect_network(name, None).await {
            // Inspect also matches ID prefixes; only an exact name counts.
            Ok(network) if network.name.as_deref() == Some(name) => Ok(network.id),
            Ok(_) => Ok(None),
            Err(e) if super::error::is_not_found(&e) => Ok(None),
            Err(e) => Err(self.fail(format!("inspect network `{name}`"), e)),
        }
    }

    /// Remove a network; one that does not exist is not an error.
    pub async fn remove_network(&self, name: &str) -> Result<(), EngineError> {
        match self.docker.remove_network(name).await {
            Ok(()) => Ok(()),
            Err(e) if super::error::is_not_found(&e) => Ok(()),
            Err(e) => Err(self.fail(format!("remove network `{name}`"), e)),
        }
    }

    /// Names of networks carrying label `key=value`.
    pub async fn list_networks_by_label(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Vec<String>, EngineError> {
        let filter = format!("{key}={value}");
        let filters = HashMap::from([("label", vec![filter.as_str()])]);
        let options = ListNetworksOptionsBuilder::new().filters(&filters).build();
        let networks = self
            .docker
            .list_networks(Some(options))
            .await
            .map_err(|e| self.fail(format!("list networks with label `{filter}`"), e))?;
        Ok(networks.into_iter().filter_map(|n| n.name).collect())
    }
}
