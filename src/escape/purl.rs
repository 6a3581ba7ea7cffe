//! Package URLs (purl, <https://github.com/package-url/purl-spec>) and SPDX element IDs: the
//! identifiers an SBOM gives each package.
//!
//! Package names, versions and URLs come from the lock and from the image (a `run` step can
//! install a package with any name), so every part is percent-encoded here, once: a `?`,
//! `#`, `@` or `/` in a version cannot add a qualifier or change the package's name, and an
//! SPDX ID keeps to the `[A-Za-z0-9.-]` its grammar allows.

use std::fmt::Write as _;

/// `text` percent-encoded for one purl component: everything but ASCII letters, digits and
/// `.-_~` becomes `%XX` (so a version's epoch `1:2.3` is `1%3A2.3`, as Syft writes it).
pub fn component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b".-_~".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A purl qualifier value: as [`component`], but `/` and `:` stay readable (URLs and
/// `sha256:` checksums; the purl spec allows both unencoded in qualifier values).
pub fn qualifier(text: &str) -> String {
    component(text).replace("%2F", "/").replace("%3A", ":")
}

/// `pkg:TYPE/[NAMESPACE/]NAME@VERSION?k=v&...`, every part encoded. Qualifiers are sorted by
/// key, as the spec's canonical form wants; empty values are left out.
pub fn purl(
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut out = format!("pkg:{}/", component(&kind.to_ascii_lowercase()));
    if let Some(namespace) = namespace {
        out.push_str(&component(namespace));
        out.push('/');
    }
    out.push_str(&component(name));
    if let Some(version) = version {
        out.push('@');
        out.push_str(&component(version));
    }
    let mut sorted: Vec<&(&str, &str)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    sorted.sort();
    for (i, (key, value)) in sorted.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(&component(&key.to_ascii_lowercase()));
        out.push('=');
        out.push_str(&qualifier(value));
    }
    out
}

/// An SPDX element ID `SPDXRef-<prefix>-<text>`: characters outside `[A-Za-z0-9.-]` become
/// `-` followed by their code point in hex, so two different names never share an ID.
pub fn spdx_id(prefix: &str, text: &str) -> String {
    let mut out = format!("SPDXRef-{prefix}-");
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
        } else {
            let _ = write!(out, "-{:x}-", c as u32);
        }
    }
    out
}

/// An SPDX `LicenseRef-` name for a license text that is not on the SPDX list.
pub fn license_ref(text: &str) -> String {
    let mut out = String::from("LicenseRef-");
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
            out.push(c);
        } else {
            let _ = write!(out, "-{:x}-", c as u32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb_purl_encodes_epoch_and_plus_like_syft() {
        assert_eq!(
            purl(
                "deb",
                Some("debian"),
                "git",
                Some("1:2.39.5-0+deb12u1"),
                &[("arch", "amd64")]
            ),
            "pkg:deb/debian/git@1%3A2.39.5-0%2Bdeb12u1?arch=amd64"
        );
    }

    #[test]
    fn hostile_parts_cannot_add_qualifiers_or_path_segments() {
        let p = purl(
            "pypi",
            None,
            "a/b?c=d#e",
            Some("1@2&x=y"),
            &[("k", "v&w=z#")],
        );
        assert_eq!(p, "pkg:pypi/a%2Fb%3Fc%3Dd%23e@1%402%26x%3Dy?k=v%26w%3Dz%23");
        assert_eq!(p.matches('?').count(), 1);
        assert!(!p.contains('#'));
    }

    #[test]
    fn qualifiers_sort_and_keep_urls_readable() {
        assert_eq!(
            purl(
                "oci",
                None,
                "debian",
                Some("sha256:ab"),
                &[("repository_url", "r.io/x/debian"), ("arch", "amd64")]
            ),
            "pkg:oci/debian@sha256%3Aab?arch=amd64&repository_url=r.io/x/debian"
        );
    }

    #[test]
    fn spdx_ids_keep_to_the_grammar_and_stay_distinct() {
        let a = spdx_id("deb", "libstdc++6");
        let b = spdx_id("deb", "libstdc--6");
        assert_ne!(a, b);
        let grammar = regex::Regex::new(r"^SPDXRef-[A-Za-z0-9.\-]+$").unwrap();
        for id in [a, b, spdx_id("pypi", "a b\n\u{1b}ä"), spdx_id("x", "")] {
            assert!(grammar.is_match(&id), "{id}");
        }
        assert!(
            regex::Regex::new(r"^LicenseRef-[A-Za-z0-9.\-]+$")
                .unwrap()
                .is_match(&license_ref("public domain\n(see)"))
        );
    }
}
