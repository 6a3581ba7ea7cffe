//! apt package lists → the full installed closure with exact versions.
//!
//! Resolved inside a throwaway container of the pinned base: the base's own packages from
//! `dpkg-query`, then `apt-get update` and a simulated `apt-get install
//! --no-install-recommends` whose `Inst` lines name every package that would be installed
//! or upgraded, with the version and architecture apt chose. Nothing is installed.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::engine::Engine;

use super::ResolveError;
use super::container::{resolver_spec, run_collect};

/// One package at an exact version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AptPackage {
    pub name: String,
    pub version: String,
    pub arch: String,
}

/// What a package list resolves to on a base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AptClosure {
    /// Packages installed in the base image, sorted by name.
    pub base: Vec<AptPackage>,
    /// Packages the install adds or upgrades, sorted by name.
    pub installed: Vec<AptPackage>,
}

impl AptClosure {
    /// Everything installed after the step: the base with the install applied, by name.
    pub fn full(&self) -> Vec<AptPackage> {
        let mut all: BTreeMap<(String, String), AptPackage> = BTreeMap::new();
        for p in self.base.iter().chain(&self.installed) {
            all.insert((p.name.clone(), p.arch.clone()), p.clone());
        }
        all.into_values().collect()
    }
}

/// Settings for the resolving container.
#[derive(Debug, Clone, Default)]
pub struct AptOptions {
    /// `NAME=value` env for the container only (proxies, for example).
    pub env: Vec<String>,
    /// Network to attach to (`None`: the engine's default bridge).
    pub network: Option<String>,
}

const SCRIPT: &str = r#"set -e
echo '--- envc base'
dpkg-query -W -f '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\n'
apt-get update -q >&2
echo '--- envc install'
apt-get -s install --no-install-recommends -y "$@"
"#;

/// Resolve `packages` (names, optionally `name=version`) on `base_image`.
pub async fn apt_closure(
    engine: &Engine,
    base_image: &str,
    packages: &[String],
    options: &AptOptions,
) -> Result<AptClosure, ResolveError> {
    let mut cmd = vec![
        "sh".to_string(),
        "-c".to_string(),
        SCRIPT.to_string(),
        "envc-apt".to_string(),
    ];
    cmd.extend(packages.iter().cloned());
    let mut env = vec![
        "DEBIAN_FRONTEND=noninteractive".to_string(),
        "LC_ALL=C".to_string(),
    ];
    env.extend(options.env.iter().cloned());
    let spec = resolver_spec(base_image, cmd, env, Vec::new(), options.network.clone());
    let what = format!("resolving apt packages `{}`", packages.join(" "));
    let stdout = run_collect(engine, &spec, &what).await?;
    let text = String::from_utf8_lossy(&stdout);
    let parse_error = |detail: &str| ResolveError::Parse {
        what: what.clone(),
        detail: detail.to_string(),
    };
    let (_, rest) = text
        .split_once("--- envc base\n")
        .ok_or_else(|| parse_error("no package list of the base"))?;
    let (base, install) = rest
        .split_once("--- envc install\n")
        .ok_or_else(|| parse_error("no simulated install"))?;
    let mut base = parse_dpkg_query(base);
    base.sort();
    let mut installed = parse_simulated_install(install);
    installed.sort();
    Ok(AptClosure { base, installed })
}

/// The packages installed in `image` (for example a debootstrap base), sorted by name.
/// Reads the package database only: no network.
pub async fn installed_packages(
    engine: &Engine,
    image: &str,
) -> Result<Vec<AptPackage>, ResolveError> {
    let cmd = vec![
        "dpkg-query".into(),
        "-W".into(),
        "-f".into(),
        "${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\n".into(),
    ];
    let spec = resolver_spec(image, cmd, Vec::new(), Vec::new(), Some("none".into()));
    let stdout = run_collect(engine, &spec, "listing installed packages").await?;
    let mut packages = parse_dpkg_query(&String::from_utf8_lossy(&stdout));
    packages.sort();
    Ok(packages)
}

/// Parse `dpkg-query -W -f '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\n'`,
/// keeping only installed packages (`ii`).
pub fn parse_dpkg_query(text: &str) -> Vec<AptPackage> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let status = fields.next()?;
            let (name, version, arch) = (fields.next()?, fields.next()?, fields.next()?);
            status.starts_with("ii").then(|| AptPackage {
                name: name.to_string(),
                version: version.to_string(),
                arch: arch.to_string(),
            })
        })
        .collect()
}

/// Parse the `Inst` lines of `apt-get -s install`, for example
/// `Inst libfoo [1.0-1] (1.0-2 Debian:12.5/stable [amd64])`.
pub fn parse_simulated_install(text: &str) -> Vec<AptPackage> {
    static INST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^Inst (\S+)(?: \[[^\]]*\])? \((\S+) [^\[]*\[([^\]]+)\]\)")
            .expect("valid regex")
    });
    text.lines()
        .filter_map(|line| {
            let caps = INST.captures(line)?;
            let arch = caps[3].to_string();
            let name = caps[1]
                .strip_suffix(&format!(":{arch}"))
                .unwrap_or(&caps[1])
                .to_string();
            Some(AptPackage {
                name,
                version: caps[2].to_string(),
                arch,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inst_lines_give_name_version_and_arch() {
        let text = "NOTE: This is only a simulation!\n\
            Inst libcurl4 (7.88.1-10+deb12u12 Debian:12.12/stable, Debian-Security:12/stable-security [amd64])\n\
            Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.12/stable [all])\n\
            Inst libc6:i386 (2.36-9+deb12u13 Debian:12.12/stable [i386]) []\n\
            Conf libcurl4 (7.88.1-10+deb12u12 Debian:12.12/stable [amd64])\n";
        assert_eq!(
            parse_simulated_install(text),
            vec![
                AptPackage {
                    name: "libcurl4".into(),
                    version: "7.88.1-10+deb12u12".into(),
                    arch: "amd64".into()
                },
                AptPackage {
                    name: "tzdata".into(),
                    version: "2025b-0+deb12u1".into(),
                    arch: "all".into()
                },
                AptPackage {
                    name: "libc6".into(),
                    version: "2.36-9+deb12u13".into(),
                    arch: "i386".into()
                },
            ]
        );
    }

    #[test]
    fn dpkg_query_keeps_installed_packages_only() {
        let text =
            "ii \tbash\t5.2.15-2+b7\tamd64\nrc \told\t1.0\tamd64\nii \tbase-files\t12.4\tamd64\n";
        assert_eq!(
            parse_dpkg_query(text),
            vec![
                AptPackage {
                    name: "bash".into(),
                    version: "5.2.15-2+b7".into(),
                    arch: "amd64".into()
                },
                AptPackage {
                    name: "base-files".into(),
                    version: "12.4".into(),
                    arch: "amd64".into()
                },
            ]
        );
    }

    #[test]
    fn the_full_closure_applies_upgrades_over_the_base() {
        let p = |n: &str, v: &str| AptPackage {
            name: n.into(),
            version: v.into(),
            arch: "amd64".into(),
        };
        let closure = AptClosure {
            base: vec![p("a", "1"), p("b", "1")],
            installed: vec![p("b", "2"), p("c", "1")],
        };
        assert_eq!(closure.full(), vec![p("a", "1"), p("b", "2"), p("c", "1")]);
    }
}
