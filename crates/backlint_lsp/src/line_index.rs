//! Byte offsets to and from the positions of the protocol and of tree-sitter.
//!
//! The two count lines differently: LSP ends a line at `\n`, `\r\n` or a lone `\r`;
//! tree-sitter (and backlint's findings) at `\n` only. Both are kept, so that neither side is
//! off by a line in a file with old Mac line endings.

use backlint_engine::source::floor_char_boundary;
use lsp_types::Position;
use tree_sitter::Point;

/// How the client counts characters in a line: LSP's default UTF-16 code units, or bytes when
/// the client offers UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionEncoding {
    Utf16,
    Utf8,
}

#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Where each line starts, as the protocol counts lines.
    lines: Vec<usize>,
    /// Where each row starts, as tree-sitter counts them; `None` when the text has no lone
    /// `\r`, so that rows are lines.
    rows: Option<Vec<usize>>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let rows: Vec<usize> = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', bytes).map(|newline| newline + 1))
            .collect();
        let has_lone_carriage_return = memchr::memchr_iter(b'\r', bytes)
            .any(|carriage_return| bytes.get(carriage_return + 1) != Some(&b'\n'));
        if !has_lone_carriage_return {
            return LineIndex {
                lines: rows,
                rows: None,
            };
        }
        let lines = std::iter::once(0)
            .chain(
                memchr::memchr2_iter(b'\n', b'\r', bytes)
                    .filter(|&end| !(bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n')))
                    .map(|end| end + 1),
            )
            .collect();
        LineIndex {
            lines,
            rows: Some(rows),
        }
    }

    /// The byte offset of a protocol position. A line past the end is the end of the text, a
    /// character past the end of its line is the end of the line (as the specification asks),
    /// and a position inside a character is moved to its start.
    pub fn offset(&self, text: &str, position: Position, encoding: PositionEncoding) -> usize {
        let Some(&line_start) = self.lines.get(position.line as usize) else {
            return text.len();
        };
        let line_end = self.line_end(text, position.line as usize);
        let wanted = position.character as usize;
        let mut counted = 0;
        for (index, character) in text[line_start..line_end].char_indices() {
            counted += width(character, encoding);
            if counted > wanted {
                return line_start + index;
            }
        }
        line_end
    }

    /// The protocol position of a byte offset (clamped to the text, and to the start of the
    /// character it falls in).
    pub fn position(&self, text: &str, offset: usize, encoding: PositionEncoding) -> Position {
        let offset = floor_char_boundary(text, offset);
        let line = self.lines.partition_point(|&start| start <= offset) - 1;
        let before = &text[self.lines[line]..offset];
        let character = match encoding {
            PositionEncoding::Utf16 => before.encode_utf16().count(),
            PositionEncoding::Utf8 => before.len(),
        };
        Position::new(line as u32, character as u32)
    }

    /// The tree-sitter point (row, byte column) of a byte offset.
    pub fn point(&self, offset: usize) -> Point {
        let rows = self.rows.as_ref().unwrap_or(&self.lines);
        let row = rows.partition_point(|&start| start <= offset) - 1;
        Point {
            row,
            column: offset - rows[row],
        }
    }

    /// The byte offset where a line's text ends, before its line break.
    fn line_end(&self, text: &str, line: usize) -> usize {
        let next = self.lines.get(line + 1).copied().unwrap_or(text.len());
        let line_text = &text[self.lines[line]..next];
        let without_break = line_text
            .strip_suffix("\r\n")
            .or_else(|| line_text.strip_suffix('\n'))
            .or_else(|| line_text.strip_suffix('\r'))
            .unwrap_or(line_text);
        self.lines[line] + without_break.len()
    }
}

fn width(character: char, encoding: PositionEncoding) -> usize {
    match encoding {
        PositionEncoding::Utf16 => character.len_utf16(),
        PositionEncoding::Utf8 => character.len_utf8(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns() {
        let text = "a\nx = \"é😀\" + y\n";
        let index = LineIndex::new(text);
        let y = text.find('y').unwrap();
        assert_eq!(
            index.position(text, y, PositionEncoding::Utf16),
            Position::new(1, 12)
        );
        assert_eq!(
            index.position(text, y, PositionEncoding::Utf8),
            Position::new(1, 15)
        );
        for encoding in [PositionEncoding::Utf16, PositionEncoding::Utf8] {
            let position = index.position(text, y, encoding);
            assert_eq!(index.offset(text, position, encoding), y);
        }
    }

    #[test]
    fn lone_carriage_returns_end_lines_for_the_protocol_only() {
        let text = "a\rb\r\nc\nd";
        let index = LineIndex::new(text);
        let d = text.find('d').unwrap();
        assert_eq!(
            index.position(text, d, PositionEncoding::Utf16),
            Position::new(3, 0)
        );
        assert_eq!(index.point(d), Point { row: 2, column: 0 });
        let b = text.find('b').unwrap();
        assert_eq!(
            index.offset(text, Position::new(1, 0), PositionEncoding::Utf16),
            b
        );
        // The end of line 1 is before its `\r\n`.
        assert_eq!(
            index.offset(text, Position::new(1, 9), PositionEncoding::Utf16),
            b + 1
        );
    }
}
