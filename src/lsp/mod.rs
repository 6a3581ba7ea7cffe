//! `envc lsp`: a language server for `envc.nix` (and the `.nix` files it imports) and
//! `envc.json`.
//!
//! It reuses what `envc check` runs — the evaluator, the module loader, the spec decoder —
//! on the editor's unsaved texts, so a diagnostic in the editor is the message `envc check`
//! prints, at the same place. Completion and hover read the JSON Schema that is generated
//! from the same typed model. The transport is `lsp-server` (rust-analyzer's); evaluation
//! runs on a worker thread ([`worker`]) so the main loop always answers.

pub mod code_action;
pub mod completion;
pub mod cursor;
pub mod definition;
pub mod diagnostics;
pub mod documents;
pub mod formatting;
pub mod hover;
pub mod position;
pub mod schema_nav;
pub mod server;
pub mod worker;

pub use server::{LspError, serve_stdio};
