//! The image a pip step runs on, built for `envc lock`: pip requirements are resolved in
//! the step's real parent (base and apt packages with the pins just resolved), not the bare
//! base, so the lock matches what the build sees. The lock walk asks for it through
//! [`BuildPipParent`]; building needs the plan and the executor, which stand above the lock.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use crate::engine::Engine;
use crate::lock::engine_resolver::{BuildPipParent, ParentImage};
use crate::lock::file::{ImagePins, LockEntry, lock_inputs};
use crate::lock::walk::{LockingError, PipParent};
use crate::plan::{Plan, ProjectFiles, ServiceImage, StepKind};
use crate::spec::Spec;

/// The environment a lock entry is made for.
pub struct PipParentBuilder {
    pub spec: Spec,
    pub project_root: PathBuf,
    pub variant: Option<String>,
}

impl BuildPipParent for PipParentBuilder {
    fn build<'a>(
        &'a self,
        engine: &'a Engine,
        parent: &'a PipParent<'a>,
    ) -> Pin<Box<dyn Future<Output = Result<ParentImage, LockingError>> + 'a>> {
        Box::pin(build_parent(engine, self, parent))
    }
}

/// Build the steps before `parent`'s pip step (base and apt, with the apt pins just
/// resolved) with envc's executor, as `envc build` will, and return the image.
async fn build_parent(
    engine: &Engine,
    environment: &PipParentBuilder,
    parent: &PipParent<'_>,
) -> Result<ParentImage, LockingError> {
    let what = match parent.service {
        None => "the pip step's parent image (base and apt packages)".to_owned(),
        Some(name) => format!("the pip step's parent image of service `{name}`"),
    };
    let other = |message: String| LockingError::Other {
        what: what.clone(),
        message,
    };
    let spec = &environment.spec;
    let (image, services) = match parent.service {
        None => (parent.pins.clone(), BTreeMap::new()),
        Some(name) => (
            ImagePins::default(),
            BTreeMap::from([(name.to_owned(), parent.pins.clone())]),
        ),
    };
    let entry = LockEntry::new(lock_inputs(spec), image, services);
    let mut files =
        ProjectFiles::open(&environment.project_root).map_err(|e| other(e.to_string()))?;
    let plan = crate::plan::plan(
        spec,
        Some(&entry),
        &mut files,
        environment.variant.as_deref(),
    )
    .map_err(|e| other(e.to_string()))?;
    let steps = match parent.service {
        None => plan.steps.clone(),
        Some(name) => match plan.services.get(name) {
            Some(ServiceImage::Build { steps }) => steps.clone(),
            _ => return Err(other(format!("service `{name}` builds no image"))),
        },
    };
    let pip_at = steps
        .iter()
        .position(|s| matches!(s.kind, StepKind::Pip(_)))
        .unwrap_or(steps.len());
    let parent_plan = Plan {
        steps: steps[..pip_at].to_vec(),
        services: BTreeMap::new(),
        ..plan
    };
    eprintln!("building {what} to resolve pip requirements in it");
    let options = super::BuildOptions::default();
    let built = super::build(
        engine,
        spec,
        &parent_plan,
        &environment.project_root,
        &options,
    )
    .await
    .map_err(|e| other(e.to_string()))?;
    Ok(ParentImage {
        id: built.image.id,
        reference: built.image.reference,
    })
}
