//! envc's registry client: the OCI distribution protocol through `oci-client`, with
//! envc's credentials, scheme rule and error kinds.
//!
//! It knows blobs, manifests and tags, nothing about keys or images, so that anything envc
//! stores beside an image (a SIF, an SBOM, a signature) goes through the same calls. Every
//! blob read is checked against its digest while it streams (the client's verifying
//! stream); a mismatch is an error, never data.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use oci_client::client::{ClientConfig, ClientProtocol, SizedStream};
use oci_client::errors::{DigestError, OciDistributionError, OciErrorCode};
use oci_client::manifest::OciDescriptor;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};

use sha2::Digest as _;

use super::auth;
use super::error::RegistryError;
use super::target::Registry;

/// How long a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the registry may stay silent in the middle of an answer.
const READ_TIMEOUT: Duration = Duration::from_secs(300);

/// Manifests envc reads: OCI image manifests and Docker's schema 2.
pub const IMAGE_MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// A connection to one registry.
pub struct RegistryClient {
    client: Client,
    auth: RegistryAuth,
    registry: Registry,
}

impl RegistryClient {
    /// A client for `registry` with the credentials `docker login` stored for its host.
    pub fn connect(registry: &Registry) -> Result<RegistryClient, RegistryError> {
        let auth = auth::for_host(registry.host())?;
        Ok(RegistryClient::with_auth(registry, auth))
    }

    /// A client for `registry` with explicit credentials.
    pub fn with_auth(registry: &Registry, auth: RegistryAuth) -> RegistryClient {
        // reqwest 0.13 (oci-client's) is built without a crypto provider; the process gets
        // rustls' ring provider once (a second call finds one installed and does nothing).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let protocol = if registry.plain_http() {
            ClientProtocol::HttpsExcept(vec![registry.host().to_owned()])
        } else {
            ClientProtocol::Https
        };
        let config = ClientConfig {
            protocol,
            // One PUT per blob with its length, streamed from disk (chunked uploads cost a
            // round trip per 4 MiB).
            use_monolithic_push: true,
            connect_timeout: Some(CONNECT_TIMEOUT),
            read_timeout: Some(READ_TIMEOUT),
            user_agent: concat!("envc/", env!("CARGO_PKG_VERSION")),
            ..Default::default()
        };
        RegistryClient {
            client: Client::new(config),
            auth,
            registry: registry.clone(),
        }
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Make sure a token for `operation` on `reference`'s repository is held, so that
    /// concurrent requests after this one do not each negotiate one.
    pub async fn authenticate(
        &self,
        reference: &Reference,
        operation: RegistryOperation,
    ) -> Result<(), RegistryError> {
        self.client
            .auth(reference, &self.auth, operation)
            .await
            .map(|_| ())
            .map_err(|e| self.fail("authenticate", reference, e))
    }

    /// The digest of the manifest `reference` names (a HEAD request), `None` when absent.
    pub async fn head(&self, reference: &Reference) -> Result<Option<String>, RegistryError> {
        match self
            .client
            .fetch_manifest_digest(reference, &self.auth)
            .await
        {
            Ok(digest) => Ok(Some(digest)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(self.fail("look up a manifest", reference, e)),
        }
    }

    /// The manifest `reference` names, as bytes with its digest; `None` when absent.
    pub async fn manifest(
        &self,
        reference: &Reference,
        accepted: &[&str],
    ) -> Result<Option<(Bytes, String)>, RegistryError> {
        match self
            .client
            .pull_manifest_raw(reference, &self.auth, accepted)
            .await
        {
            Ok(found) => Ok(Some(found)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(self.fail("send a manifest", reference, e)),
        }
    }

    /// A small blob (a config, a JSON document), at most `limit` bytes, digest checked.
    pub async fn blob_bytes(
        &self,
        reference: &Reference,
        descriptor: &OciDescriptor,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        if descriptor.size < 0 || descriptor.size as u64 > limit {
            return Err(RegistryError::Refused {
                reference: Registry::show(reference),
                reason: format!(
                    "its blob `{}` claims {} bytes, more than the {limit} envc reads",
                    descriptor.digest, descriptor.size
                ),
            });
        }
        let mut out = Vec::with_capacity(descriptor.size.max(0) as usize);
        let mut stream = self.blob_stream(reference, descriptor).await?;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.stream_failed(reference, descriptor, e))?;
            if (out.len() + chunk.len()) as u64 > limit {
                return Err(RegistryError::Refused {
                    reference: Registry::show(reference),
                    reason: format!("its blob `{}` is larger than it claims", descriptor.digest),
                });
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// A blob as a stream that fails at its end when the bytes do not match the digest.
    pub async fn blob_stream(
        &self,
        reference: &Reference,
        descriptor: &OciDescriptor,
    ) -> Result<SizedStream, RegistryError> {
        self.client
            .pull_blob_stream(reference, descriptor)
            .await
            .map_err(|e| self.fail("send a blob", reference, e))
    }

    /// What a failing blob stream means: a digest mismatch is a refusal (the registry holds
    /// something else than it says), anything else a transfer failure.
    pub fn stream_failed(
        &self,
        reference: &Reference,
        descriptor: &OciDescriptor,
        error: std::io::Error,
    ) -> RegistryError {
        let mismatch = error
            .get_ref()
            .is_some_and(|inner| inner.downcast_ref::<DigestError>().is_some());
        if mismatch {
            RegistryError::Refused {
                reference: Registry::show(reference),
                reason: format!(
                    "the blob `{}` does not match its digest ({error})",
                    descriptor.digest
                ),
            }
        } else {
            RegistryError::Unreachable {
                registry: self.registry.to_string(),
                source: Box::new(error),
            }
        }
    }

    /// Whether the repository of `reference` holds the blob `digest`.
    pub async fn has_blob(
        &self,
        reference: &Reference,
        digest: &str,
    ) -> Result<bool, RegistryError> {
        self.client
            .blob_exists(reference, digest)
            .await
            .map_err(|e| self.fail("look up a blob", reference, e))
    }

    /// Make the blob `digest` of `from`'s repository available in `to`'s without sending it;
    /// `false` when the registry declined (then upload it).
    pub async fn mount_blob(&self, to: &Reference, from: &Reference, digest: &str) -> bool {
        self.client.mount_blob(to, from, digest).await.is_ok()
    }

    /// Upload the file at `path` (`size` bytes, `digest`) to `reference`'s repository.
    pub async fn push_blob_file(
        &self,
        reference: &Reference,
        path: &Path,
        digest: &str,
        size: u64,
    ) -> Result<(), RegistryError> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| RegistryError::io(format!("read `{}`", path.display()), e))?;
        let stream = tokio_util::io::ReaderStream::with_capacity(file, 1 << 20)
            .map_err(OciDistributionError::IoError);
        self.push_blob_stream(reference, stream, digest, size).await
    }

    /// Upload `bytes` (whose digest is `digest`) to `reference`'s repository.
    pub async fn push_blob_bytes(
        &self,
        reference: &Reference,
        bytes: Bytes,
        digest: &str,
    ) -> Result<(), RegistryError> {
        let size = bytes.len() as u64;
        let stream = futures_util::stream::iter([Ok::<_, OciDistributionError>(bytes)]);
        self.push_blob_stream(reference, stream, digest, size).await
    }

    async fn push_blob_stream(
        &self,
        reference: &Reference,
        stream: impl Stream<Item = Result<Bytes, OciDistributionError>> + Send + 'static,
        digest: &str,
        size: u64,
    ) -> Result<(), RegistryError> {
        self.client
            .store_auth_if_needed(reference.resolve_registry(), &self.auth)
            .await;
        self.client
            .push_blob_stream(reference, stream, digest, Some(size))
            .await
            .map(|_| ())
            .map_err(|e| self.fail("accept a blob", reference, e))
    }

    /// Store `body` (of `media_type`) as the manifest `reference` names; returns its digest.
    pub async fn push_manifest(
        &self,
        reference: &Reference,
        body: Vec<u8>,
        media_type: &str,
    ) -> Result<String, RegistryError> {
        let digest = format!("sha256:{}", hex::encode(sha2::Sha256::digest(&body)));
        let content_type = media_type.parse().map_err(|e| RegistryError::Protocol {
            registry: self.registry.to_string(),
            action: "accept a manifest".into(),
            source: Box::new(e),
        })?;
        self.client
            .store_auth_if_needed(reference.resolve_registry(), &self.auth)
            .await;
        self.client
            .push_manifest_raw(reference, body, content_type)
            .await
            .map_err(|e| self.fail("accept a manifest", reference, e))?;
        Ok(digest)
    }

    /// An `oci-client` error as envc's kind of registry error.
    fn fail(
        &self,
        action: &str,
        reference: &Reference,
        error: OciDistributionError,
    ) -> RegistryError {
        let registry = self.registry.to_string();
        let unauthorized = || RegistryError::Unauthorized {
            registry: registry.clone(),
            host: self.registry.host().to_owned(),
            reference: Registry::show(reference),
        };
        match error {
            OciDistributionError::UnauthorizedError { .. }
            | OciDistributionError::AuthenticationFailure(_) => unauthorized(),
            OciDistributionError::ServerError { code: 401, .. } => unauthorized(),
            OciDistributionError::RegistryError { ref envelope, .. }
                if envelope.errors.iter().any(|e| {
                    matches!(e.code, OciErrorCode::Unauthorized | OciErrorCode::Denied)
                }) =>
            {
                unauthorized()
            }
            OciDistributionError::RequestError(e)
                if e.status().is_some_and(|s| s.as_u16() == 401) =>
            {
                unauthorized()
            }
            OciDistributionError::RequestError(e) if e.status().is_none() => {
                RegistryError::Unreachable {
                    registry,
                    source: Box::new(e),
                }
            }
            other => RegistryError::Protocol {
                registry,
                action: action.to_owned(),
                source: Box::new(other),
            },
        }
    }
}

/// Whether the registry said "no such manifest / blob / repository".
fn is_not_found(error: &OciDistributionError) -> bool {
    match error {
        OciDistributionError::ImageManifestNotFoundError(_) => true,
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                OciErrorCode::ManifestUnknown
                    | OciErrorCode::NameUnknown
                    | OciErrorCode::NotFound
                    | OciErrorCode::BlobUnknown
            )
        }),
        OciDistributionError::ServerError { code: 404, .. } => true,
        OciDistributionError::RequestError(e) => e.status().is_some_and(|s| s.as_u16() == 404),
        _ => false,
    }
}
