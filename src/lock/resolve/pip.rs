//! pip requirements → exact versions and sha256 hashes for the target interpreter.
//!
//! Resolved inside a throwaway container of the pinned base with its own interpreter
//! (`pip install --dry-run --ignore-installed --report -`, pip ≥ 22.2), so markers,
//! wheels and platform tags are the target's, not the host's. The index's own hashes are
//! used; a file the index gives without a hash is downloaded and hashed here.
//!
//! When a CA bundle is given (TLS interception, a company proxy), it is bind-mounted
//! read-only and named by `SSL_CERT_FILE`, `PIP_CERT` and `REQUESTS_CA_BUNDLE` for this
//! container only.

use std::path::PathBuf;

use serde_json::Value;

use crate::engine::Engine;

use super::container::{resolver_spec, run_collect};
use super::{ResolveError, download::download_sha256};

/// Where the CA bundle appears inside the resolving container.
const CA_IN_CONTAINER: &str = "/run/envc/ca-certificates.crt";

/// A pinned Python distribution.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PipPackage {
    /// PEP 503 normalised name.
    pub name: String,
    pub version: String,
    /// `sha256:<hex>` of the file pip chose, in pip's `--hash` form.
    pub hashes: Vec<String>,
    /// The file pip chose.
    pub url: String,
}

/// Which package index to use (pip's defaults when empty).
#[derive(Debug, Clone, Default)]
pub struct PipIndex {
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub trusted_hosts: Vec<String>,
}

/// How to resolve.
#[derive(Debug, Clone)]
pub struct PipOptions {
    /// The target interpreter inside the image (`python3`, `/opt/venv/bin/python`).
    pub interpreter: String,
    pub index: PipIndex,
    /// A host CA bundle to trust for this resolution (absolute path).
    pub ca_bundle: Option<PathBuf>,
    /// More `NAME=value` env for the container only (proxies, for example).
    pub env: Vec<String>,
    /// Network to attach to (`None`: the engine's default bridge).
    pub network: Option<String>,
}

impl Default for PipOptions {
    fn default() -> Self {
        PipOptions {
            interpreter: "python3".into(),
            index: PipIndex::default(),
            ca_bundle: None,
            env: Vec::new(),
            network: None,
        }
    }
}

/// Resolve `requirements` (requirement specifiers) on `base_image`, sorted by name.
pub async fn pip_lock(
    engine: &Engine,
    base_image: &str,
    requirements: &[String],
    options: &PipOptions,
) -> Result<Vec<PipPackage>, ResolveError> {
    let mut cmd: Vec<String> = [
        options.interpreter.as_str(),
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--quiet",
        "--no-input",
        "--disable-pip-version-check",
        "--report",
        "-",
    ]
    .map(String::from)
    .into();
    cmd.extend(requirements.iter().cloned());
    let mut env = vec![
        // Nothing is installed; a distribution's "externally managed" marker does not apply.
        "PIP_BREAK_SYSTEM_PACKAGES=1".to_string(),
        "PIP_ROOT_USER_ACTION=ignore".to_string(),
        "PIP_NO_CACHE_DIR=1".to_string(),
    ];
    if let Some(url) = &options.index.index_url {
        env.push(format!("PIP_INDEX_URL={url}"));
    }
    if !options.index.extra_index_urls.is_empty() {
        env.push(format!(
            "PIP_EXTRA_INDEX_URL={}",
            options.index.extra_index_urls.join(" ")
        ));
    }
    if !options.index.trusted_hosts.is_empty() {
        env.push(format!(
            "PIP_TRUSTED_HOST={}",
            options.index.trusted_hosts.join(" ")
        ));
    }
    let mut binds = Vec::new();
    if let Some(bundle) = &options.ca_bundle {
        let bundle = std::fs::canonicalize(bundle).map_err(|source| ResolveError::Io {
            path: bundle.clone(),
            source,
        })?;
        binds.push(format!("{}:{CA_IN_CONTAINER}:ro", bundle.display()));
        for name in ["SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE"] {
            env.push(format!("{name}={CA_IN_CONTAINER}"));
        }
    }
    env.extend(options.env.iter().cloned());
    let spec = resolver_spec(base_image, cmd, env, binds, options.network.clone());
    let what = format!("resolving pip requirements `{}`", requirements.join(" "));
    let stdout = run_collect(engine, &spec, &what).await?;
    let resolved = parse_report(&stdout).map_err(|detail| ResolveError::Parse {
        what: what.clone(),
        detail,
    })?;
    let mut packages = Vec::with_capacity(resolved.len());
    for ReportEntry {
        name,
        version,
        url,
        sha256,
    } in resolved
    {
        let hash = match sha256 {
            Some(hash) => hash,
            None => download_sha256(&url).await?.sha256,
        };
        packages.push(PipPackage {
            name,
            version,
            hashes: vec![format!("sha256:{hash}")],
            url,
        });
    }
    packages.sort();
    Ok(packages)
}

/// One entry of pip's installation report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportEntry {
    /// PEP 503 normalised name.
    pub name: String,
    pub version: String,
    pub url: String,
    /// Hex sha256 when the index gave one.
    pub sha256: Option<String>,
}

/// Read pip's installation report (`pip install --dry-run --report`).
pub fn parse_report(report: &[u8]) -> Result<Vec<ReportEntry>, String> {
    let report: Value =
        serde_json::from_slice(report).map_err(|e| format!("not a JSON report: {e}"))?;
    let install = report
        .get("install")
        .and_then(Value::as_array)
        .ok_or("the report has no `install` list")?;
    install
        .iter()
        .map(|item| {
            let text = |path: &[&str]| {
                path.iter()
                    .try_fold(item, |v, key| v.get(key))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let name = text(&["metadata", "name"]).ok_or("an entry has no `metadata.name`")?;
            let version = text(&["metadata", "version"])
                .ok_or_else(|| format!("`{name}` has no `metadata.version`"))?;
            let url = text(&["download_info", "url"])
                .ok_or_else(|| format!("`{name}` has no `download_info.url`"))?;
            if item.pointer("/download_info/archive_info").is_none() {
                return Err(format!(
                    "`{name}` comes from `{url}`, a directory or VCS checkout, which has no hash to pin"
                ));
            }
            let hash = text(&["download_info", "archive_info", "hashes", "sha256"]).or_else(|| {
                text(&["download_info", "archive_info", "hash"])
                    .and_then(|h| h.strip_prefix("sha256=").map(str::to_string))
            });
            Ok(ReportEntry {
                name: normalize_name(&name),
                version,
                url,
                sha256: hash,
            })
        })
        .collect()
}

/// PEP 503 name normalisation: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !out.is_empty() {
                out.push('-');
            }
            separator = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_as_pep_503_says() {
        assert_eq!(
            normalize_name("Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(normalize_name("zope..interface"), "zope-interface");
        assert_eq!(normalize_name("six"), "six");
    }

    #[test]
    fn report_entries_give_versions_and_hashes() {
        let report = br#"{"version": "1", "install": [
            {"metadata": {"name": "Six", "version": "1.16.0"},
             "download_info": {"url": "https://files/six.whl",
                               "archive_info": {"hash": "sha256=aa", "hashes": {"sha256": "aa"}}}},
            {"metadata": {"name": "old", "version": "1"},
             "download_info": {"url": "https://files/old.tar.gz", "archive_info": {"hash": "sha256=bb"}}},
            {"metadata": {"name": "nohash", "version": "2"},
             "download_info": {"url": "https://files/nohash.whl", "archive_info": {}}}
        ]}"#;
        let entry = |name: &str, version: &str, url: &str, sha256: Option<&str>| ReportEntry {
            name: name.into(),
            version: version.into(),
            url: url.into(),
            sha256: sha256.map(str::to_string),
        };
        assert_eq!(
            parse_report(report).unwrap(),
            vec![
                entry("six", "1.16.0", "https://files/six.whl", Some("aa")),
                entry("old", "1", "https://files/old.tar.gz", Some("bb")),
                entry("nohash", "2", "https://files/nohash.whl", None),
            ]
        );
    }

    #[test]
    fn a_directory_requirement_cannot_be_pinned() {
        let report = br#"{"install": [{"metadata": {"name": "local", "version": "0.1"},
            "download_info": {"url": "file:///src", "dir_info": {}}}]}"#;
        let error = parse_report(report).unwrap_err();
        assert!(error.contains("no hash to pin"), "{error}");
    }
}
