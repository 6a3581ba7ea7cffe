//! Evaluating `.nix` configs and modules, through the `lang` evaluator.
//!
//! The only place the spec stage calls the evaluator. A module is evaluated strictly, and if
//! it is a function it is applied to `{ lib = import <envc/lib.nix>; }` first, exactly as
//! `lang::eval_module` does. It is evaluated as an `import` from the project root rather
//! than as an entry file so that every file in a diagnostic is named the same way —
//! relative to the project root — whichever module it came from.

use std::path::Path;
use std::sync::Arc;

use crate::lang::io::{OverlayFs, RootedFs};
use crate::lang::{self, Data, EvalOptions, Located};
use crate::source::{SourceFile, Span};
use crate::spec::error::SpecError;
use crate::spec::load::LoadOptions;
use crate::spec::modules::{EMBEDDED_ROOT, display_name};

/// Evaluate one `.nix` module file with file access confined to `root` (and the texts of
/// `opts.overlay` in place of those files on disk).
pub fn eval(path: &Path, root: &Path, opts: &LoadOptions) -> Result<Located, SpecError> {
    let target = match path.strip_prefix(EMBEDDED_ROOT) {
        Ok(name) => format!("<envc/{}>", name.display()),
        Err(_) => {
            let rel = path.strip_prefix(root).unwrap_or(path);
            format!("(./. + \"/{}\")", nix_string_body(&rel.to_string_lossy()))
        }
    };
    let expr = format!(
        "let m = import {target}; in if builtins.isFunction m then m {{ lib = import <envc/lib.nix>; }} else m"
    );
    let eval_opts = EvalOptions {
        root: root.to_path_buf(),
        max_steps: opts.max_steps,
        max_memory: opts.max_memory,
    };
    let result = if opts.overlay.is_empty() {
        lang::eval_expr(&expr, root, &eval_opts)
    } else {
        let (fs_root, texts) = (root.to_path_buf(), opts.overlay.clone());
        lang::eval_expr_with_io(&expr, root, &eval_opts, move || {
            Box::new(OverlayFs {
                fs: RootedFs::new(&fs_root),
                texts,
            })
        })
    };
    let mut value = result.map_err(|e| SpecError::lang(without_entry_expr(e)))?;
    value.span = Some(whole_file(&value, path, root, opts));
    Ok(value)
}

/// The import trace of an error ends at the expression above, which the user never wrote:
/// drop that last step (the related diagnostic and its `imported from` help line).
fn without_entry_expr(mut error: lang::LangError) -> lang::LangError {
    let is_entry = |name: &str| name == ENTRY_NAME;
    error
        .related
        .retain(|r| !r.span.as_ref().is_some_and(|s| is_entry(&s.file.name)));
    if let Some(help) = error.help.take() {
        let kept: Vec<&str> = help
            .lines()
            .filter(|line| {
                !line
                    .trim_start()
                    .starts_with(&format!("imported from {ENTRY_NAME}"))
            })
            .collect();
        error.help = (!kept.is_empty()).then(|| kept.join("\n"));
    }
    error
}

/// How the evaluator names an expression evaluated with `eval_expr`.
const ENTRY_NAME: &str = "«expr»";

/// The module's own value is defined by the whole file (not by the `import` expression
/// above); use the evaluator's copy of the file when a binding points into it, so that
/// spans in one file compare equal.
fn whole_file(value: &Located, path: &Path, root: &Path, opts: &LoadOptions) -> Span {
    let file = match &value.data {
        Data::Attrs(attrs) => attrs
            .values()
            .filter_map(|v| v.span.as_ref())
            .find(|s| s.file.path == path)
            .map(|s| s.file.clone()),
        _ => None,
    };
    let file: Arc<SourceFile> = file.unwrap_or_else(|| {
        let text = match opts.overlay.get(path) {
            Some(text) => text.to_string(),
            None => read_text(path),
        };
        SourceFile::new(display_name(path, root), path, text)
    });
    let len = file.text.len();
    Span::new(file, 0..len)
}

fn read_text(path: &Path) -> String {
    if let Ok(name) = path.strip_prefix(EMBEDDED_ROOT)
        && let Some((_, text)) = lang::embedded_module(&name.to_string_lossy())
    {
        return text.to_string();
    }
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Escape text for a double-quoted Nix string.
fn nix_string_body(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "\\${")
}
