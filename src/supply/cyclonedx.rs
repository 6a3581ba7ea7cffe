//! CycloneDX 1.5 JSON (<https://cyclonedx.org/docs/1.5/json/>) of an [`Inventory`].
//!
//! Serde types with exactly the schema's field names for what envc fills; the tests
//! validate the output against the official 1.5 schema in strict mode (the CycloneDX
//! project's own `cyclonedx-python-lib` validator). The `cyclonedx-bom` crate was weighed
//! and left out: it would add a dependency tree for about a hundred lines of plain data, and
//! the schema, not the crate, is what consumers check.
//!
//! The image is `metadata.component`; every locked input is a component with its purl,
//! hashes, license and (as the `dev.envc:step` property) the step that installs it; the
//! `dependencies` graph says that the image is made of its base and installed packages, and
//! the base of the packages it brought.

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::inventory::{Component as Input, Ecosystem, Inventory, Supplier};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    pub bom_format: &'static str,
    pub spec_version: &'static str,
    pub serial_number: String,
    pub version: u32,
    pub metadata: Metadata,
    pub components: Vec<Component>,
    pub dependencies: Vec<Dependency>,
}

#[derive(Debug, Serialize)]
pub struct Metadata {
    pub timestamp: String,
    pub tools: Tools,
    pub component: Component,
}

#[derive(Debug, Serialize)]
pub struct Tools {
    pub components: Vec<Component>,
}

#[derive(Debug, Default, Serialize)]
pub struct Component {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Entity>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    pub external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

#[derive(Debug, Serialize)]
pub struct Entity {
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct Hash {
    pub alg: &'static str,
    pub content: String,
}

/// One `licenses` entry: a listed SPDX ID, a name, or an expression (alone in its array).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum LicenseChoice {
    License { license: License },
    Expression { expression: String },
}

#[derive(Debug, Serialize)]
pub struct License {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ExternalReference {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct Property {
    pub name: &'static str,
    pub value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    #[serde(rename = "ref")]
    pub reference: String,
    pub depends_on: Vec<String>,
}

const IMAGE_REF: &str = "image";

/// A version-5-shaped UUID from a hash of `seed`: the same BOM gets the same serial number.
fn uuid_from(seed: &str) -> String {
    let mut b: [u8; 16] = Sha256::digest(seed.as_bytes())[..16]
        .try_into()
        .expect("16 bytes");
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn licenses(input: &Input) -> Vec<LicenseChoice> {
    let Some(license) = &input.license else {
        return Vec::new();
    };
    let choice = match license.single_id() {
        Some(id) => LicenseChoice::License {
            license: License {
                id: Some(id.to_owned()),
                name: None,
            },
        },
        None => LicenseChoice::Expression {
            expression: license.expression.clone(),
        },
    };
    vec![choice]
}

fn component(input: &Input) -> Component {
    let kind = match input.ecosystem {
        Ecosystem::Base if input.purl.starts_with("pkg:oci/") => "container",
        Ecosystem::Base if input.name.starts_with("debootstrap-") => "operating-system",
        Ecosystem::Base | Ecosystem::Download => "file",
        Ecosystem::Deb | Ecosystem::Pypi => "library",
    };
    let mut properties = vec![Property {
        name: "dev.envc:ecosystem",
        value: input.ecosystem.name().to_owned(),
    }];
    if let Some(step) = &input.step {
        properties.push(Property {
            name: "dev.envc:step",
            value: step.clone(),
        });
    }
    Component {
        kind,
        bom_ref: Some(input.id.clone()),
        supplier: Some(Entity {
            name: match &input.supplier {
                Supplier::Person { name, .. } | Supplier::Organization(name) => name.clone(),
            },
        }),
        name: input.name.clone(),
        version: Some(input.version.clone()),
        hashes: input
            .sha256
            .iter()
            .map(|hex| Hash {
                alg: "SHA-256",
                content: hex.clone(),
            })
            .collect(),
        licenses: licenses(input),
        purl: Some(input.purl.clone()),
        external_references: input
            .download
            .iter()
            .map(|url| ExternalReference {
                kind: "distribution",
                url: url.clone(),
            })
            .collect(),
        properties,
    }
}

/// The CycloneDX BOM of `inventory`, made at `timestamp` (RFC 3339).
pub fn bom(inventory: &Inventory, timestamp: &str) -> Bom {
    let subject = &inventory.subject;
    let mut properties = vec![Property {
        name: "dev.envc:key",
        value: subject.key.hex(),
    }];
    if let Some(rootfs) = &subject.rootfs {
        properties.push(Property {
            name: "dev.envc:rootfs",
            value: rootfs.clone(),
        });
    }
    if let Some(sif) = &subject.sif_sha256 {
        properties.push(Property {
            name: "dev.envc:sif-sha256",
            value: sif.clone(),
        });
    }
    let image = Component {
        kind: "container",
        bom_ref: Some(IMAGE_REF.to_owned()),
        name: subject.name.clone(),
        version: Some(subject.key.hex()),
        hashes: subject
            .image_id
            .iter()
            .filter_map(|id| id.strip_prefix("sha256:"))
            .map(|hex| Hash {
                alg: "SHA-256",
                content: hex.to_owned(),
            })
            .collect(),
        purl: Some(subject.purl()),
        properties,
        ..Default::default()
    };
    let base = inventory
        .components
        .iter()
        .find(|c| c.ecosystem == Ecosystem::Base)
        .map(|c| c.id.clone());
    let (in_base, on_top): (Vec<&Input>, Vec<&Input>) = inventory
        .components
        .iter()
        .partition(|c| c.in_base && base.is_some());
    let mut dependencies = vec![Dependency {
        reference: IMAGE_REF.to_owned(),
        depends_on: on_top.iter().map(|c| c.id.clone()).collect(),
    }];
    if let Some(base) = base {
        dependencies.push(Dependency {
            reference: base,
            depends_on: in_base.iter().map(|c| c.id.clone()).collect(),
        });
    }
    let seed = format!(
        "cyclonedx {} {} {timestamp}",
        subject.key,
        subject.image_id.as_deref().unwrap_or("")
    );
    Bom {
        bom_format: "CycloneDX",
        spec_version: "1.5",
        serial_number: uuid_from(&seed),
        version: 1,
        metadata: Metadata {
            timestamp: timestamp.to_owned(),
            tools: Tools {
                components: vec![Component {
                    kind: "application",
                    name: "envc".into(),
                    version: Some(env!("CARGO_PKG_VERSION").into()),
                    ..Default::default()
                }],
            },
            component: image,
        },
        components: inventory.components.iter().map(component).collect(),
        dependencies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_numbers_match_the_schema_pattern() {
        let re = regex::Regex::new(
            r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        .unwrap();
        for seed in ["", "a", "\u{1b}\n"] {
            assert!(re.is_match(&uuid_from(seed)), "{}", uuid_from(seed));
        }
        assert_eq!(uuid_from("a"), uuid_from("a"));
    }
}
