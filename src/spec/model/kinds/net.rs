//! What names things on a network: image references (Docker's reference grammar), http(s)
//! URLs for downloads, package indexes and mirrors, SHA-256 digests, and the host addresses
//! ports bind to.
//!
//! URLs reach host commands (`debootstrap`'s mirror argument, `pip --index-url`) and emitted
//! files, so they are parsed strictly: `http` or `https`, a host that is a DNS name or an IP
//! literal, an optional port, and a path, query and fragment of printable ASCII without
//! spaces, quotes or backslashes. Credentials in a URL (`https://user:pass@host`) are
//! refused: the URL is part of the image key, the emitted files and the lock, where a
//! password must never be; give them to the build host instead (a `--secret`, netrc).

use std::net::IpAddr;

use super::names::is_path_component;
use super::text::check_build_string;
use super::{Check, Invalid, kind, shown};

pub(super) const CHECKS: &[(&str, Check)] = &[
    (ImageRef::NEWTYPE, check_image_ref),
    (DownloadUrl::NEWTYPE, check_download_url),
    (IndexUrl::NEWTYPE, check_index_url),
    (MirrorUrl::NEWTYPE, check_mirror_url),
    (Sha256::NEWTYPE, check_sha256),
    (Address::NEWTYPE, check_address),
    (RegistryRef::NEWTYPE, check_registry_ref),
];

kind!(
    /// A container image reference with an explicit tag and/or digest:
    /// `repo:tag`, `registry/repo:tag@sha256:<64 hex>` or `repo@sha256:<64 hex>`.
    ImageRef,
    check_image_ref,
    {
        "type": "string",
        "maxLength": 400,
        "pattern": "^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(\\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(:[0-9]+)?/)?[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})$"
    }
);

kind!(
    /// An `http://` or `https://` URL that a file is downloaded from (build side: no host
    /// placeholders, no credentials).
    DownloadUrl,
    check_download_url,
    { "type": "string", "pattern": "^https?://[^/\\s@]+([/?#][^\\s]*)?$" }
);

kind!(
    /// A Python package index URL (`https://pypi.org/simple`): http(s), no credentials.
    IndexUrl,
    check_index_url,
    { "type": "string", "pattern": "^https?://[^/\\s@]+([/?#][^\\s]*)?$" }
);

kind!(
    /// A Debian archive mirror (`http://deb.debian.org/debian`): http(s), no credentials.
    MirrorUrl,
    check_mirror_url,
    { "type": "string", "pattern": "^https?://[^/\\s@]+([/?#][^\\s]*)?$" }
);

kind!(
    /// A SHA-256 digest: 64 lowercase hex digits.
    Sha256,
    check_sha256,
    { "type": "string", "pattern": "^[0-9a-f]{64}$" }
);

kind!(
    /// A host address to bind a published port to: an IPv4 or IPv6 literal
    /// (`127.0.0.1`, `0.0.0.0`, `::1`).
    Address,
    check_address,
    { "type": "string", "anyOf": [{ "format": "ipv4" }, { "format": "ipv6" }] }
);

fn is_domain_component(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A registry host as the reference grammar has it: DNS name or IP, optional port.
fn is_registry(s: &str) -> bool {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, after)) => {
                if ip.parse::<std::net::Ipv6Addr>().is_err() {
                    return false;
                }
                (None, after.strip_prefix(':'))
            }
            None => return false,
        }
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(s), None),
        }
    };
    let host_ok = host.is_none_or(|h| h.split('.').all(is_domain_component));
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    host_ok && port_ok
}

kind!(
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

fn check_image_ref(s: &str) -> Result<(), Invalid> {
    let bad = || {
        Invalid::new(format!("`{}` is not a valid image reference", shown(s))).help(
            "an image reference looks like `debian:bookworm` or `ghcr.io/org/image:1.0@sha256:...`",
        )
    };
    if s.len() > 400 || s.chars().any(|c| !c.is_ascii_graphic()) {
        return Err(bad());
    }
    let (name, digest) = match s.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (s, None),
    };
    if let Some(digest) = digest {
        let hex = digest.strip_prefix("sha256:").unwrap_or("");
        if check_sha256(hex).is_err() {
            return Err(
                Invalid::new(format!("`{}` has a malformed digest", shown(s)))
                    .help("a digest is `sha256:` followed by 64 lowercase hex digits"),
            );
        }
    }
    // The tag is after the last `:` that comes after the last `/` (a registry port is before it).
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    // The first component is a registry when it looks like a host (Docker's rule).
    let mut components: Vec<&str> = repo.split('/').collect();
    if components.len() > 1 {
        let first = components[0];
        if first.contains(['.', ':'])
            || first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase())
        {
            if !is_registry(first) {
                return Err(bad());
            }
            components.remove(0);
        }
    }
    if repo.len() > 255 || components.is_empty() || !components.iter().all(|c| is_path_component(c))
    {
        return Err(bad());
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
                return Err(Invalid::new(format!("`{}` has an invalid tag `{}`", shown(s), shown(tag)))
                    .help("a tag is letters, digits, `_`, `.` and `-`, at most 128, not starting with `.` or `-`"));
            }
        }
        None if digest.is_none() => {
            return Err(Invalid::new(format!("image `{}` has no tag or digest", shown(s))).help(format!(
                "name the version explicitly, for example `{}:bookworm` or `{}@sha256:...`; envc never assumes `latest`",
                shown(s),
                shown(s)
            )));
        }
        None => {}
    }
    Ok(())
}

/// An http(s) URL: scheme, host (DNS name or IP literal), optional port, then printable
/// ASCII without spaces, quotes, backslashes or angle brackets.
fn check_url(s: &str, what: &str, help: &str) -> Result<(), Invalid> {
    check_build_string(s)?;
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return Err(
            Invalid::new(format!("`{}` is not an http(s) URL", shown(s))).help(help.to_owned()),
        );
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.is_empty() {
        return Err(Invalid::new(format!("`{}` has no host", shown(s))));
    }
    if let Some((_, host)) = authority.rsplit_once('@') {
        // Never echo the credentials themselves.
        let scheme = if s.starts_with("https") {
            "https"
        } else {
            "http"
        };
        let redacted = format!("{scheme}://***@{host}{tail}");
        return Err(Invalid::new(format!("{what} `{}` holds credentials", shown(&redacted))).help(
            "a URL in the config is part of the image key, the emitted files and the lock; give credentials to the build host (netrc, a `--secret`) instead",
        ));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(Invalid::new(format!("`{}` contains whitespace", shown(s)))
            .help("percent-encode spaces in URLs as `%20`"));
    }
    if !is_registry(authority) {
        return Err(Invalid::new(format!(
            "`{}` has an invalid host `{}`",
            shown(s),
            shown(authority)
        ))
        .help(
            "a host is a DNS name (`deb.debian.org`) or an IP address, with an optional `:port`",
        ));
    }
    if let Some(c) = tail
        .chars()
        .find(|c| !c.is_ascii_graphic() || matches!(c, '"' | '\'' | '\\' | '<' | '>' | '`'))
    {
        return Err(
            Invalid::new(format!("`{}` contains `{}`", shown(s), c.escape_default())).help(
                "percent-encode it (`%xx`); URLs are printable ASCII without quotes or backslashes",
            ),
        );
    }
    Ok(())
}

fn check_download_url(s: &str) -> Result<(), Invalid> {
    check_url(
        s,
        "download URL",
        "downloads are fetched over `http://` or `https://`; copy local files with `source`",
    )
}

fn check_index_url(s: &str) -> Result<(), Invalid> {
    check_url(
        s,
        "index URL",
        "a package index is an `http://` or `https://` URL, such as `https://pypi.org/simple`",
    )
}

fn check_mirror_url(s: &str) -> Result<(), Invalid> {
    check_url(
        s,
        "mirror",
        "a mirror is an `http://` or `https://` URL, such as `http://deb.debian.org/debian`",
    )
}

pub(super) fn check_sha256(s: &str) -> Result<(), Invalid> {
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
        return Err(Invalid::new(format!("`{}` is not a SHA-256 digest", shown(s))).help(help));
    }
    Ok(())
}

fn check_address(s: &str) -> Result<(), Invalid> {
    if s.parse::<IpAddr>().is_err() {
        return Err(Invalid::new(format!("`{}` is not an IP address", shown(s))).help(
            "publish on an address such as `127.0.0.1` (this machine only) or `0.0.0.0` (every interface)",
        ));
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
