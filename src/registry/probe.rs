//! Which keys the registry has: one HEAD per manifest, all at once.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use oci_client::{Reference, RegistryOperation};

use super::client::RegistryClient;
use super::error::RegistryError;

/// The answer of a probe: per reference, the manifest digest when present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probed {
    pub found: Vec<Option<String>>,
    pub took: Duration,
}

impl Probed {
    /// How many references were found.
    pub fn hits(&self) -> usize {
        self.found.iter().filter(|f| f.is_some()).count()
    }
}

/// HEAD every reference concurrently (after one authentication, whose token they share).
pub async fn probe(
    client: &RegistryClient,
    references: &[Reference],
) -> Result<Probed, RegistryError> {
    let started = Instant::now();
    let Some(first) = references.first() else {
        return Ok(Probed {
            found: Vec::new(),
            took: started.elapsed(),
        });
    };
    client.authenticate(first, RegistryOperation::Pull).await?;
    let answers = join_all(references.iter().map(|r| client.head(r))).await;
    let found = answers.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(Probed {
        found,
        took: started.elapsed(),
    })
}
