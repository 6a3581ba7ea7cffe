//! The server's main loop: the capabilities it announces, and one handler per request and
//! notification. It never evaluates here — that is the worker's job — so it stays
//! responsive however slow a config is.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use crossbeam_channel::select;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, Formatting, GotoDefinition, HoverRequest, Request as _,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    Url,
};
use serde::de::DeserializeOwned;

use super::cursor::Lang;
use super::documents::{Documents, config_of};
use super::position::LineIndex;
use super::schema_nav::SchemaNav;
use super::worker::{Outcome, Worker};
use super::{code_action, completion, definition, formatting, hover};
use crate::spec::LoadedSpec;

/// Why the server stopped other than by `shutdown` and `exit`.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    #[error("the LSP connection failed")]
    Protocol(#[source] lsp_server::ProtocolError),
    #[error("cannot talk to the client")]
    Io(#[source] std::io::Error),
    #[error("the client closed the connection")]
    Closed,
}

/// Serve one client over stdin and stdout until it says `exit`.
pub fn serve_stdio() -> Result<(), LspError> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io_threads.join().map_err(LspError::Io)
}

/// What the server can do.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "\"".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Serve one client on `connection`.
pub fn serve(connection: &Connection) -> Result<(), LspError> {
    let caps = serde_json::to_value(capabilities()).expect("capabilities serialize");
    connection.initialize(caps).map_err(LspError::Protocol)?;
    let mut server = Server {
        connection,
        documents: Documents::default(),
        worker: Worker::start(),
        nav: SchemaNav::new(crate::spec::schema::config_schema()),
        loaded: HashMap::new(),
        published: HashMap::new(),
    };
    loop {
        select! {
            recv(connection.receiver) -> message => {
                let Ok(message) = message else { return Err(LspError::Closed) };
                match message {
                    Message::Request(request) => {
                        if connection.handle_shutdown(&request).map_err(LspError::Protocol)? {
                            return Ok(());
                        }
                        server.request(request);
                    }
                    Message::Notification(notification) => server.notification(notification),
                    Message::Response(_) => {}
                }
            }
            recv(server.worker.results) -> outcome => {
                if let Ok(outcome) = outcome {
                    server.publish(outcome);
                }
            }
        }
    }
}

struct Server<'a> {
    connection: &'a Connection,
    documents: Documents,
    worker: Worker,
    nav: SchemaNav,
    /// The last config that checked, per config file (hover values, definitions).
    loaded: HashMap<PathBuf, Box<LoadedSpec>>,
    /// The files each config last published diagnostics on (to clear them when fixed).
    published: HashMap<PathBuf, BTreeSet<PathBuf>>,
}

impl Server<'_> {
    fn send(&self, message: impl Into<Message>) {
        let _ = self.connection.sender.send(message.into());
    }

    fn notification(&mut self, n: Notification) {
        let path = match n.method.as_str() {
            DidOpenTextDocument::METHOD => params::<lsp_types::DidOpenTextDocumentParams>(n.params)
                .and_then(|p| {
                    let d = p.text_document;
                    self.documents.open(d.uri, d.text, d.version)
                }),
            DidChangeTextDocument::METHOD => {
                params::<lsp_types::DidChangeTextDocumentParams>(n.params).and_then(|mut p| {
                    // Full sync: the last change is the whole text.
                    let text = p.content_changes.pop()?.text;
                    let d = p.text_document;
                    self.documents.change(&d.uri, text, d.version)
                })
            }
            DidSaveTextDocument::METHOD => params::<lsp_types::DidSaveTextDocumentParams>(n.params)
                .and_then(|p| p.text_document.uri.to_file_path().ok()),
            DidCloseTextDocument::METHOD => {
                params::<lsp_types::DidCloseTextDocumentParams>(n.params)
                    .and_then(|p| self.documents.close(&p.text_document.uri))
            }
            _ => None,
        };
        if let Some(config) = path.as_deref().and_then(config_of) {
            self.worker.request(config, self.documents.overlay());
        }
    }

    /// Publish an evaluation's diagnostics, unless a newer evaluation was asked for.
    fn publish(&mut self, outcome: Outcome) {
        if !self.worker.is_current(&outcome) {
            return;
        }
        let mut files: BTreeSet<PathBuf> = outcome.diagnostics.keys().cloned().collect();
        files.insert(outcome.config.clone());
        let previous = self
            .published
            .insert(outcome.config.clone(), files.clone())
            .unwrap_or_default();
        for path in previous.union(&files) {
            let Ok(uri) = Url::from_file_path(path) else {
                continue;
            };
            let diagnostics = outcome.diagnostics.get(path).cloned().unwrap_or_default();
            let version = self.documents.get(&uri).map(|d| d.version);
            let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
            self.send(Notification::new(PublishDiagnostics::METHOD.into(), params));
        }
        if let Some(loaded) = outcome.loaded {
            self.loaded.insert(outcome.config, loaded);
        }
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            Completion::METHOD => self.with_position(request, |s, doc, offset| {
                let items = completion::complete(&s.nav, &doc.text, offset, doc.lang());
                serde_json::to_value(items).ok()
            }),
            HoverRequest::METHOD => self.with_position(request, |s, doc, offset| {
                let loaded = s.loaded_for(&doc.path);
                let found = hover::hover(&s.nav, loaded, &doc.text, offset, doc.lang());
                serde_json::to_value(found).ok()
            }),
            GotoDefinition::METHOD => self.with_position(request, |s, doc, offset| {
                let loaded = s.loaded_for(&doc.path);
                let found =
                    definition::definition(loaded, &doc.path, &doc.text, offset, doc.lang());
                serde_json::to_value(found).ok()
            }),
            Formatting::METHOD => params::<lsp_types::DocumentFormattingParams>(request.params)
                .and_then(|p| {
                    let doc = self.documents.get(&p.text_document.uri)?;
                    let edits = match doc.lang() {
                        Lang::Json => formatting::format_json(&doc.text),
                        Lang::Nix => None,
                    };
                    serde_json::to_value(edits).ok()
                }),
            CodeActionRequest::METHOD => params::<lsp_types::CodeActionParams>(request.params)
                .and_then(|p| serde_json::to_value(code_action::actions(&p)).ok()),
            _ => {
                self.send(Response::new_err(
                    id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("envc lsp does not handle `{}`", request.method),
                ));
                return;
            }
        };
        self.respond(id, result);
    }

    fn respond(&self, id: RequestId, result: Option<serde_json::Value>) {
        let value = result.unwrap_or(serde_json::Value::Null);
        self.send(Response::new_ok(id, value));
    }

    fn loaded_for(&self, path: &std::path::Path) -> Option<&LoadedSpec> {
        let config = config_of(path)?;
        self.loaded.get(&config).map(|b| b.as_ref())
    }

    /// Run `f` for a request about a position in an open document.
    fn with_position(
        &self,
        request: Request,
        f: impl FnOnce(&Self, &super::documents::Document, usize) -> Option<serde_json::Value>,
    ) -> Option<serde_json::Value> {
        let p: lsp_types::TextDocumentPositionParams = position_params(request.params)?;
        let doc = self.documents.get(&p.text_document.uri)?;
        let offset = LineIndex::new(&doc.text).offset(p.position);
        f(self, doc, offset)
    }
}

fn params<T: DeserializeOwned>(value: serde_json::Value) -> Option<T> {
    serde_json::from_value(value).ok()
}

/// Completion, hover and definition params all carry the text document and position at
/// their top level (flattened).
fn position_params(value: serde_json::Value) -> Option<lsp_types::TextDocumentPositionParams> {
    params(value)
}
