//! Evaluating `.nix` configs and modules, through the `lang` evaluator.
//!
//! The only place the spec stage calls the evaluator: a module is evaluated strictly, and
//! if it is a function it is applied to `{ lib = import <envc/lib.nix>; }` first. File
//! access is confined to the project root (and the built-in modules).

use std::path::Path;

use crate::lang::{self, EvalOptions, Located};
use crate::spec::error::SpecError;

/// Evaluate one `.nix` module file with file access confined to `root`.
pub fn eval(path: &Path, root: &Path) -> Result<Located, SpecError> {
    let opts = EvalOptions {
        root: root.to_path_buf(),
        max_steps: None,
    };
    lang::eval_module(path, &opts).map_err(SpecError::lang)
}
