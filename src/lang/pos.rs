//! Compact source positions for the evaluator, and the table of loaded files they point into.
//!
//! A [`Pos`] is 12 bytes (file id and byte range) so that every expression node and every
//! attribute can carry one cheaply; it becomes a full [`Span`] only when an error or the
//! output needs it.

use std::cell::RefCell;
use std::sync::Arc;

use crate::source::{SourceFile, Span};

/// A byte range in one of the files of the current evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

impl Pos {
    pub fn new(file: u32, start: usize, end: usize) -> Self {
        Pos {
            file,
            start: start as u32,
            end: end as u32,
        }
    }
}

/// Every file loaded during one evaluation, and which import expression first loaded it
/// (for the import trace of errors).
#[derive(Default)]
pub struct Files {
    files: RefCell<Vec<(Arc<SourceFile>, Option<Pos>)>>,
}

impl Files {
    pub fn add(&self, file: Arc<SourceFile>, imported_from: Option<Pos>) -> u32 {
        let mut files = self.files.borrow_mut();
        files.push((file, imported_from));
        (files.len() - 1) as u32
    }

    pub fn file(&self, id: u32) -> Arc<SourceFile> {
        self.files.borrow()[id as usize].0.clone()
    }

    pub fn span(&self, pos: Pos) -> Span {
        Span::new(self.file(pos.file), pos.start as usize..pos.end as usize)
    }

    /// The chain of import expressions that led to `file`, innermost first.
    pub fn import_trace(&self, file: u32) -> Vec<Span> {
        let mut trace = Vec::new();
        let mut current = file;
        let files = self.files.borrow();
        while let Some(Some(from)) = files.get(current as usize).map(|f| f.1) {
            if trace.len() > 64 {
                break;
            }
            trace.push(Span::new(
                files[from.file as usize].0.clone(),
                from.start as usize..from.end as usize,
            ));
            current = from.file;
        }
        trace
    }
}
