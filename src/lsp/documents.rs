//! The files the editor has open: their current text and version, which config each belongs
//! to, and the overlay (texts by path) an evaluation reads instead of the disk.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::Url;

use super::cursor::Lang;
use crate::lang::io::Overlay;
use crate::spec::load::CONFIG_NAMES;

/// One open file.
pub struct Document {
    pub path: PathBuf,
    pub text: String,
    pub version: i32,
}

impl Document {
    pub fn lang(&self) -> Lang {
        match self.path.extension().and_then(|e| e.to_str()) {
            Some("json") => Lang::Json,
            _ => Lang::Nix,
        }
    }
}

/// The open files, by URI.
#[derive(Default)]
pub struct Documents {
    open: HashMap<Url, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Url, text: String, version: i32) -> Option<PathBuf> {
        let path = uri.to_file_path().ok()?;
        self.open.insert(
            uri,
            Document {
                path: path.clone(),
                text,
                version,
            },
        );
        Some(path)
    }

    /// Replace a document's text (full sync); a change older than what we have is ignored.
    pub fn change(&mut self, uri: &Url, text: String, version: i32) -> Option<PathBuf> {
        let doc = self.open.get_mut(uri)?;
        if version < doc.version {
            return None;
        }
        doc.text = text;
        doc.version = version;
        Some(doc.path.clone())
    }

    pub fn close(&mut self, uri: &Url) -> Option<PathBuf> {
        self.open.remove(uri).map(|d| d.path)
    }

    pub fn get(&self, uri: &Url) -> Option<&Document> {
        self.open.get(uri)
    }

    /// Every open file's text, by path.
    pub fn overlay(&self) -> Overlay {
        let texts: BTreeMap<PathBuf, Arc<str>> = self
            .open
            .values()
            .map(|d| (d.path.clone(), Arc::from(d.text.as_str())))
            .collect();
        Arc::new(texts)
    }
}

/// The config a file belongs to: itself when it is an `envc.nix` or `envc.json`, else the
/// nearest one in its folder or above (the file is then one of its modules).
pub fn config_of(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    if CONFIG_NAMES.contains(&name) {
        return Some(path.to_path_buf());
    }
    crate::spec::discover(path.parent()?).ok()
}
