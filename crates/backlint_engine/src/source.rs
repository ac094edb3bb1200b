//! A file's text and its line index: byte offsets in, 1-based lines and columns out.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use crate::line_hash::line_hashes;
use crate::paths::relative_to;

const UTF8_BOM: &str = "\u{feff}";

/// A line and column, both 1-based. `column` counts Unicode scalar values (what editors and
/// terminals show); `utf16_column` counts UTF-16 code units (what SARIF and LSP expect).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub utf16_column: usize,
}

/// The text of one file, ready to parse. A UTF-8 byte order mark is removed so that the
/// first line's columns are counted from the first visible character.
#[derive(Debug)]
pub struct Source {
    /// The path as reported: relative to the working directory when it lies below it.
    pub path: PathBuf,
    /// The path relative to the project's root (the folder of the configuration in force),
    /// which rules match their path globs against, so that they do not depend on where the
    /// project is checked out or checked from: a project inside a `tests/` folder is not all
    /// tests. The reported path for a file outside the root.
    pub project_path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
    /// Whether the file began with a byte order mark, which `text` leaves out.
    has_byte_order_mark: bool,
    /// Whether every character is ASCII, so that columns are byte offsets: positions then
    /// cost no count of the characters before them, which on a long minified line, once per
    /// finding, would add up to the square of its length.
    is_ascii: bool,
}

/// `offset` clamped to `text`, then moved back to the start of the character it falls in
/// (`str::floor_char_boundary`, which is newer than the toolchain backlint supports).
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// How the bytes of a file became text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoding {
    Utf8,
    /// Invalid UTF-8 sequences were replaced with U+FFFD.
    Lossy,
}

impl Source {
    pub fn new(path: PathBuf, text: String) -> Source {
        let has_byte_order_mark = text.starts_with(UTF8_BOM);
        let text = match text.strip_prefix(UTF8_BOM) {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|newline| newline + 1))
            .collect();
        Source {
            project_path: path.clone(),
            path,
            is_ascii: text.is_ascii(),
            text,
            line_starts,
            has_byte_order_mark,
        }
    }

    /// The same source in the project whose root is `root`: its [`Source::project_path`]
    /// becomes its path relative to `root`. An empty root (no configuration, as in tests)
    /// leaves the reported path.
    pub fn in_project(mut self, root: &Path) -> Source {
        if !root.is_absolute() {
            return self;
        }
        if let Some(relative) = relative_to(&self.path, root) {
            self.project_path = relative;
        }
        self
    }

    /// GitHub code scanning's line hash of each of these lines (1-based, sorted), computed over
    /// the file as GitHub's upload action reads it: with its byte order mark. A line's hash
    /// depends on the lines before it (which count its occurrence), not on those after the
    /// 100 characters it covers, so hashing stops at the last line asked for.
    pub fn line_hashes(&self, lines: &[usize]) -> HashMap<usize, String> {
        let mut hashes = HashMap::new();
        let Some(&last_line) = lines.last() else {
            return hashes;
        };
        let byte_order_mark = self
            .has_byte_order_mark
            .then(|| UTF8_BOM.encode_utf16())
            .into_iter()
            .flatten();
        line_hashes(
            byte_order_mark.chain(self.text.encode_utf16()),
            |line, hash| {
                if lines.binary_search(&line).is_ok() {
                    hashes.insert(line, hash.to_string());
                }
                if line < last_line {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            },
        );
        hashes
    }

    /// Decodes bytes as UTF-8, replacing invalid sequences rather than refusing the file.
    pub fn decode(path: PathBuf, bytes: Vec<u8>) -> (Source, Decoding) {
        match String::from_utf8(bytes) {
            Ok(text) => (Source::new(path, text), Decoding::Utf8),
            Err(error) => {
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                (Source::new(path, text), Decoding::Lossy)
            }
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the file began with a byte order mark, which [`Source::text`] leaves out.
    pub fn has_byte_order_mark(&self) -> bool {
        self.has_byte_order_mark
    }

    pub fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based index of the line that holds `offset`.
    fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(next) => next - 1,
        }
    }

    /// The byte offset where a 1-based line starts; the end of the text past the last line.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The text of a 1-based line, without its line ending (`\n` or `\r\n`).
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        let text = &self.text[start..end.max(start)];
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// The position of a byte offset. Offsets inside a multi-byte character, or past the end,
    /// are clamped to the nearest boundary before them.
    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(&self.text, offset);
        let index = self.line_index(offset);
        let before = &self.text[self.line_starts[index]..offset];
        if self.is_ascii {
            return Position {
                line: index + 1,
                column: before.len() + 1,
                utf16_column: before.len() + 1,
            };
        }
        Position {
            line: index + 1,
            column: before.chars().count() + 1,
            utf16_column: before.encode_utf16().count() + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_hashes_read_the_byte_order_mark_as_github_does() {
        let with_mark = Source::new(PathBuf::from("a.py"), "\u{feff}x = 1\ny = 2\n".to_owned());
        let without_mark = Source::new(PathBuf::from("a.py"), "x = 1\ny = 2\n".to_owned());
        let mut expected = HashMap::new();
        line_hashes("\u{feff}x = 1\ny = 2\n".encode_utf16(), |line, hash| {
            expected.insert(line, hash.to_string());
            ControlFlow::Continue(())
        });
        expected.remove(&3);
        assert_eq!(with_mark.line_hashes(&[1, 2]), expected);
        assert_ne!(without_mark.line_hashes(&[1]).get(&1), expected.get(&1));
        assert_eq!(without_mark.line_hashes(&[2]).get(&2), expected.get(&2));
    }

    #[test]
    fn positions_count_characters_and_utf16_units() {
        let source = Source::new(
            PathBuf::from("a.ts"),
            "const a = 1;\nconst é😀 = any;\n".to_owned(),
        );
        let any = source.text().find("any").unwrap();
        let position = source.position(any);
        assert_eq!(position.line, 2);
        assert_eq!(position.column, 12);
        assert_eq!(position.utf16_column, 13);
    }

    #[test]
    fn crlf_lines_do_not_count_the_carriage_return() {
        let source = Source::new(PathBuf::from("a.py"), "a = 1\r\nb = 2\r\n".to_owned());
        assert_eq!(source.line_text(1), "a = 1");
        assert_eq!(source.line_text(2), "b = 2");
        let b = source.text().find('b').unwrap();
        assert_eq!(
            source.position(b),
            Position {
                line: 2,
                column: 1,
                utf16_column: 1
            }
        );
    }

    #[test]
    fn a_byte_order_mark_does_not_shift_columns() {
        let source = Source::new(PathBuf::from("a.py"), "\u{feff}x = 1\n".to_owned());
        assert_eq!(
            source.position(0),
            Position {
                line: 1,
                column: 1,
                utf16_column: 1
            }
        );
        assert_eq!(source.line_text(1), "x = 1");
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        let (source, decoding) = Source::decode(PathBuf::from("a.py"), b"x = '\xff'\n".to_vec());
        assert_eq!(decoding, Decoding::Lossy);
        assert_eq!(source.line_text(1), "x = '\u{fffd}'");
    }

    #[test]
    fn out_of_range_lines_are_empty() {
        let source = Source::new(PathBuf::from("a.py"), String::new());
        assert_eq!(source.line_count(), 1);
        assert_eq!(source.line_text(1), "");
        assert_eq!(source.line_text(0), "");
        assert_eq!(source.line_text(7), "");
    }
}
