//! The run manifest: everything `envc up`, `run` and `shell` need to start an environment,
//! derived from the plan and the spec's run side, with host placeholders still unfilled.
//!
//! It is the contract between the compiler and the runtime stages: the runtime reads only
//! this, so what is started can be audited from one file (`envc emit` writes it as
//! `manifest.json`). It names images by key, never by a floating tag. Versioned; its JSON
//! Schema comes from [`schema`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::key::Key;
use super::planner::{Plan, ServiceImage};
use crate::spec::Spec;
use crate::spec::model::{
    ApptainerTarget, EnvName, Healthcheck, RunSpec, RunString, ServicePort, Volume,
};

/// The manifest format version.
pub const MANIFEST_VERSION: u32 = 1;

/// How to start one environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunManifest {
    /// The format version (currently 1).
    pub version: u32,
    /// The environment's name.
    pub name: String,
    /// The variant, when one was applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The platform the images are built for.
    pub platform: String,
    /// The image of each enabled target.
    pub images: TargetImages,
    /// How the main container runs (placeholders unfilled).
    pub run: RunSpec,
    /// Sidecar containers, by name.
    #[serde(default)]
    pub services: BTreeMap<String, ServiceManifest>,
    /// How the Apptainer image is run.
    pub apptainer: ApptainerTarget,
}

/// Images per target; a disabled target is absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetImages {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<DockerImage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apptainer: Option<ApptainerImage>,
}

/// The Docker image of an environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DockerImage {
    /// The plan key: the image carries it as the label `dev.envc.key`.
    pub key: Key,
    /// The tag `envc build` gives the finished image: `envc/<name>[-<variant>]:<short key>`.
    pub tag: String,
}

/// The Apptainer image of an environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApptainerImage {
    /// The plan key, recorded inside the SIF.
    pub key: Key,
    /// The SIF's path relative to envc's cache folder: `sif/<key>.sif`.
    pub sif: String,
}

/// How a sidecar runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceManifest {
    /// The image to run: `repo@sha256:...` when pinned, the reference as written otherwise,
    /// or envc's tag for a built service.
    pub image: String,
    /// The plan key of a service image envc builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Key>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<RunString>>,
    #[serde(default)]
    pub env: BTreeMap<EnvName, RunString>,
    #[serde(default)]
    pub volumes: Vec<Volume>,
    #[serde(default)]
    pub ports: Vec<ServicePort>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
}

/// The tag `envc build` gives a finished image: `envc/<name>[-<variant>]:<short key>`.
pub fn image_tag(image_name: &str, key: &Key) -> String {
    format!("{image_name}:{}", key.short())
}

/// The tag of a step image, by its full key (`envc/step:<hex>`): the build tags each
/// committed step so that the next build finds the longest cached prefix.
pub fn step_tag(key: &Key) -> String {
    format!("envc/step:{}", key.hex())
}

/// The manifest of `plan`, made from `spec` (the same spec the plan was made from).
pub fn manifest(spec: &Spec, plan: &Plan) -> RunManifest {
    let key = plan.key();
    let images = TargetImages {
        docker: spec.targets.docker.enable.then(|| DockerImage {
            key,
            tag: image_tag(&plan.image_name(), &key),
        }),
        apptainer: spec.targets.apptainer.enable.then(|| ApptainerImage {
            key,
            sif: format!("sif/{}.sif", key.hex()),
        }),
    };
    let services = spec
        .services
        .iter()
        .map(|(name, service)| {
            let (image, key) = match plan.services.get(name.as_str()) {
                Some(ServiceImage::Image { reference, pinned }) => {
                    (pinned.clone().unwrap_or_else(|| reference.clone()), None)
                }
                Some(built @ ServiceImage::Build { .. }) => {
                    let key = built.key().unwrap_or(Key([0; 32]));
                    let name = format!("{}-{}", plan.image_name(), name.as_str());
                    (image_tag(&name, &key), Some(key))
                }
                None => (String::new(), None),
            };
            let manifest = ServiceManifest {
                image,
                key,
                command: service.command.clone(),
                env: service.env.clone(),
                volumes: service.volumes.clone(),
                ports: service.ports.clone(),
                healthcheck: service.healthcheck.clone(),
            };
            (name.as_str().to_owned(), manifest)
        })
        .collect();
    RunManifest {
        version: MANIFEST_VERSION,
        name: plan.name.clone(),
        variant: plan.variant.clone(),
        platform: plan.platform.clone(),
        images,
        run: spec.run.clone(),
        services,
        apptainer: spec.targets.apptainer.clone(),
    }
}

/// The manifest's JSON Schema (draft 2020-12).
pub fn schema() -> schemars::Schema {
    schemars::schema_for!(RunManifest)
}

impl RunManifest {
    /// Stable bytes: sorted keys, pretty-printed, trailing newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        crate::content::canonical::to_pretty(&value)
    }
}
