//! Hover: a field's doc, type and default from the schema, and the value it evaluates to in
//! the merged config, with the file and line that set it.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::cursor::{self, Lang};
use super::position::LineIndex;
use crate::lang::{Data, Located};
use crate::spec::LoadedSpec;

use super::schema_nav::SchemaNav;

/// The hover text for the key at byte `offset`, if it is a field the schema knows.
pub fn hover(
    nav: &SchemaNav,
    loaded: Option<&LoadedSpec>,
    text: &str,
    offset: usize,
    lang: Lang,
) -> Option<Hover> {
    let (path, range) = cursor::key_at(text, offset, lang)?;
    let name = path.last()?.clone();
    let parent = &path[..path.len() - 1];
    let schema = nav
        .fields(parent)
        .into_iter()
        .find(|e| e.name == name)
        .or_else(|| {
            let node = nav.at(&path)?;
            Some(nav.entry(&name, node))
        })?;
    let shown: Vec<&str> = path
        .iter()
        .map(String::as_str)
        .filter(|p| *p != "[]")
        .collect();
    let mut out = format!("**`{}`** : `{}`\n", shown.join("."), schema.type_text);
    if let Some(doc) = &schema.doc {
        out.push_str(&format!("\n{doc}\n"));
    }
    if let Some(default) = &schema.default {
        out.push_str(&format!("\nDefault: `{}`\n", compact(default)));
    }
    if let Some(loaded) = loaded
        && let Some(value) = lookup(&loaded.merged, &path)
    {
        let json = crate::spec::to_json(value, &loaded.project_root);
        out.push_str(&format!("\nValue: `{}`", compact(&json)));
        if let Some(span) = &value.span {
            out.push_str(&format!(" — set in `{}`", span.location()));
        }
        out.push('\n');
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: out,
        }),
        range: Some(LineIndex::new(text).range(range)),
    })
}

/// The merged value at `path` (a list element `[]` is not one value: stop there).
pub fn lookup<'a>(mut value: &'a Located, path: &[String]) -> Option<&'a Located> {
    for segment in path {
        match &value.data {
            Data::Attrs(attrs) => value = attrs.get(segment)?,
            _ => return None,
        }
    }
    Some(value)
}

fn compact(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 200 {
        let cut: String = text.chars().take(200).collect();
        format!("{cut}…")
    } else {
        text
    }
}
