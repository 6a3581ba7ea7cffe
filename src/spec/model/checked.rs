//! Strings with a shape: image references, paths, package names, sizes, and the two kinds
//! of strings that make the build/run boundary visible in the types — [`BuildString`]
//! (never a host placeholder) and [`RunString`] (placeholders filled at start time).
//!
//! Each is a newtype that checks itself when deserialized. The check is one plain function
//! per kind, listed in [`checker`], so that the spec's own deserializer (which knows source
//! spans) can run it first and report the error at the right line with a `help:`; any
//! other deserializer (serde_json in tests) still gets the same check through the newtype.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::spec::placeholder;

/// Why a value does not have the shape its field needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    pub help: Option<String>,
}

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Invalid {
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

type Check = fn(&str) -> Result<(), Invalid>;

/// The check for a checked string kind, by its serde newtype name.
pub fn checker(newtype_name: &str) -> Option<Check> {
    CHECKS
        .iter()
        .find(|(name, _)| *name == newtype_name)
        .map(|(_, check)| *check)
}

macro_rules! checked_string {
    ($(#[$doc:meta])* $ty:ident, $check:path, $schema:tt) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $ty(String);

        impl $ty {
            /// The serde newtype name the spec deserializer recognises.
            pub const NEWTYPE: &'static str = concat!("envc::", stringify!($ty));

            /// Check and wrap a string.
            pub fn new(value: impl Into<String>) -> Result<Self, Invalid> {
                let value = value.into();
                $check(&value)?;
                Ok($ty(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        $ty::new(v).map_err(|e| match e.help {
                            Some(help) => E::custom(format!("{}; {}", e.message, help)),
                            None => E::custom(e.message),
                        })
                    }
                    fn visit_newtype_struct<D: Deserializer<'de>>(
                        self,
                        d: D,
                    ) -> Result<$ty, D::Error> {
                        d.deserialize_str(self)
                    }
                }
                deserializer.deserialize_newtype_struct(Self::NEWTYPE, V)
            }
        }

        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                stringify!($ty).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

const CHECKS: &[(&str, Check)] = &[
    (RunString::NEWTYPE, check_run_string),
    (BuildString::NEWTYPE, check_build_string),
    (ImageRef::NEWTYPE, check_image_ref),
    (ProjectPath::NEWTYPE, check_project_path),
    (AbsPath::NEWTYPE, check_abs_path),
    (EnvName::NEWTYPE, check_env_name),
    (AptPackage::NEWTYPE, check_apt_package),
    (PipRequirement::NEWTYPE, check_pip_requirement),
    (Sha256::NEWTYPE, check_sha256),
    (DownloadUrl::NEWTYPE, check_download_url),
    (ByteSize::NEWTYPE, check_byte_size),
    (FileMode::NEWTYPE, check_file_mode),
    (Capability::NEWTYPE, check_capability),
    (Name::NEWTYPE, check_name),
    (Duration::NEWTYPE, check_duration),
    (RegistryRef::NEWTYPE, check_registry_ref),
];

checked_string!(
    /// A run-side string: may use the host placeholders `{user}`, `{uid}`, `{gid}`, `{home}`,
    /// `{project}`, `{project_slug}`, `{variant}` and `{env:NAME}`, filled when the environment
    /// starts. `{{` and `}}` are literal braces; `${...}` is left to the shell.
    RunString,
    check_run_string,
    { "type": "string" }
);

checked_string!(
    /// A build-side string: part of the image, so it may not use host placeholders
    /// (`{user}`, `{uid}`, ...), which are only known when the environment starts.
    BuildString,
    check_build_string,
    { "type": "string" }
);

checked_string!(
    /// A container image reference with an explicit tag and/or digest:
    /// `repo:tag`, `registry/repo:tag@sha256:<64 hex>` or `repo@sha256:<64 hex>`.
    ImageRef,
    check_image_ref,
    {
        "type": "string",
        "pattern": "^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})$"
    }
);

checked_string!(
    /// A file inside the project, relative to the project root (the config's folder);
    /// in `.nix` files a path literal such as `./files/app.conf` is also accepted.
    ProjectPath,
    check_project_path,
    { "type": "string", "minLength": 1, "not": { "pattern": "^/" } }
);

checked_string!(
    /// An absolute path inside the image (build side: no host placeholders).
    AbsPath,
    check_abs_path,
    { "type": "string", "pattern": "^/" }
);

checked_string!(
    /// An environment variable name: letters, digits and `_`, not starting with a digit.
    EnvName,
    check_env_name,
    { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }
);

checked_string!(
    /// A Debian package: `name`, `name=version` to pin a version, or `name/suite` to take it
    /// from a suite such as `trixie-backports` (`envc lock` then pins the version apt chose).
    AptPackage,
    check_apt_package,
    { "type": "string", "pattern": "^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?(=[A-Za-z0-9.+~:-]+|/[a-z0-9][a-z0-9.+-]*)?$" }
);

checked_string!(
    /// A pip requirement specifier, such as `numpy==1.26.4` or `torch>=2.3`.
    PipRequirement,
    check_pip_requirement,
    { "type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9]" }
);

checked_string!(
    /// A SHA-256 digest: 64 lowercase hex digits.
    Sha256,
    check_sha256,
    { "type": "string", "pattern": "^[0-9a-f]{64}$" }
);

checked_string!(
    /// An `http://` or `https://` URL that a file is downloaded from (build side: no host
    /// placeholders).
    DownloadUrl,
    check_download_url,
    { "type": "string", "pattern": "^https?://[^/\\s]+[^\\s]*$" }
);

checked_string!(
    /// A size: a number with an optional unit `b`, `k`, `m` or `g` (for example `2g`).
    ByteSize,
    check_byte_size,
    { "type": "string", "pattern": "^[0-9]+[bkmgBKMG]?$" }
);

checked_string!(
    /// A file mode in octal, such as `0644` or `0755`.
    FileMode,
    check_file_mode,
    { "type": "string", "pattern": "^0?[0-7]{3,4}$" }
);

checked_string!(
    /// A Linux capability name such as `SYS_PTRACE` (without `CAP_`), or `ALL`.
    Capability,
    check_capability,
    { "type": "string", "pattern": "^[A-Z][A-Z_]*$" }
);

checked_string!(
    /// A name used for images, containers, variants and services: lowercase letters,
    /// digits, `.`, `_` and `-`, starting with a letter or digit.
    Name,
    check_name,
    { "type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$" }
);

checked_string!(
    /// A duration: a number followed by `ms`, `s`, `m` or `h` (for example `30s`).
    Duration,
    check_duration,
    { "type": "string", "pattern": "^[0-9]+(ms|s|m|h)$" }
);

checked_string!(
    /// An OCI registry and repository prefix for envc's shared cache: `HOST[:PORT][/PATH]`
    /// (HTTPS), or `http://HOST[:PORT][/PATH]` for a plain-HTTP registry, named explicitly.
    RegistryRef,
    check_registry_ref,
    {
        "type": "string",
        "pattern": "^(https?://)?([a-z0-9]([a-z0-9.-]*[a-z0-9])?|\\[[0-9a-fA-F:]+\\])(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*/?$"
    }
);

impl RegistryRef {
    /// `true` for an explicit `http://` registry.
    pub fn is_plain_http(&self) -> bool {
        self.0.starts_with("http://")
    }

    /// `true` for an explicit `https://` registry.
    pub fn is_explicit_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// The registry host with its port (`ghcr.io`, `127.0.0.1:5000`).
    pub fn host(&self) -> &str {
        let rest = self.without_scheme();
        rest.split_once('/').map_or(rest, |(host, _)| host)
    }

    /// The repository prefix under the host (`team/envc`), empty for none.
    pub fn path(&self) -> &str {
        let rest = self.without_scheme();
        rest.split_once('/')
            .map_or("", |(_, path)| path.trim_end_matches('/'))
    }

    fn without_scheme(&self) -> &str {
        self.0
            .strip_prefix("http://")
            .or_else(|| self.0.strip_prefix("https://"))
            .unwrap_or(&self.0)
    }
}

fn from_placeholder(e: placeholder::PlaceholderError) -> Invalid {
    Invalid {
        message: e.message,
        help: e.help,
    }
}

fn check_run_string(s: &str) -> Result<(), Invalid> {
    placeholder::check_run(s).map_err(from_placeholder)
}

fn check_build_string(s: &str) -> Result<(), Invalid> {
    placeholder::check_build(s).map_err(from_placeholder)
}

fn check_image_ref(s: &str) -> Result<(), Invalid> {
    let (name, digest) = match s.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (s, None),
    };
    if let Some(digest) = digest {
        let hex = digest.strip_prefix("sha256:").unwrap_or("");
        if check_sha256(hex).is_err() {
            return Err(Invalid::new(format!("`{s}` has a malformed digest"))
                .help("a digest is `sha256:` followed by 64 lowercase hex digits"));
        }
    }
    // The tag is after the last `:` that comes after the last `/` (a registry port is before it).
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    let repo_ok = !repo.is_empty()
        && repo.split('/').enumerate().all(|(i, part)| {
            !part.is_empty()
                && part.chars().all(|c| {
                    c.is_ascii_lowercase()
                        || c.is_ascii_digit()
                        || matches!(c, '.' | '_' | '-')
                        || (i == 0 && c == ':')
                })
        });
    if !repo_ok {
        return Err(Invalid::new(format!("`{s}` is not a valid image reference"))
            .help("an image reference looks like `debian:bookworm` or `ghcr.io/org/image:1.0@sha256:...`"));
    }
    match tag {
        Some(tag) => {
            let tag_ok = !tag.is_empty()
                && tag.len() <= 128
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
                && !tag.starts_with(['.', '-']);
            if !tag_ok {
                return Err(Invalid::new(format!("`{s}` has an invalid tag `{tag}`")));
            }
        }
        None if digest.is_none() => {
            return Err(Invalid::new(format!("image `{s}` has no tag or digest")).help(format!(
                "name the version explicitly, for example `{s}:bookworm` or `{s}@sha256:...`; envc never assumes `latest`"
            )));
        }
        None => {}
    }
    Ok(())
}

fn check_project_path(s: &str) -> Result<(), Invalid> {
    if s.is_empty() {
        return Err(Invalid::new("a project path cannot be empty"));
    }
    if s.starts_with('/') {
        return Err(Invalid::new(format!("`{s}` is an absolute path"))
            .help("project files are named relative to the project root (the config's folder)"));
    }
    if s.split('/').any(|part| part == "..") {
        return Err(Invalid::new(format!("`{s}` leaves the project root"))
            .help("only files inside the project can be used"));
    }
    Ok(())
}

fn check_abs_path(s: &str) -> Result<(), Invalid> {
    // Container paths on the build side are part of the image: no host placeholders.
    check_build_string(s)?;
    if !s.starts_with('/') {
        return Err(
            Invalid::new(format!("`{s}` is not an absolute path")).help(format!(
                "container paths start with `/`, for example `/{s}`"
            )),
        );
    }
    Ok(())
}

fn check_env_name(s: &str) -> Result<(), Invalid> {
    let ok = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit());
    if !ok {
        return Err(
            Invalid::new(format!("`{s}` is not an environment variable name"))
                .help("use letters, digits and `_`, not starting with a digit"),
        );
    }
    Ok(())
}

fn check_apt_package(s: &str) -> Result<(), Invalid> {
    let (name, version) = match s.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (s, None),
    };
    // apt's `name/suite` selects the suite a package comes from (backports).
    let (name, suite) = match name.split_once('/') {
        Some((n, suite)) if version.is_none() => (n, Some(suite)),
        _ => (name, None),
    };
    if let Some(suite) = suite
        && (!suite.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            || !suite.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '+')
            }))
    {
        return Err(
            Invalid::new(format!("`{s}` names an invalid suite `{suite}`"))
                .help("write `name/suite`, for example `rustc/trixie-backports`"),
        );
    }
    let name = name.split_once(':').map_or(name, |(n, _arch)| n);
    let name_ok = name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '-' | '.'));
    if !name_ok {
        return Err(Invalid::new(format!("`{s}` is not a Debian package name"))
            .help("package names are lowercase letters, digits, `+`, `-` and `.`; pin with `name=version`"));
    }
    if let Some(version) = version
        && (version.is_empty()
            || !version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~' | ':' | '-')))
    {
        return Err(Invalid::new(format!(
            "`{s}` has an invalid version `{version}`"
        )));
    }
    Ok(())
}

fn check_pip_requirement(s: &str) -> Result<(), Invalid> {
    if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(Invalid::new(format!("`{s}` is not a pip requirement"))
            .help("a requirement starts with a project name, for example `numpy==1.26.4`"));
    }
    if s.contains('\n') {
        return Err(Invalid::new("a pip requirement is one line"));
    }
    Ok(())
}

fn check_sha256(s: &str) -> Result<(), Invalid> {
    if s.len() != 64
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, 'a'..='f'))
    {
        let help = if s.starts_with("sha256:") {
            "write only the 64 lowercase hex digits, without the `sha256:` prefix"
        } else {
            "write 64 lowercase hex digits, as printed by `sha256sum`"
        };
        return Err(Invalid::new(format!("`{s}` is not a SHA-256 digest")).help(help));
    }
    Ok(())
}

fn check_download_url(s: &str) -> Result<(), Invalid> {
    check_build_string(s)?;
    let host = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        None => Err(Invalid::new(format!("`{s}` is not an http(s) URL")).help(
            "downloads are fetched over `http://` or `https://`; copy local files with `source`",
        )),
        Some("") => Err(Invalid::new(format!("`{s}` has no host"))),
        Some(_) if s.chars().any(char::is_whitespace) => {
            Err(Invalid::new(format!("`{s}` contains whitespace"))
                .help("percent-encode spaces in URLs as `%20`"))
        }
        Some(_) => Ok(()),
    }
}

fn check_byte_size(s: &str) -> Result<(), Invalid> {
    let digits = s.trim_end_matches(['b', 'k', 'm', 'g', 'B', 'K', 'M', 'G']);
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
        || s.len() - digits.len() > 1
    {
        return Err(Invalid::new(format!("`{s}` is not a size"))
            .help("write a number with an optional unit `b`, `k`, `m` or `g`, for example `2g`"));
    }
    Ok(())
}

fn check_file_mode(s: &str) -> Result<(), Invalid> {
    let digits = s.strip_prefix('0').filter(|d| d.len() >= 3).unwrap_or(s);
    if !(3..=4).contains(&digits.len()) || !digits.chars().all(|c| matches!(c, '0'..='7')) {
        return Err(Invalid::new(format!("`{s}` is not an octal file mode"))
            .help("write the mode in octal as a string, for example `\"0644\"` or `\"0755\"`"));
    }
    Ok(())
}

fn check_capability(s: &str) -> Result<(), Invalid> {
    if let Some(rest) = s.strip_prefix("CAP_") {
        return Err(Invalid::new("write capabilities without `CAP_`").help(format!("use `{rest}`")));
    }
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
        return Err(Invalid::new(format!("`{s}` is not a capability name"))
            .help("capabilities are uppercase, such as `SYS_PTRACE` or `NET_ADMIN`"));
    }
    Ok(())
}

fn check_name(s: &str) -> Result<(), Invalid> {
    let ok = s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !ok {
        return Err(Invalid::new(format!("`{s}` is not a valid name")).help(
            "names are lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit",
        ));
    }
    Ok(())
}

fn check_duration(s: &str) -> Result<(), Invalid> {
    let digits = s.trim_end_matches(['m', 's', 'h']);
    let unit = &s[digits.len()..];
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
        || !matches!(unit, "ms" | "s" | "m" | "h")
    {
        return Err(Invalid::new(format!("`{s}` is not a duration"))
            .help("write a number followed by `ms`, `s`, `m` or `h`, for example `30s`"));
    }
    Ok(())
}

fn check_registry_ref(s: &str) -> Result<(), Invalid> {
    let help = "write `HOST[:PORT][/PATH]` such as `ghcr.io/team/envc-cache` or \
                `registry.lan:5000/envc`; `http://HOST...` for a plain-HTTP registry";
    let bad = |what: String| Err(Invalid::new(what).help(help));
    let rest = match s.split_once("://") {
        Some(("http" | "https", rest)) => rest,
        Some((scheme, _)) => return bad(format!("`{s}` has the scheme `{scheme}://`")),
        None => s,
    };
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad(format!("`{s}` contains whitespace"));
    }
    if rest.contains(['@', '?', '#']) {
        return bad(format!(
            "`{s}` is not a registry reference (no tag, digest, user or query)"
        ));
    }
    let (host_port, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = if let Some(inner) = host_port.strip_prefix('[') {
        match inner.split_once(']') {
            Some((ip, tail))
                if !ip.is_empty() && ip.chars().all(|c| c.is_ascii_hexdigit() || c == ':') =>
            {
                (ip, tail.strip_prefix(':'))
            }
            _ => return bad(format!("`{s}` has a malformed IPv6 host")),
        }
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if let Some(port) = port
        && (port.is_empty()
            || port.len() > 5
            || !port.chars().all(|c| c.is_ascii_digit())
            || port.parse::<u32>().map_or(true, |p| p == 0 || p > 65535))
    {
        return bad(format!("`{s}` has an invalid port `{port}`"));
    }
    let ipv6 = host_port.starts_with('[');
    let host_ok = ipv6
        || (!host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            }));
    if !host_ok {
        return bad(format!("`{s}` has an invalid registry host `{host}`"));
    }
    // Like Docker: a first component without `.` or `:` would be a Docker Hub user name.
    if !ipv6 && port.is_none() && !host.contains('.') && host != "localhost" {
        return Err(
            Invalid::new(format!("`{s}` does not start with a registry host"))
                .help("name the host, such as `docker.io/team/cache` or `localhost:5000`"),
        );
    }
    let path = path.strip_suffix('/').unwrap_or(path);
    if !path.is_empty() {
        for part in path.split('/') {
            let ok = !part.is_empty()
                && part.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && part.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && part.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
                });
            if !ok {
                return bad(format!(
                    "`{s}` has an invalid repository path component `{part}`"
                ));
            }
        }
    }
    if host_port.len() + path.len() > 200 {
        return bad(format!("`{s}` is too long for a repository prefix"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_refs() {
        for ok in [
            "ghcr.io/team/envc-cache",
            "127.0.0.1:5000",
            "localhost:5000/envc",
            "http://127.0.0.1:5000/a/b",
            "https://registry.example.org/x/",
            "[::1]:5000/x",
            "docker.io/user/cache",
        ] {
            assert!(RegistryRef::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "cache",
            "user/cache",
            "ftp://host/x",
            "ghcr.io/Team",
            "ghcr.io/team:tag",
            "ghcr.io/team@sha256:00",
            "host:99999/x",
            "host:/x",
            "user:pw@ghcr.io/x",
            "ghcr.io//x",
            "ghcr.io/x y",
            "-bad.io/x",
            "ghcr.io/x?y",
        ] {
            assert!(RegistryRef::new(bad).is_err(), "{bad}");
        }
        let r = RegistryRef::new("http://127.0.0.1:5000/team/envc/").unwrap();
        assert!(r.is_plain_http());
        assert_eq!((r.host(), r.path()), ("127.0.0.1:5000", "team/envc"));
        let r = RegistryRef::new("ghcr.io").unwrap();
        assert!(!r.is_plain_http() && !r.is_explicit_https());
        assert_eq!((r.host(), r.path()), ("ghcr.io", ""));
    }

    #[test]
    fn image_refs() {
        for ok in [
            "debian:bookworm",
            "nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04",
            "localhost:5000/team/app:1.0",
            "debian@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ] {
            assert!(ImageRef::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "debian",
            "Debian:12",
            "debian:",
            "debian@sha256:xyz",
            "localhost:5000/app",
        ] {
            assert!(ImageRef::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn small_kinds() {
        assert!(AptPackage::new("libssl-dev").is_ok());
        assert!(AptPackage::new("g++=4:12.2.0-3").is_ok());
        assert!(AptPackage::new("Foo").is_err());
        assert!(AptPackage::new("rustc/trixie-backports").is_ok());
        assert!(AptPackage::new("rustc/").is_err());
        assert!(AptPackage::new("rustc/a b").is_err());
        assert!(AptPackage::new("rustc=1.0/x").is_err());
        assert!(FileMode::new("0644").is_ok());
        assert!(FileMode::new("0648").is_err());
        assert!(ByteSize::new("2g").is_ok());
        assert!(ByteSize::new("2gb").is_err());
        assert!(ProjectPath::new("../x").is_err());
        assert!(Duration::new("30s").is_ok());
        assert!(Duration::new("30").is_err());
        assert!(Capability::new("CAP_SYS_ADMIN").is_err());
        assert!(DownloadUrl::new("https://example.org/a.tar.gz").is_ok());
        assert!(DownloadUrl::new("http://127.0.0.1:8080/x").is_ok());
        assert!(DownloadUrl::new("ftp://example.org/a").is_err());
        assert!(DownloadUrl::new("https:///a").is_err());
        assert!(DownloadUrl::new("https://example.org/a b").is_err());
        assert!(DownloadUrl::new("https://{user}.example.org/").is_err());
    }
}
