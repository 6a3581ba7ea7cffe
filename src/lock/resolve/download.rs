//! A URL → the SHA-256 of what it serves, streamed (never held in memory).
//!
//! Uses the host's certificate store and proxy variables, as any other host tool would.
//! [`download_into`] also writes the body out while hashing it, for the build's download
//! cache: one fetch both stores the file and proves what it is.

use std::io::Write;

use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::ResolveError;

/// What a download hashed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// Lowercase hex.
    pub sha256: String,
    pub size: u64,
}

/// Fetch `url` and hash its body.
pub async fn download_sha256(url: &str) -> Result<Download, ResolveError> {
    download_into(url, &mut std::io::sink(), &std::path::PathBuf::new()).await
}

/// Fetch `url`, writing its body to `sink` (named `shown` in errors) while hashing it.
pub async fn download_into(
    url: &str,
    sink: &mut dyn Write,
    shown: &std::path::Path,
) -> Result<Download, ResolveError> {
    let failed = |source| ResolveError::Download {
        url: url.to_string(),
        source,
    };
    let client = reqwest::Client::builder()
        .user_agent(concat!("envc/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(failed)?;
    let response = client.get(url).send().await.map_err(failed)?;
    if !response.status().is_success() {
        return Err(ResolveError::HttpStatus {
            url: url.to_string(),
            status: response.status().as_u16(),
        });
    }
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut body = response.bytes_stream();
    while let Some(chunk) = crate::engine::interrupt::race(async { Ok(body.next().await) }).await? {
        let chunk = chunk.map_err(failed)?;
        size += chunk.len() as u64;
        hasher.update(&chunk);
        sink.write_all(&chunk)
            .map_err(|source| ResolveError::Write {
                path: shown.to_path_buf(),
                source,
            })?;
    }
    Ok(Download {
        sha256: hex::encode(hasher.finalize()),
        size,
    })
}
