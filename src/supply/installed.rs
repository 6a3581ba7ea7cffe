//! What is really installed in a built image: the dpkg database, the packages' copyright
//! files, and the Python distributions, read from the engine without running the image's
//! own entrypoint.
//!
//! The SBOM takes licenses from here, and `envc verify` compares it with the lock. dpkg's
//! status and the copyright files are copied out of a created (never started) container;
//! Python's metadata needs the image's interpreter, which runs `importlib.metadata` with no
//! network. A package name in the image is untrusted: it only ever becomes data (purl and
//! SPDX IDs are escaped in [`crate::escape::purl`]).

use std::collections::BTreeMap;
use std::io::Read;

use serde::Deserialize;

use crate::engine::{ContainerSpec, Engine};
use crate::lock::resolve::normalize_name;

use super::SupplyError;
use super::license::{License, from_dep5, from_python_metadata};

/// The most bytes of `/usr/share/doc` read for licenses.
const DOC_LIMIT: usize = 256 << 20;

/// An installed Debian package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebPackage {
    pub version: String,
    pub arch: String,
    pub maintainer: Option<String>,
    pub license: Option<License>,
}

/// An installed Python distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyDist {
    pub version: String,
    /// Where its metadata lives (site-packages folder).
    pub location: String,
    pub license: Option<License>,
}

/// The packages of one image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Installed {
    /// Debian packages by name.
    pub deb: BTreeMap<String, DebPackage>,
    /// Python distributions by normalised name (PEP 503).
    pub pip: BTreeMap<String, PyDist>,
}

impl Installed {
    /// Python distributions that pip installed: not those Debian packages ship (dpkg already
    /// accounts for them) under `/usr/lib/python3*`.
    pub fn pip_installed(&self) -> impl Iterator<Item = (&String, &PyDist)> {
        self.pip
            .iter()
            .filter(|(_, d)| !d.location.starts_with("/usr/lib/python3"))
    }
}

/// What to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reading<'a> {
    /// The interpreter to ask for Python distributions (`None`: none are read).
    pub python: Option<&'a str>,
    /// Also read licenses from the copyright files.
    pub licenses: bool,
}

/// Read the packages of `image`.
pub async fn read(
    engine: &Engine,
    image: &str,
    reading: Reading<'_>,
) -> Result<Installed, SupplyError> {
    let container = engine
        .create_container(&ContainerSpec {
            image: image.to_owned(),
            entrypoint: Some(vec!["/envc-never-started".into()]),
            ..Default::default()
        })
        .await?;
    let status = engine
        .read_container_file(container.id(), "/var/lib/dpkg/status")
        .await;
    let docs = match (reading.licenses, &status) {
        (true, Ok(Some(_))) => {
            engine
                .read_container_tree(container.id(), "/usr/share/doc", DOC_LIMIT)
                .await
        }
        _ => Ok(None),
    };
    container.remove().await?;
    let mut deb = parse_dpkg_status(&String::from_utf8_lossy(&status?.unwrap_or_default()));
    if let Some(tar) = docs? {
        let licenses = copyright_licenses(&tar)?;
        for (name, package) in &mut deb {
            package.license = licenses.get(name).cloned();
        }
    }
    let pip = match reading.python {
        Some(python) => python_distributions(engine, image, python).await?,
        None => BTreeMap::new(),
    };
    Ok(Installed { deb, pip })
}

/// The installed packages in dpkg's status file.
pub fn parse_dpkg_status(status: &str) -> BTreeMap<String, DebPackage> {
    crate::lock::resolve::dpkg_status::installed(status)
        .filter_map(|p| {
            let package = DebPackage {
                version: p.field("Version:")?,
                arch: p.field("Architecture:").unwrap_or_default(),
                maintainer: p.field("Maintainer:"),
                license: None,
            };
            Some((p.field("Package:")?, package))
        })
        .collect()
}

/// Licenses by package from a tar of `/usr/share/doc` (`doc/PKG/copyright`). A package
/// folder that is a link to another package's (Debian's doc-link convention) gets that
/// package's license.
fn copyright_licenses(tar: &[u8]) -> Result<BTreeMap<String, License>, SupplyError> {
    let parse = |e: std::io::Error| SupplyError::Parse {
        what: "the copyright files of the image".into(),
        detail: e.to_string(),
    };
    let mut licenses = BTreeMap::new();
    let mut links = BTreeMap::new();
    let mut archive = tar::Archive::new(tar);
    for entry in archive.entries().map_err(parse)? {
        let mut entry = entry.map_err(parse)?;
        let path = entry.path().map_err(parse)?.to_string_lossy().into_owned();
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let kind = entry.header().entry_type();
        match parts.as_slice() {
            ["doc", package] if kind.is_symlink() => {
                if let Some(target) = entry.link_name().map_err(parse)? {
                    let target = target.to_string_lossy().trim_end_matches('/').to_owned();
                    if !target.contains('/') {
                        links.insert((*package).to_owned(), target);
                    }
                }
            }
            ["doc", package, "copyright"] if kind.is_file() => {
                let mut text = String::new();
                // Not UTF-8 (an old Latin-1 file): no license rather than a failed SBOM.
                if entry.read_to_string(&mut text).is_ok()
                    && let Some(license) = from_dep5(&text)
                {
                    licenses.insert((*package).to_owned(), license);
                }
            }
            _ => {}
        }
    }
    for (package, target) in links {
        if let Some(license) = licenses.get(&target).cloned() {
            licenses.entry(package).or_insert(license);
        }
    }
    Ok(licenses)
}

/// The interpreter's distributions with their metadata headers, as JSON.
const LIST_DISTRIBUTIONS: &str = r#"
import json
from importlib import metadata
out = []
for d in metadata.distributions():
    try:
        location = str(d.locate_file(""))
    except Exception:
        location = ""
    text = d.read_text("METADATA") or d.read_text("PKG-INFO") or ""
    out.append({"name": d.metadata["Name"] or "", "version": d.version or "",
                "location": location, "metadata": text.split("\n\n", 1)[0]})
print(json.dumps(out))
"#;

#[derive(Deserialize)]
struct Listed {
    name: String,
    version: String,
    location: String,
    metadata: String,
}

async fn python_distributions(
    engine: &Engine,
    image: &str,
    python: &str,
) -> Result<BTreeMap<String, PyDist>, SupplyError> {
    let spec = ContainerSpec {
        image: image.to_owned(),
        entrypoint: Some(vec![python.to_owned()]),
        cmd: Some(vec!["-c".into(), LIST_DISTRIBUTIONS.into()]),
        user: Some("0:0".into()),
        host_config: bollard::models::HostConfig {
            network_mode: Some("none".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let what = "listing the Python distributions";
    let stdout = crate::lock::resolve::container::run_collect(engine, &spec, what).await?;
    let listed: Vec<Listed> = serde_json::from_slice(&stdout).map_err(|e| SupplyError::Parse {
        what: what.into(),
        detail: e.to_string(),
    })?;
    Ok(listed
        .into_iter()
        .filter(|d| !d.name.is_empty())
        .map(|d| {
            let dist = PyDist {
                version: d.version,
                location: d.location,
                license: from_python_metadata(&d.metadata),
            };
            (normalize_name(&d.name), dist)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_keeps_installed_packages_only() {
        let status = "Package: a\nStatus: install ok installed\nVersion: 1:2\nArchitecture: amd64\nMaintainer: M <m@x>\n\nPackage: b\nStatus: deinstall ok config-files\nVersion: 3\n";
        let parsed = parse_dpkg_status(status);
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed["a"].version, "1:2");
        assert_eq!(parsed["a"].arch, "amd64");
    }

    #[test]
    fn copyright_files_and_doc_links_give_licenses() {
        let mut builder = tar::Builder::new(Vec::new());
        let text = b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-3+\n";
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, "doc/libx1/copyright", &text[..])
            .unwrap();
        let mut link = tar::Header::new_gnu();
        link.set_entry_type(tar::EntryType::Symlink);
        link.set_size(0);
        builder
            .append_link(&mut link, "doc/libx-dev", "libx1")
            .unwrap();
        let mut escape = tar::Header::new_gnu();
        escape.set_entry_type(tar::EntryType::Symlink);
        escape.set_size(0);
        builder
            .append_link(&mut escape, "doc/evil", "../../etc")
            .unwrap();
        let tar = builder.into_inner().unwrap();
        let licenses = copyright_licenses(&tar).unwrap();
        assert_eq!(licenses["libx1"].expression, "GPL-3.0-or-later");
        assert_eq!(licenses["libx-dev"].expression, "GPL-3.0-or-later");
        assert!(!licenses.contains_key("evil"));
    }
}
