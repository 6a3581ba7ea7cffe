//! Completion: the fields the set at the cursor may have (at any depth), and the values a
//! field may take, each with its doc and type from the schema.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, Documentation, MarkupContent,
    MarkupKind,
};

use super::cursor::{self, Cursor, Lang};
use super::schema_nav::{Entry, SchemaNav};

/// The completion items at byte `offset` of `text`.
pub fn complete(nav: &SchemaNav, text: &str, offset: usize, lang: Lang) -> CompletionResponse {
    let items = match cursor::at(text, offset, lang) {
        Cursor::Key { path, prefix } => {
            let in_quotes = lang == Lang::Json && text[..offset].ends_with(&format!("\"{prefix}"));
            nav.fields(&path)
                .into_iter()
                .filter(|e| e.name.starts_with(&prefix) && !e.name.starts_with('$'))
                .map(|e| {
                    let insert = match lang {
                        Lang::Json if !in_quotes => format!("\"{}\"", e.name),
                        Lang::Nix if !is_nix_ident(&e.name) => format!("\"{}\"", e.name),
                        _ => e.name.clone(),
                    };
                    item(e, CompletionItemKind::FIELD, insert)
                })
                .collect()
        }
        Cursor::Value { path, prefix } => {
            let quoted = text[..offset].ends_with(&format!("\"{prefix}"));
            nav.values(&path)
                .into_iter()
                .filter(|e| e.name.starts_with(&prefix))
                .map(|e| {
                    let insert = if e.type_text == "string" && !quoted {
                        format!("\"{}\"", e.name)
                    } else {
                        e.name.clone()
                    };
                    item(e, CompletionItemKind::ENUM_MEMBER, insert)
                })
                .collect()
        }
        Cursor::Unknown => Vec::new(),
    };
    CompletionResponse::Array(items)
}

fn item(entry: Entry, kind: CompletionItemKind, insert: String) -> CompletionItem {
    let doc = entry.doc.clone().unwrap_or_default();
    CompletionItem {
        label: entry.name.clone(),
        kind: Some(kind),
        detail: Some(entry.type_text.clone()),
        documentation: (!doc.is_empty()).then_some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: doc,
        })),
        insert_text: Some(insert),
        ..CompletionItem::default()
    }
}

fn is_nix_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''))
}
