//! Which step produced a file that differs between a cached image and its rebuild.
//!
//! Both chains keep every step's image (envc's `envc/step:<key>`, the rebuild's in its own
//! namespace), so the step is found by comparing the two chains step by step, from the
//! last step back: the producer of a differing path is the earliest step of the run of
//! steps, ending at the last one, whose images already differ at that path. Only done when
//! a rebuild differs, and only as far back as some path still differs.

use std::collections::{BTreeMap, BTreeSet};

use crate::build::cache::{Tags, step_tag};
use crate::engine::Engine;
use crate::engine::{ImageListError, list_image};
use crate::plan::{Step, StepKind};
use crate::rootfs::Entry;

/// The index (in `steps`) of the step that produced each of `paths`, where it is known.
pub async fn producers(
    engine: &Engine,
    steps: &[Step],
    rebuild: &Tags,
    paths: &[String],
) -> Result<BTreeMap<String, usize>, ImageListError> {
    let mut open: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
    let mut found = BTreeMap::new();
    // The image config changes no file: its image is its parent's.
    for step in steps.iter().rev() {
        if open.is_empty() || matches!(step.kind, StepKind::Base(_)) {
            break;
        }
        if matches!(step.kind, StepKind::Config(_)) {
            continue;
        }
        let (ours, theirs) = (step_tag(&step.key), rebuild.step(&step.key));
        let (Some(ours), Some(theirs)) = (
            engine
                .find_image(&ours)
                .await
                .map_err(ImageListError::from)?,
            engine
                .find_image(&theirs)
                .await
                .map_err(ImageListError::from)?,
        ) else {
            break;
        };
        let (ours, theirs) = (
            list_image(engine, &ours.id).await?,
            list_image(engine, &theirs.id).await?,
        );
        let at = |entries: &[Entry], path: &str| {
            entries.iter().find(|e| e.display_path() == path).cloned()
        };
        open.retain(|path| {
            let differs = at(&ours.entries, path) != at(&theirs.entries, path);
            if differs {
                found.insert((*path).to_owned(), step.index);
            }
            differs
        });
    }
    Ok(found)
}
