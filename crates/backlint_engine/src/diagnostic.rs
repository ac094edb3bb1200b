//! What a check produces: findings (diagnostics) and notifications about the files themselves.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::source::Position;
use crate::suppression::Suppression;

/// How serious a finding is. Ordered, so that `level >= fail_on` reads naturally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    pub fn from_name(name: &str) -> Option<Level> {
        match name {
            "note" => Some(Level::Note),
            "warning" => Some(Level::Warning),
            "error" => Some(Level::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a fix can be applied without a human looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the program's meaning; `--fix` applies it.
    Safe,
    /// May change behaviour or types; offered as a suggestion only.
    Unsafe,
}

impl Applicability {
    pub fn name(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// A finding as a rule reports it, in byte offsets of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub range: Range<usize>,
    pub message: String,
    pub related: Vec<(Range<usize>, String)>,
    pub fix: Option<FindingFix>,
    /// The name of the function the finding sits in, part of its fingerprint.
    pub enclosing_function: Option<String>,
    /// A lower level for this finding than the rule's (a secret in a test file); a finding is
    /// never raised above the level the rule is configured at.
    pub level: Option<Level>,
    /// Source ranges that must never be shown (a secret's value past its first characters):
    /// code frames print `…` in their place.
    pub redactions: Vec<Range<usize>>,
}

impl Finding {
    /// A finding with a message and nothing else.
    pub fn new(range: Range<usize>, message: String) -> Finding {
        Finding {
            range,
            message,
            related: Vec::new(),
            fix: None,
            enclosing_function: None,
            level: None,
            redactions: Vec::new(),
        }
    }
}

/// A fix as a rule proposes it: non-overlapping replacements of byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<(Range<usize>, String)>,
}

/// A finding resolved against its file: positions, the lines it covers, and its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub level: Level,
    /// Relative to the working directory where possible, always with `/` separators.
    pub path: String,
    pub range: Range<usize>,
    pub start: Position,
    pub end: Position,
    pub message: String,
    pub related: Vec<RelatedLocation>,
    pub fingerprint: String,
    /// GitHub code scanning's `primaryLocationLineHash` of the finding's first line.
    pub line_hash: String,
    pub fix: Option<Fix>,
    /// The source lines from `start.line` to `end.line` (at most a few), for code frames.
    pub snippet: Snippet,
    /// The comment that suppressed it, if one did.
    pub suppression: Option<Suppression>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedLocation {
    pub range: Range<usize>,
    pub start: Position,
    pub end: Position,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub start: Position,
    pub end: Position,
    pub content: String,
}

/// Source lines around a finding. `text` holds whole lines joined with `\n`; `range` is the
/// finding's span within `text`, in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    pub first_line: usize,
    pub text: String,
    pub range: Range<usize>,
}

/// Something about a file rather than a finding in it: it could not be read, was skipped, or
/// was analysed with a caveat.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Notification {
    pub path: String,
    pub kind: NotificationKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotificationKind {
    /// The file has syntax errors; it was analysed with error recovery.
    ParseError,
    /// The file is not valid UTF-8; it was decoded with replacement characters.
    InvalidUtf8,
    /// The file holds NUL bytes; it was skipped.
    BinaryFile,
    /// The file is over the size limit; it was skipped.
    FileTooLarge,
    /// The file could not be read (permissions, broken link, link loop…); it was skipped.
    IoError,
    /// A rule panicked on the file; the other rules' findings were kept.
    InternalError,
}

impl NotificationKind {
    pub fn name(self) -> &'static str {
        match self {
            NotificationKind::ParseError => "parse-error",
            NotificationKind::InvalidUtf8 => "invalid-utf8",
            NotificationKind::BinaryFile => "binary-file",
            NotificationKind::FileTooLarge => "file-too-large",
            NotificationKind::IoError => "io-error",
            NotificationKind::InternalError => "internal-error",
        }
    }

    /// How much it matters: a rule that failed is an error; a file analysed with error recovery
    /// or not read at all a warning; a file skipped as not source, or decoded lossily, a note.
    pub fn level(self) -> Level {
        match self {
            NotificationKind::InternalError => Level::Error,
            NotificationKind::ParseError | NotificationKind::IoError => Level::Warning,
            NotificationKind::InvalidUtf8
            | NotificationKind::BinaryFile
            | NotificationKind::FileTooLarge => Level::Note,
        }
    }

    /// Whether the file was left out of the analysis altogether.
    pub fn skips_file(self) -> bool {
        matches!(
            self,
            NotificationKind::BinaryFile
                | NotificationKind::FileTooLarge
                | NotificationKind::IoError
        )
    }
}
