//! Evaluating `.nix` configs and modules, through the `lang` evaluator.
//!
//! The only place the spec stage calls the evaluator: a module is evaluated strictly, and
//! if it is a function it is applied to `{ lib = import <envc/lib.nix>; }` first.

use std::path::Path;

use crate::lang::Located;
use crate::spec::error::{ErrorKind, SpecError};

/// Evaluate one `.nix` module file with file access confined to `root`.
pub fn eval(path: &Path, root: &Path) -> Result<Located, SpecError> {
    let _ = root;
    Err(SpecError::new(ErrorKind::Syntax {
        message: format!(
            "cannot evaluate `{}`: this build of envc has no Nix evaluator yet (use `envc.json`)",
            path.display()
        ),
    }))
}
