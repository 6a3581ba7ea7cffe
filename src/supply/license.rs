//! Licenses as SPDX expressions: from Debian's machine-readable copyright files (DEP-5,
//! `/usr/share/doc/PKG/copyright`) and from Python distribution metadata.
//!
//! Debian's short names (`GPL-2+`, `Expat`, `BSD-3-clause`) are not all SPDX identifiers,
//! and SBOM validators refuse an expression with an unknown identifier. So every name is
//! mapped: to its SPDX identifier when there is one ([`spdx_id`]), else to a `LicenseRef-`
//! that the SBOM declares with the text it came from (see [`License::refs`]). A copyright
//! file that is not DEP-5, or metadata without a license, gives no license (`NOASSERTION`).

use std::collections::BTreeSet;

use crate::escape::purl::license_ref;

/// A package's declared license: an SPDX expression, and the `LicenseRef-`s it uses, each
/// with the original name it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct License {
    pub expression: String,
    pub refs: Vec<(String, String)>,
}

impl License {
    /// The expression is one SPDX identifier from the license list (CycloneDX `license.id`).
    pub fn single_id(&self) -> Option<&str> {
        let e = self.expression.as_str();
        (!e.contains(' ') && !e.starts_with("LicenseRef-")).then_some(e)
    }
}

/// SPDX identifiers envc recognises, with Debian's and Python's spellings of them.
const NAMES: &[(&str, &str)] = &[
    ("gpl-1", "GPL-1.0-only"),
    ("gpl-1+", "GPL-1.0-or-later"),
    ("gpl-2", "GPL-2.0-only"),
    ("gpl-2+", "GPL-2.0-or-later"),
    ("gpl-3", "GPL-3.0-only"),
    ("gpl-3+", "GPL-3.0-or-later"),
    ("gpl-2.0", "GPL-2.0-only"),
    ("gpl-2.0+", "GPL-2.0-or-later"),
    ("gpl-3.0", "GPL-3.0-only"),
    ("gpl-3.0+", "GPL-3.0-or-later"),
    ("lgpl-2.0", "LGPL-2.0-only"),
    ("lgpl-2.0+", "LGPL-2.0-or-later"),
    ("lgpl-3.0", "LGPL-3.0-only"),
    ("lgpl-3.0+", "LGPL-3.0-or-later"),
    ("lgpl-2", "LGPL-2.0-only"),
    ("lgpl-2+", "LGPL-2.0-or-later"),
    ("lgpl-2.1", "LGPL-2.1-only"),
    ("lgpl-2.1+", "LGPL-2.1-or-later"),
    ("lgpl-3", "LGPL-3.0-only"),
    ("lgpl-3+", "LGPL-3.0-or-later"),
    ("agpl-3", "AGPL-3.0-only"),
    ("agpl-3+", "AGPL-3.0-or-later"),
    ("gfdl-1.2", "GFDL-1.2-only"),
    ("gfdl-1.2+", "GFDL-1.2-or-later"),
    ("gfdl-1.3", "GFDL-1.3-only"),
    ("gfdl-1.3+", "GFDL-1.3-or-later"),
    ("apache-2", "Apache-2.0"),
    ("apache-2.0", "Apache-2.0"),
    ("apache 2.0", "Apache-2.0"),
    ("apache software license", "Apache-2.0"),
    ("artistic", "Artistic-1.0-Perl"),
    ("artistic-2", "Artistic-2.0"),
    ("artistic-2.0", "Artistic-2.0"),
    ("bsd-2-clause", "BSD-2-Clause"),
    ("bsd-3-clause", "BSD-3-Clause"),
    ("bsd-4-clause", "BSD-4-Clause"),
    ("bsl-1.0", "BSL-1.0"),
    ("cc0", "CC0-1.0"),
    ("cc0-1.0", "CC0-1.0"),
    ("cc-by-3.0", "CC-BY-3.0"),
    ("cc-by-4.0", "CC-BY-4.0"),
    ("cc-by-sa-3.0", "CC-BY-SA-3.0"),
    ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
    ("curl", "curl"),
    ("expat", "MIT"),
    ("mit", "MIT"),
    ("mit license", "MIT"),
    ("fsfap", "FSFAP"),
    ("fsful", "FSFUL"),
    ("fsfullr", "FSFULLR"),
    ("isc", "ISC"),
    ("isc license", "ISC"),
    ("mpl-1.1", "MPL-1.1"),
    ("mpl-2.0", "MPL-2.0"),
    ("ofl-1.1", "OFL-1.1"),
    ("openssl", "OpenSSL"),
    ("psf", "PSF-2.0"),
    ("psf-2", "PSF-2.0"),
    ("psf-2.0", "PSF-2.0"),
    ("python-2.0", "Python-2.0"),
    ("unlicense", "Unlicense"),
    ("wtfpl", "WTFPL"),
    ("x11", "X11"),
    ("zlib", "Zlib"),
    ("0bsd", "0BSD"),
    ("unicode-dfs-2016", "Unicode-DFS-2016"),
];

/// The SPDX identifier of a license name, when envc knows one.
pub fn spdx_id(name: &str) -> Option<&'static str> {
    let lower = name.trim().to_ascii_lowercase();
    NAMES
        .iter()
        .find(|(alias, id)| *alias == lower || id.to_ascii_lowercase() == lower)
        .map(|(_, id)| *id)
}

/// Collects names into one expression: each distinct name once, joined with `AND` (a
/// package whose files carry several licenses is under all of them).
#[derive(Default)]
struct Builder {
    terms: BTreeSet<String>,
    refs: BTreeSet<(String, String)>,
}

impl Builder {
    /// One term: a name, or a simple `A or B` / `A and B` choice of names.
    fn add(&mut self, value: &str) {
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.is_empty() {
            return;
        }
        let words: Vec<&str> = value.split(' ').collect();
        let simple_choice = words.len() >= 3
            && words.len() % 2 == 1
            && words
                .iter()
                .skip(1)
                .step_by(2)
                .all(|w| w.eq_ignore_ascii_case("or") || w.eq_ignore_ascii_case("and"));
        if simple_choice {
            let parts: Vec<String> = words
                .iter()
                .enumerate()
                .map(|(i, w)| match i % 2 {
                    0 => self.name(w.trim_end_matches(',')),
                    _ => w.to_ascii_uppercase(),
                })
                .collect();
            self.terms.insert(format!("({})", parts.join(" ")));
        } else {
            let term = self.name(&value);
            self.terms.insert(term);
        }
    }

    fn name(&mut self, name: &str) -> String {
        match spdx_id(name) {
            Some(id) => id.to_owned(),
            None => {
                let r = license_ref(name);
                self.refs.insert((r.clone(), name.to_owned()));
                r
            }
        }
    }

    fn finish(self) -> Option<License> {
        if self.terms.is_empty() {
            return None;
        }
        let terms: Vec<String> = self.terms.into_iter().collect();
        let expression = match terms.as_slice() {
            [one] => one.trim_start_matches('(').trim_end_matches(')').to_owned(),
            _ => terms.join(" AND "),
        };
        Some(License {
            expression,
            refs: self.refs.into_iter().collect(),
        })
    }
}

/// The license of a Debian package from its `copyright` file, when it is DEP-5: the
/// `License:` first lines of its `Files:` paragraphs (stand-alone `License:` paragraphs
/// only give texts and are skipped).
pub fn from_dep5(copyright: &str) -> Option<License> {
    let mut paragraphs = copyright.split("\n\n");
    let header = paragraphs.next()?;
    if !header
        .lines()
        .any(|l| l.starts_with("Format:") && l.contains("copyright-format"))
    {
        return from_common_licenses(copyright);
    }
    let mut builder = Builder::default();
    for paragraph in copyright.split("\n\n") {
        let has_files = paragraph.lines().any(|l| l.starts_with("Files:"));
        if !has_files {
            continue;
        }
        if let Some(value) = paragraph.lines().find_map(|l| l.strip_prefix("License:")) {
            builder.add(value);
        }
    }
    builder.finish()
}

/// The license of a free-form copyright file: the texts it points to in
/// `/usr/share/common-licenses/` (`GPL-2`, `Apache-2.0`), as Syft reads them; none when it
/// points to none.
fn from_common_licenses(copyright: &str) -> Option<License> {
    const PREFIX: &str = "/usr/share/common-licenses/";
    let mut builder = Builder::default();
    for (at, _) in copyright.match_indices(PREFIX) {
        let name: String = copyright[at + PREFIX.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
            .collect();
        let name = name.trim_end_matches('.');
        if !name.is_empty() {
            builder.add(name);
        }
    }
    builder.finish()
}

/// The license of a Python distribution from its `METADATA`: `License-Expression` (PEP
/// 639), else a short `License:` field, else the `License ::` classifiers.
pub fn from_python_metadata(metadata: &str) -> Option<License> {
    // The headers end at the first empty line; the description follows.
    let headers = metadata.split("\n\n").next().unwrap_or("");
    let field = |name: &'static str| {
        headers
            .lines()
            .filter_map(move |l| l.strip_prefix(name).map(str::trim))
            .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("unknown"))
    };
    let mut builder = Builder::default();
    if let Some(expression) = field("License-Expression:").next() {
        builder.add(expression);
        return builder.finish();
    }
    // A whole license text pasted into `License:` is not a name.
    if let Some(value) = field("License:").next().filter(|v| v.len() <= 40) {
        builder.add(value);
        return builder.finish();
    }
    for classifier in field("Classifier:") {
        if let Some(name) = classifier.strip_prefix("License ::") {
            let name = name.rsplit("::").next().unwrap_or(name).trim();
            builder.add(name);
        }
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEP5: &str = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: x\n\nFiles: *\nCopyright: 2000 A\nLicense: GPL-2+\n\nFiles: lib/*\nCopyright: B\nLicense: Expat or Artistic\n\nFiles: debian/*\nLicense: GPL-2+\n\nLicense: GPL-2+\n This program is free software\n";

    #[test]
    fn dep5_licenses_map_to_spdx_and_join_with_and() {
        let license = from_dep5(DEP5).unwrap();
        assert_eq!(
            license.expression,
            "(MIT OR Artistic-1.0-Perl) AND GPL-2.0-or-later"
        );
        assert!(license.refs.is_empty());
    }

    #[test]
    fn unknown_and_hostile_names_become_declared_refs() {
        let text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: public-domain\n\nFiles: x\nLicense: GPL-2+ with OpenSSL) AND (MIT exception\n";
        let license = from_dep5(text).unwrap();
        let grammar =
            regex::Regex::new(r"^(LicenseRef-[A-Za-z0-9.\-]+)( AND LicenseRef-[A-Za-z0-9.\-]+)*$")
                .unwrap();
        assert!(
            grammar.is_match(&license.expression),
            "{}",
            license.expression
        );
        assert_eq!(license.refs.len(), 2);
    }

    #[test]
    fn a_free_form_copyright_file_gives_the_common_licenses_it_names() {
        assert_eq!(
            from_dep5("This package was debianized by ...\n\nGPL\n"),
            None
        );
        let text = "hello\n\nsee `/usr/share/common-licenses/GPL-3'.\nand /usr/share/common-licenses/GFDL.\n";
        assert_eq!(
            from_dep5(text).unwrap().expression,
            "GPL-3.0-only AND LicenseRef-GFDL"
        );
    }

    #[test]
    fn python_metadata_prefers_expression_then_field_then_classifiers() {
        assert_eq!(
            from_python_metadata("Name: a\nLicense-Expression: MIT\nLicense: BSD\n\nbody")
                .unwrap()
                .expression,
            "MIT"
        );
        assert_eq!(
            from_python_metadata("Name: six\nLicense: MIT\n")
                .unwrap()
                .expression,
            "MIT"
        );
        let c = "Name: x\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: Apache Software License\n";
        assert_eq!(from_python_metadata(c).unwrap().expression, "Apache-2.0");
        assert_eq!(from_python_metadata("Name: x\n"), None);
    }
}
