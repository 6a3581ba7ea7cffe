//! Byte offsets (how envc's spans count) to LSP positions (lines and UTF-16 code units, how
//! the protocol counts) and back.
//!
//! Getting this wrong puts every squiggle after a non-ASCII character in the wrong place, so
//! it is done once, here.

use lsp_types::{Position, Range};

/// Where each line of one text starts, to convert offsets both ways.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, and to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character = self.text[start..offset]
            .chars()
            .map(char::len_utf16)
            .sum::<usize>();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, range: std::ops::Range<usize>) -> Range {
        Range::new(self.position(range.start), self.position(range.end))
    }

    /// The byte offset of `pos`; a position past a line's end is the line's end.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let mut units = 0usize;
        for (i, c) in self.text[start..end].char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        // `é` is 2 bytes and 1 unit, `𝄞` 4 bytes and 2 units.
        let text = "a = \"é𝄞\";\nbx = 1;\n";
        let index = LineIndex::new(text);
        let after = text.find(';').unwrap();
        assert_eq!(index.position(after), Position::new(0, 9));
        assert_eq!(index.offset(Position::new(0, 9)), after);
        assert_eq!(
            index.position(text.find("bx").unwrap()),
            Position::new(1, 0)
        );
        assert_eq!(index.offset(Position::new(1, 99)), text.len() - 1);
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
        // Inside a multi-byte character clamps to its start.
        assert_eq!(index.position(6), Position::new(0, 5));
    }
}
