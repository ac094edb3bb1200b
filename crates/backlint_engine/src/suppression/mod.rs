//! Suppression comments, read from the syntax tree's comments (never from strings):
//! backlint's own, the same words in both languages,
//!
//! - `backlint-ignore[rule-id, …]: reason` at the end of a line: that line;
//! - `backlint-ignore-next-line[rule-id, …]: reason` on its own line: the next line;
//! - `backlint-ignore-file[rule-id, …]: reason` in the comments before the first code: the file;
//!
//! and, for the rules that have an equivalent ([`foreign`]), the directives of ESLint, oxlint,
//! Biome, Ruff/flake8 (`noqa`), Bandit (`nosec`), detect-secrets and gitleaks.

pub mod foreign;

use std::collections::BTreeMap;
use std::ops::{Range, RangeInclusive};
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use serde::{Deserialize, Serialize};
use tree_sitter::{Node, Tree};

use crate::diagnostic::Diagnostic;
use crate::source::Source;
use foreign::{Equivalent, EQUIVALENTS};

/// The meta-rule reporting `backlint-ignore` comments that suppressed nothing.
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";
/// The meta-rule reporting `backlint-ignore` comments that are malformed, name unknown rules,
/// suppress every rule, or (with `require-reason`) give no reason.
pub const SUPPRESSION_COMMENT: &str = "suppression-comment";

/// What every backlint directive starts with.
pub const SUPPRESSION_MARKER: &str = "backlint-ignore";

/// Text that every directive contains (`noqa` in any case); a file without any is not searched
/// for comments. One pass over the file finds them all.
static MARKERS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([
            "backlint-ignore",
            "eslint-disable",
            "eslint-enable",
            "oxlint-disable",
            "oxlint-enable",
            "biome-ignore",
            "noqa",
            "nosec",
            "allowlist",
            "gitleaks:allow",
        ])
        .unwrap_or_else(|error| panic!("the suppression markers are valid patterns: {error}"))
});

/// Which kind of comment suppressed a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SuppressionKind {
    #[serde(rename = "backlint-ignore")]
    Backlint,
    #[serde(rename = "eslint-disable")]
    Eslint,
    #[serde(rename = "oxlint-disable")]
    Oxlint,
    #[serde(rename = "biome-ignore")]
    Biome,
    #[serde(rename = "noqa")]
    Noqa,
    #[serde(rename = "nosec")]
    Nosec,
    #[serde(rename = "pragma: allowlist secret")]
    DetectSecrets,
    #[serde(rename = "gitleaks:allow")]
    Gitleaks,
}

impl SuppressionKind {
    pub fn name(self) -> &'static str {
        match self {
            SuppressionKind::Backlint => "backlint-ignore",
            SuppressionKind::Eslint => "eslint-disable",
            SuppressionKind::Oxlint => "oxlint-disable",
            SuppressionKind::Biome => "biome-ignore",
            SuppressionKind::Noqa => "noqa",
            SuppressionKind::Nosec => "nosec",
            SuppressionKind::DetectSecrets => "pragma: allowlist secret",
            SuppressionKind::Gitleaks => "gitleaks:allow",
        }
    }
}

/// The comment that hid a finding, and the reason it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
enum Scope {
    Lines(RangeInclusive<usize>),
    File,
}

#[derive(Debug, Clone)]
struct Directive {
    kind: SuppressionKind,
    scope: Scope,
    /// The backlint rules it suppresses; `None`: every rule (`backlint-ignore[*]`).
    rules: Option<Vec<String>>,
    reason: Option<String>,
    /// Where it is written, for the findings about it.
    range: Range<usize>,
    /// Its text, up to the reason (`backlint-ignore[bare-except]`).
    written: String,
    /// A same-line directive alone on its line, which was probably meant for the next line.
    alone_on_its_line: bool,
    /// The rules it suppressed a finding of.
    used: Vec<String>,
}

/// A finding about a suppression comment itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentFinding {
    pub rule: &'static str,
    pub range: Range<usize>,
    pub message: String,
}

/// What a file's suppression comments say.
#[derive(Debug, Default)]
pub struct Suppressions {
    directives: Vec<Directive>,
    /// Malformed or misplaced `backlint-ignore` comments, and unknown rule ids in them.
    problems: Vec<CommentFinding>,
}

impl Suppressions {
    /// Reads the suppression comments of a file. `known_rules` are every rule id backlint has;
    /// other tools' directives count only with `respect_foreign`.
    pub fn parse(
        tree: &Tree,
        source: &Source,
        known_rules: &[&str],
        respect_foreign: bool,
    ) -> Self {
        let text = source.text();
        let root = tree.root_node();
        let mut comments: Vec<Node<'_>> = Vec::new();
        for marker in MARKERS.find_iter(text) {
            let Some(node) = root.descendant_for_byte_range(marker.start(), marker.end()) else {
                continue;
            };
            if node.kind().ends_with("comment") {
                comments.push(node);
            }
        }
        let mut suppressions = Suppressions::default();
        if comments.is_empty() {
            return suppressions;
        }
        comments.sort_by_key(Node::start_byte);
        comments.dedup_by_key(|node| node.start_byte());
        let first_code = first_code_offset(root);
        for comment in comments {
            let reader = CommentReader {
                source,
                range: comment.byte_range(),
                before_code: comment.start_byte() < first_code,
                known_rules,
            };
            reader.read_backlint(&mut suppressions);
            if respect_foreign {
                reader.read_foreign(&mut suppressions);
            }
        }
        suppressions
    }

    /// Sets aside the diagnostics a comment suppresses, marking each with its suppression.
    /// Returns (kept, suppressed).
    pub fn apply(&mut self, diagnostics: Vec<Diagnostic>) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
        if self.directives.is_empty() {
            return (diagnostics, Vec::new());
        }
        let mut kept = Vec::with_capacity(diagnostics.len());
        let mut suppressed = Vec::new();
        for mut diagnostic in diagnostics {
            // backlint's own comments come first, so that a finding is counted under them.
            let directive = self
                .directives
                .iter_mut()
                .filter(|directive| directive.covers(diagnostic.start.line, diagnostic.rule))
                .min_by_key(|directive| directive.kind);
            match directive {
                Some(directive) => {
                    if !directive.used.iter().any(|rule| rule == diagnostic.rule) {
                        directive.used.push(diagnostic.rule.to_owned());
                    }
                    diagnostic.suppression = Some(Suppression {
                        kind: directive.kind,
                        reason: directive.reason.clone(),
                    });
                    suppressed.push(diagnostic);
                }
                None => kept.push(diagnostic),
            }
        }
        (kept, suppressed)
    }

    /// The findings about the comments themselves, after [`Suppressions::apply`]: a
    /// `backlint-ignore` that suppressed nothing of a rule that is enabled (`enabled`), and
    /// malformed ones; with `require_reason`, those without a reason.
    pub fn comment_findings(
        &self,
        enabled: impl Fn(&str) -> bool,
        require_reason: bool,
    ) -> Vec<CommentFinding> {
        let mut findings = self.problems.clone();
        for directive in self
            .directives
            .iter()
            .filter(|directive| directive.kind == SuppressionKind::Backlint)
        {
            let unused: Vec<&str> = match &directive.rules {
                None if directive.used.is_empty() => vec!["*"],
                None => Vec::new(),
                Some(rules) => rules
                    .iter()
                    .map(String::as_str)
                    .filter(|rule| enabled(rule) && !directive.used.iter().any(|used| used == rule))
                    .collect(),
            };
            if !unused.is_empty() {
                let what = if directive.rules.is_none() {
                    "no finding".to_owned()
                } else {
                    let names: Vec<String> =
                        unused.iter().map(|rule| format!("`{rule}`")).collect();
                    format!("no {} finding", names.join(" or "))
                };
                let hint = if directive.alone_on_its_line {
                    " (on a line of its own, `backlint-ignore` covers only that line: use `backlint-ignore-next-line`)"
                } else {
                    ""
                };
                findings.push(CommentFinding {
                    rule: UNUSED_SUPPRESSION,
                    range: directive.range.clone(),
                    message: format!(
                        "`{}` suppresses nothing: {what} {}; remove it{hint}",
                        directive.written,
                        directive.scope.describe()
                    ),
                });
            }
            if directive.rules.is_none() {
                findings.push(CommentFinding {
                    rule: SUPPRESSION_COMMENT,
                    range: directive.range.clone(),
                    message: "`[*]` suppresses every rule, including ones that would catch a new problem here: name the rules".to_owned(),
                });
            }
            if require_reason && directive.reason.is_none() {
                findings.push(CommentFinding {
                    rule: SUPPRESSION_COMMENT,
                    range: directive.range.clone(),
                    message: "this suppression gives no reason: add one after a colon (`backlint-ignore[rule-id]: why this is fine`)".to_owned(),
                });
            }
        }
        findings.sort_by(|a, b| (a.range.start, a.rule).cmp(&(b.range.start, b.rule)));
        findings
    }
}

impl Directive {
    fn covers(&self, line: usize, rule: &str) -> bool {
        let in_scope = match &self.scope {
            Scope::Lines(lines) => lines.contains(&line),
            Scope::File => true,
        };
        in_scope
            && self
                .rules
                .as_ref()
                .is_none_or(|rules| rules.iter().any(|named| named == rule))
    }
}

impl Scope {
    fn describe(&self) -> String {
        match self {
            Scope::Lines(lines) if lines.start() == lines.end() => {
                format!("on line {}", lines.start())
            }
            Scope::Lines(lines) => format!("on lines {}–{}", lines.start(), lines.end()),
            Scope::File => "in this file".to_owned(),
        }
    }
}

/// Where the first code of a file starts: what is not a comment (nor a Python module
/// docstring, which belongs to the file's leading comments).
fn first_code_offset(root: Node<'_>) -> usize {
    let mut cursor = root.walk();
    let first_code = root
        .named_children(&mut cursor)
        .find(|child| {
            let is_docstring = child.kind() == "expression_statement"
                && child.named_child_count() == 1
                && child
                    .named_child(0)
                    .is_some_and(|inner| inner.kind() == "string");
            !child.kind().ends_with("comment") && !is_docstring && child.kind() != "hash_bang_line"
        })
        .map_or(usize::MAX, |child| child.start_byte());
    first_code
}

/// Reads the directives of one comment.
struct CommentReader<'a> {
    source: &'a Source,
    range: Range<usize>,
    before_code: bool,
    known_rules: &'a [&'a str],
}

impl CommentReader<'_> {
    fn text(&self) -> &str {
        &self.source.text()[self.range.clone()]
    }

    fn line(&self) -> usize {
        self.source.position(self.range.start).line
    }

    fn next_line(&self) -> usize {
        self.source.position(self.range.end).line + 1
    }

    /// Whether only whitespace comes before the comment on its line.
    fn starts_its_line(&self) -> bool {
        let before = &self.source.text()[..self.range.start];
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        before[line_start..].trim().is_empty()
    }

    /// The comment's text without its delimiters.
    fn body(&self) -> &str {
        let text = self.text();
        let text = text
            .strip_prefix("//")
            .or_else(|| text.strip_prefix('#'))
            .or_else(|| {
                text.strip_prefix("/*")
                    .map(|inner| inner.strip_suffix("*/").unwrap_or(inner))
            })
            .unwrap_or(text);
        text.trim()
    }

    fn read_backlint(&self, suppressions: &mut Suppressions) {
        let text = self.text();
        for (at, _) in text.match_indices("backlint-ignore") {
            let after = &text[at + "backlint-ignore".len()..];
            let (scope, after) = if let Some(rest) = after.strip_prefix("-next-line") {
                (Scope::Lines(self.next_line()..=self.next_line()), rest)
            } else if let Some(rest) = after.strip_prefix("-file") {
                (Scope::File, rest)
            } else {
                (Scope::Lines(self.line()..=self.line()), after)
            };
            let written = self.range.start + at..self.range.start + text.len() - after.len();
            let Some(inside) = after.strip_prefix('[') else {
                suppressions.problems.push(CommentFinding {
                    rule: SUPPRESSION_COMMENT,
                    range: written,
                    message: "a suppression names the rules it suppresses: `backlint-ignore[rule-id]: reason`; this one is ignored".to_owned(),
                });
                continue;
            };
            let Some(close) = inside.find(']') else {
                suppressions.problems.push(CommentFinding {
                    rule: SUPPRESSION_COMMENT,
                    range: written,
                    message:
                        "the list of rules is not closed with `]`; this suppression is ignored"
                            .to_owned(),
                });
                continue;
            };
            let names = &inside[..close];
            let rest = &inside[close + 1..];
            let range = written.start..written.end + 1 + close + 1;
            if matches!(scope, Scope::File) && !self.before_code {
                suppressions.problems.push(CommentFinding {
                    rule: SUPPRESSION_COMMENT,
                    range,
                    message: "`backlint-ignore-file` works only in the comments at the top of the file, before any code; this one is ignored".to_owned(),
                });
                continue;
            }
            let mut rules = Some(Vec::new());
            for name in names
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
            {
                if name == "*" {
                    rules = None;
                    break;
                }
                match self.known_rules.iter().find(|known| **known == name) {
                    Some(known) => rules.get_or_insert_with(Vec::new).push((*known).to_owned()),
                    None => {
                        let suggestion =
                            crate::config::did_you_mean(name, self.known_rules.iter().copied())
                                .map(|known| format!(" (did you mean `{known}`?)"))
                                .unwrap_or_default();
                        suppressions.problems.push(CommentFinding {
                            rule: SUPPRESSION_COMMENT,
                            range: range.clone(),
                            message: format!(
                                "unknown rule `{name}`{suggestion} in this suppression"
                            ),
                        });
                    }
                }
            }
            if rules.as_ref().is_some_and(Vec::is_empty) {
                continue;
            }
            let alone_on_its_line = matches!(&scope, Scope::Lines(lines) if *lines.start() == self.line())
                && self.starts_its_line();
            suppressions.directives.push(Directive {
                kind: SuppressionKind::Backlint,
                scope,
                rules,
                reason: reason(rest.trim_start().strip_prefix(':')),
                written: self.source.text()[range.clone()].to_owned(),
                range,
                alone_on_its_line,
                used: Vec::new(),
            });
        }
    }

    fn read_foreign(&self, suppressions: &mut Suppressions) {
        let body = self.body();
        let this_line = self.line()..=self.line();
        let next_line = self.next_line()..=self.next_line();
        let mut push = |kind, scope, rules: Vec<String>, reason: Option<String>| {
            if !rules.is_empty() {
                suppressions.directives.push(Directive {
                    kind,
                    scope,
                    rules: Some(rules),
                    reason,
                    range: self.range.clone(),
                    written: String::new(),
                    alone_on_its_line: false,
                    used: Vec::new(),
                });
            }
        };
        for (prefix, kind) in [
            ("eslint-", SuppressionKind::Eslint),
            ("oxlint-", SuppressionKind::Oxlint),
        ] {
            let Some(directive) = body.strip_prefix(prefix) else {
                continue;
            };
            let (keyword, rest) = directive
                .split_once(char::is_whitespace)
                .unwrap_or((directive, ""));
            let (names, description) = match rest.split_once("--") {
                Some((names, description)) => (names, reason(Some(description))),
                None => (rest, None),
            };
            let names: Vec<&str> = names
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .collect();
            let rules = mapped(
                &names,
                |equivalent| equivalent.eslint,
                |named, name| named == name,
            );
            let scope = match keyword {
                "disable-next-line" => Scope::Lines(next_line.clone()),
                "disable-line" => Scope::Lines(this_line.clone()),
                // Closed by `close_block_ranges` at the matching enable, if any.
                "disable" => Scope::Lines(self.line()..=usize::MAX),
                "enable" => {
                    let names = if names.is_empty() { None } else { Some(rules) };
                    enable(&mut suppressions.directives, kind, names, self.line());
                    return;
                }
                _ => continue,
            };
            push(kind, scope, rules, description);
            return;
        }
        if let Some(directive) = body.strip_prefix("biome-ignore") {
            let (keyword, rest) = directive
                .split_once(char::is_whitespace)
                .unwrap_or((directive, ""));
            let (categories, explanation) = match rest.split_once(':') {
                Some((categories, explanation)) => (categories, reason(Some(explanation))),
                None => (rest, None),
            };
            let categories: Vec<&str> = categories.split_whitespace().collect();
            let rules = mapped(
                &categories,
                |equivalent| equivalent.biome,
                |named, category| named == category || named.starts_with(&format!("{category}/")),
            );
            let scope = match keyword {
                "" => Scope::Lines(next_line),
                "-all" => Scope::File,
                "-start" => Scope::Lines(self.line()..=usize::MAX),
                "-end" => {
                    enable(
                        &mut suppressions.directives,
                        SuppressionKind::Biome,
                        Some(rules),
                        self.line(),
                    );
                    return;
                }
                _ => return,
            };
            push(SuppressionKind::Biome, scope, rules, explanation);
            return;
        }
        let lowercase = body.to_ascii_lowercase();
        if let Some(at) = find_word(&lowercase, "noqa") {
            let before = lowercase[..at].trim_end();
            let file_wide = before.ends_with("ruff:") || before.ends_with("flake8:");
            let codes = codes(&body[at + "noqa".len()..], true);
            let rules = mapped(
                &codes,
                |equivalent| equivalent.noqa,
                |named, code| named == code,
            );
            let scope = if file_wide {
                Scope::File
            } else {
                Scope::Lines(this_line.clone())
            };
            push(SuppressionKind::Noqa, scope, rules, None);
        }
        if let Some(at) = find_word(body, "nosec") {
            let codes = codes(&body[at + "nosec".len()..], false);
            let rules = mapped(
                &codes,
                |equivalent| equivalent.nosec,
                |named, code| named == code,
            );
            push(
                SuppressionKind::Nosec,
                Scope::Lines(this_line.clone()),
                rules,
                None,
            );
        }
        let secret_rules = || -> Vec<String> {
            EQUIVALENTS
                .iter()
                .filter(|equivalent| equivalent.secret_pragmas)
                .map(|equivalent| equivalent.rule.to_owned())
                .collect()
        };
        if body.contains("pragma: allowlist nextline secret") {
            push(
                SuppressionKind::DetectSecrets,
                Scope::Lines(next_line),
                secret_rules(),
                None,
            );
        } else if body.contains("pragma: allowlist secret") {
            push(
                SuppressionKind::DetectSecrets,
                Scope::Lines(this_line.clone()),
                secret_rules(),
                None,
            );
        }
        if body.contains("gitleaks:allow") {
            push(
                SuppressionKind::Gitleaks,
                Scope::Lines(this_line),
                secret_rules(),
                None,
            );
        }
    }
}

/// The backlint rules that the named rules of another tool stand for; with no names, every
/// rule that has an equivalent in that tool.
fn mapped(
    names: &[&str],
    names_of: impl Fn(&Equivalent) -> &'static [&'static str],
    matches: impl Fn(&str, &str) -> bool,
) -> Vec<String> {
    EQUIVALENTS
        .iter()
        .filter(|equivalent| {
            let own = names_of(equivalent);
            !own.is_empty()
                && (names.is_empty()
                    || names
                        .iter()
                        .any(|name| own.iter().any(|named| matches(named, name))))
        })
        .map(|equivalent| equivalent.rule.to_owned())
        .collect()
}

/// Ends the open blocks of `kind` that an enable comment on `line` closes: those of the rules
/// it names, or all (`names` is `None`).
fn enable(
    directives: &mut [Directive],
    kind: SuppressionKind,
    names: Option<Vec<String>>,
    line: usize,
) {
    for directive in directives
        .iter_mut()
        .filter(|directive| directive.kind == kind)
    {
        let Scope::Lines(lines) = &directive.scope else {
            continue;
        };
        if *lines.end() != usize::MAX || *lines.start() > line {
            continue;
        }
        let closes = match (&names, &directive.rules) {
            (None, _) => true,
            (Some(names), Some(rules)) => rules.iter().any(|rule| names.contains(rule)),
            (Some(_), None) => false,
        };
        if closes {
            directive.scope = Scope::Lines(*lines.start()..=line);
        }
    }
}

/// Where `word` is in `text` as a word of its own (not `nosecurity`).
fn find_word(text: &str, word: &str) -> Option<usize> {
    text.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Rule codes after `noqa` or `nosec`: `: E722, S105`, ` B105 B106`. With `needs_colon`
/// (`noqa`), codes count only after a colon, as flake8 reads them.
fn codes(after: &str, needs_colon: bool) -> Vec<&str> {
    let after = after.trim_start();
    let list = match after.strip_prefix(':') {
        Some(list) => list,
        None if needs_colon => return Vec::new(),
        None => after,
    };
    list.split(|character: char| character == ',' || character.is_whitespace())
        .map(str::trim)
        .take_while(|code| code.is_empty() || is_code(code))
        .filter(|code| !code.is_empty())
        .collect()
}

/// `E722`, `S105`, `B001`, `ANN201`: capital letters, then digits.
fn is_code(word: &str) -> bool {
    let letters = word.chars().take_while(char::is_ascii_uppercase).count();
    letters > 0 && word.len() > letters && word[letters..].chars().all(|c| c.is_ascii_digit())
}

/// A reason, trimmed; none when empty.
fn reason(text: Option<&str>) -> Option<String> {
    let text = text?.trim();
    let text = text.strip_suffix("*/").unwrap_or(text).trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Counts of suppressed findings by kind of comment, for summaries.
pub fn count_by_kind<'a>(
    suppressed: impl Iterator<Item = &'a Diagnostic>,
) -> BTreeMap<SuppressionKind, usize> {
    let mut counts = BTreeMap::new();
    for diagnostic in suppressed {
        if let Some(suppression) = &diagnostic.suppression {
            *counts.entry(suppression.kind).or_insert(0) += 1;
        }
    }
    counts
}
