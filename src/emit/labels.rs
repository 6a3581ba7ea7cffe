//! The labels a finished image carries in the emitted files: the config's own, and envc's
//! (the plan key, its parent, OCI annotations).

use crate::plan::step::{BaseStep, ConfigStep};
use crate::plan::{Plan, Step, StepKind};
use crate::spec::Spec;

/// Every label of the image whose last step is `last` with config `config`, sorted.
pub fn image_labels(
    spec: &Spec,
    plan: &Plan,
    last: &Step,
    config: &ConfigStep,
) -> Vec<(String, String)> {
    let mut labels: Vec<(String, String)> = config
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    labels.extend(envc_labels(spec, plan, last));
    labels.sort();
    labels
}

/// The labels envc adds to a finished image: its key, its parent, and OCI annotations.
pub fn envc_labels(spec: &Spec, plan: &Plan, last: &Step) -> Vec<(String, String)> {
    let mut labels = vec![
        ("dev.envc.key".to_owned(), last.key.hex()),
        (
            "org.opencontainers.image.title".to_owned(),
            plan.name.clone(),
        ),
    ];
    if let Some(parent) = last.parent {
        labels.push(("dev.envc.parent".to_owned(), parent.hex()));
    }
    if let Some(variant) = &plan.variant {
        labels.push(("dev.envc.variant".to_owned(), variant.clone()));
    }
    if let Some(description) = &spec.description {
        // An annotation is one line in every format: the description's words, one space
        // apart (a multi-line Nix string ends with a newline).
        let words: Vec<&str> = description.split_whitespace().collect();
        labels.push((
            "org.opencontainers.image.description".to_owned(),
            words.join(" "),
        ));
    }
    if let Some(StepKind::Base(BaseStep::Image { reference, pinned })) =
        plan.steps.first().map(|s| &s.kind)
    {
        labels.push((
            "org.opencontainers.image.base.name".to_owned(),
            reference.clone(),
        ));
        // `repo@sha256:...`, or a bare local image ID.
        let digest = pinned.as_deref().and_then(|p| match p.split_once('@') {
            Some((_, d)) => Some(d),
            None => p.starts_with("sha256:").then_some(p),
        });
        if let Some(digest) = digest {
            labels.push((
                "org.opencontainers.image.base.digest".to_owned(),
                digest.to_owned(),
            ));
        }
    }
    labels
}

/// The last image-config step of a plan, with its step.
pub fn last_config(plan: &Plan) -> Option<(&Step, &ConfigStep)> {
    plan.steps.iter().rev().find_map(|s| match &s.kind {
        StepKind::Config(c) => Some((s, c)),
        _ => None,
    })
}
