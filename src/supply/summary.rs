//! The SBOM in a few lines, for `envc audit --sbom`: how many components carry each license,
//! and how each ecosystem's inputs are pinned (by content hash, or by version only, which
//! trusts the archive to serve the same bytes for a version: apt's case, where the
//! archive's signed index holds the hash).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::inventory::Inventory;

/// Counts per license and per pin kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// SPDX expression (or `NOASSERTION`) → number of components.
    pub licenses: BTreeMap<String, usize>,
    /// Ecosystem → pin kind (`hash`, `version`) → number of components.
    pub pins: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    /// Whether licenses were read from a built image.
    pub built: bool,
}

impl Summary {
    pub fn of(inventory: &Inventory) -> Summary {
        let mut summary = Summary {
            built: inventory.subject.image_id.is_some(),
            ..Summary::default()
        };
        for c in &inventory.components {
            let license = c
                .license
                .as_ref()
                .map_or("NOASSERTION".to_owned(), |l| l.expression.clone());
            *summary.licenses.entry(license).or_default() += 1;
            let pin = if c.sha256.is_empty() {
                "version"
            } else {
                "hash"
            };
            *summary
                .pins
                .entry(c.ecosystem.name())
                .or_default()
                .entry(pin)
                .or_default() += 1;
        }
        summary
    }

    /// The plain-text section (names are SPDX expressions or `LicenseRef-`s: printable).
    pub fn to_text(&self) -> String {
        let mut out = String::from("\nSBOM LICENSES\n");
        if !self.built {
            out.push_str("  (not built: licenses are read from the built image)\n");
        }
        let mut licenses: Vec<(&String, &usize)> = self.licenses.iter().collect();
        licenses.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (license, count) in licenses {
            let _ = writeln!(out, "  {count:5}  {license}");
        }
        out.push_str("\nSBOM PINS\n");
        for (ecosystem, pins) in &self.pins {
            let hash = pins.get("hash").copied().unwrap_or(0);
            let version = pins.get("version").copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "  {ecosystem:8}  {hash} by hash, {version} by version only"
            );
        }
        out
    }
}
