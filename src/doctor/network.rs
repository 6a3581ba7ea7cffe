//! The checks about the network: proxy variables (well-formed, and whether they carry
//! credentials, which are never printed), the host's CA bundle, and the cache registry.

use super::{Check, Needs};
use crate::error_chain::error_chain;

/// The proxy variables envc passes to build steps and environments.
const PROXY: &[&str] = crate::host::PROXY_VARIABLES;

/// A proxy URL with its user and password replaced by `***`.
pub fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}{path}"),
                None => url.to_owned(),
            }
        }
        None => match url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => url.to_owned(),
        },
    }
}

/// Why a proxy URL is not one, if it is not.
fn proxy_problem(url: &str) -> Option<String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some("has no scheme (write `http://host:port`)".into());
    };
    if !matches!(
        scheme.to_ascii_lowercase().as_str(),
        "http" | "https" | "socks5" | "socks5h" | "socks4"
    ) {
        return Some(format!(
            "has the scheme `{scheme}`; use `http://`, `https://` or `socks5://`"
        ));
    }
    let authority = rest.split('/').next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.is_empty() {
        return Some("has no host".into());
    }
    if host_port
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Some("contains whitespace".into());
    }
    if let Some((_, port)) = host_port.rsplit_once(':')
        && !host_port.ends_with(']')
        && port.parse::<u16>().is_err()
    {
        return Some("has a port that is not a number".into());
    }
    None
}

pub fn proxy() -> Check {
    const NAME: &str = "proxy";
    let mut seen = Vec::new();
    let mut problems = Vec::new();
    let mut credentials = Vec::new();
    for name in PROXY {
        let Ok(value) = std::env::var(name) else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        if name.eq_ignore_ascii_case("NO_PROXY") {
            seen.push(format!("{name} set"));
            continue;
        }
        let shown = redact(&value);
        if let Some(problem) = proxy_problem(&value) {
            problems.push(format!("`{name}={shown}` {problem}"));
        }
        if shown != value {
            credentials.push((*name).to_owned());
        }
        seen.push(format!("{name}={shown}"));
    }
    if !problems.is_empty() {
        return Check::fail(
            NAME,
            problems.join("; "),
            "fix the variable (for example `export HTTPS_PROXY=http://proxy.example:3128`) or unset it",
        );
    }
    if seen.is_empty() {
        return Check::pass(NAME, "no proxy variables set (direct connections)");
    }
    if !credentials.is_empty() {
        return Check::warn(
            NAME,
            format!("{} (credentials not shown)", seen.join(", ")),
            format!(
                "{} carry credentials: `run.proxy` / `build_host.proxy` pass them into containers (never into images); prefer a proxy that needs none, or one per-user variable",
                credentials.join(", ")
            ),
        );
    }
    Check::pass(NAME, seen.join(", "))
}

/// The host's CA bundle (what `build_host.ca_certificates` and `run.ca_certificates` mount).
pub fn ca_certificates(needs: &Needs) -> Check {
    const NAME: &str = "ca-certificates";
    for var in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"] {
        if let Ok(value) = std::env::var(var)
            && !value.is_empty()
            && !std::path::Path::new(&value).is_file()
        {
            return Check::fail(
                NAME,
                format!("`{var}` names `{value}`, which is not a file"),
                format!(
                    "point `{var}` at the CA bundle (Debian: /etc/ssl/certs/ca-certificates.crt) or unset it"
                ),
            );
        }
    }
    match crate::host::find_ca_bundle() {
        Some(bundle) => {
            let count = std::fs::read_to_string(&bundle)
                .map(|t| t.matches("BEGIN CERTIFICATE").count())
                .unwrap_or(0);
            if count == 0 {
                return Check::fail(
                    NAME,
                    format!("`{}` holds no certificate", bundle.display()),
                    "reinstall `ca-certificates` (`sudo update-ca-certificates`)",
                );
            }
            let used = if needs.ca_certificates {
                "the config mounts it into containers"
            } else {
                "behind a TLS-intercepting proxy, enable `build_host.ca_certificates` and `run.ca_certificates` (or import <envc/proxy-ca.nix>)"
            };
            Check::pass(
                NAME,
                format!("{} ({count} certificates); {used}", bundle.display()),
            )
        }
        None => Check::missing(
            NAME,
            needs.ca_certificates,
            "no CA bundle found on the host",
            "`sudo apt-get install ca-certificates`, or set `SSL_CERT_FILE` to your bundle",
        ),
    }
}

/// The cache registry answers the registry API (`GET /v2/`: 200, or 401 asking for
/// credentials). Named by `ENVC_CACHE_REGISTRY` (`host:port` or a URL); the config's
/// `cache.registry` takes over once the config has it.
pub async fn cache_registry() -> Check {
    const NAME: &str = "cache-registry";
    let Some(registry) = std::env::var("ENVC_CACHE_REGISTRY")
        .ok()
        .filter(|v| !v.is_empty())
    else {
        return Check::pass(NAME, "no cache registry configured (`ENVC_CACHE_REGISTRY`)");
    };
    let base = if registry.contains("://") {
        registry.trim_end_matches('/').to_owned()
    } else {
        // Like the docker CLI: plain HTTP only for loopback, else TLS.
        let local = registry.starts_with("localhost") || registry.starts_with("127.");
        format!("{}://{registry}", if local { "http" } else { "https" })
    };
    let shown = redact(&base);
    let url = format!("{base}/v2/");
    let host = base.split_once("://").map_or("", |(_, rest)| rest);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let loopback =
        host.starts_with("localhost") || host.starts_with("127.") || host.starts_with("[::1]");
    let mut builder = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10));
    if loopback {
        // A proxy cannot reach this machine's loopback.
        builder = builder.no_proxy();
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => return Check::fail(NAME, format!("no HTTP client: {e}"), "check the TLS setup"),
    };
    match client.get(&url).send().await {
        Ok(resp) if resp.status().is_success() || resp.status().as_u16() == 401 => {
            let api = resp
                .headers()
                .get("docker-distribution-api-version")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("no API version header")
                .to_owned();
            Check::pass(NAME, format!("{shown} answers ({}, {api})", resp.status()))
        }
        Ok(resp) => Check::fail(
            NAME,
            format!("{shown}/v2/ answered {}", resp.status()),
            "is it a container registry? `ENVC_CACHE_REGISTRY` takes `host:port` of one",
        ),
        Err(e) => Check::fail(
            NAME,
            format!(
                "cannot reach {shown}: {}",
                without_credentials(&error_chain(&e))
            ),
            "start the registry or fix `ENVC_CACHE_REGISTRY` (`host:port`; `http://` for a plain-HTTP one)",
        ),
    }
}

/// A message with every URL in it redacted (reqwest's messages repeat URLs, which may hold
/// credentials).
fn without_credentials(message: &str) -> String {
    message
        .split_inclusive(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '"' | '\'' | '`'))
        .map(|part| {
            let end = part.trim_end_matches(|c: char| {
                c.is_whitespace() || matches!(c, '(' | ')' | '"' | '\'' | '`')
            });
            let tail = &part[end.len()..];
            if end.contains('@') {
                format!("{}{tail}", redact(end))
            } else {
                part.to_owned()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_lose_their_credentials() {
        assert_eq!(
            without_credentials("error sending request for url (http://u:p@h:1/v2/): refused"),
            "error sending request for url (http://***@h:1/v2/): refused"
        );
    }

    #[test]
    fn credentials_are_never_shown() {
        assert_eq!(
            redact("http://alice:s3cret@proxy.corp:3128/"),
            "http://***@proxy.corp:3128/"
        );
        assert_eq!(redact("http://proxy:3128"), "http://proxy:3128");
        assert_eq!(redact("bob:pw@proxy:8080"), "***@proxy:8080");
        assert_eq!(redact("http://a:b@c@host:1"), "http://***@host:1");
    }

    #[test]
    fn proxy_shapes() {
        assert!(proxy_problem("http://proxy:3128").is_none());
        assert!(proxy_problem("socks5h://[::1]:1080").is_none());
        assert!(proxy_problem("proxy:3128").is_some());
        assert!(proxy_problem("ftp://proxy:21").is_some());
        assert!(proxy_problem("http://proxy:port").is_some());
        assert!(proxy_problem("http://").is_some());
    }
}
