//! Formatting `envc.json`: two-space indentation, keys in the order written, a final newline
//! (what `serde_json`'s pretty printer writes). Text that is not valid JSON is left alone.

use lsp_types::{Position, Range, TextEdit};

use super::position::LineIndex;

/// The edit that formats `text`, or none (already formatted, or not JSON).
pub fn format_json(text: &str) -> Option<Vec<TextEdit>> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut formatted = serde_json::to_string_pretty(&value).ok()?;
    formatted.push('\n');
    if formatted == text {
        return Some(Vec::new());
    }
    let end = LineIndex::new(text).position(text.len());
    Some(vec![TextEdit::new(
        Range::new(Position::new(0, 0), end),
        formatted,
    )])
}
