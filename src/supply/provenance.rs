//! SLSA Provenance v1 (<https://slsa.dev/spec/v1.0/provenance>) in an in-toto Statement v1
//! (<https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md>).
//!
//! - `subject`: the finished image by its ID (what `docker inspect` shows) and, when built,
//!   the cached SIF by its SHA-256;
//! - `buildDefinition`: the config files and `envc.lock` by digest and the variant (what the
//!   user controls: `externalParameters`), envc's version, the platform, the plan key and
//!   the lock entry's own checksums (`internalParameters`); `resolvedDependencies` are the
//!   locked inputs, each by purl and digest where the lock has one;
//! - `runDetails`: envc as the builder, and the start and end of the build that made the
//!   image, from the project's events file.
//!
//! The statement is unsigned: signing is `envc sign`'s job (a DSSE envelope around these
//! bytes).

use serde_json::{Map, Value, json};

use super::gather::Gathered;
use super::time::rfc3339;
use super::{SupplyError, inventory::Inventory};

/// What kind of build this is: the template `buildDefinition` follows.
pub const BUILD_TYPE: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/provenance/build/v1");
/// Who built: envc on the machine it ran on.
pub const BUILDER_ID: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/builder/local");

/// The statement as JSON.
pub fn statement(gathered: &Gathered, inventory: &Inventory) -> Result<Value, SupplyError> {
    let plan = &gathered.plan;
    let Some(built) = &gathered.built else {
        return Err(SupplyError::NotBuilt {
            reference: crate::plan::manifest::image_tag(&plan.image_name(), &plan.key()),
        });
    };
    let hex = |digest: &str| digest.strip_prefix("sha256:").unwrap_or(digest).to_owned();
    let mut subject = vec![json!({
        "name": built.reference,
        "digest": { "sha256": hex(&built.id) },
    })];
    if let Some(sif) = &built.sif_sha256 {
        subject.push(json!({
            "name": format!("{}.sif", plan.key().hex()),
            "digest": { "sha256": sif },
        }));
    }
    let file = |f: &super::gather::ProjectFile| json!({ "path": f.name, "digest": { "sha256": f.sha256.hex() } });
    let mut external = Map::new();
    external.insert(
        "config".into(),
        Value::Array(gathered.config_files.iter().map(file).collect()),
    );
    external.insert("lock".into(), file(&gathered.lock_file));
    if let Some(variant) = &plan.variant {
        external.insert("variant".into(), json!(variant));
    }
    let mut internal = json!({
        "envcVersion": env!("CARGO_PKG_VERSION"),
        "platform": plan.platform,
        "key": plan.key().hex(),
        "lockConfig": gathered.entry.config.to_string(),
    });
    if let Some(pins) = &gathered.entry.pins {
        internal["lockPins"] = json!(pins.to_string());
    }
    if let Some(rootfs) = &built.rootfs {
        internal["rootfs"] = json!(rootfs);
    }
    let dependencies: Vec<Value> = inventory
        .components
        .iter()
        .map(|c| {
            let mut d = json!({ "uri": c.purl, "name": c.name });
            if let Some(sha256) = c.sha256.first() {
                d["digest"] = json!({ "sha256": sha256 });
            }
            d
        })
        .collect();
    let mut run_details = json!({
        "builder": { "id": BUILDER_ID, "version": { "envc": env!("CARGO_PKG_VERSION") } },
    });
    if let Some(run) = &gathered.run {
        run_details["metadata"] = json!({
            "invocationId": run.id,
            "startedOn": rfc3339((run.started_ms / 1000) as i64),
            "finishedOn": rfc3339(run.finished_ms.div_ceil(1000) as i64),
        });
    }
    Ok(json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subject,
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": external,
                "internalParameters": internal,
                "resolvedDependencies": dependencies,
            },
            "runDetails": run_details,
        },
    }))
}
