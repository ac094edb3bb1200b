//! An open document: its text, version and syntax tree, kept in step with the editor's
//! incremental changes. Each change is applied to the text and to the tree (`Tree::edit`), and
//! the text is re-parsed with the old tree, so that tree-sitter reuses what the change did not
//! touch.

use std::path::PathBuf;

use backlint_engine::parse::reparse;
use backlint_engine::rule::RuleSet;
use backlint_engine::{check_parsed, FileReport, Grammar, Settings, Source};
use lsp_types::{Position, TextDocumentContentChangeEvent};
use tree_sitter::{InputEdit, Point, Tree};

/// How the client counts characters in a line: LSP's default UTF-16 code units, or bytes when
/// the client offers UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionEncoding {
    Utf16,
    Utf8,
}

pub struct Document {
    path: PathBuf,
    grammar: Grammar,
    version: i32,
    text: String,
    tree: Option<Tree>,
}

impl Document {
    pub fn new(path: PathBuf, grammar: Grammar, version: i32, text: String) -> Document {
        let tree = reparse(grammar, &text, None);
        Document {
            path,
            grammar,
            version,
            text,
            tree,
        }
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Applies the changes of one `didChange` in order, then re-parses once.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: PositionEncoding,
    ) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = self.offset(range.start, encoding);
                    let old_end = self.offset(range.end, encoding).max(start);
                    self.replace(start..old_end, &change.text);
                }
                None => {
                    self.text = change.text.clone();
                    self.tree = None;
                }
            }
        }
        self.tree = reparse(self.grammar, &self.text, self.tree.as_ref());
        if self
            .tree
            .as_ref()
            .is_some_and(|tree| tree.root_node().has_error())
        {
            // Error recovery can resolve an edited tree differently from a fresh parse; the
            // findings must not depend on the order of edits, so a text with syntax errors is
            // parsed from scratch.
            self.tree = reparse(self.grammar, &self.text, None);
        }
        self.version = version;
    }

    /// Checks the document as it is now, with its current tree.
    pub fn check(&self, settings: &Settings, rules: &RuleSet) -> Option<FileReport> {
        let tree = self.tree.as_ref()?;
        let source = Source::new(self.path.clone(), self.text.clone());
        Some(check_parsed(&source, self.grammar, tree, settings, rules))
    }

    /// Replaces a byte range of the text, and tells the tree where.
    fn replace(&mut self, range: std::ops::Range<usize>, new_text: &str) {
        let start_position = point_at(&self.text, range.start);
        let old_end_position = point_at(&self.text, range.end);
        self.text.replace_range(range.clone(), new_text);
        let new_end = range.start + new_text.len();
        if let Some(tree) = &mut self.tree {
            tree.edit(&InputEdit {
                start_byte: range.start,
                old_end_byte: range.end,
                new_end_byte: new_end,
                start_position,
                old_end_position,
                new_end_position: point_at(&self.text, new_end),
            });
        }
    }

    /// The byte offset of an LSP position. A line past the end is the end of the text, a
    /// character past the end of its line is the end of the line (as the specification asks),
    /// and a position inside a character is moved to its start.
    fn offset(&self, position: Position, encoding: PositionEncoding) -> usize {
        let mut line_start = 0;
        for _ in 0..position.line {
            match self.text[line_start..].find('\n') {
                Some(newline) => line_start += newline + 1,
                None => return self.text.len(),
            }
        }
        let line_end = self.text[line_start..]
            .find('\n')
            .map_or(self.text.len(), |newline| line_start + newline);
        let line = &self.text[line_start..line_end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let wanted = position.character as usize;
        let mut counted = 0;
        for (index, character) in line.char_indices() {
            let width = match encoding {
                PositionEncoding::Utf16 => character.len_utf16(),
                PositionEncoding::Utf8 => character.len_utf8(),
            };
            if counted + width > wanted {
                return line_start + index;
            }
            counted += width;
        }
        line_start + line.len()
    }
}

/// The tree-sitter point (row, byte column) of a byte offset.
fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&byte| byte == b'\n').count();
    let column = before
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(offset, |newline| offset - newline - 1);
    Point { row, column }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Range;

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position::new(start.0, start.1),
                end: Position::new(end.0, end.1),
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    fn document(text: &str) -> Document {
        Document::new(
            PathBuf::from("a.ts"),
            Grammar::TypeScript,
            1,
            text.to_owned(),
        )
    }

    #[test]
    fn positions_count_utf16_code_units_or_bytes() {
        let mut utf16 = document("const s = \"é😀\"; let x = 1;\n");
        // `é` is one UTF-16 unit, the emoji two: `;` after the closing quote is at 15.
        utf16.apply_changes(2, &[change((0, 15), (0, 16), ",")], PositionEncoding::Utf16);
        assert_eq!(utf16.text(), "const s = \"é😀\", let x = 1;\n");
        let mut utf8 = document("const s = \"é😀\"; let x = 1;\n");
        // In bytes: `é` is 2, the emoji 4.
        utf8.apply_changes(2, &[change((0, 18), (0, 19), ",")], PositionEncoding::Utf8);
        assert_eq!(utf8.text(), "const s = \"é😀\", let x = 1;\n");
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let mut past = document("a;\nb;\n");
        past.apply_changes(2, &[change((1, 40), (9, 0), "c")], PositionEncoding::Utf16);
        assert_eq!(past.text(), "a;\nb;c");
        // Inside a surrogate pair: moved to the start of the character.
        let mut inside = document("x😀y");
        inside.apply_changes(2, &[change((0, 2), (0, 2), "!")], PositionEncoding::Utf16);
        assert_eq!(inside.text(), "x!😀y");
    }

    #[test]
    fn a_change_without_a_range_replaces_the_text() {
        let mut whole = document("a;\n");
        whole.apply_changes(
            5,
            &[TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "b;\n".to_owned(),
            }],
            PositionEncoding::Utf16,
        );
        assert_eq!((whole.text(), whole.version()), ("b;\n", 5));
    }
}
