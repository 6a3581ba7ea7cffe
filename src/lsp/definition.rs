//! Go-to-definition: from an `imports` entry to the file it names, and from a field to the
//! binding that set its merged value (in whichever module that was).

use std::path::Path;

use lsp_types::{Location, Range, Url};

use super::cursor::{self, Lang};
use super::hover::lookup;
use super::position::LineIndex;
use crate::spec::LoadedSpec;

/// Where the thing at byte `offset` of the file `path` is defined.
pub fn definition(
    loaded: Option<&LoadedSpec>,
    path: &Path,
    text: &str,
    offset: usize,
    lang: Lang,
) -> Option<Location> {
    if let Some(target) = import_target(path, text, offset) {
        return Some(Location::new(
            Url::from_file_path(target).ok()?,
            Range::default(),
        ));
    }
    let (key, _) = cursor::key_at(text, offset, lang)?;
    let value = lookup(&loaded?.merged, &key)?;
    let span = value.span.as_ref()?;
    if !span.file.path.is_absolute()
        || span
            .file
            .path
            .starts_with(crate::spec::modules::EMBEDDED_ROOT)
    {
        return None;
    }
    let range = LineIndex::new(&span.file.text).range(span.range.clone());
    Some(Location::new(
        Url::from_file_path(&span.file.path).ok()?,
        range,
    ))
}

/// The project file a relative path under the cursor names (`./gpu.nix`, `"./base.json"`),
/// if it exists beneath the file's folder's project.
fn import_target(path: &Path, text: &str, offset: usize) -> Option<std::path::PathBuf> {
    let is_path_char = |c: char| c.is_alphanumeric() || matches!(c, '.' | '/' | '_' | '-' | '+');
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let start = text[..offset]
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_path_char(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[offset..]
        .char_indices()
        .find(|&(_, c)| !is_path_char(c))
        .map_or(text.len(), |(i, _)| offset + i);
    let word = &text[start..end];
    if !(word.starts_with("./") || word.starts_with("../")) {
        return None;
    }
    let dir = path.parent()?;
    let target = crate::spec::modules::normalize(&dir.join(word));
    target.is_file().then_some(target)
}
