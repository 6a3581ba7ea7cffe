//! The host's download cache: `<XDG cache>/envc/downloads/<sha256 hex>`, one file per
//! content, shared by every project and build.
//!
//! A download step's file is fetched by the host (build containers may have no network
//! tools, and the step's container is never started), once: a pinned file already in the
//! cache is used without touching the network. A fetch streams into a temporary file in the
//! cache folder while hashing, and only a body whose hash is the pinned one is renamed to
//! its name, so the cache holds nothing half-written and nothing that is not what its name
//! says. Unpinned downloads are fetched on every build (there is no name to look up) and
//! stored under the hash they turned out to have.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::content::Digest;
use crate::lock::resolve::{ResolveError, download_into};

use super::error::BuildError;

/// The folder of cached downloads.
pub fn download_dir() -> PathBuf {
    crate::cache_dir::envc_cache("downloads")
}

/// A file in the cache and the digest it is stored under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cached {
    pub path: PathBuf,
    pub sha256: Digest,
}

/// The cached file of `url`, fetched first when `sha256` is unknown or not in `dir` yet.
pub async fn fetch(dir: &Path, url: &str, sha256: Option<&Digest>) -> Result<Cached, BuildError> {
    if let Some(sha256) = sha256 {
        let path = dir.join(sha256.hex());
        if path.is_file() {
            tracing::debug!(%url, path = %path.display(), "download cache hit");
            return Ok(Cached {
                path,
                sha256: *sha256,
            });
        }
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| BuildError::io(format!("create `{}`", dir.display()), e))?;
    // In the cache folder, so that the rename below stays on one file system.
    let temp = tempfile::NamedTempFile::with_prefix_in(".fetch-", dir)
        .map_err(|e| BuildError::io(format!("create a file in `{}`", dir.display()), e))?;
    tracing::info!(%url, "downloading");
    let download = {
        let mut writer = BufWriter::new(temp.as_file());
        let download = download_into(url, &mut writer, temp.path())
            .await
            .map_err(|e| BuildError::Download(Box::new(e)))?;
        writer.into_inner().map_err(|e| {
            BuildError::Download(Box::new(ResolveError::Write {
                path: temp.path().to_path_buf(),
                source: e.into_error(),
            }))
        })?;
        download
    };
    let found: Digest = format!("sha256:{}", download.sha256).parse().map_err(
        |e: crate::content::digest::ParseDigestError| {
            BuildError::io("hash a download", std::io::Error::other(e))
        },
    )?;
    if let Some(expected) = sha256
        && *expected != found
    {
        // `temp` is removed when dropped: nothing of the wrong file stays in the cache.
        return Err(BuildError::DownloadMismatch {
            url: url.to_owned(),
            expected: expected.to_string(),
            found: found.to_string(),
        });
    }
    temp.as_file()
        .sync_all()
        .map_err(|e| BuildError::io(format!("write `{}`", temp.path().display()), e))?;
    let path = dir.join(found.hex());
    temp.persist(&path)
        .map_err(|e| BuildError::io(format!("write `{}`", path.display()), e.error))?;
    Ok(Cached {
        path,
        sha256: found,
    })
}
