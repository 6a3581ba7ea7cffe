//! One file of `build.files` turned into a plan step: its content (project tree, text or
//! download), mode, owner and the project digests it reads. Where the step goes in the
//! chain (before every step, or right after the step its `after` names) is the builder's.

use std::collections::BTreeMap;
use std::path::Path;

use super::planner::PlanError;
use super::step::{FileContent, FileStep, StepKind};
use super::tree::{EntryKind, ProjectFiles};
use crate::content::Digest;
use crate::lock::file::ImagePins;
use crate::spec::model::FileSource;

/// The label, kind and reads of the step that places `file` at `target`.
pub fn file_step(
    target: &str,
    file: &FileSource,
    pins: &ImagePins,
    files: &mut ProjectFiles,
    field: &str,
) -> Result<(String, StepKind, BTreeMap<String, Digest>), PlanError> {
    let field = format!("{field}.files.\"{target}\"");
    let mode = parse_mode(file.mode.as_str()).ok_or_else(|| PlanError::Mode {
        field: field.clone(),
        mode: file.mode.as_str().into(),
    })?;
    let (source, reads, mode) = match (&file.source, &file.text, &file.url) {
        (Some(path), None, None) => {
            let wrap = |source| PlanError::ProjectFile {
                field: format!("{field}.source"),
                source,
            };
            let rel = files.relative(Path::new(path.as_str())).map_err(wrap)?;
            let tree = files.tree(&rel).map_err(wrap)?.clone();
            let is_dir = matches!(tree.entries.first().map(|e| &e.kind), Some(EntryKind::Dir));
            let reads = BTreeMap::from([(rel.clone(), tree.digest)]);
            let mode = (!is_dir).then_some(mode);
            (FileContent::Project { path: rel, tree }, reads, mode)
        }
        (None, Some(text), None) => (
            FileContent::Text(text.as_str().to_owned()),
            BTreeMap::new(),
            Some(mode),
        ),
        (None, None, Some(url)) => {
            // The config's hash wins: a lock that disagrees is stale and refused before
            // planning for a build.
            let sha256 = match &file.sha256 {
                Some(hex) => {
                    let mut sha = [0u8; 32];
                    // The spec checked the hex already.
                    let _ = hex::decode_to_slice(hex.as_str(), &mut sha);
                    Some(Digest(sha))
                }
                None => pins.downloads.get(url.as_str()).copied(),
            };
            let url = url.as_str().to_owned();
            (
                FileContent::Download { url, sha256 },
                BTreeMap::new(),
                Some(mode),
            )
        }
        _ => return Err(PlanError::FileSource { field }),
    };
    let step = FileStep {
        target: target.to_owned(),
        source,
        mode,
        owner: file.owner.as_str().to_owned(),
    };
    Ok((format!("file {target}"), StepKind::File(step), reads))
}

fn parse_mode(text: &str) -> Option<u32> {
    u32::from_str_radix(text, 8).ok().filter(|m| *m <= 0o7777)
}
