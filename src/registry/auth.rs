//! Registry credentials, from where `docker login` leaves them (`~/.docker/config.json`,
//! its `credHelpers` and `credsStore`), turned into what the OCI client sends.
//!
//! Credentials are held only in memory and never printed: [`oci_client::secrets::RegistryAuth`]
//! redacts them in its `Debug` output, and no message of envc includes them.

use oci_client::secrets::RegistryAuth;

use super::error::RegistryError;

/// The credentials for `host` (`ghcr.io`, `127.0.0.1:5000`), anonymous when none are stored.
pub fn for_host(host: &str) -> Result<RegistryAuth, RegistryError> {
    // Any reference on the host finds its entry; the path does not matter.
    let credentials =
        crate::engine::registry_credentials(&format!("{host}/envc")).map_err(|e| {
            RegistryError::Credentials {
                host: host.to_owned(),
                reason: e.to_string(),
            }
        })?;
    let Some(credentials) = credentials else {
        return Ok(RegistryAuth::Anonymous);
    };
    match (
        credentials.username,
        credentials.password,
        credentials.identitytoken,
    ) {
        (Some(user), Some(password), _) if !user.is_empty() => {
            Ok(RegistryAuth::Basic(user, password))
        }
        (_, _, Some(_)) => Err(RegistryError::Credentials {
            host: host.to_owned(),
            reason: "the stored login is an identity token, which envc cannot exchange yet; \
                     log in with a user name and a password or access token"
                .into(),
        }),
        _ => Ok(RegistryAuth::Anonymous),
    }
}
