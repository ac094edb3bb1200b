//! An open document: its text, version and syntax tree, kept in step with the editor's
//! incremental changes. Each change is applied to the text and to the tree (`Tree::edit`), and
//! the text is re-parsed with the old tree when the tree is next needed, so that tree-sitter
//! reuses what the changes did not touch, and a burst of changes is parsed once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use backlint_engine::parse::reparse;
use backlint_engine::rule::RuleSet;
use backlint_engine::{check_parsed_reusing, CheckMemo, FileReport, Grammar, Settings, Source};
use lsp_types::TextDocumentContentChangeEvent;
use tree_sitter::{InputEdit, Tree};

use crate::line_index::{LineIndex, PositionEncoding};
use crate::workspace::Target;

/// What a check of a document leaves for the next one. It holds the settings and rules it was
/// made with, since it serves only a check with the same ones.
#[derive(Clone)]
pub struct Memo {
    settings: Arc<Settings>,
    rules: Arc<RuleSet>,
    check: Arc<CheckMemo>,
}

impl Memo {
    /// How many statements the check that made this memo took from the one before.
    pub fn reused(&self) -> usize {
        self.check.reused()
    }

    /// Whether the files around the document that its rules read (a `package.json`, Django
    /// settings) still read as they did.
    pub fn project_files_hold(&self) -> bool {
        self.check.project_files_hold()
    }
}

/// Cloning a document is cheap enough to hand a snapshot to a worker: the tree is shared.
#[derive(Clone)]
pub struct Document {
    path: PathBuf,
    grammar: Grammar,
    version: i32,
    text: String,
    line_index: LineIndex,
    tree: Option<Tree>,
    /// Whether the text changed since `tree` was parsed: the tree then holds the edits
    /// (`Tree::edit`) but not their parse, which waits for [`Document::parse_edits`].
    edited: bool,
}

impl Document {
    pub fn new(path: PathBuf, grammar: Grammar, version: i32, text: String) -> Document {
        let tree = parsed(grammar, &text, None);
        Document {
            path,
            grammar,
            version,
            line_index: LineIndex::new(&text),
            text,
            tree,
            edited: false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn grammar(&self) -> Grammar {
        self.grammar
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    /// The syntax tree of the text, once [`Document::parse_edits`] has parsed the changes.
    pub fn tree(&self) -> Option<&Tree> {
        debug_assert!(
            !self.edited,
            "the tree of an edited document is read unparsed"
        );
        self.tree.as_ref()
    }

    /// A byte range of the checked source as a range of the document's text: the engine reads
    /// a text without its byte order mark.
    pub fn from_engine(&self, range: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        let shift = if self.text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        range.start + shift..range.end + shift
    }

    /// Applies the changes of one `didChange` in order; [`Document::parse_edits`] parses them.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: PositionEncoding,
    ) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = self.line_index.offset(&self.text, range.start, encoding);
                    let old_end = self
                        .line_index
                        .offset(&self.text, range.end, encoding)
                        .max(start);
                    self.replace(start..old_end, &change.text);
                }
                None => {
                    self.text = change.text.clone();
                    self.tree = None;
                }
            }
            self.line_index = LineIndex::new(&self.text);
        }
        self.edited = true;
        self.version = version;
    }

    /// Parses the text changed since the last parse, reusing the edited tree. Parsing when the
    /// tree is needed rather than at each change keeps the main loop free: a client that
    /// sends a thousand changes at once gets its next answer after one parse, not a thousand.
    pub fn parse_edits(&mut self) {
        if !self.edited {
            return;
        }
        self.edited = false;
        self.tree = parsed(self.grammar, &self.text, self.tree.as_ref());
        if self
            .tree
            .as_ref()
            .is_some_and(|tree| tree.root_node().has_error())
        {
            // Error recovery can resolve an edited tree differently from a fresh parse; the
            // findings must not depend on the order of edits, so a text with syntax errors is
            // parsed from scratch.
            self.tree = parsed(self.grammar, &self.text, None);
        }
    }

    /// Checks the document as it is now, with its current tree, reusing what `previous` (a
    /// check of an earlier version) found in the statements the edits since did not touch.
    pub fn check(
        &self,
        target: &Target,
        previous: Option<&Memo>,
    ) -> Option<(FileReport, Option<Memo>)> {
        let tree = self.tree()?;
        let source = Source::new(self.path.clone(), self.text.clone())
            .in_project(&target.settings.filter.root);
        let previous = previous
            .filter(|previous| {
                Arc::ptr_eq(&previous.settings, &target.settings)
                    && Arc::ptr_eq(&previous.rules, &target.rules)
            })
            .map(|previous| previous.check.as_ref());
        let (report, memo) = check_parsed_reusing(
            &source,
            self.grammar,
            tree,
            &target.settings,
            &target.rules,
            previous,
        );
        let memo = memo.map(|check| Memo {
            settings: Arc::clone(&target.settings),
            rules: Arc::clone(&target.rules),
            check: Arc::new(check),
        });
        Some((report, memo))
    }

    /// Replaces a byte range of the text, and tells the tree where.
    fn replace(&mut self, range: std::ops::Range<usize>, new_text: &str) {
        let start_position = self.line_index.point(range.start);
        let old_end_position = self.line_index.point(range.end);
        self.text.replace_range(range.clone(), new_text);
        let new_end = range.start + new_text.len();
        if let Some(tree) = &mut self.tree {
            tree.edit(&InputEdit {
                start_byte: range.start,
                old_end_byte: range.end,
                new_end_byte: new_end,
                start_position,
                old_end_position,
                new_end_position: end_point(start_position, new_text),
            });
        }
    }
}

/// Where text inserted at `start` ends, as tree-sitter counts rows (at `\n` only).
fn end_point(start: tree_sitter::Point, inserted: &str) -> tree_sitter::Point {
    match inserted.rfind('\n') {
        Some(last_newline) => tree_sitter::Point {
            row: start.row + memchr::memchr_iter(b'\n', inserted.as_bytes()).count(),
            column: inserted.len() - last_newline - 1,
        },
        None => tree_sitter::Point {
            row: start.row,
            column: start.column + inserted.len(),
        },
    }
}

/// The tree of a document's text, or none for a text that holds NUL bytes: `backlint check`
/// skips such a file as binary, and tree-sitter's error recovery can work on one until its
/// budget runs out, on the server's main loop.
fn parsed(grammar: Grammar, text: &str, old: Option<&Tree>) -> Option<Tree> {
    if memchr::memchr(0, text.as_bytes()).is_some() {
        return None;
    }
    reparse(grammar, text, old)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

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

    #[test]
    fn a_burst_of_changes_parses_as_the_final_text() {
        let start = "function f(a: number) {\n  return a;\n}\n";
        let mut edited = document(start);
        let changes = [
            change((1, 9), (1, 10), "a + 1"),
            change((0, 0), (0, 0), "export "),
            change((3, 0), (3, 0), "const g = (b: string) => b;\n"),
            change((1, 2), (1, 2), "// twice\n  "),
        ];
        for (version, change) in (2..).zip(&changes) {
            edited.apply_changes(
                version,
                std::slice::from_ref(change),
                PositionEncoding::Utf16,
            );
        }
        edited.parse_edits();
        let fresh = document(edited.text());
        let tree = |document: &Document| document.tree().map(|tree| tree.root_node().to_sexp());
        assert_eq!(
            edited.text(),
            "export function f(a: number) {\n  // twice\n  return a + 1;\n}\nconst g = (b: string) => b;\n"
        );
        assert_eq!(tree(&edited), tree(&fresh));
    }
}
