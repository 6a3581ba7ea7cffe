//! SPDX 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>) of an [`Inventory`].
//!
//! Plain serde types with exactly the fields of the SPDX 2.3 JSON Schema that envc fills
//! (no crate writes 2.3 JSON from types today; `spdx-rs` reads 2.2). The tests check the
//! output with SPDX's own validator (`pyspdxtools`) and the NTIA minimum-elements checker.
//!
//! Layout, as Syft writes an image's SBOM: the document `DESCRIBES` the image; the image
//! `CONTAINS` its base and every installed package (the relationship's comment names the
//! step that installs it); the base `CONTAINS` the packages it brought. Every license name
//! that is not on the SPDX list is declared in `hasExtractedLicensingInfos`.

use serde::Serialize;

use crate::escape::purl::spdx_id;

use super::inventory::{Component, Ecosystem, Inventory, Supplier};

/// The whole document.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    pub spdx_version: &'static str,
    pub data_license: &'static str,
    pub name: String,
    pub document_namespace: String,
    pub creation_info: CreationInfo,
    pub packages: Vec<Package>,
    pub relationships: Vec<Relationship>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub has_extracted_licensing_infos: Vec<ExtractedLicense>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationInfo {
    pub created: String,
    pub creators: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    pub name: String,
    pub version_info: String,
    pub supplier: String,
    pub download_location: String,
    pub files_analyzed: bool,
    pub license_concluded: String,
    pub license_declared: String,
    pub copyright_text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<Checksum>,
    pub external_refs: Vec<ExternalRef>,
    pub primary_package_purpose: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checksum {
    pub algorithm: &'static str,
    pub checksum_value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalRef {
    pub reference_category: &'static str,
    pub reference_type: &'static str,
    pub reference_locator: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub annotation_date: String,
    pub annotation_type: &'static str,
    pub annotator: String,
    pub comment: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    pub spdx_element_id: String,
    pub relationship_type: &'static str,
    pub related_spdx_element: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtractedLicense {
    pub license_id: String,
    pub extracted_text: String,
    pub name: String,
}

const NOASSERTION: &str = "NOASSERTION";
const IMAGE_ID: &str = "SPDXRef-image";

/// The tool named as the document's creator and annotator.
pub fn tool() -> String {
    concat!("Tool: envc-", env!("CARGO_PKG_VERSION")).to_owned()
}

/// A name fit for SPDX's `Person: NAME (EMAIL)` form: no parentheses, no control characters.
fn plain(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '(' | ')' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    match words.is_empty() {
        true => "unknown".to_owned(),
        false => words.join(" "),
    }
}

fn supplier(supplier: &Supplier) -> String {
    match supplier {
        Supplier::Person { name, email } => match email {
            Some(email) => format!("Person: {} ({})", plain(name), plain(email)),
            None => format!("Person: {}", plain(name)),
        },
        Supplier::Organization(name) => format!("Organization: {}", plain(name)),
    }
}

/// The SPDX ID of a component.
pub fn component_id(component: &Component) -> String {
    let rest = component
        .id
        .split_once(':')
        .map_or(component.id.as_str(), |(_, r)| r);
    spdx_id(component.ecosystem.name(), rest)
}

fn package(component: &Component) -> Package {
    let purpose = match component.ecosystem {
        Ecosystem::Base if component.purl.starts_with("pkg:oci/") => "CONTAINER",
        Ecosystem::Base if component.name.starts_with("debootstrap-") => "OPERATING-SYSTEM",
        Ecosystem::Base => "ARCHIVE",
        Ecosystem::Deb | Ecosystem::Pypi => "LIBRARY",
        Ecosystem::Download => "FILE",
    };
    Package {
        spdx_id: component_id(component),
        name: component.name.clone(),
        version_info: component.version.clone(),
        supplier: supplier(&component.supplier),
        download_location: component
            .download
            .clone()
            .unwrap_or_else(|| NOASSERTION.to_owned()),
        files_analyzed: false,
        license_concluded: NOASSERTION.to_owned(),
        license_declared: component
            .license
            .as_ref()
            .map_or(NOASSERTION.to_owned(), |l| l.expression.clone()),
        copyright_text: NOASSERTION.to_owned(),
        checksums: component
            .sha256
            .iter()
            .map(|hex| Checksum {
                algorithm: "SHA256",
                checksum_value: hex.clone(),
            })
            .collect(),
        external_refs: vec![ExternalRef {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: component.purl.clone(),
        }],
        primary_package_purpose: purpose,
        annotations: Vec::new(),
    }
}

/// The SPDX document of `inventory`, created at `created` (RFC 3339).
pub fn document(inventory: &Inventory, created: &str) -> Document {
    let subject = &inventory.subject;
    let annotation = |comment: String| Annotation {
        annotation_date: created.to_owned(),
        annotation_type: "OTHER",
        annotator: tool(),
        comment,
    };
    let mut annotations = vec![annotation(format!("dev.envc.key={}", subject.key))];
    if let Some(rootfs) = &subject.rootfs {
        annotations.push(annotation(format!("dev.envc.rootfs={rootfs}")));
    }
    if let Some(sif) = &subject.sif_sha256 {
        annotations.push(annotation(format!("dev.envc.sif=sha256:{sif}")));
    }
    let image = Package {
        spdx_id: IMAGE_ID.to_owned(),
        name: subject.name.clone(),
        version_info: subject.key.hex(),
        supplier: supplier(&Supplier::Organization("envc".into())),
        download_location: NOASSERTION.to_owned(),
        files_analyzed: false,
        license_concluded: NOASSERTION.to_owned(),
        license_declared: NOASSERTION.to_owned(),
        copyright_text: NOASSERTION.to_owned(),
        checksums: subject
            .image_id
            .iter()
            .filter_map(|id| id.strip_prefix("sha256:"))
            .map(|hex| Checksum {
                algorithm: "SHA256",
                checksum_value: hex.to_owned(),
            })
            .collect(),
        external_refs: vec![ExternalRef {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: subject.purl(),
        }],
        primary_package_purpose: "CONTAINER",
        annotations,
    };
    let mut relationships = vec![Relationship {
        spdx_element_id: "SPDXRef-DOCUMENT".into(),
        relationship_type: "DESCRIBES",
        related_spdx_element: IMAGE_ID.into(),
        comment: None,
    }];
    let base = inventory
        .components
        .iter()
        .find(|c| c.ecosystem == Ecosystem::Base)
        .map(component_id);
    for component in &inventory.components {
        let container = match (&base, component.in_base) {
            (Some(base), true) => base.clone(),
            _ => IMAGE_ID.to_owned(),
        };
        relationships.push(Relationship {
            spdx_element_id: container,
            relationship_type: "CONTAINS",
            related_spdx_element: component_id(component),
            comment: component
                .step
                .as_ref()
                .map(|s| format!("installed by step {}", plain(s))),
        });
    }
    let mut packages = vec![image];
    packages.extend(inventory.components.iter().map(package));
    let has_extracted_licensing_infos = inventory
        .license_refs()
        .into_iter()
        .map(|(id, name)| ExtractedLicense {
            license_id: id,
            extracted_text: format!(
                "The license named `{}` in the package's copyright file or metadata.",
                plain(&name)
            ),
            name: plain(&name),
        })
        .collect();
    let image_part = subject
        .image_id
        .as_deref()
        .and_then(|id| id.strip_prefix("sha256:"))
        .map_or("unbuilt".to_owned(), |hex| {
            hex[..hex.len().min(12)].to_owned()
        });
    Document {
        spdx_id: "SPDXRef-DOCUMENT".into(),
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        name: subject.name.clone(),
        document_namespace: format!(
            "{}/spdx/{}/{}-{image_part}",
            env!("CARGO_PKG_REPOSITORY"),
            crate::escape::purl::component(&subject.name),
            subject.key.hex()
        ),
        creation_info: CreationInfo {
            created: created.to_owned(),
            creators: vec![tool()],
        },
        packages,
        relationships,
        has_extracted_licensing_infos,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Key;
    use crate::supply::inventory::Subject;
    use crate::supply::license::License;

    /// A package a `run` step installed with a hostile name and maintainer cannot break the
    /// document's grammar: IDs, supplier and purl stay well-formed.
    #[test]
    fn hostile_names_stay_data() {
        let hostile = "x (y)\n#?@/\u{1b}[0m";
        let inventory = Inventory {
            subject: Subject {
                name: "envc/t".into(),
                variant: None,
                key: Key([7; 32]),
                platform: "linux/amd64".into(),
                image_id: Some(format!("sha256:{}", "a".repeat(64))),
                rootfs: None,
                sif_sha256: None,
            },
            components: vec![Component {
                id: format!("deb:{hostile}"),
                ecosystem: Ecosystem::Deb,
                name: hostile.into(),
                version: hostile.into(),
                purl: crate::escape::purl::purl(
                    "deb",
                    Some("debian"),
                    hostile,
                    Some(hostile),
                    &[("arch", "amd64")],
                ),
                sha256: Vec::new(),
                supplier: Supplier::Person {
                    name: hostile.into(),
                    email: Some("a)b(c".into()),
                },
                download: None,
                license: Some(License {
                    expression: crate::escape::purl::license_ref(hostile),
                    refs: vec![(crate::escape::purl::license_ref(hostile), hostile.into())],
                }),
                step: Some(format!("3 run {hostile}")),
                in_base: false,
            }],
        };
        let doc = document(&inventory, "2026-12-07T00:00:00Z");
        let id = regex::Regex::new(r"^SPDXRef-[A-Za-z0-9.\-]+$").unwrap();
        for p in &doc.packages {
            assert!(id.is_match(&p.spdx_id), "{}", p.spdx_id);
            assert!(!p.supplier[p.supplier.find(':').unwrap()..].contains(['\n', '\u{1b}']));
            assert_eq!(
                p.supplier.matches('(').count(),
                p.supplier.matches(')').count()
            );
            let purl = &p.external_refs[0].reference_locator;
            assert_eq!(purl.matches('?').count(), 1, "{purl}");
            assert!(!purl.contains(['#', '\n', ' ']), "{purl}");
        }
        assert_eq!(doc.packages[1].supplier, "Person: x y #?@/ [0m (a b c)");
        let text = serde_json::to_string(&doc).unwrap();
        assert!(!text.contains('\u{1b}'));
    }
}
