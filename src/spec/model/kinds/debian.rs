//! Debian and Python words: suites, components, package names and versions, and pip
//! requirements.
//!
//! These reach host commands as root (`debootstrap SUITE DIR MIRROR` runs on the host:
//! a suite `../../../../proc/self/cwd/evil` made it source a project file as a script) and
//! generated files inside build containers (a requirements file, where a line holding
//! ` --index-url ...` or ` -r /etc/...` is an option, not a requirement), so each is parsed
//! by its own grammar and nothing else gets through:
//!
//! - a [`Codename`] is `^[a-z][a-z0-9-]*$` (what Debian and Ubuntu name suites);
//! - an [`AptPackage`] is `name[:arch][=version]` by Debian Policy §5.6.1 and §5.6.12, or
//!   `name[:arch]/suite` (apt's release selection, e.g. `rustc/trixie-backports`);
//! - a [`PipRequirement`] is a PEP 508 name, extras, version specifiers and an environment
//!   marker, with no whitespace before a `-` (an option to pip) and no `#`, `$` or `\`.

use super::text::check_build_string;
use super::{Check, Invalid, kind, shown};

pub(super) const CHECKS: &[(&str, Check)] = &[
    (Codename::NEWTYPE, check_codename),
    (DebootstrapVariant::NEWTYPE, check_variant),
    (Component::NEWTYPE, check_component),
    (SnapshotStamp::NEWTYPE, check_snapshot),
    (AptPackage::NEWTYPE, check_apt_package),
    (AptName::NEWTYPE, check_apt_name),
    (PipRequirement::NEWTYPE, check_pip_requirement),
];

kind!(
    /// A Debian or Ubuntu suite or codename: `bookworm`, `stable`, `jammy`.
    Codename,
    check_codename,
    { "type": "string", "maxLength": 64, "pattern": "^[a-z][a-z0-9-]*$" }
);

kind!(
    /// A debootstrap variant: `minbase` (smallest), `buildd`, `fakechroot`, or `-` (standard).
    DebootstrapVariant,
    check_variant,
    { "type": "string", "enum": ["minbase", "buildd", "fakechroot", "-"] }
);

kind!(
    /// An archive component: `main`, `contrib`, `non-free-firmware`, `universe`, ...
    Component,
    check_component,
    { "type": "string", "maxLength": 64, "pattern": "^[a-z0-9][a-z0-9.+_-]*(/[a-z0-9][a-z0-9.+_-]*)*$" }
);

kind!(
    /// A snapshot.debian.org timestamp: `20240601T000000Z`.
    SnapshotStamp,
    check_snapshot,
    { "type": "string", "pattern": "^[0-9]{8}T[0-9]{6}Z$" }
);

kind!(
    /// A Debian package: `name`, `name:arch`, `name=version` to pin a version, or
    /// `name/suite` to take it from a suite such as `trixie-backports` (`envc lock` then pins
    /// the version apt chose).
    AptPackage,
    check_apt_package,
    { "type": "string", "pattern": "^[a-z0-9][a-z0-9+.-]+(:[a-z0-9][a-z0-9-]*)?(=([0-9]+:)?[0-9][A-Za-z0-9.+~-]*|/[a-z][a-z0-9-]*)?$" }
);

kind!(
    /// A Debian package name alone (no version): what `debootstrap --include` takes.
    AptName,
    check_apt_name,
    { "type": "string", "pattern": "^[a-z0-9][a-z0-9+.-]+$" }
);

kind!(
    /// A pip requirement specifier (PEP 508), such as `numpy==1.26.4`, `torch>=2.3` or
    /// `requests[socks]>=2; python_version >= "3.9"`.
    PipRequirement,
    check_pip_requirement,
    { "type": "string", "minLength": 1, "maxLength": 1000, "pattern": "^[A-Za-z0-9]" }
);

fn check_codename(s: &str) -> Result<(), Invalid> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        return Err(Invalid::new(format!("`{}` is not a Debian codename", shown(s))).help(
            "a suite is a codename such as `bookworm`, `trixie` or `jammy` (lowercase letters, digits and `-`)",
        ));
    }
    Ok(())
}

fn check_variant(s: &str) -> Result<(), Invalid> {
    const VARIANTS: &[&str] = &["minbase", "buildd", "fakechroot", "-"];
    if !VARIANTS.contains(&s) {
        let help = match crate::spec::suggest::closest(s, VARIANTS.iter().copied()) {
            Some(best) => {
                format!("did you mean `{best}`? variants: `minbase`, `buildd`, `fakechroot`, `-`")
            }
            None => "variants: `minbase`, `buildd`, `fakechroot`, `-` (standard)".into(),
        };
        return Err(
            Invalid::new(format!("`{}` is not a debootstrap variant", shown(s))).help(help),
        );
    }
    Ok(())
}

fn is_component_part(p: &str) -> bool {
    p.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && p.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '+' | '_' | '-')
        })
}

fn check_component(s: &str) -> Result<(), Invalid> {
    if s.is_empty() || s.len() > 64 || !s.split('/').all(is_component_part) {
        return Err(Invalid::new(format!("`{}` is not an archive component", shown(s)))
            .help("components are words such as `main`, `contrib` or `non-free-firmware`, one per item"));
    }
    Ok(())
}

fn check_snapshot(s: &str) -> Result<(), Invalid> {
    let b = s.as_bytes();
    let ok = b.len() == 16
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z';
    if !ok {
        return Err(Invalid::new(format!("`{}` is not a snapshot timestamp", shown(s)))
            .help("write it as snapshot.debian.org does: `YYYYMMDDTHHMMSSZ`, for example `20240601T000000Z`"));
    }
    Ok(())
}

fn is_apt_name(name: &str) -> bool {
    name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '-' | '.'))
}

/// Debian Policy §5.6.12: `[epoch:]upstream_version[-debian_revision]`.
fn is_apt_version(version: &str) -> bool {
    let upstream = match version.split_once(':') {
        Some((epoch, rest)) if !epoch.is_empty() && epoch.chars().all(|c| c.is_ascii_digit()) => {
            rest
        }
        Some(_) => return false,
        None => version,
    };
    upstream.starts_with(|c: char| c.is_ascii_digit())
        && upstream
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~' | '-' | ':'))
}

fn check_apt_name(s: &str) -> Result<(), Invalid> {
    if !is_apt_name(s) {
        return Err(Invalid::new(format!("`{}` is not a Debian package name", shown(s)))
            .help("package names are lowercase letters, digits, `+`, `-` and `.`, at least two characters"));
    }
    Ok(())
}

fn check_apt_package(s: &str) -> Result<(), Invalid> {
    let (name, version) = match s.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (s, None),
    };
    // apt's `name/suite` selects the suite a package comes from (backports); not with a
    // version, which already selects one.
    let (name, suite) = match name.split_once('/') {
        Some((n, suite)) if version.is_none() => (n, Some(suite)),
        _ => (name, None),
    };
    if let Some(suite) = suite
        && check_codename(suite).is_err()
    {
        return Err(Invalid::new(format!(
            "`{}` names an invalid suite `{}`",
            shown(s),
            shown(suite)
        ))
        .help("write `name/suite`, for example `rustc/trixie-backports`"));
    }
    let (name, arch) = match name.split_once(':') {
        Some((n, a)) => (n, Some(a)),
        None => (name, None),
    };
    if !is_apt_name(name) {
        return Err(Invalid::new(format!("`{}` is not a Debian package name", shown(s)))
            .help("package names are lowercase letters, digits, `+`, `-` and `.`; pin with `name=version`"));
    }
    if let Some(arch) = arch
        && (arch.is_empty()
            || !arch.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            || !arch
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    {
        return Err(Invalid::new(format!(
            "`{}` has an invalid architecture `{}`",
            shown(s),
            shown(arch)
        ))
        .help("an architecture is a Debian name such as `amd64`, `arm64` or `i386`"));
    }
    if let Some(version) = version
        && !is_apt_version(version)
    {
        return Err(Invalid::new(format!("`{}` has an invalid version `{}`", shown(s), shown(version)))
            .help("a Debian version is `[epoch:]upstream[-revision]` and starts with a digit, such as `7.88.1-10+deb12u5`"));
    }
    Ok(())
}

fn pip_error(s: &str, why: &str) -> Invalid {
    Invalid::new(format!("`{}` is not a pip requirement: {why}", shown(s))).help(
        "write a PEP 508 requirement such as `numpy==1.26.4`, `torch>=2.3,<3` or `pkg[extra]>=1; python_version >= \"3.10\"`; index options belong in `build.pip.index_url`",
    )
}

fn is_pip_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn check_pip_requirement(s: &str) -> Result<(), Invalid> {
    check_build_string(s)?;
    if s.len() > 1000 {
        return Err(pip_error(s, "it is longer than 1000 characters"));
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(pip_error(
            s,
            &format!("it contains the control character U+{:04X}", c as u32),
        ));
    }
    if let Some(c) = s.chars().find(|c| matches!(c, '#' | '$' | '\\' | '`')) {
        return Err(pip_error(s, &format!("`{c}` is not part of a requirement")));
    }
    // In a requirements file, a word starting with `-` is an option to pip.
    if s.split_whitespace().any(|w| w.starts_with('-')) {
        return Err(pip_error(s, "a word starting with `-` is an option to pip"));
    }
    let (req, marker) = match s.split_once(';') {
        Some((r, m)) => (r.trim_end(), Some(m.trim())),
        None => (s, None),
    };
    let name_end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(req.len());
    let (name, mut rest) = req.split_at(name_end);
    if !is_pip_name(name) {
        return Err(pip_error(s, "it does not start with a project name"));
    }
    rest = rest.trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        let Some((extras, after)) = after.split_once(']') else {
            return Err(pip_error(s, "`[` has no `]`"));
        };
        if !extras.split(',').all(|e| is_pip_name(e.trim())) {
            return Err(pip_error(s, "the extras are not names"));
        }
        rest = after.trim_start();
    }
    if rest.starts_with('@') {
        return Err(pip_error(
            s,
            "direct URL requirements (`name @ url`) cannot be locked by envc",
        ));
    }
    let spec = rest
        .strip_prefix('(')
        .and_then(|r| r.trim_end().strip_suffix(')'))
        .unwrap_or(rest);
    if !spec.trim().is_empty() {
        for clause in spec.split(',') {
            let clause = clause.trim();
            let op_len = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"]
                .iter()
                .find(|op| clause.starts_with(*op))
                .map(|op| op.len());
            let Some(op_len) = op_len else {
                return Err(pip_error(
                    s,
                    &format!("`{}` is not a version specifier", shown(clause)),
                ));
            };
            let version = clause[op_len..].trim();
            let version_ok = !version.is_empty()
                && version.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!' | '_' | '-')
                });
            if !version_ok {
                return Err(pip_error(
                    s,
                    &format!("`{}` is not a version", shown(version)),
                ));
            }
        }
    }
    if let Some(marker) = marker {
        let marker_ok = !marker.is_empty()
            && marker.chars().all(|c| {
                c.is_ascii_alphanumeric()
                    || matches!(
                        c,
                        ' ' | '_'
                            | '.'
                            | '\''
                            | '"'
                            | '<'
                            | '>'
                            | '='
                            | '!'
                            | '~'
                            | '('
                            | ')'
                            | '-'
                            | '*'
                            | '+'
                    )
            });
        if !marker_ok {
            return Err(pip_error(
                s,
                "the environment marker holds characters markers do not use",
            ));
        }
    }
    Ok(())
}
